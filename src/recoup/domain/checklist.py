"""The questions to answer before a demand letter (practice 3, step 1: questions first).

Before a case escalates, someone should know whether the invoice reached the
right person, whether the owner or a decision maker was contacted, whether the
customer answered at all, whether late payment is a habit, whether this is the
customer's busy season and whether a payment plan was offered. The system
answers what it can from its records (``auto``); the collector answers the rest
and may overrule a record (``answers``). A policy step that needs a completed
checklist waits until every question has an answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from recoup.domain.errors import InvalidValueError

QUESTIONS: tuple[tuple[str, str], ...] = (
    ("right_recipient", "Was the invoice sent to the right person?"),
    ("owner_contacted", "Was the business owner or decision maker contacted directly?"),
    ("first_response", "Did the customer give a first response?"),
    ("pattern", "Is there a pattern of late payment?"),
    ("busy_season", "Is this a busy season for the customer?"),
    ("plan_offered", "Was a payment plan offered?"),
)
QUESTION_IDS: tuple[str, ...] = tuple(qid for qid, _ in QUESTIONS)
_TEXT = dict(QUESTIONS)

# late_pattern: how many of the most recent paid invoices are looked at, and how many late ones make a habit.
PATTERN_WINDOW = 6
PATTERN_LATE = 2
# busy_season: enough late payments to say anything, and the share in one month that stands out.
BUSY_MIN_LATE = 3
BUSY_SHARE = Fraction(3, 12)


def check_question(question_id: str) -> str:
    """``question_id`` if it is one of QUESTIONS; InvalidValueError naming the valid ids otherwise."""
    if question_id not in _TEXT:
        raise InvalidValueError(
            f"unknown checklist question {question_id!r}; the questions are {', '.join(QUESTION_IDS)}"
        )
    return question_id


@dataclass(frozen=True, slots=True)
class Checklist:
    """The answers to the questions of one case before it escalates.

    Fields:
        answers: what the collector answered, by question id; wins over ``auto``.
        auto: what the records answer, by question id (see ``auto_answers``).
    """

    answers: dict[str, bool] = field(default_factory=dict, hash=False)
    auto: dict[str, bool] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        for question_id in (*self.answers, *self.auto):
            check_question(question_id)

    def answer(self, question_id: str) -> bool | None:
        """The collector's answer if given, else the records' answer, else None."""
        check_question(question_id)
        if question_id in self.answers:
            return self.answers[question_id]
        return self.auto.get(question_id)

    def source(self, question_id: str) -> str:
        """Where the answer comes from: 'collector', 'records', or '' when unanswered."""
        check_question(question_id)
        if question_id in self.answers:
            return "collector"
        if question_id in self.auto:
            return "records"
        return ""

    @property
    def complete(self) -> bool:
        """Every question has an answer, from the collector or the records."""
        return not self.missing()

    def missing(self) -> tuple[str, ...]:
        """The ids of the questions nobody has answered yet, in the order of QUESTIONS."""
        return tuple(qid for qid in QUESTION_IDS if qid not in self.answers and qid not in self.auto)

    def with_answer(self, question_id: str, value: bool) -> Checklist:
        """A copy with the collector's answer to one question set."""
        check_question(question_id)
        return Checklist(answers={**self.answers, question_id: value}, auto=dict(self.auto))

    def as_rows(self) -> tuple[tuple[str, str, bool | None, str], ...]:
        """(id, text, answer, source) per question, in order, for display."""
        return tuple((qid, text, self.answer(qid), self.source(qid)) for qid, text in QUESTIONS)


def late_pattern(paid: Sequence[tuple[dt.date, dt.date]]) -> bool:
    """Whether paying late is a habit of this customer.

    ``paid`` holds (due_date, paid_on) for each of the customer's paid invoices, in any
    order. True when at least PATTERN_LATE (2) of the last PATTERN_WINDOW (6) invoices,
    by due date, were paid after their due date. One late invoice is an accident; two
    among the recent ones is a pattern. Older history does not count: customers change.
    """
    recent = sorted(paid, key=lambda pair: pair[0])[-PATTERN_WINDOW:]
    return sum(1 for due, paid_on in recent if paid_on > due) >= PATTERN_LATE


def busy_season(late_paid_on: Sequence[dt.date], as_of: dt.date) -> bool:
    """Whether ``as_of`` falls in the customer's busy season, judged by when it paid late before.

    ``late_paid_on`` holds the payment dates of the customer's past late payments. The
    rule: True when there are at least BUSY_MIN_LATE (3) of them and the share made in
    ``as_of``'s calendar month (any year) is at least BUSY_SHARE (3/12), three times what
    a month would get if late payments were spread evenly over the year. A customer that
    pays late mostly in one month is likely swamped then (harvest, year-end, a trade
    fair), which calls for patience or a plan rather than a harsher step.

    Dates after ``as_of`` are left out: on that day they had not happened yet.
    """
    known = [d for d in late_paid_on if d <= as_of]
    if len(known) < BUSY_MIN_LATE:
        return False
    in_month = sum(1 for d in known if d.month == as_of.month)
    return Fraction(in_month, len(known)) >= BUSY_SHARE


def auto_answers(
    *,
    invoices_sent_to_valid_billing: bool | None,
    owner_contacted: bool | None,
    responded: bool | None,
    paid: Sequence[tuple[dt.date, dt.date]],
    late_paid_on: Sequence[dt.date],
    plan_offered: bool | None,
    as_of: dt.date,
) -> dict[str, bool]:
    """The answers the records give, by question id; a None input leaves its question to the collector.

    ``pattern`` and ``busy_season`` are always answered: no payment history means no
    pattern and no known busy season.
    """
    found: dict[str, bool | None] = {
        "right_recipient": invoices_sent_to_valid_billing,
        "owner_contacted": owner_contacted,
        "first_response": responded,
        "pattern": late_pattern(paid),
        "busy_season": busy_season(late_paid_on, as_of),
        "plan_offered": plan_offered,
    }
    return {qid: value for qid, value in found.items() if value is not None}
