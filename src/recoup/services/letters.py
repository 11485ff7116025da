"""Letters for posting, as PDF: the final notice, the demand letter and the statement of account.

``letter_pdf`` takes an outbox payload (``services.run.payload``: the customer,
the invoices, the totals, the next step and when), computes statutory interest
and fixed compensation per invoice with ``law.interest`` (or the contract's
clause), fills the Jinja2 template ``letters/<language>/<kind>.html.j2`` (English
when the language has none) and prints it with WeasyPrint. A letter states the
debt per invoice, what was paid, the interest with its rule, the deadline, how to
pay, what follows if nothing is paid and whom to contact: practice 2 and the
paper trail of practice 3.

Interest is computed on each invoice's open balance from the day after its due
date to the letter's date (as the advice does). When the rate tables lack a rate
(``MissingRateError``) the letter still claims interest at the statutory rate,
names the rule and gives no amount.

``LetterChannel`` is the channel of the ``letter`` action: it renders the letter
of the step, keeps the PDF in the document store and reports it as to be posted.
Nothing leaves the machine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from recoup.domain.errors import DomainError, MissingRateError
from recoup.domain.ladder import OutboxItem
from recoup.domain.money import Money
from recoup.law.interest import InterestResult, clause_rate, compute, gives_compensation, rule_for
from recoup.law.rates import RateBook
from recoup.services import formatting
from recoup.services.ports import Documents, Receipt, UnitOfWorkFactory

if TYPE_CHECKING:
    from recoup.settings import Settings

KINDS = ("final-notice", "demand-letter", "statement")
LANGUAGES = formatting.LANGUAGES
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
DEADLINE_DAYS = 14

# The law as a lawyer of the country cites it (the rule's title in ``law.interest`` is in English).
CITATIONS = {
    "EU": "Directive 2011/7/EU",
    "DE": "§ 288 Abs. 2, § 247 BGB",
    "FR": "l’article L441-10 du Code de commerce",
    "ES": "la Ley 3/2004, arts. 7 y 8",
    "IE": "the European Communities (Late Payment in Commercial Transactions) Regulations 2012",
    "GB": "the Late Payment of Commercial Debts (Interest) Act 1998",
    "TR": "6102 sayılı TTK m. 1530",
    "TR-3095": "3095 sayılı Kanun m. 2",
    "KR": "상법 제54조",
    "US-NY": "N.Y. CPLR § 5004",
    "US-CA": "Cal. Civ. Code § 3289(b)",
}


def environment(folders: list[Path] | None = None) -> jinja2.Environment:
    """The template environment (``services.formatting``): the user's folder first, then the shipped one."""
    return formatting.environment([*(folders or []), TEMPLATES])


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(";", "\n").splitlines() if line.strip()]


def _place(address_lines: list[str]) -> str:
    """The town of the creditor's address: the last line with a postcode, without the postcode."""
    for line in reversed(address_lines):
        if any(ch.isdigit() for ch in line):
            words = [w for w in line.replace(",", " ").split() if not any(ch.isdigit() for ch in w)]
            if words:
                return " ".join(words)
    return ""


def language_of(payload: dict[str, Any], override: str | None = None) -> str:
    """The letter's language: ``override``, else the customer's, English when recoup does not write it."""
    return formatting.language_of(override or payload.get("customer", {}).get("language"))


def _setting(settings: Settings | None, name: str, default: Any = "") -> Any:
    return getattr(settings, name, default) if settings is not None else default


def letter_context(
    payload: dict[str, Any],
    *,
    settings: Settings | None,
    interest: InterestResult | None,
    as_of: dt.date,
    per_invoice: dict[str, InterestResult] | None = None,
    rule_code: str = "",
    interest_note: str = "",
    language: str | None = None,
    kind: str = "demand-letter",
    font_warning: str = "",
) -> dict[str, Any]:
    """Everything a letter template uses, from a payload: dates as dates, amounts as Decimals.

    ``interest`` is the total over the invoices (None: not computed; then
    ``interest_note`` says why, and the letter claims interest at the statutory
    rate without an amount when ``rule_code`` names the rule).
    """
    currency = payload["currency"]
    lang = language_of(payload, language)
    per = per_invoice or {}
    invoices = []
    for line in payload.get("invoices", []):
        amount, balance = Decimal(line["amount"]), Decimal(line["balance"])
        found = per.get(line["number"])
        invoices.append(
            {
                "number": line["number"],
                "due_date": _date(line["due_date"]),
                "amount": amount,
                "paid": amount - balance,
                "balance": balance,
                "interest": found.interest.amount if found else None,
                "days": max((as_of - _date(line["due_date"])).days, 0),  # type: ignore[operator]
            }
        )
    shown = [
        {**s, "due_date": _date(s["due_date"]), "balance": Decimal(s["balance"])}
        for s in payload.get("shown", [])
    ]
    balance = sum((i["balance"] for i in invoices), Decimal(0))
    address = _lines(_setting(settings, "creditor_address"))
    clause = str(payload.get("late_fee_clause") or "")
    contract = bool(clause) and clause_rate(clause).rate is not None
    code = (interest.jurisdiction if interest else "") or rule_code
    citation = CITATIONS.get(code, rule_for(code).title if code else "")
    consumer = payload["customer"].get("kind") == "consumer"  # as interest_for computes it
    interest_amount = interest.interest.amount if interest else None
    compensation = interest.compensation.amount if interest else None
    claimed = balance + (interest_amount or 0) + (compensation or 0)
    customer = dict(payload["customer"])
    customer.setdefault("address", [])
    customer.setdefault("attention", "")
    if isinstance(customer["address"], str):
        customer["address"] = _lines(customer["address"])
    deadline_days = int(_setting(settings, "letter_deadline_days", DEADLINE_DAYS) or DEADLINE_DAYS)
    pay_by = _date(payload.get("pay_by")) or as_of + dt.timedelta(days=deadline_days)
    return {
        "lang": lang,
        "kind": kind,
        "currency": currency,
        "letter_date": as_of,
        "pay_by": pay_by,
        "creditor": {
            "name": _setting(settings, "creditor_name"),
            "address": address,
            "place": _setting(settings, "creditor_place", "") or _place(address),
            "email": _setting(settings, "creditor_email"),
            "phone": _setting(settings, "creditor_phone"),
            "iban": _setting(settings, "iban"),
            "bic": _setting(settings, "bic"),
            "bank": _setting(settings, "bank_name"),
        },
        "customer": customer,
        "reference": f"{customer['id']}-{as_of.strftime('%Y%m%d')}",
        "invoices": invoices,
        "shown": shown,
        "total_amount": sum((i["amount"] for i in invoices), Decimal(0)),
        "total_paid": sum((i["paid"] for i in invoices), Decimal(0)),
        "total_balance": balance,
        "overdue": Decimal(str(payload.get("overdue") or balance)),
        "interest": {
            "computed": interest is not None,
            "amount": interest_amount,
            "compensation": compensation,
            # whether the law gives this debtor fixed compensation (never a consumer): named only then
            "compensation_due": bool(code) and gives_compensation(rule_for(code).code, consumer),
            "claimed": claimed,
            "citation": citation,
            "jurisdiction": code,
            "rule": interest.rule if interest else "",
            "note": interest_note,
            "contract": contract,
            "clause": clause,
            # the statutory regime excludes consumers: no interest is claimed, computed or not
            "consumer_exempt": bool(code) and consumer and not rule_for(code).consumers,
        },
        "next_step": payload.get("next_step") or "",
        "next_kind": payload.get("next_kind") or "",
        "next_on": _date(payload.get("next_on")),
        "notices": payload.get("notices", []),
        "payments": [
            {**p, "date": _date(p["date"]), "amount": Decimal(str(p["amount"]))}
            for p in payload.get("payments", [])
        ],
        "terms": payload.get("terms") or "",
        "sales_owner": payload.get("sales_owner") or "",
        "font_warning": font_warning,
    }


def interest_for(
    payload: dict[str, Any], rates: RateBook | None, as_of: dt.date
) -> tuple[InterestResult | None, dict[str, InterestResult], str, str]:
    """(total, per invoice, rule code, note): statutory or contract interest on each open balance."""
    customer = payload["customer"]
    code = str(customer.get("jurisdiction") or payload.get("jurisdiction") or "")
    if not code:
        return None, {}, "", "the customer's jurisdiction is not known"
    try:
        code = rule_for(code).code
    except DomainError as exc:
        return None, {}, "", str(exc)
    if rates is None:
        return None, {}, code, "no rate tables"
    clause = clause_rate(str(payload.get("late_fee_clause") or ""))
    currency = payload["currency"]
    per: dict[str, InterestResult] = {}
    try:
        for line in payload.get("invoices", []):
            due = _date(line["due_date"])
            assert due is not None
            per[line["number"]] = compute(
                Money(line["balance"], currency),
                due,
                max(as_of, due),
                jurisdiction=code,
                consumer=customer.get("kind") == "consumer",
                rates=rates,
                contract_rate=clause.rate,
            )
    except MissingRateError as exc:
        return None, {}, code, str(exc)
    if not per:
        return None, {}, code, "no invoices"
    results = list(per.values())
    zero = Money.zero(currency)
    interest = sum((r.interest for r in results), zero)
    compensation = sum((r.compensation for r in results), zero)
    first = results[0]
    total = InterestResult(
        interest,
        compensation,
        interest + compensation,
        tuple(s for r in results for s in r.segments),
        first.rule,
        first.sources,
        first.jurisdiction,
    )
    return total, per, code, ""


def render_html(kind: str, context: dict[str, Any], *, folders: list[Path] | None = None) -> str:
    if kind not in KINDS:
        raise ValueError(f"no letter {kind!r} (known: {', '.join(KINDS)})")
    env = environment(folders)
    template = env.get_template(f"letters/{context['lang']}/{kind}.html.j2")
    return template.render(**context)


def letter_pdf(
    kind: str,
    payload: dict[str, Any],
    *,
    settings: Settings | None,
    rates: RateBook | None = None,
    as_of: dt.date | None = None,
    language: str | None = None,
) -> bytes:
    """The PDF letter ``kind`` for the payload, dated ``as_of`` (default: today)."""
    from recoup.adapters.channels.pdf import html_to_pdf, missing_font

    day = as_of or dt.date.today()
    total, per, code, note = interest_for(payload, rates, day)
    lang = language_of(payload, language)
    context = letter_context(
        payload,
        settings=settings,
        interest=total,
        as_of=day,
        per_invoice=per,
        rule_code=code,
        interest_note=note,
        language=lang,
        kind=kind,
        font_warning=missing_font(lang),
    )
    folders = [Path(f)] if (f := _setting(settings, "templates", None)) else None
    html = render_html(kind, context, folders=folders)
    return html_to_pdf(html, TEMPLATES / "letters")


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


STEP_KINDS = {"final-notice": "final-notice", "demand-letter": "demand-letter", "statement": "statement"}


def customer_details(uow_factory: UnitOfWorkFactory) -> Callable[[str], dict[str, Any]]:
    """What a letter needs beyond an outbox payload, from the records: the customer's jurisdiction
    (for the interest rule) and the billing contact the letter is for the attention of."""
    from recoup.services.advice import jurisdiction

    def details(customer_id: str) -> dict[str, Any]:
        with uow_factory() as uow:
            customer = uow.customers.get(customer_id)
            contacts = [c for c in uow.contacts.for_customer(customer_id) if c.valid]
        if customer is None:
            return {}
        billing = next((c for c in contacts if str(c.role) == "billing"), contacts[0] if contacts else None)
        return {"jurisdiction": jurisdiction(customer), "attention": billing.name if billing else ""}

    return details


class LetterChannel:
    """The ``letter`` action: the step's letter as PDF, kept in the document store, to be posted.

    ``customer_details`` (e.g. ``customer_details(uow_factory)``) adds the jurisdiction and the
    contact to the payload's customer; without it the letter names no statutory rule.
    """

    def __init__(
        self,
        documents: Documents | None = None,
        settings: Settings | None = None,
        rates: RateBook | None = None,
        *,
        customer_details: Callable[[str], dict[str, Any]] | None = None,
    ) -> None:
        self.documents = documents
        self.settings = settings
        self.rates = rates
        self.customer_details = customer_details

    def send(self, item: OutboxItem) -> Receipt:
        payload = dict(item.payload)
        if self.customer_details is not None:
            payload["customer"] = {**self.customer_details(item.customer_id), **payload["customer"]}
        kind = STEP_KINDS.get(item.step, STEP_KINDS.get(str(payload.get("template") or ""), "demand-letter"))
        pdf = letter_pdf(kind, payload, settings=self.settings, rates=self.rates, as_of=item.as_of)
        digest = hashlib.sha256(pdf).hexdigest()
        ref = self.documents.put(pdf, suffix="pdf") if self.documents is not None else f"sha256:{digest}"
        lang = language_of(payload)
        name = payload["customer"].get("name", item.customer_id)
        return Receipt(
            f"letter '{kind}' to {name} to be posted ({payload['currency']} {payload.get('overdue', '')})",
            document=ref,
            data={"sha256": digest, "pages": page_count(pdf), "kind": kind, "language": lang},
        )
