"""``recoup policy``: check a collection policy file, or show a policy's ladder and settings."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from recoup.domain.errors import PolicyError
from recoup.entrypoints import render
from recoup.policy.model import Policy, Step
from recoup.services.policies import load_book, load_policy, policy_json
from recoup.settings import load_settings

policy_app = typer.Typer(no_args_is_help=True, help="Collection policies: check a file, show a ladder.")

out = render.console()

PolicyFile = Annotated[
    Path,
    typer.Argument(exists=True, dir_okay=False, readable=True, help="A policy file (TOML)."),
]


def _problems(exc: PolicyError) -> None:
    """Print each problem as ``FILE:LINE: message`` (one per line, never wrapped) and exit 1."""
    for line in exc.lines():
        typer.echo(line)
    typer.echo(f"{exc.source}: {len(exc.problems)} problem(s)", err=True)
    raise typer.Exit(1)


@policy_app.command("check")
def check(file: PolicyFile) -> None:
    """Check a policy file: every problem with its line, or OK and the number of steps."""
    try:
        policy = load_policy(file)
    except PolicyError as exc:
        _problems(exc)
        return
    typer.echo(f"{file}: OK, {len(policy.steps)} steps")


@policy_app.command("show")
def show(
    file: Annotated[
        Path | None,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="A policy file (default: the policy in force, from RECOUP_POLICIES or ./policies).",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")
    ] = False,
) -> None:
    """The ladder (offset, actions, tone, template, conditions) and the settings of a policy."""
    others: tuple[Policy, ...] = ()
    try:
        if file is not None:
            policy = load_policy(file)
        else:
            book = load_book(load_settings().policies)
            policy, others = book.default, book.others
    except PolicyError as exc:
        _problems(exc)
        return
    if as_json:
        sys.stdout.write(json.dumps(policy_json(policy), ensure_ascii=False, indent=2) + "\n")
        return
    _render(out, policy)
    for other in others:
        out.print(f"Also: policy [bold]{render.escape(other.name)}[/] for {render.escape(_applies(other))}")


def _offset(days: int) -> str:
    return f"{days:+d}" if days else "0"


def _conditions(step: Step) -> str:
    parts: list[str] = []
    if step.min_overdue:
        parts.append(f"overdue ≥ {step.min_overdue}")
    if len(step.kinds) == 1:
        parts.append(f"{step.kinds[0]} only")
    if step.segments:
        parts.append("segments " + ", ".join(step.segments))
    if step.needs_checklist:
        parts.append("needs checklist")
    if step.needs_approval:
        parts.append("needs approval")
    if step.copy_owner:
        parts.append("copy owner")
    if not step.consumer_ok:
        parts.append("not for consumers")
    return "; ".join(parts)


def _applies(policy: Policy) -> str:
    parts = []
    if policy.applies_segments:
        parts.append("segments " + ", ".join(policy.applies_segments))
    if policy.applies_customers:
        parts.append("customers " + ", ".join(policy.applies_customers))
    return "; ".join(parts) or "nobody (no [applies_to])"


def _render(console: Console, policy: Policy) -> None:
    table = Table(title=f"Policy {policy.name}", title_justify="left")
    for column in ("id", "offset", "actions", "tone", "template", "attach", "conditions"):
        table.add_column(column, justify="right" if column == "offset" else "left")
    for step in policy.steps:
        table.add_row(
            render.escape(step.id),
            _offset(step.offset),
            ", ".join(step.actions),
            step.tone.value if step.is_message else "",
            render.escape(step.template),
            ", ".join(step.attach),
            render.escape(_conditions(step)),
        )
    console.print(table)
    settings = Table(title="Settings", title_justify="left", show_header=False)
    settings.add_column("setting")
    settings.add_column("value")
    rows = (
        ("min_gap_days", f"{policy.min_gap_days} (days between two messages to a case)"),
        ("call_gap_days", f"{policy.call_gap_days} (days between two calls)"),
        ("promise_grace_days", f"{policy.promise_grace_days} (days a promise holds after its date)"),
        ("promise_max_days", f"{policy.promise_max_days} (how far ahead a customer may promise on its page)"),
        ("tolerance", f"{policy.tolerance} (open balances at or under this are left alone)"),
        ("demand_letter_days", f"{policy.demand_letter_days} (days after the due date)"),
        ("send hours", f"{policy.send_from}:00 to {policy.send_until}:00 local time"),
        ("consumer_call_attempts", f"{policy.consumer_call_attempts} (in seven days)"),
    )
    for name, value in rows:
        settings.add_row(name, value)
    if policy.applies_segments or policy.applies_customers:
        settings.add_row("applies to", render.escape(_applies(policy)))
    console.print(settings)
