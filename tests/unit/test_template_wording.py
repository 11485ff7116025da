"""The wording of the messages and letters: the next step is named in words (never by its id), the law
is cited in the reader's language, and consumer notices are written in it."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from typing import Any

import pytest

from recoup.domain.money import Money
from recoup.law.guards import DE_FIRST_DEMAND, US_VALIDATION
from recoup.law.interest import RULES, compensation, gives_compensation
from recoup.services.formatting import LANGUAGES, environment
from recoup.services.letters import letter_context, render_html
from recoup.services.rates import load_rate_book
from recoup.services.rendering import Templates, shipped_folder
from recoup.settings import load_settings

OTHERS = tuple(lang for lang in LANGUAGES if lang != "en")
CURRENCY = {"en": "USD", "de": "EUR", "fr": "EUR", "es": "EUR", "tr": "TRY", "ko": "KRW"}

# A call from the accounts team and a letter by post, in each language (email/<lang>/_words.j2).
CALL = {
    "en": "a telephone call from our accounts team",
    "de": "ein Anruf unserer Buchhaltung",
    "fr": "un appel de notre service comptable",
    "es": "una llamada telefónica de nuestro departamento de cobros",
    "tr": "muhasebe ekibimizin sizi telefonla araması",
    "ko": "담당자의 전화 연락",
}
POST = {
    "en": "a letter by post",
    "de": "ein Schreiben per Post",
    "fr": "un courrier postal",
    "es": "una carta por correo postal",
    "tr": "posta yoluyla bir yazı gönderilmesi",
    "ko": "우편 서신 발송",
}
# The sentence when neither the step nor its kind is known.
NEUTRAL = {
    "en": "we will take the next step of our collection procedure",
    "de": "leiten wir die nächste Stufe unseres Mahnverfahrens ein",
    "fr": "nous passerons à l'étape suivante de notre procédure de recouvrement",
    "es": "pasaremos a la siguiente fase de nuestro procedimiento de cobro",
    "tr": "tahsilat sürecimizin bir sonraki aşamasına geçeceğiz",
    "ko": "당사 채권 회수 절차의 다음 단계를 진행하겠습니다",
}
# The rule as cited in each language (email/<lang>/_words.j2), for the jurisdictions of the languages.
CITED = {
    "de": {
        "DE": "§ 288 Abs. 2, § 247 BGB",
        "FR": "Art. L441-10 und D441-5 Code de commerce",
        "ES": "Ley 3/2004, Art. 7 und 8",
        "TR": "Art. 1530 türkisches Handelsgesetzbuch",
        "KR": "Art. 54 Handelsgesetzbuch",
    },
    "fr": {
        "DE": "articles 288, alinéa 2, et 247 du BGB",
        "FR": "articles L441-10 et D441-5 du Code de commerce",
        "ES": "loi 3/2004, articles 7 et 8",
        "TR": "article 1530 du Code de commerce turc",
        "KR": "article 54 du Code de commerce",
    },
    "es": {
        "DE": "§§ 288.2 y 247 del BGB",
        "FR": "arts. L441-10 y D441-5 del Código de Comercio",
        "ES": "Ley 3/2004, arts. 7 y 8",
        "TR": "art. 1530 del Código de Comercio turco",
        "KR": "art. 54 del Código de Comercio",
    },
    "tr": {
        "DE": "BGB) m. 288/2 ve m. 247",
        "FR": "m. L441-10 ve D441-5",
        "ES": "3/2004 sayılı Kanun m. 7 ve 8",
        "TR": "6102 sayılı TTK m. 1530",
        "KR": "Ticaret Kanunu m. 54",
    },
    "ko": {
        "DE": "독일 민법(BGB) 제288조 제2항 및 제247조",
        "FR": "제L441-10조 및 제D441-5조",
        "ES": "제3/2004호 제7조 및 제8조",
        "TR": "튀르키예 상법(TTK) 제1530조",
        "KR": "상법 제54조",
    },
}
# The first words of the English consumer notices (email/en/base.txt.j2) and the generic line.
ENGLISH_NOTICES = {
    "us-validation": "Unless you dispute",
    "de-rdg-13a": "First demand",
    "fr-r124-4": "Basis of the debt",
    "gb-conc-7-15": "Nothing in this message",
}
NATIVE_NOTICES = {  # a phrase of each notice in the language
    "de": {
        "us-validation": "innerhalb von 30 Tagen",
        "de-rdg-13a": "§ 13a RDG",
        "fr-r124-4": "Grundlage der Forderung",
        "gb-conc-7-15": "verjährt",
    },
    "fr": {
        "us-validation": "dans les 30 jours",
        "de-rdg-13a": "§ 13a RDG",
        "fr-r124-4": "R124-4 du CPCE",
        "gb-conc-7-15": "prescrite",
    },
    "es": {
        "us-validation": "dentro de los 30 días",
        "de-rdg-13a": "§ 13a RDG",
        "fr-r124-4": "Fundamento de la deuda",
        "gb-conc-7-15": "prescrito",
    },
    "tr": {
        "us-validation": "30 gün içinde",
        "de-rdg-13a": "RDG m. 13a",
        "fr-r124-4": "Borcun dayanağı",
        "gb-conc-7-15": "zamanaşımına",
    },
    "ko": {
        "us-validation": "30일 이내에",
        "de-rdg-13a": "제13a조",
        "fr-r124-4": "채무의 근거",
        "gb-conc-7-15": "소멸시효",
    },
}


def payload(language: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "customer": {"id": "C1", "name": "Acme Trading", "language": language, "kind": "business"},
        "currency": CURRENCY[language],
        "step": "reminder-2",
        "action": "email",
        "tone": "firm",
        "template": "reminder-2",
        "attach": [],
        "recipients": ["ap@acme.example"],
        "copies": [],
        "invoices": [
            {"number": "INV-1001", "due_date": "2026-02-01", "amount": "1234.5", "balance": "1234.5"}
        ],
        "shown": [],
        "total": "1234.5",
        "overdue": "1234.5",
        "next_step": "call-1",
        "next_kind": "call",
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


def bodies(templates: Templates, data: dict[str, Any]) -> tuple[str, str]:
    """The plain text and the HTML (tags removed, entities decoded) of a message."""
    rendered = templates.render(data)
    text = html.unescape(re.sub(r"<[^>]+>", " ", rendered.html))
    return rendered.text, " ".join(text.split())


# --- the next step ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_call_step_is_named_in_words_not_by_its_id(templates: Templates, language: str) -> None:
    for body in bodies(templates, payload(language)):
        assert "call-1" not in body
        assert CALL[language] in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_step_the_templates_do_not_know_is_named_by_its_kind(templates: Templates, language: str) -> None:
    for body in bodies(templates, payload(language, next_step="custom-step", next_kind="letter")):
        assert "custom-step" not in body
        assert POST[language] in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_step_of_unknown_id_and_kind_gets_a_neutral_sentence(templates: Templates, language: str) -> None:
    data = payload(language, next_step="custom-step")
    del data["next_kind"]  # a payload written before next_kind existed
    for body in bodies(templates, data):
        assert "custom-step" not in body
        assert NEUTRAL[language] in body
    for body in bodies(templates, payload(language, next_step="custom-step", next_kind="teleport")):
        assert "custom-step" not in body and "teleport" not in body
        assert NEUTRAL[language] in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_step_id_wins_over_the_kind(templates: Templates, language: str) -> None:
    text, _ = bodies(templates, payload(language, next_step="call-2", next_kind="letter"))
    assert CALL[language] in text and POST[language] not in text


def test_a_user_folder_can_reword_the_steps_and_still_uses_the_shipped_words_otherwise(
    tmp_path: Path,
) -> None:
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "reminder-1.txt.j2").write_text(
        '{% extends "de/base.txt.j2" %}{% block subject %}Eigene Erinnerung{% endblock %}'
        "{% block purpose %}Unser eigener Text.{% endblock %}"
    )
    (tmp_path / "de" / "reminder-1.html.j2").write_text("<p>Unser eigener Text.</p>")
    templates = Templates(override=tmp_path, settings=load_settings())
    own = templates.render(payload("de", template="reminder-1"))
    assert own.subject == "Eigene Erinnerung" and "ein Anruf unserer Buchhaltung" in own.text

    (tmp_path / "email" / "de").mkdir(parents=True)
    (tmp_path / "email" / "de" / "_words.j2").write_text(
        '{% set steps = {"call-1": "ein Anruf von Frau Klein"} %}{% set kinds = {} %}{% set laws = {} %}'
    )
    reworded = Templates(override=tmp_path, settings=load_settings())
    text = reworded.render(payload("de")).text
    assert "ein Anruf von Frau Klein" in text and "call-1" not in text


def test_every_language_names_every_step_of_the_default_ladder_and_every_kind() -> None:
    env = environment([shipped_folder()])
    ladder = {
        "courtesy",
        "reminder-1",
        "reminder-2",
        "call-1",
        "reminder-3",
        "call-2",
        "final-notice",
        "demand-letter",
        "agency-review",
        "litigation-review",
        "writeoff-review",
    }
    kinds = {"email", "letter", "call", "agency", "litigation", "settlement", "writeoff", "sales"}
    for language in LANGUAGES:
        words = env.get_template(f"{language}/_words.j2").module
        assert set(words.steps) == ladder, language  # type: ignore[attr-defined]
        assert set(words.kinds) == kinds, language  # type: ignore[attr-defined]
        assert set(words.laws) == set(RULES), language  # type: ignore[attr-defined]


# --- the law in the reader's language --------------------------------------------------------------


@pytest.mark.parametrize("language", OTHERS)
@pytest.mark.parametrize("code", ["DE", "FR", "ES", "TR", "KR"])
def test_the_interest_rule_is_cited_in_the_language_of_the_message(
    templates: Templates, language: str, code: str
) -> None:
    rule = RULES[code]
    for body in bodies(templates, payload(language, jurisdiction=code)):
        assert CITED[language][code] in body
        assert rule.title not in body and rule.rate_text not in body
        assert rule.title.split(",")[0] + "," not in body  # "Germany,", "France," ...
        if language != "fr":  # French says "majoré de 10 points" itself
            assert "points" not in body


@pytest.mark.parametrize("language", OTHERS)
def test_no_rule_is_cited_in_english_in_another_language(templates: Templates, language: str) -> None:
    for code, rule in RULES.items():
        text, page = bodies(templates, payload(language, jurisdiction=code))
        for body in (text, page):
            assert rule.title not in body and rule.rate_text not in body, (language, code)
            assert " a year" not in body and "the ECB" not in body, (language, code)


def test_english_cites_the_rule_in_words_written_for_the_customer(templates: Templates) -> None:
    for body in bodies(templates, payload("en", jurisdiction="DE")):
        assert (
            "(Germany, German Civil Code (BGB) §288(2) and §247: the German base rate (Basiszinssatz) plus 9 "
            "percentage points)"
        ) in body
        assert RULES["DE"].rate_text not in body and "no consumer involved" not in body


# The notes law.interest keeps for us in a rule's rate_text, never for a customer.
INTERNAL = ("LAW.md", "assumption", "transitional", "is not applied", "no consumer involved", "2 % of CPLR")
ENGLISH_RATE = {"TR": "for each calendar year", "KR": "6% a year", "US-NY": "9% a year"}


@pytest.mark.parametrize("code", list(RULES))
def test_an_english_message_carries_none_of_the_rules_internal_notes(templates: Templates, code: str) -> None:
    for consumer in (False, True):
        for body in bodies(templates, payload("en", jurisdiction=code, consumer=consumer)):
            assert RULES[code].rate_text not in body, code
            for note in INTERNAL:
                assert note not in body, (code, consumer, note)
            if code in ENGLISH_RATE and (RULES[code].consumers or not consumer):
                assert ENGLISH_RATE[code] in body


def test_a_code_missing_from_the_words_falls_back_to_the_rules_own_title(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "_words.j2").write_text("{% set steps = {} %}{% set kinds = {} %}{% set laws = {} %}")
    text = (
        Templates(override=tmp_path, settings=load_settings()).render(payload("en", jurisdiction="DE")).text
    )
    assert f"({RULES['DE'].title}: {RULES['DE'].rate_text})" in text


# A consumer owes a German debt at the base rate + 5 points (BGB §288(1)), a business + 9 (§288(2)).
DE_RATE = {
    "en": ("§288(1)", "plus 5 percentage points", "plus 9 percentage points"),
    "de": ("§ 288 Abs. 1", "zuzüglich 5 Prozentpunkten", "zuzüglich 9 Prozentpunkten"),
    "fr": ("articles 288, alinéa 1", "majoré de 5 points", "majoré de 9 points"),
    "es": ("§§ 288.1", "más 5 puntos porcentuales", "más 9 puntos porcentuales"),
    "tr": ("m. 288/1", "5 puan fazlası", "9 puan fazlası"),
    "ko": ("제288조 제1항", "연 5%포인트", "연 9%포인트"),
}
# Fixed compensation as each language's email and letter names it (in lower case).
COMPENSATION = {
    "en": "compensation",
    "de": "pauschale",
    "fr": "indemnité",
    "es": "indemnización",
    "tr": "tazminat",
    "ko": "보상금",
}


def consumer_payload(language: str, **changes: Any) -> dict[str, Any]:
    data = payload(language, consumer=True, **changes)
    data["customer"] = {**data["customer"], "kind": "consumer", "name": "Erika Muster"}
    return data


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_german_consumer_debt_is_cited_at_5_points_and_without_compensation(
    templates: Templates, language: str
) -> None:
    paragraph, five, nine = DE_RATE[language]
    for body in bodies(templates, consumer_payload(language, jurisdiction="DE")):
        assert paragraph in body and five in body
        assert nine not in body
        assert COMPENSATION[language] not in body.lower()
    for body in bodies(templates, payload(language, jurisdiction="DE")):  # a business: + 9 points
        assert nine in body and five not in body


def test_a_german_consumer_email_in_german_says_5_prozentpunkte_and_no_verzugspauschale(
    templates: Templates,
) -> None:
    text, page = bodies(templates, consumer_payload("de", jurisdiction="DE"))
    for body in (text, page):
        assert "Basiszinssatz zuzüglich 5 Prozentpunkten" in body
        assert "9 Prozentpunkten" not in body and "Verzugspauschale" not in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_compensation_is_named_only_where_the_law_gives_it(templates: Templates, language: str) -> None:
    word = COMPENSATION[language]
    for code in ("US-NY", "KR", "TR-3095"):
        for body in bodies(templates, payload(language, jurisdiction=code)):
            assert word not in body.lower(), (code, body)
    for body in bodies(templates, payload(language, jurisdiction="DE")):
        assert word in body.lower()
    # no rule known: a business may be owed compensation, a consumer never
    assert word not in bodies(templates, consumer_payload(language))[0].lower()
    if language != "ko":  # Korean names no compensation where the rule is not known
        assert word in bodies(templates, payload(language))[0].lower()


def test_the_context_says_whether_the_law_gives_compensation(templates: Templates) -> None:
    def interest(**changes: Any) -> Any:
        return templates.context(payload("en", **changes), "en")["interest"]

    assert interest(jurisdiction="DE")["compensation"] is True
    assert interest(jurisdiction="GB")["compensation"] is True
    assert interest(jurisdiction="DE", consumer=True)["compensation"] is False
    assert interest(jurisdiction="US-NY")["compensation"] is False
    assert interest(jurisdiction="TR-3095")["compensation"] is False


NATIVE_CURRENCY = {"GB": "GBP", "TR": "TRY", "TR-3095": "TRY", "KR": "KRW"}


@pytest.mark.parametrize("code", list(RULES))
def test_gives_compensation_agrees_with_the_compensation_computed(code: str) -> None:
    rates = load_rate_book(None)
    currency = NATIVE_CURRENCY.get(code, "USD" if code.startswith("US-") else "EUR")
    for consumer in (False, True):
        owed = compensation(Money("500", currency), code, consumer, dt.date(2025, 6, 1), rates=rates)
        assert gives_compensation(code, consumer) is (owed.amount > 0), (code, consumer)
    assert gives_compensation(code, consumer=True) is False


# --- consumer notices ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", OTHERS)
@pytest.mark.parametrize("code", list(ENGLISH_NOTICES))
def test_a_consumer_notice_is_written_in_the_language_of_the_message(
    templates: Templates, language: str, code: str
) -> None:
    notice = {"code": code, "text": "the English wording of the rule", "source": "SOURCE"}
    data = payload(language, consumer=True, notices=[notice])
    data["customer"] = {**data["customer"], "kind": "consumer"}
    for body in bodies(templates, data):
        assert NATIVE_NOTICES[language][code] in body
        assert ENGLISH_NOTICES[code] not in body
        assert "the English wording of the rule" not in body and "SOURCE" not in body
        assert "Required information" not in body
        assert "Demo Supplier GmbH" in body  # the creditor is named where the English notice names it


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_notice_still_gets_the_generic_line(templates: Templates, language: str) -> None:
    notice = {"code": "xx-new-rule", "text": "what the new rule wants", "source": "XX §1"}
    for body in bodies(templates, payload(language, consumer=True, notices=[notice])):
        assert "what the new rule wants" in body and "XX §1" in body


# --- letters ---------------------------------------------------------------------------------------


def letter_page(
    language: str,
    code: str,
    kind: str = "demand-letter",
    *,
    debtor: str = "business",
    settings: Any = None,
    **changes: Any,
) -> str:
    """A letter's HTML, with the rule named but not computed (no rate tables)."""
    data = payload(language, step=kind, action="letter", consumer=debtor == "consumer", **changes)
    data["customer"] = {
        **data["customer"],
        "kind": debtor,
        "jurisdiction": code,
        "address": ["Hauptstraße 1", "10115 Berlin"],
    }
    context = letter_context(
        data,
        settings=settings or load_settings(),
        interest=None,
        as_of=dt.date(2026, 3, 16),
        rule_code=code,
        kind=kind,
    )
    return render_html(kind, context)


def letter(language: str, code: str, kind: str = "demand-letter", **changes: Any) -> str:
    """A letter's text (HTML, tags removed), with the rule named but not computed (no rate tables)."""
    return " ".join(
        html.unescape(re.sub(r"<[^>]+>", " ", letter_page(language, code, kind, **changes))).split()
    )


def test_a_german_demand_letter_cites_the_bgb_in_german() -> None:
    text = letter("de", "DE")
    assert "§ 288 Abs. 2, § 247 BGB" in text
    assert "Germany," not in text and RULES["DE"].title not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_letter_cites_a_rule_by_its_english_title(language: str) -> None:
    for code, rule in RULES.items():
        text = letter(language, code, "final-notice")
        assert rule.title not in text, (language, code)


def test_a_letter_cites_a_foreign_law_in_its_own_language() -> None:
    assert "Code civil allemand (BGB)" in letter("fr", "DE")
    assert "Art. L441-10 des französischen Code de commerce" in letter("de", "FR")
    assert "독일 민법(BGB)" in letter("ko", "DE")
    assert "the Late Payment" not in letter("de", "GB")


LETTER_CALL = {
    "en": "our accounts team will contact you by telephone",
    "de": "wird sich unsere Buchhaltung telefonisch mit Ihnen in Verbindung setzen",
    "fr": "notre service comptable prendra contact avec vous par téléphone",
    "es": "nuestro departamento de cobros se pondrá en contacto con usted por teléfono",
    "tr": "muhasebe ekibimiz sizi telefonla arayacaktır",
    "ko": "담당자가 전화로 연락드릴 예정입니다",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["final-notice", "demand-letter"])
def test_a_letter_names_a_step_it_does_not_know_by_its_kind(language: str, kind: str) -> None:
    text = letter(language, "DE", kind, next_step="call-2", next_kind="call")
    assert "call-2" not in text
    assert LETTER_CALL[language] in text


# --- consumer notices in letters, compensation in letters ------------------------------------------

NOTICE_LAW = {"us-validation": (US_VALIDATION, "US-NY"), "de-rdg-13a": (DE_FIRST_DEMAND, "DE")}
ENGLISH_WORDS = re.compile(r"\b(the|and|of|this|debt|creditor|interest|invoices?|within|days)\b")


def small_print(page: str) -> list[str]:
    """The letter's notices (its small paragraphs), tags removed, entities decoded."""
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", p)).split())
        for p in re.findall(r'<p class="small">(.*?)</p>', page, re.S)
    ]


@pytest.mark.parametrize("language", ["es", "tr", "ko", "de", "fr"])
@pytest.mark.parametrize("code", list(NOTICE_LAW))
@pytest.mark.parametrize("kind", ["final-notice", "demand-letter"])
def test_a_consumer_letter_writes_its_notices_in_its_language(language: str, code: str, kind: str) -> None:
    notice, law = NOTICE_LAW[code]
    notices = [{"code": notice.code, "text": notice.text, "source": notice.source}]
    page = letter_page(language, law, kind, debtor="consumer", notices=notices)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert NATIVE_NOTICES[language][code] in text
    assert notice.text not in text and ENGLISH_NOTICES[code] not in text
    assert "Required information" not in text
    (written,) = small_print(page)
    assert not ENGLISH_WORDS.search(written), written
    assert "Demo Supplier GmbH" in written


@pytest.mark.parametrize("code", list(NOTICE_LAW))
def test_an_english_consumer_letter_writes_the_english_notice_of_its_emails(code: str) -> None:
    notice, law = NOTICE_LAW[code]
    notices = [{"code": notice.code, "text": notice.text, "source": notice.source}]
    text = letter("en", law, "final-notice", debtor="consumer", notices=notices)
    assert ENGLISH_NOTICES[code] in text and notice.text not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_letter_without_an_interest_amount_does_not_say_it_charges_no_interest(language: str) -> None:
    """The letter claims interest at the statutory rate (no rate tables): the German first-demand notice
    says so, where the email says none is charged."""
    notices = [{"code": "de-rdg-13a", "text": DE_FIRST_DEMAND.text, "source": DE_FIRST_DEMAND.source}]
    (written,) = small_print(letter_page(language, "DE", "final-notice", debtor="consumer", notices=notices))
    email = Templates(settings=load_settings()).render(
        consumer_payload(language, jurisdiction="DE", notices=notices)
    )
    none_charged = {
        "en": "charges no interest",
        "de": "Zinsen werden nicht berechnet",
        "fr": "sans intérêts",
        "es": "sin intereses",
        "tr": "faiz talep edilmemektedir",
        "ko": "이자는 청구하지 않습니다",
    }[language]
    assert none_charged in email.text
    assert none_charged not in written


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["final-notice", "demand-letter", "statement"])
def test_a_letter_names_compensation_only_to_a_business_owed_it(language: str, kind: str) -> None:
    word = COMPENSATION[language]
    assert word in letter(language, "DE", kind).lower()
    for code in ("DE", "FR", "US-NY", "KR"):
        assert word not in letter(language, code, kind, debtor="consumer").lower(), code
    assert word not in letter(language, "US-NY", kind).lower()


def test_an_ampersand_in_the_creditor_is_escaped_once_in_html_and_kept_in_plain_text() -> None:
    settings = load_settings(creditor_name="Smith & Sons", creditor_address="1 R&D Way\n10115 Berlin")
    notices = [
        {"code": "de-rdg-13a", "text": DE_FIRST_DEMAND.text, "source": DE_FIRST_DEMAND.source},
        {"code": "xx-new-rule", "text": "terms & conditions", "source": "XX <1>"},
    ]
    templates = Templates(settings=settings)
    for language in LANGUAGES:
        rendered = templates.render(consumer_payload(language, jurisdiction="DE", notices=notices))
        assert "Smith & Sons, 1 R&D Way" in rendered.text and "terms & conditions" in rendered.text
        assert "&amp;" not in rendered.text
        assert "Smith &amp; Sons, 1 R&amp;D Way" in rendered.html
        assert "terms &amp; conditions" in rendered.html and "XX &lt;1&gt;" in rendered.html
        assert "Smith & Sons" not in rendered.html and "&amp;amp;" not in rendered.html
        page = letter_page(
            language, "DE", "final-notice", debtor="consumer", settings=settings, notices=notices
        )
        assert "Smith &amp; Sons, 1 R&amp;D Way" in page and "terms &amp; conditions" in page
        assert "Smith & Sons" not in page and "&amp;amp;" not in page and "<1>" not in page
