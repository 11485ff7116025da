"""The end of the ladder: what each way forward is expected to bring, and which to take.

``advise(facts, assumptions)`` compares six options for one case (a customer in one
currency), each by its expected net recovery: the probability of recovery times what
can be recovered, minus what it costs from now on. What was already spent on the case
is not an input: sunk costs do not change which option is best (PRACTICES.md, practice
3 step 6). Every number used is an ``Assumptions`` field, shown with each option.

The model (LAW.md 5.4; the curve and fees are sourced, the rest are assumptions ⚠):

- p (recovery prior): the LAW.md 5.2 curve, interpolated linearly by days past due
  (30 d 94 %, 90 d 74 %, 180 d 58 %, 365 d 27 %, 730 d 9 %; flat before the first and
  after the last point), balance-weighted over the case's items, then adjusted by the
  customer's record: × (1 − 0.3 × share of paid invoices paid late) × 0.85 per broken
  promise.
- in-house efficacy e(days): 1 up to 90 days, 0.5 at 180, 0.3 from 365 (⚠ derived: the
  5.2 curve comes from agencies; a creditor's own reminders lose force with age).
- keep_chasing = p × e × balance − effort × chase_months.
- offer_plan = (q_plan) × balance − cost of waiting − effort × (1 + plan_effort_share ×
  plan_months), with q_plan = p × e + (1 − p × e) × plan_rescue; cost of waiting =
  balance × cost_of_money × plan_months / 2 / 12 (the money arrives on average half way).
- agency = p × (balance + compensation) × (1 − fee) − effort × agency_handover_months,
  only from ``agency_from_days`` (60: the ladder's own steps come first);
  fee by age (20 % under 90 days, 30 % to a year, 45 % older; GB 10 %, + 5 pp over a
  year, LAW.md 5.1). Statutory fixed compensation is recoverable from the debtor.
- litigate = P(win) × P(collect | win) × h × (balance + interest + compensation +
  recoverable costs) − own costs − (1 − P(win)) × adverse costs, h = the customer's
  record factor above; P(collect | win) = p_collect_if_win × (1 + p_age / 0.94) / 2: half
  of a judgment's worth follows the debtor's decline with age, half is enforcement ⚠.
  Court fees: GB the county-court table (LAW.md 5.3) exactly; DE
  approximated from the worked figure (claim EUR 15,000 → total risk EUR 6,527; fees
  grow as claim^0.6; court 20 %, each side's lawyer 40 %; loser pays) ⚠; US: own costs
  USD 43,000 (NCSC median; no fee shifting); elsewhere a default court fee rate ⚠.
  Impossible (−∞) when every item is time-barred; a barred item is never claimed.
- write_off = 0 (bad-debt tax relief is not modelled).
- settle at S = q × S − effort × settle_months, q = p + (1 − p) × settle_lift: a
  discount makes some who would not pay accept. Only from ``settle_from_days`` (a
  discount earlier teaches customers to pay late). The proposed amount is the lowest
  S, on the currency's minor unit, with q × S − cost > the best other option:
  S = ceil((best + cost) / q) to the minor unit (one unit more if it lands exactly);
  none if that exceeds the balance.

Internal effort is 20 EUR a month of chasing by default (half an hour of a collector;
the reminders themselves are automated) ⚠. Costs are set in EUR and converted with
``cost_rates`` (rough, ⚠); a currency not in that table takes the EUR figures as they are.
"""

# ruff: noqa: RUF009  (Decimal defaults are immutable)
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any

from recoup.domain.errors import InvalidValueError
from recoup.domain.money import Money, minor_digits

NEG_INF = Decimal("-Infinity")
OPTIONS = ("keep_chasing", "offer_plan", "settle", "agency", "litigate", "write_off")
D = Decimal


@dataclass(frozen=True, slots=True)
class Assumptions:
    """Every number the advice uses; each can be changed in the settings (``RECOUP_ADVICE__NAME=value``).

    Probabilities and rates are fractions (0.3 = 30 %); costs are in EUR before ``cost_rates``.
    """

    curve: tuple[tuple[int, Decimal], ...] = (
        (30, D("0.94")),
        (90, D("0.74")),
        (180, D("0.58")),
        (365, D("0.27")),
        (730, D("0.09")),
    )
    late_penalty: Decimal = D("0.3")
    broken_promise_factor: Decimal = D("0.85")
    in_house: tuple[tuple[int, Decimal], ...] = ((90, D("1")), (180, D("0.5")), (365, D("0.3")))
    effort_per_month: Decimal = D("20")
    chase_months: int = 3
    plan_months: int = 6
    plan_rescue: Decimal = D("0.3")
    plan_effort_share: Decimal = D("0.5")
    cost_of_money: Decimal = D("0.08")
    agency_fee_young: Decimal = D("0.20")
    agency_fee_mid: Decimal = D("0.30")
    agency_fee_old: Decimal = D("0.45")
    agency_fee_gb: Decimal = D("0.10")
    agency_fee_gb_old_extra: Decimal = D("0.05")
    agency_handover_months: Decimal = D("0.5")
    agency_from_days: int = 60
    p_win: Decimal = D("0.8")
    p_collect_if_win: Decimal = D("0.8")
    lawyer_rate: Decimal = D("0.10")
    lawyer_minimum: Decimal = D("500")
    recoverable_share: Decimal = D("0.5")
    court_fee_rate: Decimal = D("0.05")
    de_reference_claim: Decimal = D("15000")
    de_reference_total: Decimal = D("6527")
    us_litigation_cost_usd: Decimal = D("43000")
    settle_lift: Decimal = D("0.5")
    settle_months: Decimal = D("0.5")
    settle_from_days: int = 90
    cost_rates: tuple[tuple[str, Decimal], ...] = (
        ("EUR", D("1")),
        ("USD", D("1.1")),
        ("GBP", D("0.85")),
        ("CHF", D("0.95")),
        ("JPY", D("160")),
        ("KRW", D("1450")),
        ("TRY", D("40")),
    )

    @classmethod
    def from_settings(cls, values: Mapping[str, Any]) -> Assumptions:
        """Defaults with the scalar fields named in ``values`` replaced (strings as from the environment)."""
        changes: dict[str, Any] = {}
        defaults = cls()
        for name, raw in values.items():
            key = name.strip().lower()
            if key not in cls.__dataclass_fields__ or isinstance(getattr(defaults, key), tuple):
                raise InvalidValueError(f"advice setting {name!r} is not a number the advice uses")
            try:
                changes[key] = int(raw) if isinstance(getattr(defaults, key), int) else D(str(raw))
            except (ArithmeticError, ValueError):
                raise InvalidValueError(f"advice setting {name}={raw!r} is not a number") from None
        return dataclasses.replace(defaults, **changes)

    def rate(self, currency: str) -> Decimal:
        return dict(self.cost_rates).get(currency, D(1))

    def shown(self) -> dict[str, str]:
        """The scalar assumptions as strings, for the explanation."""
        return {
            k: str(getattr(self, k))
            for k in self.__dataclass_fields__
            if not isinstance(getattr(self, k), tuple)
        }


@dataclass(frozen=True, slots=True)
class CaseItem:
    """One overdue invoice of the case: its number, due date, open balance, and whether it is time-barred."""

    number: str
    due_date: dt.date
    balance: Money
    barred: bool = False


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the advice looks at. Nothing already spent on the case is an input: sunk costs never count.

    Fields:
        customer_id, currency, as_of: the case and the day.
        jurisdiction: the customer's (GB, DE, US-NY, ...).
        consumer: the debtor is a consumer.
        items: the overdue invoices.
        interest, compensation: statutory interest and fixed compensation to date; None when they
            could not be computed (the advice then counts the principal only and says so).
        paid, paid_late: the customer's paid invoices and how many were paid late.
        broken_promises: promises to pay the customer broke.
    """

    customer_id: str
    currency: str
    as_of: dt.date
    jurisdiction: str
    items: tuple[CaseItem, ...]
    consumer: bool = False
    interest: Money | None = None
    compensation: Money | None = None
    paid: int = 0
    paid_late: int = 0
    broken_promises: int = 0
    interest_note: str = ""

    @property
    def balance(self) -> Money:
        return sum((i.balance for i in self.items), Money.zero(self.currency))

    @property
    def days_past_due(self) -> int:
        """Of the oldest item."""
        return max(((self.as_of - i.due_date).days for i in self.items), default=0)


@dataclass(frozen=True, slots=True)
class Option:
    """One way forward: its expected net recovery (−Infinity when impossible), the numbers used, and why."""

    name: str
    expected: Decimal
    assumptions: dict[str, str] = field(hash=False)
    explanation: str

    @property
    def possible(self) -> bool:
        return self.expected.is_finite()


@dataclass(frozen=True, slots=True)
class Advice:
    """The options of one case, best first in ``recommended``, with the proposed settlement."""

    customer_id: str
    currency: str
    as_of: dt.date
    balance: Money
    days_past_due: int
    options: tuple[Option, ...]
    recommended: str
    why: str
    settlement_amount: Money | None
    notes: tuple[str, ...] = ()
    acceptance: Decimal = D(0)
    settle_cost: Decimal = D(0)

    def settle_value(self, amount: Decimal) -> Decimal:
        """Expected net recovery of offering to settle for ``amount``: acceptance × amount − cost."""
        return self.acceptance * amount - self.settle_cost

    def option(self, name: str) -> Option:
        return next(o for o in self.options if o.name == name)


def _interpolate(points: tuple[tuple[int, Decimal], ...], days: int) -> Decimal:
    if days <= points[0][0]:
        return points[0][1]
    for (d0, p0), (d1, p1) in itertools.pairwise(points):
        if days <= d1:
            return p0 + (p1 - p0) * D(days - d0) / D(d1 - d0)
    return points[-1][1]


def prior(days: int, a: Assumptions) -> Decimal:
    """P(recovery) for a debt ``days`` past due, before the customer's record (LAW.md 5.2)."""
    return _interpolate(a.curve, days)


def record_factor(paid: int, paid_late: int, broken: int, a: Assumptions) -> Decimal:
    """The customer's record: × (1 − late_penalty × late share) × broken_promise_factor ^ broken."""
    share = D(paid_late) / D(paid) if paid else D(0)
    return (1 - a.late_penalty * share) * a.broken_promise_factor**broken


def gb_court_fee(claim: Decimal) -> Decimal:
    """England & Wales county-court money-claim issue fee (LAW.md 5.3), claim including interest, GBP."""
    for limit, fee in (
        (300, 35),
        (500, 50),
        (1000, 70),
        (1500, 80),
        (3000, 115),
        (5000, 205),
        (10000, 455),
    ):
        if claim <= limit:
            return D(fee)
    if claim <= 200000:
        return (claim * D("0.05")).quantize(D("0.01"))
    return D(10000)


def agency_fee(jurisdiction: str, days: int, a: Assumptions) -> Decimal:
    """The agency's commission on what it recovers, by age (LAW.md 5.1); GB's market is cheaper."""
    if jurisdiction.startswith("GB"):
        return a.agency_fee_gb + (a.agency_fee_gb_old_extra if days > 365 else 0)
    if days < 90:
        return a.agency_fee_young
    return a.agency_fee_mid if days <= 365 else a.agency_fee_old


def _fmt(value: Decimal) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") if value.is_finite() else str(value)


def _money(value: Decimal, currency: str) -> str:
    return str(Money(value, currency).amount) if value.is_finite() else str(value)


def advise(facts: CaseFacts, a: Assumptions | None = None) -> Advice:
    """Expected net recovery of each option from today on, the best one, and the settlement to propose."""
    a = a or Assumptions()
    cur, as_of = facts.currency, facts.as_of
    balance = facts.balance.amount
    if balance <= 0:
        raise InvalidValueError(f"{facts.customer_id} has nothing overdue in {cur}: nothing to advise")
    scale = a.rate(cur)
    days = facts.days_past_due
    p_age = sum((i.balance.amount * prior((as_of - i.due_date).days, a) for i in facts.items), D(0)) / balance
    h = record_factor(facts.paid, facts.paid_late, facts.broken_promises, a)
    p = p_age * h
    e = _interpolate(a.in_house, days)
    effort = a.effort_per_month * scale
    interest = facts.interest.amount if facts.interest is not None else D(0)
    comp = facts.compensation.amount if facts.compensation is not None else D(0)
    base = {
        "p_age": _fmt(p_age),
        "record_factor": _fmt(h),
        "p": _fmt(p),
        "balance": _money(balance, cur),
        "effort_per_month": _money(effort, cur),
    }
    notes: list[str] = []
    if facts.interest is None:
        notes.append(facts.interest_note or "statutory interest could not be computed: principal only")
    options: list[Option] = []

    # keep chasing
    ev = p * e * balance - effort * a.chase_months
    options.append(
        Option(
            "keep_chasing",
            ev,
            {**base, "in_house_efficacy": _fmt(e), "months": str(a.chase_months)},
            f"our own reminders and calls for {a.chase_months} more months: "
            f"{_fmt(p * e)} × {_money(balance, cur)} − effort",
        )
    )
    # offer a plan
    q_plan = p * e + (1 - p * e) * a.plan_rescue
    wait = balance * a.cost_of_money * a.plan_months / 2 / 12
    ev = q_plan * balance - wait - effort * (1 + a.plan_effort_share * a.plan_months)
    options.append(
        Option(
            "offer_plan",
            ev,
            {
                **base,
                "p_plan": _fmt(q_plan),
                "cost_of_waiting": _money(wait, cur),
                "months": str(a.plan_months),
            },
            f"instalments over {a.plan_months} months: a plan rescues {_fmt(a.plan_rescue)} of those who "
            "would not pay otherwise; the money comes later",
        )
    )
    # agency
    fee = agency_fee(facts.jurisdiction, days, a)
    ev = p * (balance + comp) * (1 - fee) - effort * a.agency_handover_months
    agency_info = {**base, "fee": _fmt(fee), "compensation": _money(comp, cur)}
    if days < a.agency_from_days:
        options.append(
            Option(
                "agency",
                NEG_INF,
                agency_info,
                f"too early for an agency: not before {a.agency_from_days} days past due",
            )
        )
    else:
        options.append(
            Option(
                "agency",
                ev,
                agency_info,
                f"a collection agency keeps {_fmt(fee * 100)} % of what it recovers "
                "(statutory compensation recovered from the debtor)",
            )
        )
    options.append(_litigate(facts, a, base, p_age, h, interest, comp, scale))
    options.append(
        Option(
            "write_off",
            D(0),
            {},
            "nothing more is recovered and nothing more is spent (tax relief not modelled)",
        )
    )
    # settle: the lowest amount that beats the best other option
    best_other = max(options, key=lambda o: o.expected)
    q = p + (1 - p) * a.settle_lift
    cost = effort * a.settle_months
    unit = D(1).scaleb(-minor_digits(cur))
    settlement: Money | None = None
    settle_info = {**base, "acceptance": _fmt(q), "cost": _money(cost, cur), "beats": best_other.name}
    if days < a.settle_from_days:
        settle = Option(
            "settle",
            NEG_INF,
            settle_info,
            f"too early for a discount: not before {a.settle_from_days} days past due",
        )
    else:
        amount = ((best_other.expected + cost) / q / unit).to_integral_value(rounding=ROUND_CEILING) * unit
        if q * amount - cost <= best_other.expected:
            amount += unit
        amount = max(amount, unit)
        if amount <= balance:
            settlement = Money(amount, cur)
            settle = Option(
                "settle",
                q * amount - cost,
                {**settle_info, "amount": str(settlement.amount)},
                f"a one-off payment of {settlement} ({amount / balance * 100:.1f} % of the balance), "
                f"accepted with probability {_fmt(q)}; anything less does not beat {best_other.name}",
            )
        else:
            settle = Option(
                "settle",
                q * balance - cost,
                settle_info,
                f"no settlement up to the full balance beats {best_other.name}",
            )
    options.insert(2, settle)
    best = max(options, key=lambda o: (o.expected, o.name == "write_off"))
    why = _why(best, best_other, settlement, cur)
    return Advice(
        facts.customer_id,
        cur,
        as_of,
        facts.balance,
        days,
        tuple(options),
        best.name,
        why,
        settlement,
        tuple(notes),
        q,
        cost,
    )


def _litigate(
    facts: CaseFacts,
    a: Assumptions,
    base: dict[str, str],
    p_age: Decimal,
    h: Decimal,
    interest: Decimal,
    comp: Decimal,
    scale: Decimal,
) -> Option:
    cur = facts.currency
    claimable = sum((i.balance.amount for i in facts.items if not i.barred), D(0))
    if claimable <= 0:
        return Option(
            "litigate",
            NEG_INF,
            {**base},
            "impossible: the claim is time-barred (the limitation period has run out)",
        )
    share = claimable / facts.balance.amount
    claim = claimable + (interest + comp) * share
    j = facts.jurisdiction
    approximate = ""
    if j.startswith("GB"):
        to_gbp = a.rate("GBP") / scale
        court = gb_court_fee(claim * to_gbp) / to_gbp
        lawyer = max(a.lawyer_minimum * scale, claim * a.lawyer_rate)
        recoverable, adverse = court + lawyer * a.recoverable_share, lawyer * a.recoverable_share
        rule = "GB county-court issue fee (LAW.md 5.3)"
    elif j == "DE":
        total = a.de_reference_total * scale * D(math.pow(float(claim / scale / a.de_reference_claim), 0.6))
        court, lawyer = total * D("0.2"), total * D("0.4")
        recoverable, adverse = court + lawyer, lawyer
        rule = "DE court and lawyer fees approximated from the E12 figure, loser pays ⚠ approximate"
        approximate = "⚠"
    elif j.startswith("US"):
        court = D(400) * scale / D("1.1")
        lawyer = a.us_litigation_cost_usd * scale / D("1.1")
        recoverable, adverse = court * 0, D(0)
        rule = (
            "US: own costs USD 43,000 (NCSC median), each side pays its own; "
            "rarely worth it under USD 100,000"
        )
    else:
        court = claim * a.court_fee_rate
        lawyer = max(a.lawyer_minimum * scale, claim * a.lawyer_rate)
        recoverable, adverse = (court + lawyer) * a.recoverable_share, lawyer * a.recoverable_share
        rule = f"{j}: court fees not researched, default {_fmt(a.court_fee_rate * 100)} % of the claim ⚠"
        approximate = "⚠"
    collect = a.p_collect_if_win * (1 + p_age / a.curve[0][1]) / 2
    win = a.p_win * collect * h
    ev = win * (claim + recoverable) - court - lawyer - (1 - a.p_win) * adverse
    return Option(
        "litigate",
        ev,
        {
            **base,
            "claim": _money(claim, cur),
            "court_fee": _money(court, cur) + (f" {approximate}" if approximate else ""),
            "lawyer": _money(lawyer, cur),
            "recoverable_costs": _money(recoverable, cur),
            "adverse_costs": _money(adverse, cur),
            "p_win": _fmt(a.p_win),
            "p_collect_if_win": _fmt(collect),
        },
        f"sue for the principal, interest and compensation ({rule})",
    )


def _why(best: Option, other: Option, settlement: Money | None, currency: str) -> str:
    if best.name == "settle" and settlement is not None:
        head = (
            f"Offer to settle for {settlement}: it is the lowest amount that still beats the best "
            f"alternative, {other.name} (expected {_money(other.expected, currency)} {currency}); "
            f"if the offer is refused, go on with {other.name}."
        )
    else:
        value = _money(best.expected, currency)
        head = f"{best.name} has the highest expected net recovery ({value} {currency})."
    return (
        head + " What was already spent on this case does not count: sunk costs are ignored, only what each "
        "option brings and costs from today on."
    )
