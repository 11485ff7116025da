"""The day's run: decide every case, and write the plan to the outbox in one transaction.

``plan_run`` takes the run lock (one run at a time), builds the snapshots of
the cases that may need something, asks the pure engine for each, and writes
in one transaction: the outbox items (unique per case, step, cycle and
action), the steps taken and skipped per invoice, the tasks, the outcome of
arrangements (a promise kept or broken, a plan defaulted, a settlement paid
and the rest written off) and their log entries. A case that fails becomes a
diagnostic; the run goes on. ``dry_run`` shows the same and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass, field, replace
from typing import Any

from recoup.domain.activity import Activity
from recoup.domain.cases import CaseKey, PlanStatus, PromiseStatus, SettlementStatus
from recoup.domain.errors import ConcurrentRunError, DomainError
from recoup.domain.ladder import OutboxItem, StepRecord, StepStatus
from recoup.domain.tasks import Task
from recoup.law.guards import consumer_notices
from recoup.law.interest import jurisdiction_for
from recoup.law.limitation import customer_jurisdiction
from recoup.policy.engine import Calendar, decide
from recoup.policy.snapshot import CaseSnapshot, Decision, Diagnostic, PlannedAction
from recoup.services import adjustments
from recoup.services.cases import load_snapshots
from recoup.services.policies import PolicyBook
from recoup.services.ports import UnitOfWork, UnitOfWorkFactory

RUN_LOCK = "run"


@dataclass
class RunResult:
    """What a run planned (only what is new), skipped and noticed."""

    as_of: dt.date
    dry_run: bool
    cases: int = 0
    actions: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "cases": self.cases,
            "actions": self.actions,
            "skipped": self.skipped,
            "diagnostics": self.diagnostics,
            "events": self.events,
            "tasks": self.tasks,
        }


def holder() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


def _stale(held_by: str | None) -> bool:
    """A lock held by a process of this machine that no longer exists was left by a crash."""
    host, _, pid = (held_by or "").rpartition(" pid ")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def take_lock(uow_factory: UnitOfWorkFactory, name: str, *, at: dt.datetime) -> None:
    """Take the named lock; one left by a crashed process of this machine is taken over, and said so."""
    try:
        with uow_factory() as uow:
            uow.locks.acquire(name, holder=holder(), at=at)
            uow.commit()
        return
    except ConcurrentRunError:
        with uow_factory() as uow:
            held_by = uow.locks.holder(name)
            if not _stale(held_by):
                raise
            uow.locks.release(name)
            uow.commit()
    with uow_factory() as uow:
        uow.locks.acquire(name, holder=holder(), at=at)
        uow.commit()


def release_lock(uow_factory: UnitOfWorkFactory, name: str) -> None:
    with uow_factory() as uow:
        uow.locks.release(name)
        uow.commit()


def plan_run(
    uow_factory: UnitOfWorkFactory,
    *,
    book: PolicyBook,
    calendar: Calendar,
    as_of: dt.date,
    at: dt.datetime,
    dry_run: bool = False,
    customers: list[str] | None = None,
    actor: str = "system",
) -> RunResult:
    """Plan the day's run as of ``as_of``; ``at`` is the wall-clock time recorded."""
    if dry_run:
        return _plan(uow_factory, book, calendar, as_of, at, dry_run=True, customers=customers, actor=actor)
    take_lock(uow_factory, RUN_LOCK, at=at)
    try:
        result = _plan(
            uow_factory, book, calendar, as_of, at, dry_run=False, customers=customers, actor=actor
        )
        _rescore(uow_factory, as_of)
        return result
    finally:
        release_lock(uow_factory, RUN_LOCK)


def _rescore(uow_factory: UnitOfWorkFactory, as_of: dt.date) -> None:
    """The worklist of the day ranked once for everyone (services.worklist.rescore)."""
    from recoup.services.worklist import rescore

    with uow_factory() as uow:
        rescore(uow, as_of)
        uow.commit()


def unlock(uow_factory: UnitOfWorkFactory) -> None:
    """Remove the run lock left by a run that crashed."""
    with uow_factory() as uow:
        uow.locks.release(RUN_LOCK)
        uow.commit()


def _plan(
    uow_factory: UnitOfWorkFactory,
    book: PolicyBook,
    calendar: Calendar,
    as_of: dt.date,
    at: dt.datetime,
    *,
    dry_run: bool,
    customers: list[str] | None,
    actor: str,
) -> RunResult:
    result = RunResult(as_of, dry_run)
    with uow_factory() as uow:
        snapshots = load_snapshots(uow, book, as_of, customers=customers)
        result.cases = len(snapshots)
        decisions: list[tuple[CaseSnapshot, Decision]] = []
        for snap in snapshots:
            policy = book.for_customer(snap.customer.id, snap.customer.segment)
            try:
                decisions.append((snap, decide(snap, policy, as_of, calendar)))
            except Exception as error:  # one bad case must not stop the day's run
                failed = Diagnostic(snap.key, "case_failed", f"the case could not be decided: {error!r}")
                result.diagnostics.append(_diagnostic(failed))
        if dry_run:
            for snap, decision in decisions:
                _report(result, snap, decision, decision.actions, list(decision.tasks), "planned")
            return result
        _write(uow, result, decisions, as_of, at, actor)
        uow.commit()
    return result


def _write(
    uow: UnitOfWork,
    result: RunResult,
    decisions: list[tuple[CaseSnapshot, Decision]],
    as_of: dt.date,
    at: dt.datetime,
    actor: str,
) -> None:
    """Everything the decisions say, written in bulk in the run's one transaction."""
    outbox: list[OutboxItem] = []
    for snap, decision in decisions:
        items = {i.number: i for i in snap.items}
        outbox += [_outbox_item(a, items, snap, as_of, at) for a in decision.actions]
    existing = uow.outbox.existing_keys([o.key for o in outbox])
    new = [o for o in outbox if o.key not in existing]
    uow.outbox.add_many(new)
    new_keys = {o.key for o in new}
    keep = (StepStatus.SKIPPED, StepStatus.WAITING)
    steps = [r for _, d in decisions for r in d.steps if r.status in keep or r.outbox_key in new_keys]
    uow.steps.add_many(steps)
    tasks = [t for _, d in decisions for t in d.tasks]
    involved = sorted({t.customer_id for t in tasks})
    open_before = {t.unique_key for t in uow.tasks.open(customer_ids=involved)} if involved else set()
    uow.tasks.add_many(tasks)
    recorded = {(r.invoice_number, r.step) for r in steps}
    for snap, decision in decisions:
        for action in decision.actions:
            if action.key in new_keys and action.step in snap.approvals:
                uow.approvals.use(snap.key, action.step, on=as_of)
        if decision.events:
            _apply_events(uow, snap, decision, as_of, at, actor)
        fresh = [a for a in decision.actions if a.key in new_keys]
        raised, seen = [], set()
        for t in decision.tasks:
            if t.unique_key not in open_before and t.unique_key not in seen:
                seen.add(t.unique_key)
                raised.append(t)
        mine = [r for r in decision.steps if (r.invoice_number, r.step) in recorded]
        _report(result, snap, decision, fresh, raised, "pending", mine)


def _outbox_item(
    action: PlannedAction, items: dict[str, Any], snap: CaseSnapshot, as_of: dt.date, at: dt.datetime
) -> OutboxItem:
    return OutboxItem(
        key=action.key,
        customer_id=action.case.customer_id,
        currency=action.case.currency,
        step=action.step,
        action=str(action.action),
        cycle=action.cycle,
        as_of=as_of,
        payload=payload(action, items, snap),
        not_before=_window_start(snap, as_of, action.window[0]),
        created_at=at,
        updated_at=at,
    )


def payload(action: PlannedAction, items: dict[str, Any], snap: CaseSnapshot) -> dict[str, Any]:
    """The planned action as data: what a channel needs to write the message."""
    customer = snap.customer

    def line(number: str) -> dict[str, Any]:
        item = items[number]
        return {
            "number": number,
            "due_date": item.due_date.isoformat(),
            "amount": str(item.amount.amount),
            "balance": str(item.balance.amount),
        }

    return {
        "customer": {
            "id": customer.id,
            "name": customer.name,
            "language": customer.language,
            "country": customer.country,
            "jurisdiction": _jurisdiction(customer),
            "kind": customer.kind,
        },
        "currency": action.case.currency,
        "step": action.step,
        "action": str(action.action),
        "tone": str(action.tone),
        "template": action.template,
        "attach": list(action.attach),
        "recipients": list(action.recipients),
        "copies": list(action.copies),
        "invoices": [line(n) for n in action.invoices],
        "shown": [{**line(n), "state": state} for n, state in action.shown if n in items],
        "total": str(action.total.amount),
        "overdue": str(action.overdue.amount),
        "next_step": action.next_step,
        "next_on": action.next_on.isoformat() if action.next_on else None,
        "next_kind": action.next_kind,
        "consumer": action.consumer,
        "window": list(action.window),
        "terms": customer.contract_terms,
        "late_fee_clause": customer.late_fee_clause,
        "sales_owner": customer.sales_owner,
        "time_zone": customer.time_zone,
        "notices": [
            {"code": n.code, "text": n.text, "source": n.source}
            for n in consumer_notices(customer_jurisdiction(customer), consumer=action.consumer)
        ],
    }


def _jurisdiction(customer: Any) -> str:
    """The law of the customer's interest terms ('' when recoup has no rule for its country)."""
    try:
        return jurisdiction_for(customer)
    except DomainError:
        return ""


def _window_start(snap: CaseSnapshot, as_of: dt.date, hour: int) -> dt.datetime:
    """The first moment of the sending window on ``as_of``, the customer's local time, in UTC."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(snap.customer.time_zone or "UTC")
    return dt.datetime.combine(as_of, dt.time(hour), tzinfo=zone).astimezone(dt.UTC)


def _apply_events(
    uow: UnitOfWork, snap: CaseSnapshot, decision: Decision, as_of: dt.date, at: dt.datetime, actor: str
) -> None:
    """Store what happened to arrangements, and write off the rest of a paid settlement."""
    for event in decision.events:
        if event.kind in ("promise_kept", "promise_broken"):
            promise = next(p for p in snap.promises if p.id == event.record_id)
            status = PromiseStatus.KEPT if event.kind == "promise_kept" else PromiseStatus.BROKEN
            uow.promises.replace(replace(promise, status=status))
        elif event.kind in ("plan_completed", "plan_defaulted"):
            plan = next(p for p in snap.plans if p.id == event.record_id)
            plan_status = PlanStatus.COMPLETED if event.kind == "plan_completed" else PlanStatus.DEFAULTED
            uow.plans.replace(replace(plan, status=plan_status))
        elif event.kind in ("settlement_paid", "settlement_lapsed"):
            offer = next(s for s in snap.settlements if s.id == event.record_id)
            paid = event.kind == "settlement_paid"
            uow.settlements.replace(
                replace(offer, status=SettlementStatus.PAID if paid else SettlementStatus.LAPSED)
            )
            if paid:
                numbers = list(offer.invoices) or [i.number for i in snap.items]
                adjustments.close_invoices(
                    uow, numbers, on=as_of, settled=True, reason=f"settlement {offer.id}", at=at, actor=actor
                )
        uow.activities.add_many(
            [Activity(event.kind, at, actor, snap.customer.id, event.text, data={"record": event.record_id})]
        )


def _report(
    result: RunResult,
    snap: CaseSnapshot,
    decision: Decision,
    actions: tuple[PlannedAction, ...] | list[PlannedAction],
    tasks: list[Task],
    status: str,
    steps: list[StepRecord] | None = None,
) -> None:
    case = snap.key
    for action in actions:
        result.actions.append(
            {
                "customer": case.customer_id,
                "currency": case.currency,
                "step": action.step,
                "action": str(action.action),
                "invoices": list(action.invoices),
                "recipients": list(action.recipients),
                "copies": list(action.copies),
                "key": action.key,
                "status": status,
            }
        )
    for record in steps if steps is not None else decision.steps:
        if record.status is StepStatus.SKIPPED:
            result.skipped.append(_case(case) | {"invoice": record.invoice_number, "step": record.step})
    result.diagnostics += [_diagnostic(d) for d in decision.diagnostics]
    result.events += [_case(case) | {"kind": e.kind, "text": e.text} for e in decision.events]
    result.tasks += [_case(case) | {"kind": str(t.kind), "reason": t.reason, "step": t.step} for t in tasks]


def _case(case: CaseKey) -> dict[str, Any]:
    return {"customer": case.customer_id, "currency": case.currency}


def _diagnostic(d: Diagnostic) -> dict[str, Any]:
    return _case(d.case) | {
        "code": d.code,
        "message": d.message,
        "step": d.step,
        "invoices": list(d.invoices),
    }
