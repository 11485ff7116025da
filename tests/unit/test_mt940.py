"""MT940 statements as banks write them: each field of a credit, debits counted, quirks tolerated,
broken files refused with the line."""

from __future__ import annotations

import datetime as dt

import pytest

from recoup.adapters.formats.mt940 import read_mt940
from recoup.domain.errors import ImportRejectedError
from recoup.domain.money import Money
from recoup.domain.statements import rf_reference


def mt940(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding)


HEAD = (":20:STARTUMS", ":25:10020030/1234567", ":28C:00001/001", ":60F:C261101EUR1000,00")
TAIL = (":62F:C261102EUR2500,00", "-")


def read(*body: str, head: tuple[str, ...] = HEAD, tail: tuple[str, ...] = TAIL) -> list:
    return list(read_mt940(mt940(*head, *body, *tail), "day.sta").lines)


def refused(data: bytes) -> list[str]:
    with pytest.raises(ImportRejectedError) as caught:
        read_mt940(data, "bad.sta")
    return caught.value.problems


def test_a_german_sepa_credit_gives_payer_iban_name_remittance_references_and_both_dates() -> None:
    rf = rf_reference("INV1002")
    (line,) = read(
        ":61:2611021103C1500,25NTRFNONREF//BANK-77",
        f":86:166?00GUTSCHRIFT?100599?20EREF+E2E-4711?21SVWZ+{rf} Rechnung INV-100?222",
        "?30DEUTDEFF?31DE02120300000000202051?32ACME MASCHINENBAU?33 GMBH",
    )
    assert line.account == "10020030/1234567"
    assert line.amount == Money("1500.25", "EUR")
    assert (line.value_date, line.booking_date) == (dt.date(2026, 11, 2), dt.date(2026, 11, 3))
    assert line.counterparty_iban == "DE02120300000000202051"
    assert line.counterparty_name == "ACME MASCHINENBAU GMBH"
    assert line.remittance == f"{rf} Rechnung INV-1002"
    assert line.creditor_reference == rf
    assert line.end_to_end_id == "E2E-4711"
    assert line.bank_reference == "BANK-77"
    assert line.source == "day.sta"


def test_a_dutch_credit_reads_the_slash_fields() -> None:
    (line,) = read(
        ":61:261102C75,00NTRFNONREF",
        ":86:/TRTP/SEPA OVERBOEKING/IBAN/NL91ABNA0417164300/BIC/ABNANL2A/NAME/DUPONT LOGISTIQUE/R",
        "EMI/USTD//Factuur INV-1003/EREF/NOTPROVIDED",
    )
    assert line.counterparty_iban == "NL91ABNA0417164300"
    assert line.counterparty_name == "DUPONT LOGISTIQUE"
    assert line.remittance == "Factuur INV-1003"
    assert line.end_to_end_id == ""  # NOTPROVIDED is no id


def test_a_structured_dutch_payment_reference_is_the_creditor_reference() -> None:
    (line,) = read(
        ":61:261102C75,00NTRFNONREF",
        ":86:/CNTP/NL91ABNA0417164300/ABNANL2A/J JANSEN/AMSTERDAM/REMI/STRD/CUR/1234567890123456/",
    )
    assert line.creditor_reference == "1234567890123456"
    assert (line.counterparty_iban, line.counterparty_name) == ("NL91ABNA0417164300", "J JANSEN")


def test_debits_are_counted_and_left_out() -> None:
    statement = read_mt940(
        mt940(
            *HEAD,
            ":61:261102D20,00NCHGNONREF",
            ":86:Kontofuehrung",
            ":61:261102C30,00NTRFNONREF",
            ":86:Rechnung 17",
            *TAIL,
        ),
        "day.sta",
    )
    assert (statement.entries, statement.debits, len(statement.lines)) == (2, 1, 1)
    assert statement.lines[0].remittance == "Rechnung 17"


def test_two_equal_transfers_on_one_day_stay_two_lines() -> None:
    transfer = (":61:261102C30,00NTRFNONREF", ":86:Rechnung 17")
    lines = read(*transfer, *transfer)
    assert [line.sequence for line in lines] == [0, 1]
    assert lines[0].key != lines[1].key


def test_swift_envelopes_and_a_prose_preamble_are_skipped() -> None:
    data = mt940(
        "Example statement from the bank's documentation",
        "{1:F01DEUTDEFFXXXX0000000000}{2:O940DEUTDEFFXXXXN}{3:{108:}}{4:",
        *HEAD,
        ":61:261102C30,00NTRFNONREF",
        ":86:Rechnung 17",
        ":62F:C261102EUR1030,00",
        "-}{5:}",
    )
    (line,) = read_mt940(data, "swift.sta").lines
    assert line.amount == Money("30.00", "EUR")


def test_central_european_dos_text_is_read_as_cp852() -> None:
    (line,) = read_mt940(
        mt940(*HEAD, ":61:261102C30,00NTRFNONREF", ":86:Csoportos átutalás jóváírása", encoding="cp852"),
        "hu.sta",
    ).lines
    assert line.remittance == "Csoportos átutalás jóváírása"


def test_latin_1_umlauts_are_read_as_such() -> None:
    (line,) = read_mt940(
        mt940(*HEAD, ":61:261102C30,00NTRFNONREF", ":86:Überweisung Müller", *TAIL, encoding="latin-1"),
        "de.sta",
    ).lines
    assert line.remittance == "Überweisung Müller"


def test_a_dot_decimal_amount_keeps_its_cents() -> None:
    (line,) = read(
        ":61:261102C000000000300.50NMSCNONREF",
        ":86:Contante storting",
        head=(":20:940A261102", ":25:1017.490.554EUR", ":28:00000/00", ":60F:C261101EUR000000000000.00"),
    )
    assert line.amount == Money("300.50", "EUR")
    assert line.account == "1017.490.554"  # the currency written after the account number is not part of it


def test_day_30_of_february_and_31_of_november_are_the_last_days_of_the_month() -> None:
    (line,) = read(
        ":61:2602300301C6,00NTRFNONREF",
        ":86:Zinsen",
        tail=(":62F:C261131EUR1006,00",),
    )
    assert line.value_date == dt.date(2026, 2, 28)


def test_a_blank_statement_number_and_entries_without_a_type_code_are_read() -> None:
    statement = read_mt940(
        mt940(
            ":20:202012182126594",
            ":25:1014365930",
            ":28C: /1",
            ":60F:C201218NGN6213,05",
            ":61:2011301130CN220000,00//19239782213",
            ":86:TRANSFER PAYROLL",
            ":61:2011301130DN43000,00//19239810200",
            ":86:NOVEMBER WAGES",
        ),
        "ng.sta",
    )
    assert (statement.entries, statement.debits) == (2, 1)
    assert statement.lines[0].amount == Money("220000.00", "NGN")


def test_an_iban_as_asn_reference_with_the_name_on_the_next_line_is_the_payer() -> None:
    (line,) = read(":61:2611021102C1000,00NIOBNL56ASNB0708271685", "paulissen g j l m", ":86:Mobiel")
    assert (line.counterparty_iban, line.counterparty_name) == ("NL56ASNB0708271685", "paulissen g j l m")


def test_a_timestamp_wrapped_onto_a_tag_like_line_inside_details_is_text() -> None:
    (line,) = read(":61:261102C6,00NTRFNONREF", ":86:Kartenzahlung 2026-11-02T13", ":12:11 Filiale 7")
    assert "Filiale 7" in line.remittance


def test_a_statement_without_account_is_refused_naming_its_line() -> None:
    problems = refused(
        mt940(":20:STARTUMSE", ":28C:00000/001", ":60F:C160229EUR1200,00", ":61:160301C6,00NTRF")
    )
    assert problems == [
        "bad.sta, line 1: the statement has no account identification (:25:) "
        "before its balances and transactions"
    ]


def test_an_account_tag_among_the_transactions_is_refused() -> None:
    problems = refused(mt940(*HEAD, ":61:261102C30,00NTRFNONREF", ":25:166?00GUTSCHRIFT?20Verw"))
    assert problems[0].startswith("bad.sta, line 6: :25: (account) among the transactions")


def test_a_question_mark_that_opens_no_subfield_is_refused() -> None:
    problems = refused(mt940(*HEAD, ":61:261102C30,00NTRFNONREF", ":86:166?00GUTSCHRIFT?20Verw?"))
    assert problems[0].startswith("bad.sta, line 6 (:86:): '?' must open a two-digit subfield")


def test_a_tag_that_is_not_mt940_outside_the_details_is_refused() -> None:
    problems = refused(mt940(*HEAD, ":99:what is this", ":61:261102C30,00NTRFNONREF"))
    assert problems == ["bad.sta, line 5: :99: is not an MT940 field"]


def test_an_impossible_date_is_refused_with_its_line_and_field() -> None:
    problems = refused(mt940(*HEAD, ":61:3622687806CR1368378,92NMSC37935531"))
    assert problems[0].startswith("bad.sta, line 5 (:61:): a date is not a calendar date")


def test_text_without_any_statement_is_refused() -> None:
    assert refused(b"1\n2\n3\n") == ["bad.sta: no MT940 statement found (a statement starts with :20:)"]
