"""What every page of the desk shares: the templates, money and dates as the desk writes them, the
page frame (who is signed in, the CSRF token, a flash message), and the HTML error page.

The desk is server-rendered: Jinja2 templates in ``templates/desk``, one CSS file and HTMX in
``static``, nothing fetched from elsewhere. A form posted by HTMX gets back the part of the page it
changes; the same form posted without JavaScript gets the whole page (or a redirect after a change).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from recoup.domain.money import Money, minor_digits
from recoup.domain.users import Permission, Role, User
from recoup.entrypoints.web.security import Ctx, csrf_token

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"

NAV = (
    ("worklist", "/", "Worklist"),
    ("customers", "/desk/customers", "Customers"),
    ("run", "/desk/run", "Run"),
    ("dashboard", "/desk/dashboard", "Dashboard"),
    ("aging", "/desk/aging", "Aging"),
    ("policy", "/desk/policy", "Policy"),
)


def amount(value: Money | Decimal | str, currency: str | None = None) -> str:
    """``1,234.50``: grouped, with the currency's minor digits (JPY none, KWD three)."""
    if isinstance(value, Money):
        currency, number = value.currency, value.amount
    else:
        number = Decimal(str(value))
    digits = minor_digits(currency or "EUR")
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(number, format=pattern, locale="en"))


def when(value: dt.datetime | dt.date | str | None, width: str = "day") -> str:
    """A date as ``23 Nov 2026``; a timestamp as ``23 Nov 2026 09:00`` (UTC)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        return value.strftime("%d %b %Y %H:%M") if width != "day" else value.strftime("%d %b %Y")
    return value.strftime("%d %b %Y")


def words(value: str) -> str:
    """``left_message`` as ``left message``."""
    return str(value).replace("_", " ")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(amount=amount, when=when, words=words, urlpart=lambda s: quote(str(s), safe=""))
    return env


templates = Jinja2Templates(env=_environment())


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def can(user: User) -> dict[str, bool]:
    """What the user's role lets the page offer: the forms a viewer never sees."""
    return {
        "work": user.can(Permission.WORK_CASES),
        "note": user.can(Permission.NOTE),
        "disputes": user.can(Permission.ANSWER_DISPUTES),
        "run": user.can(Permission.RUN),
        "admin": user.can(Permission.ADMIN),
        "dashboard": user.role is not Role.SALES,  # the whole ledger: sales sees its own accounts only
    }


def flash(request: Request, message: str) -> None:
    """A one-line notice shown on the next page (after a redirect)."""
    request.session["flash"] = message


def page(
    request: Request, ctx: Ctx | None, name: str, *, status: int = 200, active: str = "", **context: Any
) -> HTMLResponse:
    """Render ``templates/desk/<name>`` in the page frame."""
    frame = {
        "user": ctx.user if ctx else None,
        "can": can(ctx.user) if ctx else {},
        "csrf": csrf_token(request) if ctx and ctx.via == "session" else "",
        "nav": NAV if ctx else (),
        "active": active,
        "flash": request.session.pop("flash", "") if "session" in request.scope else "",
        "today": ctx.app.today() if ctx else None,
    }
    return templates.TemplateResponse(request, f"desk/{name}", {**frame, **context}, status_code=status)


def fragment(request: Request, name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a part of a page (for HTMX), without the frame."""
    return templates.TemplateResponse(request, f"desk/{name}", context, status_code=status)


TITLES = {
    400: "That did not work",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Changed in the meantime",
    422: "Please check the input",
}


def _desk_path(path: str) -> bool:
    return path == "/" or path.startswith(("/desk", "/logout"))


def page_error(request: Request, status: int, error: dict[str, Any]) -> Response:
    """The HTML answer to an error on a page (the API answers JSON): a sign-in redirect for 401 on the
    desk, a short notice for HTMX, else a page saying what went wrong."""
    if status == 401 and _desk_path(request.url.path):
        target = "/login?next=" + quote(request.url.path, safe="/")
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    message = str(error.get("message") or "")
    if is_htmx(request):  # the notice goes to the page's flash area, whatever the form targeted
        answer = fragment(request, "_alert.html", status=status, message=message, kind="error")
        answer.headers.update({"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"})
        return answer
    return templates.TemplateResponse(
        request,
        "desk/error.html",
        {
            "user": None,
            "can": {},
            "csrf": "",
            "nav": (),
            "active": "",
            "flash": "",
            "today": None,
            "status": status,
            "title": TITLES.get(status, "Something went wrong"),
            "message": message,
            "field": error.get("field"),
        },
        status_code=status,
    )
