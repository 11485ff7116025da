"""Statutory late-payment interest and fixed compensation, per jurisdiction (facts: LAW.md).

Pure: every rate comes from a ``RateBook`` passed in; nothing here reads a file
or the clock.

How interest is counted (the same for every jurisdiction):

- Simple interest only (Directive 2011/7/EU art 2(6), BGB §289, Law 3095 art 3).
- Interest days run from the day after the due date (Texas: from the 30th day
  after it) to the payment or as-of date inclusive, so a debt due on D and paid
  on P bears interest for ``P - D`` days, as in every official example. A
  payment stops interest on what it pays from the day after it arrives: the day
  of payment still counts as a day of delay, as in those examples. A payment on
  or before the due date therefore leaves nothing to bear interest.
- The period is cut into segments at every change of rate, every payment and,
  for the half-year rules, every 1 January and 1 July (and every 1 January for
  the actual/actual day basis). A segment's interest is
  ``principal x rate x days / basis`` (basis 365; 360; or 365/366 by the
  segment's year for act/act), rounded to the currency's minor unit with
  ROUND_HALF_UP. The interest is the sum of the rounded segments, so a long
  period split into many segments may differ from one unrounded product by at
  most half a minor unit per segment.
- Rates are percent per annum (``Decimal('12.37')`` is 12.37 %).

Two resolution modes (LAW.md section 0): **segmented** (EU, DE, FR, ES re-rate
on 1 January and 1 July; TR re-rates each year; KR moves to the litigation rate
from the day after a complaint is served), and **fixed at the start** (GB, IE,
US-DE: one rate for the whole delay, set by when interest starts).

Consumers: the statutory B2B regimes (EU, FR, ES, IE, GB and both Turkish ones)
do not apply when the debtor is a consumer. ``compute`` then returns zero
interest and zero compensation with a rule sentence saying so, rather than
raising, so a ledger with consumers can be reported on; a contract rate still
applies. Germany gives consumers the base rate + 5 points. New York's 9 % is
used for consumers too: the 2 % of CPLR 5004 concerns actions and judgments on
consumer debt against a natural person, not the interest computed here.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from recoup.domain.errors import InvalidInputError, MissingRateError, UnknownJurisdictionError
from recoup.domain.money import Money, minor_digits
from recoup.law.rates import RateBook

if TYPE_CHECKING:
    from recoup.domain.customers import Customer

DAY_BASES = ("365", "act/act", "360")
_ZERO = Decimal(0)


class Mode(StrEnum):
    HALF_YEAR = "half-year"  # the rate of each half-year, fixed on 1 January / 1 July
    YEARLY = "yearly"  # the rate of each calendar year
    FIXED_AT_START = "fixed-at-start"  # one rate for the whole delay, set by when interest starts
    STATUTORY = "statutory"  # numbers written in the law (changing only by amendment)


@dataclass(frozen=True, slots=True)
class InterestRule:
    """How one jurisdiction fixes its statutory late-payment interest.

    Fields:
        code: the jurisdiction code ('DE', 'US-NY', ...).
        title: the law, named ('Germany, BGB §288(2) and §247').
        mode: how the rate is resolved over the delay.
        rate_text: the rate in words ('Basiszinssatz + 9 points').
        table: the reference rate table, None for statutory numbers.
        margin: points added to the reference (B2B), or the statutory rate itself.
        consumer_margin: points for consumer debts; None = as ``margin``.
        consumers: whether the regime applies when the debtor is a consumer.
        reference_day_before: read the reference on the day before the half-year (ES).
        start_delay: first interest day = due date + this many days (TX: 30).
        sources: URLs from LAW.md.
    """

    code: str
    title: str
    mode: Mode
    rate_text: str
    table: str | None = None
    margin: Decimal = _ZERO
    consumer_margin: Decimal | None = None
    consumers: bool = False
    reference_day_before: bool = False
    start_delay: int = 1
    sources: tuple[str, ...] = ()


_EU_SOURCES = (
    "http://www.legislation.gov.uk/eudr/2011/7/article/2?view=plain",
    "https://legislation.gov.uk/eudr/2011/7/article/3/2011-02-16",
    "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=ecli%3AECLI%3AEU%3AC%3A2022%3A806",
)

RULES: dict[str, InterestRule] = {
    rule.code: rule
    for rule in (
        InterestRule(
            "EU",
            "EU Late Payment Directive 2011/7/EU (the floor every member state must give)",
            Mode.HALF_YEAR,
            "the ECB main refinancing rate + 8 points",
            "ecb-mro",
            Decimal(8),
            sources=_EU_SOURCES,
        ),
        InterestRule(
            "DE",
            "Germany, BGB §288(2) and §247",
            Mode.HALF_YEAR,
            "the Basiszinssatz + 9 points (no consumer involved; + 5 points with a consumer, §288(1))",
            "de-basiszins",
            Decimal(9),
            consumer_margin=Decimal(5),
            consumers=True,
            sources=(
                "https://www.haufe.de/recht/deutsches-anwalt-office-premium/pruettingwegenweinreich-bgb-288-bgb-verzugszinsen_idesk_PI17574_HI15892264.html",
                "https://gesetze-in-app.de/BGB/247",
                "https://www.hwk-koeln.de/artikel/neuer-basiszinssatz-seit-1-juli-2025-auswirkungen-auf-verzugszinsen-32,0,3107.html",
            ),
        ),
        InterestRule(
            "FR",
            "France, Code de commerce L441-10 and D441-5",
            Mode.HALF_YEAR,
            "the ECB rate of its most recent refinancing operation + 10 points",
            "ecb-mro",
            Decimal(10),
            sources=(
                "https://jcl06.fr/les-interets-de-retard/",
                "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000026453427",
            ),
        ),
        InterestRule(
            "ES",
            "Spain, Ley 3/2004 arts 7 and 8",
            Mode.HALF_YEAR,
            "the ECB rate of the last main refinancing operation before the half-year + 8 points",
            "ecb-mro",
            Decimal(8),
            reference_day_before=True,
            sources=(
                "https://ideacompliance.es/intereses-de-demora-en-operaciones-comerciales/",
                "https://www.supercontable.com/informacion/ley_gestion/Art._8._Ley_3-2004-_Ley_3-2004-_Lucha_contra_la_.html",
            ),
        ),
        InterestRule(
            "IE",
            "Ireland, late payment in commercial transactions (Directive 2011/7/EU as implemented)",
            Mode.FIXED_AT_START,
            "the ECB main refinancing rate + 8 points, one rate for the whole delay: the rate of the "
            "half-year in which the payment became overdue",
            "ecb-mro",
            Decimal(8),
            sources=(
                "https://gov.ie/ga/seirbhis/ea821-rights-and-obligations-arising-under-contract-law-including-late-payment-interests",
                "https://enterprise.gov.ie/en/What-We-Do/Supports-for-SMEs/Late-Payments/Late-Payment-Interest-Rate-",
            ),
        ),
        InterestRule(
            "GB",
            "United Kingdom, Late Payment of Commercial Debts (Interest) Act 1998 and SI 2002/1675",
            Mode.FIXED_AT_START,
            "Bank Rate + 8 points, fixed for the life of the debt: Bank Rate on the 31 December (interest "
            "starting January to June) or 30 June (interest starting July to December) before interest "
            "starts",
            "boe-bank-rate",
            Decimal(8),
            sources=(
                "https://www.debtcollectionservice.uk/interest/",
                "http://legislation.data.gov.uk/uksi/2002/1675/made/data.htm?wrap=true",
                "https://www.gov.uk/late-commercial-payments-interest-debt-recovery/charging-interest-commercial-debt",
                "https://www.mygov.scot/late-commercial-payments/claim-debt-recovery-costs-on-late-payments/",
            ),
        ),
        InterestRule(
            "TR",
            "Turkey, TTK art. 1530 (goods and services between businesses)",
            Mode.YEARLY,
            "the TCMB's TTK 1530 rate of each calendar year (splitting a delay across years is an "
            "assumption, LAW.md 6.7)",
            "tr-ttk1530",
            _ZERO,
            sources=(
                "https://hukuk.desteksitesi.com/KB/View/2312-6102-sayili-ttk-madde-1530-temerruet-faiz-orani-ve-asgari-giderim-tutari-2013-2023-",
                "https://finans.mynet.com/haber/detay/ekonomi/tcmb-temerrut-faiz-oranini-indirdi/528016/",
            ),
        ),
        InterestRule(
            "TR-3095",
            "Turkey, Law 3095 art. 2 (commercial default interest)",
            Mode.HALF_YEAR,
            "the TCMB advance rate on 31 December of the previous year (for the second half-year the 30 June "
            "rate when it differs by 5 points or more), never below the legal rate of Law 3095 art. 1",
            "tr-avans",
            _ZERO,
            sources=(
                "https://www.lexology.com/library/detail.aspx?g=0cb6ddb1-803b-4875-94a5-c91e35e6bd42",
                "https://www.hukukihaber.net/yasal-faiz-orani-yillik-24-olarak-belirlendi",
            ),
        ),
        InterestRule(
            "KR",
            "South Korea, Commercial Act art. 54 and Litigation Promotion Act art. 3",
            Mode.STATUTORY,
            "6 % a year; from the day after the complaint is served, the Litigation Promotion Act rate "
            "(12 % since 1 June 2019; its transitional rule for cases argued before a change is not applied)",
            None,
            Decimal(6),
            consumers=True,
            sources=(
                "https://ko.wikipedia.org/wiki/%EB%8C%80%ED%95%9C%EB%AF%BC%EA%B5%AD_%EC%83%81%EB%B2%95_%EC%A0%9C54%EC%A1%B0",
                "https://law.go.kr/LSW//lsLinkCommonInfo.do?chrClsCd=010202&lspttninfSeq=114845",
            ),
        ),
        InterestRule(
            "US-NY",
            "New York, CPLR 5004",
            Mode.STATUTORY,
            "9 % a year (the 2 % of CPLR 5004 is for actions on consumer debt against a natural person)",
            None,
            Decimal(9),
            consumers=True,
            sources=(
                "https://nysenate.gov/legislation/laws/CVP/5004",
                "https://www.arpinolaw.com/new-2-rate-of-interest-on-nys-money-judgments",
            ),
        ),
        InterestRule(
            "US-CA",
            "California, Civil Code §3289(b)",
            Mode.STATUTORY,
            "10 % a year after a breach of a contract that stipulates no rate",
            None,
            Decimal(10),
            consumers=True,
            sources=(
                "https://ca.codecond.com/codes/civ/division-4-general-provisions/part-1-relief/title-2-compensatory-relief/chapter-1-damages-in-general/article-2-interest-as-damages/section-3289",
            ),
        ),
        InterestRule(
            "US-TX",
            "Texas, Finance Code §302.002",
            Mode.STATUTORY,
            "6 % a year beginning on the 30th day after the amount is due",
            None,
            Decimal(6),
            consumers=True,
            start_delay=30,
            sources=("https://lawserver.com/?p=29119409",),
        ),
        InterestRule(
            "US-DE",
            "Delaware, 6 Del. C. §2301(a)",
            Mode.FIXED_AT_START,
            "the Federal Reserve discount rate + 5 points, as of the time from which interest is due",
            "us-fed-discount",
            Decimal(5),
            consumers=True,
            sources=("https://delcode.delaware.gov/title6/c023/index.html",),
        ),
    )
}

# Countries whose own rule is implemented; other EU member states get the Directive's floor.
_OWN = {"DE": "DE", "FR": "FR", "ES": "ES", "IE": "IE", "GB": "GB", "TR": "TR", "KR": "KR", "US": "US-NY"}
_EU = frozenset(
    {
        *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU"),
        *("IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"),
    }
)


def rule_for(jurisdiction: str) -> InterestRule:
    """The rule of ``jurisdiction`` (case-insensitive code), or UnknownJurisdictionError listing the codes."""
    code = jurisdiction.strip().upper()
    if code not in RULES:
        raise UnknownJurisdictionError(
            f"no interest rule for jurisdiction {jurisdiction!r} (known: {', '.join(RULES)})"
        )
    return RULES[code]


def jurisdiction_for(customer: Customer) -> str:
    """The customer's jurisdiction: its own setting, else from its country (US: US-NY; other EU: EU)."""
    if customer.jurisdiction.strip():
        return rule_for(customer.jurisdiction).code
    country = customer.country.upper()
    if country in _OWN:
        return _OWN[country]
    if country in _EU:
        return "EU"
    raise UnknownJurisdictionError(
        f"customer {customer.id!r} is in {country}, for which there is no interest rule: set the "
        f"customer's jurisdiction to one of {', '.join(RULES)}"
    )


# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """Part of the delay with one principal, one rate and one day basis.

    Fields:
        start, end: first and last interest day, both counted.
        days: ``end - start + 1``.
        rate: percent per annum.
        amount: the segment's interest, rounded to the minor unit (ROUND_HALF_UP).
        principal: what bore interest in the segment.
        basis: the days of the year divided by (365, 366 or 360).
    """

    start: dt.date
    end: dt.date
    days: int
    rate: Decimal
    amount: Money
    principal: Money | None = None
    basis: int = 365


@dataclass(frozen=True, slots=True)
class InterestResult:
    """Interest and fixed compensation on one debt, with the rule applied and its sources."""

    interest: Money
    compensation: Money
    total: Money
    segments: tuple[Segment, ...]
    rule: str
    sources: tuple[str, ...]
    jurisdiction: str = ""

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of ``recoup interest --json``: amounts and rates as strings."""
        return {
            "jurisdiction": self.jurisdiction,
            "interest": str(self.interest.amount),
            "compensation": str(self.compensation.amount),
            "total": str(self.total.amount),
            "currency": self.interest.currency,
            "segments": [
                {
                    "from": s.start.isoformat(),
                    "to": s.end.isoformat(),
                    "days": s.days,
                    "rate": str(s.rate),
                    "amount": str(s.amount.amount),
                    "principal": str(s.principal.amount) if s.principal is not None else None,
                    "basis": s.basis,
                }
                for s in self.segments
            ],
            "rule": self.rule,
            "sources": list(self.sources),
        }


# --- dates ---------------------------------------------------------------------------------------


def half_year_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 1 if day.month <= 6 else 7, 1)


def _next_half(start: dt.date) -> dt.date:
    return dt.date(start.year, 7, 1) if start.month == 1 else dt.date(start.year + 1, 1, 1)


def _starts_within(first: dt.date, last: dt.date, step: str) -> list[dt.date]:
    """Period starts (half-years or years) from the one containing ``first`` up to ``last``."""
    if step == "year":
        return [dt.date(y, 1, 1) for y in range(first.year, last.year + 1)]
    out: list[dt.date] = []
    h = half_year_start(first)
    while h <= last:
        out.append(h)
        h = _next_half(h)
    return out


def _basis(day_basis: str, day: dt.date) -> int:
    if day_basis == "360":
        return 360
    if day_basis == "act/act":
        return 366 if (day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)) else 365
    return 365


# --- the rate over the delay ---------------------------------------------------------------------


def _pieces(
    rule: InterestRule,
    first: dt.date,
    last: dt.date,
    rates: RateBook,
    margin: Decimal,
    complaint_served: dt.date | None,
) -> list[tuple[dt.date, Decimal]]:
    """(day from which it applies, annual rate %) covering ``first``..``last``, sorted by day."""
    if rule.code == "TR-3095":
        return _tr3095_pieces(first, last, rates)
    if rule.mode in (Mode.HALF_YEAR, Mode.YEARLY):
        assert rule.table is not None
        table = rates.table(rule.table)
        pieces = []
        for start in _starts_within(first, last, "year" if rule.mode is Mode.YEARLY else "half"):
            reference = start - dt.timedelta(days=1) if rule.reference_day_before else start
            pieces.append((max(start, first), table.rate_on(reference).rate + margin))
        return pieces
    if rule.mode is Mode.FIXED_AT_START:
        assert rule.table is not None
        if rule.code == "GB":
            reference = dt.date(first.year - 1, 12, 31) if first.month <= 6 else dt.date(first.year, 6, 30)
        elif rule.code == "IE":
            reference = half_year_start(first)
        else:
            reference = first
        return [(first, rates.rate_on(rule.table, reference).rate + margin)]
    # statutory numbers
    pieces = [(first, margin)]
    if rule.code == "KR" and complaint_served is not None and complaint_served < last:
        table = rates.table("kr-litigation")
        switch = max(complaint_served + dt.timedelta(days=1), first)
        pieces = [p for p in pieces if p[0] < switch] if switch > first else []
        pieces.append((switch, table.rate_on(switch).rate))
        pieces += [(day, table.rate_on(day).rate) for day in table.changes_within(switch, last)]
    return pieces


def _tr3095_pieces(first: dt.date, last: dt.date, rates: RateBook) -> list[tuple[dt.date, Decimal]]:
    avans, legal = rates.table("tr-avans"), rates.table("tr-legal")
    pieces: list[tuple[dt.date, Decimal]] = []
    for start in _starts_within(first, last, "half"):
        reference = avans.rate_on(dt.date(start.year - 1, 12, 31)).rate
        if start.month == 7:
            june = avans.rate_on(dt.date(start.year, 6, 30)).rate
            if abs(june - reference) >= 5:
                reference = june
        begin = max(start, first)
        end = min(_next_half(start) - dt.timedelta(days=1), last)
        for day in (begin, *legal.changes_within(begin, end)):
            rate = max(reference, legal.rate_on(day).rate)
            if day == begin or rate != pieces[-1][1]:
                pieces.append((day, rate))
    return pieces


# --- compensation --------------------------------------------------------------------------------

_EUR40 = ("EU", "DE", "FR", "ES")
_BANDS = ((Decimal(1000), Decimal(40)), (Decimal(10000), Decimal(70)))


def _banded(principal: Money) -> Decimal:
    for limit, amount in _BANDS:
        if principal.amount < limit:
            return amount
    return Decimal(100)


def gives_compensation(code: str, consumer: bool = False) -> bool:
    """Whether the law of rule ``code`` gives fixed compensation to a debtor of this kind.

    EU, DE, FR, ES, IE, GB and TR, and only between businesses. Says nothing of
    the currency: ``compensation_with_reason`` still gives none for a debt in a
    currency other than the one the law names.
    """
    return not consumer and code in (*_EUR40, "GB", "IE", "TR")


def compensation_with_reason(
    principal: Money,
    jurisdiction: str,
    consumer: bool = False,
    due: dt.date | None = None,
    *,
    rates: RateBook | None = None,
) -> tuple[Money, str]:
    """The fixed compensation per invoice and a sentence saying why (or why none)."""
    rule = rule_for(jurisdiction)
    code, currency = rule.code, principal.currency
    zero = Money.zero(currency)
    if not gives_compensation(code):
        return zero, "No fixed compensation: the law of this jurisdiction gives none."
    if not gives_compensation(code, consumer):
        return (
            zero,
            "No fixed compensation: it is owed only between businesses, and the debtor is a consumer.",
        )
    if code == "TR":
        if currency != "TRY":
            return zero, f"The TTK 1530 minimum compensation is owed in TRY; the debt is in {currency}."
        if due is None or rates is None:
            raise MissingRateError(
                "the TTK 1530 minimum compensation needs the due date and the rate book "
                "(table tr-ttk1530-compensation)"
            )
        amount = rates.rate_on("tr-ttk1530-compensation", due).rate
        return Money(amount, currency), (
            f"Minimum compensation of TTK 1530 for {due.year}: TRY {amount} per invoice."
        )
    if code == "GB":
        if currency != "GBP":
            return zero, f"The fixed sum of the 1998 Act is owed in GBP; the debt is in {currency}."
        amount = _banded(principal)
        return Money(amount, currency), (
            f"Fixed sum of the 1998 Act s5A: GBP {amount} per debt (40 under 1 000, 70 under 10 000, 100 "
            "from 10 000), credited against reasonable recovery costs."
        )
    if currency != "EUR":
        return zero, f"The fixed compensation is owed in EUR; the debt is in {currency}: claim it separately."
    if code == "IE":
        amount = _banded(principal)
        return Money(amount, currency), (
            f"Fixed compensation EUR {amount} per invoice (40 under 1 000, 70 under 10 000, 100 from "
            "10 000); UNSURE: these Irish amounts are not verified (LAW.md 0), check before claiming."
        )
    return Money(
        40, currency
    ), "Fixed compensation EUR 40 per invoice, credited against later recovery costs."


def compensation(
    principal: Money,
    jurisdiction: str,
    consumer: bool = False,
    due: dt.date | None = None,
    *,
    rates: RateBook | None = None,
) -> Money:
    """The fixed compensation per invoice (zero where the law gives none or the debtor is a consumer).

    EUR 40 in EU, DE, FR and ES; GBP 40/70/100 by debt size in GB; the same
    bands in EUR in IE (unverified, flagged); in TR the TTK 1530 minimum of the
    year the debt fell due (needs ``due`` and ``rates``). Owed in its own
    currency only: a debt in another currency gets zero here, and the reason.
    """
    return compensation_with_reason(principal, jurisdiction, consumer, due, rates=rates)[0]


# --- interest ------------------------------------------------------------------------------------


def compute(
    principal: Money,
    due: dt.date,
    until: dt.date,
    *,
    jurisdiction: str,
    consumer: bool = False,
    payments: Sequence[tuple[dt.date, Money]] = (),
    rates: RateBook,
    day_basis: str = "365",
    contract_rate: Decimal | None = None,
    complaint_served: dt.date | None = None,
) -> InterestResult:
    """Late-payment interest on ``principal`` due on ``due``, up to ``until`` (see the module docstring).

    ``payments`` are (day, amount) in the principal's currency; each reduces
    the principal from the day after it arrives. ``contract_rate`` (percent per
    annum, from the contract's clause) replaces the statutory rate when given.
    ``complaint_served`` (KR) switches to the litigation rate from the next day.
    """
    rule = rule_for(jurisdiction)
    if day_basis not in DAY_BASES:
        raise InvalidInputError(
            f"day basis {day_basis!r} is not one of {', '.join(DAY_BASES)}", field="day_basis"
        )
    if principal.amount < 0:
        raise InvalidInputError(f"the principal {principal} is negative", field="amount")
    for day, paid in payments:
        if paid.currency != principal.currency or paid.amount < 0:
            raise InvalidInputError(
                f"the payment of {paid} on {day.isoformat()} is not a positive amount in "
                f"{principal.currency}",
                field="payments",
            )
    currency = principal.currency
    fixed, fixed_reason = compensation_with_reason(principal, rule.code, consumer, due, rates=rates)
    sources = rule.sources

    if contract_rate is not None:
        how = (
            f"The contract's own rate of {contract_rate} % a year replaces the statutory rate "
            f"({rule.title}: {rule.rate_text})."
        )
        first = due + dt.timedelta(days=1)
        last = until
        pieces = [(first, contract_rate)] if first <= last else []
        half_years = False
    elif consumer and not rule.consumers:
        result_rule = (
            f"{rule.title}: statutory late-payment interest applies only between businesses; the debtor is a "
            f"consumer, so none is computed (a contract rate would still apply). {fixed_reason}"
        )
        zero = Money.zero(currency)
        return InterestResult(zero, fixed, fixed, (), result_rule, sources, rule.code)
    else:
        margin = rule.margin
        if consumer and rule.consumer_margin is not None:
            margin = rule.consumer_margin
        how = f"{rule.title}: {rule.rate_text}; {_mode_text(rule)}."
        if consumer and rule.consumer_margin is not None:
            how += f" The debtor is a consumer: + {margin} points."
        first = due + dt.timedelta(days=rule.start_delay)
        last = until
        pieces = _pieces(rule, first, last, rates, margin, complaint_served) if first <= last else []
        half_years = rule.mode is Mode.HALF_YEAR

    segments = _segments(principal, payments, pieces, first, last, day_basis, half_years)
    interest = sum((s.amount for s in segments), Money.zero(currency))
    start_text = (
        "the 30th day after the due date"
        if first - due == dt.timedelta(days=30)
        else ("the day after the due date")
    )
    text = (
        f"{how} Simple interest on the open principal from {start_text} to {until.isoformat()} inclusive "
        f"(a payment stops interest on what it pays from the next day), day basis {day_basis}; each segment "
        f"is rounded to the minor unit (half up) and the interest is their sum. {fixed_reason}"
    )
    return InterestResult(interest, fixed, interest + fixed, segments, text, sources, rule.code)


def _mode_text(rule: InterestRule) -> str:
    if rule.mode is Mode.HALF_YEAR:
        return "re-rated for each half-year (1 January and 1 July)"
    if rule.mode is Mode.YEARLY:
        return "re-rated for each calendar year"
    if rule.mode is Mode.FIXED_AT_START:
        return "one rate for the whole delay, fixed when interest starts"
    return "a rate written in the law"


def _segments(
    principal: Money,
    payments: Sequence[tuple[dt.date, Money]],
    pieces: Sequence[tuple[dt.date, Decimal]],
    first: dt.date,
    last: dt.date,
    day_basis: str,
    half_years: bool,
) -> tuple[Segment, ...]:
    if not pieces or first > last:
        return ()
    one = dt.timedelta(days=1)
    cuts = {first, *(day for day, _ in pieces)}
    cuts |= {day + one for day, _ in payments if first < day + one <= last}
    if half_years:
        cuts |= {h for h in _starts_within(first, last, "half") if first < h}
    if day_basis == "act/act":
        cuts |= {dt.date(y, 1, 1) for y in range(first.year + 1, last.year + 1)}
    starts = sorted(c for c in cuts if first <= c <= last)
    piece_days = [day for day, _ in pieces]
    paid = sorted(payments, key=lambda p: p[0])
    quantum = Decimal(1).scaleb(-minor_digits(principal.currency))
    out: list[Segment] = []
    for i, start in enumerate(starts):
        end = starts[i + 1] - one if i + 1 < len(starts) else last
        open_amount = principal.amount - sum((m.amount for d, m in paid if d < start), _ZERO)
        if open_amount <= 0:
            continue
        rate = pieces[bisect.bisect_right(piece_days, start) - 1][1]
        days = (end - start).days + 1
        basis = _basis(day_basis, start)
        exact = open_amount * rate * days / (Decimal(100) * basis)
        amount = Money(exact.quantize(quantum, rounding=ROUND_HALF_UP), principal.currency)
        out.append(Segment(start, end, days, rate, amount, Money(open_amount, principal.currency), basis))
    return tuple(out)


def daily_rounded(principal: Money, rate: Decimal, days: int, basis: int = 365) -> Money:
    """Interest the gov.uk way: the daily interest rounded to the minor unit first, then times the days.

    gov.uk's example (GBP 1 000 at 8.5 % for 50 days) rounds the daily 23.29p
    to 23p and gives GBP 11.50, where ``compute`` gives the exact 11.64. Use
    this only to reproduce such published figures.
    """
    daily = Money(principal.amount * rate / (Decimal(100) * basis), principal.currency)
    return daily * days


# --- contract clauses ----------------------------------------------------------------------------

_CLAUSE = re.compile(
    r"(?P<rate>\d+(?:[.,]\d+)?)\s*%\s*(?P<unit>p\.?\s*a\.?|per\s+annum|a\s+year|per\s+year|yearly|annual(?:ly)?|"
    r"/\s*year|per\s+month|a\s+month|monthly|/\s*month|p\.?\s*m\.?)?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ClauseRate:
    """A contract clause read as an annual rate, or not read (``rate`` None) with the reason."""

    rate: Decimal | None
    note: str = field(default="")


def clause_rate(clause: str) -> ClauseRate:
    """Read a late-fee clause like '8% p.a.' or '1.5% per month' (x 12, simple) as percent per annum.

    A clause with no percentage, several different ones, or no period other
    than a plain '8%' (read as per annum) is not read: ``rate`` None with a note.
    """
    text = clause.strip()
    if not text:
        return ClauseRate(None, "no late-fee clause")
    found = list(_CLAUSE.finditer(text))
    if len(found) != 1:
        return ClauseRate(None, f"the late-fee clause {text!r} was not understood, so it was ignored")
    match = found[0]
    rate = Decimal(match.group("rate").replace(",", "."))
    unit = (match.group("unit") or "").lower().replace(" ", "")
    if "month" in unit or unit.startswith("p.m") or unit == "pm":
        return ClauseRate(rate * 12, f"the clause {text!r} read as {rate} % a month = {rate * 12} % a year")
    return ClauseRate(rate, f"the clause {text!r} read as {rate} % a year")
