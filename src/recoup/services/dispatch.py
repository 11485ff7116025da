"""The dispatcher: does what the run planned, exactly once or visibly not at all.

Each pending item of the outbox is marked in flight (committed), handed to its
channel, then marked sent with its log entry (committed). A crash between the
two leaves the item in flight; the next dispatcher flags it for review and
raises a task, and never resends it blindly. Transient failures go back to
pending with a backoff; permanent ones are marked failed with the reason.
Calls and reviews are tasks for people: they are created in the same
transaction that marks the item done, so they cannot be lost or doubled.
One dispatcher at a time (its own lock).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from recoup.domain.activity import Activity
from recoup.domain.errors import DomainError
from recoup.domain.ladder import OutboxItem, OutboxStatus
from recoup.domain.tasks import Task, TaskKind
from recoup.law.advice import Advice, Assumptions
from recoup.law.rates import RateBook
from recoup.policy.model import REVIEWS, Action
from recoup.services.advice import advice_json, advise_customer, summary
from recoup.services.ports import (
    Channel,
    PermanentChannelError,
    TransientChannelError,
    UnitOfWork,
    UnitOfWorkFactory,
)
from recoup.services.rates import load_rate_book
from recoup.services.run import release_lock, take_lock

DISPATCH_LOCK = "dispatch"
MAX_ATTEMPTS = 5
BACKOFF = dt.timedelta(minutes=2)
"""The wait after the first transient failure; it doubles with each attempt."""


@dataclass
class DispatchResult:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, list[str]]:
        return {"sent": self.sent, "failed": self.failed, "retrying": self.retrying, "review": self.review}


def _rescore(uow_factory: UnitOfWorkFactory, day: dt.date) -> None:
    from recoup.services.worklist import rescore

    with uow_factory() as uow:
        rescore(uow, day)
        uow.commit()


def dispatch(
    uow_factory: UnitOfWorkFactory,
    channels: Mapping[str, Channel],
    *,
    now: Callable[[], dt.datetime],
    limit: int | None = None,
    actor: str = "dispatcher",
    advice: AdviceInputs | None = None,
) -> DispatchResult:
    """Send the pending items whose time has come; flag any found in flight.

    ``advice``: the rate tables and assumptions the review tasks' advice uses (default: the
    shipped tables and the default assumptions)."""
    result = DispatchResult()
    take_lock(uow_factory, DISPATCH_LOCK, at=now())
    try:
        _recover(uow_factory, now(), result, actor)
        with uow_factory() as uow:
            due = uow.outbox.due(now(), limit=limit)
        for item in due:
            _one(uow_factory, channels, item, now, result, actor, advice)
        if due:
            _rescore(uow_factory, now().date())  # the calls and reviews just raised, ranked
    finally:
        release_lock(uow_factory, DISPATCH_LOCK)
    return result


def _recover(uow_factory: UnitOfWorkFactory, at: dt.datetime, result: DispatchResult, actor: str) -> None:
    """Items left in flight by a crash: flag for review with a task, never resend blindly."""
    with uow_factory() as uow:
        for item in uow.outbox.with_status(OutboxStatus.IN_FLIGHT):
            assert item.id is not None
            reason = (
                f"the dispatcher stopped while doing '{item.step}' ({item.action}) for {item.customer_id}: "
                "check whether it went out before sending it again"
            )
            uow.outbox.mark(item.id, OutboxStatus.REVIEW, at=at, error="found in flight after a stop")
            uow.tasks.add_many(
                [Task(TaskKind.IN_FLIGHT, item.customer_id, item.currency, at.date(), reason, key=item.key)]
            )
            uow.activities.add_many(
                [Activity("outbox_review", at, actor, item.customer_id, reason, data={"key": item.key})]
            )
            result.review.append(item.key)
            result.statuses[item.key] = OutboxStatus.REVIEW.value
        uow.commit()


def _one(
    uow_factory: UnitOfWorkFactory,
    channels: Mapping[str, Channel],
    item: OutboxItem,
    now: Callable[[], dt.datetime],
    result: DispatchResult,
    actor: str,
    advice: AdviceInputs | None = None,
) -> None:
    assert item.id is not None
    invoices = tuple(line["number"] for line in item.payload.get("invoices", ()))
    if item.action == Action.CALL or item.action in REVIEWS:
        _task(uow_factory, item, invoices, now(), result, actor, advice)
        return
    later = _outside_window(item, now())
    if later is not None:
        with uow_factory() as uow:
            uow.outbox.mark(
                item.id, OutboxStatus.PENDING, at=now(), error="outside the sending window", not_before=later
            )
            uow.commit()
        result.statuses[item.key] = "waiting"
        return
    channel = channels.get(item.action)
    if channel is None:
        _finish(uow_factory, item, OutboxStatus.FAILED, now(), f"no channel for {item.action}", result, actor)
        return
    with uow_factory() as uow:
        current = uow.outbox.get(item.id)
        if current is None or current.status is not OutboxStatus.PENDING:
            return  # someone else took it
        uow.outbox.mark(item.id, OutboxStatus.IN_FLIGHT, at=now(), attempts=item.attempts + 1)
        uow.commit()
    try:
        receipt = channel.send(item)
    except TransientChannelError as error:
        attempts = item.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            reason = f"gave up after {attempts} attempts: {error}"
            _finish(uow_factory, item, OutboxStatus.FAILED, now(), reason, result, actor)
            return
        at = now()
        with uow_factory() as uow:
            wait = BACKOFF * (2 ** (attempts - 1))
            uow.outbox.mark(item.id, OutboxStatus.PENDING, at=at, error=str(error), not_before=at + wait)
            uow.commit()
        result.retrying.append(item.key)
        result.statuses[item.key] = "retrying"
        return
    except PermanentChannelError as error:
        _finish(uow_factory, item, OutboxStatus.FAILED, now(), str(error), result, actor)
        return
    at = now()
    with uow_factory() as uow:
        uow.outbox.mark(item.id, OutboxStatus.SENT, at=at)
        uow.activities.add_many(
            [
                Activity(
                    item.action,
                    at,
                    actor,
                    item.customer_id,
                    receipt.summary,
                    invoices=invoices,
                    document=receipt.document or f"outbox:{item.key}",
                    data={"key": item.key, "step": item.step, **receipt.data},
                )
            ]
        )
        uow.commit()
    result.sent.append(item.key)
    result.statuses[item.key] = OutboxStatus.SENT.value


def _outside_window(item: OutboxItem, now: dt.datetime) -> dt.datetime | None:
    """When a message may not go out now (the customer's local hours), the start of its next window."""
    window, zone = item.payload.get("window"), item.payload.get("time_zone") or "UTC"
    if not window:
        return None
    start, end = int(window[0]), int(window[1])
    local = now.astimezone(ZoneInfo(zone))
    if start <= local.hour < end:
        return None
    day = local.date() if local.hour < start else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(start), tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def _task(
    uow_factory: UnitOfWorkFactory,
    item: OutboxItem,
    invoices: tuple[str, ...],
    at: dt.datetime,
    result: DispatchResult,
    actor: str,
    advice: AdviceInputs | None = None,
) -> None:
    """A call or a review becomes a task for a person, in the transaction that marks it done."""
    assert item.id is not None
    kind = TaskKind.CALL if item.action == Action.CALL else TaskKind.REVIEW
    what = (
        "call the customer" if kind is TaskKind.CALL else f"decide on {item.action.removeprefix('review_')}"
    )
    total = f"{item.payload.get('overdue', '')} {item.currency} overdue".strip()
    reason = f"{item.step}: {what} ({total})"
    with uow_factory() as uow:
        data: dict[str, Any] = {"recipients": item.payload.get("recipients", [])}
        if kind is TaskKind.REVIEW:
            found = _advice(uow, item, advice)
            if found is not None:
                data["advice"] = advice_json(found)
                reason = f"{reason}; {summary(found)}"
        uow.tasks.add_many(
            [
                Task(
                    kind,
                    item.customer_id,
                    item.currency,
                    item.as_of,
                    reason,
                    key=item.key,
                    step=item.step,
                    invoices=invoices,
                    data=data,
                )
            ]
        )
        uow.outbox.mark(item.id, OutboxStatus.SENT, at=at)
        uow.activities.add_many(
            [
                Activity(
                    f"{kind}_task",
                    at,
                    actor,
                    item.customer_id,
                    reason,
                    invoices=invoices,
                    data={"key": item.key},
                )
            ]
        )
        uow.commit()
    result.sent.append(item.key)
    result.statuses[item.key] = "task"


@dataclass(frozen=True)
class AdviceInputs:
    """What the advice in review tasks is computed with."""

    rates: RateBook
    assumptions: Assumptions


def _advice(uow: UnitOfWork, item: OutboxItem, inputs: AdviceInputs | None) -> Advice | None:
    """The end-of-the-ladder advice for a review task."""
    rates, assumptions = (inputs.rates, inputs.assumptions) if inputs else (_rates(), None)
    try:
        found = advise_customer(uow, item.customer_id, item.as_of, rates=rates, assumptions=assumptions)
    except DomainError:
        return None
    return next((a for a in found if a.currency == item.currency), None)


@functools.cache
def _rates() -> RateBook:
    return load_rate_book(None)


def _finish(
    uow_factory: UnitOfWorkFactory,
    item: OutboxItem,
    status: OutboxStatus,
    at: dt.datetime,
    reason: str,
    result: DispatchResult,
    actor: str,
) -> None:
    assert item.id is not None
    with uow_factory() as uow:
        uow.outbox.mark(item.id, status, at=at, error=reason)
        text = f"{item.action} for {item.step} failed: {reason}"
        uow.activities.add_many(
            [Activity("send_failed", at, actor, item.customer_id, text, data={"key": item.key})]
        )
        uow.commit()
    result.failed.append(item.key)
    result.statuses[item.key] = status.value
