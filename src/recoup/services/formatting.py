"""Money and dates in the customer's locale (Babel), and the Jinja2 environment the templates use.

Shared by the email templates and the PDF letters: one place decides how ``1234.5 EUR`` reads in German
(``1.234,50 €``) or how a due date reads in Korean (``2024년 3월 5일``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import jinja2
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency

LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "tr", "ko")
"""The languages recoup writes in; anything else is written in English."""

_LOCALES = {"en": "en_US", "de": "de_DE", "fr": "fr_FR", "es": "es_ES", "tr": "tr_TR", "ko": "ko_KR"}


def language_of(language: str | None) -> str:
    """The supported language for a code such as ``de``, ``de-AT`` or ``fr_CA``; ``en`` when unknown."""
    code = (language or "").strip().replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else "en"


def locale_for(language: str | None) -> Locale:
    """The Babel locale used for a language code (unknown codes: English)."""
    return Locale.parse(_LOCALES[language_of(language)])


def money(amount: Decimal | str | int | float, currency: str, language: str | None) -> str:
    """An amount with its currency as the customer's locale writes it: ``1.234,50 €`` in German."""
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    return str(format_currency(value, currency.upper(), locale=locale_for(language)))


def day(d: date | datetime | str, language: str | None, width: str = "long") -> str:
    """A date as the customer's locale writes it (``width``: short, medium, long, full)."""
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    elif isinstance(d, datetime):
        d = d.date()
    return str(format_date(d, format=width, locale=locale_for(language)))


def iban_groups(iban: str) -> str:
    """An IBAN in groups of four for reading: ``DE89 3704 0044 0532 0130 00``."""
    compact = "".join(iban.split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def environment(folders: Iterable[Path], *, language: str | None = None) -> jinja2.Environment:
    """A Jinja2 environment over ``folders`` (first wins) with the ``money`` and ``day`` filters.

    Undefined variables raise (StrictUndefined); ``.html`` templates (also ``.html.j2``) are autoescaped.
    ``language``, when given, is the default for the filters' language argument.
    """

    def _autoescape(name: str | None) -> bool:
        return bool(name) and (str(name).endswith(".html") or str(name).endswith(".html.j2"))

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        undefined=jinja2.StrictUndefined,
        autoescape=_autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def _money(amount: Decimal | str, currency: str, lang: str | None = None) -> str:
        return money(amount, currency, lang or language)

    def _day(d: date | str, lang: str | None = None, width: str = "long") -> str:
        return day(d, lang or language, width)

    env.filters["money"] = _money
    env.filters["day"] = _day
    env.filters["iban"] = iban_groups
    return env
