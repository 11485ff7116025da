"""``recoup advise CUSTOMER``: the end of the ladder, each option with its expected net recovery."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from recoup import bootstrap
from recoup.domain.errors import DomainError
from recoup.entrypoints import render
from recoup.entrypoints.options import AsOfOption, DbOption, JsonOption, emit_json, fail, out, parse_day
from recoup.law.advice import Advice, Assumptions
from recoup.services.advice import advice_json, advise_customer
from recoup.services.rates import load_rate_book


def advise(
    customer: Annotated[str, typer.Argument(help="The customer's id.")],
    db: DbOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Keep chasing, offer a plan, settle, agency, litigate or write off: what each is expected to bring."""
    built = bootstrap.build(db)
    day = parse_day(as_of, "--as-of", built.today())
    try:
        assumptions = Assumptions.from_settings(built.settings.advice)
        rates = load_rate_book(built.settings.rates)
        with built.uow() as uow:
            found = advise_customer(uow, customer, day, rates=rates, assumptions=assumptions)
    except DomainError as exc:
        fail(str(exc))
        return
    if as_json:
        emit_json([advice_json(a) for a in found])
        return
    if not found:
        out.print(f"{customer} has nothing overdue on {day}: nothing to advise.")
    for advice in found:
        _print(advice)


def _print(advice: Advice) -> None:
    data = advice_json(advice)
    title = (
        f"{advice.customer_id} {advice.currency}: {data['balance']} overdue, oldest "
        f"{advice.days_past_due} days past due (as of {data['as_of']})"
    )
    table = Table(title=render.escape(title))
    table.add_column("option")
    table.add_column("expected net recovery", justify="right")
    table.add_column("how")
    for option in data["options"]:
        mark = " *" if option["name"] == advice.recommended else ""
        table.add_row(option["name"] + mark, option["expected"], render.escape(option["explanation"]))
    out.print(table)
    out.print(render.escape(advice.why))
    for note in advice.notes:
        out.print(render.escape(f"Note: {note}"))
