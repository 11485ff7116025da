"""Kill the dispatcher (SIGKILL) at random moments: no message twice, none lost silently."""

from __future__ import annotations

import datetime as dt
import random
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from builders import contact, customer, given, invoice
from recoup.adapters.db.engine import make_engine, migrate
from recoup.adapters.db.uow import SqlUnitOfWorkFactory
from recoup.domain.calendar import WeekendsOnly
from recoup.domain.ladder import OutboxStatus
from recoup.domain.tasks import TaskKind
from recoup.services.policies import PolicyBook, default_policy
from recoup.services.run import plan_run

CHILD = Path(__file__).resolve().parents[1] / "crash_dispatcher.py"
CUSTOMERS = 80


def test_a_dispatcher_killed_at_random_never_sends_twice_and_flags_what_it_may_have_sent(
    db_url: str, tmp_path: Path
) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    uow_factory = SqlUnitOfWorkFactory(engine)
    records = []
    for n in range(CUSTOMERS):
        cid = f"C{n:03d}"
        records += [
            customer(cid, time_zone="UTC"),
            contact("Bea", customer=cid, email=f"ap@{cid.lower()}.example"),
            invoice(f"INV-{n:03d}", customer=cid, issued="2026-02-02", due="2026-03-04"),
        ]
    given(uow_factory, *records)
    at = dt.datetime(2026, 3, 5, 9, tzinfo=dt.UTC)
    plan_run(
        uow_factory,
        book=PolicyBook(default_policy()),
        calendar=WeekendsOnly(),
        as_of=dt.date(2026, 3, 5),
        at=at,
    )
    engine.dispose()
    world = tmp_path / "world.txt"
    world.touch()
    rng = random.Random(20261123)
    for _ in range(8):
        child = subprocess.Popen(
            [sys.executable, str(CHILD), db_url, str(world)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        try:
            child.wait(timeout=rng.uniform(0.02, 0.25))
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
            child.wait()
    interrupted = Counter(world.read_text(encoding="utf-8").split())
    assert 0 < len(interrupted) < CUSTOMERS, "the kills did not land while the dispatcher was sending"
    final = subprocess.run([sys.executable, str(CHILD), db_url, str(world)], capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    sent_lines = Counter(world.read_text(encoding="utf-8").split())
    assert all(n == 1 for n in sent_lines.values()), (
        f"sent twice: {[k for k, n in sent_lines.items() if n > 1]}"
    )
    engine = make_engine(db_url)
    try:
        with SqlUnitOfWorkFactory(engine)() as uow:
            items = [i for n in range(CUSTOMERS) for i in uow.outbox.for_customer(f"C{n:03d}")]
            flagged = {t.key for t in uow.tasks.open() if t.kind is TaskKind.IN_FLIGHT}
            logged = Counter(
                str(a.data.get("key"))
                for n in range(CUSTOMERS)
                for a in uow.activities.for_customer(f"C{n:03d}")
                if a.kind == "email"
            )
    finally:
        engine.dispose()
    assert len(items) == CUSTOMERS
    for item in items:
        assert item.status in (OutboxStatus.SENT, OutboxStatus.REVIEW), f"{item.key} left {item.status}"
        if item.status is OutboxStatus.SENT:
            assert sent_lines[item.key] == 1 and logged[item.key] == 1
        else:  # stopped in flight: maybe sent, so flagged for a person, never resent
            assert item.key in flagged
        if item.key not in sent_lines:
            assert item.status is OutboxStatus.REVIEW, f"{item.key} was lost silently"
    assert flagged, "no kill landed while a message was in flight"
