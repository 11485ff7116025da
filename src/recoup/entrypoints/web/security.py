"""Who is asking: a desk session (signed cookie) or an API token, and whether the role allows it.

Sessions are Starlette's signed cookies (itsdangerous) holding the user's email
and a CSRF token; the signing key is ``services.users.app_secret``. A request
that changes something with a session must carry that CSRF token, in the
``X-CSRF-Token`` header (scripts, HTMX) or a ``csrf_token`` form field (plain
forms); a request with ``Authorization: Bearer <token>`` needs none, since a
browser never adds that header on its own.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from recoup import bootstrap
from recoup.domain.errors import AccessDeniedError
from recoup.domain.users import Permission, User
from recoup.entrypoints.web.errors import NotSignedIn
from recoup.services import users as user_service
from recoup.services.ports import UnitOfWork

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Ctx:
    """The request's application and user."""

    app: bootstrap.App
    user: User
    via: str  # 'session' or 'token'

    @contextmanager
    def uow(self) -> Iterator[UnitOfWork]:
        """One transaction; committed when the block ends without an error."""
        with self.app.uow() as uow:
            yield uow
            uow.commit()

    @property
    def actor(self) -> str:
        return self.user.email


def app_of(request: Request) -> bootstrap.App:
    built: bootstrap.App = request.app.state.recoup
    return built


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


def sign_in(request: Request, user: User) -> str:
    """Start a desk session for ``user``; returns its CSRF token."""
    request.session.clear()
    request.session["user"] = user.email
    return csrf_token(request)


def sign_out(request: Request) -> None:
    request.session.clear()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def identify(request: Request) -> Ctx | None:
    """The signed-in user, or None."""
    built = app_of(request)
    token = _bearer(request)
    if token is not None:
        with built.uow() as uow:
            user = user_service.user_for_token(uow, token)
        if user is None:
            raise NotSignedIn("the API token is not valid (unknown, revoked, or its user is deactivated)")
        return Ctx(built, user, "token")
    email = request.session.get("user") if "session" in request.scope else None
    if not email:
        return None
    with built.uow() as uow:
        found = uow.users.get(str(email))
    if found is None or not found.active:
        sign_out(request)
        return None
    return Ctx(built, found, "session")


async def _check_csrf(request: Request) -> None:
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = str((await request.form()).get("csrf_token") or "")
    expected = str(request.session.get("csrf") or "")
    if not expected or not sent or not secrets.compare_digest(sent, expected):
        raise AccessDeniedError(
            "the request has no valid CSRF token: send the session's token in X-CSRF-Token or csrf_token"
        )


def needs(permission: Permission) -> Callable[[Request], Awaitable[Ctx]]:
    """A dependency: the signed-in user, who must have ``permission`` (and a CSRF token for a change)."""

    async def dependency(request: Request) -> Ctx:
        ctx = await run_in_threadpool(identify, request)
        if ctx is None:
            raise NotSignedIn()
        if ctx.via == "session" and request.method not in SAFE:
            await _check_csrf(request)
        ctx.user.require(permission)
        return ctx

    return dependency


reader = needs(Permission.READ)
