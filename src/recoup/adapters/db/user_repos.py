"""Users, their API tokens and the application's generated secrets, in SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Insert, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from recoup.adapters.db.tables import api_tokens, app_secrets, users
from recoup.domain.errors import DuplicateError
from recoup.domain.users import Role, User
from recoup.services.ports import ApiToken


def _user(r: Mapping[str, Any]) -> User:
    return User(
        email=r["email"],
        role=Role(r["role"]),
        name=r["name"],
        password_hash=r["password_hash"],
        active=bool(r["active"]),
        created_at=r["created_at"],
    )


def _token(r: Mapping[str, Any]) -> ApiToken:
    return ApiToken(r["id"], r["user_email"], r["name"], r["created_at"], r["revoked_at"])


def _insert_once(conn: Connection, stmt: Insert) -> bool:
    """Run the insert; False (and the transaction still usable) when the key exists."""
    try:
        if conn.dialect.name == "sqlite":
            conn.execute(stmt)  # SQLite undoes only the failed statement (see SqlRunLock.acquire)
        else:
            with conn.begin_nested():  # PostgreSQL would abort the whole transaction
                conn.execute(stmt)
    except IntegrityError:
        return False
    return True


class SqlUsers:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, email: str) -> User | None:
        row = self.conn.execute(select(users).where(users.c.email == email)).mappings().first()
        return _user(row) if row else None

    def list(self) -> list[User]:
        return [_user(r) for r in self.conn.execute(select(users).order_by(users.c.email)).mappings()]

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(users)).scalar_one())

    def add(self, user: User) -> None:
        values = {
            "email": user.email,
            "name": user.name,
            "role": str(user.role),
            "password_hash": user.password_hash,
            "active": user.active,
            "created_at": user.created_at,
        }
        if not _insert_once(self.conn, insert(users).values(**values)):
            raise DuplicateError(f"a user {user.email} exists already")

    def update(self, user: User) -> None:
        self.conn.execute(
            update(users)
            .where(users.c.email == user.email)
            .values(name=user.name, role=str(user.role), password_hash=user.password_hash, active=user.active)
        )

    def add_token(self, email: str, name: str, token_hash: str, at: dt.datetime) -> int:
        result = self.conn.execute(
            insert(api_tokens).values(user_email=email, name=name, token_hash=token_hash, created_at=at)
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def by_token(self, token_hash: str) -> tuple[User, ApiToken] | None:
        query = (
            select(users, api_tokens.c.id.label("token_id"), api_tokens.c.name.label("token_name"))
            .add_columns(api_tokens.c.created_at.label("token_at"), api_tokens.c.revoked_at)
            .join(api_tokens, api_tokens.c.user_email == users.c.email)
            .where(api_tokens.c.token_hash == token_hash)
        )
        row = self.conn.execute(query).mappings().first()
        if row is None:
            return None
        token = ApiToken(row["token_id"], row["email"], row["token_name"], row["token_at"], row["revoked_at"])
        return _user(row), token

    def tokens(self, email: str) -> list[ApiToken]:
        query = select(api_tokens).where(api_tokens.c.user_email == email).order_by(api_tokens.c.id)
        return [_token(r) for r in self.conn.execute(query).mappings()]

    def revoke_token(self, token_id: int, at: dt.datetime) -> bool:
        result = self.conn.execute(
            update(api_tokens)
            .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(result.rowcount)

    def secret(self, name: str) -> str | None:
        return self.conn.execute(select(app_secrets.c.value).where(app_secrets.c.name == name)).scalar()

    def keep_secret(self, name: str, value: str) -> str:
        """Store ``value`` under ``name`` unless one is there already; return the one kept."""
        _insert_once(self.conn, insert(app_secrets).values(name=name, value=value))
        kept = self.secret(name)
        assert kept is not None
        return kept
