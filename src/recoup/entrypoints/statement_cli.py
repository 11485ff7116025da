"""``recoup import statement FILE``: a bank statement's credits in, matched to invoices.

The format (MT940/MT942, camt.052/053/054, OFX/QFX) is told by the content. The command prints
what it did: entries read, credits, debits ignored, credits already imported, new lines, and
what cash application did with them (matched automatically, to review, unapplied), with
amounts per currency. A file it cannot read is refused with the line or element, and nothing
is stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recoup import bootstrap
from recoup.adapters.formats.statement_detect import read_statement
from recoup.domain.errors import DomainError, ImportRejectedError
from recoup.domain.matching import MatchRules
from recoup.entrypoints.options import DbOption, JsonOption, emit_json, fail, out
from recoup.entrypoints.render import escape
from recoup.services.statements import import_statement


def statement(
    file: Annotated[Path, typer.Argument(help="MT940/MT942, CAMT.052/.053/.054 or OFX/QFX file.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a bank statement: store its new credits and match them to open invoices."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"{file}: cannot read the file ({exc.strerror or exc})")
        return
    try:
        read = read_statement(data, file.name)
    except ImportRejectedError as exc:
        fail(str(exc), exc.problems)
        return
    built = bootstrap.build(db)
    try:
        rules = MatchRules(threshold=built.settings.match_threshold)  # RECOUP_MATCH_THRESHOLD
        result = import_statement(built.uow, read, source=file.name, at=built.now(), rules=rules)
    except DomainError as exc:
        fail(f"{file.name}: {exc}; nothing was stored")
        return
    if as_json:
        emit_json(result.as_dict())
        return
    for line in result.lines():
        out.print(escape(line))
