"""Users: adding them, signing in with a password (argon2) or an API token, and the app's secrets.

Passwords are hashed with argon2id (argon2-cffi, the reference implementation's
binding); API tokens are random, shown once, and only their SHA-256 is stored,
so a copy of the database gives neither. The signing secret of sessions and
customer links is generated once and kept in the database, so the server and
the CLI that writes the links share it; ``RECOUP_SECRET_KEY`` overrides it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets as random

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from recoup.domain.errors import InvalidInputError, NotFoundError
from recoup.domain.users import Role, User, check_password, normal_email, role_of
from recoup.services.ports import ApiToken, UnitOfWork

_hasher = PasswordHasher()
TOKEN_PREFIX = "rcp_"
# A hash to verify against when the user does not exist, so that both answers take as long.
_DUMMY = _hasher.hash("not a password of anyone")


def add_user(
    uow: UnitOfWork,
    email: str,
    role: Role | str,
    *,
    password: str = "",
    name: str = "",
    at: dt.datetime,
) -> User:
    """A new user; with no password the user can only use API tokens."""
    if password:
        check_password(password)
    user = User(
        email=normal_email(email),
        role=role if isinstance(role, Role) else role_of(role),
        name=name.strip(),
        password_hash=_hasher.hash(password) if password else "",
        created_at=at,
    )
    uow.users.add(user)
    return user


def _get(uow: UnitOfWork, email: str) -> User:
    user = uow.users.get(normal_email(email))
    if user is None:
        raise NotFoundError(f"no user {email}")
    return user


def set_password(uow: UnitOfWork, email: str, password: str) -> User:
    check_password(password)
    user = _get(uow, email)
    changed = User(user.email, user.role, user.name, _hasher.hash(password), user.active, user.created_at)
    uow.users.update(changed)
    return changed


def change_user(uow: UnitOfWork, email: str, *, role: str | None = None, active: bool | None = None) -> User:
    user = _get(uow, email)
    changed = User(
        user.email,
        role_of(role) if role is not None else user.role,
        user.name,
        user.password_hash,
        user.active if active is None else active,
        user.created_at,
    )
    uow.users.update(changed)
    return changed


def authenticate(uow: UnitOfWork, email: str, password: str) -> User | None:
    """The active user with this email and password, else None (the same for every reason)."""
    try:
        address = normal_email(email)
    except InvalidInputError:
        return None
    user = uow.users.get(address)
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        uow.users.update(
            User(user.email, user.role, user.name, _hasher.hash(password), user.active, user.created_at)
        )
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(uow: UnitOfWork, email: str, name: str, *, at: dt.datetime) -> tuple[ApiToken, str]:
    """A new API token for the user: the record and the token itself (shown once, never stored)."""
    user = _get(uow, email)
    if not name.strip():
        raise InvalidInputError("a token needs a name saying what uses it", field="name")
    token = TOKEN_PREFIX + random.token_urlsafe(32)
    token_id = uow.users.add_token(user.email, name.strip(), _digest(token), at)
    return ApiToken(token_id, user.email, name.strip(), at), token


def user_for_token(uow: UnitOfWork, token: str) -> User | None:
    """The active user a live token belongs to, else None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    found = uow.users.by_token(_digest(token))
    if found is None:
        return None
    user, record = found
    return user if user.active and record.revoked_at is None else None


def revoke_token(uow: UnitOfWork, token_id: int, *, at: dt.datetime) -> None:
    if not uow.users.revoke_token(token_id, at):
        raise NotFoundError(f"no live token {token_id}")


def app_secret(uow: UnitOfWork, name: str = "signing") -> str:
    """The application's secret ``name``, made on first use and kept in the database."""
    return uow.users.secret(name) or uow.users.keep_secret(name, random.token_urlsafe(48))
