"""What the ladder has done: steps taken or skipped per invoice, and the outbox.

Each invoice climbs the ladder once per cycle (a cycle ends when it is closed):
a ``StepRecord`` says a step was taken for it, or skipped because a late run
caught up with a higher one. The outbox holds every action a run planned,
under a unique key per (case, step, cycle), until the dispatcher has done it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class StepStatus(StrEnum):
    TAKEN = "taken"
    SKIPPED = "skipped"
    WAITING = "waiting"  # gated: a task asks for the checklist or an approval; becomes taken or skipped later


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One invoice's step, taken or skipped on a day.

    Fields:
        invoice_number: the invoice.
        step: the step id.
        on: the run's date.
        status: taken, skipped by a catch-up, or waiting at a gate (the only status that changes later).
        outbox_key: the outbox item that carried it ('' if skipped or a task).
    """

    invoice_number: str
    step: str
    on: dt.date
    status: StepStatus
    outbox_key: str = ""


class OutboxStatus(StrEnum):
    PENDING = "pending"  # planned, not yet sent
    IN_FLIGHT = "in_flight"  # the dispatcher took it; a crash leaves it here
    SENT = "sent"
    FAILED = "failed"  # permanently: the channel refused it, with the reason
    REVIEW = "review"  # found in flight after a crash: a person checks, it is never resent blindly
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """An action planned by a run, waiting for the dispatcher.

    Fields:
        key: unique per (case, step, cycle, action): '{customer}/{currency}/{step}/{cycle}/{action}'.
        customer_id, currency: the case.
        step: the ladder step; action: what to do (email, letter, notify_sales).
        cycle: the invoice cycle the item leads (the oldest invoice newly at this step).
        as_of: the run's date.
        payload: the planned action as data (invoices, recipients, tone, template, amounts).
        status: pending, in_flight, sent, failed, review or cancelled.
        attempts: how many times the dispatcher tried.
        not_before: the earliest moment it may be sent (UTC), None for at once.
        error: the last failure's reason.
        created_at, updated_at: UTC timestamps.
        id: storage id, None before it is stored.
    """

    key: str
    customer_id: str
    currency: str
    step: str
    action: str
    cycle: str
    as_of: dt.date
    payload: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    not_before: dt.datetime | None = None
    error: str = ""
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    id: int | None = None
