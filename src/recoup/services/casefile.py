"""The case file: everything about one customer, ready to hand to an agency or a lawyer.

A ZIP holds the records as CSV and JSON (the customer, contacts, invoices,
payments, credit notes, promises, plans, disputes, holds, settlements, the
checklist answers), the full timeline of the activity log, an interest
statement as of the day, a copy of every message and letter the log points
to (exactly as stored, with its SHA-256), a readable summary PDF, and a
manifest with the SHA-256 of every file. The PDF form is the summary alone,
with the text of every message appended.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import html
import io
import json
import zipfile
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from recoup.domain.activity import Activity
from recoup.domain.cases import CaseKey
from recoup.domain.customers import Customer
from recoup.domain.errors import NotFoundError
from recoup.domain.invoices import Invoice, InvoiceStatus
from recoup.domain.money import Money
from recoup.law.rates import RateBook
from recoup.services.letters import interest_for
from recoup.services.ports import Documents, UnitOfWork


@dataclass
class Casefile:
    """The files of a case file, by name, and what could not be included."""

    customer: Customer
    as_of: dt.date
    files: dict[str, bytes] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def manifest(self) -> dict[str, Any]:
        return {
            "customer": self.customer.id,
            "as_of": self.as_of.isoformat(),
            "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(self.files.items())},
            "missing": self.missing,
        }

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in sorted(self.files.items()):
                archive.writestr(name, data)
            archive.writestr("manifest.json", _json(self.manifest()))
        return buffer.getvalue()


def _plain(value: Any) -> Any:
    """JSON-ready: Money as {amount, currency}, dates as ISO strings, enums as values."""
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _json(value: Any) -> bytes:
    return (json.dumps(_plain(value), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else str(v) for v in row])
    return out.getvalue().encode("utf-8")


def build_casefile(
    uow: UnitOfWork,
    customer_id: str,
    as_of: dt.date,
    *,
    documents: Documents | None,
    rates: RateBook | None,
) -> Casefile:
    """Gather every record of ``customer_id`` into a case file as of ``as_of``."""
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise NotFoundError(f"no customer {customer_id!r}")
    case = Casefile(customer, as_of)
    invoices = uow.invoices.for_customer(customer_id)
    timeline = list(reversed(uow.activities.for_customer(customer_id)))  # oldest first
    case.files["customer.json"] = _json(customer)
    contacts = uow.contacts.for_customer(customer_id)
    case.files["contacts.csv"] = _csv(
        ["name", "role", "email", "phone", "valid"],
        [[c.name, c.role, c.email, c.phone, c.valid] for c in contacts],
    )
    case.files["invoices.csv"] = _csv(
        [
            "number",
            "issue_date",
            "due_date",
            "currency",
            "amount",
            "balance",
            "status",
            "closed_on",
            "sent_to",
        ],
        [
            [
                i.number,
                i.issue_date,
                i.due_date,
                i.currency,
                i.amount.amount,
                i.open_balance.amount,
                i.status,
                i.closed_on,
                i.sent_to,
            ]
            for i in invoices
        ],
    )
    payments = uow.payments.for_customer(customer_id)
    case.files["payments.csv"] = _csv(
        ["reference", "date", "currency", "amount", "unapplied", "invoices"],
        [
            [
                p.reference,
                p.date,
                p.amount.currency,
                p.amount.amount,
                p.unapplied.amount if p.unapplied else "",
                ";".join(p.invoices),
            ]
            for p in payments
        ],
    )
    notes = uow.credit_notes.for_customer(customer_id)
    case.files["credit_notes.csv"] = _csv(
        ["number", "date", "currency", "amount", "invoice"],
        [[n.number, n.date, n.amount.currency, n.amount.amount, n.invoice_number] for n in notes],
    )
    for name in ("promises", "plans", "disputes", "holds", "settlements"):
        case.files[f"{name}.json"] = _json(getattr(uow, name).for_customer(customer_id))
    currencies = sorted({i.currency for i in invoices})
    answers = uow.checklists.answers([CaseKey(customer_id, c) for c in currencies])
    case.files["checklist.json"] = _json({str(k): v for k, v in answers.items()})
    case.files["timeline.json"] = _json(timeline)
    case.files["timeline.csv"] = _csv(
        ["at", "kind", "actor", "invoices", "text", "document"],
        [[a.at.isoformat(), a.kind, a.actor, ";".join(a.invoices), a.text, a.document] for a in timeline],
    )
    case.files["interest.json"] = _json(_interest_statement(customer, invoices, rates, as_of))
    _copies(case, timeline, documents)
    case.files["summary.pdf"] = summary_pdf(case, invoices, timeline)
    return case


def _interest_statement(
    customer: Customer, invoices: list[Invoice], rates: RateBook | None, as_of: dt.date
) -> dict[str, Any]:
    """Statutory (or contract) interest and compensation on each open invoice, per currency."""
    from recoup.law.interest import jurisdiction_for

    statement: dict[str, Any] = {"as_of": as_of.isoformat(), "currencies": {}}
    try:
        jurisdiction = jurisdiction_for(customer)
    except Exception as exc:  # an unknown jurisdiction: say so in the statement
        statement["note"] = str(exc)
        return statement
    for currency in sorted({i.currency for i in invoices if i.status is InvoiceStatus.OPEN}):
        open_items = [i for i in invoices if i.status is InvoiceStatus.OPEN and i.currency == currency]
        payload = {
            "customer": {"kind": customer.kind.value, "jurisdiction": jurisdiction},
            "currency": currency,
            "late_fee_clause": customer.late_fee_clause,
            "invoices": [
                {
                    "number": i.number,
                    "due_date": i.due_date.isoformat(),
                    "balance": str(i.open_balance.amount),
                }
                for i in open_items
            ],
        }
        total, per, _code, note = interest_for(payload, rates, as_of)
        statement["currencies"][currency] = {
            "total": total.as_dict() if total else None,
            "invoices": {n: r.as_dict() for n, r in per.items()},
            "note": note,
        }
    return statement


def _copies(case: Casefile, timeline: list[Activity], documents: Documents | None) -> None:
    """A copy of every stored document the log points to, checked against its SHA-256."""
    for entry in timeline:
        ref = entry.document
        if not ref.startswith("sha256:"):
            continue
        name = f"documents/{ref.removeprefix('sha256:')}"
        if name in case.files:
            continue
        if documents is None:
            case.missing.append(f"{ref} (no document store)")
            continue
        try:
            case.files[name] = documents.get(ref)
        except Exception as exc:  # a missing or altered copy is reported, never silently left out
            case.missing.append(f"{ref}: {exc}")


def summary_pdf(case: Casefile, invoices: list[Invoice], timeline: list[Activity]) -> bytes:
    """A readable summary: the customer, the open items, the timeline with each message's text."""
    from recoup.adapters.channels.pdf import html_to_pdf

    c = case.customer
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(i.number)}</td><td>{i.issue_date}</td><td>{i.due_date}</td>"
        f"<td class=n>{i.amount.amount} {i.currency}</td><td class=n>{i.open_balance.amount}</td>"
        f"<td>{esc(str(i.status))}</td></tr>"
        for i in invoices
    )
    events = "".join(
        f"<tr><td>{a.at:%Y-%m-%d %H:%M}</td><td>{esc(a.kind)}</td><td>{esc(a.actor)}</td>"
        f"<td>{esc(a.text)}{_body(a)}</td></tr>"
        for a in timeline
    )
    missing = "".join(f"<li>{esc(m)}</li>" for m in case.missing)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><style>
      @page {{ size: A4; margin: 15mm; }}
      body {{ font-family: "Noto Sans", "Noto Sans CJK KR", "DejaVu Sans", sans-serif; font-size: 9pt; }}
      table {{ border-collapse: collapse; width: 100%; }} td, th {{ border-bottom: 0.3pt solid #999;
      padding: 2pt 4pt; vertical-align: top; text-align: left; }} .n {{ text-align: right; }}
      pre {{ white-space: pre-wrap; font-size: 8pt; margin: 2pt 0; }}
    </style></head><body>
    <h1>Case file: {esc(c.name)} ({esc(c.id)})</h1>
    <p>As of {case.as_of}. {esc(c.kind.value)}, {esc(c.country)}, tax id {esc(c.tax_id or "-")}.
    Contract terms: {esc(c.contract_terms or "-")}. Late-fee clause: {esc(c.late_fee_clause or "-")}.</p>
    <h2>Invoices</h2><table><tr><th>Number</th><th>Issued</th><th>Due</th><th>Amount</th><th>Open</th>
    <th>Status</th></tr>{rows}</table>
    <h2>Timeline</h2><table><tr><th>When (UTC)</th><th>What</th><th>Who</th><th>Details</th></tr>
    {events}</table>
    {f"<h2>Not included</h2><ul>{missing}</ul>" if missing else ""}
    </body></html>"""
    return html_to_pdf(page, Path.cwd())


def _body(entry: Activity) -> str:
    body = entry.data.get("body")
    return f"<pre>{html.escape(str(body))}</pre>" if body else ""
