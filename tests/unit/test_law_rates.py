"""Rate tables: the entry in force on a day, the horizon, the shipped files and the user's additions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from recoup.domain.errors import InvalidInputError, InvalidValueError, MissingRateError
from recoup.law.rates import RateBook, RateEntry, RateTable, table_from_text, table_to_text
from recoup.services.rates import add_rate, load_rate_book, shipped_tables

D = dt.date


def table(valid_until: dt.date | None = D(2026, 4, 30)) -> RateTable:
    return RateTable(
        "ecb-mro",
        (RateEntry(D(2024, 6, 12), Decimal("4.25"), "s"), RateEntry(D(2023, 9, 20), Decimal("4.50"), "s")),
        "test",
        valid_until,
    )


def test_the_rate_in_force_is_the_latest_dated_on_or_before_the_day() -> None:
    t = table()
    assert t.rate_on(D(2024, 6, 11)).rate == Decimal("4.50")
    assert t.rate_on(D(2024, 6, 12)).rate == Decimal("4.25")
    assert t.rate_on(D(2026, 4, 30)).rate == Decimal("4.25")


def test_a_day_before_the_first_rate_is_an_error_naming_the_table_the_date_and_the_fix() -> None:
    with pytest.raises(MissingRateError) as exc:
        table().rate_on(D(2014, 6, 30))
    message = str(exc.value)
    assert "'ecb-mro'" in message and "2014-06-30" in message and "recoup rates add ecb-mro" in message


def test_a_day_after_the_horizon_is_an_error_asking_to_bring_the_table_up_to_date() -> None:
    with pytest.raises(MissingRateError, match=r"known up to 2026-04-30.*2026-07-01.*up to date"):
        table().rate_on(D(2026, 7, 1))
    assert table(None).rate_on(D(2030, 1, 1)).rate == Decimal("4.25")


def test_a_newer_entry_moves_the_horizon_to_its_date() -> None:
    t = table().with_entries([RateEntry(D(2026, 7, 1), Decimal("4.25"), "checked")])
    assert t.horizon == D(2026, 7, 1)
    assert t.rate_on(D(2026, 7, 1)).source == "checked"


def test_two_rates_on_one_date_are_refused() -> None:
    with pytest.raises(InvalidValueError, match="two rates dated 2024-01-01"):
        RateTable("x", (RateEntry(D(2024, 1, 1), Decimal(1), "a"), RateEntry(D(2024, 1, 1), Decimal(2), "b")))


def test_an_unknown_table_is_an_error_listing_the_known_ones() -> None:
    with pytest.raises(MissingRateError, match=r"no rate table named 'nope'.*ecb-mro"):
        RateBook({"ecb-mro": table()}).rate_on("nope", D(2024, 1, 1))


def test_changes_within_lists_the_dates_of_effect_inside_the_period() -> None:
    assert table().changes_within(D(2023, 1, 1), D(2025, 1, 1)) == (D(2023, 9, 20), D(2024, 6, 12))
    assert table().changes_within(D(2023, 9, 20), D(2024, 6, 11)) == ()


def test_a_table_survives_a_round_trip_through_its_text() -> None:
    t = table()
    assert table_from_text(table_to_text(t), "t.csv") == t


def test_a_bad_line_is_reported_with_its_file_and_line() -> None:
    text = "# name: x\neffective,rate,source\n2024-01-01,4,25,s\n2024-13-01,4,s\n"
    with pytest.raises(InvalidValueError, match=r"x.csv:4: .*'2024-13-01' is not a date"):
        table_from_text(text, "x.csv")


def test_the_shipped_tables_hold_the_figures_of_law_md() -> None:
    tables = shipped_tables()
    assert {
        "ecb-mro",
        "de-basiszins",
        "boe-bank-rate",
        "tr-ttk1530",
        "tr-ttk1530-compensation",
        "tr-avans",
        "tr-legal",
        "kr-litigation",
        "us-fed-discount",
    } <= set(tables)
    assert tables["ecb-mro"].rate_on(D(2025, 7, 1)).rate == Decimal("2.15")
    assert tables["de-basiszins"].rate_on(D(2024, 7, 1)).rate == Decimal("3.37")
    assert tables["boe-bank-rate"].rate_on(D(2023, 12, 31)).rate == Decimal("5.25")
    assert tables["tr-ttk1530"].rate_on(D(2026, 1, 1)).rate == Decimal("43.00")
    assert tables["tr-ttk1530-compensation"].rate_on(D(2025, 6, 1)).rate == Decimal("1475")
    assert all(t.valid_until == D(2026, 4, 30) for t in tables.values())
    assert all(e.source for t in tables.values() for e in t.entries)


def test_the_us_fed_discount_table_is_empty_so_delaware_asks_for_a_rate() -> None:
    with pytest.raises(MissingRateError, match="us-fed-discount"):
        shipped_tables()["us-fed-discount"].rate_on(D(2025, 1, 1))


def test_a_user_rate_is_added_to_the_shipped_table_and_moves_its_horizon(tmp_path: Path) -> None:
    folder = tmp_path / "rates"
    add_rate(folder, "ecb-mro", "2026-06-10", "2.00", "https://www.ecb.europa.eu/ (test)")
    book = load_rate_book(folder)
    assert book.rate_on("ecb-mro", D(2026, 6, 10)).rate == Decimal("2.00")
    assert book.rate_on("ecb-mro", D(2026, 6, 9)).rate == Decimal("2.15")
    assert book.table("ecb-mro").horizon == D(2026, 6, 10)
    assert (folder / "ecb-mro.csv").read_text(encoding="utf-8").startswith("# name: ecb-mro\n")
    add_rate(folder, "ecb-mro", "2026-07-01", "2.00", "checked")
    assert (
        len(load_rate_book(folder).table("ecb-mro").entries) == len(shipped_tables()["ecb-mro"].entries) + 2
    )


def test_a_user_may_start_a_table_of_their_own(tmp_path: Path) -> None:
    add_rate(tmp_path, "us-fed-discount", dt.date(2025, 1, 2), Decimal("4.50"), "FRB H.15")
    assert load_rate_book(tmp_path).rate_on("us-fed-discount", D(2025, 3, 1)).rate == Decimal("4.50")


@pytest.mark.parametrize(
    ("table_name", "day", "rate", "source", "field"),
    [
        ("ecb-mro", "2026-13-01", "2.0", "s", "date"),
        ("ecb-mro", "2026-06-01", "2,0", "s", "rate"),
        ("ecb-mro", "2026-06-01", "two", "s", "rate"),
        ("ecb-mro", "2026-06-01", "2.0", "  ", "source"),
        ("ECB MRO", "2026-06-01", "2.0", "s", "table"),
        ("ecb-mro", "2025-06-11", "2.15", "s", "date"),
    ],
)
def test_a_bad_rate_is_refused_naming_what_was_wrong(
    tmp_path: Path, table_name: str, day: str, rate: str, source: str, field: str
) -> None:
    with pytest.raises(InvalidInputError) as exc:
        add_rate(tmp_path, table_name, day, rate, source)
    assert exc.value.field == field
    assert not (tmp_path / "ecb-mro.csv").exists()
