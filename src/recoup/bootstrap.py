"""Composition root: builds the real adapters and hands them to the entrypoints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from recoup.adapters.db.engine import database_url, make_engine, migrate
from recoup.adapters.db.uow import SqlUnitOfWorkFactory
from recoup.settings import Settings, load_settings


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class App:
    settings: Settings
    engine: Engine
    uow: SqlUnitOfWorkFactory
    now: Callable[[], dt.datetime]

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def today(self) -> dt.date:
        return self.now().date()


def build(db: str | None = None, *, migrate_schema: bool = True) -> App:
    """The application on database ``db`` (else RECOUP_DB, else ./recoup.db), schema brought up to date."""
    settings = load_settings(db=db)
    engine = make_engine(database_url(settings.db))
    if migrate_schema:
        migrate(engine)
    fixed = settings.now
    if fixed is not None and fixed.tzinfo is None:
        raise ValueError("RECOUP_NOW needs a time zone offset, e.g. 2026-11-23T10:00:00+00:00")
    clock = (lambda: fixed.astimezone(dt.UTC)) if fixed is not None else utc_now
    return App(settings, engine, SqlUnitOfWorkFactory(engine), clock)
