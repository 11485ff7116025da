"""The schema the migrations build is the one ``tables.py`` declares, on SQLite and PostgreSQL.

Every database is made by the migrations; the code (and the comments on the indexes in
``tables.py``) reason about the declared one. Alembic's comparison finds tables, columns and
index names and columns that differ; the partial indexes and included columns it does not
compare are checked in the database's own words.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

from recoup.adapters.db.tables import metadata


def index_sql(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        else:
            query = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        return {name: sql for name, sql in conn.execute(text(query))}


def test_the_migrations_build_the_declared_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_the_aging_and_match_key_indexes_are_as_declared(engine: Engine) -> None:
    found = index_sql(engine)
    aging = found["ix_invoices_closed_on"]
    assert "first_applied_on" in aging
    for key in ("ix_invoices_number_key", "ix_invoices_digits_key"):
        # whole on SQLite (its lookups read with '+closed_on'), the open invoices only on PostgreSQL
        assert ("WHERE" in found[key].upper()) == (engine.dialect.name == "postgresql"), found[key]
    assert not any(name.startswith("ix_invoices_open_") and "key" in name for name in found)
    if engine.dialect.name == "postgresql":
        assert "INCLUDE (id)" in aging
