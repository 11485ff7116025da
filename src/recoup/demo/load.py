"""Writing a generated ledger into a store through the same services as an import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from recoup.demo.generator import Batch
from recoup.domain.activity import Activity
from recoup.services import ledger
from recoup.services.ports import UnitOfWorkFactory


@dataclass
class Loaded:
    customers: int = 0
    contacts: int = 0
    invoices: int = 0
    payments: int = 0


def load(
    uow_factory: UnitOfWorkFactory,
    batches: Iterable[Batch],
    *,
    at: dt.datetime,
    progress: Callable[[Loaded], None] | None = None,
) -> Loaded:
    """Store every batch, one transaction per batch; payments are applied like imported ones."""
    done = Loaded()
    for batch in batches:
        with uow_factory() as uow:
            uow.customers.add_many(batch.customers)
            uow.contacts.add_many(batch.contacts)
            uow.invoices.add_many(batch.invoices)
            per_customer: dict[str, list[str]] = {}
            for inv in batch.invoices:
                per_customer.setdefault(inv.customer_id, []).append(inv.number)
            uow.activities.add_many(
                [
                    Activity(
                        "invoices",
                        at,
                        "demo",
                        cid,
                        f"{len(numbers)} invoice(s) created by the demo generator",
                        invoices=tuple(numbers),
                    )
                    for cid, numbers in per_customer.items()
                ]
            )
            ledger.record_payments(uow, batch.payments, at=at, actor="demo")
            uow.commit()
        done.customers += len(batch.customers)
        done.contacts += len(batch.contacts)
        done.invoices += len(batch.invoices)
        done.payments += len(batch.payments)
        if progress:
            progress(done)
    return done
