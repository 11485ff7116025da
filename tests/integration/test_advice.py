"""The advice from the records, on the fake, SQLite and PostgreSQL stores."""

from __future__ import annotations

import datetime as dt

import pytest

from builders import customer, given, invoice, payment
from recoup.domain.errors import NotFoundError
from recoup.services.advice import advice_json, advise_customer
from recoup.services.ports import UnitOfWorkFactory
from recoup.services.rates import load_rate_book

AS_OF = dt.date(2026, 11, 23)


def test_a_gbp_debt_of_200_days_gets_one_advice_with_interest_and_the_court_fee(
    uow_factory: UnitOfWorkFactory,
) -> None:
    given(
        uow_factory,
        customer("UK1", country="GB"),
        invoice(
            "INV-1", customer="UK1", amount="20000.00", currency="GBP", issued="2026-04-07", due="2026-05-07"
        ),
    )
    with uow_factory() as uow:
        found = advise_customer(uow, "UK1", AS_OF, rates=load_rate_book(None))
    assert len(found) == 1
    advice = found[0]
    assert advice.currency == "GBP" and advice.days_past_due == 200
    assert advice.notes == ()  # interest and compensation were computed
    assert advice.option("litigate").assumptions["court_fee"] != "1000.00"  # 5 % of principal + interest
    data = advice_json(advice)
    assert data["balance"] == "20000.00" and data["recommended"] == advice.recommended
    assert [o["name"] for o in data["options"]] == [
        "keep_chasing",
        "offer_plan",
        "settle",
        "agency",
        "litigate",
        "write_off",
    ]


def test_a_customer_who_paid_late_before_gets_a_lower_expected_recovery(
    uow_factory: UnitOfWorkFactory,
) -> None:
    given(
        uow_factory,
        customer("GOOD"),
        customer("LATE"),
        invoice("G-0", customer="GOOD", amount="100.00", issued="2026-01-01", due="2026-01-31"),
        payment("PG", customer="GOOD", amount="100.00", on="2026-01-30", invoices=["G-0"]),
        invoice("L-0", customer="LATE", amount="100.00", issued="2026-01-01", due="2026-01-31"),
        payment("PL", customer="LATE", amount="100.00", on="2026-03-30", invoices=["L-0"]),
        invoice("G-1", customer="GOOD", amount="5000.00", issued="2026-06-01", due="2026-07-01"),
        invoice("L-1", customer="LATE", amount="5000.00", issued="2026-06-01", due="2026-07-01"),
    )
    with uow_factory() as uow:
        good = advise_customer(uow, "GOOD", AS_OF)[0]
        late = advise_customer(uow, "LATE", AS_OF)[0]
    assert late.option("keep_chasing").expected < good.option("keep_chasing").expected
    assert any("principal only" in n for n in good.notes)


def test_a_time_barred_invoice_cannot_be_litigated(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("OLD"),
        invoice("O-1", customer="OLD", amount="900.00", issued="2021-05-01", due="2021-06-01"),
    )
    with uow_factory() as uow:
        advice = advise_customer(uow, "OLD", AS_OF)[0]
    assert not advice.option("litigate").possible


def test_nothing_overdue_gives_no_advice_and_an_unknown_customer_is_an_error(
    uow_factory: UnitOfWorkFactory,
) -> None:
    given(uow_factory, customer("NEW"), invoice("N-1", customer="NEW", issued="2026-11-01", due="2026-12-01"))
    with uow_factory() as uow:
        assert advise_customer(uow, "NEW", AS_OF) == []
        with pytest.raises(NotFoundError):
            advise_customer(uow, "NOBODY", AS_OF)


def test_a_review_task_from_the_dispatcher_carries_the_advice(uow_factory: UnitOfWorkFactory) -> None:
    from recoup.adapters.channels.recording import RecordingChannel
    from recoup.domain.ladder import OutboxItem
    from recoup.domain.tasks import TaskKind
    from recoup.services.dispatch import dispatch

    given(
        uow_factory,
        customer("UK1", country="GB"),
        invoice(
            "INV-1", customer="UK1", amount="20000.00", currency="GBP", issued="2026-04-07", due="2026-05-07"
        ),
    )
    key = "UK1/GBP/agency-review/INV-1/review_agency"
    with uow_factory() as uow:
        uow.outbox.add_many(
            [
                OutboxItem(
                    key,
                    "UK1",
                    "GBP",
                    "agency-review",
                    "review_agency",
                    "INV-1",
                    AS_OF,
                    payload={"invoices": [{"number": "INV-1"}], "overdue": "20000.00"},
                )
            ]
        )
        uow.commit()
    now = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    assert dispatch(uow_factory, {"email": RecordingChannel()}, now=lambda: now).statuses == {key: "task"}
    with uow_factory() as uow:
        (task,) = uow.tasks.open(customer_ids=["UK1"])
    assert task.kind is TaskKind.REVIEW
    advice = task.data["advice"]
    assert advice["currency"] == "GBP" and advice["recommended"]
    assert "advice: " + advice["recommended"] in task.reason
    if advice["settlement_amount"]:
        assert f"settle for no less than {advice['settlement_amount']} GBP" in task.reason
