"""Paged, filtered lists of customers, invoices, payments, the activity log and tasks.

Each function checks its filters (a bad one is an ``InvalidInputError`` naming
it), asks the store for one page and the count of everything that matches
(``uow.listings``: set-based SQL), and returns ``(rows, total)``. ``offset`` is
where the page starts, ``limit`` its size (1 to ``MAX_LIMIT``). Money is never
summed across currencies: a customer's balances are per currency.

``sales_owner`` keeps what belongs to the customers that email owns; the API
passes the signed-in sales user's email, so a sales user only lists its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from recoup.domain.activity import Activity
from recoup.domain.customers import Customer
from recoup.domain.errors import DomainError, InvalidInputError
from recoup.domain.invoices import Invoice, InvoiceStatus
from recoup.domain.money import Money, check_currency
from recoup.domain.payments import Payment
from recoup.domain.tasks import Task, TaskKind, TaskStatus
from recoup.services.ports import UnitOfWork

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
CUSTOMER_ORDERS = ("id", "name")


@dataclass(frozen=True, slots=True)
class Balance:
    """What a customer owes in one currency: everything open, and the part past its due date."""

    open: Money
    overdue: Money


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """A customer of the list with its balances per currency (currencies in code order; none when
    nothing is open)."""

    customer: Customer
    balances: dict[str, Balance]


def _page(offset: int, limit: int) -> None:
    if offset < 0:
        raise InvalidInputError(f"offset {offset} is negative; pages start at 0", field="offset")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInputError(f"limit {limit} is out of range 1-{MAX_LIMIT}", field="limit")


def _currency(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return check_currency(code.strip().upper())
    except DomainError as exc:
        raise InvalidInputError(str(exc), field="currency") from None


def _choice(value: str | None, options: Collection[str], field: str) -> str | None:
    if not value:
        return None
    if value not in options:
        raise InvalidInputError(f"{field} {value!r} is not one of {', '.join(options)}", field=field)
    return value


def _text(value: str | None, field: str, max_len: int = 200) -> str | None:
    value = (value or "").strip()
    if len(value) > max_len:
        raise InvalidInputError(f"{field} is longer than {max_len} characters", field=field)
    return value or None


def customers(
    uow: UnitOfWork,
    as_of: dt.date,
    *,
    q: str | None = None,
    country: str | None = None,
    sales_owner: str | None = None,
    overdue_only: bool = False,
    order: str = "id",
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
) -> tuple[list[CustomerRow], int]:
    """Customers whose id or name contains ``q`` (without case), in ``country``, owned by
    ``sales_owner``, with something overdue on ``as_of`` when ``overdue_only``; by id or by name.

    Each row has the open and overdue balance per currency of the invoices open and issued by
    ``as_of`` (overdue: due before ``as_of``), summed in SQL for the page's customers only.
    """
    _page(offset, limit)
    code = _text(country, "country", 2)
    if code is not None and not (len(code) == 2 and code.isalpha()):
        raise InvalidInputError(f"{country!r} is not a two-letter country code", field="country")
    found, total = uow.listings.customers(
        q=_text(q, "q"),
        country=code.upper() if code else None,
        sales_owner=sales_owner,
        overdue_as_of=as_of if overdue_only else None,
        order=_choice(order, CUSTOMER_ORDERS, "order") or "id",
        offset=offset,
        limit=limit,
    )
    sums = uow.listings.balances([c.id for c in found], as_of) if found else {}
    return [
        CustomerRow(c, {cur: Balance(*pair) for cur, pair in sorted(sums.get(c.id, {}).items())})
        for c in found
    ], total


def invoices(
    uow: UnitOfWork,
    *,
    customer_id: str | None = None,
    status: str | None = None,
    currency: str | None = None,
    overdue_as_of: dt.date | None = None,
    q: str | None = None,
    sales_owner: str | None = None,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
) -> tuple[list[Invoice], int]:
    """Invoices by due date (then number): of a customer, with a status (open, paid, settled,
    written_off), in a currency, overdue on a day (open and due before it), numbered like ``q``."""
    _page(offset, limit)
    return uow.listings.invoices(
        customer_id=customer_id,
        status=_choice(status, [s.value for s in InvoiceStatus], "status"),
        currency=_currency(currency),
        overdue_as_of=overdue_as_of,
        q=_text(q, "q"),
        sales_owner=sales_owner,
        offset=offset,
        limit=limit,
    )


def payments(
    uow: UnitOfWork,
    *,
    customer_id: str | None = None,
    currency: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    unapplied_only: bool = False,
    sales_owner: str | None = None,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
) -> tuple[list[Payment], int]:
    """Payments, the latest recorded first: of a customer, in a currency, received from ``since`` to
    ``until`` (both included), only those with unapplied cash."""
    _page(offset, limit)
    if since is not None and until is not None and until < since:
        raise InvalidInputError(f"until ({until}) is before since ({since})", field="until")
    return uow.listings.payments(
        customer_id=customer_id,
        currency=_currency(currency),
        since=since,
        until=until,
        unapplied_only=unapplied_only,
        sales_owner=sales_owner,
        offset=offset,
        limit=limit,
    )


def activities(
    uow: UnitOfWork,
    customer_id: str,
    *,
    kinds: Collection[str] | None = None,
    since: dt.datetime | None = None,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
) -> tuple[list[Activity], int]:
    """A customer's activity log, newest first: of some kinds only, at or after ``since`` (UTC)."""
    _page(offset, limit)
    wanted = sorted({k.strip() for k in kinds or () if k.strip()})
    if any(len(k) > 32 for k in wanted):
        raise InvalidInputError("a kind is at most 32 characters", field="kind")
    if since is not None and since.tzinfo is None:
        raise InvalidInputError("since needs a time zone (UTC)", field="since")
    return uow.listings.activities(customer_id, kinds=wanted or None, since=since, offset=offset, limit=limit)


def tasks(
    uow: UnitOfWork,
    *,
    status: str | None = TaskStatus.OPEN.value,
    customer_id: str | None = None,
    assignee: str | None = None,
    kind: str | None = None,
    due_by: dt.date | None = None,
    sales_owner: str | None = None,
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
) -> tuple[list[Task], int]:
    """Tasks by due date (then id): open by default, of a customer, assigned to someone ('' for the
    team), of a kind, due by a day."""
    _page(offset, limit)
    return uow.listings.tasks(
        status=_choice(status, [s.value for s in TaskStatus], "status"),
        customer_id=customer_id,
        assignee=assignee,
        kind=_choice(kind, [k.value for k in TaskKind], "kind"),
        due_by=due_by,
        sales_owner=sales_owner,
        offset=offset,
        limit=limit,
    )
