"""The worklist warns 90 days before a claim becomes time-barred: fake, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from builders import customer, given, invoice
from recoup.domain.tasks import Task, TaskKind
from recoup.services.ports import UnitOfWorkFactory
from recoup.services.worklist import worklist

AS_OF = dt.date(2026, 11, 23)


def test_a_task_whose_invoice_becomes_time_barred_within_90_days_is_warned_and_ranked_higher(
    uow_factory: UnitOfWorkFactory,
) -> None:
    given(
        uow_factory,
        customer("OLD"),
        customer("NEW"),
        invoice("O-1", customer="OLD", amount="500.00", issued="2023-01-01", due="2023-02-15"),
        invoice("N-1", customer="NEW", amount="500.00", issued="2023-12-01", due="2024-02-15"),
    )
    with uow_factory() as uow:
        uow.tasks.add_many(
            [
                Task(TaskKind.REVIEW, "OLD", "EUR", AS_OF, "decide", invoices=("O-1",)),
                Task(TaskKind.REVIEW, "NEW", "EUR", AS_OF, "decide"),
            ]
        )
        uow.commit()
        items = {i.customer_id: i for i in worklist(uow, AS_OF)}
    old, new = items["OLD"], items["NEW"]
    warning = "O-1 becomes time-barred on 2027-01-01 (DE: 3 years from the end of the year"
    assert any(r.startswith(warning) for r in old.reasons)
    assert not any("time-barred" in r for r in new.reasons)
    # same amount; O-1 is older (age capped at 180 days) and its claim runs out within 90 days
    assert round(old.score - new.score, 6) == 8
