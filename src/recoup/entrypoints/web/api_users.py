"""Signing in and out, users (admin) and API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from recoup.domain.errors import AccessDeniedError
from recoup.domain.users import Permission, User
from recoup.entrypoints.web.errors import NotSignedIn
from recoup.entrypoints.web.schemas import SessionOut, SignIn, TokenIn, TokenOut, UserChange, UserIn, UserOut
from recoup.entrypoints.web.security import Ctx, app_of, csrf_token, needs, reader, sign_in, sign_out
from recoup.services import users as service
from recoup.services.ports import ApiToken

router = APIRouter(prefix="/api", tags=["users"])
Reader = Annotated[Ctx, Depends(reader)]
Admin = Annotated[Ctx, Depends(needs(Permission.ADMIN))]


def user_out(user: User) -> UserOut:
    return UserOut(email=user.email, name=user.name, role=str(user.role), active=user.active)


def token_out(token: ApiToken, secret: str | None = None) -> TokenOut:
    return TokenOut(
        id=token.id, name=token.name, created_at=token.created_at, revoked_at=token.revoked_at, token=secret
    )


@router.post("/session", response_model=SessionOut, summary="Sign in (desk session cookie)")
async def create_session(body: SignIn, request: Request) -> SessionOut:
    built = app_of(request)

    def check() -> User | None:
        with built.uow() as uow:
            user = service.authenticate(uow, body.email, body.password)
            uow.commit()  # a rehashed password is kept
            return user

    user = await run_in_threadpool(check)
    if user is None:
        raise NotSignedIn("wrong email or password, or the user is deactivated")
    return SessionOut(user=user_out(user), csrf_token=sign_in(request, user))


@router.get("/session", response_model=SessionOut, summary="Who is signed in")
def read_session(ctx: Reader, request: Request) -> SessionOut:
    return SessionOut(user=user_out(ctx.user), csrf_token=csrf_token(request) if ctx.via == "session" else "")


@router.delete("/session", status_code=204, summary="Sign out")
def delete_session(ctx: Reader, request: Request) -> Response:
    sign_out(request)
    return Response(status_code=204)


@router.get("/users", response_model=list[UserOut], summary="Every user (admin)")
def list_users(ctx: Admin) -> list[UserOut]:
    with ctx.uow() as uow:
        return [user_out(u) for u in uow.users.list()]


@router.post("/users", response_model=UserOut, status_code=201, summary="Add a user (admin)")
def add_user(body: UserIn, ctx: Admin) -> UserOut:
    with ctx.uow() as uow:
        user = service.add_user(
            uow, body.email, body.role, password=body.password, name=body.name, at=ctx.app.now()
        )
    return user_out(user)


@router.patch("/users/{email}", response_model=UserOut, summary="Change a user's role, state or password")
def change_user(email: str, body: UserChange, ctx: Admin) -> UserOut:
    with ctx.uow() as uow:
        if body.password is not None:
            service.set_password(uow, email, body.password)
        user = service.change_user(uow, email, role=body.role, active=body.active)
    return user_out(user)


@router.get("/tokens", response_model=list[TokenOut], summary="Your API tokens")
def list_tokens(ctx: Reader) -> list[TokenOut]:
    with ctx.uow() as uow:
        return [token_out(t) for t in uow.users.tokens(ctx.user.email)]


@router.post("/tokens", response_model=TokenOut, status_code=201, summary="Make an API token for yourself")
def make_token(body: TokenIn, ctx: Reader) -> TokenOut:
    if ctx.via != "session":
        raise AccessDeniedError("a token cannot make tokens: sign in with your password")
    with ctx.uow() as uow:
        token, secret = service.issue_token(uow, ctx.user.email, body.name, at=ctx.app.now())
    return token_out(token, secret)


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke one of your API tokens")
def revoke_token(token_id: int, ctx: Reader) -> Response:
    with ctx.uow() as uow:
        if not any(t.id == token_id for t in uow.users.tokens(ctx.user.email)):
            raise AccessDeniedError(f"token {token_id} is not one of yours")
        service.revoke_token(uow, token_id, at=ctx.app.now())
    return Response(status_code=204)
