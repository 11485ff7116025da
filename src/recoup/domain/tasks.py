"""Tasks for people: what the engine cannot or must not do by itself.

A call to make, a checklist to complete, a step to approve, a broken promise
to follow up, a bounced contact to replace, a review to decide. Tasks feed
the collector's worklist; closing one is an entry in the activity log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from recoup.domain.errors import InvalidValueError


class TaskKind(StrEnum):
    CALL = "call"
    CHECKLIST = "checklist"
    APPROVAL = "approval"
    PROMISE_BROKEN = "promise_broken"
    PLAN_DEFAULTED = "plan_defaulted"
    BOUNCED_CONTACT = "bounced_contact"
    SKIP_TRACING = "skip_tracing"
    REVIEW = "review"
    DISPUTE = "dispute"
    NO_CONTACT = "no_contact"
    IN_FLIGHT = "in_flight"
    REPLY = "reply"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Task:
    """Something a person has to do for a case.

    Fields:
        kind: what sort of task (TaskKind).
        customer_id, currency: the case ('' currency for the whole customer).
        due: the day it should be done.
        reason: a sentence saying why.
        key: what makes it unique among the open tasks of the case (e.g. the step and cycle).
        step: the ladder step it comes from, '' if none.
        invoices: the invoice numbers concerned.
        assignee: the person's email, '' for the team.
        status: open, done or cancelled.
        data: structured details.
        id: storage id, None before it is stored.
    """

    kind: TaskKind
    customer_id: str
    currency: str
    due: dt.date
    reason: str
    key: str = ""
    step: str = ""
    invoices: tuple[str, ...] = ()
    assignee: str = ""
    status: TaskStatus = TaskStatus.OPEN
    data: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    id: int | None = None

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise InvalidValueError("a task needs a reason")

    @property
    def unique_key(self) -> str:
        """Two open tasks of one case never share this key: raising one twice is a no-op."""
        return f"{self.kind}:{self.customer_id}:{self.currency}:{self.key}"
