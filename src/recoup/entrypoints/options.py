"""Options and helpers shared by the CLI's modules: database, JSON, dates, errors."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from recoup.domain.aging import check_edges
from recoup.domain.errors import InvalidValueError
from recoup.entrypoints import render

out = render.console()
err = render.console(stderr=True)

DbOption = Annotated[
    str | None, typer.Option("--db", help="SQLite file or database URL (default: $RECOUP_DB or ./recoup.db)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]
SkipOption = Annotated[
    bool, typer.Option("--skip-invalid", help="Import the good rows; write the rejected ones to a file.")
]
RejectsOption = Annotated[
    Path | None, typer.Option("--rejects", help="Where to write rejected rows (default: FILE.rejected.csv).")
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="The day to report on, YYYY-MM-DD (default: today).")
]


def parse_day(value: str | None, option: str, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (expected YYYY-MM-DD)", param_hint=option
        ) from None


def parse_edges(value: str, option: str = "--buckets") -> tuple[int, ...]:
    """Aging bucket edges from ``0,30,60,90``, checked as ``domain.aging.check_edges`` does."""
    try:
        edges = tuple(int(x) for x in value.split(","))
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a list of whole numbers (e.g. 0,30,60,90)", param_hint=option
        ) from None
    try:
        return check_edges(edges)
    except InvalidValueError as exc:
        raise typer.BadParameter(f"{value!r}: {exc}", param_hint=option) from None


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def fail(message: str, details: list[str] | None = None) -> None:
    err.print(f"[bold red]error:[/] {render.escape(message)}")
    shown = (details or [])[:50]
    for line in shown:
        err.print(f"  - {render.escape(line)}")
    if details and len(details) > len(shown):
        err.print(f"  ... and {len(details) - len(shown)} more")
    raise typer.Exit(1)
