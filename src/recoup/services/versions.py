"""The version of a case, so two people editing it cannot overwrite each other.

Every change to a customer's case writes an activity, so the id of the latest
activity is the case's version. A form or an API call carries the version it
was made from; ``check`` refuses the change when the case has moved on since,
saying who changed what and when, and nothing is written.
"""

from __future__ import annotations

from recoup.domain.errors import ConflictError
from recoup.services.ports import UnitOfWork


def version(uow: UnitOfWork, customer_id: str) -> int:
    return uow.activities.last_id(customer_id)


def check(uow: UnitOfWork, customer_id: str, expected: int | None) -> None:
    """Raise ConflictError when the case changed after version ``expected`` (None: no check)."""
    if expected is None:
        return
    current = uow.activities.last_id(customer_id)
    if current == expected:
        return
    latest = next(iter(uow.activities.for_customer(customer_id, limit=1)), None)
    what = (
        f": {latest.actor} recorded '{latest.text}' at {latest.at:%Y-%m-%d %H:%M} UTC"
        if latest is not None and current > expected
        else ""
    )
    raise ConflictError(
        f"customer {customer_id} changed since you opened it (version {expected}, now {current}){what}; "
        "nothing was saved: reload the case and try again"
    )
