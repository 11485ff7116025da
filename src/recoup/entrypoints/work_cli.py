"""``recoup worklist`` and ``recoup checklist``: the collector's day and the questions before escalating."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.table import Table

from recoup import bootstrap
from recoup.domain.checklist import QUESTION_IDS
from recoup.domain.errors import DomainError
from recoup.entrypoints import render
from recoup.entrypoints.options import AsOfOption, DbOption, JsonOption, emit_json, fail, out, parse_day
from recoup.services.worklist import (
    ChecklistRow,
    WorkItem,
    case_currency,
    checklist_json,
    checklist_view,
    record_answers,
    worklist_json,
)
from recoup.services.worklist import worklist as build_worklist

YES = {"yes": True, "y": True, "no": False, "n": False}


def worklist(
    db: DbOption = None,
    as_of: AsOfOption = None,
    collector: Annotated[
        str | None,
        typer.Option("--collector", help="Only the tasks assigned to this email, and the unassigned ones."),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Show at most this many.")] = None,
    as_json: JsonOption = False,
) -> None:
    """The open tasks due by today (or --as-of), most urgent first, with why they rank there."""
    built = bootstrap.build(db)
    day = parse_day(as_of, "--as-of", built.today())
    try:
        with built.uow() as uow:
            items = build_worklist(uow, day, collector=collector, limit=limit)
    except DomainError as exc:
        fail(str(exc))
        return
    if as_json:
        emit_json(worklist_json(items))
    else:
        _print_worklist(items, day, collector)


def _print_worklist(items: list[WorkItem], day: object, collector: str | None) -> None:
    who = f" for {collector}" if collector else ""
    table = Table(title=f"Worklist{render.escape(who)} as of {day}", title_justify="left")
    for column in ("#", "Score", "Kind", "Customer", "Overdue", "Due", "Reason"):
        table.add_column(column, justify="right" if column in ("#", "Score", "Overdue") else "left")
    for rank, item in enumerate(items, start=1):
        reasons = "\n".join(f"[dim]- {render.escape(r)}[/]" for r in item.reasons)
        table.add_row(
            str(rank),
            f"{item.score:.1f}",
            item.kind.value,
            render.escape(f"{item.customer_id} {item.customer_name}"),
            f"{render.amount(item.overdue)} {item.currency}",
            str(item.due),
            f"{render.escape(item.reason)}\n{reasons}",
        )
    out.print(table)
    if not items:
        out.print("Nothing to do: no open task is due.")


def _parse_answers(raw: list[str]) -> dict[str, bool]:
    """``QUESTION=yes|no`` pairs; a bad one fails with a message naming --answer."""
    answers: dict[str, bool] = {}
    for text in raw:
        question, sep, value = text.partition("=")
        question = question.strip()
        if not sep:
            fail(f"--answer {text!r}: expected QUESTION=yes or QUESTION=no")
        if question not in QUESTION_IDS:
            fail(
                f"--answer {text!r}: unknown question {question!r}; "
                f"the questions are {', '.join(QUESTION_IDS)}"
            )
        if value.strip().lower() not in YES:
            fail(f"--answer {text!r}: the answer must be yes or no, not {value.strip()!r}")
        answers[question] = YES[value.strip().lower()]
    return answers


def checklist(
    customer_id: Annotated[str, typer.Argument(metavar="CUSTOMER", help="The customer's id.")],
    currency: Annotated[
        str | None, typer.Option("--currency", help="The case's currency (default: the customer's).")
    ] = None,
    answer: Annotated[
        list[str] | None,
        typer.Option(
            "--answer",
            help="Record an answer first: QUESTION=yes|no (repeatable). "
            f"Questions: {', '.join(QUESTION_IDS)}.",
        ),
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who answers (default: the login name).")
    ] = None,
    db: DbOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """The questions to answer before a case escalates: the records' answers and the collector's."""
    answers = _parse_answers(answer or [])
    built = bootstrap.build(db)
    day = parse_day(as_of, "--as-of", built.today())
    try:
        with built.uow() as uow:
            cur = case_currency(uow, customer_id, currency)
            if answers:
                by = actor or getpass.getuser()
                record_answers(uow, customer_id, cur, answers, by=by, at=built.now())
                uow.commit()
        with built.uow() as uow:
            rows = checklist_view(uow, customer_id, cur, day)
    except DomainError as exc:
        fail(str(exc))
        return
    if as_json:
        emit_json(checklist_json(customer_id, cur, day, rows))
    else:
        _print_checklist(customer_id, cur, day, rows)


def _print_checklist(customer_id: str, currency: str, day: object, rows: list[ChecklistRow]) -> None:
    table = Table(
        title=f"Checklist of {render.escape(customer_id)} {currency} as of {day}", title_justify="left"
    )
    for column in ("Question", "", "Answer", "From"):
        table.add_column(column)
    for row in rows:
        shown = {"yes": "[green]yes[/]", "no": "[red]no[/]"}.get(row.answer or "", "[yellow]?[/]")
        table.add_row(row.id, render.escape(row.text), shown, row.source or "-")
    out.print(table)
    missing = [r.id for r in rows if r.answer is None]
    if missing:
        out.print(
            f"To answer: {', '.join(missing)} (recoup checklist {customer_id} --answer QUESTION=yes|no)"
        )
    else:
        out.print("Complete: every question has an answer.")
