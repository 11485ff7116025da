"""``recoup metrics`` on the example ledger, worked out by hand as of 2026-11-23 (period 2026-08-25 to 11-23).

EUR: INV-1001 has 5,000.00 open, 115 days late; INV-1002 (issued 09-15) 4,500.50 open, 39 days late;
INV-1003 (8,200.00, issued 08-01) was paid on 10-05, 5 days late. GBP: INV-1005 420.00 open, 20 days late.
KRW: INV-1004 (3,300,000, issued 10-01) paid on 11-02, 2 days late.
"""

from __future__ import annotations

import json

import pytest
from test_cli import load_examples, recoup


@pytest.fixture
def db(db_url: str) -> str:
    load_examples(db_url)
    return db_url


def test_json_gives_each_currency_its_own_figures(db: str) -> None:
    code, out, err = recoup("metrics", "--as-of", "2026-11-23", "--json", "--db", db)
    assert code == 0, err
    data = json.loads(out)
    assert (data["as_of"], data["period_start"], data["period_days"]) == ("2026-11-23", "2026-08-25", 90)
    eur, gbp, krw = data["currencies"]
    assert [eur["currency"], gbp["currency"], krw["currency"]] == ["EUR", "GBP", "KRW"]
    assert eur["aging"] == {
        "not_due": "0.00",
        "1-30": "0.00",
        "31-60": "4500.50",
        "61-90": "0.00",
        "91+": "5000.00",
    }
    assert (eur["total"], eur["sales"], eur["collected"], eur["opening"]) == (
        "9500.50",
        "4500.50",
        "8200.00",
        "13200.00",
    )
    assert eur["dso"] == "190.0"  # 9500.50 / 4500.50 x 90
    assert eur["dso_countback"] == "102.9"  # 23 + 31 + 30 days, then 5000.00 / 8200.00 of August's 31
    assert (eur["best_dso"], eur["add"]) == ("0.0", "190.0")
    assert eur["cei"] == "46.3"  # (13200.00 + 4500.50 - 9500.50) / (13200.00 + 4500.50 - 0)
    assert (eur["percent_current"], eur["share_90_plus"], eur["write_off_ratio"]) == ("0.0", "52.6", "0.0")
    assert (gbp["dso"], gbp["add"], gbp["cei"]) == ("90.0", "90.0", "0.0")
    assert (krw["total"], krw["collected"], krw["dso"], krw["percent_current"]) == (
        "0",
        "3300000",
        "0.0",
        None,
    )
    assert [(p["customer"], p["currency"], p["average_days_late"]) for p in data["patterns"]] == [
        ("DUPONT", "EUR", "5.0"),
        ("HANBIT", "KRW", "2.0"),
    ]
    assert data["forecast"] == [
        {"currency": "EUR", "week_start": "2026-11-23", "expected": "9500.50"},
        {"currency": "GBP", "week_start": "2026-11-23", "expected": "420.00"},
    ]


def test_text_shows_the_tables_and_a_dash_for_what_cannot_be_worked_out(db: str) -> None:
    code, out, err = recoup("metrics", "--as-of", "2026-11-23", "--db", db)
    assert code == 0, err
    for text in (
        "AR metrics as of 2026-11-23",
        "Receivables",
        "190.0 days",
        "102.9 days",
        "46.3 %",
        "Promises",
        "Disputes",
        "Collected per collector",
        "Collected per step of the ladder",
        "customers paying latest",
        "DUPONT",
        "Cash forecast by week",
        "9,500.50",
        "—",
    ):
        assert text in out, text


def test_custom_buckets_and_period(db: str) -> None:
    code, out, err = recoup(
        "metrics",
        "--as-of",
        "2026-11-23",
        "--buckets",
        "0,30,60,90,120,180,365",
        "--period-days",
        "30",
        "--json",
        "--db",
        db,
    )
    assert code == 0, err
    eur = json.loads(out)["currencies"][0]
    assert list(eur["aging"]) == ["not_due", "1-30", "31-60", "61-90", "91-120", "121-180", "181-365", "366+"]
    assert eur["aging"]["91-120"] == "5000.00"
    assert eur["sales"] == "0.00" and eur["dso"] is None and eur["add"] is None


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--as-of", "2026-13-01", "not a date"),
        ("--buckets", "0,thirty", "is not a list of whole numbers"),
        ("--buckets", "30,60", "must start at 0"),
        ("--buckets", "0,60,30", "increase strictly"),
        ("--period-days", "0", "'0' is not between 1 and 3660 days"),
        ("--period-days", "ninety", "'ninety' is not a whole number of days"),
    ],
)
def test_bad_options_are_named_with_their_value(tmp_path, option: str, value: str, says: str) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "untouched.db"
    code, _out, err = recoup("metrics", option, value, "--db", str(db))
    assert code != 0
    said = " ".join(err.replace("│", " ").split())  # the error box wraps long lines
    assert f"{option}: '{value}'" in said and says in said
    assert not db.exists()  # refused before the database is opened
