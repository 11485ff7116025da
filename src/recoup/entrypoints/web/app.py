"""The FastAPI application: middleware, error answers, and every router.

``create_app(built)`` takes a ``bootstrap.App`` (tests give one on a temporary
database); without one it builds the default (``RECOUP_DB``). Nothing heavy
happens at import.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware

from recoup import __version__, bootstrap
from recoup.entrypoints.web import (
    api_casework,
    api_customers,
    api_ledger,
    api_reports,
    api_users,
    api_work,
    desk,
    errors,
    portal,
)
from recoup.services.users import app_secret


def signing_key(built: bootstrap.App) -> str:
    """RECOUP_SECRET_KEY, else the secret kept in the database (made on first use)."""
    if built.settings.secret_key:
        return built.settings.secret_key
    with built.uow() as uow:
        key = app_secret(uow)
        uow.commit()
    return key


def create_app(built: bootstrap.App | None = None) -> FastAPI:
    built = built or bootstrap.build()
    app = FastAPI(
        title="recoup",
        version=__version__,
        description="Collections for companies that sell on credit: the ledger, the daily run, casework, "
        "the worklist, aging and interest. Sign in with a session (POST /api/session) or an API token "
        "('Authorization: Bearer rcp_...', made with `recoup user token EMAIL`).",
        openapi_url="/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.recoup = built
    app.add_middleware(
        SessionMiddleware,
        secret_key=signing_key(built),
        session_cookie="recoup_session",
        max_age=built.settings.session_hours * 3600,
        same_site="lax",
        https_only=built.settings.public_url.startswith("https://"),
    )
    errors.install(app)
    desk.install(app)
    for router in ROUTERS:
        app.include_router(router)
    return app


ROUTERS = [
    api_users.router,
    api_customers.router,
    api_ledger.router,
    api_casework.router,
    api_work.router,
    api_reports.router,
    desk.router,
    portal.router,
]
