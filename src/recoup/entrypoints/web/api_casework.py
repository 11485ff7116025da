"""Working a case: the timeline (notes, calls, visits), promises, plans, disputes, holds, settlements.

Each change calls one ``services.casework`` command, which checks everything before it writes and
logs the activity with the user as actor; the case version is checked first, in the same
transaction, and the answer carries the new one.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from recoup.domain.errors import NotFoundError
from recoup.domain.users import Permission
from recoup.entrypoints.web import schemas as s
from recoup.entrypoints.web.api_common import (
    CustomerId,
    Disputer,
    Limit,
    Offset,
    Reader,
    RecordId,
    Worker,
    activity_out,
    case_for,
    currency_in,
    dispute_out,
    hold_out,
    money_in,
    named_invoices,
    page,
    plan_out,
    promise_out,
    settlement_out,
    task_out,
    visible_customer,
    visible_invoice,
)
from recoup.entrypoints.web.security import Ctx
from recoup.services import casework, listing, versions
from recoup.services.ports import UnitOfWork

router = APIRouter(prefix="/api", tags=["casework"])

Kind = Annotated[str, Query(min_length=1, max_length=32, pattern=r"^[a-z_]+$")]


@router.get(
    "/customers/{customer_id}/activities",
    response_model=s.Page[s.ActivityOut],
    summary="The timeline: a customer's activity log, newest first",
)
def timeline(
    customer_id: CustomerId,
    ctx: Reader,
    kind: Annotated[
        list[Kind] | None, Query(max_length=30, description="only these kinds (repeatable)")
    ] = None,
    since: Annotated[s.Day | None, Query(description="only entries on or after this day (UTC)")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> s.Page[s.ActivityOut]:
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC) if since else None
    with ctx.uow() as uow:
        c = visible_customer(uow, ctx, customer_id)
        found, total = listing.activities(uow, c.id, kinds=kind, since=start, offset=offset, limit=limit)
    return page([activity_out(a) for a in found], total, limit, offset)


@router.post(
    "/customers/{customer_id}/activities",
    response_model=s.NoteWritten,
    status_code=201,
    summary="Log a note, a call or a visit",
)
def log_entry(customer_id: CustomerId, body: s.NoteIn, ctx: Reader) -> s.NoteWritten:
    """A note needs ``note`` permission (sales may add them on its own accounts); a call, a visit or a
    promise taken with it needs ``work_cases``. What it leads to follows (``casework.log_contact``):
    tasks, the promise, disputes on the named invoices."""
    ctx.user.require(Permission.NOTE if body.kind == "note" else Permission.WORK_CASES)
    if body.promise_date is not None or body.promise_amount is not None:
        ctx.user.require(Permission.WORK_CASES)
    with ctx.uow() as uow:
        c = case_for(uow, ctx, customer_id, body.version)
        numbers = named_invoices(uow, body.invoices)
        promised = None
        if body.promise_amount is not None:
            code = casework.covered(uow, c.id, numbers).currency
            promised = money_in(body.promise_amount, code, "promise_amount")
        done = casework.log_contact(
            uow,
            c.id,
            body.kind,
            contact_name=body.contact,
            outcome=body.outcome,
            reason=body.reason,
            notes=body.notes,
            invoices=numbers,
            promise_date=body.promise_date,
            promise_amount=promised,
            dispute_reason=body.dispute_reason,
            at=ctx.app.now(),
            actor=ctx.actor,
        )
        version = versions.version(uow, c.id)
        answer = s.NoteWritten(
            version=version,
            activity=activity_out(done.activity),
            follow_ups=[f.value for f in done.follow_ups],
            tasks=[task_out(t) for t in done.tasks],
            promise=promise_out(done.promise) if done.promise else None,
            disputes=[dispute_out(d, _currency(uow, d.invoice_number)) for d in done.disputes],
        )
    return answer


def _currency(uow: UnitOfWork, number: str) -> str:
    found = uow.invoices.get(number)
    return found.currency if found else ""


def _amount_currency(
    uow: UnitOfWork, customer_id: str, invoices: tuple[str, ...], currency: str | None
) -> str:
    """The currency an amount is read in: the named invoices', else ``currency``, else the customer's."""
    return casework.covered(uow, customer_id, invoices, currency_in(currency)).currency


# --- promises and plans --------------------------------------------------------------------------


@router.post(
    "/customers/{customer_id}/promises",
    response_model=s.PromiseWritten,
    status_code=201,
    summary="Record a promise",
)
def record_promise(customer_id: CustomerId, body: s.PromiseIn, ctx: Worker) -> s.PromiseWritten:
    """The covered items (the named invoices, else every open item of the case) are not chased until the
    promise date plus the policy's grace days."""
    with ctx.uow() as uow:
        c = case_for(uow, ctx, customer_id, body.version)
        numbers = named_invoices(uow, body.invoices)
        code = _amount_currency(uow, c.id, numbers, body.currency)
        promise = casework.record_promise(
            uow,
            c.id,
            money_in(body.amount, code, "amount"),
            body.date,
            numbers,
            currency=code,
            at=ctx.app.now(),
            actor=ctx.actor,
        )
        answer = s.PromiseWritten(**promise_out(promise).model_dump(), version=versions.version(uow, c.id))
    return answer


@router.post(
    "/customers/{customer_id}/plans",
    response_model=s.PlanWritten,
    status_code=201,
    summary="Agree a payment plan",
)
def offer_plan(customer_id: CustomerId, body: s.PlanIn, ctx: Worker) -> s.PlanWritten:
    """The open balance of the covered items in equal instalments that add up exactly."""
    with ctx.uow() as uow:
        c = case_for(uow, ctx, customer_id, body.version)
        numbers = named_invoices(uow, body.invoices)
        plan = casework.offer_plan(
            uow,
            c.id,
            installments=body.installments,
            every_days=body.every_days,
            first=body.first,
            invoices=numbers,
            currency=currency_in(body.currency),
            at=ctx.app.now(),
            actor=ctx.actor,
        )
        answer = s.PlanWritten(**plan_out(plan).model_dump(), version=versions.version(uow, c.id))
    return answer


# --- disputes ------------------------------------------------------------------------------------


@router.post(
    "/disputes", response_model=s.DisputeWritten, status_code=201, summary="Open a dispute on an invoice"
)
def open_dispute(body: s.DisputeIn, ctx: Disputer) -> s.DisputeWritten:
    """The invoice is not chased while the dispute is open; the sales owner gets a task."""
    with ctx.uow() as uow:
        inv = visible_invoice(uow, ctx, body.invoice.strip(), "invoice")
        case_for(uow, ctx, inv.customer_id, body.version)
        disputed = money_in(body.amount, inv.currency, "amount") if body.amount is not None else None
        d = casework.open_dispute(uow, inv.number, body.reason, disputed, at=ctx.app.now(), actor=ctx.actor)
        answer = s.DisputeWritten(
            **dispute_out(d, inv.currency).model_dump(), version=versions.version(uow, inv.customer_id)
        )
    return answer


@router.post("/disputes/{dispute_id}/resolve", response_model=s.DisputeWritten, summary="Resolve a dispute")
def resolve_dispute(dispute_id: RecordId, body: s.DisputeResolution, ctx: Disputer) -> s.DisputeWritten:
    """The invoice is chased again if anything is left open; the dispute's task is closed."""
    with ctx.uow() as uow:
        found = uow.disputes.get(dispute_id)
        if found is None:
            raise NotFoundError(f"no dispute {dispute_id}")
        case_for(uow, ctx, found.customer_id, body.version)
        d = casework.resolve_dispute(
            uow,
            dispute_id,
            body.outcome,
            credit_note_number=body.credit_note_number,
            at=ctx.app.now(),
            actor=ctx.actor,
        )
        answer = s.DisputeWritten(
            **dispute_out(d, _currency(uow, d.invoice_number)).model_dump(),
            version=versions.version(uow, d.customer_id),
        )
    return answer


# --- holds ---------------------------------------------------------------------------------------


@router.post(
    "/customers/{customer_id}/holds",
    response_model=s.HoldWritten,
    status_code=201,
    summary="Put a customer on hold",
)
def place_hold(customer_id: CustomerId, body: s.HoldIn, ctx: Worker) -> s.HoldWritten:
    """Nothing is sent to the customer until the day after ``until``."""
    with ctx.uow() as uow:
        c = case_for(uow, ctx, customer_id, body.version)
        h = casework.place_hold(uow, c.id, body.until, body.reason, at=ctx.app.now(), actor=ctx.actor)
        answer = s.HoldWritten(**hold_out(h).model_dump(), version=versions.version(uow, c.id))
    return answer


def _record_case(
    ctx: Ctx, uow: UnitOfWork, found: object, what: str, record_id: int, version: int | None
) -> str:
    if found is None:
        raise NotFoundError(f"no {what} {record_id}")
    customer_id: str = found.customer_id  # type: ignore[attr-defined]
    case_for(uow, ctx, customer_id, version)
    return customer_id


@router.post("/holds/{hold_id}/release", response_model=s.HoldWritten, summary="Lift a hold early")
def release_hold(hold_id: RecordId, ctx: Worker, body: s.VersionIn | None = None) -> s.HoldWritten:
    with ctx.uow() as uow:
        cid = _record_case(ctx, uow, uow.holds.get(hold_id), "hold", hold_id, body.version if body else None)
        h = casework.release_hold(uow, hold_id, at=ctx.app.now(), actor=ctx.actor)
        answer = s.HoldWritten(**hold_out(h).model_dump(), version=versions.version(uow, cid))
    return answer


# --- settlements ---------------------------------------------------------------------------------


@router.post(
    "/customers/{customer_id}/settlements",
    response_model=s.SettlementWritten,
    status_code=201,
    summary="Offer a settlement for less than is owed",
)
def offer_settlement(customer_id: CustomerId, body: s.SettlementIn, ctx: Worker) -> s.SettlementWritten:
    """Once accepted and paid by the deadline, the run writes off the rest."""
    with ctx.uow() as uow:
        c = case_for(uow, ctx, customer_id, body.version)
        numbers = named_invoices(uow, body.invoices)
        code = _amount_currency(uow, c.id, numbers, body.currency)
        x = casework.offer_settlement(
            uow,
            c.id,
            money_in(body.amount, code, "amount"),
            body.deadline,
            numbers,
            currency=code,
            at=ctx.app.now(),
            actor=ctx.actor,
        )
        answer = s.SettlementWritten(**settlement_out(x).model_dump(), version=versions.version(uow, c.id))
    return answer


def _decide(settlement_id: int, ctx: Ctx, body: s.VersionIn | None, accept: bool) -> s.SettlementWritten:
    with ctx.uow() as uow:
        found = uow.settlements.get(settlement_id)
        cid = _record_case(ctx, uow, found, "settlement", settlement_id, body.version if body else None)
        decide = casework.accept_settlement if accept else casework.decline_settlement
        x = decide(uow, settlement_id, at=ctx.app.now(), actor=ctx.actor)
        answer = s.SettlementWritten(**settlement_out(x).model_dump(), version=versions.version(uow, cid))
    return answer


@router.post(
    "/settlements/{settlement_id}/accept", response_model=s.SettlementWritten, summary="The customer accepted"
)
def accept_settlement(
    settlement_id: RecordId, ctx: Worker, body: s.VersionIn | None = None
) -> s.SettlementWritten:
    return _decide(settlement_id, ctx, body, accept=True)


@router.post(
    "/settlements/{settlement_id}/decline",
    response_model=s.SettlementWritten,
    summary="The customer declined",
)
def decline_settlement(
    settlement_id: RecordId, ctx: Worker, body: s.VersionIn | None = None
) -> s.SettlementWritten:
    return _decide(settlement_id, ctx, body, accept=False)
