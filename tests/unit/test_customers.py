"""Customers: defaults follow the country, tax ids are normalised or refused, kind matters."""

from __future__ import annotations

import pytest

from builders import customer
from recoup.domain.customers import Contact, ContactRole, Customer, CustomerKind, normalize_tax_id
from recoup.domain.errors import InvalidTaxIdError, InvalidValueError
from recoup.domain.money import Money


@pytest.mark.parametrize(
    ("country", "language", "zone", "currency"),
    [
        ("DE", "de", "Europe/Berlin", "EUR"),
        ("FR", "fr", "Europe/Paris", "EUR"),
        ("ES", "es", "Europe/Madrid", "EUR"),
        ("GB", "en", "Europe/London", "GBP"),
        ("TR", "tr", "Europe/Istanbul", "TRY"),
        ("KR", "ko", "Asia/Seoul", "KRW"),
        ("US", "en", "America/New_York", "USD"),
    ],
)
def test_language_time_zone_and_currency_default_from_the_country(
    country: str, language: str, zone: str, currency: str
) -> None:
    c = Customer("C1", "Someone", country=country)
    assert (c.language, c.time_zone, c.currency) == (language, zone, currency)


def test_given_language_time_zone_and_currency_win_over_the_defaults() -> None:
    c = Customer("C1", "Someone", country="DE", language="en", time_zone="Europe/London", currency="USD")
    assert (c.language, c.time_zone, c.currency) == ("en", "Europe/London", "USD")


def test_the_country_code_is_normalised_to_upper_case() -> None:
    assert Customer("C1", "Someone", country=" fr ").country == "FR"


@pytest.mark.parametrize("country", ["XX", "DEU", "", "12"])
def test_an_unknown_country_is_refused(country: str) -> None:
    with pytest.raises(InvalidValueError, match="ISO 3166"):
        Customer("C1", "Someone", country=country)


def test_an_unknown_currency_is_refused() -> None:
    with pytest.raises(InvalidValueError, match="ISO 4217"):
        Customer("C1", "Someone", currency="XXY")


@pytest.mark.parametrize(
    ("raw", "country", "normalised"),
    [
        ("DE 136 695 976", "DE", "DE136695976"),
        ("136695976", "DE", "DE136695976"),  # the country prefix is added
        ("de136695976", "DE", "DE136695976"),
        ("FR 40 303 265 045", "FR", "FR40303265045"),
        ("04-2103594", "US", "042103594"),  # an EIN
    ],
)
def test_a_tax_id_is_normalised(raw: str, country: str, normalised: str) -> None:
    assert normalize_tax_id(raw, country) == normalised
    assert Customer("C1", "Someone", country=country, tax_id=raw).tax_id == normalised


@pytest.mark.parametrize(
    ("raw", "country"), [("DE136695977", "DE"), ("FR 00 303 265 045", "FR"), ("12-345", "US")]
)
def test_an_invalid_tax_id_is_refused_naming_the_number(raw: str, country: str) -> None:
    with pytest.raises(InvalidTaxIdError, match=raw):
        Customer("C1", "Someone", country=country, tax_id=raw)


def test_a_tax_id_of_a_country_python_stdnum_does_not_know_is_kept_without_spaces() -> None:
    assert normalize_tax_id(" AB 12 34 ", "NG") == "AB1234"


def test_no_tax_id_stays_empty() -> None:
    assert normalize_tax_id("   ", "DE") == ""
    assert customer().tax_id == ""


def test_a_customer_is_a_business_unless_said_otherwise() -> None:
    assert customer().kind is CustomerKind.BUSINESS
    assert customer().is_consumer is False


def test_a_consumer_is_a_consumer_and_the_kind_can_be_given_as_text() -> None:
    c = Customer("C1", "Jane Doe", kind="consumer")  # type: ignore[arg-type]
    assert c.kind is CustomerKind.CONSUMER
    assert c.is_consumer is True


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidValueError, match="'reseller' is not one of business, consumer"):
        Customer("C1", "Someone", kind="reseller")  # type: ignore[arg-type]


def test_a_customer_needs_an_id_and_a_name() -> None:
    with pytest.raises(InvalidValueError, match="id"):
        Customer(" ", "Someone")
    with pytest.raises(InvalidValueError, match="'C1' needs a name"):
        Customer("C1", "")


@pytest.mark.parametrize("days", [-1, 3651])
def test_payment_terms_out_of_range_are_refused(days: int) -> None:
    with pytest.raises(InvalidValueError, match="0-3650"):
        Customer("C1", "Someone", payment_terms_days=days)


def test_the_credit_limit_must_be_in_the_customers_currency() -> None:
    assert customer(credit_limit=Money("5000", "EUR")).credit_limit == Money("5000.00", "EUR")
    with pytest.raises(InvalidValueError, match="credit limit"):
        customer(country="DE", credit_limit=Money("5000", "USD"))


def test_the_law_is_the_jurisdiction_else_the_country() -> None:
    assert customer(country="FR").law == "FR"
    assert customer(country="FR", jurisdiction="DE").law == "DE"


def test_a_contact_needs_a_name_a_known_role_and_a_plausible_email() -> None:
    assert Contact("C1", "Ann", "owner").role is ContactRole.OWNER  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="name"):
        Contact("C1", " ")
    with pytest.raises(InvalidValueError, match="role"):
        Contact("C1", "Ann", "boss")  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="not an email"):
        Contact("C1", "Ann", email="ann.example.com")
