"""Customers and their contacts.

A customer is a business or a consumer the supplier sells to on credit; the
law treats the two differently, so ``kind`` matters everywhere. Defaults for
language, time zone and currency follow the customer's country (CLDR data via
Babel); a tax id is normalised and validated with python-stdnum where the
country is known.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import get_territory_currencies
from stdnum.exceptions import ValidationError
from stdnum.util import clean, get_cc_module

from recoup.domain.errors import InvalidTaxIdError, InvalidValueError
from recoup.domain.money import Money, check_currency


class CustomerKind(StrEnum):
    BUSINESS = "business"
    CONSUMER = "consumer"


class ContactRole(StrEnum):
    BILLING = "billing"
    OWNER = "owner"  # the owner or decision maker
    OTHER = "other"


# Countries spanning several time zones: the zone where most business happens.
_MAIN_ZONE = {
    "US": "America/New_York",
    "CA": "America/Toronto",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "RU": "Europe/Moscow",
    "MX": "America/Mexico_City",
    "ES": "Europe/Madrid",
    "DE": "Europe/Berlin",
    "PT": "Europe/Lisbon",
    "ID": "Asia/Jakarta",
    "AR": "America/Argentina/Buenos_Aires",
    "CL": "America/Santiago",
    "KZ": "Asia/Almaty",
    "CN": "Asia/Shanghai",
    "NZ": "Pacific/Auckland",
    "UA": "Europe/Kyiv",
    "MY": "Asia/Kuala_Lumpur",
    "EC": "America/Guayaquil",
}

_EU_VAT = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)


def check_country(code: str) -> str:
    """Return an ISO 3166 alpha-2 country code, upper case, or raise."""
    value = (code or "").strip().upper()
    if len(value) != 2 or value not in get_global("territory_zones"):
        raise InvalidValueError(f"{code!r} is not an ISO 3166 two-letter country code (e.g. DE, GB, KR)")
    return value


def default_language(country: str) -> str:
    """The most likely language of business in ``country`` ('de' for DE, 'en' for US)."""
    try:
        return str(Locale.parse(f"und_{country}").language)
    except (UnknownLocaleError, ValueError):
        return "en"


def default_timezone(country: str) -> str:
    if country in _MAIN_ZONE:
        return _MAIN_ZONE[country]
    zones = get_global("territory_zones").get(country) or ["UTC"]
    return str(zones[0])


_CURRENCY_REFERENCE_DATE = dt.date(2026, 1, 1)  # fixed, so the default never depends on the clock


def default_currency(country: str) -> str:
    currencies = get_territory_currencies(country, _CURRENCY_REFERENCE_DATE)
    return str(currencies[0]) if currencies else "EUR"


def normalize_tax_id(tax_id: str, country: str) -> str:
    """Compact and validate ``tax_id`` for ``country``; EU VAT numbers carry their country prefix.

    Countries python-stdnum does not know keep the id as given (spaces removed).
    """
    raw = tax_id.strip()
    if not raw:
        return ""
    if country in _EU_VAT:
        from stdnum.eu import vat as eu_vat

        prefix = "EL" if country == "GR" else country
        candidate = clean(raw, " -./").upper()
        if not candidate[:2].isalpha():
            candidate = prefix + candidate
        try:
            return str(eu_vat.validate(candidate))
        except ValidationError as exc:
            raise InvalidTaxIdError(f"tax id {tax_id!r} is not a valid {country} VAT number: {exc}") from None
    module = get_cc_module(country.lower(), "vat") or get_cc_module(country.lower(), "ein")
    if module is None:
        return "".join(raw.split())
    try:
        return str(module.validate(raw))
    except ValidationError as exc:
        raise InvalidTaxIdError(f"tax id {tax_id!r} is not valid for {country}: {exc}") from None


@dataclass(frozen=True, slots=True)
class Customer:
    """Someone who buys on credit.

    Fields:
        id: the supplier's own customer number (natural key).
        name: legal name.
        kind: business or consumer.
        country: ISO 3166 alpha-2; language, time_zone and currency default from it.
        language: ISO 639-1 language of messages.
        time_zone: IANA zone for sending windows and holidays.
        currency: the customer's usual currency (its invoices may use others).
        segment: free label for policies and reports ('key-account', 'retail', ...).
        sales_owner: email of the sales person who owns the account.
        payment_terms_days: net days when an invoice has no due date.
        credit_limit: in ``currency``, or None for no limit.
        tax_id: normalised VAT or tax number, '' when unknown.
        contract_terms: the agreed terms as free text, quoted in reminders.
        late_fee_clause: the contract's own late-fee or interest clause, '' if none.
        jurisdiction: the law that governs interest; '' means follow ``country``.
    """

    id: str
    name: str
    kind: CustomerKind = CustomerKind.BUSINESS
    country: str = "DE"
    language: str = ""
    time_zone: str = ""
    currency: str = ""
    segment: str = ""
    sales_owner: str = ""
    payment_terms_days: int = 30
    credit_limit: Money | None = None
    tax_id: str = ""
    contract_terms: str = ""
    late_fee_clause: str = ""
    jurisdiction: str = ""

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise InvalidValueError("a customer needs an id")
        if not self.name.strip():
            raise InvalidValueError(f"customer {self.id!r} needs a name")
        kind = CustomerKind(self.kind) if self.kind in CustomerKind._value2member_map_ else None
        if kind is None:
            raise InvalidValueError(f"kind {self.kind!r} is not one of business, consumer")
        object.__setattr__(self, "kind", kind)
        country = check_country(self.country)
        object.__setattr__(self, "country", country)
        if not self.language:
            object.__setattr__(self, "language", default_language(country))
        if not self.time_zone:
            object.__setattr__(self, "time_zone", default_timezone(country))
        if not self.currency:
            object.__setattr__(self, "currency", default_currency(country))
        check_currency(self.currency)
        if self.payment_terms_days < 0 or self.payment_terms_days > 3650:
            raise InvalidValueError(
                f"payment terms of {self.payment_terms_days} days are out of range 0-3650"
            )
        if self.credit_limit is not None and self.credit_limit.currency != self.currency:
            raise InvalidValueError("the credit limit must be in the customer's currency")
        if self.tax_id:
            object.__setattr__(self, "tax_id", normalize_tax_id(self.tax_id, country))

    @property
    def is_consumer(self) -> bool:
        return self.kind is CustomerKind.CONSUMER

    @property
    def law(self) -> str:
        """The jurisdiction whose late-payment law applies."""
        return self.jurisdiction or self.country


@dataclass(frozen=True, slots=True)
class Contact:
    """A person at a customer.

    Fields:
        customer_id: whose contact this is.
        name: the person's name (with customer_id, the natural key).
        role: billing, owner (owner or decision maker) or other.
        email, phone: how to reach them ('' when unknown).
        valid: False once an address bounced; a contact is never deleted.
        id: storage id, None before it is stored.
    """

    customer_id: str
    name: str
    role: ContactRole = ContactRole.BILLING
    email: str = ""
    phone: str = ""
    valid: bool = True
    id: int | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidValueError("a contact needs a name")
        if self.role not in ContactRole._value2member_map_:
            raise InvalidValueError(f"role {self.role!r} is not one of billing, owner, other")
        object.__setattr__(self, "role", ContactRole(self.role))
        if self.email and ("@" not in self.email or " " in self.email.strip()):
            raise InvalidValueError(f"{self.email!r} is not an email address")
