"""The collector's worklist and the checklist of one case.

The worklist is every open task due on or before ``as_of`` (calls, checklists,
approvals, broken promises, defaulted plans, bounced contacts, missing contacts,
skip tracing, reviews, disputes, in-flight outbox items, replies), ranked by a
priority score. Each item carries what a collector needs to decide where to
start: the case's overdue balance and its oldest item, the customer's payment
history and broken promises, and the reasons behind the score.

The score is a sum of terms, each explained by one line of ``reasons``:

- amount: ``log10(1 + overdue) * 10``, with the overdue balance of the case in major
  units (EUR 10,000 overdue gives 40). Currencies are not converted: the term compares
  cases well within one currency; across currencies it is only a rough guide
  (JPY 1,000,000 scores like EUR 1,000,000).
- age: ``min(oldest days past due, 180) / 6``, at most 30.
- history: ``10 * share of the customer's paid invoices that were paid late``, at most 10.
- promises: 5 per promise the customer broke, at most 15.
- kind: broken promise 10, in-flight item 10, approval 8, checklist 6, review 6,
  call 5, dispute 5, bounced contact / no contact / skip tracing 4, others 3.
- overdue task: 1 per day the task is past its own due date, at most 10.
- limitation: 8 when one of the task's invoices (or, for a task naming none, one of the
  case's open invoices) becomes time-barred within 90 days (``law.limitation``); a reason
  "INV-x becomes time-barred on DATE (rule)" names each.

Items are sorted by score (highest first), then due date, then task id. The
score is a float: it ranks, it is never money.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from recoup.domain.cases import CaseKey
from recoup.domain.checklist import Checklist, check_question
from recoup.domain.customers import Customer
from recoup.domain.errors import NotFoundError
from recoup.domain.invoices import InvoiceStatus
from recoup.domain.money import Money, check_currency
from recoup.domain.tasks import Task, TaskKind
from recoup.law.limitation import limitation_for
from recoup.services.cases import HISTORY_KINDS, records_answers
from recoup.services.ports import UnitOfWork, WorkFacts

KIND_WEIGHTS: dict[TaskKind, int] = {
    TaskKind.PROMISE_BROKEN: 10,
    TaskKind.IN_FLIGHT: 10,
    TaskKind.APPROVAL: 8,
    TaskKind.CHECKLIST: 6,
    TaskKind.REVIEW: 6,
    TaskKind.CALL: 5,
    TaskKind.DISPUTE: 5,
    TaskKind.BOUNCED_CONTACT: 4,
    TaskKind.NO_CONTACT: 4,
    TaskKind.SKIP_TRACING: 4,
}
OTHER_KIND_WEIGHT = 3
AGE_CAP_DAYS = 180
PROMISE_POINTS, PROMISE_CAP = 5, 15
TASK_LATE_CAP = 10
LIMITATION_POINTS = 8

KIND_LABELS: dict[TaskKind, str] = {
    TaskKind.CALL: "a call to make",
    TaskKind.CHECKLIST: "a checklist to complete",
    TaskKind.APPROVAL: "a step waiting for approval",
    TaskKind.PROMISE_BROKEN: "a broken promise to follow up",
    TaskKind.PLAN_DEFAULTED: "a defaulted plan to follow up",
    TaskKind.BOUNCED_CONTACT: "a bounced contact to replace",
    TaskKind.SKIP_TRACING: "contact data to research again",
    TaskKind.REVIEW: "a review to decide",
    TaskKind.DISPUTE: "a dispute to route",
    TaskKind.NO_CONTACT: "no contact to write to",
    TaskKind.IN_FLIGHT: "a message that may have gone out",
    TaskKind.REPLY: "a reply to read",
}


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One task on the worklist, with the facts that rank it.

    Fields:
        task_id, kind, customer_id, customer_name, due, reason, step, invoices, assignee: from the task.
        currency: the case's currency (the customer's usual one for a task of the whole customer).
        overdue: open invoices of the case past due on ``as_of``.
        oldest_days_past_due: of the case's oldest overdue invoice, 0 if none.
        paid, paid_late: how many of the customer's invoices were paid, and how many of those late.
        average_days_late: of the invoices paid late, 0.0 if none.
        promises_broken: the customer's promises with status broken.
        task_days_late: days the task is past its own due date.
        score: the priority (see the module docstring); reasons: one line per term that counts.
    """

    task_id: int
    kind: TaskKind
    customer_id: str
    customer_name: str
    currency: str
    due: dt.date
    reason: str
    step: str
    invoices: tuple[str, ...]
    assignee: str
    overdue: Money
    oldest_days_past_due: int
    paid: int
    paid_late: int
    average_days_late: float
    promises_broken: int
    task_days_late: int
    score: float
    reasons: tuple[str, ...]

    @property
    def late_share(self) -> float:
        """Share of the customer's paid invoices paid late (0.0 with no history)."""
        return self.paid_late / self.paid if self.paid else 0.0


OLD_DAYS = 270
"""An open invoice younger than this cannot be within 90 days of the shortest limitation period
(two years, law.limitation), so only older ones are read for the limitation term."""


def worklist_page(
    uow: UnitOfWork,
    as_of: dt.date,
    *,
    collector: str | None = None,
    owner: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[WorkItem], int]:
    """One page of the open tasks due by ``as_of``, highest priority first, and how many there are.

    With ``collector``, only the tasks assigned to that email and the unassigned ones; with ``owner``,
    only those of the customers that sales owner owns. The order
    is the score each task was given on ``as_of`` (``rescore``, which the daily run calls); a task
    not scored that day is scored now. The items of the page are worked out afresh, so what they
    show (overdue balance, reasons) is as of now even when the order is that of the morning.
    """
    total, unscored = uow.tasks.count_ranking(due_by=as_of, scored_on=as_of, assignee=collector, owner=owner)
    if not unscored:  # the usual case after the day's run: the store pages in score order
        chosen = uow.tasks.ranking(due_by=as_of, assignee=collector, owner=owner, offset=offset, limit=limit)
    else:
        ranked = uow.tasks.ranking(due_by=as_of, assignee=collector, owner=owner)
        stale = [r.id for r in ranked if r.scored_on != as_of or r.score is None]
        fresh = {i.task_id: i.score for i in _items(uow, list(uow.tasks.get_many(stale).values()), as_of)}
        order = sorted(ranked, key=lambda r: (-fresh.get(r.id, r.score or 0.0), r.due, r.id))
        chosen = order[offset : None if limit is None else offset + limit]
    tasks = uow.tasks.get_many([r.id for r in chosen])
    items = {i.task_id: i for i in _items(uow, [tasks[r.id] for r in chosen if r.id in tasks], as_of)}
    return [items[r.id] for r in chosen if r.id in items], total


def worklist(
    uow: UnitOfWork, as_of: dt.date, *, collector: str | None = None, limit: int | None = None
) -> list[WorkItem]:
    """The open tasks due by ``as_of``, highest priority first (the first page of ``worklist_page``)."""
    return worklist_page(uow, as_of, collector=collector, limit=limit)[0]


def rescore(uow: UnitOfWork, as_of: dt.date) -> int:
    """Work out and store the score of every open task due by ``as_of``; how many were scored.

    Reads the facts of all the customers with such tasks in a few grouped queries, so the
    worklist of the day is then one ordered read."""
    ranked = uow.tasks.ranking(due_by=as_of)
    tasks = uow.tasks.get_many([r.id for r in ranked])
    items = _items(uow, list(tasks.values()), as_of)
    uow.tasks.set_scores({i.task_id: i.score for i in items}, on=as_of)
    return len(items)


def _items(uow: UnitOfWork, tasks: list[Task], as_of: dt.date) -> list[WorkItem]:
    if not tasks:
        return []
    ids = sorted({t.customer_id for t in tasks})
    customers = uow.customers.get_many(ids)
    facts = uow.queries.work_facts(ids, as_of=as_of, old_before=as_of - dt.timedelta(days=OLD_DAYS))
    return [
        _item(t, customers.get(t.customer_id), facts.get(t.customer_id, WorkFacts()), as_of) for t in tasks
    ]


def _item(task: Task, customer: Customer | None, facts: WorkFacts, as_of: dt.date) -> WorkItem:
    currency = task.currency or _case_currency(customer, facts)
    minor, oldest_due = facts.overdue.get(currency, (0, None))
    overdue = Money.from_minor(minor, currency)
    oldest = (as_of - oldest_due).days if oldest_due is not None else 0
    paid, late = facts.paid, facts.paid_late
    average = facts.days_late / late if late else 0.0
    promises = facts.broken
    task_late = max(0, (as_of - task.due).days)
    share = late / paid if paid else 0.0

    terms = {
        "amount": math.log10(1 + float(overdue.amount)) * 10,
        "age": min(oldest, AGE_CAP_DAYS) / 6,
        "history": 10 * share,
        "promises": min(PROMISE_POINTS * promises, PROMISE_CAP),
        "kind": KIND_WEIGHTS.get(task.kind, OTHER_KIND_WEIGHT),
        "task": min(task_late, TASK_LATE_CAP),
    }
    near = _near_limitation(task, customer, facts, currency, as_of)
    terms["limitation"] = LIMITATION_POINTS if near else 0
    reasons = [KIND_LABELS.get(task.kind, str(task.kind))]
    if overdue.amount > 0:
        reasons.append(f"{currency} {overdue.amount:,} overdue")
    if oldest > 0:
        reasons.append(f"oldest item {oldest} {_days(oldest)} past due")
    if late:
        reasons.append(f"{late} of {paid} invoices paid late, {average:.1f} days late on average")
    if promises:
        reasons.append(f"{promises} {'promise' if promises == 1 else 'promises'} broken")
    if task_late:
        reasons.append(f"task overdue by {task_late} {_days(task_late)}")
    reasons += near
    return WorkItem(
        task_id=task.id or 0,
        kind=task.kind,
        customer_id=task.customer_id,
        customer_name=customer.name if customer else "",
        currency=currency,
        due=task.due,
        reason=task.reason,
        step=task.step,
        invoices=task.invoices,
        assignee=task.assignee,
        overdue=overdue,
        oldest_days_past_due=oldest,
        paid=paid,
        paid_late=late,
        average_days_late=average,
        promises_broken=promises,
        task_days_late=task_late,
        score=sum(terms.values()),
        reasons=tuple(reasons),
    )


def _near_limitation(
    task: Task, customer: Customer | None, facts: WorkFacts, currency: str, as_of: dt.date
) -> list[str]:
    """A reason for each invoice of the task (or open overdue one of the case) barred within 90 days."""
    if customer is None:
        return []
    named = set(task.invoices)
    chosen = [
        (number, due)
        for number, cur, due in facts.old_open
        if (number in named if named else cur == currency and due < as_of)
    ]
    found = []
    for number, due in sorted(chosen, key=lambda c: (c[1], c[0])):
        limit = limitation_for(customer, due)
        if limit is not None and limit.is_near(as_of):
            found.append(f"{number} becomes time-barred on {limit.barred_on} ({limit.rule})")
    return found


def _case_currency(customer: Customer | None, facts: WorkFacts) -> str:
    """For a task of the whole customer: its usual currency if anything is overdue in it or nothing is
    overdue at all, else the first currency (alphabetically) with something overdue."""
    late = sorted(facts.overdue)
    usual = customer.currency if customer is not None else ""
    if usual and (usual in late or not late):
        return usual
    return late[0] if late else "EUR"


def _days(n: int) -> str:
    return "day" if n == 1 else "days"


def worklist_json(items: list[WorkItem]) -> list[dict[str, Any]]:
    """The worklist for scripts: money as strings, the score rounded to one decimal."""
    return [
        {
            "task": i.task_id,
            "kind": i.kind.value,
            "customer": i.customer_id,
            "name": i.customer_name,
            "currency": i.currency,
            "due": i.due.isoformat(),
            "reason": i.reason,
            "step": i.step,
            "invoices": list(i.invoices),
            "assignee": i.assignee,
            "overdue": str(i.overdue.amount),
            "oldest_days_past_due": i.oldest_days_past_due,
            "history": {
                "paid": i.paid,
                "paid_late": i.paid_late,
                "late_share": round(i.late_share, 2),
                "average_days_late": round(i.average_days_late, 1),
            },
            "promises_broken": i.promises_broken,
            "task_days_late": i.task_days_late,
            "score": round(i.score, 1),
            "reasons": list(i.reasons),
        }
        for i in items
    ]


# The checklist of one case ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChecklistRow:
    """One question of a case's checklist: answer 'yes', 'no' or None; source 'collector', 'records' or ''."""

    id: str
    text: str
    answer: str | None
    source: str


def checklist_for(uow: UnitOfWork, customer: Customer, currency: str, as_of: dt.date) -> Checklist:
    """The case's checklist: the collector's recorded answers, completed from the records.

    The records answer exactly as for the run (``services.cases.records_answers``).
    """
    case = CaseKey(customer.id, currency)
    mine = [i for i in uow.invoices.for_customer(customer.id) if i.currency == currency]
    paid = [(i.due_date, i.closed_on) for i in mine if i.status is InvoiceStatus.PAID and i.closed_on]
    since = dt.datetime.combine(as_of - dt.timedelta(days=365), dt.time(), tzinfo=dt.UTC)
    auto = records_answers(
        contacts=uow.contacts.for_customer(customer.id),
        sent_to=[i.sent_to for i in mine if i.status is InvoiceStatus.OPEN and i.sent_to],
        paid=paid,
        plan_in_force=any(p.currency == currency for p in uow.plans.open_for([customer.id])),
        history=uow.activities.recent([customer.id], HISTORY_KINDS, since),
        as_of=as_of,
    )
    return Checklist(answers=uow.checklists.answers([case]).get(case, {}), auto=auto)


def _customer(uow: UnitOfWork, customer_id: str) -> Customer:
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise NotFoundError(f"no customer {customer_id!r}")
    return customer


def case_currency(uow: UnitOfWork, customer_id: str, currency: str | None) -> str:
    """``currency`` checked, or the customer's usual currency; NotFoundError for an unknown customer."""
    customer = _customer(uow, customer_id)
    return check_currency(currency or customer.currency)


def checklist_view(uow: UnitOfWork, customer_id: str, currency: str, as_of: dt.date) -> list[ChecklistRow]:
    """The questions of the case in order, with the answer and where it comes from."""
    customer = _customer(uow, customer_id)
    checklist = checklist_for(uow, customer, check_currency(currency), as_of)
    return [
        ChecklistRow(qid, text, None if answer is None else ("yes" if answer else "no"), source)
        for qid, text, answer, source in checklist.as_rows()
    ]


def record_answers(
    uow: UnitOfWork,
    customer_id: str,
    currency: str,
    answers: dict[str, bool],
    *,
    by: str,
    at: dt.datetime,
) -> None:
    """Record the collector's answers to the case's checklist (the caller commits)."""
    _customer(uow, customer_id)
    case = CaseKey(customer_id, check_currency(currency))
    for question, value in answers.items():
        uow.checklists.record(case, check_question(question), value, by=by, at=at)


def checklist_json(
    customer_id: str, currency: str, as_of: dt.date, rows: list[ChecklistRow]
) -> dict[str, Any]:
    return {
        "customer": customer_id,
        "currency": currency,
        "as_of": as_of.isoformat(),
        "complete": all(r.answer is not None for r in rows),
        "missing": [r.id for r in rows if r.answer is None],
        "questions": [{"id": r.id, "text": r.text, "answer": r.answer, "source": r.source} for r in rows],
    }
