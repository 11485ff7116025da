"""Running the ladder day by day on a copy of the ledger, to see what it would do.

Each simulated day: the payments the customers' history predicts arrive
(``recoup.demo.generator.predicted_payment`` with a profile learnt from each
customer's paid invoices), the day's run plans and the dispatcher records
(never sends: the recording channel), and a simulated collector works the
day's call tasks: some calls end in a promise, which the customer keeps or
breaks as its history suggests. The summary counts messages per step, calls,
promises kept and broken, and the amounts collected per currency.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from recoup.demo.generator import Profile, predicted_payment
from recoup.domain.activity import Activity
from recoup.domain.cases import Promise
from recoup.domain.invoices import Invoice, InvoiceStatus
from recoup.domain.money import Money
from recoup.domain.payments import Payment
from recoup.domain.tasks import TaskKind, TaskStatus
from recoup.policy.engine import Calendar
from recoup.services import ledger
from recoup.services.dispatch import dispatch
from recoup.services.policies import PolicyBook
from recoup.services.ports import Channel, UnitOfWork, UnitOfWorkFactory
from recoup.services.run import plan_run

ACTOR = "simulation"
DISPATCH_HOURS = (2, 10, 18)
"""UTC hours the simulated dispatcher runs: within the day in Asia, Europe and America."""


@dataclass
class SimulationResult:
    start: dt.date
    days: int
    messages: Counter[str] = field(default_factory=Counter)  # per step
    actions: Counter[str] = field(default_factory=Counter)  # per action
    calls: int = 0
    promises_made: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    payments: int = 0
    collected: dict[str, Money] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "days": self.days,
            "messages_per_step": dict(sorted(self.messages.items())),
            "actions": dict(sorted(self.actions.items())),
            "calls": self.calls,
            "promises": {
                "made": self.promises_made,
                "kept": self.promises_kept,
                "broken": self.promises_broken,
            },
            "payments": self.payments,
            "collected": {c: str(m.amount) for c, m in sorted(self.collected.items())},
        }


def learn_profile(customer_id: str, history: list[Invoice], as_of: dt.date) -> Profile:
    """How a customer pays, from its paid invoices: share on time, mean delay, stopped or not."""
    paid = [i for i in history if i.status is InvoiceStatus.PAID and i.closed_on]
    if not paid:
        return Profile(customer_id, on_time=0.5, mean_late_days=20.0, partial=0.0)
    delays = [(i.closed_on - i.due_date).days for i in paid if i.closed_on]
    late = [d for d in delays if d > 0]
    last = max(i.closed_on for i in paid if i.closed_on)
    overdue = [i for i in history if i.status is InvoiceStatus.OPEN and (as_of - i.due_date).days > 90]
    stopped = last if overdue and (as_of - last).days > 90 else None
    return Profile(
        customer_id,
        on_time=1 - len(late) / len(delays),
        mean_late_days=max(1.0, sum(late) / len(late)) if late else 5.0,
        partial=0.0,
        stopped_on=stopped,
    )


def simulate(
    uow_factory: UnitOfWorkFactory,
    channels: dict[str, Channel],
    *,
    book: PolicyBook,
    calendar: Calendar,
    start: dt.date,
    days: int,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Simulate ``days`` days from ``start`` on the store of ``uow_factory`` (give it a copy)."""
    result = SimulationResult(start, days)
    rng = random.Random(seed)
    with uow_factory() as uow:
        arrivals, keeps = _predict(uow, start, seed)
    steps: dict[str, tuple[str, str]] = {}  # planned, not yet done: key -> (step, action)
    for n in range(days):
        day = start + dt.timedelta(days=n)
        at = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
        _payments(uow_factory, arrivals.pop(day, []), day, at, result)
        planned = plan_run(uow_factory, book=book, calendar=calendar, as_of=day, at=at, actor=ACTOR)
        for event in planned.events:
            if event["kind"] == "promise_kept":
                result.promises_kept += 1
            elif event["kind"] == "promise_broken":
                result.promises_broken += 1
        steps.update({a["key"]: (a["step"], a["action"]) for a in planned.actions})
        for hour in DISPATCH_HOURS:  # messages wait for each customer's local hours
            moment = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
            done = dispatch(uow_factory, channels, now=lambda moment=moment: moment, actor=ACTOR)  # type: ignore[misc]
            for key, status in done.statuses.items():
                if key in steps and status in ("sent", "task"):
                    step, action = steps.pop(key)
                    result.actions[action] += 1
                    if action in ("email", "letter"):
                        result.messages[step] += 1
        at = dt.datetime.combine(day, dt.time(20), tzinfo=dt.UTC)
        _collector(uow_factory, day, at, rng, keeps, arrivals, result)
        if progress:
            progress(n + 1)
    return result


def _predict(uow: UnitOfWork, start: dt.date, seed: int) -> tuple[dict[dt.date, list[str]], dict[str, float]]:
    """Arrival day of each open invoice's payment, and each customer's chance of keeping a promise."""
    arrivals: dict[dt.date, list[str]] = {}
    keeps: dict[str, float] = {}
    offset, page = 0, 1000
    while True:
        customers = uow.customers.list(offset=offset, limit=page)
        if not customers:
            break
        offset += page
        for customer in customers:
            history = uow.invoices.for_customer(customer.id)
            profile = learn_profile(customer.id, history, start)
            keeps[customer.id] = 0.2 if profile.stopped_on else 0.4 + 0.5 * profile.on_time
            for inv in history:
                if inv.status is not InvoiceStatus.OPEN:
                    continue
                when = predicted_payment(profile, inv, seed)
                if when is not None:
                    arrivals.setdefault(max(when, start), []).append(inv.number)
    return arrivals, keeps


def _payments(
    uow_factory: UnitOfWorkFactory,
    numbers: list[str],
    day: dt.date,
    at: dt.datetime,
    result: SimulationResult,
) -> None:
    if not numbers:
        return
    with uow_factory() as uow:
        found = uow.invoices.get_many(numbers)
        payments = [
            Payment(
                f"SIM-{day.isoformat()}-{inv.number}", inv.customer_id, day, inv.open_balance, (inv.number,)
            )
            for inv in found.values()
            if inv.status is InvoiceStatus.OPEN
        ]
        if payments:
            ledger.record_payments(uow, payments, at=at, actor=ACTOR)
        uow.commit()
    for p in payments:
        result.payments += 1
        currency = p.amount.currency
        result.collected[currency] = result.collected.get(currency, Money.zero(currency)) + p.amount


def _collector(
    uow_factory: UnitOfWorkFactory,
    day: dt.date,
    at: dt.datetime,
    rng: random.Random,
    keeps: dict[str, float],
    arrivals: dict[dt.date, list[str]],
    result: SimulationResult,
) -> None:
    """The day's calls: about half reach someone who promises to pay within a week."""
    with uow_factory() as uow:
        calls = [t for t in uow.tasks.open() if t.kind is TaskKind.CALL and t.due <= day]
        for task in calls:
            assert task.id is not None
            result.calls += 1
            reached = rng.random() < 0.5
            text = "call: reached, will pay within a week" if reached else "call: no answer"
            uow.activities.add_many(
                [
                    Activity(
                        "call",
                        at,
                        ACTOR,
                        task.customer_id,
                        text,
                        invoices=task.invoices,
                        data={
                            "outcome": "reached" if reached else "no_answer",
                            "reason": "will_pay" if reached else "unreachable",
                        },
                    )
                ]
            )
            uow.tasks.close(task.id, TaskStatus.DONE, at=at)
            if not reached or not task.invoices:
                continue
            found = uow.invoices.get_many(task.invoices)
            open_items = [i for i in found.values() if i.status is InvoiceStatus.OPEN]
            if not open_items:
                continue
            amount = sum((i.open_balance for i in open_items), Money.zero(open_items[0].currency))
            date = day + dt.timedelta(days=7)
            uow.promises.add(
                Promise(task.customer_id, amount, date, day, tuple(i.number for i in open_items))
            )
            result.promises_made += 1
            if rng.random() < keeps.get(task.customer_id, 0.5):
                for pending in arrivals.values():  # paid on the promised day instead
                    for number in [n for n in pending if n in found]:
                        pending.remove(number)
                arrivals.setdefault(date, []).extend(i.number for i in open_items)
        uow.commit()
