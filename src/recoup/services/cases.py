"""Building the snapshots of the cases that may need something today, in bulk.

The selection is set-based (``Queries.case_items``): only the cases with an
item that has reached a ladder step it has not taken, or with an arrangement
in force, are read. Everything else a snapshot needs is read with one query
per kind of record for all those cases together.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from recoup.domain.activity import Activity
from recoup.domain.cases import CaseKey
from recoup.domain.checklist import Checklist, auto_answers
from recoup.domain.customers import Contact, Customer
from recoup.domain.ladder import StepRecord, StepStatus
from recoup.law.limitation import limitation_for
from recoup.policy.model import MESSAGES, Action, Policy
from recoup.policy.snapshot import CaseSnapshot, Item
from recoup.services.policies import PolicyBook
from recoup.services.ports import UnitOfWork


def ladder_thresholds(policy: Policy, as_of: dt.date) -> list[tuple[str, dt.date]]:
    """Each step with the latest due date that has reached it on ``as_of``, in ladder order."""
    return [(s.id, as_of - dt.timedelta(days=s.offset)) for s in policy.steps]


def load_snapshots(
    uow: UnitOfWork, book: PolicyBook, as_of: dt.date, *, customers: Sequence[str] | None = None
) -> list[CaseSnapshot]:
    """The snapshots of every case that may need something on ``as_of`` (or of ``customers`` only)."""
    policies = [book.default, *book.others]
    horizon = as_of - dt.timedelta(days=min(p.first_offset for p in policies))
    arranged = _arranged_customers(uow)
    # Cases waiting at a gate are not read daily; an approval or a checklist answer brings them back.
    answered = uow.checklists.customers_answered_since(
        dt.datetime.combine(as_of - dt.timedelta(days=7), dt.time(), tzinfo=dt.UTC)
    )
    always = set(arranged) | uow.approvals.customers_with_unused() | answered
    # With one policy, only the cases behind on its ladder are read; with several, every case due.
    ladder = ladder_thresholds(book.default, as_of) if not book.others else None
    items = uow.queries.case_items(due_by=horizon, ladder=ladder, always=always, customers=customers)
    by_case: dict[CaseKey, list[Item]] = defaultdict(list)
    for inv in items:
        by_case[CaseKey(inv.customer_id, inv.currency)].append(
            Item(inv.number, inv.due_date, inv.amount, inv.open_balance, inv.sent_to)
        )
    if not by_case:
        return []
    customer_ids = sorted({k.customer_id for k in by_case})
    found = uow.customers.get_many(customer_ids)
    contacts = uow.contacts.for_customers(customer_ids)
    steps: dict[str, list[StepRecord]] = defaultdict(list)
    for record in uow.steps.for_invoices([i.number for i in items]):
        steps[record.invoice_number].append(record)
    cases = list(by_case)
    # The cadence looks back at most the longest gap of any policy.
    gap = max(max(p.min_gap_days, p.call_gap_days) for p in policies)
    since = as_of - dt.timedelta(days=gap + 1)
    last_message = uow.outbox.last_sent(cases, [a.value for a in MESSAGES], since=since)
    last_call = uow.outbox.last_sent(cases, [Action.CALL.value], since=since)
    approvals = uow.approvals.unused(cases)
    talks = _contact_history(uow, customer_ids, as_of)
    answers = uow.checklists.answers(cases)
    snapshots: list[CaseSnapshot] = []
    gated: list[int] = []
    for key, case_items in sorted(by_case.items(), key=lambda kv: (kv[0].customer_id, kv[0].currency)):
        customer = found[key.customer_id]
        records = arranged.get(key.customer_id, {})
        snap = CaseSnapshot(
            customer=customer,
            currency=key.currency,
            items=tuple(case_items),
            contacts=tuple(contacts.get(key.customer_id, ())),
            steps=tuple(r for i in case_items for r in steps.get(i.number, ())),
            promises=tuple(p for p in records.get("promises", ()) if p.currency == key.currency),
            plans=tuple(p for p in records.get("plans", ()) if p.currency == key.currency),
            disputes=tuple(
                x for x in records.get("disputes", ()) if x.invoice_number in {i.number for i in case_items}
            ),
            holds=tuple(records.get("holds", ())),
            settlements=tuple(s for s in records.get("settlements", ()) if s.currency == key.currency),
            last_message_on=last_message.get(key),
            last_call_on=_latest(last_call.get(key), talks.get(key.customer_id, {}).get("call")),
            call_attempts=tuple(talks.get(key.customer_id, {}).get("attempts", ())),
            last_conversation_on=talks.get(key.customer_id, {}).get("conversation"),
            approvals=frozenset(approvals.get(key, ())),
            **_limitations(customer, case_items),
        )
        if _at_checklist_gate(snap, book.for_customer(customer.id, customer.segment), as_of):
            gated.append(len(snapshots))
        snapshots.append(_with_receipts(uow, snap))
    if gated:
        gated_ids = sorted({snapshots[n].customer.id for n in gated})
        history = uow.queries.paid_history(gated_ids)
        since = dt.datetime.combine(as_of - dt.timedelta(days=365), dt.time(), tzinfo=dt.UTC)
        logged: dict[str, list[Activity]] = defaultdict(list)
        for entry in uow.activities.recent(gated_ids, HISTORY_KINDS, since):
            logged[entry.customer_id].append(entry)
        for n in gated:
            snap = snapshots[n]
            paid = [(due, on) for cur, due, on in history.get(snap.customer.id, ()) if cur == snap.currency]
            mine = logged.get(snap.customer.id, [])
            snapshots[n] = _with_checklist(snap, answers.get(snap.key, {}), paid, mine, as_of)
    return snapshots


def _limitations(customer: Customer, items: Sequence[Item]) -> dict[str, Any]:
    """The day each item's claim becomes time-barred and the rule (none for an unknown jurisdiction)."""
    barred: dict[str, dt.date] = {}
    rule = ""
    for item in items:
        found = limitation_for(customer, item.due_date)
        if found is not None:
            barred[item.number], rule = found.barred_on, found.rule
    return {"barred_on": barred, "limitation_rule": rule}


CONTACT_KINDS = ("call", "visit")
"""Logged contacts that count for the cadence and the consumer guard."""


def _contact_history(uow: UnitOfWork, customer_ids: list[str], as_of: dt.date) -> dict[str, dict[str, Any]]:
    """Per customer, from the logged calls and visits of the last 30 days: the last call, the call
    attempts (their days) and the last conversation."""
    since = dt.datetime.combine(as_of - dt.timedelta(days=30), dt.time(), tzinfo=dt.UTC)
    found: dict[str, dict[str, Any]] = {}
    for entry in uow.activities.recent(customer_ids, CONTACT_KINDS, since):
        day = entry.at.date()
        if day > as_of:
            continue
        mine = found.setdefault(entry.customer_id, {"attempts": []})
        if entry.kind == "call":
            mine["call"] = _latest(mine.get("call"), day)
            mine["attempts"].append(day)
        if entry.data.get("conversation") or entry.data.get("outcome") == "reached":
            mine["conversation"] = _latest(mine.get("conversation"), day)
    return found


def _latest(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return max((d for d in (a, b) if d is not None), default=None)


def _arranged_customers(uow: UnitOfWork) -> dict[str, dict[str, list]]:  # type: ignore[type-arg]
    """The records in force per customer: promises, plans, disputes, holds, settlements."""
    found: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))  # type: ignore[type-arg]
    for name in ("promises", "plans", "disputes", "holds", "settlements"):
        repo = getattr(uow, name)
        for record in repo.open_for(None):
            found[record.customer_id][name].append(record)
    return found


def _with_receipts(uow: UnitOfWork, snap: CaseSnapshot) -> CaseSnapshot:
    """Money received since the oldest arrangement in force was made (only read when there is one)."""
    starts = [p.made_on for p in snap.promises] + [p.made_on for p in snap.plans]
    starts += [s.offered_on for s in snap.settlements]
    if not starts:
        return snap
    since = min(starts)
    receipts = tuple(
        (p.date, p.amount)
        for p in uow.payments.for_customer(snap.customer.id)
        if p.amount.currency == snap.currency and p.date >= since
    )
    return CaseSnapshot(**{**_fields(snap), "receipts": receipts})


def _at_checklist_gate(snap: CaseSnapshot, policy: Policy, as_of: dt.date) -> bool:
    """True when an item has reached a step that needs the checklist and has not passed it."""
    gates = [s for s in policy.steps if s.needs_checklist]
    if not gates:
        return False
    passed = {(r.invoice_number, r.step) for r in snap.steps if r.status != StepStatus.WAITING}
    return any(
        i.days_past_due(as_of) >= g.offset and (i.number, g.id) not in passed
        for i in snap.items
        for g in gates
    )


HISTORY_KINDS = ("email", "letter", "call", "visit", "reply", "promise", "dispute", "plan")
"""Log entries that tell whether the owner was contacted and whether the customer answered."""


def records_answers(
    *,
    contacts: Sequence[Contact],
    sent_to: Sequence[str],
    paid: Sequence[tuple[dt.date, dt.date]],
    plan_in_force: bool,
    history: Sequence[Activity],
    as_of: dt.date,
) -> dict[str, bool]:
    """What the records say to the checklist; a question they cannot tell is left to the collector.

    - right_recipient: every open invoice names a valid billing contact's address;
    - owner_contacted: a message went (or was copied) to an owner contact, or a call or visit
      with an owner contact is logged;
    - first_response: a conversation, a reply, a promise or a dispute is logged;
    - pattern and busy_season: from the paid invoices (``domain.checklist``);
    - plan_offered: a plan is in force, or one was logged.
    """
    valid_billing = {c.email for c in contacts if c.valid and c.role == "billing" and c.email}
    owners = [c for c in contacts if c.role == "owner"]
    owner_addresses = {c.email for c in owners if c.email}
    owner_names = {c.name for c in owners}
    owner_contacted = responded = plan_logged = False
    for entry in history:
        if entry.kind in ("email", "letter"):
            reached = {*entry.data.get("recipients", ()), *entry.data.get("copies", ())}  # type: ignore[misc]
            owner_contacted |= bool(owner_addresses & reached)
        elif entry.kind in ("call", "visit"):
            owner_contacted |= entry.data.get("contact") in owner_names and bool(
                entry.data.get("conversation")
            )
            responded |= bool(entry.data.get("conversation")) or entry.data.get("outcome") == "reached"
        elif entry.kind in ("reply", "promise", "dispute"):
            responded = True
        elif entry.kind == "plan":
            plan_logged = True
    return auto_answers(
        invoices_sent_to_valid_billing=all(s in valid_billing for s in sent_to) if sent_to else None,
        owner_contacted=True if owner_contacted else None,
        responded=True if responded else None,
        paid=paid,
        late_paid_on=[on for due, on in paid if on > due],
        plan_offered=True if plan_in_force or plan_logged else None,
        as_of=as_of,
    )


def _with_checklist(
    snap: CaseSnapshot,
    given: dict[str, bool],
    paid: list[tuple[dt.date, dt.date]],
    history: Sequence[Activity],
    as_of: dt.date,
) -> CaseSnapshot:
    """The checklist answered by the collector, completed from the records where they can tell."""
    auto = records_answers(
        contacts=snap.contacts,
        sent_to=[i.sent_to for i in snap.items if i.sent_to],
        paid=paid,
        plan_in_force=bool(snap.plans),
        history=history,
        as_of=as_of,
    )
    checklist = Checklist(answers=given, auto=auto)
    return CaseSnapshot(**{**_fields(snap), "checklist_complete": checklist.complete})


def _fields(snap: CaseSnapshot) -> dict[str, object]:
    return {name: getattr(snap, name) for name in CaseSnapshot.__dataclass_fields__}
