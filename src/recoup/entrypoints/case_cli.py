"""Working a case from the command line: log, promise, plan, dispute, hold, settle, writeoff, approve, task.

Each command opens one transaction, calls one ``services.casework`` command and
commits; bad input is refused with a message naming the option, exit code 1,
and nothing is written. ``--as-of`` is the business date of the action
(default today), ``--actor`` who did it (default ``$USER``, else ``cli``).

``dispute``, ``hold`` and ``settle`` are groups whose first command is the
default: ``recoup dispute INV-1 --reason price`` is ``recoup dispute open INV-1
--reason price``, next to ``recoup dispute resolve 3 --outcome credited``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from typer.core import TyperGroup

from recoup import bootstrap
from recoup.domain.activity import Activity
from recoup.domain.cases import Dispute, Hold, PaymentPlan, Promise, Settlement
from recoup.domain.errors import DomainError, InvalidInputError, NotFoundError
from recoup.domain.invoices import Invoice
from recoup.domain.money import Money
from recoup.domain.tasks import Task, TaskStatus
from recoup.entrypoints import render
from recoup.entrypoints.options import DbOption, JsonOption, emit_json, fail, out
from recoup.services import casework
from recoup.services.policies import load_book
from recoup.services.ports import UnitOfWork
from recoup.settings import Settings

T = TypeVar("T")

# --- options -------------------------------------------------------------------------------------

OnOption = Annotated[
    str | None, typer.Option("--as-of", help="The business date of the action, YYYY-MM-DD (default: today).")
]
ActorOption = Annotated[str | None, typer.Option("--actor", help="Who does it (default: $USER, else 'cli').")]
InvoicesOption = Annotated[
    str | None,
    typer.Option(
        "--invoices", help="Invoice numbers, comma separated (default: every open item of the case)."
    ),
]
CurrencyOption = Annotated[
    str | None,
    typer.Option("--currency", help="The case's currency (default: the invoices', else the customer's)."),
]
CustomerArg = Annotated[str, typer.Argument(help="The customer's id.")]

# The option of each service input, so an error names what to fix.
OPTIONS = {
    "amount": "--amount",
    "date": "--date",
    "invoices": "--invoices",
    "currency": "--currency",
    "installments": "--installments",
    "every_days": "--every",
    "first": "--first",
    "reason": "--reason",
    "dispute_reason": "--dispute-reason",
    "until": "--until",
    "deadline": "--deadline",
    "outcome": "--outcome",
    "credit_note_number": "--credit-note",
    "promise_date": "--promise-date",
    "promise_amount": "--promise-amount",
    "notes": "--notes",
    "on": "--as-of",
    "actor": "--actor",
    "step": "STEP",
    "question": "QUESTION",
}


def _fail(message: str) -> NoReturn:
    fail(message)
    raise typer.Exit(1)  # not reached: fail() exits


def _day(value: str | None, option: str) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"{option}: {value!r} is not a date (expected YYYY-MM-DD)")


def _required_day(value: str, option: str) -> dt.date:
    day = _day(value, option)
    if day is None:
        _fail(f"{option}: a date is needed (YYYY-MM-DD)")
    return day


def _int(value: str, what: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        _fail(f"{what}: {value!r} is not a whole number")


def _amount(text: str, currency: str, option: str) -> Money:
    try:
        return Money.parse(text, currency)
    except DomainError as exc:
        _fail(f"{option}: {exc}")


def _numbers(value: str | None) -> tuple[str, ...]:
    return tuple(n.strip() for n in (value or "").split(",") if n.strip())


@dataclass(frozen=True)
class Stamp:
    """When and by whom: what every casework command takes."""

    at: dt.datetime
    on: dt.date
    actor: str
    settings: Settings

    def kw(self) -> dict[str, Any]:
        return {"at": self.at, "on": self.on, "actor": self.actor}


def _run(db: str | None, as_of: str | None, actor: str | None, work: Callable[[UnitOfWork, Stamp], T]) -> T:
    """Do ``work`` in one transaction and commit; a domain error fails naming the option, changing nothing."""
    on = _day(as_of, "--as-of")
    who = (actor if actor is not None else os.environ.get("USER") or "cli").strip()
    if not who:
        _fail("--actor: name who does it")
    built = bootstrap.build(db)
    stamp = Stamp(built.now(), on or built.today(), who, built.settings)
    try:
        with built.uow() as uow:
            result = work(uow, stamp)
            uow.commit()
    except InvalidInputError as exc:
        option = OPTIONS.get(exc.field, "")
        _fail(f"{option}: {exc}" if option else str(exc))
    except DomainError as exc:
        _fail(str(exc))
    return result


def _show(as_json: bool, data: dict[str, Any], line: str) -> None:
    if as_json:
        emit_json(data)
    else:
        out.print(render.escape(line))


# --- JSON shapes ---------------------------------------------------------------------------------


def _m(m: Money | None) -> str | None:
    return None if m is None else str(m.amount)


def _d(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def promise_json(p: Promise) -> dict[str, Any]:
    return {
        "id": p.id,
        "customer": p.customer_id,
        "amount": _m(p.amount),
        "currency": p.currency,
        "date": _d(p.date),
        "made_on": _d(p.made_on),
        "invoices": list(p.invoices),
        "status": p.status.value,
    }


def plan_json(p: PaymentPlan) -> dict[str, Any]:
    return {
        "id": p.id,
        "customer": p.customer_id,
        "currency": p.currency,
        "total": _m(p.total),
        "installments": [{"due": _d(i.due), "amount": _m(i.amount)} for i in p.installments],
        "made_on": _d(p.made_on),
        "invoices": list(p.invoices),
        "status": p.status.value,
    }


def dispute_json(d: Dispute) -> dict[str, Any]:
    return {
        "id": d.id,
        "invoice": d.invoice_number,
        "customer": d.customer_id,
        "reason": d.reason,
        "amount": _m(d.amount),
        "opened_on": _d(d.opened_on),
        "status": d.status.value,
        "outcome": d.outcome,
        "resolved_on": _d(d.resolved_on),
    }


def hold_json(h: Hold) -> dict[str, Any]:
    return {
        "id": h.id,
        "customer": h.customer_id,
        "until": _d(h.until),
        "reason": h.reason,
        "placed_on": _d(h.placed_on),
        "released_on": _d(h.released_on),
    }


def settlement_json(s: Settlement) -> dict[str, Any]:
    return {
        "id": s.id,
        "customer": s.customer_id,
        "amount": _m(s.amount),
        "currency": s.currency,
        "deadline": _d(s.deadline),
        "offered_on": _d(s.offered_on),
        "invoices": list(s.invoices),
        "status": s.status.value,
    }


def invoice_json(i: Invoice) -> dict[str, Any]:
    return {
        "number": i.number,
        "customer": i.customer_id,
        "currency": i.currency,
        "amount": _m(i.amount),
        "balance": _m(i.open_balance),
        "status": i.status.value,
        "closed_on": _d(i.closed_on),
    }


def task_json(t: Task) -> dict[str, Any]:
    return {
        "id": t.id,
        "kind": t.kind.value,
        "customer": t.customer_id,
        "currency": t.currency,
        "due": _d(t.due),
        "reason": t.reason,
        "invoices": list(t.invoices),
        "assignee": t.assignee,
        "status": t.status.value,
    }


def activity_json(a: Activity) -> dict[str, Any]:
    return {
        "kind": a.kind,
        "at": a.at.isoformat(),
        "actor": a.actor,
        "customer": a.customer_id,
        "invoices": list(a.invoices),
        "text": a.text,
        "data": a.data,
    }


# --- log -----------------------------------------------------------------------------------------

log_app = typer.Typer(no_args_is_help=True, help="Log a call, a visit or a note, and raise what it leads to.")


def _log_command(kind: str) -> None:
    def command(
        customer_id: CustomerArg,
        contact: Annotated[str, typer.Option("--contact", help="Whom you spoke to or tried to reach.")] = "",
        outcome: Annotated[
            str | None,
            typer.Option(
                "--outcome",
                help="reached, left_message, no_answer, wrong_number, refused_to_talk (calls, visits).",
            ),
        ] = None,
        reason: Annotated[
            str,
            typer.Option(
                "--reason",
                help="Why it does not pay: forgot, not_received, cash_flow, dispute, awaiting_approval, "
                "will_pay, refuses, unreachable, insolvency, none.",
            ),
        ] = "none",
        notes: Annotated[str, typer.Option("--notes", help="What was said, in words.")] = "",
        invoices: InvoicesOption = None,
        promise_date: Annotated[
            str | None, typer.Option("--promise-date", help="The date the customer promised to pay by.")
        ] = None,
        promise_amount: Annotated[
            str | None, typer.Option("--promise-amount", help="The amount promised (with --promise-date).")
        ] = None,
        dispute_reason: Annotated[
            str,
            typer.Option(
                "--dispute-reason", help="For a complaint about named invoices: the dispute reason."
            ),
        ] = "other",
        currency: CurrencyOption = None,
        db: DbOption = None,
        as_of: OnOption = None,
        actor: ActorOption = None,
        as_json: JsonOption = False,
    ) -> None:
        numbers = _numbers(invoices)
        promised_on = _day(promise_date, "--promise-date")

        def work(uow: UnitOfWork, s: Stamp) -> casework.ContactLogged:
            amount = None
            if promise_amount is not None:
                code = casework.covered(uow, customer_id, numbers, currency).currency
                amount = _amount(promise_amount, code, "--promise-amount")
            return casework.log_contact(
                uow,
                customer_id,
                kind,
                contact_name=contact,
                outcome=outcome,
                reason=reason,
                notes=notes,
                invoices=numbers,
                promise_date=promised_on,
                promise_amount=amount,
                dispute_reason=dispute_reason,
                **s.kw(),
            )

        logged = _run(db, as_of, actor, work)
        if as_json:
            emit_json(
                {
                    "activity": activity_json(logged.activity),
                    "follow_ups": [f.value for f in logged.follow_ups],
                    "tasks": [task_json(t) for t in logged.tasks],
                    "promise": promise_json(logged.promise) if logged.promise else None,
                    "disputes": [dispute_json(d) for d in logged.disputes],
                }
            )
            return
        out.print(render.escape(f"Logged: {logged.activity.text}"))
        if logged.promise:
            out.print(render.escape(f"Promise {logged.promise.id} recorded."))
        for d in logged.disputes:
            out.print(render.escape(f"Dispute {d.id} opened on {d.invoice_number}."))
        for t in logged.tasks:
            who = f" for {t.assignee}" if t.assignee else ""
            out.print(render.escape(f"Task {t.id} ({t.kind.value}, due {t.due}){who}: {t.reason}"))

    command.__doc__ = {
        "call": "Log a phone call: whom, how it went, why the customer does not pay.",
        "visit": "Log a visit: whom, how it went, why the customer does not pay.",
        "note": "Log something learned otherwise (from sales, in passing): not an attempt to reach anyone.",
    }[kind]
    log_app.command(kind)(command)


for _kind in ("call", "visit", "note"):
    _log_command(_kind)


# --- promise, plan -------------------------------------------------------------------------------


def promise(
    customer_id: CustomerArg,
    amount: Annotated[str, typer.Option("--amount", help="The amount promised, e.g. 1500.00.")],
    date: Annotated[str, typer.Option("--date", help="The day it will be paid by, YYYY-MM-DD.")],
    invoices: InvoicesOption = None,
    currency: CurrencyOption = None,
    db: DbOption = None,
    as_of: OnOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a promise to pay: the covered items are not chased until its date plus the grace days."""
    numbers = _numbers(invoices)
    by = _required_day(date, "--date")

    def work(uow: UnitOfWork, s: Stamp) -> Promise:
        code = casework.covered(uow, customer_id, numbers, currency).currency
        money = _amount(amount, code, "--amount")
        return casework.record_promise(uow, customer_id, money, by, numbers, currency=currency, **s.kw())

    p = _run(db, as_of, actor, work)
    what = ", ".join(p.invoices) or f"all open {p.currency} invoices"
    _show(as_json, promise_json(p), f"Promise {p.id}: {p.customer_id} pays {p.amount} by {p.date} ({what}).")


def plan(
    customer_id: CustomerArg,
    installments: Annotated[str, typer.Option("--installments", help="How many instalments.")],
    every: Annotated[str, typer.Option("--every", help="Days between two instalments.")],
    first: Annotated[
        str | None, typer.Option("--first", help="Due date of the first instalment (default: as-of + every).")
    ] = None,
    invoices: InvoicesOption = None,
    currency: CurrencyOption = None,
    db: DbOption = None,
    as_of: OnOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Agree a payment plan: the open balance in equal instalments that add up exactly."""
    count = _int(installments, "--installments")
    days = _int(every, "--every")
    start = _day(first, "--first")
    numbers = _numbers(invoices)

    def work(uow: UnitOfWork, s: Stamp) -> PaymentPlan:
        return casework.offer_plan(
            uow,
            customer_id,
            installments=count,
            every_days=days,
            first=start,
            invoices=numbers,
            currency=currency,
            **s.kw(),
        )

    p = _run(db, as_of, actor, work)
    parts = ", ".join(f"{i.amount.amount} on {i.due}" for i in p.installments)
    _show(
        as_json,
        plan_json(p),
        f"Plan {p.id}: {p.total} for {p.customer_id} in {len(p.installments)}: {parts}.",
    )


# --- groups with a default command ---------------------------------------------------------------


class _DefaultGroup(TyperGroup):
    """A group whose ``default_command`` runs when the first argument names no command."""

    default_command = ""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        help_names = self.get_help_option_names(ctx)
        if args and args[0] not in self.commands and args[0] not in help_names:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


def _defaulting_to(name: str) -> type[TyperGroup]:
    return type(f"DefaultTo{name.capitalize()}", (_DefaultGroup,), {"default_command": name})


dispute_app = typer.Typer(
    cls=_defaulting_to("open"),
    no_args_is_help=True,
    help="Open a dispute on an invoice (`recoup dispute INVOICE` is `dispute open INVOICE`) or resolve one.",
)
hold_app = typer.Typer(
    cls=_defaulting_to("place"),
    no_args_is_help=True,
    help="Stop chasing a customer until a date (`hold CUSTOMER` is `hold place CUSTOMER`), or lift it.",
)
settle_app = typer.Typer(
    cls=_defaulting_to("offer"),
    no_args_is_help=True,
    help="Offer a settlement for less (`settle CUSTOMER` is `settle offer CUSTOMER`); accept or decline it.",
)
task_app = typer.Typer(no_args_is_help=True, help="Close a task: done or cancelled.")


@dispute_app.command("open")
def dispute_open(
    invoice: Annotated[str, typer.Argument(help="The invoice in dispute.")],
    reason: Annotated[
        str,
        typer.Option("--reason", help="goods, service, price, quantity, not_received, duplicate or other."),
    ],
    amount: Annotated[
        str | None, typer.Option("--amount", help="The disputed part (default: all of it).")
    ] = None,
    db: DbOption = None,
    as_of: OnOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open a dispute: the invoice is not chased while it is open, and the sales owner gets a task."""

    def work(uow: UnitOfWork, s: Stamp) -> Dispute:
        money = None
        if amount is not None:
            found = uow.invoices.get(invoice)
            if found is None:
                raise NotFoundError(f"no invoice {invoice!r}")
            money = _amount(amount, found.currency, "--amount")
        return casework.open_dispute(uow, invoice, reason, money, **s.kw())

    d = _run(db, as_of, actor, work)
    part = f"{d.amount} of it" if d.amount else "all of it"
    _show(as_json, dispute_json(d), f"Dispute {d.id} opened on {d.invoice_number} ({d.reason}), {part}.")


@dispute_app.command("resolve")
def dispute_resolve(
    dispute_id: Annotated[str, typer.Argument(metavar="ID", help="The dispute's id.")],
    outcome: Annotated[str, typer.Option("--outcome", help="credited, rejected, corrected or withdrawn.")],
    credit_note: Annotated[
        str | None, typer.Option("--credit-note", help="The credit note that settled it (with credited).")
    ] = None,
    db: DbOption = None,
    as_of: OnOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Resolve a dispute: the invoice is chased again if anything is left open."""
    number = _int(dispute_id, "ID")

    def work(uow: UnitOfWork, s: Stamp) -> Dispute:
        return casework.resolve_dispute(uow, number, outcome, credit_note_number=credit_note, **s.kw())

    d = _run(db, as_of, actor, work)
    _show(as_json, dispute_json(d), f"Dispute {d.id} on {d.invoice_number} resolved: {d.outcome}.")


@hold_app.command("place")
def hold_place(
    customer_id: CustomerArg,
    until: Annotated[str, typer.Option("--until", help="The last day of the hold, YYYY-MM-DD.")],
    reason: Annotated[str, typer.Option("--reason", help="Why, in words.")],
    db: DbOption = None,
    as_of: OnOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Put a customer on hold: nothing is sent until the day after --until."""
    last = _required_day(until, "--until")

    def work(uow: UnitOfWork, s: Stamp) -> Hold:
        return casework.place_hold(uow, customer_id, last, reason, **s.kw())

    h = _run(db, as_of, actor, work)
    _show(as_json, hold_json(h), f"Hold {h.id}: {h.customer_id} is not chased until {h.until}.")


@hold_app.command("release")
def hold_release(
    hold_id: Annotated[str, typer.Argument(metavar="ID", help="The hold's id.")],
    db: DbOption = None,
    as_of: OnOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Lift a hold early: the ladder resumes on the next run."""
    number = _int(hold_id, "ID")
    h = _run(db, as_of, actor, lambda uow, s: casework.release_hold(uow, number, **s.kw()))
    _show(as_json, hold_json(h), f"Hold {h.id} of {h.customer_id} released on {h.released_on}.")


@settle_app.command("offer")
def settle_offer(
    customer_id: CustomerArg,
    amount: Annotated[
        str, typer.Option("--amount", help="What the customer pays to settle (less than owed).")
    ],
    deadline: Annotated[str, typer.Option("--deadline", help="By when it must be paid, YYYY-MM-DD.")],
    invoices: InvoicesOption = None,
    currency: CurrencyOption = None,
    db: DbOption = None,
    as_of: OnOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Offer to settle for less; once accepted and paid, the run writes off the rest."""
    numbers = _numbers(invoices)
    by = _required_day(deadline, "--deadline")

    def work(uow: UnitOfWork, s: Stamp) -> Settlement:
        code = casework.covered(uow, customer_id, numbers, currency).currency
        money = _amount(amount, code, "--amount")
        return casework.offer_settlement(uow, customer_id, money, by, numbers, currency=currency, **s.kw())

    st = _run(db, as_of, actor, work)
    _show(as_json, settlement_json(st), f"Settlement {st.id} offered: {st.amount} by {st.deadline}.")


def _settle_decision(accept: bool) -> Callable[..., None]:
    def command(
        settlement_id: Annotated[str, typer.Argument(metavar="ID", help="The settlement's id.")],
        db: DbOption = None,
        as_of: OnOption = None,
        actor: ActorOption = None,
        as_json: JsonOption = False,
    ) -> None:
        number = _int(settlement_id, "ID")
        decide = casework.accept_settlement if accept else casework.decline_settlement
        st = _run(db, as_of, actor, lambda uow, s: decide(uow, number, **s.kw()))
        _show(as_json, settlement_json(st), f"Settlement {st.id} {st.status.value}.")

    command.__doc__ = (
        "The customer accepted the offer: once it is paid, the run writes off the rest."
        if accept
        else "The customer declined the offer: the ladder goes on."
    )
    return command


settle_app.command("accept")(_settle_decision(True))
settle_app.command("decline")(_settle_decision(False))


# --- write-off, approvals, contacts, tasks -------------------------------------------------


def writeoff(
    invoice: Annotated[str, typer.Argument(help="The invoice to write off.")],
    reason: Annotated[str, typer.Option("--reason", help="Why, in words (kept as evidence).")],
    db: DbOption = None,
    as_of: OnOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write off an invoice's open balance: it closes as written off and leaves the aging."""
    inv = _run(db, as_of, actor, lambda uow, s: casework.write_off(uow, invoice, reason, **s.kw()))
    _show(as_json, invoice_json(inv), f"Invoice {inv.number} written off on {inv.closed_on}.")


def approve(
    customer_id: CustomerArg,
    step: Annotated[str, typer.Argument(help="The step of the customer's policy, e.g. agency-review.")],
    currency: CurrencyOption = None,
    db: DbOption = None,
    as_of: OnOption = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Approve a gated step (agency, litigation, write-off review) for a case; the next run may take it."""

    def work(uow: UnitOfWork, s: Stamp) -> Activity:
        customer = uow.customers.get(customer_id)
        if customer is None:
            raise NotFoundError(f"no customer {customer_id!r}")
        policy = load_book(s.settings.policies).for_customer(customer.id, customer.segment)
        return casework.approve_step(
            uow,
            customer.id,
            currency or customer.currency,
            step,
            steps=[st.id for st in policy.steps],
            **s.kw(),
        )

    a = _run(db, as_of, actor, work)
    _show(as_json, activity_json(a), a.text + ".")


def bounce(
    customer_id: CustomerArg,
    contact: Annotated[str, typer.Argument(help="The contact's name.")],
    db: DbOption = None,
    as_of: OnOption = None,
    actor: ActorOption = None,
) -> None:
    """A message to a contact bounced: mark the contact invalid (it is kept) and raise skip tracing."""
    c = _run(
        db, as_of, actor, lambda uow, s: casework.mark_contact_invalid(uow, customer_id, contact, **s.kw())
    )
    out.print(render.escape(f"Contact {c.name} of {c.customer_id} marked invalid; skip tracing task raised."))


def _task_closer(status: TaskStatus) -> Callable[..., None]:
    def command(
        task_id: Annotated[str, typer.Argument(metavar="ID", help="The task's id.")],
        db: DbOption = None,
        as_of: OnOption = None,
        actor: ActorOption = None,
        as_json: JsonOption = False,
    ) -> None:
        number = _int(task_id, "ID")
        t = _run(db, as_of, actor, lambda uow, s: casework.close_task(uow, number, status, **s.kw()))
        _show(as_json, task_json(t), f"Task {t.id} {t.status.value}: {t.reason}")

    command.__doc__ = "Mark a task done." if status is TaskStatus.DONE else "Cancel a task."
    return command


task_app.command("done")(_task_closer(TaskStatus.DONE))
task_app.command("cancel")(_task_closer(TaskStatus.CANCELLED))


def register(app: typer.Typer) -> None:
    """Add the casework commands to the ``recoup`` application."""
    app.add_typer(log_app, name="log")
    app.command("promise")(promise)
    app.command("plan")(plan)
    app.add_typer(dispute_app, name="dispute")
    app.add_typer(hold_app, name="hold")
    app.add_typer(settle_app, name="settle")
    app.command("writeoff")(writeoff)
    app.command("approve")(approve)
    app.command("bounce")(bounce)
    app.add_typer(task_app, name="task")
