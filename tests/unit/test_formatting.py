import datetime as dt
from decimal import Decimal
from pathlib import Path

import jinja2
import pytest

from recoup.services.formatting import day, environment, iban_groups, locale_for, money


def test_an_amount_in_euro_reads_as_a_german_writes_it() -> None:
    assert money(Decimal("1234.5"), "EUR", "de") == "1.234,50\xa0€"


def test_won_have_no_minor_unit_in_korean() -> None:
    assert money("1234", "KRW", "ko") == "₩1,234"


def test_french_groups_thousands_with_a_narrow_space() -> None:
    assert money("1234.5", "EUR", "fr") == "1\u202f234,50\xa0€"


def test_turkish_lira_carries_its_sign() -> None:
    assert money("1234.5", "TRY", "tr") == "₺1.234,50"


def test_an_unknown_language_is_written_in_english() -> None:
    assert str(locale_for("xx")) == "en_US"
    assert money("1234.5", "EUR", "xx") == "€1,234.50"


def test_dates_are_written_in_the_customer_language() -> None:
    assert day(dt.date(2026, 3, 5), "de") == "5. März 2026"
    assert day("2026-03-05", "ko") == "2026년 3월 5일"
    assert day("2026-03-05", "en") == "March 5, 2026"


def test_an_iban_is_shown_in_groups_of_four() -> None:
    assert iban_groups("DE89370400440532013000") == "DE89 3704 0044 0532 0130 00"


def test_the_environment_offers_the_filters_and_escapes_html_only(tmp_path: Path) -> None:
    (tmp_path / "a.html.j2").write_text("{{ name }} {{ 5|money('EUR', 'de') }}")
    (tmp_path / "a.txt.j2").write_text("{{ name }} {{ '2026-01-02'|day('fr') }}")
    env = environment([tmp_path])
    assert env.get_template("a.html.j2").render(name="A & B") == "A &amp; B 5,00\xa0€"
    assert env.get_template("a.txt.j2").render(name="A & B") == "A & B 2 janvier 2026"


def test_a_missing_variable_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt.j2").write_text("{{ missing }}")
    with pytest.raises(jinja2.UndefinedError):
        environment([tmp_path]).get_template("a.txt.j2").render()
