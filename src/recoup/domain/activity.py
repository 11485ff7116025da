"""The append-only activity log: the evidence of everything that happened.

Every action, message, call, visit, promise, dispute, payment and status
change is one entry. Entries are never edited or deleted; a correction is a
new entry that says what it corrects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from recoup.domain.errors import InvalidValueError


@dataclass(frozen=True, slots=True)
class Activity:
    """One entry of the log.

    Fields:
        kind: what happened ('import', 'payment', 'email', 'call', 'note', ...).
        at: when, timezone-aware UTC.
        actor: who did it (a user's email, 'system', 'import').
        customer_id: whose case it belongs to.
        invoices: invoice numbers concerned.
        text: a sentence a person can read.
        document: reference to a stored document (a sent message, a PDF), '' if none.
        data: structured details for machines.
        id: storage id, None before it is stored.
    """

    kind: str
    at: dt.datetime
    actor: str
    customer_id: str
    text: str
    invoices: tuple[str, ...] = ()
    document: str = ""
    data: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    id: int | None = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() != dt.timedelta(0):
            raise InvalidValueError("activity timestamps must be timezone-aware UTC")
        if not self.kind or not self.actor:
            raise InvalidValueError("an activity needs a kind and an actor")
