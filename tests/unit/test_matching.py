"""The matching rules of cash application, each with its confidence, and the bounded subset-sum."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from recoup.domain import matching as m
from recoup.domain.matching import Book, Clues, Item, MatchRules, combinations, match
from recoup.domain.money import Money
from recoup.domain.statements import LineStatus, StatementLine, rf_reference

IBAN = "FR7630006000011234567890189"


def item(
    number: str, balance: str, *, customer: str = "C1", currency: str = "EUR", due: str = "2026-01-31"
) -> Item:
    day = dt.date.fromisoformat(due)
    minor = Money(balance, currency).minor
    return Item(number, customer, currency, minor, day, day - dt.timedelta(days=30))


def line(
    amount: str, remittance: str = "", *, currency: str = "EUR", reference: str = "", name: str = ""
) -> StatementLine:
    return StatementLine(
        "DE89370400440532013000",
        dt.date(2026, 11, 2),
        Money(amount, currency),
        counterparty_name=name,
        counterparty_iban=IBAN,
        remittance=remittance,
        creditor_reference=reference,
    )


def book(*items: Item) -> Book:
    return Book(items, complete={i.customer_id for i in items})


LEDGER = (
    item("INV-1001", "100.00", due="2026-01-31"),
    item("INV-1002", "50.00", due="2026-02-28"),
    item("INV-1003", "25.00", due="2026-03-31"),
    item("INV-2001", "70.00", customer="C2"),
)


# --- reading the text ---------------------------------------------------------------------------


def test_invoice_numbers_are_found_whatever_the_separators_and_case() -> None:
    for text in ("INV 1001", "inv-1001", "Inv.1001 thanks", "Rechnung INV1001", "RE: INV/1001"):
        assert "INV1001" in m.text_keys(text), text
    assert "1001" in m.text_keys("Rechnung 1001")
    assert m.number_keys("INV-2026-0042") == ("INV20260042", "20260042")
    assert m.number_keys("1001") == ("1001",)
    assert not m.text_keys("Danke schön"), "keys hold a digit"


def test_rf_references_are_read_from_the_structured_field_or_the_text_and_checked() -> None:
    assert m.rf_payloads("RF18 5390 0754 7034") == ["539007547034"]
    assert m.rf_payloads("", "Zahlung RF18539007547034 danke") == ["539007547034"]
    assert m.rf_payloads("RF19 5390 0754 7034") == [], "a wrong check digit is no reference"
    assert m.invoice_rf("INV-1001") == rf_reference("INV1001")
    assert m.rf_payloads(m.invoice_rf("INV-1001") or "") == ["INV1001"]
    assert m.invoice_rf("X" * 22) is None and m.customer_rf("ACME-DE") == rf_reference("ACMEDE")


def test_names_compare_without_case_accents_punctuation_or_legal_form() -> None:
    assert m.name_key("Müller GmbH") == m.name_key("MUELLER GMBH") == m.name_key("Mueller") == "mueller"
    assert m.name_key("ACME Ltd.") == m.name_key("Acme") == "acme"
    assert m.name_key("Dupont & Fils SARL") == "dupont fils"


# --- rule 1: invoice numbers in the remittance ----------------------------------------------------


def test_an_invoice_number_in_the_remittance_and_the_exact_amount_is_applied() -> None:
    clues = Clues(named=(("INV-1001", "number"),))
    decision = match(line("100.00", "Rechnung inv 1001"), clues, book(*LEDGER))
    assert decision.status is LineStatus.MATCHED and decision.best is not None
    assert (decision.best.customer_id, decision.best.invoices) == ("C1", ("INV-1001",))
    assert decision.best.confidence == m.NUMBER_EXACT and decision.best.kind == "exact"


def test_only_the_digits_of_a_number_are_a_little_weaker_but_still_applied() -> None:
    decision = match(line("100.00", "1001"), Clues(named=(("INV-1001", "digits"),)), book(*LEDGER))
    assert decision.status is LineStatus.MATCHED and decision.best is not None
    assert decision.best.confidence == m.DIGITS_EXACT


def test_several_numbers_paid_together_and_some_of_the_named_ones_paid() -> None:
    named = (("INV-1001", "number"), ("INV-1002", "number"), ("INV-1003", "number"))
    together = match(line("175.00"), Clues(named=named), book(*LEDGER))
    assert together.best is not None and together.best.invoices == ("INV-1001", "INV-1002", "INV-1003")
    some = match(line("125.00"), Clues(named=named), book(*LEDGER))
    assert some.status is LineStatus.MATCHED and some.best is not None
    assert some.best.invoices == ("INV-1001", "INV-1003") and some.best.confidence == m.NAMED_SUBSET


def test_an_invoice_in_another_currency_is_never_a_candidate() -> None:
    decision = match(
        line("100.00", "INV-1001", currency="USD"), Clues(named=(("INV-1001", "number"),)), book(*LEDGER)
    )
    assert decision.status is LineStatus.UNKNOWN and decision.suggestions == ()


# --- rule 2: structured creditor references --------------------------------------------------------


def test_an_rf_reference_naming_the_invoice_is_the_surest_match() -> None:
    decision = match(line("100.00", reference="RF.."), Clues(named=(("INV-1001", "rf"),)), book(*LEDGER))
    assert decision.best is not None and decision.best.confidence == m.RF_EXACT


def test_an_rf_reference_naming_the_customer_matches_its_invoice_of_that_amount_or_keeps_the_cash() -> None:
    one = match(line("50.00"), Clues(rf_customer="C1"), book(*LEDGER))
    assert one.status is LineStatus.MATCHED and one.best is not None
    assert one.best.invoices == ("INV-1002",) and one.best.confidence == m.RF_CUSTOMER_ONE
    cash = match(line("33.00"), Clues(rf_customer="C1"), book(*LEDGER))
    assert cash.status is LineStatus.UNAPPLIED and cash.best is not None
    assert (cash.best.customer_id, cash.best.invoices, cash.best.kind) == ("C1", (), "customer")


# --- rule 3: the payer's known IBAN and the amount ----------------------------------------------


def test_a_known_iban_and_the_amount_of_one_open_invoice() -> None:
    decision = match(line("50.00"), Clues(payers=("C1",)), book(*LEDGER))
    assert decision.status is LineStatus.MATCHED and decision.best is not None
    assert decision.best.invoices == ("INV-1002",) and decision.best.confidence == m.IBAN_ONE


def test_a_known_iban_and_a_combination_of_open_invoices_oldest_first() -> None:
    decision = match(line("150.00"), Clues(payers=("C1",)), book(*LEDGER))
    assert decision.status is LineStatus.MATCHED and decision.best is not None
    assert (
        decision.best.invoices == ("INV-1001", "INV-1002") and decision.best.confidence == m.IBAN_COMBINATION
    )


def test_two_invoices_of_the_same_balance_or_two_combinations_go_to_review() -> None:
    same = book(item("A", "40.00", due="2026-01-01"), item("B", "40.00", due="2026-02-01"), item("C", "9.00"))
    decision = match(line("40.00"), Clues(payers=("C1",)), same)
    assert decision.status is LineStatus.REVIEW
    assert decision.suggestions[0].invoices == ("A",) and decision.suggestions[0].confidence == m.IBAN_SEVERAL
    twice = book(
        item("A", "10.00", due="2026-01-01"), item("B", "20.00", due="2026-02-01"), item("C", "30.00")
    )
    assert match(line("30.00"), Clues(payers=("C1",)), twice).status is LineStatus.MATCHED  # C alone
    assert match(line("60.00"), Clues(payers=("C1",)), twice).status is LineStatus.MATCHED  # A+B+C only
    ambiguous = book(
        item("A", "10.00", due="2026-01-01"),
        item("B", "20.00", due="2026-02-01"),
        item("C", "15.00"),
        item("D", "15.00", due="2026-04-01"),
    )
    decision = match(line("25.00"), Clues(payers=("C1",)), ambiguous)
    assert decision.status is LineStatus.REVIEW and decision.suggestions[0].reason.endswith(
        "(other combinations fit too)"
    )


def test_a_known_iban_whose_amount_fits_nothing_is_kept_as_unapplied_cash() -> None:
    decision = match(line("33.33"), Clues(payers=("C1",)), book(*LEDGER))
    assert decision.status is LineStatus.UNAPPLIED and decision.best is not None
    assert decision.best.customer_id == "C1" and decision.best.confidence == m.IBAN_CUSTOMER


def test_an_iban_known_for_two_customers_is_not_enough_alone() -> None:
    decision = match(line("70.00"), Clues(payers=("C1", "C2")), book(*LEDGER))
    assert decision.status is LineStatus.REVIEW
    assert decision.suggestions[0].customer_id == "C2"
    assert decision.suggestions[0].confidence == m.IBAN_ONE - m.SHARED_IBAN


# --- rule 4: partial payments and overpayments -------------------------------------------------------


def test_a_partial_payment_naming_its_invoice_needs_the_payer_known_to_be_applied() -> None:
    named = Clues(named=(("INV-1001", "number"),))
    alone = match(line("60.00", "INV-1001"), named, book(*LEDGER))
    assert alone.status is LineStatus.REVIEW
    assert alone.suggestions[0].kind == "partial" and "60.00 of 100.00" in alone.suggestions[0].reason
    known = match(line("60.00", "INV-1001"), Clues(named=named.named, payers=("C1",)), book(*LEDGER))
    assert known.status is LineStatus.MATCHED and known.best is not None
    assert known.best.kind == "partial" and known.best.confidence == m.NUMBER_PARTIAL + m.IBAN_AGREES


def test_an_overpayment_pays_the_invoice_and_says_the_rest_stays_unapplied() -> None:
    clues = Clues(named=(("INV-1003", "number"),), payers=("C1",))
    decision = match(line("30.00", "INV-1003"), clues, book(*LEDGER))
    assert decision.status is LineStatus.MATCHED and decision.best is not None
    assert decision.best.kind == "over" and decision.best.covered == 2500
    assert "5.00 more, kept as unapplied cash" in decision.best.reason


def test_a_number_with_a_typo_loses_to_the_invoice_the_amount_and_iban_point_to() -> None:
    # the text names INV-1002 (a digit off INV-1003); the amount is INV-1003's balance
    clues = Clues(named=(("INV-1002", "number"),), payers=("C1",))
    decision = match(line("25.00", "INV-1002"), clues, book(*LEDGER))
    assert decision.status is LineStatus.MATCHED and decision.best is not None
    assert decision.best.invoices == ("INV-1003",) and "typo" in decision.best.reason


def test_an_iban_known_for_another_customer_weakens_a_number_match() -> None:
    clues = Clues(named=(("INV-2001", "number"),), payers=("C1",))
    decision = match(line("65.00", "INV-2001"), clues, book(*LEDGER))
    assert decision.status is LineStatus.REVIEW
    first = {c.customer_id: c.confidence for c in decision.suggestions}
    assert first["C2"] == m.NUMBER_PARTIAL - m.IBAN_DISAGREES


# --- rule 5: the payer's name ---------------------------------------------------------------------


def test_the_payers_name_alone_only_suggests() -> None:
    decision = match(line("70.00", name="Customer C2"), Clues(namesakes=("C2",)), book(*LEDGER))
    assert decision.status is LineStatus.REVIEW
    assert (
        decision.suggestions[0].invoices == ("INV-2001",) and decision.suggestions[0].confidence == m.NAME_ONE
    )


def test_a_payment_naming_a_paid_invoice_is_a_question_unless_the_payer_is_known() -> None:
    paid = Clues(paid=(("INV-0999", "C1"),))
    assert match(line("10.00", "INV-0999"), paid, book(*LEDGER)).status is LineStatus.REVIEW
    known = Clues(paid=paid.paid, payers=("C1",))
    # the known IBAN alone already keeps it as C1's cash; the named paid invoice agrees
    decision = match(line("10.00", "INV-0999"), known, book(*LEDGER))
    assert decision.status is LineStatus.UNAPPLIED and decision.best is not None
    assert decision.best.customer_id == "C1"


def test_nothing_known_about_the_payer_is_unknown() -> None:
    assert match(line("12.00", "Miete Juni"), Clues(), book(*LEDGER)) == m.Decision(
        LineStatus.UNKNOWN, None, ()
    )


# --- threshold and margin ----------------------------------------------------------------------------


def test_the_threshold_and_the_margin_are_settings() -> None:
    clues = Clues(named=(("INV-1001", "number"),))
    strict = MatchRules(threshold=0.98)
    assert match(line("100.00"), clues, book(*LEDGER), strict).status is LineStatus.REVIEW
    lenient = MatchRules(threshold=0.5)
    assert match(line("70.00"), Clues(namesakes=("C2",)), book(*LEDGER), lenient).status is LineStatus.MATCHED


# --- the subset-sum ----------------------------------------------------------------------------------


def _items(*balances: int) -> list[Item]:
    return [
        Item(f"I{k:02d}", "C1", "EUR", b, dt.date(2026, 1, 1) + dt.timedelta(days=k), dt.date(2025, 12, 1))
        for k, b in enumerate(balances)
    ]


def test_combinations_prefer_the_oldest_invoices_in_a_row() -> None:
    items = _items(10, 20, 30, 5, 25)
    found, _ = combinations(30, items)
    assert [i.number for i in found[0]] == ["I00", "I01"], "1+2 before 3 alone or 5+25"
    assert [i.number for i in found[1]] == ["I03", "I04"]


def test_combinations_find_every_set_older_invoices_first_and_larger_ones_too() -> None:
    items = _items(7, 40, 15, 15, 3, 50)  # 10 = 7+3; 25 = 7+15+3 (twice: either 15)
    assert [[i.number for i in c] for c in combinations(10, items)[0]] == [["I00", "I04"]]
    assert [[i.number for i in c] for c in combinations(25, items)[0]] == [
        ["I00", "I02", "I04"],
        ["I00", "I03", "I04"],
    ]
    assert combinations(15, items)[0] == [], "one invoice alone is not a combination"


def test_combinations_use_only_the_oldest_max_items() -> None:
    items = _items(*([1000] * 12), 7, 8)
    assert combinations(15, items, max_items=12)[0] == []
    assert [i.number for i in combinations(15, items, max_items=14)[0][0]] == ["I12", "I13"]


def test_combinations_work_out_at_most_max_tries_sums() -> None:
    items = _items(*[4 + 2 * k for k in range(12)], 1)  # even balances, then an odd one
    found, tries = combinations(101, items, max_items=13, max_tries=100_000)
    assert found and tries <= 2**6 + 2**7, "12 oldest + the odd one: meets in the middle"
    found, tries = combinations(101, items, max_items=13, max_tries=50)
    assert found == [] and tries <= 50, "fewer invoices (the odd one left out) to stay within 50 sums"


def test_the_book_lowers_balances_as_lines_are_applied() -> None:
    b = book(*LEDGER)
    b.pay(["INV-1002", "INV-1001"], 7000)
    assert b.get("INV-1002") is None
    assert b.get("INV-1001") is not None and b.items["INV-1001"].balance == 8000
    assert [i.number for i in b.open_of("C1", "EUR")] == ["INV-1001", "INV-1003"]


# --- any input -------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.text(max_size=40), st.text(max_size=60))
def test_any_text_gives_keys_references_and_a_decision_never_an_error(
    remittance: str, reference: str, name: str
) -> None:
    keys = m.text_keys(remittance, reference)
    assert all(3 <= len(k) <= 40 and k.isalnum() for k in keys)
    m.rf_payloads(reference, remittance)
    m.name_key(name)
    named = tuple((i.number, "number") for i in LEDGER if set(m.number_keys(i.number)) & keys)
    decision = match(line("12.34", remittance, name=name), Clues(named=named, payers=("C1",)), book(*LEDGER))
    assert decision.status in set(LineStatus)


def test_three_invoices_out_of_order_are_only_suggested_two_or_the_oldest_in_a_row_are_applied() -> None:
    ledger = book(  # every set has its own sum
        item("A", "1.00", due="2026-01-01"),
        item("B", "2.00", due="2026-02-01"),
        item("C", "4.00", due="2026-03-01"),
        item("D", "8.00", due="2026-04-01"),
        item("E", "16.00", due="2026-05-01"),
    )
    loose = match(line("14.00"), Clues(payers=("C1",)), ledger)  # B + C + D
    assert loose.status is LineStatus.REVIEW
    assert loose.suggestions[0].invoices == ("B", "C", "D") and "check" in loose.suggestions[0].reason
    assert match(line("7.00"), Clues(payers=("C1",)), ledger).status is LineStatus.MATCHED  # A + B + C
    assert match(line("24.00"), Clues(payers=("C1",)), ledger).status is LineStatus.MATCHED  # D + E


def test_the_invoices_of_customers_added_whole_are_ordered_when_first_asked_for() -> None:
    b = Book([item("X-1", "5.00", customer="C9")])
    b.add_customers([item("INV-1002", "50.00", due="2026-02-28"), item("INV-1001", "100.00")], ["C1"])
    assert b.get("INV-1001") is None, "not asked for yet"
    assert [i.number for i in b.open_of("C1", "EUR")] == ["INV-1001", "INV-1002"]
    assert b.get("INV-1001") is not None and "C1" in b.complete
