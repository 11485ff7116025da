"""The ``recoup`` command line: tables for people, ``--json`` for scripts.

Each command builds the application (``bootstrap.build``) on the database
given by ``--db`` or ``RECOUP_DB`` (default ./recoup.db), calls one service,
and renders its result. Domain errors become a clear message and exit code 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recoup import bootstrap
from recoup.domain.errors import DomainError, ImportRejectedError
from recoup.entrypoints import casefile_cli, einvoice_cli, render, run_cli, work_cli
from recoup.entrypoints.options import (
    AsOfOption,
    DbOption,
    JsonOption,
    RejectsOption,
    SkipOption,
    emit_json,
    fail,
    out,
    parse_day,
    parse_edges,
)
from recoup.entrypoints.policy_cli import policy_app
from recoup.entrypoints.template_cli import template_app
from recoup.services import reports

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__.splitlines()[0] if __doc__ else "")
import_app = typer.Typer(no_args_is_help=True, help="Import customers, contacts, invoices or payments.")
customer_app = typer.Typer(no_args_is_help=True, help="One customer: balances, invoices, contacts, timeline.")
app.add_typer(import_app, name="import")
app.add_typer(customer_app, name="customer")
app.add_typer(policy_app, name="policy")


@app.command()
def init(db: DbOption = None) -> None:
    """Create the database, or bring its schema up to date."""
    built = bootstrap.build(db)
    out.print(f"Database ready: {built.url}")


@app.command()
def demo(
    customers: Annotated[int, typer.Option(min=1, max=5_000_000, help="How many customers.")] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the generator: same seed, same ledger.")] = 1,
    db: Annotated[str, typer.Option("--db", help="Where to build the demo database.")] = "recoup-demo.db",
    as_of: AsOfOption = None,
    force: Annotated[bool, typer.Option(help="Replace an existing database file at --db.")] = False,
) -> None:
    """Build a fresh demo database with a realistic generated ledger, then print the aging report."""
    from recoup.entrypoints.demo import run_demo

    day = parse_day(as_of, "--as-of", bootstrap.utc_now().date())
    run_demo(out, customers=customers, seed=seed, db=db, as_of=day, force=force)


def _import(
    kind: str, file: Path, skip_invalid: bool, rejects: Path | None, db: str | None, as_json: bool
) -> None:
    from recoup.adapters.formats.tabular import read_table
    from recoup.services.importing import import_table

    built = bootstrap.build(db)
    try:
        table = read_table(file)
        with render.progress(out, f"Importing {file.name}", total=table.size, quiet=as_json) as tick:
            result = import_table(
                built.uow,
                kind,
                table,
                at=built.now(),
                skip_invalid=skip_invalid,
                rejects_path=rejects,
                progress=tick,
                defaults={"country": built.settings.home_country},
            )
    except ImportRejectedError as exc:
        fail(f"{file.name}: {exc}", exc.problems)
        return
    except DomainError as exc:
        fail(str(exc))
        return
    if as_json:
        emit_json(result.as_dict())
    else:
        render.import_result(out, result)


def _kind_command(kind: str, columns: str) -> None:
    def command(
        file: Annotated[Path, typer.Argument(help="CSV (comma, semicolon or tab) or XLSX file.")],
        skip_invalid: SkipOption = False,
        rejects: RejectsOption = None,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        _import(kind, file, skip_invalid, rejects, db, as_json)

    command.__doc__ = f"Import {kind.replace('-', ' ')}. Columns: {columns}."
    import_app.command(kind)(command)


_kind_command(
    "customers",
    "id, name (required); kind, country, language, timezone, currency, segment, "
    "sales_owner, payment_terms_days, credit_limit, tax_id, contract_terms, late_fee_clause, jurisdiction",
)
_kind_command("contacts", "customer_id, name (required); role, email, phone")
einvoice_cli.register(import_app, _import)  # tables as above; UBL, CII and Factur-X told by content
_kind_command("payments", "reference, customer_id, date, amount (required); currency, invoices (a;b)")
_kind_command("credit-notes", "number, customer_id, date, amount (required); currency, invoice")

from recoup.entrypoints import statement_cli  # noqa: E402  (import statement)

import_app.command("statement")(statement_cli.statement)


@app.command("customers")
def list_customers(
    db: DbOption = None,
    as_json: JsonOption = False,
    as_of: AsOfOption = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Show at most this many.")] = None,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many first.")] = 0,
) -> None:
    """List customers with their open and overdue balances."""
    built = bootstrap.build(db)
    day = parse_day(as_of, "--as-of", built.today())
    with built.uow() as uow:
        listing = reports.customer_list(uow, day, offset=offset, limit=limit)
    if as_json:
        emit_json(reports.customer_list_json(listing, day))
    else:
        render.customer_list(out, listing, day)


@customer_app.command("show")
def customer_show(
    customer_id: Annotated[str, typer.Argument(help="The customer's id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    as_of: AsOfOption = None,
) -> None:
    """Balances, open invoices, contacts and the activity timeline of one customer."""
    built = bootstrap.build(db)
    day = parse_day(as_of, "--as-of", built.today())
    try:
        with built.uow() as uow:
            overview = reports.customer_overview(uow, customer_id, day)
    except DomainError as exc:
        fail(str(exc))
        return
    if as_json:
        emit_json(reports.overview_json(overview))
    else:
        render.customer_overview(out, overview)


@app.command()
def aging(
    db: DbOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
    buckets: Annotated[
        str, typer.Option(help="Bucket edges in days past due, comma separated.")
    ] = "0,30,60,90",
) -> None:
    """Open balances per customer and currency by days past due, with totals per currency."""
    built = bootstrap.build(db)
    day = parse_day(as_of, "--as-of", built.today())
    edges = parse_edges(buckets)
    with built.uow() as uow:
        report = reports.aging(uow, day, edges)
    if as_json:
        emit_json(reports.aging_json(report))
    else:
        render.aging(out, report)


app.command("run")(run_cli.run)
app.command("dispatch")(run_cli.dispatch_command)
app.command("simulate")(run_cli.simulate_command)
app.command("worklist")(work_cli.worklist)
app.command("checklist")(work_cli.checklist)

from recoup.entrypoints import match_cli  # noqa: E402  (cash application, the review queue)

app.command("match")(match_cli.match)

from recoup.entrypoints import case_cli  # noqa: E402  (log, promise, plan, dispute, hold, settle, ...)

case_cli.register(app)

from recoup.entrypoints import advise_cli  # noqa: E402

app.command("advise")(advise_cli.advise)

from recoup.entrypoints import law_cli  # noqa: E402  (interest, rates)

app.command("interest")(law_cli.interest)
app.add_typer(law_cli.rates_app, name="rates")

from recoup.entrypoints import mail_cli  # noqa: E402  (mail ingest)

app.add_typer(mail_cli.mail_app, name="mail")

app.command("casefile")(casefile_cli.casefile)
app.add_typer(template_app, name="template")

from recoup.entrypoints import letter_cli  # noqa: E402

app.command("letter")(letter_cli.letter)

from recoup.entrypoints import serve_cli  # noqa: E402  (serve, user)

app.command("serve")(serve_cli.serve)
app.add_typer(serve_cli.user_app, name="user")

from recoup.entrypoints import metrics_cli  # noqa: E402  (DSO, CEI, aging, forecast)

app.command("metrics")(metrics_cli.metrics)

from recoup.entrypoints import report_cli  # noqa: E402  (report --out FILE.html|FILE.pdf)

app.command("report")(report_cli.report)


def main() -> None:
    app()
