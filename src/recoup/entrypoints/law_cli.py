"""``recoup interest`` and ``recoup rates``: statutory late-payment interest and the rate tables behind it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from recoup import bootstrap
from recoup.domain.customers import CustomerKind
from recoup.domain.errors import DomainError, InvalidInputError
from recoup.domain.money import Money, check_currency
from recoup.entrypoints import render
from recoup.entrypoints.options import AsOfOption, DbOption, JsonOption, emit_json, fail, out
from recoup.law.interest import DAY_BASES, InterestResult, clause_rate, compute, jurisdiction_for, rule_for
from recoup.law.rates import RateBook
from recoup.services.rates import add_rate, load_rate_book
from recoup.settings import load_settings

rates_app = typer.Typer(no_args_is_help=True, help="Reference-rate tables: show them, add a rate.")

_OPTION = {
    "amount": "--amount",
    "day_basis": "--day-basis",
    "payments": "INVOICE",
    "table": "TABLE",
    "date": "DATE",
    "rate": "RATE",
    "source": "--source",
}


def _day(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option}: {value!r} is not a date (expected YYYY-MM-DD)")
        raise AssertionError from None  # fail() exits


def _book() -> RateBook:
    return load_rate_book(load_settings().rates)


def _fail_domain(exc: DomainError) -> None:
    if isinstance(exc, InvalidInputError) and exc.field:
        fail(f"{_OPTION.get(exc.field, exc.field)}: {exc}")
    fail(str(exc))


def interest(
    invoice: Annotated[
        str | None, typer.Argument(help="Invoice number (or describe the debt with --amount, --due, ...).")
    ] = None,
    as_of: AsOfOption = None,
    amount: Annotated[str | None, typer.Option(help="The debt, e.g. 1000.00 (without an invoice).")] = None,
    currency: Annotated[str | None, typer.Option(help="ISO 4217 code of --amount, e.g. EUR.")] = None,
    due: Annotated[str | None, typer.Option(help="Due date, YYYY-MM-DD (without an invoice).")] = None,
    paid: Annotated[str | None, typer.Option(help="Day the debt was paid, YYYY-MM-DD.")] = None,
    jurisdiction: Annotated[
        str | None, typer.Option(help="EU, DE, FR, ES, IE, GB, TR, TR-3095, KR, US-NY, US-CA, US-TX, US-DE.")
    ] = None,
    consumer: Annotated[bool, typer.Option("--consumer", help="The debtor is a consumer.")] = False,
    day_basis: Annotated[str, typer.Option("--day-basis", help="365, act/act or 360.")] = "365",
    complaint_served: Annotated[
        str | None, typer.Option("--complaint-served", help="KR: day the complaint was served, YYYY-MM-DD.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Statutory late-payment interest and fixed compensation on an invoice, or on a debt given by options."""
    if day_basis not in DAY_BASES:
        fail(f"--day-basis: {day_basis!r} is not one of {', '.join(DAY_BASES)}")
    served = _day(complaint_served, "--complaint-served")
    try:
        if invoice is not None:
            result = _for_invoice(invoice, as_of, jurisdiction, day_basis, served, db)
        else:
            result = _for_options(
                amount, currency, due, paid, as_of, jurisdiction, consumer, day_basis, served
            )
    except DomainError as exc:
        _fail_domain(exc)
        return
    if as_json:
        emit_json(result.as_dict())
    else:
        _print_interest(result)


def _for_options(
    amount: str | None,
    currency: str | None,
    due: str | None,
    paid: str | None,
    as_of: str | None,
    jurisdiction: str | None,
    consumer: bool,
    day_basis: str,
    served: dt.date | None,
) -> InterestResult:
    for value, option in ((amount, "--amount"), (currency, "--currency"), (due, "--due")):
        if not value:
            fail(f"{option} is required without an INVOICE")
    if not jurisdiction:
        fail("--jurisdiction is required without an INVOICE")
    if paid and as_of:
        fail("--paid and --as-of: give one of them, not both")
    if not paid and not as_of:
        fail("--paid or --as-of is required without an INVOICE")
    assert amount and currency and due and jurisdiction
    code = currency.strip().upper()
    try:
        check_currency(code)
    except DomainError as exc:
        fail(f"--currency: {exc}")
    try:
        principal = Money.parse(amount, code)
    except DomainError as exc:
        fail(f"--amount: {exc}")
        raise
    due_day = _day(due, "--due")
    until = _day(paid, "--paid") or _day(as_of, "--as-of")
    assert due_day and until
    try:
        rule_for(jurisdiction)
    except DomainError as exc:
        fail(f"--jurisdiction: {exc}")
    return compute(
        principal,
        due_day,
        until,
        jurisdiction=jurisdiction,
        consumer=consumer,
        rates=_book(),
        day_basis=day_basis,
        complaint_served=served,
    )


def _for_invoice(
    number: str,
    as_of: str | None,
    jurisdiction: str | None,
    day_basis: str,
    served: dt.date | None,
    db: str | None,
) -> InterestResult:
    built = bootstrap.build(db)
    until = _day(as_of, "--as-of") or built.today()
    with built.uow() as uow:
        found = uow.invoices.get(number)
        if found is None:
            fail(f"INVOICE: no invoice {number!r}")
        assert found is not None
        customer = uow.customers.get(found.customer_id)
        allocations = uow.queries.allocations_for([number])
    if customer is None:
        fail(f"INVOICE: the customer {found.customer_id!r} of invoice {number!r} is not in the ledger")
    assert customer is not None
    code = rule_for(jurisdiction).code if jurisdiction else jurisdiction_for(customer)
    clause = clause_rate(customer.late_fee_clause)
    payments = [(a.applied_on, a.amount) for a in allocations if a.applied_on <= until]
    result = compute(
        found.amount,
        found.due_date,
        until,
        jurisdiction=code,
        consumer=customer.kind is CustomerKind.CONSUMER,
        payments=payments,
        rates=load_rate_book(built.settings.rates),
        day_basis=day_basis,
        contract_rate=clause.rate,
        complaint_served=served,
    )
    if customer.late_fee_clause.strip():
        note = clause.note[0].upper() + clause.note[1:]
        rule = f"{result.rule} {note}" + ("." if clause.rate is not None else "")
        result = InterestResult(
            result.interest,
            result.compensation,
            result.total,
            result.segments,
            rule,
            result.sources,
            result.jurisdiction,
        )
    return result


def _print_interest(result: InterestResult) -> None:
    data = result.as_dict()
    currency = data["currency"]
    table = Table(title=f"Late-payment interest ({data['jurisdiction']})")
    for column in ("from", "to", "days", "on", "rate %", "interest"):
        table.add_column(column, justify="right" if column not in ("from", "to") else "left")
    segments: list[dict[str, Any]] = data["segments"]  # type: ignore[assignment]
    for s in segments:
        table.add_row(s["from"], s["to"], str(s["days"]), s["principal"] or "", s["rate"], s["amount"])
    if segments:
        out.print(table)
    out.print(f"Interest: {data['interest']} {currency}")
    out.print(f"Compensation: {data['compensation']} {currency}")
    out.print(f"Total: {data['total']} {currency}")
    out.print(render.escape(str(data["rule"])))
    for source in result.sources:
        out.print(f"  - {render.escape(source)}")


@rates_app.command("show")
def rates_show(
    table: Annotated[str | None, typer.Argument(help="A table's name; without it, all tables.")] = None,
    as_json: JsonOption = False,
) -> None:
    """The rate tables (shipped and your own), or the rates of one table."""
    try:
        book = _book()
        tables = [book.table(table)] if table else [book.tables[name] for name in sorted(book.tables)]
    except DomainError as exc:
        fail(f"TABLE: {exc}" if table else str(exc))
        return
    data = [
        {
            "name": t.name,
            "description": t.description,
            "valid_until": t.horizon.isoformat() if t.horizon else None,
            "entries": [
                {"effective": e.effective.isoformat(), "rate": str(e.rate), "source": e.source}
                for e in t.entries
            ],
        }
        for t in tables
    ]
    if as_json:
        emit_json(data[0] if table else data)
        return
    if table:
        t = tables[0]
        view = Table(title=f"{t.name}: {t.description}")
        for column in ("effective", "rate", "source"):
            view.add_column(column)
        for e in t.entries:
            view.add_row(e.effective.isoformat(), str(e.rate), render.escape(e.source))
        out.print(view)
        known = t.horizon.isoformat() if t.horizon else "no horizon"
        out.print(f"Known up to: {known}. {len(t.entries)} rates.")
        return
    view = Table(title="Rate tables")
    for column in ("table", "rates", "latest", "known up to", "description"):
        view.add_column(column)
    for t in tables:
        latest = (
            f"{t.entries[-1].rate} from {t.entries[-1].effective.isoformat()}" if t.entries else "(empty)"
        )
        known = t.horizon.isoformat() if t.horizon else "-"
        view.add_row(t.name, str(len(t.entries)), latest, known, render.escape(t.description))
    out.print(view)


@rates_app.command("add")
def rates_add(
    table: Annotated[str, typer.Argument(help="The table, e.g. ecb-mro.")],
    date: Annotated[str, typer.Argument(help="Date of effect, YYYY-MM-DD.")],
    rate: Annotated[
        str, typer.Argument(help="Percent per annum (an amount for a table of amounts), e.g. 2.15.")
    ],
    source: Annotated[
        str, typer.Option("--source", help="Where the rate comes from (URL or publication).")
    ] = "",
) -> None:
    """Add a rate to your own rates folder ($RECOUP_RATES, default ./rates); the package is never changed."""
    folder = load_settings().rates or Path("rates")
    try:
        entry = add_rate(folder, table, date, rate, source)
    except DomainError as exc:
        _fail_domain(exc)
        return
    where = render.escape(str(folder / f"{table}.csv"))
    out.print(f"Added {table} {entry.rate} from {entry.effective.isoformat()} to {where}")
