"""``recoup letter CUSTOMER --kind ... --out FILE.pdf``: a letter for posting, from the customer's records.

The payload is built by ``services.letter_payload.letter_payload`` (kept importable from here).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from recoup import bootstrap
from recoup.domain.errors import DomainError
from recoup.entrypoints.options import AsOfOption, DbOption, fail, out, parse_day
from recoup.services.letter_payload import letter_payload
from recoup.services.letters import LANGUAGES, letter_pdf, page_count
from recoup.services.rates import load_rate_book

__all__ = ["Kind", "letter", "letter_payload"]


class Kind(StrEnum):
    FINAL_NOTICE = "final-notice"
    DEMAND_LETTER = "demand-letter"
    STATEMENT = "statement"


def letter(
    customer: Annotated[str, typer.Argument(help="The customer's id.")],
    kind: Annotated[Kind, typer.Option("--kind", help="Which letter.")],
    output: Annotated[Path, typer.Option("--out", help="Where to write the PDF.")],
    lang: Annotated[
        str | None,
        typer.Option("--lang", help=f"Language ({', '.join(LANGUAGES)}); default: the customer's."),
    ] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="The case's currency when the customer has several.")
    ] = None,
    db: DbOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Write a final notice, a demand letter or a statement of account as a PDF, ready to post."""
    if lang is not None and lang not in LANGUAGES:
        raise typer.BadParameter(f"{lang!r} is not one of {', '.join(LANGUAGES)}", param_hint="--lang")
    built = bootstrap.build(db)
    day = parse_day(as_of, "--as-of", built.today())
    try:
        with built.uow() as uow:
            data = letter_payload(
                uow, customer, str(kind), day, currency=currency, policies=built.settings.policies
            )
        rates = load_rate_book(built.settings.rates)
        pdf = letter_pdf(str(kind), data, settings=built.settings, rates=rates, as_of=day, language=lang)
    except DomainError as exc:
        fail(str(exc))
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(pdf)
    out.print(
        f"{kind} for {data['customer']['name']} ({len(data['invoices'])} invoice(s), {data['overdue']} "
        f"{data['currency']} overdue): {output} ({page_count(pdf)} page(s)), to be posted"
    )
