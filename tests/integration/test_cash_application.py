"""Cash application through storage (SQLite and PostgreSQL): what is stored after matching a statement.

The ledger: ACME (C1) owes INV-1001 (100.00, due 2026-01-31), INV-1002 (50.00, due 2026-02-28)
and INV-1003 (25.00, due 2026-03-31); Beta (C2) owes INV-2001 (70.00) and a USD invoice. ACME pays
from a known IBAN; Beta's IBAN is not known yet.
"""

from __future__ import annotations

import datetime as dt

import pytest

from builders import AT, customer, given, invoice
from recoup.adapters.db import bank_repos
from recoup.domain.calendar import WeekendsOnly
from recoup.domain.errors import InvalidInputError, InvalidStateError, NotFoundError
from recoup.domain.invoices import InvoiceStatus
from recoup.domain.matching import invoice_rf
from recoup.domain.money import Money
from recoup.domain.statements import LineStatus, StatementLine
from recoup.services.cash_application import apply_lines, confirm, payment_reference, review_queue
from recoup.services.policies import PolicyBook, default_policy
from recoup.services.ports import StoredLine, UnitOfWorkFactory
from recoup.services.run import plan_run

ACME_IBAN = "DE02 1203 0000 0000 2020 51"
BETA_IBAN = "FR7630006000011234567890189"


def credit(
    amount: str,
    remittance: str = "",
    *,
    iban: str = "",
    name: str = "",
    currency: str = "EUR",
    reference: str = "",
    on: str = "2026-04-02",
    seq: int = 0,
) -> StatementLine:
    return StatementLine(
        "DE89370400440532013000",
        dt.date.fromisoformat(on),
        Money(amount, currency),
        value_date=dt.date.fromisoformat(on),
        counterparty_name=name,
        counterparty_iban=iban,
        remittance=remittance,
        creditor_reference=reference,
        sequence=seq,
    )


@pytest.fixture
def store(sql_uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    given(
        sql_uow_factory,
        customer("C1", "ACME GmbH"),
        customer("C2", "Beta Ltd"),
        invoice("INV-1001", customer="C1", amount="100.00", issued="2026-01-01", due="2026-01-31"),
        invoice("INV-1002", customer="C1", amount="50.00", issued="2026-01-29", due="2026-02-28"),
        invoice("INV-1003", customer="C1", amount="25.00", issued="2026-03-01", due="2026-03-31"),
        invoice("INV-2001", customer="C2", amount="70.00", issued="2026-01-01", due="2026-01-31"),
        invoice("US-7", customer="C2", amount="70.00", currency="USD", issued="2026-01-01", due="2026-01-31"),
    )
    with sql_uow_factory() as uow:
        uow.bank.learn("DE02120300000000202051", "C1", by="tester", at=AT)
        uow.commit()
    return sql_uow_factory


def imported(store: UnitOfWorkFactory, *lines: StatementLine) -> tuple[list[StoredLine], dict[str, object]]:
    """Store the lines and match them in one transaction, as the statement import does."""
    with store() as uow:
        stored = uow.bank.add_new(list(lines), at=AT)
        result = apply_lines(uow, stored, at=AT, actor="import")
        uow.commit()
    return stored, result.as_json()


def balances(store: UnitOfWorkFactory) -> dict[str, tuple[str, str]]:
    with store() as uow:
        found = uow.invoices.get_many(["INV-1001", "INV-1002", "INV-1003", "INV-2001", "US-7"])
    return {n: (str(i.open_balance.amount), i.status.value) for n, i in found.items()}


def chased(store: UnitOfWorkFactory) -> set[str]:
    """Invoices the day's run (a dry run on 2026-04-03) would write to or call about."""
    result = plan_run(
        store,
        book=PolicyBook(default_policy()),
        calendar=WeekendsOnly(),
        as_of=dt.date(2026, 4, 3),
        at=AT,
        dry_run=True,
    )
    return {n for a in result.actions for n in a["invoices"]}


def test_a_line_naming_an_invoice_pays_it_and_the_run_stops_chasing_it(store: UnitOfWorkFactory) -> None:
    assert "INV-2001" in chased(store)
    (stored,), result = imported(store, credit("70.00", "Rechnung inv 2001", iban=BETA_IBAN, name="Beta"))
    ref = payment_reference(stored.line)
    assert result["matched"] == [stored.id] and result["amounts"] == {"matched": {"EUR": "70.00"}}
    assert balances(store)["INV-2001"] == ("0.00", InvoiceStatus.PAID.value)
    with store() as uow:
        (payment,) = uow.payments.for_customer("C2")
        (line,) = uow.bank.get_many([stored.id]).values()
        log = uow.activities.for_customer("C2")
    assert (payment.reference, payment.invoices, payment.unapplied) == (ref, ("INV-2001",), Money("0", "EUR"))
    assert (line.status, line.customer_id, line.payment_reference) == (LineStatus.MATCHED, "C2", ref)
    assert line.confidence is not None and line.confidence >= 0.9
    assert any(a.kind == "payment" and a.actor == "import" and ref in a.text for a in log)
    assert "INV-2001" not in chased(store)


def test_an_rf_reference_and_a_known_iban_with_a_sum_of_invoices_are_applied(
    store: UnitOfWorkFactory,
) -> None:
    rf = invoice_rf("INV-1003")
    assert rf is not None
    _, result = imported(
        store,
        credit("25.00", reference=rf, seq=1),
        credit("150.00", "Zahlung", iban=ACME_IBAN, seq=2),
    )
    assert len(result["matched"]) == 2  # type: ignore[arg-type]
    assert {n: b for n, (b, _) in balances(store).items() if n.startswith("INV-10")} == {
        "INV-1001": "0.00",
        "INV-1002": "0.00",
        "INV-1003": "0.00",
    }
    assert not {"INV-1001", "INV-1002", "INV-1003"} & chased(store)


def test_a_partial_payment_lowers_the_balance_and_an_overpayment_keeps_the_rest(
    store: UnitOfWorkFactory,
) -> None:
    imported(
        store,
        credit("60.00", "INV-1001 Teilzahlung", iban=ACME_IBAN, seq=1),
        credit("30.00", "INV-1003", iban=ACME_IBAN, seq=2),
    )
    assert balances(store)["INV-1001"] == ("40.00", "open")
    assert balances(store)["INV-1003"] == ("0.00", "paid")
    with store() as uow:
        payments = {p.invoices: p.unapplied for p in uow.payments.for_customer("C1")}
    assert payments == {("INV-1001",): Money("0", "EUR"), ("INV-1003",): Money("5.00", "EUR")}
    assert "INV-1001" in chased(store), "the rest of a partly paid invoice is still chased"


def test_a_known_payer_whose_amount_fits_nothing_is_kept_as_unapplied_cash(store: UnitOfWorkFactory) -> None:
    (stored,), result = imported(store, credit("33.33", iban=ACME_IBAN))
    assert result["unapplied"] == [stored.id]
    with store() as uow:
        (payment,) = uow.payments.for_customer("C1")
        (line,) = uow.bank.get_many([stored.id]).values()
    assert payment.unapplied == Money("33.33", "EUR") and payment.invoices == ()
    assert (line.status, line.customer_id) == (LineStatus.UNAPPLIED, "C1")
    assert balances(store)["INV-1001"] == ("100.00", "open")


def test_two_lines_never_pay_the_same_balance_twice(store: UnitOfWorkFactory) -> None:
    _, result = imported(
        store, credit("50.00", "INV-1002", seq=1), credit("50.00", "INV-1002", on="2026-04-03", seq=2)
    )
    assert len(result["matched"]) == 1 and len(result["review"]) == 1  # type: ignore[arg-type]
    with store() as uow:
        (second,) = review_queue(uow)
    assert second.line.booking_date == dt.date(2026, 4, 3)
    assert [s["customer_id"] for s in second.suggestions] == ["C1"]
    assert "already paid" in second.suggestions[0]["reason"]


def test_a_mixed_currency_is_refused_by_the_rules_and_by_the_collector(store: UnitOfWorkFactory) -> None:
    (stored,), result = imported(store, credit("70.00", "INV-2001", currency="USD"))
    assert result["review"] == [stored.id] and balances(store)["INV-2001"] == ("70.00", "open")
    with store() as uow, pytest.raises(InvalidInputError, match="currencies are never mixed"):
        confirm(uow, stored.id, customer_id="C2", invoices=["INV-2001"], at=AT, actor="carl")
    with store() as uow:
        assert uow.payments.for_customer("C2") == []
        (line,) = uow.bank.get_many([stored.id]).values()
        assert line.status is LineStatus.UNKNOWN


def test_a_confirmed_suggestion_is_applied_logged_and_teaches_the_payers_iban(
    store: UnitOfWorkFactory,
) -> None:
    (first,), result = imported(store, credit("70.00", "", iban=BETA_IBAN, name="BETA LTD"))
    assert result["review"] == [first.id]
    with store() as uow:
        (queued,) = review_queue(uow)
        assert queued.suggestions[0]["customer_id"] == "C2" and queued.suggestions[0]["invoices"] == [
            "INV-2001"
        ]
        done = confirm(uow, first.id, suggestion=1, at=AT, actor="carl@supplier.example")
        uow.commit()
    assert done.iban_learnt == BETA_IBAN and done.invoices == ("INV-2001",)
    assert balances(store)["INV-2001"] == ("0.00", "paid")
    with store() as uow:
        assert review_queue(uow) == []
        (line,) = uow.bank.get_many([first.id]).values()
        log = uow.activities.for_customer("C2")
        assert uow.bank.payers([BETA_IBAN]) == {BETA_IBAN: ["C2"]}
    assert (line.status, line.customer_id) == (LineStatus.MATCHED, "C2")
    confirmed = [a for a in log if a.kind == "cash_application"]
    assert len(confirmed) == 1 and confirmed[0].actor == "carl@supplier.example"
    assert "confirmed by carl@supplier.example" in confirmed[0].text
    # the next payment from that IBAN matches by itself
    (nxt,), result = imported(store, credit("70.00", iban=BETA_IBAN, currency="USD", on="2026-04-09"))
    assert result["matched"] == [nxt.id] and balances(store)["US-7"] == ("0.00", "paid")


def test_a_collector_assigns_a_line_by_hand_or_keeps_it_as_cash(store: UnitOfWorkFactory) -> None:
    (a, b), _ = imported(store, credit("80.00", "Miete", seq=1), credit("12.00", "Sonstiges", seq=2))
    with store() as uow:
        confirm(uow, a.id, customer_id="C1", invoices=["INV-1003", "INV-1001"], at=AT, actor="carl")
        confirm(uow, b.id, customer_id="C2", unapplied=True, at=AT, actor="carl")
        uow.commit()
    assert balances(store)["INV-1003"] == ("0.00", "paid") and balances(store)["INV-1001"] == (
        "45.00",
        "open",
    )
    with store() as uow:
        statuses = {s.id: s.status for s in uow.bank.get_many([a.id, b.id]).values()}
        cash = [p for p in uow.payments.for_customer("C2")]
    assert statuses == {a.id: LineStatus.MATCHED, b.id: LineStatus.UNAPPLIED}
    assert [(p.amount, p.unapplied) for p in cash] == [(Money("12.00", "EUR"), Money("12.00", "EUR"))]


def test_a_line_already_applied_is_not_applied_again(store: UnitOfWorkFactory) -> None:
    (stored,), _ = imported(store, credit("25.00", "INV-1003"))
    with store() as uow:
        again = apply_lines(uow, list(uow.bank.get_many([stored.id]).values()), at=AT, actor="import")
        assert again.matched == [] and again.review == []
        with pytest.raises(InvalidStateError, match="already matched"):
            confirm(uow, stored.id, suggestion=1, at=AT, actor="carl")
    with store() as uow:
        assert len(uow.payments.for_customer("C1")) == 1


def test_a_wrong_choice_in_the_review_queue_is_refused_and_changes_nothing(store: UnitOfWorkFactory) -> None:
    (stored,), _ = imported(store, credit("70.00", "", iban=BETA_IBAN, name="Beta"))
    with store() as uow:
        with pytest.raises(InvalidInputError, match="1 suggestion"):
            confirm(uow, stored.id, suggestion=2, at=AT, actor="carl")
        with pytest.raises(NotFoundError, match="no customer NOPE"):
            confirm(uow, stored.id, customer_id="NOPE", at=AT, actor="carl")
        with pytest.raises(InvalidInputError, match="INV-1001 is C1's"):
            confirm(uow, stored.id, customer_id="C2", invoices=["INV-1001"], at=AT, actor="carl")
        with pytest.raises(NotFoundError, match="no statement line"):
            confirm(uow, stored.id + 99, suggestion=1, at=AT, actor="carl")
    with store() as uow:
        assert [s.id for s in review_queue(uow)] == [stored.id]
        assert uow.bank.payers([BETA_IBAN]) == {}


def test_a_small_statement_looked_up_by_index_is_decided_as_the_streamed_pass_decides(
    store: UnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        credit("100.00", "Rechnung inv 1001"),
        credit("75.00", iban=ACME_IBAN, seq=1),
        credit("70.00", name="BETA LTD", seq=2),
        credit("10.00", "RE 1003 teilweise", iban=ACME_IBAN, seq=3),
        credit("50.00", reference=invoice_rf("INV-1002") or "", seq=4),
        credit("9.99", "Miete", name="Someone", seq=5),
    ]
    outcomes = []
    for limit in (bank_repos.LOOKUP_KEYS, -1):  # by index (a small batch), then the streamed pass
        monkeypatch.setattr(bank_repos, "LOOKUP_KEYS", limit)
        with store() as uow:  # left without commit: rolled back
            stored = uow.bank.add_new(lines, at=AT)
            result = apply_lines(uow, stored, at=AT, actor="import").as_json()
            after = uow.bank.get_many([s.id for s in stored]).values()
            decided = sorted((s.line.key, s.status.value, s.customer_id, s.suggestions) for s in after)
        counts = {k: len(v) for k, v in result.items() if k != "amounts"}
        outcomes.append((counts, result["amounts"], decided))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == {"matched": 2, "review": 3, "unapplied": 1, "unknown": 1, "payments": 3}
