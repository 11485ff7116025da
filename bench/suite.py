"""Benchmark suite (issue 8): recoup against a pandas script and DuckDB, on 100k to 10M invoices.

    PYTHONPATH=src .venv/bin/python bench/suite.py --sizes 100k,1m,10m --db sqlite,postgresql

For each size, the demo generator writes the ledger as CSV (``ledger_bench.write_ledger``,
reused while its parameters match). Then, each in its own child process so its peak RSS is
its own:

- pandas (``suite_pandas``) and DuckDB (``suite_duckdb``, in memory): load the CSV files,
  then the aging on the day and 180 days earlier, and the run selection, each timed
  separately (median of ``--runs`` after a warm-up);
- per database: the import (each CSV through ``read_table`` + ``import_table``, then
  ANALYZE / VACUUM ANALYZE; or, with ``--pg-load copy``, PostgreSQL gets the SQLite
  ledger streamed in with COPY, ``plan_bench.postgresql_copy``); the aging
  (``uow.queries.aging``), checked against the generated ledger; the metrics
  (``services.metrics.compute``, when present); the run selection alone
  (``uow.queries.case_items`` with the default ladder) and the dry plan
  (``plan_run(dry_run=True)``); then, on a copy, the day's run for real and the
  worklist's first page as the desk asks for it (``services.worklist.worklist_page``).

The imported ledger stays (SQLite: ``suite.db`` in the ledger's folder; PostgreSQL: the
database ``recoup_suite_<invoices>``) and is reused by the next run (``--reimport`` to do it
again). Results go to ``bench/results/suite-<size>.json`` after every step, and the tables to
``bench/README.md`` (between the suite's markers) when a size is done.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import ledger_bench as lb  # noqa: E402
import plan_bench  # noqa: E402

SIZES = {"100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
AS_OF = dt.date(2026, 6, 30)
PAST = AS_OF - dt.timedelta(days=180)
SEED = 1
EDGES = lb.EDGES
COLLECTOR = "bench.collector@supplier.example"
log = lb.log


def folder_for(n: int) -> Path:
    return lb.DATA / f"ledger-{n}-seed{SEED}"


def pg_name(n: int) -> str:
    return f"recoup_suite_{n}"


def pg_url(name: str) -> str:
    from sqlalchemy.engine import make_url

    base = make_url(os.environ.get("RECOUP_BENCH_PG", lb.DEFAULT_PG))
    return base.set(database=name).render_as_string(hide_password=False)


def url_for(kind: str, n: int) -> str:
    return f"sqlite:///{folder_for(n) / 'suite.db'}" if kind == "sqlite" else pg_url(pg_name(n))


def timed(fn: Callable[[], Any], runs: int, warm: int = 1) -> tuple[dict[str, Any], Any]:
    """Median, min and max seconds of ``runs`` calls after ``warm`` uncounted ones; the last result."""
    times, result = [], None
    for i in range(warm + runs):
        started = time.perf_counter()
        result = fn()
        if i >= warm:
            times.append(time.perf_counter() - started)
    figures = {
        "median_seconds": round(statistics.median(times), 4),
        "min_seconds": round(min(times), 4),
        "max_seconds": round(max(times), 4),
        "runs": runs,
    }
    return figures, result


def ladder() -> list[tuple[str, int]]:
    from recoup.services.policies import default_policy

    return [(s.id, s.offset) for s in default_policy().steps]


# -- pandas and DuckDB -------------------------------------------------------------------------------


def step_reference(engine: str, n: int, runs: int) -> dict[str, Any]:
    """Load, aging on both days and the run selection with ``engine`` (pandas or duckdb)."""
    import suite_duckdb
    import suite_pandas

    folder = folder_for(n)
    offsets = [o for _, o in ladder()]
    out: dict[str, Any] = {"engine": engine}
    if engine == "pandas":
        import pandas

        out["version"] = pandas.__version__
        started = time.perf_counter()
        data: Any = suite_pandas.load(folder)
        out["load_seconds"] = round(time.perf_counter() - started, 3)

        def age(day: dt.date) -> Any:
            return suite_pandas.aging(data, day, EDGES)

        def totals(table: Any) -> dict[str, tuple[int, ...]]:
            return suite_pandas.totals(table, len(EDGES) + 1)

        def select() -> Any:
            return suite_pandas.selection(data, AS_OF, offsets)

        def counted(cases: Any) -> tuple[int, int]:
            return len(cases), int(cases["invoices"].sum())
    else:
        import duckdb

        out["version"] = duckdb.__version__
        started = time.perf_counter()
        data = suite_duckdb.load(folder)
        out["load_seconds"] = round(time.perf_counter() - started, 3)
        out["threads"] = data.execute("SELECT current_setting('threads')").fetchone()[0]

        def age(day: dt.date) -> Any:
            return suite_duckdb.aging(data, day, EDGES)

        def totals(table: Any) -> dict[str, tuple[int, ...]]:
            return suite_duckdb.totals(table)

        def select() -> Any:
            return suite_duckdb.selection(data, AS_OF, offsets)

        def counted(cases: Any) -> tuple[int, int]:
            return len(cases), sum(int(c[2]) for c in cases)

    log(f"{engine}: loaded in {out['load_seconds']} s")
    out["aging"] = {}
    for label, day in (("as_of", AS_OF), ("past", PAST)):
        figures, table = timed(partial(age, day), runs)
        found = {"as_of": day.isoformat(), "rows": len(table), "totals": totals(table)}
        out["aging"][label] = figures | found
        log(f"{engine}: aging {day}: median {figures['median_seconds']} s, {len(table)} rows")
    figures, cases = timed(select, runs)
    out["selection"] = figures | dict(zip(("cases", "invoices"), counted(cases), strict=True))
    log(f"{engine}: selection: median {figures['median_seconds']} s, {out['selection']['cases']} cases")
    out["peak_rss_mib"] = lb.peak_rss_mib()
    return out


# -- recoup: import --------------------------------------------------------------------------------


def _chunks(path: Path, rows: int) -> list[Path]:
    """``path`` cut into files of at most ``rows`` rows each (header repeated), in a chunks folder."""
    target = path.parent / "chunks"
    target.mkdir(exist_ok=True)
    made: list[Path] = []
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        out = None
        for i, row in enumerate(reader):
            if i % rows == 0:
                if out:
                    out.close()
                made.append(target / f"{path.stem}-{len(made):04d}.csv")
                out = made[-1].open("w", newline="", encoding="utf-8")
                writer = csv.writer(out)
                writer.writerow(header)
            writer.writerow(row)
        if out:
            out.close()
    return made


def step_import(kind: str, n: int, pg_load: str, chunk: int) -> dict[str, Any]:

    from recoup.adapters.formats.tabular import read_table
    from recoup.bootstrap import build
    from recoup.services.importing import import_table

    folder = folder_for(n)
    manifest = json.loads((folder / "manifest.json").read_text())
    out: dict[str, Any] = {"database": kind}
    if kind == "postgresql" and pg_load == "copy":
        started = time.perf_counter()
        url = plan_bench.postgresql_copy(pg_name(n), folder / "suite.db")
        out |= {"load": "COPY from the SQLite ledger (plan_bench.postgresql_copy), then VACUUM ANALYZE"}
        out["import_seconds"] = round(time.perf_counter() - started, 1)
        out["peak_rss_mib"] = lb.peak_rss_mib()
        return out
    if kind == "sqlite":
        path = folder / "suite.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = url_for(kind, n)
    else:
        url = lb.create_pg_database(pg_name(n))
    app = build(url)
    at = dt.datetime.combine(AS_OF, dt.time(18), tzinfo=dt.UTC)
    out["load"] = "read_table + import_table per file" + (f", in files of {chunk} rows" if chunk else "")
    imports, total = [], 0.0
    for name in lb.FILES:
        started = time.perf_counter()
        parts = _chunks(folder / f"{name}.csv", chunk) if chunk else [folder / f"{name}.csv"]
        added = 0
        for part in parts:
            result = import_table(app.uow, name, read_table(part), at=at)
            if result.rejected:
                raise SystemExit(f"{kind}: {part.name}: {result.messages} {result.rejected[:5]}")
            added += result.added
            if chunk:
                part.unlink()
        seconds = time.perf_counter() - started
        if added != manifest["rows"][name]:
            raise SystemExit(f"{kind}: {name}: added {added} of {manifest['rows'][name]}")
        total += seconds
        imports.append(
            {
                "file": f"{name}.csv",
                "rows": added,
                "seconds": round(seconds, 1),
                "rows_per_second": round(added / seconds),
                "peak_rss_mib": lb.peak_rss_mib(),
            }
        )
        log(f"{kind}: imported {added} {name} in {seconds:.1f} s, peak RSS {lb.peak_rss_mib():.0f} MiB")
    started = time.perf_counter()
    _maintain(app, kind)
    app.engine.dispose()
    out |= {"imports": imports, "import_seconds": round(total, 1)}
    out["maintenance_seconds"] = round(time.perf_counter() - started, 1)
    out["peak_rss_mib"] = lb.peak_rss_mib()
    return out


def _maintain(app: Any, kind: str) -> None:
    """What the import ends with: fresh planner statistics (and, on PostgreSQL, the visibility map)."""
    from sqlalchemy import text

    if kind == "sqlite":
        with app.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    else:
        with app.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def step_migrate(kind: str, n: int) -> dict[str, Any]:
    """Bring a reused ledger to the schema of this tree; after a migration, the import's maintenance
    (a migration that fills a column rewrites rows the statistics and visibility map describe)."""
    from sqlalchemy import text

    from recoup.bootstrap import build

    def revision(app: Any) -> str:
        with app.engine.connect() as conn:
            return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())

    before = revision(build(url_for(kind, n), migrate_schema=False))
    started = time.perf_counter()
    app = build(url_for(kind, n))
    seconds = round(time.perf_counter() - started, 1)
    out: dict[str, Any] = {"from": before, "to": revision(app), "seconds": seconds}
    if out["from"] != out["to"]:
        started = time.perf_counter()
        _maintain(app, kind)
        out["maintenance_seconds"] = round(time.perf_counter() - started, 1)
    app.engine.dispose()
    return out


# -- recoup: the read steps ------------------------------------------------------------------------


def _app(kind: str, n: int) -> Any:
    from recoup.bootstrap import build

    return build(url_for(kind, n))


def step_aging(kind: str, n: int, runs: int) -> dict[str, Any]:
    manifest = json.loads((folder_for(n) / "manifest.json").read_text())
    app = _app(kind, n)
    out: dict[str, Any] = {}
    for label, day in (("as_of", AS_OF), ("past", PAST)):

        def age(day: dt.date = day) -> Any:
            with app.uow() as uow:
                return uow.queries.aging(day, EDGES)

        figures, report = timed(age, runs)
        lb.check_report(report, manifest["expected_open_minor"][day.isoformat()])  # stops if it differs
        totals = {c: tuple(m.minor for m in buckets) for c, buckets in sorted(report.totals().items())}
        sql = lb.sql_only(app, day, runs)
        out[label] = figures | {
            "as_of": day.isoformat(),
            "rows": len(report.rows),
            "totals": totals,
            "sql_median_seconds": round(statistics.median(sql), 4),
        }
        log(f"{kind}: aging {day}: median {figures['median_seconds']} s, {len(report.rows)} rows")
    app.engine.dispose()
    return {"aging": out, "peak_rss_mib": lb.peak_rss_mib()}


def step_metrics(kind: str, n: int, runs: int) -> dict[str, Any]:
    try:
        from recoup.services.metrics import compute
    except ImportError:
        return {"skipped": "services.metrics is not in this tree yet"}
    app = _app(kind, n)

    def run() -> Any:
        with app.uow() as uow:
            return compute(uow, AS_OF, edges=EDGES)

    figures, metrics = timed(run, runs)
    out = figures | {"currencies": [c.currency for c in metrics.currencies]}
    out["open_minor"] = {c.currency: [b.minor for b in c.buckets] for c in metrics.currencies}
    log(f"{kind}: metrics: median {figures['median_seconds']} s")
    app.engine.dispose()
    return {"metrics": out, "peak_rss_mib": lb.peak_rss_mib()}


def step_plan(kind: str, n: int, runs: int, plan_runs: int) -> dict[str, Any]:
    from recoup.domain.calendar import BusinessCalendar
    from recoup.services.cases import ladder_thresholds
    from recoup.services.policies import PolicyBook, default_policy
    from recoup.services.run import plan_run

    app = _app(kind, n)
    book, calendar = PolicyBook(default_policy()), BusinessCalendar()
    horizon = AS_OF - dt.timedelta(days=book.default.first_offset)
    steps = ladder_thresholds(book.default, AS_OF)

    def select() -> Any:
        with app.uow() as uow:
            return uow.queries.case_items(due_by=horizon, ladder=steps, always=set())

    figures, items = timed(select, runs)
    out: dict[str, Any] = {
        "selection": figures
        | {"cases": len({(i.customer_id, i.currency) for i in items}), "invoices": len(items)}
    }
    log(f"{kind}: selection: median {figures['median_seconds']} s, {out['selection']['cases']} cases")
    at = dt.datetime.combine(AS_OF, dt.time(6), tzinfo=dt.UTC)

    def plan() -> Any:
        return plan_run(app.uow, book=book, calendar=calendar, as_of=AS_OF, at=at, dry_run=True)

    figures, result = timed(plan, plan_runs)
    out["plan"] = figures | {
        "cases": result.cases,
        "actions": len(result.actions),
        "skipped": len(result.skipped),
        "tasks": len(result.tasks),
    }
    log(f"{kind}: dry plan: median {figures['median_seconds']} s, {result.cases} cases")
    app.engine.dispose()
    return out | {"peak_rss_mib": lb.peak_rss_mib()}


def _work_copy(kind: str, n: int) -> str:
    """A copy of the imported ledger the day's run may write to."""
    if kind == "sqlite":
        source = folder_for(n) / "suite.db"
        target = source.with_name("suite-run.db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, target)
        return f"sqlite:///{target}"
    from sqlalchemy import create_engine, text

    name = f"{pg_name(n)}_run"
    admin = create_engine(pg_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_name(n)}"'))
    admin.dispose()
    return pg_url(name)


def step_run(kind: str, n: int, runs: int) -> dict[str, Any]:
    from recoup.bootstrap import build
    from recoup.domain.calendar import BusinessCalendar
    from recoup.services.policies import PolicyBook, default_policy
    from recoup.services.run import plan_run
    from recoup.services.worklist import worklist_page

    started = time.perf_counter()
    url = _work_copy(kind, n)
    out: dict[str, Any] = {"copy_seconds": round(time.perf_counter() - started, 1)}
    app = build(url)
    book, calendar = PolicyBook(default_policy()), BusinessCalendar()
    at = dt.datetime.combine(AS_OF, dt.time(6), tzinfo=dt.UTC)
    started = time.perf_counter()
    result = plan_run(app.uow, book=book, calendar=calendar, as_of=AS_OF, at=at)
    out["run"] = {
        "seconds": round(time.perf_counter() - started, 2),
        "cases": result.cases,
        "actions": len(result.actions),
        "tasks": len(result.tasks),
    }
    log(f"{kind}: the day's run: {out['run']['seconds']} s, {len(result.tasks)} tasks")

    def page() -> Any:
        with app.uow() as uow:
            return worklist_page(uow, AS_OF, collector=COLLECTOR, limit=50)

    figures, (items, total) = timed(page, max(runs, 20), warm=3)
    out["worklist"] = figures | {"items": len(items), "open_tasks": total}
    log(f"{kind}: worklist: median {figures['median_seconds']} s of {total} tasks")
    app.engine.dispose()
    out["peak_rss_mib"] = lb.peak_rss_mib()
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{folder_for(n) / 'suite-run.db'}{suffix}").unlink(missing_ok=True)
    else:
        lb.drop_pg_database(f"{pg_name(n)}_run")
    return out


# -- driver ----------------------------------------------------------------------------------------


def _pg_exists(name: str) -> bool:
    from sqlalchemy import create_engine, text

    admin = create_engine(pg_url("postgres"))
    try:
        with admin.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
    finally:
        admin.dispose()
    return found is not None


def child(args: argparse.Namespace, step: str, target: str, n: int) -> dict[str, Any]:
    """Run one step in a child process; its figures, or what went wrong."""
    out = folder_for(n) / f"suite-{step}-{target}.json"
    out.unlink(missing_ok=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", step, "--target", target]
    command += ["--n", str(n), "--runs", str(args.runs), "--plan-runs", str(args.plan_runs)]
    command += ["--pg-load", args.pg_load, "--import-chunk", str(args.import_chunk), "--worker-out", str(out)]
    started = time.perf_counter()
    done = subprocess.run(command, check=False)
    if done.returncode or not out.exists():
        seconds = time.perf_counter() - started
        return {"error": f"the {step} step exited with {done.returncode} after {seconds:.0f} s"}
    return dict(json.loads(out.read_text()))


def _dig_metrics(db: dict[str, Any]) -> dict[str, list[int]] | None:
    found = (db.get("metrics") or {}).get("metrics", {}).get("open_minor")
    return None if found is None else dict(found)


def _source_state() -> dict[str, Any]:
    """The commit, and the files under src/ changed but not committed (others work in this tree)."""

    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=HERE.parent, capture_output=True, text=True).stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted": git("diff", "--name-only", "src").split(),
    }


def agreement(result: dict[str, Any]) -> dict[str, Any]:
    """Do recoup, pandas and DuckDB give the same aging totals and select the same cases?"""
    found: dict[str, Any] = {}
    sources = {"pandas": result.get("pandas"), "duckdb": result.get("duckdb")}
    sources |= {kind: db.get("aging") for kind, db in result["databases"].items()}
    for label in ("as_of", "past"):
        totals = {
            name: {c: list(v) for c, v in figures["aging"][label]["totals"].items()}
            for name, figures in sources.items()
            if figures and label in figures.get("aging", {})
        }
        first = next(iter(totals.values()), None)
        found[f"aging_{label}_equal"] = bool(totals) and all(t == first for t in totals.values())
        found[f"aging_{label}_compared"] = sorted(totals)
    selected = {}
    for name in ("pandas", "duckdb"):
        if "selection" in (result.get(name) or {}):
            s = result[name]["selection"]
            selected[name] = [s["cases"], s["invoices"]]
    for kind, db in result["databases"].items():
        if "selection" in db.get("plan", {}):
            s = db["plan"]["selection"]
            selected[kind] = [s["cases"], s["invoices"]]
            selected[f"{kind} plan_run cases"] = db["plan"]["plan"]["cases"]
        metrics = _dig_metrics(db)
        if metrics is not None and "sqlite" in sources:
            aging = (db.get("aging") or {}).get("aging", {}).get("as_of", {}).get("totals")
            found[f"{kind} metrics buckets equal aging"] = aging is not None and metrics == {
                c: list(v) for c, v in aging.items()
            }
    found["selected (cases, invoices)"] = selected
    return found


def run_size(label: str, args: argparse.Namespace) -> dict[str, Any]:
    n = SIZES[label]
    folder = folder_for(n)
    manifest = lb.write_ledger(folder, invoices=n, seed=SEED, as_of=AS_OF, past=PAST)
    result: dict[str, Any] = {
        "size": label,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join(["bench/suite.py", *sys.argv[1:]]),
        "machine": lb.machine() | {"postgresql": ""},
        "source": _source_state(),
        "ledger": {k: manifest[k] for k in ("generate", "rows", "as_of", "past", "generate_seconds")},
        "edges": list(EDGES),
        "ladder": ladder(),
        "databases": {},
        "done": False,
    }
    out = args.out_dir / f"suite-{label}.json"

    def save() -> None:
        """Write what this run measured over what the file holds from runs of other steps or databases."""
        merged = json.loads(out.read_text()) if out.exists() else {}
        if merged.get("ledger") != result["ledger"]:
            merged = {}
        commands = [c for c in merged.get("commands", []) if c != result["command"]] + [result["command"]]
        databases = merged.get("databases", {})
        for kind, db in result["databases"].items():
            databases[kind] = databases.get(kind, {}) | db
        merged |= {k: v for k, v in result.items() if k not in ("databases", "commands")}
        merged |= {"databases": databases, "commands": commands}
        merged["agreement"] = agreement(merged)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(merged, indent=2) + "\n")

    for engine in ("pandas", "duckdb"):
        if engine in args.engines:
            log(f"{label}: {engine}")
            result[engine] = child(args, "reference", engine, n)
            save()
    for kind in args.db:
        db: dict[str, Any] = {}
        result["databases"][kind] = db
        marker = folder / f"suite-import-{kind}.json"
        present = (folder / "suite.db").exists() if kind == "sqlite" else _pg_exists(pg_name(n))
        if marker.exists() and present and not args.reimport:
            db["import"] = json.loads(marker.read_text()) | {"reused": True}
            log(f"{label} {kind}: reusing the imported ledger of {db['import'].get('when')}")
            db["migrate"] = child(args, "migrate", kind, n)
            if db["migrate"].get("from") != db["migrate"].get("to"):
                log(f"{label} {kind}: migrated {db['migrate']}")
        else:
            log(f"{label} {kind}: import")
            marker.unlink(missing_ok=True)
            db["import"] = child(args, "import", kind, n)
            if "error" in db["import"]:
                save()
                continue
            db["import"]["when"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            marker.write_text(json.dumps(db["import"], indent=2) + "\n")
        save()
        for step in args.steps:
            log(f"{label} {kind}: {step}")
            db[step] = child(args, step, kind, n)
            save()
    if "postgresql" in args.db:
        result["machine"]["postgresql"] = _pg_version()
    result["done"] = True
    save()
    return result


def _pg_version() -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(pg_url("postgres"))
    try:
        with admin.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar_one())
    finally:
        admin.dispose()


def worker(args: argparse.Namespace) -> dict[str, Any]:
    n, target = args.n, args.target
    if args.worker == "migrate":
        return step_migrate(target, n)
    if args.worker == "reference":
        return step_reference(target, n, args.runs)
    if args.worker == "import":
        return step_import(target, n, args.pg_load, args.import_chunk)
    if args.worker == "aging":
        return step_aging(target, n, args.runs)
    if args.worker == "metrics":
        return step_metrics(target, n, args.plan_runs)
    if args.worker == "plan":
        return step_plan(target, n, args.runs, args.plan_runs)
    return step_run(target, n, args.runs)


def main(argv: list[str] | None = None) -> int:
    import suite_report

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100k", help="comma-separated: 100k, 1m, 10m")
    parser.add_argument("--db", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--engines", default="pandas,duckdb", help="the reference engines to run")
    parser.add_argument("--steps", default="aging,metrics,plan,run", help="recoup steps after the import")
    parser.add_argument("--runs", type=int, default=5, help="timed runs after a warm-up (aging, selection)")
    parser.add_argument("--plan-runs", type=int, default=2, help="timed dry plans, metrics")
    parser.add_argument("--pg-load", choices=("import", "copy"), default="import")
    parser.add_argument("--import-chunk", type=int, default=0, help="import files in pieces of N rows")
    parser.add_argument("--reimport", action="store_true", help="import again even if the ledger is there")
    parser.add_argument("--out-dir", type=Path, default=lb.RESULTS)
    parser.add_argument("--readme", type=Path, default=HERE / "README.md")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        args.worker_out.write_text(json.dumps(worker(args), indent=2) + "\n")
        return 0
    args.db = [d for d in args.db.split(",") if d]
    args.engines = [e for e in args.engines.split(",") if e]
    args.steps = [s for s in args.steps.split(",") if s]
    for label in args.sizes.split(","):
        if label not in SIZES:
            parser.error(f"unknown size {label!r}; use {', '.join(SIZES)}")
        run_size(label, args)
        suite_report.write_readme(args.out_dir, args.readme)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
