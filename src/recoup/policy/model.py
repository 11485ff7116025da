"""The collection policy: a ladder of steps and the rules around them.

A policy is read from a TOML file (``recoup.policy.loading``); this module
holds the values. Offsets count days from an invoice's due date, negative
before it. Amounts in conditions are plain decimals in the case's currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Action(StrEnum):
    EMAIL = "email"
    LETTER = "letter"
    CALL = "call"
    NOTIFY_SALES = "notify_sales"
    REVIEW_AGENCY = "review_agency"
    REVIEW_LITIGATION = "review_litigation"
    REVIEW_SETTLEMENT = "review_settlement"
    REVIEW_WRITEOFF = "review_writeoff"


_KINDS = (
    (Action.LETTER, "letter"),
    (Action.EMAIL, "email"),
    (Action.CALL, "call"),
    (Action.REVIEW_AGENCY, "agency"),
    (Action.REVIEW_LITIGATION, "litigation"),
    (Action.REVIEW_SETTLEMENT, "settlement"),
    (Action.REVIEW_WRITEOFF, "writeoff"),
    (Action.NOTIFY_SALES, "sales"),
)

MESSAGES = frozenset({Action.EMAIL, Action.LETTER})
"""Actions that send something to the customer: the cadence guard counts these."""

REVIEWS = frozenset(
    {Action.REVIEW_AGENCY, Action.REVIEW_LITIGATION, Action.REVIEW_SETTLEMENT, Action.REVIEW_WRITEOFF}
)


class Tone(StrEnum):
    FRIENDLY = "friendly"
    FIRM = "firm"
    FORMAL = "formal"


KINDS = ("business", "consumer")


@dataclass(frozen=True, slots=True)
class Step:
    """One rung of the ladder.

    Fields:
        id: a short name, unique in the policy ('reminder-1').
        offset: days from the due date (negative before it).
        actions: what the step does (one or more of Action).
        template: the message template's name ('' for tasks).
        tone: friendly, firm or formal.
        min_overdue: the case's overdue balance must reach this to take the step (0: any).
        kinds: the customer kinds it applies to.
        segments: the segments it applies to (empty: all).
        needs_checklist: the collector's checklist must be complete first.
        needs_approval: a person must approve it for the case first.
        copy_owner: the owner contact gets a copy of the message.
        attach: documents attached ('invoice', 'terms', 'statement', 'letter').
        consumer_ok: may be taken for (and announced to) a consumer.
    """

    id: str
    offset: int
    actions: tuple[Action, ...]
    template: str = ""
    tone: Tone = Tone.FRIENDLY
    min_overdue: Decimal = Decimal(0)
    kinds: tuple[str, ...] = KINDS
    segments: tuple[str, ...] = ()
    needs_checklist: bool = False
    needs_approval: bool = False
    copy_owner: bool = False
    attach: tuple[str, ...] = ()
    consumer_ok: bool = True

    @property
    def is_message(self) -> bool:
        return any(a in MESSAGES for a in self.actions)

    @property
    def kind(self) -> str:
        """What the customer would notice of this step, for a message announcing it: 'letter',
        'email', 'call', 'agency', 'litigation', 'settlement', 'writeoff' or 'sales' (the first found,
        in that order)."""
        for action, kind in _KINDS:
            if action in self.actions:
                return kind
        return ""

    @property
    def is_gated(self) -> bool:
        return self.needs_checklist or self.needs_approval

    def applies_to(self, kind: str, segment: str) -> bool:
        if kind not in self.kinds:
            return False
        if kind == "consumer" and not self.consumer_ok:
            return False
        return not self.segments or segment in self.segments


@dataclass(frozen=True, slots=True)
class Policy:
    """A ladder of steps, in offset order, and the rules around it.

    Fields:
        name: what the policy is called ('default').
        steps: the ladder, sorted by offset; ids are unique.
        min_gap_days: no two messages to a case closer than this.
        call_gap_days: no two calls to a case closer than this.
        promise_grace_days: a promise holds until its date plus this.
        promise_max_days: a customer may promise a date at most this many days ahead (customer page).
        tolerance: an open balance at or under this (in the case's currency) is ignored.
        demand_letter_days: 30, 60 or 90: the offset of the demand letter step.
        send_from, send_until: the local hours a message may go out (consumers: 8 to 21).
        consumer_call_attempts: at most this many call attempts in seven days for a consumer.
        applies_segments, applies_customers: the customers who use this policy instead of the default.
    """

    name: str
    steps: tuple[Step, ...]
    min_gap_days: int = 5
    call_gap_days: int = 7
    promise_grace_days: int = 3
    promise_max_days: int = 30
    tolerance: Decimal = Decimal("0")
    demand_letter_days: int = 60
    send_from: int = 8
    send_until: int = 21
    consumer_call_attempts: int = 7
    applies_segments: tuple[str, ...] = ()
    applies_customers: tuple[str, ...] = ()

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def rank(self, step_id: str) -> int:
        """Position of a step on the ladder (0 is the first)."""
        for i, step in enumerate(self.steps):
            if step.id == step_id:
                return i
        raise KeyError(step_id)

    @property
    def first_offset(self) -> int:
        return self.steps[0].offset if self.steps else 0
