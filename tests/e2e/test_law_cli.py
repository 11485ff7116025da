"""``recoup interest`` and ``recoup rates`` as a user drives them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import load_examples, recoup


@pytest.fixture
def rates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "rates"
    monkeypatch.setenv("RECOUP_RATES", str(folder))
    return folder


def test_the_readme_example_gives_the_uk_rate_of_the_half_year_and_the_fixed_sum(rates: Path) -> None:
    code, out, err = recoup(
        "interest", "--amount", "1000", "--currency", "GBP", "--due", "2024-01-31", "--paid", "2024-03-21",
        "--jurisdiction", "GB", "--json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    # Interest starts 2024-02-01 (H1 2024): Bank Rate on 31 Dec 2023 = 5.25, + 8 = 13.25 %;
    # 1000 x 13.25 % x 50/365 = 18.1507 -> 18.15
    assert data["segments"] == [
        {
            "from": "2024-02-01",
            "to": "2024-03-21",
            "days": 50,
            "rate": "13.25",
            "amount": "18.15",
            "principal": "1000.00",
            "basis": 365,
        }
    ]
    assert (data["interest"], data["compensation"], data["total"], data["currency"]) == (
        "18.15",
        "70.00",
        "88.15",
        "GBP",
    )
    assert "Late Payment of Commercial Debts" in data["rule"] and data["sources"]


def test_the_table_view_shows_the_totals_and_the_rule(rates: Path) -> None:
    code, out, err = recoup(
        "interest", "--amount", "10000", "--currency", "EUR", "--due", "2024-11-15", "--as-of", "2025-08-10",
        "--jurisdiction", "DE",
    )  # fmt: skip
    assert code == 0, err
    assert "Interest: 830.13 EUR" in out and "Total: 870.13 EUR" in out and "BGB" in out


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--amount", "ten"], "--amount"),
        (["--currency", "XYZ"], "--currency"),
        (["--due", "2024-02-30"], "--due"),
        (["--jurisdiction", "ZZ"], "--jurisdiction"),
        (["--day-basis", "30/360"], "--day-basis"),
    ],
)
def test_bad_input_names_the_option_and_exits_1(rates: Path, args: list[str], option: str) -> None:
    base = {
        "--amount": "100",
        "--currency": "EUR",
        "--due": "2024-01-31",
        "--jurisdiction": "DE",
        "--day-basis": "365",
    }
    base[args[0]] = args[1]
    flat = [x for pair in base.items() for x in pair]
    code, _, err = recoup("interest", *flat, "--paid", "2024-03-01")
    assert code == 1
    assert option in err


def test_a_period_without_rates_says_which_table_needs_which_date_until_one_is_added(rates: Path) -> None:
    args = ["interest", "--amount", "100", "--currency", "EUR", "--due", "2026-06-15"]
    args += ["--as-of", "2026-08-01", "--jurisdiction", "DE"]
    code, _, err = recoup(*args)
    assert code == 1 and "de-basiszins" in err and "2026-07-01" in err
    code, out, err = recoup(
        "rates", "add", "de-basiszins", "2026-07-01", "1.27", "--source", "Bundesbank (test)"
    )
    assert code == 0, err
    assert (rates / "de-basiszins.csv").exists()
    code, out, err = recoup(*args, "--json")
    assert code == 0, err
    assert [s["rate"] for s in json.loads(out)["segments"]] == ["10.27", "10.27"]


def test_rates_add_refuses_a_duplicate_date_and_a_missing_source(rates: Path) -> None:
    code, _, err = recoup("rates", "add", "ecb-mro", "2025-06-11", "2.15", "--source", "x")
    assert code == 1 and "already has a rate dated 2025-06-11" in err
    code, _, err = recoup("rates", "add", "ecb-mro", "2026-06-11", "2.00")
    assert code == 1 and "--source" in err


def test_rates_show_lists_the_tables_and_one_table_s_rates(rates: Path) -> None:
    code, out, err = recoup("rates", "show", "--json")
    assert code == 0, err
    names = {t["name"] for t in json.loads(out)}
    assert {"ecb-mro", "de-basiszins", "boe-bank-rate", "tr-ttk1530", "us-fed-discount"} <= names
    code, out, err = recoup("rates", "show", "boe-bank-rate", "--json")
    table = json.loads(out)
    assert table["valid_until"] == "2026-04-30" and table["entries"][-1]["rate"] == "3.75"
    code, out, _ = recoup("rates", "show", "de-basiszins")
    assert code == 0 and "1.27" in out
    code, _, err = recoup("rates", "show", "nope")
    assert code == 1 and "TABLE" in err


def test_interest_on_an_invoice_uses_its_customer_and_its_payments(db_url: str, rates: Path) -> None:
    load_examples(db_url)
    code, _, err = recoup(
        "rates", "add", "de-basiszins", "2026-07-01", "1.27", "--source", "Bundesbank (test)"
    )
    assert code == 0, err
    # INV-1001 (ACME-DE, a German business): EUR 12 000 due 2026-07-31, EUR 7 000 paid 2026-08-20.
    #   2026-08-01..08-20 20 d on 12 000 x 10.27 % = 67.5288 -> 67.53
    #   2026-08-21..09-30 41 d on  5 000 x 10.27 % = 57.6808 -> 57.68     interest 125.21 + EUR 40
    code, out, err = recoup("interest", "INV-1001", "--as-of", "2026-09-30", "--json", "--db", db_url)
    assert code == 0, err
    data = json.loads(out)
    assert data["jurisdiction"] == "DE"
    assert [(s["days"], s["principal"], s["amount"]) for s in data["segments"]] == [
        (20, "12000.00", "67.53"),
        (41, "5000.00", "57.68"),
    ]
    assert (data["interest"], data["compensation"], data["total"]) == ("125.21", "40.00", "165.21")
    code, _, err = recoup("interest", "NOPE-1", "--as-of", "2026-09-30", "--db", db_url)
    assert code == 1 and "NOPE-1" in err
