"""Benchmark: plan the day's collection run over the 1M-invoice ledger, on SQLite and PostgreSQL.

    .venv/bin/python bench/plan_bench.py --db both

Starts from the SQLite ledger that ``ledger_bench.py`` imported
(bench/data/ledger-1000000-seed1/bench.db: 998,938 invoices, 94,060
customers, 139,108 open). For each database, a fresh copy: SQLite by copying
the file; PostgreSQL by a new database with the schema from the migrations
and every table streamed in with COPY, then VACUUM ANALYZE. Then, timed:

1. ``plan_run(dry_run=True)`` on the generator's day (2026-06-30): the first
   run on a ledger nobody chased yet, so every open case is looked at;
2. ``plan_run`` on that day for real: the same plus writing the outbox, the
   steps taken and skipped per invoice, and the tasks, in one transaction;
3. ``plan_run`` on the next day (steady state: only the cases with a step
   newly due are read), then the same day again (nothing new).

Each step runs once (a real plan changes the database); the figures are
written to ``bench/results/plan-1000000.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "data" / "ledger-1000000-seed1" / "bench.db"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
AS_OF = dt.date(2026, 6, 30)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def sqlite_copy() -> str:
    target = SOURCE.with_name("plan.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(SOURCE, target)
    return f"sqlite:///{target}"


def postgresql_copy(name: str, source_file: Path | None = None) -> str:
    """A new PostgreSQL database ``name`` holding the SQLite ledger ``source_file`` (default SOURCE)."""
    from sqlalchemy import Boolean, create_engine, text
    from sqlalchemy.engine import make_url

    from recoup.adapters.db.copy import reset_sequence
    from recoup.adapters.db.engine import make_engine, migrate
    from recoup.adapters.db.tables import metadata

    base = make_url(os.environ.get("RECOUP_BENCH_PG", DEFAULT_PG))
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate(engine)
    source = sqlite3.connect(source_file or SOURCE)
    raw = engine.raw_connection()
    cur = raw.cursor()
    present = {name for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table in metadata.sorted_tables:
        if table.name not in present:
            continue  # a table of a later migration: empty in the ledger
        columns = [c.name for c in table.columns]
        quoted = ", ".join(f'"{c}"' for c in columns)
        rows = source.execute(f'SELECT {quoted} FROM "{table.name}"')
        # SQLite keeps booleans as 0/1; everything else (JSON as text included) PostgreSQL parses as is.
        flags = [isinstance(c.type, Boolean) for c in table.columns]
        with cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(
                    [bool(v) if f and v is not None else v for v, f in zip(row, flags, strict=True)]
                )
        reset_sequence(cur, table)
    raw.commit()
    raw.close()
    source.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return url


def measure(url: str) -> dict[str, Any]:
    from recoup.bootstrap import build
    from recoup.domain.calendar import BusinessCalendar
    from recoup.services.policies import PolicyBook, default_policy
    from recoup.services.run import plan_run

    app = build(url)
    if app.engine.dialect.name == "sqlite":
        with app.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    book, calendar = PolicyBook(default_policy()), BusinessCalendar()
    at = dt.datetime(2026, 6, 30, 6, tzinfo=dt.UTC)
    figures: dict[str, Any] = {}
    steps = [
        ("first run, dry", AS_OF, True),
        ("first run", AS_OF, False),
        ("next day", AS_OF + dt.timedelta(days=1), False),
        ("next day again", AS_OF + dt.timedelta(days=1), False),
    ]
    for label, day, dry in steps:
        start = time.perf_counter()
        result = plan_run(app.uow, book=book, calendar=calendar, as_of=day, at=at, dry_run=dry)
        seconds = time.perf_counter() - start
        figures[label] = {
            "as_of": day.isoformat(),
            "seconds": round(seconds, 3),
            "cases": result.cases,
            "actions": len(result.actions),
            "skipped": len(result.skipped),
            "tasks": len(result.tasks),
        }
        log(
            f"{app.engine.dialect.name}: {label} ({day}): {seconds:.2f} s, {result.cases} cases, "
            f"{len(result.actions)} actions, {len(result.skipped)} skipped, {len(result.tasks)} tasks"
        )
    app.engine.dispose()
    figures["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "plan-1000000.json")
    args = parser.parse_args()
    if not SOURCE.exists():
        print(
            f"{SOURCE} is missing: run bench/ledger_bench.py --invoices 1000000 --db sqlite first",
            file=sys.stderr,
        )
        return 2
    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "ledger": str(SOURCE.relative_to(HERE.parent)),
    }
    if args.db in ("sqlite", "both"):
        log("sqlite: copying the ledger")
        results["sqlite"] = measure(sqlite_copy())
    if args.db in ("postgresql", "both"):
        log("postgresql: loading the ledger with COPY")
        started = time.perf_counter()
        url = postgresql_copy("recoup_plan_bench")
        log(f"postgresql: loaded in {time.perf_counter() - started:.0f} s")
        results["postgresql"] = measure(url)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
