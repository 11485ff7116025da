"""Benchmark: server times of the worklist and the customer page on the 1M-invoice ledger.

    .venv/bin/python bench/web_bench.py --db both

Starts from the ledger ``ledger_bench.py`` imported (bench/data/ledger-1000000-seed1/bench.db)
and makes it a ledger people work on: a copy on which the day's run (2026-06-30) wrote its
outbox, the dispatcher recorded every message (recording channel: the messages land on the
timelines; calls and reviews become tasks) and the next day's run added its own, so the
worklist holds thousands of open tasks. That copy (web.db) is kept and reused; PostgreSQL
gets it streamed in with COPY (plan_bench.postgresql_copy).

Then, in-process over ASGI (FastAPI's TestClient: the server's own time, no network), signed
in with a collector's API token: the desk's worklist page and the API's worklist, the desk's
customer page and the API's customer, for the customer at the top of the worklist and for the
customer with the most invoices. Each is asked 3 times to warm up, then 20 times; the median
and the 95th percentile are written to bench/results/web-1000000.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import plan_bench  # noqa: E402  (the source ledger and the PostgreSQL copy)

WEB_DB = plan_bench.SOURCE.with_name("web.db")
NOW = "2026-07-01T09:00:00+00:00"
COLLECTOR = "bench.collector@supplier.example"
log = plan_bench.log


def prepare() -> None:
    """web.db: the source ledger after the run of 2026-06-30, its dispatch and the run of 07-01."""
    from recoup.adapters.channels.recording import RecordingChannel
    from recoup.bootstrap import build
    from recoup.domain.calendar import BusinessCalendar
    from recoup.services.dispatch import dispatch
    from recoup.services.policies import PolicyBook, default_policy
    from recoup.services.run import plan_run

    if WEB_DB.exists():
        log(f"reusing {WEB_DB}")
        return
    partial = WEB_DB.with_name("web.partial.db")
    shutil.copyfile(plan_bench.SOURCE, partial)
    app = build(f"sqlite:///{partial}")
    book, calendar = PolicyBook(default_policy()), BusinessCalendar()
    recording = RecordingChannel()
    channels = {"email": recording, "letter": recording, "notify_sales": recording}
    for day in (plan_bench.AS_OF, plan_bench.AS_OF + dt.timedelta(days=1)):
        at = dt.datetime.combine(day, dt.time(6), dt.UTC)
        start = time.perf_counter()
        result = plan_run(app.uow, book=book, calendar=calendar, as_of=day, at=at)
        log(
            f"run {day}: {len(result.actions)} actions, {len(result.tasks)} tasks "
            f"in {time.perf_counter() - start:.0f} s"
        )
        start = time.perf_counter()
        sent = dispatch(app.uow, channels, now=lambda day=day: dt.datetime.combine(day, dt.time(18), dt.UTC))
        log(f"dispatch {day}: {len(sent.sent)} done in {time.perf_counter() - start:.0f} s")
    with app.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    app.engine.dispose()
    partial.rename(WEB_DB)


def _timed(client: Any, path: str, runs: int) -> dict[str, Any]:
    for _ in range(3):
        answer = client.get(path)
        if answer.status_code != 200:
            raise SystemExit(f"GET {path}: {answer.status_code} {answer.text[:300]}")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "min_ms": round(times[0], 1),
        "bytes": len(answer.content),
    }


def measure(url: str, runs: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient
    from sqlalchemy import func, select

    from recoup.adapters.db.tables import invoices
    from recoup.bootstrap import build
    from recoup.entrypoints.web.app import create_app
    from recoup.services import users
    from recoup.services.worklist import rescore

    os.environ["RECOUP_NOW"] = NOW
    app = build(url)
    with app.uow() as uow:
        if uow.users.get(COLLECTOR) is None:
            users.add_user(uow, COLLECTOR, "collector", password="bench password 1", at=app.now())
        _, token = users.issue_token(uow, COLLECTOR, "bench", at=app.now())
        uow.commit()
    start = time.perf_counter()
    with app.uow() as uow:
        scored = rescore(uow, app.today())  # what the day's run does last
        uow.commit()
    figures: dict[str, Any] = {"rescore": {"tasks": scored, "seconds": round(time.perf_counter() - start, 2)}}
    log(f"{app.engine.dialect.name}: rescored {scored} open tasks in {figures['rescore']['seconds']} s")
    with app.engine.connect() as conn:
        busiest = conn.execute(
            select(invoices.c.customer_id)
            .group_by(invoices.c.customer_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one()
    with TestClient(create_app(app), headers={"Authorization": f"Bearer {token}"}) as client:
        work = client.get("/api/worklist?limit=1").json()
        top = work["items"][0]["customer_id"]
        figures["open_tasks"] = work["total"]
        paths = {
            "desk worklist page": "/",
            "API worklist (50)": "/api/worklist?limit=50",
            f"desk customer page (top of worklist: {top})": f"/desk/customers/{top}",
            f"API customer ({top})": f"/api/customers/{top}",
            f"desk customer page (most invoices: {busiest})": f"/desk/customers/{busiest}",
            f"API customer ({busiest})": f"/api/customers/{busiest}",
        }
        for label, path in paths.items():
            figures[label] = {"path": path, **_timed(client, path, runs)}
            log(
                f"{app.engine.dialect.name}: {label}: median {figures[label]['median_ms']} ms, "
                f"p95 {figures[label]['p95_ms']} ms"
            )
    app.engine.dispose()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "web-1000000.json")
    args = parser.parse_args()
    if not plan_bench.SOURCE.exists():
        log(f"{plan_bench.SOURCE} is missing: run bench/ledger_bench.py --invoices 1000000 --db sqlite first")
        return 2
    prepare()
    if args.prepare_only:
        return 0
    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "now": NOW,
    }
    if args.db in ("sqlite", "both"):
        results["sqlite"] = measure(f"sqlite:///{WEB_DB}", args.runs)
    if args.db in ("postgresql", "both"):
        results["postgresql"] = measure(plan_bench.postgresql_copy("recoup_bench_web", WEB_DB), args.runs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    log(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
