"""A one-case world for engine tests: the snapshot, a day's run, and its effects.

``World.run(day)`` calls the pure ``decide`` and applies what it returns the
way the run service does: steps recorded, messages and calls remembered for
the cadence, tasks kept (deduplicated by key), events kept. Tests read the
returned decision or the world's ``sent`` list of (day, step, action).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from recoup.domain.calendar import WeekendsOnly
from recoup.domain.cases import Dispute, Hold, PaymentPlan, Promise, Settlement
from recoup.domain.customers import Contact, ContactRole, Customer, CustomerKind
from recoup.domain.money import Money
from recoup.domain.tasks import Task
from recoup.policy.engine import Calendar, decide
from recoup.policy.model import MESSAGES, Action, Policy
from recoup.policy.snapshot import CaseSnapshot, Decision, Event, Item
from recoup.services.policies import default_policy


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def item(
    number: str, due: str, amount: str = "100.00", *, balance: str | None = None, currency: str = "EUR"
) -> Item:
    total = Money(amount, currency)
    return Item(number, d(due), total, Money(balance, currency) if balance is not None else total)


def business(id: str = "C1", **fields: object) -> Customer:
    fields.setdefault("sales_owner", "sam@supplier.example")
    return Customer(id=id, name=f"Customer {id} GmbH", country="DE", **fields)  # type: ignore[arg-type]


def consumer(id: str = "P1") -> Customer:
    return Customer(id=id, name="Pat Doe", kind=CustomerKind.CONSUMER, country="DE")


def people(customer_id: str = "C1") -> tuple[Contact, ...]:
    return (
        Contact(customer_id, "Bea Billing", ContactRole.BILLING, "ap@customer.example", "+49 30 1111"),
        Contact(customer_id, "Olga Owner", ContactRole.OWNER, "owner@customer.example", "+49 30 2222"),
    )


class World:
    def __init__(
        self,
        *items: Item,
        customer: Customer | None = None,
        contacts: Iterable[Contact] | None = None,
        policy: Policy | None = None,
        calendar: Calendar | None = None,
    ) -> None:
        self.customer = customer or business()
        self.snap = CaseSnapshot(
            customer=self.customer,
            currency=items[0].amount.currency if items else "EUR",
            items=tuple(items),
            contacts=tuple(contacts) if contacts is not None else people(self.customer.id),
        )
        self.policy = policy or default_policy()
        self.calendar = calendar or WeekendsOnly()
        self.sent: list[tuple[dt.date, str, str]] = []
        self.tasks: dict[str, Task] = {}
        self.events: list[Event] = []
        self.decisions: list[tuple[dt.date, Decision]] = []

    def change(self, **fields: object) -> None:
        self.snap = dataclasses.replace(self.snap, **fields)  # type: ignore[arg-type]

    def promise(self, p: Promise) -> None:
        self.change(promises=(*self.snap.promises, p))

    def plan(self, p: PaymentPlan) -> None:
        self.change(plans=(*self.snap.plans, p))

    def dispute(self, x: Dispute) -> None:
        self.change(disputes=(*self.snap.disputes, x))

    def hold(self, h: Hold) -> None:
        self.change(holds=(*self.snap.holds, h))

    def settle(self, s: Settlement) -> None:
        self.change(settlements=(*self.snap.settlements, s))

    def pay(self, on: str, number: str, amount: str) -> None:
        paid = Money(amount, self.snap.currency)
        items = tuple(
            dataclasses.replace(i, balance=i.balance - paid) if i.number == number else i
            for i in self.snap.items
        )
        self.change(items=items, receipts=(*self.snap.receipts, (d(on), paid)))

    def run(self, on: dt.date | str) -> Decision:
        day = on if isinstance(on, dt.date) else d(on)
        decision = decide(self.snap, self.policy, day, self.calendar)
        self.decisions.append((day, decision))
        replaced = {(r.invoice_number, r.step) for r in decision.steps}
        kept = tuple(r for r in self.snap.steps if (r.invoice_number, r.step) not in replaced)
        steps = kept + decision.steps  # a new record replaces a waiting one, as in storage
        last_message, last_call = self.snap.last_message_on, self.snap.last_call_on
        attempts = self.snap.call_attempts
        for action in decision.actions:
            self.sent.append((day, action.step, str(action.action)))
            if action.action in MESSAGES:
                last_message = day
            if action.action is Action.CALL:
                last_call = day
                attempts += (day,)
        for task in decision.tasks:
            self.tasks.setdefault(task.unique_key, task)
        self.events += decision.events
        ended = {e.record_id for e in decision.events}
        self.change(
            steps=steps,
            last_message_on=last_message,
            last_call_on=last_call,
            call_attempts=attempts,
            promises=tuple(p for p in self.snap.promises if p.id not in ended),
            plans=tuple(p for p in self.snap.plans if p.id not in ended),
            settlements=tuple(s for s in self.snap.settlements if s.id not in ended),
        )
        return decision

    def run_days(self, first: str, last: str) -> list[tuple[str, str, str]]:
        """Run every day from ``first`` to ``last``; the actions as (ISO day, step, action)."""
        day, end = d(first), d(last)
        before = len(self.sent)
        while day <= end:
            self.run(day)
            day += dt.timedelta(days=1)
        return [(x.isoformat(), s, a) for x, s, a in self.sent[before:]]
