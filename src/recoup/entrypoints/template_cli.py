"""``recoup template preview STEP --customer ID``: a message as the run would write it."""

from __future__ import annotations

from typing import Annotated

import typer

from recoup import bootstrap
from recoup.domain.errors import DomainError
from recoup.entrypoints.options import AsOfOption, DbOption, fail, out, parse_day
from recoup.services.policies import load_book
from recoup.services.preview import preview_payload
from recoup.services.rendering import Templates

template_app = typer.Typer(no_args_is_help=True, help="Message templates: preview one.")


@template_app.command("preview")
def preview(
    step: Annotated[str, typer.Argument(help="The ladder step, e.g. reminder-2.")],
    customer: Annotated[str, typer.Option("--customer", help="The customer's id.")],
    lang: Annotated[
        str | None, typer.Option("--lang", help="en, de, fr, es, tr or ko (default: the customer's).")
    ] = None,
    currency: Annotated[str | None, typer.Option("--currency", help="The case's currency.")] = None,
    html: Annotated[bool, typer.Option("--html", help="Print the HTML part instead of the text.")] = False,
    db: DbOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Render the message of STEP for a customer's open invoices; nothing is sent or stored."""
    built = bootstrap.build(db)
    day = parse_day(as_of, "--as-of", built.today())
    try:
        with built.uow() as uow:
            found = uow.customers.get(customer)
            segment = found.segment if found else ""
            policy = load_book(built.settings.policies).for_customer(customer, segment)
            data = preview_payload(uow, policy, customer, step, day, currency=currency)
        rendered = Templates(settings=built.settings).render(data, language=lang)
    except DomainError as exc:
        fail(str(exc))
        return
    out.print(f"Subject: {rendered.subject}\nLanguage: {rendered.language}\n", markup=False, highlight=False)
    out.print(rendered.html if html else rendered.text, markup=False, highlight=False)
