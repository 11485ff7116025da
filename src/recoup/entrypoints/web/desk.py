"""The collectors' desk: server-rendered pages for the team (worklist, customers, run, aging, policy).

``router`` gathers the desk's pages (``desk_*.py``); ``install(app)`` serves the static files
(CSS, HTMX) at ``/static`` and makes errors on pages answer in HTML (``desk_pages.page_error``).
Signing in happens here: ``/login`` with a CSRF-checked form, ``/logout``.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from recoup.domain.users import User
from recoup.entrypoints.web import desk_actions, desk_case_pages, desk_reports, desk_run, desk_worklist
from recoup.entrypoints.web.desk_pages import STATIC, page, page_error, templates
from recoup.entrypoints.web.security import Ctx, app_of, csrf_token, identify, reader, sign_in, sign_out
from recoup.services import users as user_service

router = APIRouter(include_in_schema=False)
Reader = Annotated[Ctx, Depends(reader)]


def install(app: FastAPI) -> None:
    """Serve ``/static`` and answer errors on pages with HTML."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.state.page_error = page_error


def _safe_next(target: str) -> str:
    """Only a path of this site (never ``//host`` or a scheme) is a place to go after signing in."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_page(request: Request, *, email: str = "", error: str = "", status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "desk/login.html",
        {
            "csrf": csrf_token(request),
            "email": email,
            "error": error,
            "next": _safe_next(request.query_params.get("next", "/")),
            "user": None,
            "nav": (),
            "active": "",
            "flash": "",
            "can": {},
            "today": None,
        },
        status_code=status,
    )


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request) -> Response:
    if await run_in_threadpool(identify, request) is not None:
        return RedirectResponse(_safe_next(request.query_params.get("next", "/")), status_code=303)
    return _login_page(request)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await request.form()
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    sent = str(form.get("csrf_token") or "")
    expected = str(request.session.get("csrf") or "")
    if not expected or not secrets.compare_digest(sent, expected):
        return _login_page(request, email=email, status=403, error="The form expired: please sign in again.")
    if not email or not password:
        field = "email" if not email else "password"
        return _login_page(request, email=email, status=422, error=f"Enter your {field}.")
    built = app_of(request)

    def check() -> User | None:
        with built.uow() as uow:
            user = user_service.authenticate(uow, email, password)
            uow.commit()  # a rehashed password is kept
            return user

    user = await run_in_threadpool(check)
    if user is None:
        return _login_page(
            request, email=email, status=401, error="Wrong email or password (or the account is deactivated)."
        )
    sign_in(request, user)
    target = _safe_next(str(form.get("next") or "/"))
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    sent = str(form.get("csrf_token") or request.headers.get("x-csrf-token") or "")
    expected = str(request.session.get("csrf") or "")
    if expected and secrets.compare_digest(sent, expected):
        sign_out(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/logout", response_class=HTMLResponse)
def logout_page(ctx: Reader, request: Request) -> HTMLResponse:
    """Signing out is a form (a link could be followed by anyone's page); this one asks."""
    return page(request, ctx, "logout.html")


for part in (desk_worklist, desk_case_pages, desk_actions, desk_run, desk_reports):
    router.include_router(part.router)
