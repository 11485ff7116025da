"""Limitation periods: the day a claim for an unpaid invoice becomes time-barred.

``limitation(jurisdiction, due=..., consumer=..., kind=...)`` gives the first day on
which the claim is barred (``barred_on``), the period in years, the rule applied
(named, with a ⚠ where it comes from knowledge rather than a source read) and the
sources (LAW.md section 4.6).

How a period is counted here: a period of N years "from the due date" runs from the
day after the due date (the first day payment can be enforced) and its last day is
the N-th anniversary of the due date; the claim is barred from the day after
(``barred_on = anniversary + 1 day``). A 29 February anniversary falls on 28 February.
Germany counts from the end of the year the claim arose: the last day is 31 December
of the due year plus three years, ``barred_on`` is 1 January after it.

What this does not model (a person must check): interruption and suspension
(acknowledgment of the debt, part payment, negotiations, a court claim or payment
order: they restart or pause the clock); contractual shortening (UCC 2-725 allows
down to one year); the creditor's knowledge (DE §199, FR C. civ. 2224) assumed from
the due date; and in England & Wales a cause of action for services may accrue on
performance, not on the payment due date (Consulting Concepts v CPA [2022] EWHC 461).

Kinds of claim (``kind``): ``goods`` (price of goods sold, the default), ``services``,
``works`` (a contractor's or craftsman's work), ``periodic`` (rent and other periodic
payments), ``retail`` (small retail sales), ``agency`` (agency and commission contracts).
They matter in TR (5 years for the claims listed in TBK 147), KR (3 years for goods
and works of merchants and craftsmen, 5 otherwise) and the US (UCC 2-725 for goods).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from recoup.domain.customers import Customer
from recoup.domain.errors import InvalidValueError

KINDS = ("goods", "services", "works", "periodic", "retail", "agency")
WARN_DAYS = 90
"""The worklist warns this many days before a claim becomes time-barred."""

_BGB = (
    "BGB §195 (3 years), §199(1) (from the end of the year the claim arose)",
    "https://lexcada.com/akn/de/act/1896-08-18/BGB/deu/!para_199",
)
_FR = (
    "C. com. L110-4 I (5 years between merchants)",
    "https://www.doctrine.fr/l/texts/codes/LEGITEXT000005634379/articles/LEGIARTI000006219128",
)
_FR_CONSUMER = ("C. consom. L218-2 (2 years, professional against a consumer) ⚠ from knowledge",)
_ES = (
    "Código Civil art. 1964.2 (5 years since 7 Oct 2015; 15 before)",
    "https://www.burgueraabogados.com/prescripcion-el-plazo-general-se-reduce-a-los-5-anos/",
)
_GB = (
    "Limitation Act 1980 s5 (6 years, simple contract)",
    "https://docslib.org/doc/10950985/limitation-act-1980-chapter-58",
    "https://jpcreditsolutions.co.uk/site/about/blog/when-does-the-cause-of-action-for-breach-of-contract-arise",
)
_SCT = (
    "Prescription and Limitation (Scotland) Act 1973 s6: 5 years prescription (FCA CONC 7.15)",
    "https://www.handbook.fca.org.uk/handbook/CONC/7/15.html",
)
_IE = ("Statute of Limitations 1957 s11 (6 years, simple contract) ⚠ from knowledge",)
_TR = (
    "TBK 146 (10 years), 147 (5 years for the listed claims), 149 (from maturity)",
    "https://kocatepehukuk.com/zamanasimi/",
)
_KR = (
    "상법 64 (5 years, commercial claims)",
    "민법 163 (6),(7) (3 years, goods sold by merchants, craftsmen's work)",
    "https://ko.wikipedia.org/wiki/%EB%8C%80%ED%95%9C%EB%AF%BC%EA%B5%AD_%EB%AF%BC%EB%B2%95_%EC%A0%9C163%EC%A1%B0",
)
_UCC = ("UCC 2-725 (4 years, sale of goods)", "https://lexace.ai/us/statute/new-york/ucc-2-725")

_US_STATES: dict[str, tuple[int, str, tuple[str, ...]]] = {
    "US-NY": (6, "New York: 6 years for other contracts (CPLR 213(2))", ("CPLR 213(2)",)),
    "US-CA": (4, "California: 4 years on a written contract (CCP 337) ⚠ from knowledge", ("CCP 337 ⚠",)),
    "US-TX": (
        4,
        "Texas: 4 years for debt (Civ. Prac. & Rem. Code 16.004) ⚠ from knowledge",
        ("Tex. Civ. Prac. & Rem. Code 16.004 ⚠",),
    ),
    "US-DE": (
        3,
        "Delaware: 3 years for contracts (10 Del. C. 8106) ⚠ from knowledge",
        ("10 Del. C. 8106 ⚠",),
    ),
}
_TR_SHORT = frozenset({"periodic", "retail", "agency", "works"})
_KR_SHORT = frozenset({"goods", "works"})
_ES_REFORM = dt.date(2015, 10, 7)


@dataclass(frozen=True, slots=True)
class Limitation:
    """When a claim becomes time-barred, and by which rule.

    Fields:
        barred_on: the first day the claim is time-barred (the day after the period's last day).
        years: the length of the period.
        rule: the rule applied, in one sentence (⚠ where it is from knowledge, not a source read).
        sources: the statutes and pages it comes from.
    """

    barred_on: dt.date
    years: int
    rule: str
    sources: tuple[str, ...]

    @property
    def last_day(self) -> dt.date:
        """The last day a claim can still be brought."""
        return self.barred_on - dt.timedelta(days=1)

    @property
    def warn_from(self) -> dt.date:
        """From this day on the worklist warns that the claim will soon be time-barred."""
        return self.barred_on - dt.timedelta(days=WARN_DAYS)

    def is_barred(self, as_of: dt.date) -> bool:
        return as_of >= self.barred_on

    def is_near(self, as_of: dt.date) -> bool:
        """Within the warning period, not yet barred."""
        return self.warn_from <= as_of < self.barred_on


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _from_due(due: dt.date, years: int, rule: str, sources: tuple[str, ...]) -> Limitation:
    return Limitation(_add_years(due, years) + dt.timedelta(days=1), years, rule, sources)


def limitation(jurisdiction: str, *, due: dt.date, consumer: bool, kind: str = "goods") -> Limitation:
    """The limitation period of an invoice due on ``due`` under ``jurisdiction``.

    Jurisdictions: DE, FR, ES, IE, GB (England & Wales), GB-SCT (Scotland), TR, KR,
    US-NY, US-CA, US-TX, US-DE. 'EU' is not enough (limitation is national law) and
    an unknown code is an error: both raise InvalidValueError saying what to give.
    """
    code = (jurisdiction or "").strip().upper()
    if kind not in KINDS:
        raise InvalidValueError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    if code == "DE":
        end = dt.date(due.year + 3, 12, 31)
        rule = "DE: 3 years from the end of the year the claim fell due (BGB §§195, 199)"
        return Limitation(end + dt.timedelta(days=1), 3, rule, _BGB)
    if code == "FR":
        if consumer:
            rule = "FR: 2 years for a professional's claim against a consumer (C. consom. L218-2) ⚠"
            return _from_due(due, 2, rule, _FR_CONSUMER)
        return _from_due(due, 5, "FR: 5 years from the due date (C. com. L110-4)", _FR)
    if code == "ES":
        if due < _ES_REFORM:
            barred = min(_add_years(due, 15), dt.date(2020, 10, 7)) + dt.timedelta(days=1)
            rule = "ES: an obligation due before 7 Oct 2015 expired on 7 Oct 2020 at the latest (CC 1964.2)"
            return Limitation(barred, 15, rule, _ES)
        return _from_due(due, 5, "ES: 5 years from the due date (Código Civil art. 1964.2)", _ES)
    if code == "GB":
        rule = (
            "GB (England & Wales): 6 years from the due date (Limitation Act 1980 s5); for services the "
            "cause of action may accrue on performance, earlier than the due date: check the contract"
        )
        return _from_due(due, 6, rule, _GB)
    if code == "GB-SCT":
        rule = "GB-SCT (Scotland): 5 years prescription from the due date; the debt is extinguished"
        return _from_due(due, 5, rule, _SCT)
    if code == "IE":
        return _from_due(due, 6, "IE: 6 years from the due date (Statute of Limitations 1957 s11) ⚠", _IE)
    if code == "TR":
        if kind in _TR_SHORT:
            return _from_due(due, 5, f"TR: 5 years for a claim listed in TBK 147 ({kind})", _TR)
        return _from_due(due, 10, "TR: 10 years from maturity (TBK 146, 149)", _TR)
    if code == "KR":
        if kind in _KR_SHORT:
            rule = f"KR: 3 years for the price of {kind} of merchants and craftsmen (민법 163)"
            return _from_due(due, 3, rule, _KR)
        return _from_due(due, 5, "KR: 5 years for commercial claims (상법 64)", _KR)
    if code in _US_STATES:
        if kind == "goods":
            rule = f"{code}: 4 years from the due date for the sale of goods (UCC 2-725)"
            return _from_due(due, 4, rule, _UCC)
        years, text, sources = _US_STATES[code]
        return _from_due(due, years, f"{code}: {text}", sources)
    if code == "EU":
        raise InvalidValueError(
            "limitation periods are national law: give the member state's jurisdiction "
            "(DE, FR, ES, IE, ...), not EU"
        )
    if code == "US":
        raise InvalidValueError(
            "limitation periods are state law: give the state (US-NY, US-CA, US-TX, US-DE)"
        )
    known = "DE, FR, ES, IE, GB, GB-SCT, TR, KR, " + ", ".join(_US_STATES)
    raise InvalidValueError(f"no limitation rule for jurisdiction {jurisdiction!r} (known: {known})")


def is_time_barred(
    jurisdiction: str, *, due: dt.date, consumer: bool, as_of: dt.date, kind: str = "goods"
) -> bool:
    """True when the claim is time-barred on ``as_of``."""
    return limitation(jurisdiction, due=due, consumer=consumer, kind=kind).is_barred(as_of)


def customer_jurisdiction(customer: Customer) -> str:
    """The customer's jurisdiction: as set on the customer, else from its country (US: US-NY, other: the
    country code, which ``limitation`` may not know). The same mapping as ``law.interest.jurisdiction_for``
    except that other EU countries keep their own code (limitation is national law)."""
    if customer.jurisdiction:
        return customer.jurisdiction.strip().upper()
    if customer.country == "US":
        return "US-NY"
    return customer.country


def limitation_for(customer: Customer, due: dt.date, kind: str = "goods") -> Limitation | None:
    """The limitation of a customer's invoice due on ``due``; None when its jurisdiction has no rule here."""
    try:
        return limitation(customer_jurisdiction(customer), due=due, consumer=customer.is_consumer, kind=kind)
    except InvalidValueError:
        return None
