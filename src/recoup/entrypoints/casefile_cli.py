"""``recoup casefile CUSTOMER --out FILE.zip|FILE.pdf``: the case file for an agency or a lawyer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recoup import bootstrap
from recoup.adapters.documents import DocumentStore
from recoup.domain.errors import DomainError
from recoup.entrypoints.options import AsOfOption, DbOption, fail, out, parse_day
from recoup.services.casefile import build_casefile
from recoup.services.rates import load_rate_book


def casefile(
    customer: Annotated[str, typer.Argument(help="The customer's id.")],
    out_file: Annotated[Path, typer.Option("--out", help="FILE.zip (everything) or FILE.pdf (the summary).")],
    db: DbOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Export the case file: records, timeline, copies of every message and letter, interest statement."""
    suffix = out_file.suffix.lower()
    if suffix not in (".zip", ".pdf"):
        raise typer.BadParameter(f"{out_file} must end in .zip or .pdf", param_hint="--out")
    built = bootstrap.build(db)
    day = parse_day(as_of, "--as-of", built.today())
    try:
        rates = load_rate_book(built.settings.rates)
        with built.uow() as uow:
            case = build_casefile(
                uow, customer, day, documents=DocumentStore(built.settings.documents), rates=rates
            )
    except DomainError as exc:
        fail(str(exc))
        return
    data = case.zip_bytes() if suffix == ".zip" else case.files["summary.pdf"]
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_bytes(data)
    out.print(
        f"Case file of {customer} as of {day}: {out_file} ({len(case.files)} files, {len(data):,} bytes)"
    )
    for problem in case.missing:
        out.print(f"  not included: {problem}")
