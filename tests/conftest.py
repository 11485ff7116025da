"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL, and the fake store.

PostgreSQL comes from ``RECOUP_TEST_PG`` (default: the local server at
127.0.0.1:5432, user postgres). Each test gets its own database, dropped
afterwards. Without a server the PostgreSQL tests are skipped with a note on
how to enable them; when ``CI`` is set, such a skip fails the run instead.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from recoup.adapters.db.engine import make_engine, migrate
from recoup.adapters.db.uow import SqlUnitOfWorkFactory

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
AT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def pg_admin_url() -> str:
    url = make_url(os.environ.get("RECOUP_TEST_PG", PG_DEFAULT))
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _pg_unavailable(reason: str) -> None:
    message = (
        f"PostgreSQL not reachable ({reason}); start a server or set RECOUP_TEST_PG to a URL "
        f"such as {PG_DEFAULT}"
    )
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set, so PostgreSQL tests must run)")
    pytest.skip(message)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a brand-new PostgreSQL database, dropped after the test."""
    admin_url = pg_admin_url()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"recoup_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any failure to reach the server means skip
        admin.dispose()
        _pg_unavailable(str(exc).splitlines()[0])
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'recoup.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sql_uow(engine) -> SqlUnitOfWorkFactory:  # type: ignore[no-untyped-def]
    return SqlUnitOfWorkFactory(engine)


@pytest.fixture(autouse=True)
def _documents_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Copies of messages go to a temporary folder unless a test says otherwise, never into the tree."""
    if "RECOUP_DOCUMENTS" not in os.environ:
        monkeypatch.setenv("RECOUP_DOCUMENTS", str(tmp_path_factory.mktemp("documents")))
