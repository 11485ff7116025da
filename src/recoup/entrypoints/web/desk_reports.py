"""The aging dashboard (table and charts) and the policy, readable.

The aging report is the set-based query of ``services.reports.aging``; the page shows the totals
per currency and bucket, the customers owing most past due, and two SVG charts drawn as the owner's
report draws them (``services.report``; inline, also served at ``/desk/charts/*.svg``). The
dashboard (``desk_dashboard``) is routed from here.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from recoup.domain.aging import AgingReport
from recoup.domain.money import total
from recoup.domain.users import Role
from recoup.entrypoints.web import desk_dashboard
from recoup.entrypoints.web.desk_pages import page
from recoup.entrypoints.web.security import Ctx, reader
from recoup.services import report as shared
from recoup.services.policies import load_book
from recoup.services.reports import aging

router = APIRouter(include_in_schema=False)
router.include_router(desk_dashboard.router)  # /desk/dashboard: the report's figures and charts
Reader = Annotated[Ctx, Depends(reader)]


def _inline(svg: bytes) -> Markup:
    """An SVG document as an element to put in the page (its XML prologue dropped)."""
    return Markup(shared.inline_svg(svg))


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


@router.get("/desk/aging", response_class=HTMLResponse)
def aging_page(ctx: Reader, request: Request) -> HTMLResponse:
    report = _report(ctx)
    totals = report.totals()
    debtors = shared.top_debtors(report)
    return page(
        request,
        ctx,
        "aging.html",
        active="aging",
        report=report,
        totals={cur: (amounts, total(amounts, cur)) for cur, amounts in totals.items()},
        debtors=debtors,
        aging_chart=_inline(shared.aging_chart(report)),
        top_charts={cur: _inline(shared.top_chart(cur, rows)) for cur, rows in debtors.items()},
        customers=len({r.customer_id for r in report.rows}),
    )


SVG = {"Content-Type": "image/svg+xml", "Cache-Control": "private, max-age=60"}


@router.get("/desk/charts/aging.svg")
def aging_chart(ctx: Reader) -> Response:
    return Response(shared.aging_chart(_report(ctx)), headers=SVG)


@router.get("/desk/charts/top-overdue-{currency}.svg")
def top_chart(ctx: Reader, currency: Annotated[str, Path(pattern="^[A-Z]{3}$")]) -> Response:
    debtors = shared.top_debtors(_report(ctx)).get(currency, [])
    return Response(shared.top_chart(currency, debtors), headers=SVG)


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
