"""``recoup demo``: a fresh database with a generated ledger, and the aging report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console

from recoup import bootstrap
from recoup.adapters.db.engine import database_url
from recoup.demo.generator import generate
from recoup.demo.load import Loaded, load
from recoup.entrypoints import render
from recoup.services import reports

DEFAULT_DEMO_DB = "recoup-demo.db"


def _fresh_sqlite(path: Path, *, force: bool, default: bool) -> None:
    if not path.exists():
        return
    if not (force or default):
        raise typer.BadParameter(f"{path} exists; pass --force to replace it", param_hint="--db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def run_demo(console: Console, *, customers: int, seed: int, db: str, as_of: dt.date, force: bool) -> None:
    url = database_url(db)
    if url.startswith("sqlite:///"):
        _fresh_sqlite(Path(url.removeprefix("sqlite:///")), force=force, default=db == DEFAULT_DEMO_DB)
    built = bootstrap.build(db)
    with built.uow() as uow:
        if uow.customers.count():
            raise typer.BadParameter(
                "the database already holds customers; give an empty one", param_hint="--db"
            )
    console.print(f"Building the demo ledger: {customers} customers, seed {seed}, as of {as_of} ...")
    expected = customers * 72  # about two invoices a month for three years
    with render.progress(console, "Generating", total=expected) as tick:
        loaded = load(
            built.uow,
            generate(customers=customers, seed=seed, as_of=as_of),
            at=built.now(),
            progress=lambda done: tick(min(done.invoices, expected), expected),
        )
    _summary(console, loaded, built.url)
    with built.uow() as uow:
        report = reports.aging(uow, as_of)
    render.aging(console, report, top=15)
    _simulation(console, built, as_of)
    console.print(f"\nDemo database: [bold]{built.url.removeprefix('sqlite:///')}[/]")
    console.print(f"Try: recoup --help, or RECOUP_DB={db} recoup customers")
    console.print(
        f"The desk: RECOUP_DB={db} recoup user add you@example.com --role admin, "
        f"then RECOUP_DB={db} recoup serve and open http://127.0.0.1:8000/"
    )


def _simulation(console: Console, built: bootstrap.App, as_of: dt.date) -> None:
    """The next 60 days of the ladder on a copy of the demo database (nothing is sent)."""
    from recoup.entrypoints.run_cli import print_simulation, run_simulation
    from recoup.services.policies import load_book

    url = built.engine.url.render_as_string(hide_password=False)
    book = load_book(built.settings.policies)
    built.engine.dispose()
    console.print(f"\nSimulating the collection ladder for 60 days from {as_of} on a copy of the database")
    print_simulation(run_simulation(url, book=book, start=as_of, days=60, seed=1, show=False))


def _summary(console: Console, loaded: Loaded, url: str) -> None:
    console.print(
        f"Loaded {loaded.customers} customers, {loaded.contacts} contacts, {loaded.invoices} invoices and "
        f"{loaded.payments} payments into {url}"
    )
