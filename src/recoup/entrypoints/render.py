"""Rich tables and progress bars for the command line. Money is formatted here, at the edge."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from babel.numbers import format_decimal
from rich.console import Console
from rich.markup import escape as _escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from recoup.domain.aging import AgingReport
from recoup.domain.money import Money, minor_digits, total
from recoup.services.importing import ImportResult
from recoup.services.reports import CustomerLine, CustomerOverview


def console(*, stderr: bool = False) -> Console:
    """A console that keeps wide tables readable when the output is a file or a pipe."""
    probe = Console(stderr=stderr)
    return probe if probe.is_terminal else Console(stderr=stderr, width=160)


def escape(text: str) -> str:
    return _escape(text)


def amount(m: Money) -> str:
    digits = minor_digits(m.currency)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(m.amount, format=pattern, locale="en")


@contextlib.contextmanager
def progress(
    console: Console, label: str, *, total: int | None, quiet: bool = False
) -> Iterator[Callable[[int, int], None]]:
    """A progress bar for long work; a no-op for small jobs, JSON output or a non-terminal.

    ``total`` None means not known: a counter and the time taken instead of a bar.
    The callback takes (done, total); a total of 0 leaves the one known so far.
    """
    if quiet or (total is not None and total < 5000) or not console.is_terminal:
        yield lambda done, total: None
        return
    if total is None:
        columns: tuple[ProgressColumn, ...] = (
            SpinnerColumn(),
            TextColumn("{task.description}: {task.completed:,}"),
            TimeElapsedColumn(),
        )
    else:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, total: bar.update(task, completed=done, total=total or None)


def import_result(console: Console, r: ImportResult) -> None:
    console.print(
        f"[bold]{escape(r.file)}[/]: {r.rows} row(s) — {r.added} added, {r.updated} updated, "
        f"{r.unchanged} unchanged, {len(r.rejected)} rejected"
    )
    for message in r.messages:
        console.print(f"  {escape(message)}")


def aging(console: Console, report: AgingReport, *, top: int | None = None) -> None:
    table = Table(title=f"Aging as of {report.as_of}", title_justify="left")
    table.add_column("Customer", max_width=34, no_wrap=True, overflow="ellipsis")
    table.add_column("Cur")
    for label in report.labels:
        table.add_column(label.replace("_", " "), justify="right", no_wrap=True)
    table.add_column("Total", justify="right", style="bold", no_wrap=True)
    rows = sorted(report.rows, key=lambda r: (r.currency, -r.total.amount))
    shown = rows if top is None else rows[:top]
    for row in shown:
        table.add_row(
            escape(f"{row.customer_id} {row.customer_name}"),
            row.currency,
            *map(amount, row.buckets),
            amount(row.total),
        )
    if len(shown) < len(rows):
        table.add_row(f"... {len(rows) - len(shown)} more customers", "", *[""] * (len(report.labels) + 1))
    table.add_section()
    for currency, amounts in report.totals().items():
        table.add_row(
            "[bold]Total[/]", currency, *map(amount, amounts), amount(total(amounts, currency)), style="bold"
        )
    console.print(table)


def customer_list(console: Console, lines: list[CustomerLine], as_of: object) -> None:
    table = Table(title=f"Customers (balances as of {as_of})", title_justify="left")
    for column in ("Id", "Name", "Kind", "Country", "Open", "Overdue"):
        table.add_column(column, justify="right" if column in ("Open", "Overdue") else "left")
    for line in lines:
        c = line.customer
        opened = "\n".join(f"{amount(o)} {cur}" for cur, (o, _) in line.balances.items()) or "-"
        late = "\n".join(f"{amount(x)} {cur}" for cur, (_, x) in line.balances.items()) or "-"
        table.add_row(c.id, escape(c.name), c.kind.value, c.country, opened, late)
    console.print(table)


def customer_overview(console: Console, o: CustomerOverview) -> None:
    c = o.customer
    console.print(
        f"[bold]{escape(c.name)}[/] ({c.id}) — {c.kind.value}, {c.country}, {c.language}, "
        f"{c.time_zone}, terms net {c.payment_terms_days} days"
    )
    if c.sales_owner:
        console.print(f"Sales owner: {escape(c.sales_owner)}")
    if c.tax_id:
        console.print(f"Tax id: {c.tax_id}")
    for cur, (owed, late) in o.balances.items():
        console.print(f"Open {amount(owed)} {cur}, of which overdue {amount(late)} {cur}")
    for cur, cash in o.unapplied.items():
        console.print(f"Unapplied cash {amount(cash)} {cur}")
    invoices = Table(title=f"Open invoices as of {o.as_of}", title_justify="left")
    for column in ("Number", "Issued", "Due", "Days late", "Amount", "Open"):
        invoices.add_column(column, justify="right" if column in ("Days late", "Amount", "Open") else "left")
    for i in o.open_invoices:
        invoices.add_row(
            i.number,
            str(i.issue_date),
            str(i.due_date),
            str(max(0, i.days_past_due(o.as_of))),
            f"{amount(i.amount)} {i.currency}",
            f"{amount(i.open_balance)} {i.currency}",
        )
    console.print(invoices)
    contacts = Table(title="Contacts", title_justify="left")
    for column in ("Name", "Role", "Email", "Phone", "Valid"):
        contacts.add_column(column)
    for x in o.contacts:
        contacts.add_row(
            escape(x.name), x.role.value, escape(x.email), escape(x.phone), "yes" if x.valid else "NO"
        )
    console.print(contacts)
    timeline = Table(title="Timeline (newest first)", title_justify="left")
    for column in ("When (UTC)", "What", "By", "Details"):
        timeline.add_column(column)
    for a in o.timeline:
        timeline.add_row(a.at.strftime("%Y-%m-%d %H:%M"), a.kind, escape(a.actor), escape(a.text))
    console.print(timeline)
