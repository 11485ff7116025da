"""``uow_factory``: the same service tests on the fake, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes import FakeUnitOfWorkFactory
from recoup.adapters.db.engine import make_engine, migrate
from recoup.adapters.db.uow import SqlUnitOfWorkFactory
from recoup.services.ports import UnitOfWorkFactory

STORES = ["fake", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def uow_factory(store: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    """A fresh, empty store: in memory, a SQLite file, or a new PostgreSQL database.

    The SQL stores are built like conftest's ``engine``/``sql_uow`` (a migrated
    schema per test); the PostgreSQL database comes from conftest's ``pg_url``,
    so it is skipped (or failed under CI) the same way when no server runs.
    """
    if store == "fake":
        yield FakeUnitOfWorkFactory()
        return
    url = f"sqlite:///{tmp_path / 'recoup.db'}" if store == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    migrate(engine)
    try:
        yield SqlUnitOfWorkFactory(engine)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sql_uow_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    """A fresh SQLite file or PostgreSQL database, for stores the fake does not have (bank lines)."""
    url = (
        f"sqlite:///{tmp_path / 'recoup.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    engine = make_engine(url)
    migrate(engine)
    try:
        yield SqlUnitOfWorkFactory(engine)
    finally:
        engine.dispose()
