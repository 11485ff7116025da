"""A throw-away copy of a database, for simulations that must not touch the real one.

SQLite: the online backup API into a temporary file. PostgreSQL: a new
database with the schema from the migrations, each table streamed into it
with ``COPY`` from one snapshot of the source (so the source stays in use by
others meanwhile, unlike ``CREATE DATABASE ... TEMPLATE``); dropped afterwards.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, text
from sqlalchemy.engine import make_url

from recoup.adapters.db.engine import make_engine, migrate
from recoup.adapters.db.tables import metadata


@contextmanager
def database_copy(url: str) -> Iterator[str]:
    """Yield the URL of a fresh copy of the database at ``url``; the copy is removed afterwards."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        source = parsed.database or ""
        if not source or source == ":memory:" or not Path(source).exists():
            raise FileNotFoundError(f"no SQLite database at {source!r} to copy")
        with tempfile.TemporaryDirectory(prefix="recoup-sim-") as folder:
            target = Path(folder) / "copy.db"
            src, dst = sqlite3.connect(source), sqlite3.connect(target)
            try:
                src.backup(dst)
            finally:
                src.close()
                dst.close()
            yield f"sqlite:///{target}"
        return
    name = f"{parsed.database}_sim_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            target = parsed.set(database=name).render_as_string(hide_password=False)
            _copy_postgresql(parsed.render_as_string(hide_password=False), target)
            yield target
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _copy_postgresql(source_url: str, target_url: str) -> None:
    """Schema by the migrations, then every table's rows with COPY, then the id sequences."""
    source, target = make_engine(source_url), make_engine(target_url)
    try:
        migrate(target)
        src, dst = source.raw_connection(), target.raw_connection()
        try:
            src_cur, dst_cur = src.cursor(), dst.cursor()
            src_cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for table in metadata.sorted_tables:
                with (
                    src_cur.copy(f'COPY "{table.name}" TO STDOUT (FORMAT BINARY)') as out,  # type: ignore[attr-defined]
                    dst_cur.copy(f'COPY "{table.name}" FROM STDIN (FORMAT BINARY)') as into,  # type: ignore[attr-defined]
                ):
                    for block in out:
                        into.write(block)
                reset_sequence(dst_cur, table)
            src.rollback()
            dst.commit()
        finally:
            src.close()
            dst.close()
    finally:
        source.dispose()
        target.dispose()


def reset_sequence(cursor: Any, table: Table) -> None:
    """After rows were copied in with their ids: the table's id sequence continues after the last one."""
    if "id" in table.c and table.c.id.autoincrement is True:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f'COALESCE((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'
        )
