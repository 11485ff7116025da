"""A small ledger for the owner's report, every figure of which was worked out by hand.

As of Tuesday 2026-06-30, default buckets (not due, 1-30, 31-60, 61-90, 91+), 90-day period:

=====  ========  ===========  ==========  ==========  ===========================================
inv    customer  amount       issued      due         what happened
=====  ========  ===========  ==========  ==========  ===========================================
A      C1        1000.00 EUR  2026-03-01  2026-03-31  400 paid 2026-04-10; 600 open (91 days late)
B      C2         300.00 EUR  2026-05-20  2026-06-19  open (11 days late)
D      C2         200.00 EUR  2026-06-10  2026-07-10  open, not due
U1     C3         100.00 USD  2026-05-01  2026-05-31  open (30 days late)
=====  ========  ===========  ==========  ==========  ===========================================

Aging on 06-30: EUR 200 / 300 / 0 / 0 / 600 = 1100; USD 0 / 100 / 0 / 0 / 0 = 100.
Sales in the 90 days to 06-30: EUR 500 (B, D), USD 100 (U1): DSO EUR 1100/500x90 = 198.0, best
200/500x90 = 36.0, ADD 162.0; USD 90.0, best 0.0, ADD 90.0.
At the month ends before (EUR): 05-31 A 600 (61 days late) and B 300 not due, sales 300 (B; A was
issued before 03-03): DSO 270.0, ADD 180.0. 04-30 A 600 (30 days late), sales 1000: DSO 54.0, ADD
54.0. 03-31 A 1000 due that day (not due), sales 1000: DSO 90.0, ADD 0.0. Nothing before March.

Broken promises: C2 ('Beta AG') 50.00 EUR by 2026-06-10 (made 06-01), found broken 06-15: listed;
C1 20.00 EUR by 2026-03-20, found broken 03-25: more than 90 days before, not listed; C2 30.00 EUR by
2026-06-25 (made 06-20), found broken 2026-07-03: after the day, not listed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from builders import customer, day, eur, given, invoice, payment
from recoup.domain.activity import Activity
from recoup.domain.cases import PromiseStatus
from recoup.services import casework
from recoup.services.ports import UnitOfWorkFactory

AS_OF = day("2026-06-30")


def at(value: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day(value), dt.time(hour), tzinfo=dt.UTC)


def build(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1", "Alpha GmbH"),
        customer("C2", "Beta AG"),
        customer("C3", "Gamma Inc", country="US", currency="USD"),
        customer("C4", "Delta SARL", country="FR"),
        invoice("A", customer="C1", amount="1000.00", issued="2026-03-01", due="2026-03-31"),
        invoice("B", customer="C2", amount="300.00", issued="2026-05-20", due="2026-06-19"),
        invoice("D", customer="C2", amount="200.00", issued="2026-06-10", due="2026-07-10"),
        invoice("U1", customer="C3", amount="100.00", currency="USD", issued="2026-05-01", due="2026-05-31"),
        payment("P1", customer="C1", amount="400.00", on="2026-04-10", invoices=["A"]),
    )
    with uow_factory() as uow:
        for cid, number, amount, date, made, broken in [
            ("C2", "B", "50.00", "2026-06-10", "2026-06-01", "2026-06-15"),
            ("C1", "A", "20.00", "2026-03-20", "2026-03-05", "2026-03-25"),
            ("C2", "B", "30.00", "2026-06-25", "2026-06-20", "2026-07-03"),
        ]:
            promise = casework.record_promise(
                uow, cid, eur(amount), day(date), [number], at=at(made), actor="customer"
            )
            uow.promises.replace(replace(promise, status=PromiseStatus.BROKEN))
            text = f"Promise of {amount} EUR by {date} broken"
            uow.activities.add_many(
                [Activity("promise_broken", at(broken, 6), "system", cid, text, data={"record": promise.id})]
            )
        uow.commit()
