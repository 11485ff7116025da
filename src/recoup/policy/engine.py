"""The engine: one pure function from a case's snapshot to the day's actions.

``decide(snapshot, policy, as_of, calendar)`` applies the rules of DESIGN.md
("The collection case") in this order:

1. Arrangements are looked at first: a promise kept or broken, a plan
   completed or defaulted, a settlement paid or lapsed become events (and a
   task when something broke). What is still in force pauses its items:
   disputed, promised, in a plan, under a settlement. A hold pauses the case.
2. No action on a weekend or a public holiday of the customer's country: the
   steps that fell due wait for the next business day (rule 7).
3. For each item still chased, the step due is the highest step of the
   ladder reached by its days past due that it has not taken yet (rule 3).
   A gated step (checklist, approval) that is not cleared raises a task and
   waits; the highest step below it that can be taken is taken instead. Lower
   steps passed over are recorded as skipped (rule 2).
4. Cadence: no message closer than ``min_gap_days`` to the last one, no call
   closer than ``call_gap_days``; consumers get the consumer guard (rule 6).
5. Consolidation: one action per case and channel, led by the highest step
   due and listing every item chased, paused items shown as such (rule 4).
6. Legal guards (``snapshot.barred_on``, from ``law.limitation``): an item whose
   claim is time-barred is never taken to a step that threatens legal action if
   the debtor is a consumer (litigation or agency review, the demand letter: Reg F
   §1006.26, CONC 7.15); such a message leaves the item out, and no message to a
   consumer announces such a step. A time-barred business item is never sent to
   litigation review; it raises a review task naming the rule instead.

Re-running on the same day gives nothing new (rule 1), because every step an
invoice takes is recorded and the cadence counts what was just planned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from recoup.domain.cases import PlanStatus, PromiseStatus, SettlementStatus
from recoup.domain.customers import Contact, ContactRole
from recoup.domain.ladder import StepRecord, StepStatus
from recoup.domain.money import Money
from recoup.domain.tasks import Task, TaskKind
from recoup.policy.model import REVIEWS, Action, Policy, Step
from recoup.policy.snapshot import CaseSnapshot, Decision, Diagnostic, Event, Item, PlannedAction

CONSUMER_HOURS = (8, 21)
"""Consumer guard: messages only between 08:00 and 21:00 the debtor's local time."""
CONSUMER_QUIET_DAYS = 7
"""Consumer guard: no call within seven days after a conversation, at most N attempts in seven days."""

CHANNELS = (
    Action.EMAIL,
    Action.LETTER,
    Action.NOTIFY_SALES,
    Action.CALL,
    Action.REVIEW_AGENCY,
    Action.REVIEW_LITIGATION,
    Action.REVIEW_SETTLEMENT,
    Action.REVIEW_WRITEOFF,
)


class Calendar(Protocol):
    def is_business_day(self, country: str, day: dt.date) -> bool: ...
    def next_business_day(self, country: str, day: dt.date) -> dt.date: ...


class _Case:
    """Working state of one decision: collects what ``decide`` returns."""

    def __init__(self, snap: CaseSnapshot, policy: Policy, as_of: dt.date) -> None:
        self.snap = snap
        self.policy = policy
        self.as_of = as_of
        self.key = snap.key
        self.diagnostics: list[Diagnostic] = []
        self.tasks: list[Task] = []
        self.events: list[Event] = []
        self.waiting: list[StepRecord] = []
        self.already_waiting = {
            (r.invoice_number, r.step) for r in snap.steps if r.status == StepStatus.WAITING
        }
        self.barred: set[str] = set()

    def note(self, code: str, message: str, step: str = "", invoices: Iterable[str] = ()) -> None:
        self.diagnostics.append(Diagnostic(self.key, code, message, step, tuple(invoices)))

    def task(
        self, kind: TaskKind, reason: str, *, key: str, step: str = "", invoices: Iterable[str] = ()
    ) -> None:
        assignee = self.snap.customer.sales_owner if kind is TaskKind.DISPUTE else ""
        self.tasks.append(
            Task(
                kind,
                self.key.customer_id,
                self.key.currency,
                self.as_of,
                reason,
                key=key,
                step=step,
                invoices=tuple(invoices),
                assignee=assignee,
            )
        )

    def wait(self, item: Item, step: Step) -> None:
        """Record once that the item waits at a gated step (so the run need not look at it daily)."""
        if (item.number, step.id) not in self.already_waiting:
            self.already_waiting.add((item.number, step.id))
            self.waiting.append(StepRecord(item.number, step.id, self.as_of, StepStatus.WAITING))

    def decision(self, actions: Iterable[PlannedAction] = (), steps: Iterable[StepRecord] = ()) -> Decision:
        taken = list(steps)
        settled = {(r.invoice_number, r.step) for r in taken}
        waiting = [r for r in self.waiting if (r.invoice_number, r.step) not in settled]
        return Decision(
            self.key,
            tuple(actions),
            tuple(taken + waiting),
            tuple(self.tasks),
            tuple(self.events),
            tuple(self.diagnostics),
        )


def decide(snapshot: CaseSnapshot, policy: Policy, as_of: dt.date, calendar: Calendar) -> Decision:
    """The actions due today for one case, and why anything due was not done."""
    case = _Case(snapshot, policy, as_of)
    paused = _arrangements(case)
    customer = snapshot.customer
    if any(h.active_on(as_of) for h in snapshot.holds):
        until = max(h.until for h in snapshot.holds if h.active_on(as_of))
        case.note("on_hold", f"the case is on hold until {until}")
        return case.decision()
    if not calendar.is_business_day(customer.country, as_of):
        nxt = calendar.next_business_day(customer.country, as_of)
        case.note(
            "not_business_day", f"{as_of} is not a business day in {customer.country}; steps wait for {nxt}"
        )
        return case.decision()
    items = sorted((i for i in snapshot.items if i.balance.amount > 0), key=lambda i: (i.due_date, i.number))
    for item in items:
        if item.number in paused:
            case.note(
                paused[item.number][0],
                f"{item.number} is {paused[item.number][1]}: not chased",
                "",
                [item.number],
            )
    chased = [i for i in items if i.number not in paused and i.days_past_due(as_of) >= policy.first_offset]
    if not chased:
        return case.decision()
    _limitation(case, chased)
    zero = Money.zero(snapshot.currency)
    open_total = sum((i.balance for i in chased), zero)
    if open_total.amount <= policy.tolerance:
        case.note("below_tolerance", f"{open_total} open is within the tolerance of {policy.tolerance}")
        return case.decision()
    overdue = sum((i.balance for i in chased if i.days_past_due(as_of) > 0), zero)
    due = _steps_due(case, chased, overdue)
    due = _cadence(case, due)
    return _consolidate(case, chased, paused, due, overdue, open_total, calendar)


def _arrangements(case: _Case) -> dict[str, tuple[str, str]]:
    """Events for arrangements that ended today; the items the others pause: number -> (code, state)."""
    snap, as_of, grace = case.snap, case.as_of, case.policy.promise_grace_days
    numbers = [i.number for i in snap.items]
    paused: dict[str, tuple[str, str]] = {}

    def received_since(day: dt.date) -> Money:
        return sum((m for d, m in snap.receipts if day <= d <= as_of), Money.zero(snap.currency))

    def pause(covered: Iterable[str], code: str, state: str) -> None:
        for number in covered or numbers:
            paused.setdefault(number, (code, state))

    for dispute in snap.disputes:
        paused[dispute.invoice_number] = ("disputed", f"disputed ({dispute.reason})")
    for promise in snap.promises:
        status = promise.status_on(as_of, received_since(promise.made_on), grace)
        if status is PromiseStatus.OPEN:
            pause(promise.invoices, "promised", f"promised for {promise.date}")
        elif status is PromiseStatus.KEPT:
            case.events.append(
                Event("promise_kept", case.key, promise.id, f"promise of {promise.amount} kept")
            )
        elif status is PromiseStatus.BROKEN:
            text = f"promise of {promise.amount} for {promise.date} broken: the ladder resumes"
            case.events.append(Event("promise_broken", case.key, promise.id, text))
            case.task(TaskKind.PROMISE_BROKEN, text, key=f"promise:{promise.id}", invoices=promise.invoices)
    for plan in snap.plans:
        plan_status = plan.status_on(as_of, received_since(plan.made_on), grace)
        if plan_status is PlanStatus.ACTIVE:
            pause(plan.invoices, "planned", "in a payment plan")
        elif plan_status is PlanStatus.COMPLETED:
            case.events.append(
                Event("plan_completed", case.key, plan.id, f"payment plan of {plan.total} completed")
            )
        elif plan_status is PlanStatus.DEFAULTED:
            text = f"payment plan of {plan.total} defaulted (an instalment was missed): the ladder resumes"
            case.events.append(Event("plan_defaulted", case.key, plan.id, text))
            case.task(TaskKind.PLAN_DEFAULTED, text, key=f"plan:{plan.id}", invoices=plan.invoices)
    for offer in snap.settlements:
        settlement_status = offer.status_on(as_of, received_since(offer.offered_on))
        if settlement_status is SettlementStatus.PAID:
            text = f"settlement of {offer.amount} paid: the rest is written off"
            case.events.append(Event("settlement_paid", case.key, offer.id, text))
            pause(offer.invoices, "settled", "settled")
        elif settlement_status is SettlementStatus.LAPSED:
            text = f"settlement offer of {offer.amount} lapsed on {offer.deadline}: the ladder resumes"
            case.events.append(Event("settlement_lapsed", case.key, offer.id, text))
            case.task(TaskKind.REVIEW, text, key=f"settlement:{offer.id}", invoices=offer.invoices)
        else:
            pause(offer.invoices, "settling", f"under a settlement offer until {offer.deadline}")
    return paused


THREATS = frozenset({Action.REVIEW_LITIGATION, Action.REVIEW_AGENCY})
"""Review steps that mean legal action or its threat (with the demand letter, see ``threatens``)."""


def threatens(step: Step) -> bool:
    """True for a step that threatens legal action: litigation or agency review, the demand letter."""
    return bool(THREATS & set(step.actions)) or "demand-letter" in (step.id, step.template)


def _limitation(case: _Case, chased: list[Item]) -> None:
    """Note the time-barred items; a business's raise a review task naming the rule."""
    snap, as_of = case.snap, case.as_of
    for item in chased:
        if not snap.barred(item.number, as_of):
            continue
        case.barred.add(item.number)
        rule = f" ({snap.limitation_rule})" if snap.limitation_rule else ""
        since = snap.barred_on[item.number]
        if snap.consumer:
            text = f"{item.number} is time-barred since {since}{rule}: no legal action is threatened"
            case.note("time_barred", text, "", [item.number])
            continue
        text = f"{item.number} is time-barred since {since}{rule}: decide how to go on (no litigation)"
        case.note("time_barred", text, "", [item.number])
        case.task(TaskKind.REVIEW, text, key=f"time-barred:{item.number}", invoices=[item.number])


def _forbidden(case: _Case, step: Step, item: Item) -> bool:
    """The legal guard: no threat on a time-barred consumer debt, no litigation of a time-barred one."""
    if item.number not in case.barred:
        return False
    if case.snap.consumer:
        return threatens(step)
    return Action.REVIEW_LITIGATION in step.actions


def _steps_due(case: _Case, chased: list[Item], overdue: Money) -> dict[str, tuple[Step, list[Step]]]:
    """For each chased item, the step to take today and the lower steps it passes over."""
    policy, snap, as_of = case.policy, case.snap, case.as_of
    done: dict[str, int] = {}
    for record in snap.steps:
        if record.status == StepStatus.WAITING:
            continue  # still due: a gate holds it
        try:
            rank = policy.rank(record.step)
        except KeyError:
            continue  # a step of another policy: its rank means nothing here
        done[record.invoice_number] = max(done.get(record.invoice_number, -1), rank)
    customer = snap.customer
    due: dict[str, tuple[Step, list[Step]]] = {}
    for item in chased:
        days = item.days_past_due(as_of)
        last = done.get(item.number, -1)
        pending = [
            s
            for rank, s in enumerate(policy.steps)
            if rank > last
            and s.offset <= days
            and s.applies_to(customer.kind, customer.segment)
            and overdue.amount >= s.min_overdue
            and not _forbidden(case, s, item)
        ]
        chosen: Step | None = None
        for step in reversed(pending):
            if _cleared(case, step, item):
                chosen = step
                break
        if chosen is not None:
            due[item.number] = (chosen, [s for s in pending if s.offset < chosen.offset])
    return due


def _cleared(case: _Case, step: Step, item: Item) -> bool:
    """A gated step is cleared by the checklist or an approval; until then it raises a task."""
    snap = case.snap
    if step.needs_checklist and not snap.checklist_complete:
        case.note("gated", f"{step.id} waits for the checklist", step.id, [item.number])
        case.wait(item, step)
        case.task(
            TaskKind.CHECKLIST,
            f"complete the checklist before the {step.id} step",
            key=step.id,
            step=step.id,
            invoices=[item.number],
        )
        return False
    if step.needs_approval and step.id not in snap.approvals:
        case.note("gated", f"{step.id} waits for a person's approval", step.id, [item.number])
        case.wait(item, step)
        case.task(
            TaskKind.APPROVAL,
            f"approve or refuse the {step.id} step",
            key=step.id,
            step=step.id,
            invoices=[item.number],
        )
        return False
    return True


def _cadence(case: _Case, due: dict[str, tuple[Step, list[Step]]]) -> dict[str, tuple[Step, list[Step]]]:
    """Drop the steps the cadence or the consumer guard forbids today; they stay due."""
    snap, policy, as_of = case.snap, case.policy, case.as_of

    def days_since(day: dt.date | None) -> int | None:
        return None if day is None else (as_of - day).days

    since_message = days_since(snap.last_message_on)
    message_ok = since_message is None or since_message >= policy.min_gap_days
    since_call = days_since(snap.last_call_on)
    call_ok = since_call is None or since_call >= policy.call_gap_days
    call_reason = f"the last call was {since_call} days ago (minimum {policy.call_gap_days})"
    if snap.consumer:
        recent = [d for d in snap.call_attempts if 0 <= (as_of - d).days < CONSUMER_QUIET_DAYS]
        talked = days_since(snap.last_conversation_on)
        if len(recent) >= policy.consumer_call_attempts:
            call_ok, call_reason = (
                False,
                f"consumer guard: {len(recent)} call attempts in the last seven days",
            )
        elif talked is not None and talked < CONSUMER_QUIET_DAYS:
            call_ok, call_reason = False, f"consumer guard: a conversation {talked} days ago"
    kept: dict[str, tuple[Step, list[Step]]] = {}
    for number, (step, skipped) in due.items():
        if step.is_message and not message_ok:
            gap = policy.min_gap_days
            case.note(
                "cadence", f"the last message was {since_message} days ago (minimum {gap})", step.id, [number]
            )
        elif Action.CALL in step.actions and not call_ok:
            case.note("cadence", call_reason, step.id, [number])
        else:
            kept[number] = (step, skipped)
    return kept


def _recipients(case: _Case, action: Action, step: Step) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Whom an action goes to, and who gets a copy. Consumers: only the debtor, never a copy."""
    snap = case.snap
    customer = snap.customer
    if action is Action.LETTER:
        return (customer.name,), ()
    if action is Action.NOTIFY_SALES:
        return ((customer.sales_owner,), ()) if customer.sales_owner else ((), ())
    if action in REVIEWS:
        return (), ()
    usable = [
        c for c in snap.contacts if c.valid and (c.email if action is Action.EMAIL else (c.phone or c.email))
    ]
    ordered = _by_role(usable)
    if not ordered:
        return (), ()
    if snap.consumer:
        ordered = ordered[:1]
    else:
        primary = ordered[0].role
        ordered = [c for c in ordered if c.role == primary]
    to = tuple(c.email if action is Action.EMAIL else (c.phone or c.email) for c in ordered)
    copies: tuple[str, ...] = ()
    if action is Action.EMAIL and step.copy_owner and not snap.consumer:
        copies = tuple(c.email for c in usable if c.role == ContactRole.OWNER and c.email not in to)
    return to, copies


def _by_role(contacts: list[Contact]) -> list[Contact]:
    order = {ContactRole.BILLING: 0, ContactRole.OWNER: 1, ContactRole.OTHER: 2}
    return sorted(contacts, key=lambda c: order.get(ContactRole(c.role), 3))


def _consolidate(
    case: _Case,
    chased: list[Item],
    paused: dict[str, tuple[str, str]],
    due: dict[str, tuple[Step, list[Step]]],
    overdue: Money,
    total: Money,
    calendar: Calendar,
) -> Decision:
    """One action per channel, led by the highest step due; the steps taken and skipped per item."""
    snap, policy, as_of = case.snap, case.policy, case.as_of
    by_number = {i.number: i for i in chased}
    actions: list[PlannedAction] = []
    carried: dict[tuple[Action, str], str] = {}  # (channel, invoice) -> key of the action carrying its step
    shown = tuple((n, state) for n, (_code, state) in paused.items() if n in {i.number for i in snap.items})
    for channel in CHANNELS:
        numbers = [n for n, (step, _s) in due.items() if channel in step.actions]
        if not numbers:
            continue
        lead = max((due[n][0] for n in numbers), key=lambda s: policy.rank(s.id))
        leader = min(
            (by_number[n] for n in numbers if due[n][0].id == lead.id), key=lambda i: (i.due_date, i.number)
        )
        to, copies = _recipients(case, channel, lead)
        if not to and channel not in REVIEWS:
            what = "email address" if channel is Action.EMAIL else "contact"
            if channel is Action.NOTIFY_SALES:
                case.note("no_sales_owner", "the customer has no sales owner to notify", lead.id, numbers)
                continue
            case.note("no_valid_contact", f"no valid {what} for {channel}", lead.id, numbers)
            case.task(
                TaskKind.NO_CONTACT,
                f"find a valid {what} for the customer (skip tracing): {channel} for {lead.id} cannot go out",
                key=f"{channel}",
                step=lead.id,
                invoices=numbers,
            )
            continue
        listed = chased
        if snap.consumer and case.barred and threatens(lead):
            listed = [i for i in chased if i.number not in case.barred]  # legal guard
        next_step, next_on, next_kind = _next(
            case, lead, leader, calendar, barred=bool(case.barred & {i.number for i in listed})
        )
        hours = (max(policy.send_from, CONSUMER_HOURS[0]), min(policy.send_until, CONSUMER_HOURS[1]))
        action = PlannedAction(
            case=case.key,
            step=lead.id,
            action=channel,
            cycle=leader.number,
            invoices=tuple(i.number for i in listed),
            shown=shown,
            recipients=to,
            copies=copies,
            tone=lead.tone,
            template=lead.template,
            attach=lead.attach,
            total=total if listed is chased else sum((i.balance for i in listed), Money.zero(total.currency)),
            overdue=overdue if listed is chased else _overdue(listed, as_of, total.currency),
            next_step=next_step,
            next_on=next_on,
            next_kind=next_kind,
            consumer=snap.consumer,
            window=hours if snap.consumer else (policy.send_from, policy.send_until),
        )
        actions.append(action)
        for n in numbers:
            carried[(channel, n)] = action.key
    records: list[StepRecord] = []
    for number, (step, skipped) in due.items():
        if _misses_customer(step, number, carried):
            continue  # a message of the step could not go out: the step stays due
        first = next((carried[(a, number)] for a in step.actions if (a, number) in carried), None)
        if first is None:
            continue
        records.append(StepRecord(number, step.id, as_of, StepStatus.TAKEN, first))
        records += [StepRecord(number, s.id, as_of, StepStatus.SKIPPED) for s in skipped]
        if skipped:
            names = ", ".join(s.id for s in skipped)
            case.note("caught_up", f"{number}: {names} passed over for {step.id}", step.id, [number])
    return case.decision(actions, records)


def _misses_customer(step: Step, number: str, carried: dict[tuple[Action, str], str]) -> bool:
    """True when an email or letter of the step was not planned for the item."""
    return any((a, number) not in carried for a in step.actions if a in (Action.EMAIL, Action.LETTER))


def _overdue(items: list[Item], as_of: dt.date, currency: str) -> Money:
    return sum((i.balance for i in items if i.days_past_due(as_of) > 0), Money.zero(currency))


def _next(
    case: _Case, lead: Step, leader: Item, calendar: Calendar, *, barred: bool = False
) -> tuple[str, dt.date | None, str]:
    """The next step the customer may be told about, its date (moved to a business day) and its kind.

    A consumer with a time-barred item listed is never told of a step that threatens legal action.
    """
    policy, customer = case.policy, case.snap.customer
    for step in policy.steps[policy.rank(lead.id) + 1 :]:
        if not step.applies_to(customer.kind, customer.segment):
            continue
        if barred and case.snap.consumer and threatens(step):
            continue
        if case.snap.consumer and step.needs_approval:
            return "", None, ""  # never announce to a consumer a step nobody has decided on
        day = leader.due_date + dt.timedelta(days=step.offset)
        return step.id, calendar.next_business_day(customer.country, max(day, case.as_of)), step.kind
    return "", None, ""
