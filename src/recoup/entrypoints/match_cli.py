"""``recoup match``: cash application from the command line, and the review queue.

    recoup match                                   match the queue again (after IBANs were learnt)
    recoup match --review                          the lines waiting for a person, with suggestions
    recoup match --confirm 12 --suggestion 1       apply suggestion 1 of line 12
    recoup match --confirm 12 --customer C1 --invoices INV-1,INV-2
    recoup match --confirm 12 --customer C1 --unapplied

On a terminal, ``--review`` asks about each line in turn (a suggestion's number, a customer,
'u' to keep it as unapplied cash, Enter to skip, 'q' to stop). Every confirmation is logged
with the actor (``--actor``, default the login name) and teaches recoup the payer's IBAN.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from recoup import bootstrap
from recoup.domain.errors import DomainError
from recoup.domain.matching import MatchRules
from recoup.entrypoints import render
from recoup.entrypoints.options import DbOption, JsonOption, emit_json, fail, out
from recoup.services.cash_application import (
    Confirmation,
    apply_lines,
    confirm,
    review_queue,
)
from recoup.services.ports import StoredLine

ThresholdOption = Annotated[
    float | None,
    typer.Option(
        "--threshold",
        min=0.0,
        max=1.0,
        help="Confidence needed to apply a match without a person (default: $RECOUP_MATCH_THRESHOLD or 0.9).",
    ),
]


def match(
    review: Annotated[bool, typer.Option("--review", help="List the lines waiting for a person.")] = False,
    line_id: Annotated[
        int | None, typer.Option("--confirm", metavar="LINE_ID", help="Confirm this line of the queue.")
    ] = None,
    suggestion: Annotated[
        int | None,
        typer.Option("--suggestion", min=1, help="With --confirm: the suggestion to apply (1 = first)."),
    ] = None,
    customer: Annotated[
        str | None, typer.Option("--customer", help="With --confirm: the customer who paid.")
    ] = None,
    invoices: Annotated[
        str | None, typer.Option("--invoices", help="With --confirm: the invoices it pays, in order (A,B).")
    ] = None,
    unapplied: Annotated[
        bool, typer.Option("--unapplied", help="With --confirm: keep it as unapplied cash of the customer.")
    ] = False,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who confirms (default: the login name).")
    ] = None,
    threshold: ThresholdOption = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="With --review: show at most this many.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Match bank credits to open invoices; work the review queue."""
    built = bootstrap.build(db)
    by = actor or getpass.getuser()
    chosen = [n.strip() for n in (invoices or "").split(",") if n.strip()]
    if line_id is None and (suggestion is not None or customer or chosen or unapplied):
        fail("--suggestion, --customer, --invoices and --unapplied go with --confirm LINE_ID")
    try:
        if line_id is not None:
            done = _confirm(
                built,
                line_id,
                by,
                suggestion=suggestion,
                customer=customer,
                invoices=chosen,
                unapplied=unapplied,
            )
            if as_json:
                emit_json(done.as_json())
            else:
                out.print(render.escape(done.text()))
            return
        if review:
            _review(built, by, limit=limit, as_json=as_json)
            return
        rules = MatchRules(threshold=threshold if threshold is not None else built.settings.match_threshold)
        with built.uow() as uow:
            result = apply_lines(uow, review_queue(uow), at=built.now(), actor=by, rules=rules)
            uow.commit()
    except DomainError as exc:
        fail(str(exc))
        return
    if as_json:
        emit_json(result.as_json())
    else:
        for sentence in result.lines():
            out.print(render.escape(sentence))


def _confirm(built: bootstrap.App, line_id: int, by: str, **choice: Any) -> Confirmation:
    if choice["suggestion"] is None and not choice["customer"]:
        fail("say what the line pays: --suggestion N, or --customer ID with --invoices A,B or --unapplied")
    with built.uow() as uow:
        done = confirm(
            uow,
            line_id,
            at=built.now(),
            actor=by,
            suggestion=choice["suggestion"],
            customer_id=choice["customer"],
            invoices=choice["invoices"],
            unapplied=choice["unapplied"],
        )
        uow.commit()
    return done


def queue_json(lines: list[StoredLine]) -> list[dict[str, Any]]:
    return [
        {
            "line_id": s.id,
            "status": s.status.value,
            "booking_date": s.line.booking_date.isoformat(),
            "amount": str(s.line.amount.amount),
            "currency": s.line.amount.currency,
            "payer": s.line.counterparty_name,
            "iban": s.line.counterparty_iban,
            "remittance": s.line.remittance,
            "reference": s.line.creditor_reference,
            "suggestions": [{"n": n, **sug} for n, sug in enumerate(s.suggestions, start=1)],
        }
        for s in lines
    ]


def _review(built: bootstrap.App, by: str, *, limit: int | None, as_json: bool) -> None:
    with built.uow() as uow:
        lines = review_queue(uow, limit=limit)
    if as_json:
        emit_json(queue_json(lines))
        return
    if not lines:
        out.print("The review queue is empty.")
        return
    interactive = _interactive()
    for stored in lines:
        _print_line(stored)
        if interactive and not _ask(built, stored, by):
            break
    if not interactive:
        out.print(
            f"{len(lines)} line(s) to review. Confirm one with: "
            "recoup match --confirm LINE_ID --suggestion N "
            "(or --customer ID --invoices A,B, or --customer ID --unapplied)"
        )


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _print_line(stored: StoredLine) -> None:
    line = stored.line
    payer = " ".join(p for p in (line.counterparty_name, line.counterparty_iban) if p) or "unknown payer"
    text = " / ".join(t for t in (line.remittance, line.creditor_reference) if t) or "no remittance"
    out.print(
        f"\n[bold]Line {stored.id}[/]  {line.booking_date}  {render.escape(str(line.amount))}  "
        f"from {render.escape(payer)}: {render.escape(text)}"
    )
    if not stored.suggestions:
        out.print("  no suggestion: say which customer paid")
        return
    table = Table(show_header=True, box=None, pad_edge=False)
    for column in ("#", "Customer", "Invoices", "Confidence", "Reason"):
        table.add_column(column, justify="right" if column in ("#", "Confidence") else "left")
    for n, s in enumerate(stored.suggestions, start=1):
        table.add_row(
            str(n),
            render.escape(s["customer_id"]),
            render.escape(", ".join(s["invoices"]) or "(unapplied cash)"),
            f"{s['confidence']:.2f}",
            render.escape(s["reason"]),
        )
    out.print(table)


def _ask(built: bootstrap.App, stored: StoredLine, by: str) -> bool:
    """One prompt for one line; False when the collector stops."""
    while True:
        answer = typer.prompt(
            "Suggestion number, a customer id, 'u' to keep as unapplied cash, Enter to skip, 'q' to quit",
            default="",
            show_default=False,
        ).strip()
        if not answer:
            return True
        if answer.lower() == "q":
            return False
        choice: dict[str, Any] = {"suggestion": None, "customer": None, "invoices": [], "unapplied": False}
        if answer.isdigit():
            choice["suggestion"] = int(answer)
        elif answer.lower() == "u":
            first = stored.suggestions[0]["customer_id"] if stored.suggestions else ""
            choice["customer"] = typer.prompt("Customer", default=first).strip()
            choice["unapplied"] = True
        else:
            choice["customer"] = answer
            listed = typer.prompt("Invoices it pays, in order (A,B; empty: unapplied cash)", default="")
            choice["invoices"] = [n.strip() for n in listed.split(",") if n.strip()]
            choice["unapplied"] = not choice["invoices"]
        try:
            done = _confirm(built, stored.id, by, **choice)
        except DomainError as exc:
            out.print(f"[red]{render.escape(str(exc))}[/]")
            continue
        out.print(render.escape(done.text()))
        return True
