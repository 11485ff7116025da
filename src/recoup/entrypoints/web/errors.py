"""Domain errors to HTTP answers, in one place.

Every error answer is JSON ``{"error": {"type", "message", "field"}}``; ``field``
names the input at fault when there is one (a body field, a query parameter), so
a script or a form can point at it. Pages of the desk show the same message.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from recoup.domain import errors as e

# The most specific class first: the first match wins.
STATUS: tuple[tuple[type[e.DomainError], int], ...] = (
    (e.AccessDeniedError, 403),
    (e.LinkInvalidError, 404),
    (e.LinkExpiredError, 410),
    (e.NotFoundError, 404),
    (e.ConflictError, 409),
    (e.ConcurrentRunError, 409),
    (e.DuplicateError, 409),
    (e.InvalidStateError, 409),
    (e.MissingRateError, 422),
    (e.ImportRejectedError, 422),
    (e.InvalidValueError, 422),
    (e.CurrencyMismatchError, 422),
    (e.AllocationError, 422),
    (e.DomainError, 400),
)


def status_of(error: e.DomainError) -> int:
    return next(code for kind, code in STATUS if isinstance(error, kind))


def body(kind: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, "field": field or None, **extra}}


class NotSignedIn(Exception):
    """No session and no token, or a bad one: 401."""

    def __init__(
        self, message: str = "sign in first: a session cookie or an 'Authorization: Bearer' token"
    ) -> None:
        super().__init__(message)


def _answer(
    request: Request, payload: dict[str, Any], status: int, headers: dict[str, str] | None = None
) -> Response:
    """JSON for the API; for a page of the desk or the customer page, the page the app installs."""
    page = getattr(request.app.state, "page_error", None)
    if page is not None and not request.url.path.startswith("/api"):
        answer: Response = page(request, status, payload["error"])
        return answer
    return JSONResponse(payload, status_code=status, headers=headers)


def _field(error: e.DomainError) -> str | None:
    return getattr(error, "field", None) or None


def _domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, e.DomainError)
    extra: dict[str, Any] = {}
    if isinstance(exc, e.ImportRejectedError | e.PolicyError):
        extra["problems"] = exc.lines() if isinstance(exc, e.PolicyError) else exc.problems
    return _answer(request, body(type(exc).__name__, str(exc), _field(exc), **extra), status_of(exc))


def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path", "header")]
        problems.append({"field": ".".join(loc) or None, "message": str(err.get("msg", "not valid"))})
    first = problems[0] if problems else {"field": None, "message": "the request is not valid"}
    message = f"{first['field']}: {first['message']}" if first["field"] else str(first["message"])
    return _answer(request, body("InvalidInput", message, first["field"], problems=problems), 422)


def _not_signed_in(request: Request, exc: Exception) -> Response:
    return _answer(request, body("NotSignedIn", str(exc)), 401, {"WWW-Authenticate": 'Bearer realm="recoup"'})


def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return _answer(
        request, body("HTTPError", str(exc.detail)), exc.status_code, getattr(exc, "headers", None)
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(e.DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(NotSignedIn, _not_signed_in)
    app.add_exception_handler(StarletteHTTPException, _http)
