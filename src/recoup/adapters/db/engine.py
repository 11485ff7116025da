"""Database URLs, engines and schema migrations.

``RECOUP_DB`` is a file path (SQLite) or a SQLAlchemy URL; the default is
``recoup.db`` in the working directory. PostgreSQL URLs use psycopg 3.
The schema is kept by Alembic; ``migrate`` brings any database to the head.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_DB = "recoup.db"
MIGRATIONS = Path(__file__).with_name("migrations")


def database_url(value: str | None = None) -> str:
    """A SQLAlchemy URL from a path or URL (``RECOUP_DB`` when None)."""
    raw = value if value is not None else os.environ.get("RECOUP_DB", DEFAULT_DB)
    raw = raw.strip() or DEFAULT_DB
    if "://" not in raw:
        return f"sqlite:///{Path(raw).expanduser().resolve()}"
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    full = database_url(url)
    if full.startswith("sqlite"):
        engine = create_engine(full)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(full, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to ``revision``."""
    command.upgrade(alembic_config(engine), revision)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
