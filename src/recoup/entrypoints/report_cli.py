"""``recoup report --out FILE.html|FILE.pdf``: the owner's report, as one HTML page or a PDF.

Everything given is checked before the database is read: the file's kind by its extension, its
folder (it must exist and be writable), the day and the aging buckets. Nothing is written when
anything is wrong; a finished report replaces the file in one step (written beside it, then
renamed), so a reader never sees half a report.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

from recoup import bootstrap
from recoup.entrypoints.options import AsOfOption, DbOption, out, parse_day, parse_edges
from recoup.entrypoints.render import escape
from recoup.services import report as report_service

FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf"}

OutOption = Annotated[
    Path,
    typer.Option(
        "--out", help="The file to write: .html (one page, charts inline) or .pdf.", show_default=False
    ),
]
BucketsOption = Annotated[str, typer.Option(help="Bucket edges in days past due, comma separated.")]


def output_kind(path: Path) -> str:
    """'html' or 'pdf' from the file's extension; a folder that is missing or not writable is refused."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise typer.BadParameter(
            f"{str(path)!r} is neither .html, .htm nor .pdf (the report's format is told by the extension)",
            param_hint="--out",
        )
    if path.is_dir():
        raise typer.BadParameter(f"{str(path)!r} is a folder, not a file", param_hint="--out")
    folder = path.parent
    if not folder.is_dir():
        raise typer.BadParameter(
            f"{str(path)!r}: the folder {str(folder)!r} does not exist", param_hint="--out"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise typer.BadParameter(
            f"{str(path)!r}: the folder {str(folder)!r} cannot be written to", param_hint="--out"
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise typer.BadParameter(f"{str(path)!r} cannot be overwritten", param_hint="--out")
    return kind


def write_at_once(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, renamed over it."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def report(
    out_file: OutOption,
    db: DbOption = None,
    as_of: AsOfOption = None,
    buckets: BucketsOption = "0,30,60,90",
) -> None:
    """Write the report: aging, 12 months of aging, DSO and ADD, forecast, who owes most, promises."""
    kind = output_kind(out_file)
    edges = parse_edges(buckets)
    day_given = parse_day(as_of, "--as-of", bootstrap.utc_now().date()) if as_of else None
    started = time.perf_counter()
    built = bootstrap.build(db)
    day = day_given or built.today()
    with built.uow() as uow:
        data = report_service.build(uow, day, edges=edges)
    html = report_service.render_html(data)
    body = html.encode("utf-8") if kind == "html" else report_service.render_pdf(html)
    write_at_once(out_file, body)
    seconds = time.perf_counter() - started
    count = len(data.metrics.currencies)
    out.print(
        f"Wrote {escape(str(out_file))} ({kind.upper()}, {len(body):,} bytes): the report as of "
        f"{day.isoformat()}, {count} currenc{'y' if count == 1 else 'ies'}, in {seconds:.1f} s"
    )
