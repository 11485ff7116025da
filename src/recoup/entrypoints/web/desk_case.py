"""The customer page's read model: one case file on one screen.

``case_view`` reads a customer's records with a fixed number of queries (the customer, its open
invoices, contacts, payments, the arrangements in force, open tasks, the latest log entries, the
checklist of each currency with open items), whatever the size of the ledger, and gives the
template plain values: balances per currency, each open item with its states, the timeline with
links to stored copies, the checklist, the gated steps waiting, and the case version every form
carries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from recoup.domain.activity import Activity
from recoup.domain.cases import DISPUTE_OUTCOMES, DISPUTE_REASONS, Dispute, Hold, PaymentPlan, Promise
from recoup.domain.checklist import QUESTION_IDS
from recoup.domain.contact_log import ContactKind, Outcome, Reason
from recoup.domain.customers import Customer
from recoup.domain.errors import NotFoundError
from recoup.domain.invoices import Invoice
from recoup.domain.tasks import Task, TaskKind
from recoup.domain.users import User
from recoup.policy.model import Policy
from recoup.services import versions
from recoup.services.ports import UnitOfWork
from recoup.services.reports import customer_overview
from recoup.services.worklist import ChecklistRow, checklist_view

TIMELINE = 200
"""Log entries shown at first; the page offers the whole timeline on request."""

COPY_LABELS = {"eml": "Email as sent", "pdf": "PDF letter", "txt": "Message as recorded"}
STATE_ORDER = ("disputed", "in plan", "promised", "on hold", "overdue", "open")


@dataclass(frozen=True)
class Item:
    """An open invoice as the page shows it: its states, most telling first."""

    invoice: Invoice
    days_past_due: int
    states: tuple[str, ...]
    dispute: Dispute | None


@dataclass(frozen=True)
class Entry:
    """A timeline entry, with the stored copies it links to as (label, reference)."""

    activity: Activity
    copies: tuple[tuple[str, str], ...]


@dataclass
class CaseView:
    customer: Customer
    as_of: dt.date
    version: int
    balances: dict[str, tuple[Any, Any]]
    unapplied: dict[str, Any]
    items: list[Item]
    contacts: list[Any]
    promises: list[Promise]
    plans: list[PaymentPlan]
    disputes: list[Dispute]
    holds: list[Hold]
    tasks: list[Task]
    timeline: list[Entry]
    more: bool
    checklists: dict[str, list[ChecklistRow]]
    approvable: list[str]
    currencies: list[str]
    vocab: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def on_hold(self) -> Hold | None:
        return next((h for h in self.holds if h.active_on(self.as_of)), None)

    @property
    def waiting(self) -> list[Task]:
        """Open tasks for a gated step: a checklist to complete or a step to approve."""
        return [t for t in self.tasks if t.kind in (TaskKind.APPROVAL, TaskKind.CHECKLIST)]


def copies_of(entry: Activity) -> tuple[tuple[str, str], ...]:
    """The stored documents an entry refers to: its own copy and any attachments (``sha256:`` refs)."""
    found: list[tuple[str, str]] = []
    if entry.document.startswith("sha256:"):
        suffix = entry.document.rsplit(".", 1)[-1]
        found.append((COPY_LABELS.get(suffix, f"Stored copy ({suffix})"), entry.document))
    for attachment in entry.data.get("attachments") or ():
        if isinstance(attachment, dict) and str(attachment.get("document", "")).startswith("sha256:"):
            found.append((str(attachment.get("name") or "attachment"), str(attachment["document"])))
    return tuple(found)


def _covers(record: Promise | PaymentPlan, invoice: Invoice) -> bool:
    if record.invoices:
        return invoice.number in record.invoices
    return record.currency == invoice.currency


def item_states(
    invoice: Invoice,
    as_of: dt.date,
    *,
    disputes: list[Dispute],
    promises: list[Promise],
    plans: list[PaymentPlan],
    on_hold: bool,
) -> tuple[str, ...]:
    found = set()
    if any(d.invoice_number == invoice.number for d in disputes):
        found.add("disputed")
    if any(_covers(p, invoice) for p in plans):
        found.add("in plan")
    if any(_covers(p, invoice) for p in promises):
        found.add("promised")
    if on_hold:
        found.add("on hold")
    found.add("overdue" if invoice.is_overdue(as_of) else "open")
    return tuple(s for s in STATE_ORDER if s in found)


def case_view(
    uow: UnitOfWork, customer_id: str, as_of: dt.date, *, policy: Policy, everything: bool = False
) -> CaseView:
    overview = customer_overview(uow, customer_id, as_of, timeline=1 if everything else TIMELINE + 1)
    customer = overview.customer
    ids = [customer.id]
    promises = uow.promises.open_for(ids)
    plans = uow.plans.open_for(ids)
    disputes = uow.disputes.open_for(ids)
    holds = [h for h in uow.holds.open_for(ids) if h.released_on is None and h.until >= as_of]
    on_hold = any(h.active_on(as_of) for h in holds)
    by_invoice = {d.invoice_number: d for d in disputes}
    items = [
        Item(
            inv,
            max(0, inv.days_past_due(as_of)),
            item_states(inv, as_of, disputes=disputes, promises=promises, plans=plans, on_hold=on_hold),
            by_invoice.get(inv.number),
        )
        for inv in sorted(overview.open_invoices, key=lambda i: (i.currency, i.due_date, i.number))
    ]
    logged = overview.timeline
    if everything:
        logged = uow.activities.for_customer(customer.id)
    more = not everything and len(logged) > TIMELINE
    currencies = sorted({i.currency for i in overview.open_invoices}) or [customer.currency]
    return CaseView(
        customer=customer,
        as_of=as_of,
        version=versions.version(uow, customer.id),
        balances=overview.balances,
        unapplied=overview.unapplied,
        items=items,
        contacts=overview.contacts,
        promises=promises,
        plans=plans,
        disputes=disputes,
        holds=holds,
        tasks=sorted(uow.tasks.open(customer_ids=ids), key=lambda t: (t.due, t.id or 0)),
        timeline=[Entry(a, copies_of(a)) for a in (logged if everything else logged[:TIMELINE])],
        more=more,
        checklists={cur: checklist_view(uow, customer.id, cur, as_of) for cur in currencies},
        approvable=[s.id for s in policy.steps if s.needs_approval],
        currencies=currencies,
        vocab=VOCABULARY,
    )


VOCABULARY: dict[str, tuple[str, ...]] = {
    "contact_kinds": (ContactKind.CALL.value, ContactKind.VISIT.value),
    "outcomes": tuple(o.value for o in Outcome),
    "reasons": tuple(r.value for r in Reason),
    "dispute_reasons": DISPUTE_REASONS,
    "dispute_outcomes": DISPUTE_OUTCOMES,
    "questions": QUESTION_IDS,
}


def document_allowed(uow: UnitOfWork, customer_id: str, ref: str) -> bool:
    """Whether ``ref`` is a copy on this customer's timeline (its own entries only)."""
    return any(ref in {r for _, r in copies_of(a)} for a in uow.activities.for_customer(customer_id))


def customer_or_404(uow: UnitOfWork, customer_id: str, user: User) -> Customer:
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise NotFoundError(f"no customer {customer_id!r}")
    user.require_sees(customer.id, customer.sales_owner)
    return customer
