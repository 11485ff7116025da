"""Benchmark: import a generated ledger of about N invoices from CSV, then time the aging report.

    .venv/bin/python bench/ledger_bench.py --invoices 1000000 --db both

Steps, for each database (a fresh SQLite file in bench/data, or a fresh
PostgreSQL database created on the server of ``RECOUP_BENCH_PG`` and dropped
at the end):

1. the demo generator writes customers, contacts, invoices and payments as
   CSV files into bench/data (once; reused while the parameters match);
2. each file goes through the real import path, ``read_table`` then
   ``import_table``, one timing per file;
3. ``ANALYZE``, as a deployment does after a bulk load;
4. ``uow.queries.aging(as_of, (0, 30, 60, 90))``: one warm-up, then the
   median of ``--runs`` runs, for the generator's ``as_of`` and for a day
   ``--past-days`` earlier. Each report is checked: its totals per currency
   must equal, to the minor unit, the open balances computed from the
   generated ledger (amount minus what was paid on or before the day).

Each database runs in its own child process, so its peak RSS
(``resource.getrusage``) is its own. A table is printed and everything is
written as JSON (``--out``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
FILES = ("customers", "contacts", "invoices", "payments")
EDGES = (0, 30, 60, 90)
# generate() arguments: one year of history, about ten invoices per customer.
YEARS = 1
INVOICES_PER_MONTH = 10 / 12
SAMPLE = 2000  # customers generated to learn the invoices per customer of this seed

CUSTOMER_COLUMNS = (
    "id",
    "name",
    "kind",
    "country",
    "language",
    "timezone",
    "currency",
    "segment",
    "sales_owner",
    "payment_terms_days",
    "credit_limit",
    "tax_id",
)
CONTACT_COLUMNS = ("customer_id", "name", "role", "email", "phone")
INVOICE_COLUMNS = ("number", "customer_id", "issue_date", "due_date", "currency", "amount", "sent_to")
PAYMENT_COLUMNS = ("reference", "customer_id", "date", "amount", "currency", "invoices")


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (ru_maxrss is in KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the ledger as CSV -------------------------------------------------------------------------------


def customers_for(invoices: int, seed: int, as_of: dt.date) -> int:
    """How many customers give about ``invoices`` invoices with this seed (the stream is deterministic)."""
    from recoup.demo.generator import generate

    made = sum(
        len(b.invoices)
        for b in generate(
            customers=SAMPLE, seed=seed, as_of=as_of, years=YEARS, invoices_per_month=INVOICES_PER_MONTH
        )
    )
    return max(1, round(invoices * SAMPLE / made))


def write_ledger(folder: Path, *, invoices: int, seed: int, as_of: dt.date, past: dt.date) -> dict[str, Any]:
    """Write the CSV files (unless the same ledger is already there); return the manifest."""
    manifest_path = folder / "manifest.json"
    wanted = {"invoices_wanted": invoices, "seed": seed, "as_of": as_of.isoformat(), "past": past.isoformat()}
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        if all(manifest.get(k) == v for k, v in wanted.items()) and all(
            (folder / f"{name}.csv").is_file() for name in FILES
        ):
            log(f"reusing the ledger in {folder}")
            return dict(manifest)
    from recoup.demo.generator import generate

    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    customers = customers_for(invoices, seed, as_of)
    log(f"generating {customers} customers (seed {seed}, as of {as_of}) into {folder}")
    counts = dict.fromkeys(FILES, 0)
    # Open balance per currency on each checked day, from the generated ledger itself:
    # the amount of every invoice issued by then, less every payment dated on or before it.
    expected: dict[str, dict[str, int]] = {
        as_of.isoformat(): defaultdict(int),
        past.isoformat(): defaultdict(int),
    }
    days = [(as_of, expected[as_of.isoformat()]), (past, expected[past.isoformat()])]
    issued_on: dict[str, dt.date] = {}
    handles = {name: (folder / f"{name}.csv.tmp").open("w", newline="", encoding="utf-8") for name in FILES}
    try:
        writers = {name: csv.writer(h) for name, h in handles.items()}
        writers["customers"].writerow(CUSTOMER_COLUMNS)
        writers["contacts"].writerow(CONTACT_COLUMNS)
        writers["invoices"].writerow(INVOICE_COLUMNS)
        writers["payments"].writerow(PAYMENT_COLUMNS)
        batches = generate(
            customers=customers,
            seed=seed,
            as_of=as_of,
            years=YEARS,
            invoices_per_month=INVOICES_PER_MONTH,
            batch_size=1000,
        )
        for batch in batches:
            writers["customers"].writerows(
                (
                    c.id,
                    c.name,
                    c.kind.value,
                    c.country,
                    c.language,
                    c.time_zone,
                    c.currency,
                    c.segment,
                    c.sales_owner,
                    c.payment_terms_days,
                    "" if c.credit_limit is None else str(c.credit_limit.amount),
                    c.tax_id,
                )
                for c in batch.customers
            )
            writers["contacts"].writerows(
                (k.customer_id, k.name, k.role.value, k.email, k.phone) for k in batch.contacts
            )
            writers["invoices"].writerows(
                (
                    i.number,
                    i.customer_id,
                    i.issue_date.isoformat(),
                    i.due_date.isoformat(),
                    i.currency,
                    str(i.amount.amount),
                    i.sent_to,
                )
                for i in batch.invoices
            )
            writers["payments"].writerows(
                (
                    p.reference,
                    p.customer_id,
                    p.date.isoformat(),
                    str(p.amount.amount),
                    p.amount.currency,
                    ";".join(p.invoices),
                )
                for p in batch.payments
            )
            issued_on.clear()
            for i in batch.invoices:
                issued_on[i.number] = i.issue_date
                for day, acc in days:
                    if i.issue_date <= day:
                        acc[i.currency] += i.amount.minor
            for p in batch.payments:
                # Every generated payment names exactly one invoice and pays part or all of it.
                (number,) = p.invoices
                for day, acc in days:
                    if p.date <= day and issued_on[number] <= day:
                        acc[p.amount.currency] -= p.amount.minor
            counts["customers"] += len(batch.customers)
            counts["contacts"] += len(batch.contacts)
            counts["invoices"] += len(batch.invoices)
            counts["payments"] += len(batch.payments)
    finally:
        for h in handles.values():
            h.close()
    for name in FILES:
        (folder / f"{name}.csv.tmp").replace(folder / f"{name}.csv")
    manifest = {
        **wanted,
        "generate": {"customers": customers, "seed": seed, "as_of": as_of.isoformat(), "years": YEARS}
        | {"invoices_per_month": round(INVOICES_PER_MONTH, 6)},
        "rows": counts,
        "expected_open_minor": {day: dict(sorted(acc.items())) for day, acc in expected.items()},
        "generate_seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mib": peak_rss_mib(),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    log(f"wrote {counts} in {manifest['generate_seconds']} s")
    return manifest


# -- one database ----------------------------------------------------------------------------------


def _admin_url() -> str:
    return os.environ.get("RECOUP_BENCH_PG", DEFAULT_PG)


def create_pg_database(name: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            version = conn.execute(text("SHOW server_version")).scalar_one()
    finally:
        admin.dispose()
    os.environ["RECOUP_BENCH_PG_VERSION"] = str(version)
    return make_url(_admin_url()).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def check_report(report: Any, expected: dict[str, int]) -> dict[str, str]:
    """Totals per currency of ``report`` against ``expected`` open minor units; raise if they differ."""
    from recoup.domain.money import Money

    found: dict[str, str] = {}
    for currency, buckets in report.totals().items():
        total = sum(buckets, Money.zero(currency))
        want = Money.from_minor(expected.get(currency, 0), currency)
        if total != want:
            raise SystemExit(f"aging {report.as_of}: {currency} totals {total}, the open balances {want}")
        per_rows = sum((row.total for row in report.rows if row.currency == currency), Money.zero(currency))
        if per_rows != total:
            raise SystemExit(f"aging {report.as_of}: {currency} rows add up to {per_rows}, totals {total}")
        found[currency] = str(total.amount)
    missing = {c for c, v in expected.items() if v} - set(found)
    if missing:
        raise SystemExit(f"aging {report.as_of}: no rows for {sorted(missing)} though balances are open")
    return found


def open_in_sql(conn: Any, day: dt.date) -> dict[str, int]:
    """Open minor units per currency on ``day`` by definition: amounts issued less amounts applied by then."""
    from sqlalchemy import text

    issued = text("SELECT currency, SUM(amount_minor) FROM invoices WHERE issue_date <= :d GROUP BY currency")
    applied = text(
        "SELECT i.currency, SUM(a.amount_minor) FROM allocations a JOIN invoices i ON i.id = a.invoice_id "
        "WHERE a.applied_on <= :d AND i.issue_date <= :d GROUP BY i.currency"
    )
    result: dict[str, int] = defaultdict(int)
    for currency, amount in conn.execute(issued, {"d": day}):
        result[currency] += int(amount)
    for currency, amount in conn.execute(applied, {"d": day}):
        result[currency] -= int(amount)
    return dict(result)


def sql_only(app: Any, as_of: dt.date, runs: int) -> list[float]:
    """Times of the aging statements alone (executed, every row fetched), without building the report."""
    from sqlalchemy import event

    statements: list[Any] = []

    def grab(conn: Any, clause: Any, *args: Any) -> None:
        statements.append(clause)

    event.listen(app.engine, "before_execute", grab)
    try:
        with app.uow() as uow:
            uow.queries.aging(as_of, EDGES)
    finally:
        event.remove(app.engine, "before_execute", grab)
    times = []
    for i in range(runs + 1):
        with app.engine.connect() as conn:
            started = time.perf_counter()
            for statement in statements:
                result = conn.execute(statement)
                if result.returns_rows:
                    result.all()
            elapsed = time.perf_counter() - started
            conn.rollback()
        if i:
            times.append(elapsed)
    return times


def run_database(kind: str, manifest: dict[str, Any], folder: Path, runs: int, keep: bool) -> dict[str, Any]:
    from sqlalchemy import text

    from recoup.adapters.formats.tabular import read_table
    from recoup.bootstrap import build
    from recoup.services.importing import import_table

    out: dict[str, Any] = {"database": kind}
    pg_name = ""
    if kind == "sqlite":
        path = folder / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        out["version"] = sqlite3.sqlite_version
    else:
        pg_name = f"recoup_bench_{os.getpid()}"
        url = create_pg_database(pg_name)
        out["version"] = os.environ.get("RECOUP_BENCH_PG_VERSION", "")
    try:
        app = build(url)
        at = dt.datetime.combine(dt.date.fromisoformat(manifest["as_of"]), dt.time(18), tzinfo=dt.UTC)
        imports = []
        total_seconds = 0.0
        for name in FILES:
            started = time.perf_counter()
            table = read_table(folder / f"{name}.csv")
            read_seconds = time.perf_counter() - started
            result = import_table(app.uow, name, table, at=at)
            seconds = time.perf_counter() - started
            del table
            if result.rejected or result.added != manifest["rows"][name]:
                raise SystemExit(
                    f"{name}: added {result.added} of {manifest['rows'][name]}: {result.messages}"
                )
            total_seconds += seconds
            imports.append(
                {
                    "file": f"{name}.csv",
                    "rows": result.added,
                    "seconds": round(seconds, 2),
                    "read_seconds": round(read_seconds, 2),
                    "rows_per_second": round(result.added / seconds),
                    "peak_rss_mib": peak_rss_mib(),
                }
            )
            log(f"{kind}: imported {result.added} {name} in {seconds:.1f} s (reading {read_seconds:.1f} s)")
        out["imports"] = imports
        out["import_seconds"] = round(total_seconds, 1)
        # What a deployment does after a bulk load: PostgreSQL's autovacuum runs VACUUM
        # ANALYZE by itself (this machine's server has it off, so it is done here; the
        # VACUUM lets aging read the covering index without visiting the table);
        # SQLite has no autovacuum for statistics: ANALYZE (or PRAGMA optimize) is run.
        started = time.perf_counter()
        if kind == "sqlite":
            out["maintenance"] = "ANALYZE"
            with app.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        else:
            out["maintenance"] = "VACUUM ANALYZE"
            with app.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        out["maintenance_seconds"] = round(time.perf_counter() - started, 2)
        with app.engine.connect() as conn:
            counts = {
                t: int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one())
                for t in ("invoices", "allocations", "activities")
            }
            counts["open_invoices"] = int(
                conn.execute(text("SELECT COUNT(*) FROM invoices WHERE closed_on IS NULL")).scalar_one()
            )
        out["table_rows"] = counts
        if kind == "sqlite":
            out["file_mib"] = round(Path(folder / "bench.db").stat().st_size / 2**20, 1)
        aging = []
        for label, day in (("as_of", manifest["as_of"]), ("past", manifest["past"])):
            as_of = dt.date.fromisoformat(day)
            times = []
            report = None
            for i in range(runs + 1):  # the first run warms the caches and is not counted
                with app.uow() as uow:
                    started = time.perf_counter()
                    report = uow.queries.aging(as_of, EDGES)
                    elapsed = time.perf_counter() - started
                if i:
                    times.append(elapsed)
            assert report is not None
            sql_times = sql_only(app, as_of, runs)
            expected = manifest["expected_open_minor"][day]
            totals = check_report(report, expected)
            with app.engine.connect() as conn:
                if open_in_sql(conn, as_of) != {c: v for c, v in expected.items() if v}:
                    raise SystemExit(f"{kind}: the stored ledger does not match the generated one on {day}")
            aging.append(
                {
                    "which": label,
                    "as_of": day,
                    "runs": runs,
                    "median_seconds": round(statistics.median(times), 3),
                    "min_seconds": round(min(times), 3),
                    "max_seconds": round(max(times), 3),
                    "sql_median_seconds": round(statistics.median(sql_times), 3),
                    "rows": len(report.rows),
                    "totals": totals,
                }
            )
            log(
                f"{kind}: aging as of {day}: median {statistics.median(times):.3f} s "
                f"(SQL alone {statistics.median(sql_times):.3f} s), {len(report.rows)} rows"
            )
        out["aging"] = aging
        out["peak_rss_mib"] = peak_rss_mib()
        app.engine.dispose()
    finally:
        if pg_name and not keep:
            drop_pg_database(pg_name)
    return out


# -- driver ----------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kib / 2**20, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


def print_table(result: dict[str, Any]) -> None:
    print()
    print(f"ledger: {result['ledger']['rows']}")
    for db in result["databases"]:
        print(f"\n{db['database']} {db['version']}")
        print(f"  {'file':<14}{'rows':>10}{'seconds':>10}{'rows/s':>10}{'peak MiB':>10}")
        for imp in db["imports"]:
            print(
                f"  {imp['file']:<14}{imp['rows']:>10}{imp['seconds']:>10.1f}"
                f"{imp['rows_per_second']:>10}{imp['peak_rss_mib']:>10.0f}"
            )
        print(f"  import total {db['import_seconds']} s, {db['maintenance']} {db['maintenance_seconds']} s")
        for a in db["aging"]:
            print(
                f"  aging as of {a['as_of']} ({a['which']}): median {a['median_seconds']:.3f} s "
                f"of {a['runs']} (min {a['min_seconds']:.3f}, max {a['max_seconds']:.3f}; "
                f"SQL alone {a['sql_median_seconds']:.3f}), {a['rows']} rows"
            )
        print(f"  peak RSS {db['peak_rss_mib']:.0f} MiB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--invoices", type=int, default=1_000_000, help="about how many invoices")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--out", type=Path, help="JSON results (default bench/results/ledger-N.json)")
    parser.add_argument("--runs", type=int, default=5, help="timed aging runs after one warm-up")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 6, 30))
    parser.add_argument(
        "--past-days", type=int, default=180, help="the historical aging date: as_of minus this"
    )
    parser.add_argument(
        "--data", type=Path, default=DATA, help="folder for the CSV files and the SQLite file"
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--worker", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    folder = args.data / f"ledger-{args.invoices}-seed{args.seed}"

    if args.worker:
        manifest = json.loads((folder / "manifest.json").read_text())
        result = run_database(args.worker, manifest, folder, args.runs, args.keep)
        args.worker_out.write_text(json.dumps(result, indent=2) + "\n")
        return 0

    past = args.as_of - dt.timedelta(days=args.past_days)
    manifest = write_ledger(folder, invoices=args.invoices, seed=args.seed, as_of=args.as_of, past=past)
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = []
    for kind in databases:
        worker_out = folder / f"result-{kind}.json"
        worker_out.unlink(missing_ok=True)
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            kind,
            "--worker-out",
            str(worker_out),
        ]
        command += ["--invoices", str(args.invoices), "--seed", str(args.seed), "--runs", str(args.runs)]
        command += ["--data", str(args.data)] + (["--keep"] if args.keep else [])
        log(f"{kind}: starting")
        subprocess.run(command, check=True)
        results.append(json.loads(worker_out.read_text()))
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join(["bench/ledger_bench.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine(),
        "ledger": {k: manifest[k] for k in ("generate", "rows", "as_of", "past", "generate_seconds")},
        "databases": results,
    }
    out = args.out or RESULTS / f"ledger-{args.invoices}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    print(f"\nresults written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
