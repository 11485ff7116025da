"""The aging dashboard (table and charts) and the policy, readable.

The aging report is the set-based query of ``services.reports.aging``; the page shows the totals
per currency and bucket, the customers owing most past due, and two SVG charts from
``services.charts`` (drawn inline; also served at ``/desk/charts/*.svg``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from recoup.domain.aging import AgingReport
from recoup.domain.money import Money, total
from recoup.domain.users import Role
from recoup.entrypoints.web.desk_pages import page
from recoup.entrypoints.web.security import Ctx, reader
from recoup.services import charts
from recoup.services.policies import load_book
from recoup.services.reports import aging

router = APIRouter(include_in_schema=False)
Reader = Annotated[Ctx, Depends(reader)]
TOP = 10


@dataclass(frozen=True)
class Debtor:
    customer_id: str
    name: str
    overdue: Money
    total: Money


def _report(ctx: Ctx) -> AgingReport:
    with ctx.uow() as uow:
        report = aging(uow, ctx.app.today())
    if ctx.user.role is Role.SALES:  # a sales user sees its own accounts only
        with ctx.uow() as uow:
            ids = sorted({r.customer_id for r in report.rows})
            found = uow.customers.get_many(ids)
        mine = tuple(
            r for r in report.rows if (c := found.get(r.customer_id)) and ctx.user.sees(c.sales_owner)
        )
        report = AgingReport(report.as_of, report.labels, mine)
    return report


def top_debtors(report: AgingReport, limit: int = TOP) -> dict[str, list[Debtor]]:
    """Per currency, the customers with the most past due (buckets after 'not due'), largest first."""
    found: dict[str, list[Debtor]] = {}
    for row in report.rows:
        overdue = total(row.buckets[1:], row.currency)
        if overdue.amount > 0:
            found.setdefault(row.currency, []).append(
                Debtor(row.customer_id, row.customer_name, overdue, row.total)
            )
    return {
        cur: sorted(rows, key=lambda d: (-d.overdue.amount, d.customer_id))[:limit]
        for cur, rows in sorted(found.items())
    }


def _inline(svg: bytes) -> Markup:
    """An SVG document as an element to put in the page (its XML prologue dropped)."""
    text = svg.decode("utf-8")
    return Markup(text[text.index("<svg") :])


def _aging_chart(report: AgingReport) -> bytes:
    sums = {cur: [m.amount for m in amounts] for cur, amounts in report.totals().items()}
    return charts.aging_svg(report.labels, sums)


def _top_chart(currency: str, debtors: list[Debtor]) -> bytes:
    return charts.top_overdue_svg(currency, [(d.name or d.customer_id, d.overdue.amount) for d in debtors])


@router.get("/desk/aging", response_class=HTMLResponse)
def aging_page(ctx: Reader, request: Request) -> HTMLResponse:
    report = _report(ctx)
    totals = report.totals()
    debtors = top_debtors(report)
    return page(
        request,
        ctx,
        "aging.html",
        active="aging",
        report=report,
        totals={cur: (amounts, total(amounts, cur)) for cur, amounts in totals.items()},
        debtors=debtors,
        aging_chart=_inline(_aging_chart(report)),
        top_charts={cur: _inline(_top_chart(cur, rows)) for cur, rows in debtors.items()},
        customers=len({r.customer_id for r in report.rows}),
    )


SVG = {"Content-Type": "image/svg+xml", "Cache-Control": "private, max-age=60"}


@router.get("/desk/charts/aging.svg")
def aging_chart(ctx: Reader) -> Response:
    return Response(_aging_chart(_report(ctx)), headers=SVG)


@router.get("/desk/charts/top-overdue-{currency}.svg")
def top_chart(ctx: Reader, currency: Annotated[str, Path(pattern="^[A-Z]{3}$")]) -> Response:
    return Response(_top_chart(currency, top_debtors(_report(ctx)).get(currency, [])), headers=SVG)


@router.get("/desk/policy", response_class=HTMLResponse)
def policy_page(ctx: Reader, request: Request) -> HTMLResponse:
    """Every policy's ladder and rules, and the installation's settings (never a secret)."""
    book = load_book(ctx.app.settings.policies)
    s = ctx.app.settings
    settings = [
        ("Creditor", s.creditor_name),
        ("Address", s.creditor_address),
        ("Email", s.creditor_email),
        ("Telephone", s.creditor_phone),
        ("Bank", f"{s.bank_name}, BIC {s.bic}"),
        ("IBAN", re.sub(r"(.{4})", r"\1 ", s.iban).strip()),
        ("Payment reference", s.payment_reference_hint),
        ("Email sending", f"SMTP {s.smtp_host}" if s.smtp_host else "recorded only (no SMTP server set)"),
        ("Policies folder", str(s.policies) if s.policies else "the shipped default"),
        ("Documents folder", str(s.documents)),
        ("Customer links valid", f"{s.link_days} days"),
        ("Desk sign-in lasts", f"{s.session_hours} hours"),
    ]
    return page(request, ctx, "policy.html", active="policy", book=book, settings=settings, zero=Decimal(0))
