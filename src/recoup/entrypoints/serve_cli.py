"""``recoup serve`` (the API, the desk and the customer page under uvicorn) and ``recoup user``."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.table import Table

from recoup import bootstrap
from recoup.domain.errors import DomainError
from recoup.entrypoints.options import DbOption, JsonOption, emit_json, err, fail, out
from recoup.services import users as service

user_app = typer.Typer(no_args_is_help=True, help="People who use the desk and the API, and their tokens.")
PASSWORD_ENV = "RECOUP_USER_PASSWORD"


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the REST API (/api, described at /openapi.json), the desk (/) and the customer page."""
    import uvicorn

    from recoup.entrypoints.web.app import create_app

    try:
        built = bootstrap.build(db)
        with built.uow() as uow:
            users = uow.users.count()
    except (DomainError, ValueError) as exc:
        fail(str(exc))
    if users == 0:
        out.print("[yellow]no users yet:[/] add one with `recoup user add EMAIL --role admin`")
    out.print(
        f"recoup on http://{host}:{port}/ (API at /api, OpenAPI at /openapi.json), database {built.url}"
    )
    uvicorn.run(create_app(built), host=host, port=port, log_level="info")


def _password(password_stdin: bool, needed: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not needed:
        return ""
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@user_app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="The user's email: the login and the name in the log.")],
    role: Annotated[str, typer.Option("--role", help="admin, collector, sales or viewer.")],
    name: Annotated[str, typer.Option("--name", help="The name shown on the desk.")] = "",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help=f"Read the password from stdin (else ${PASSWORD_ENV}, else ask)."
        ),
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="A user who signs in with API tokens only.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Add a user with a role; the password is asked for (or read from stdin or $RECOUP_USER_PASSWORD)."""
    try:
        built = bootstrap.build(db)
        password = "" if no_password else _password(password_stdin, needed=True)
        if not no_password and not password:
            fail("--password-stdin: no password given (or use --no-password for a token-only user)")
        with built.uow() as uow:
            user = service.add_user(uow, email, role, password=password, name=name, at=built.now())
            uow.commit()
    except DomainError as exc:
        fail(str(exc))
    out.print(f"added {user.email} ({user.role})")


@user_app.command("list")
def list_users(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every user with its role and state."""
    built = bootstrap.build(db)
    with built.uow() as uow:
        users = uow.users.list()
    if as_json:
        emit_json(
            [{"email": u.email, "name": u.name, "role": str(u.role), "active": u.active} for u in users]
        )
        return
    table = Table("email", "name", "role", "active")
    for u in users:
        table.add_row(u.email, u.name, str(u.role), "yes" if u.active else "no")
    out.print(table)


@user_app.command("set")
def set_user(
    email: Annotated[str, typer.Argument(help="The user's email.")],
    role: Annotated[str | None, typer.Option("--role", help="A new role.")] = None,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="Let the user in or not.")
    ] = None,
    password: Annotated[bool, typer.Option("--password", help="Set a new password (asked for).")] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the new password from stdin.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Change a user's role, let it in or out, or set its password."""
    try:
        built = bootstrap.build(db)
        with built.uow() as uow:
            if password or password_stdin:
                service.set_password(uow, email, _password(password_stdin, needed=True))
            user = service.change_user(uow, email, role=role, active=active)
            uow.commit()
    except DomainError as exc:
        fail(str(exc))
    out.print(f"{user.email}: {user.role}, {'active' if user.active else 'inactive'}")


@user_app.command("token")
def token(
    email: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="What uses the token, e.g. 'ERP sync'.")],
    db: DbOption = None,
) -> None:
    """Make an API token (printed once: keep it; scripts send it as 'Authorization: Bearer TOKEN')."""
    try:
        built = bootstrap.build(db)
        with built.uow() as uow:
            record, secret = service.issue_token(uow, email, name, at=built.now())
            uow.commit()
    except DomainError as exc:
        fail(str(exc))
    sys.stdout.write(secret + "\n")
    err.print(
        f"token {record.id} for {record.user_email} ({record.name}); it is not shown again", style="dim"
    )
