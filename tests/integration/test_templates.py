"""Every email template renders in every language with locale-correct amounts and dates."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jinja2
import pytest

from recoup.services.formatting import LANGUAGES, day, money
from recoup.services.rendering import Templates
from recoup.settings import load_settings

STEPS = ("courtesy", "reminder-1", "reminder-2", "reminder-3", "final-notice", "demand-letter")
CURRENCY = {"en": "USD", "de": "EUR", "fr": "EUR", "es": "EUR", "tr": "TRY", "ko": "KRW"}


def payload(step: str, language: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "customer": {"id": "C1", "name": "Acme <Trading>", "language": language, "kind": "business"},
        "currency": CURRENCY.get(language, "USD"),
        "step": step,
        "action": "email",
        "tone": "firm",
        "template": step,
        "attach": [],
        "recipients": ["ap@acme.example"],
        "copies": [],
        "invoices": [
            {"number": "INV-1001", "due_date": "2026-02-01", "amount": "1234.5", "balance": "1234.5"},
            {"number": "INV-1002", "due_date": "2026-02-15", "amount": "500", "balance": "300"},
        ],
        "shown": [
            {
                "number": "INV-0999",
                "due_date": "2026-01-10",
                "amount": "777",
                "balance": "777",
                "state": "disputed (wrong quantity)",
            }
        ],
        "total": "1534.5",
        "overdue": "1534.5",
        "next_step": "final-notice",
        "next_on": "2026-03-20",
        "consumer": False,
        "window": [8, 21],
        "terms": "",
        "late_fee_clause": "",
        "sales_owner": "",
        "time_zone": "UTC",
        "notices": [],
    }
    base.update(changes)
    return base


@pytest.fixture(scope="module")
def templates() -> Templates:
    return Templates(settings=load_settings())


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("step", STEPS)
def test_every_step_states_the_items_totals_bank_and_next_date_in_every_language(
    templates: Templates, step: str, language: str
) -> None:
    currency = CURRENCY[language]
    rendered = templates.render(payload(step, language))
    assert rendered.language == language
    assert rendered.subject and "\n" not in rendered.subject
    for body in (rendered.text, rendered.html):
        assert "INV-1001" in body and "INV-1002" in body
        assert money("1534.5", currency, language) in body
        assert money("1234.5", currency, language) in body
        assert day("2026-02-01", language) in body
        assert day("2026-03-20", language) in body
        assert "DE89 3704 0044 0532 0130 00" in body
        assert "Demo Supplier GmbH" in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sales_owner_is_told_in_every_language(templates: Templates, language: str) -> None:
    rendered = templates.render(payload("reminder-3", language, action="notify_sales"))
    assert "C1" in rendered.text and "INV-1001" in rendered.text
    assert "DE89" not in rendered.text  # no bank details: the message is internal


def test_the_html_part_escapes_what_comes_from_the_ledger(templates: Templates) -> None:
    rendered = templates.render(payload("reminder-1", "ko"))
    assert "Acme &lt;Trading&gt;" in rendered.html and "Acme <Trading>" in rendered.text


def test_german_amounts_use_a_comma_and_a_dot(templates: Templates) -> None:
    text = templates.render(payload("reminder-1", "de")).text
    assert "1.234,50\xa0€" in text and "1. Februar 2026" in text


def test_french_amounts_use_a_narrow_space(templates: Templates) -> None:
    assert "1\u202f234,50\xa0€" in templates.render(payload("reminder-1", "fr")).text


def test_korean_won_and_turkish_lira_are_written_natively(templates: Templates) -> None:
    assert "₩1,534" in templates.render(payload("reminder-1", "ko")).text
    assert "₺1.534,50" in templates.render(payload("reminder-1", "tr")).text


def test_a_disputed_item_is_shown_as_disputed_and_not_requested(templates: Templates) -> None:
    text = templates.render(payload("reminder-2", "en")).text
    line = next(line for line in text.splitlines() if "INV-0999" in line)
    assert "disputed" in line
    assert "$2,311.50" not in text  # 1534.50 + 777: the disputed item is not in the requested total
    assert "Total requested: $1,534.50" in text


def test_what_was_received_is_acknowledged(templates: Templates) -> None:
    assert "Already received, with thanks: $200.00" in templates.render(payload("reminder-1", "en")).text


def test_the_contract_clause_comes_before_the_statutory_rule(templates: Templates) -> None:
    text = templates.render(payload("reminder-1", "en", late_fee_clause="1 % a month")).text
    assert "agreed in our contract: 1 % a month" in text
    statutory = templates.render(
        payload("reminder-1", "de", customer={**payload("x", "de")["customer"], "country": "DE"})
    )
    assert "BGB" in statutory.text


def test_no_next_step_no_announcement(templates: Templates) -> None:
    text = templates.render(payload("reminder-1", "en", next_step=None, next_on=None)).text
    assert "next step" not in text


def test_a_consumer_notice_is_stated_in_words(templates: Templates) -> None:
    notice = {"code": "us-validation", "text": "t", "source": "15 U.S.C. §1692g"}
    text = templates.render(payload("reminder-1", "en", consumer=True, notices=[notice])).text
    assert "within 30 days" in text and "verification" in text


def test_the_demand_letter_email_says_the_letter_is_attached(templates: Templates) -> None:
    text = templates.render(payload("demand-letter", "en", attach=["letter"])).text
    assert "formally demand" in text and "attached" in text


def test_a_missing_language_falls_back_to_english(templates: Templates) -> None:
    rendered = templates.render(payload("reminder-1", "it"))
    assert rendered.language == "en" and "Payment reminder" in rendered.subject


def test_a_user_folder_replaces_one_template(tmp_path: Path) -> None:
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "reminder-1.txt.j2").write_text(
        '{% extends "de/base.txt.j2" %}{% block subject %}Eigene Erinnerung{% endblock %}'
        "{% block purpose %}Unser eigener Text.{% endblock %}"
    )
    (tmp_path / "de" / "reminder-1.html.j2").write_text("<p>Unser eigener Text.</p>")
    templates = Templates(override=tmp_path, settings=load_settings())
    rendered = templates.render(payload("reminder-1", "de"))
    assert rendered.subject == "Eigene Erinnerung" and "Unser eigener Text." in rendered.text
    assert "Zweite Mahnung" in templates.render(payload("reminder-2", "de")).subject


def test_a_missing_field_is_an_error_not_a_blank(templates: Templates) -> None:
    broken = copy.deepcopy(payload("reminder-1", "en"))
    del broken["overdue"]
    with pytest.raises(jinja2.UndefinedError):
        templates.render(broken)
