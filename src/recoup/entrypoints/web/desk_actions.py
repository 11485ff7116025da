"""The quick actions of the customer page: small forms that post here and get the case back.

Every form carries the case version it was made from; the change is refused with a conflict (409)
when someone changed the case since (``services.versions.check``), and the page shows the fresh
case with the message. Bad input names the field and stores nothing. Each change goes through
``services.casework`` with the signed-in user as the actor, so it is an entry in the activity log.
With HTMX the answer is the case part of the page; without, a redirect back to the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from recoup.domain.customers import Customer
from recoup.domain.errors import AccessDeniedError, DomainError, InvalidInputError, NotFoundError
from recoup.domain.users import Permission
from recoup.entrypoints.web.desk_case import VOCABULARY, customer_or_404
from recoup.entrypoints.web.desk_case_pages import render_case
from recoup.entrypoints.web.desk_forms import Form
from recoup.entrypoints.web.desk_pages import flash, is_htmx
from recoup.entrypoints.web.desk_statement import send_statement
from recoup.entrypoints.web.errors import status_of
from recoup.entrypoints.web.security import Ctx, needs
from recoup.services import casework, versions
from recoup.services.policies import load_book
from recoup.services.ports import UnitOfWork
from recoup.services.worklist import checklist_view

router = APIRouter(include_in_schema=False)
WORK, NOTE, DISPUTES = Permission.WORK_CASES, Permission.NOTE, Permission.ANSWER_DISPUTES
CustomerId = Annotated[str, Path(min_length=1, max_length=100)]
Doing = Callable[[UnitOfWork, Form, Customer, Ctx], str]


class Refused(Exception):
    """The change was refused for its input or the case's state: shown on the case, nothing stored."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(str(error))
        self.error = error


async def act(request: Request, ctx: Ctx, customer_id: str, name: str, doing: Doing) -> Response:
    """Check the case version, do the change in one transaction, answer with the case."""
    form = Form(await request.form())

    def work() -> str:
        with ctx.uow() as uow:
            customer = customer_or_404(uow, customer_id, ctx.user)
            try:
                versions.check(uow, customer.id, form.version())
                return doing(uow, form, customer, ctx)
            except AccessDeniedError:
                raise
            except DomainError as exc:
                raise Refused(exc) from exc

    try:
        notice = await run_in_threadpool(work)
    except Refused as refused:
        exc = refused.error
        error = {"type": type(exc).__name__, "message": str(exc), "field": getattr(exc, "field", "") or None}
        values = {
            "name": form.values().get("form", name)[:100],
            "values": form.values(),
            "many": {k: form.many(k) for k in ("invoices",)},
        }
        return await run_in_threadpool(
            render_case, request, ctx, customer_id, status=status_of(exc), error=error, form=values
        )
    if is_htmx(request):
        return await run_in_threadpool(render_case, request, ctx, customer_id, notice=notice)
    flash(request, notice)
    return RedirectResponse(f"/desk/customers/{customer_id}", status_code=303)


def _currency(form: Form, customer: Customer) -> str:
    return form.text("currency", max_len=3).upper() or customer.currency


def _call(uow: UnitOfWork, form: Form, customer: Customer, ctx: Ctx) -> str:
    kind = form.choice("kind", VOCABULARY["contact_kinds"], default="call")
    outcome = form.choice("outcome", VOCABULARY["outcomes"])
    reason = form.choice("reason", VOCABULARY["reasons"], default="none")
    currency = _currency(form, customer)
    date = form.day("promise_date", required=False)
    amount = form.money("promise_amount", currency, required=False)
    logged = casework.log_contact(
        uow,
        customer.id,
        kind,
        contact_name=form.text("contact", max_len=200),
        outcome=outcome,
        reason=reason,
        notes=form.text("notes"),
        invoices=form.many("invoices"),
        promise_date=date,
        promise_amount=amount,
        dispute_reason=form.choice("dispute_reason", VOCABULARY["dispute_reasons"], default="other"),
        at=ctx.app.now(),
        on=ctx.app.today(),
        actor=ctx.actor,
    )
    extra = f"; promise {logged.promise.id} recorded" if logged.promise else ""
    return f"{kind.capitalize()} logged{extra}."


def _promise(uow: UnitOfWork, form: Form, customer: Customer, ctx: Ctx) -> str:
    currency = _currency(form, customer)
    amount = form.money("amount", currency)
    date = form.required_day("date")
    assert amount is not None
    promise = casework.record_promise(
        uow,
        customer.id,
        amount,
        date,
        form.many("invoices"),
        currency=currency,
        at=ctx.app.now(),
        on=ctx.app.today(),
        actor=ctx.actor,
    )
    return f"Promise recorded: {promise.amount} by {promise.date}."


def _plan(uow: UnitOfWork, form: Form, customer: Customer, ctx: Ctx) -> str:
    count = form.integer("installments", low=1, high=casework.MAX_INSTALLMENTS)
    every = form.integer("every_days", low=1, high=casework.MAX_EVERY_DAYS)
    assert count is not None and every is not None
    plan = casework.offer_plan(
        uow,
        customer.id,
        installments=count,
        every_days=every,
        first=form.day("first", required=False),
        invoices=form.many("invoices"),
        currency=_currency(form, customer),
        at=ctx.app.now(),
        on=ctx.app.today(),
        actor=ctx.actor,
    )
    return f"Payment plan agreed: {plan.total} in {len(plan.installments)} instalment(s)."


def _dispute(uow: UnitOfWork, form: Form, customer: Customer, ctx: Ctx) -> str:
    number = form.text("invoice", required=True, max_len=100)
    reason = form.choice("reason", VOCABULARY["dispute_reasons"])
    invoice = uow.invoices.get(number)
    if invoice is None or invoice.customer_id != customer.id:
        raise NotFoundError(f"no invoice {number!r} of {customer.id}")
    amount = form.money("amount", invoice.currency, required=False)
    dispute = casework.open_dispute(
        uow, number, reason, amount, at=ctx.app.now(), on=ctx.app.today(), actor=ctx.actor
    )
    return f"Dispute {dispute.id} opened on {number}: it is not chased while open."


def _resolve(uow: UnitOfWork, form: Form, customer: Customer, ctx: Ctx) -> str:
    number = form.integer("dispute_id", low=1, high=2**62)
    dispute = uow.disputes.get(number or 0)
    if dispute is None or dispute.customer_id != customer.id:
        raise NotFoundError(f"no dispute {number} of {customer.id}")
    outcome = form.choice("outcome", VOCABULARY["dispute_outcomes"])
    casework.resolve_dispute(
        uow,
        dispute.id or 0,
        outcome,
        credit_note_number=form.text("credit_note_number", max_len=100) or None,
        at=ctx.app.now(),
        on=ctx.app.today(),
        actor=ctx.actor,
    )
    return f"Dispute {dispute.id} on {dispute.invoice_number} resolved: {outcome}."


def _hold(uow: UnitOfWork, form: Form, customer: Customer, ctx: Ctx) -> str:
    until = form.required_day("until")
    reason = form.text("reason", required=True, max_len=500)
    hold = casework.place_hold(
        uow, customer.id, until, reason, at=ctx.app.now(), on=ctx.app.today(), actor=ctx.actor
    )
    return f"On hold until {hold.until}: nothing is chased until then."


def _release(uow: UnitOfWork, form: Form, customer: Customer, ctx: Ctx) -> str:
    number = form.integer("hold_id", low=1, high=2**62)
    hold = uow.holds.get(number or 0)
    if hold is None or hold.customer_id != customer.id:
        raise NotFoundError(f"no hold {number} of {customer.id}")
    casework.release_hold(uow, hold.id or 0, at=ctx.app.now(), on=ctx.app.today(), actor=ctx.actor)
    return f"Hold {hold.id} released: the ladder resumes on the next run."


def _note(uow: UnitOfWork, form: Form, customer: Customer, ctx: Ctx) -> str:
    casework.log_contact(
        uow,
        customer.id,
        "note",
        notes=form.text("notes", required=True),
        at=ctx.app.now(),
        on=ctx.app.today(),
        actor=ctx.actor,
    )
    return "Note added."


def _checklist(uow: UnitOfWork, form: Form, customer: Customer, ctx: Ctx) -> str:
    currency = _currency(form, customer)
    given = {q: form.choice(f"q_{q}", ("", "yes", "no"), default="") for q in VOCABULARY["questions"]}
    chosen = {q: a == "yes" for q, a in given.items() if a}
    if not chosen:
        raise InvalidInputError(
            "answer at least one question (yes or no)", field=f"q_{VOCABULARY['questions'][0]}"
        )
    shown = {r.id: r for r in checklist_view(uow, customer.id, currency, ctx.app.today())}
    changed = {
        q: a
        for q, a in chosen.items()
        if not (shown[q].source == "collector" and shown[q].answer == ("yes" if a else "no"))
    }
    for question, answer in changed.items():
        casework.answer_checklist(
            uow,
            customer.id,
            currency,
            question,
            answer,
            at=ctx.app.now(),
            on=ctx.app.today(),
            actor=ctx.actor,
        )
    return f"Checklist {currency}: {len(changed)} answer(s) recorded."


def _approve(uow: UnitOfWork, form: Form, customer: Customer, ctx: Ctx) -> str:
    policy = load_book(ctx.app.settings.policies).for_customer(customer.id, customer.segment)
    step = form.choice("step", [s.id for s in policy.steps if s.needs_approval])
    currency = _currency(form, customer)
    casework.approve_step(
        uow,
        customer.id,
        currency,
        step,
        steps=[s.id for s in policy.steps],
        at=ctx.app.now(),
        on=ctx.app.today(),
        actor=ctx.actor,
    )
    return f"Step {step} approved for {customer.id} {currency}: the next run takes it."


def _task(uow: UnitOfWork, form: Form, customer: Customer, ctx: Ctx) -> str:
    number = form.integer("task_id", low=1, high=2**62)
    task = uow.tasks.get(number or 0)
    if task is None or task.customer_id != customer.id:
        raise NotFoundError(f"no task {number} of {customer.id}")
    status = form.choice("status", ("done", "cancelled"), default="done")
    casework.close_task(uow, task.id or 0, status, at=ctx.app.now(), on=ctx.app.today(), actor=ctx.actor)
    return f"Task {task.id} {status}."


def _statement(uow: UnitOfWork, form: Form, customer: Customer, ctx: Ctx) -> str:
    entry = send_statement(uow, ctx.app, customer.id, _currency(form, customer), actor=ctx.actor)
    return entry.text + "."


def _route(path: str, name: str, doing: Doing, permission: Permission) -> None:
    async def endpoint(
        request: Request, customer_id: CustomerId, ctx: Ctx = Depends(needs(permission))
    ) -> Response:
        return await act(request, ctx, customer_id, name, doing)

    endpoint.__name__ = f"desk_{name}"
    router.add_api_route(f"/desk/customers/{{customer_id}}/{path}", endpoint, methods=["POST"])


for _path, _name, _doing, _permission in (
    ("call", "call", _call, WORK),
    ("promise", "promise", _promise, WORK),
    ("plan", "plan", _plan, WORK),
    ("hold", "hold", _hold, WORK),
    ("hold/release", "release", _release, WORK),
    ("checklist", "checklist", _checklist, WORK),
    ("approve", "approve", _approve, WORK),
    ("task", "task", _task, WORK),
    ("statement", "statement", _statement, WORK),
    ("note", "note", _note, NOTE),
    ("dispute", "dispute", _dispute, DISPUTES),
    ("dispute/resolve", "resolve", _resolve, DISPUTES),
):
    _route(_path, _name, _doing, _permission)
