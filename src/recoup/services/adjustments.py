"""Closing invoices without money: a write-off, or the rest of a paid settlement.

The open balance becomes an allocation of kind ``write_off`` (or
``settlement``), so an invoice's balance is still its amount minus everything
applied to it, and aging on an earlier day still shows what was open then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from recoup.domain.activity import Activity
from recoup.domain.errors import InvalidValueError, NotFoundError
from recoup.domain.invoices import InvoiceStatus
from recoup.domain.payments import Allocation, AllocationKind
from recoup.services.ledger import Applied, _OpenBook
from recoup.services.ports import UnitOfWork


def close_invoices(
    uow: UnitOfWork,
    numbers: Sequence[str],
    *,
    on: dt.date,
    settled: bool,
    reason: str,
    at: dt.datetime,
    actor: str,
) -> list[Allocation]:
    """Write off the open balance of ``numbers`` (as settled when ``settled``); log one entry per customer."""
    if not reason.strip():
        raise InvalidValueError("a write-off needs a reason")
    found = uow.invoices.get_many(numbers)
    missing = [n for n in numbers if n not in found]
    if missing:
        raise NotFoundError(f"no invoice {', '.join(missing)}")
    still_open = [found[n] for n in numbers if found[n].status is InvoiceStatus.OPEN]
    if not still_open:
        return []
    kind = AllocationKind.SETTLEMENT if settled else AllocationKind.WRITE_OFF
    book = _OpenBook(uow, {i.customer_id for i in still_open})
    applied = Applied()
    for inv in still_open:
        book.apply(inv.customer_id, inv.open_balance, [inv.number], kind, reason[:140], on, applied)
    uow.invoices.change_many(book.changes())
    uow.invoices.add_adjustments(applied.allocations)
    what = "settled (rest written off)" if settled else "written off"
    by_customer: dict[str, list[Allocation]] = {}
    for a in applied.allocations:
        by_customer.setdefault(found[a.invoice_number].customer_id, []).append(a)
    uow.activities.add_many(
        [
            Activity(
                "settlement" if settled else "write_off",
                at,
                actor,
                customer_id,
                f"{', '.join(f'{a.invoice_number} ({a.amount})' for a in allocs)} {what} on {on}: {reason}",
                invoices=tuple(a.invoice_number for a in allocs),
                data={"reason": reason, "amounts": {a.invoice_number: str(a.amount.amount) for a in allocs}},
            )
            for customer_id, allocs in by_customer.items()
        ]
    )
    return applied.allocations
