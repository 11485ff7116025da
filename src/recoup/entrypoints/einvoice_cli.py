"""``recoup import invoices FILE|FOLDER``: tables and e-invoices, told apart by their content.

A CSV or XLSX table goes to the table importer as before. UBL and CII XML and
Factur-X / ZUGFeRD PDFs go to ``services.einvoices``; a folder imports every
e-invoice in it (sorted by name) in one run: one refused file and nothing is
imported, with every problem listed by file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from recoup import bootstrap
from recoup.adapters.formats.detect import Format, detect_file
from recoup.domain.errors import DomainError, ImportRejectedError
from recoup.entrypoints import render
from recoup.entrypoints.options import (
    DbOption,
    JsonOption,
    RejectsOption,
    SkipOption,
    emit_json,
    err,
    fail,
    out,
)
from recoup.services.einvoices import EInvoiceImport, import_einvoice_files

StrictOption = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Also refuse e-invoices that depart from the specification they claim in ways recoup "
        "can read past (e.g. a ZUGFeRD 1.0 profile on a CII 2 document).",
    ),
]
TableImport = Callable[[str, Path, bool, Path | None, str | None, bool], None]
CreateOption = Annotated[
    bool,
    typer.Option(
        "--create-customers",
        help="Create a customer for an e-invoice's unknown buyer, from the document (country defaults).",
    ),
]


def register(import_app: typer.Typer, table_import: TableImport) -> None:
    """Add the ``invoices`` command; ``table_import`` imports a CSV/XLSX table the existing way."""

    @import_app.command("invoices")
    def invoices(
        source: Annotated[
            Path, typer.Argument(help="A CSV/XLSX table, a UBL or CII file, a Factur-X PDF, or a folder.")
        ],
        create_customers: CreateOption = False,
        strict: StrictOption = False,
        skip_invalid: SkipOption = False,
        rejects: RejectsOption = None,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Import invoices from a table (columns: number, customer_id, issue_date, amount (required);
        due_date, currency, sent_to), from UBL or CII e-invoices (invoices and credit notes) and
        Factur-X / ZUGFeRD PDFs, or from a folder of e-invoices. The kind is told by content."""
        if source.is_dir():
            paths, skipped = _folder(source)
        elif source.is_file():
            found = detect_file(source)
            if found.format in (Format.CSV, Format.XLSX):
                if strict:
                    fail("--strict is for e-invoices (UBL, CII, Factur-X); a table claims no specification")
                table_import("invoices", source, skip_invalid, rejects, db, as_json)
                return
            paths, skipped = [source], []
        else:
            fail(f"{source}: no such file or folder")
            return
        if skip_invalid or rejects:
            fail(
                "--skip-invalid and --rejects are for CSV/XLSX tables; an e-invoice import is all or nothing"
            )
        built = bootstrap.build(db)
        try:
            result = import_einvoice_files(
                built.uow,
                paths,
                at=built.now(),
                create_customers=create_customers,
                defaults={"country": built.settings.home_country},
                strict=strict,
            )
        except ImportRejectedError as exc:
            _refused(f"{source.name}: {exc}", exc.problems)
        except DomainError as exc:
            fail(str(exc))
            return
        result.messages.extend(skipped)
        if as_json:
            emit_json(result.as_dict())
        else:
            _show(result)


def _folder(folder: Path) -> tuple[list[Path], list[str]]:
    """The files of a folder, sorted; hidden files and subfolders are left out and said so."""
    paths: list[Path] = []
    skipped: list[str] = []
    tables: list[str] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            skipped.append(f"subfolder {entry.name}/ left out (a folder import does not descend)")
        elif detect_file(entry).format in (Format.CSV, Format.XLSX):
            tables.append(entry.name)
        else:
            paths.append(entry)
    if tables:
        fail(
            f"{folder.name}: holds tables ({', '.join(tables)}); a folder import is for e-invoices: "
            "import each table on its own"
        )
    if not paths:
        fail(f"{folder}: no files to import")
    return paths, skipped


def _show(result: EInvoiceImport) -> None:
    # Element names such as ram:ID: would otherwise become emoji: Rich reads :name: as one.
    for f in result.files:
        out.print(f"{f.file} ({f.syntax}): {f.status} — {f.text}", markup=False, emoji=False)
    out.print(
        f"{len(result.files)} file(s): {result.invoices_added} invoice(s) and {result.credit_notes_added} "
        f"credit note(s) added, {result.unchanged} unchanged, {len(result.customers_added)} customer(s) and "
        f"{result.contacts_added} contact(s) created"
    )
    for message in result.messages:
        out.print(f"  {message}", markup=False, emoji=False)


def _refused(message: str, problems: list[str]) -> None:
    """As ``options.fail``, with the problems printed as they are (no markup, no emoji codes)."""
    err.print(f"[bold red]error:[/] {render.escape(message)}")
    for line in problems[:50]:
        err.print(f"  - {line}", markup=False, emoji=False)
    if len(problems) > 50:
        err.print(f"  ... and {len(problems) - 50} more")
    raise typer.Exit(1)
