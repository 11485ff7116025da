"""The collector's work: tasks, approvals of gated steps, the checklist, the ranked worklist, the run.

The run's preview plans the day as ``recoup run --dry-run`` does and changes nothing; executing it
writes the outbox in one transaction (the dispatcher sends it, ``recoup dispatch``). Only one run at
a time: a second one is refused with 409 naming who holds the lock.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from recoup.domain.calendar import BusinessCalendar
from recoup.domain.checklist import QUESTION_IDS
from recoup.domain.errors import InvalidInputError, NotFoundError
from recoup.domain.tasks import TaskStatus
from recoup.entrypoints.web import schemas as s
from recoup.entrypoints.web.api_common import (
    AsOf,
    CustomerId,
    Limit,
    Offset,
    Reader,
    RecordId,
    Runner,
    Worker,
    activity_out,
    amount,
    case_for,
    currency_in,
    owner_filter,
    page,
    task_fields,
    task_out,
    today,
    visible_customer,
)
from recoup.entrypoints.web.security import Ctx
from recoup.services import casework, listing, versions, worklist
from recoup.services.policies import load_book
from recoup.services.ports import UnitOfWork
from recoup.services.run import RunResult, plan_run

router = APIRouter(prefix="/api", tags=["work"])

CALENDAR = BusinessCalendar()  # shared: it keeps the holidays it looked up


# --- tasks ---------------------------------------------------------------------------------------


@router.get("/tasks", response_model=s.Page[s.TaskOut], summary="Tasks, by due date")
def list_tasks(
    ctx: Reader,
    status: Literal["open", "done", "cancelled", "all"] = "open",
    customer_id: Annotated[str | None, Query(max_length=64, pattern=s.NO_CONTROL)] = None,
    assignee: Annotated[
        str | None, Query(max_length=254, pattern=s.NO_CONTROL, description="an email; '' for the team's")
    ] = None,
    kind: Annotated[str | None, Query(max_length=32, pattern=r"^[a-z_]*$")] = None,
    due_by: Annotated[s.Day | None, Query(description="due on or before, YYYY-MM-DD")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> s.Page[s.TaskOut]:
    with ctx.uow() as uow:
        if customer_id:
            visible_customer(uow, ctx, customer_id, "customer_id")
        found, total = listing.tasks(
            uow,
            status=None if status == "all" else status,
            customer_id=customer_id or None,
            assignee=assignee,
            kind=kind or None,
            due_by=due_by,
            sales_owner=owner_filter(ctx),
            offset=offset,
            limit=limit,
        )
    return page([task_out(t) for t in found], total, limit, offset)


def _close(task_id: int, ctx: Ctx, body: s.VersionIn | None, status: TaskStatus) -> s.TaskWritten:
    with ctx.uow() as uow:
        task = uow.tasks.get(task_id)
        if task is None:
            raise NotFoundError(f"no task {task_id}")
        case_for(uow, ctx, task.customer_id, body.version if body else None)
        closed = casework.close_task(uow, task_id, status, at=ctx.app.now(), actor=ctx.actor)
        answer = s.TaskWritten.model_validate(
            {**task_fields(closed), "version": versions.version(uow, task.customer_id)}
        )
    return answer


@router.post("/tasks/{task_id}/done", response_model=s.TaskWritten, summary="Mark a task done")
def task_done(task_id: RecordId, ctx: Worker, body: s.VersionIn | None = None) -> s.TaskWritten:
    return _close(task_id, ctx, body, TaskStatus.DONE)


@router.post("/tasks/{task_id}/cancel", response_model=s.TaskWritten, summary="Cancel a task")
def task_cancel(task_id: RecordId, ctx: Worker, body: s.VersionIn | None = None) -> s.TaskWritten:
    return _close(task_id, ctx, body, TaskStatus.CANCELLED)


# --- approvals and the checklist -----------------------------------------------------------------


@router.post(
    "/customers/{customer_id}/approvals",
    response_model=s.ApprovalWritten,
    status_code=201,
    summary="Approve a gated step for a case",
)
def approve(customer_id: CustomerId, body: s.ApprovalIn, ctx: Worker) -> s.ApprovalWritten:
    """Agency, litigation, settlement or write-off review: the next run may take the step."""
    with ctx.uow() as uow:
        c = case_for(uow, ctx, customer_id, body.version)
        policy = load_book(ctx.app.settings.policies).for_customer(c.id, c.segment)
        entry = casework.approve_step(
            uow,
            c.id,
            currency_in(body.currency) or c.currency,
            body.step,
            steps=[step.id for step in policy.steps],
            at=ctx.app.now(),
            actor=ctx.actor,
        )
        version = versions.version(uow, c.id)
    return s.ApprovalWritten(version=version, activity=activity_out(entry).model_copy(update={"id": version}))


Currency = Annotated[
    str | None, Query(max_length=3, pattern=r"^[A-Za-z]{0,3}$", description="default: the customer's")
]


def _checklist(uow: UnitOfWork, customer_id: str, currency: str, as_of: dt.date) -> dict[str, Any]:
    rows = worklist.checklist_view(uow, customer_id, currency, as_of)
    return {
        "customer_id": customer_id,
        "currency": currency,
        "as_of": as_of,
        "complete": all(r.answer is not None for r in rows),
        "missing": [r.id for r in rows if r.answer is None],
        "questions": [{"id": r.id, "text": r.text, "answer": r.answer, "source": r.source} for r in rows],
    }


@router.get("/customers/{customer_id}/checklist", response_model=s.ChecklistOut, summary="A case's checklist")
def get_checklist(
    customer_id: CustomerId, ctx: Reader, currency: Currency = None, as_of: AsOf = None
) -> s.ChecklistOut:
    """The questions the demand letter waits for, answered by the collector or from the records."""
    with ctx.uow() as uow:
        c = visible_customer(uow, ctx, customer_id)
        data = _checklist(uow, c.id, currency_in(currency) or c.currency, today(ctx, as_of))
    return s.ChecklistOut.model_validate(data)


@router.post(
    "/customers/{customer_id}/checklist",
    response_model=s.ChecklistWritten,
    summary="Answer checklist questions",
)
def answer_checklist(customer_id: CustomerId, body: s.ChecklistIn, ctx: Worker) -> s.ChecklistWritten:
    """Each answer is kept (a later one wins) and logged. The questions: right_recipient,
    owner_contacted, first_response, pattern, busy_season, plan_offered."""
    unknown = [q for q in body.answers if q not in QUESTION_IDS]
    if unknown:
        raise InvalidInputError(
            f"unknown checklist question {', '.join(unknown)}; the questions are {', '.join(QUESTION_IDS)}",
            field="answers",
        )
    with ctx.uow() as uow:
        c = case_for(uow, ctx, customer_id, body.version)
        code = currency_in(body.currency) or c.currency
        for question, answer in body.answers.items():
            casework.answer_checklist(uow, c.id, code, question, answer, at=ctx.app.now(), actor=ctx.actor)
        data = _checklist(uow, c.id, code, ctx.app.today())
        data["version"] = versions.version(uow, c.id)
    return s.ChecklistWritten.model_validate(data)


# --- the worklist --------------------------------------------------------------------------------


@router.get(
    "/worklist", response_model=s.Page[s.WorkItemOut], summary="Today's worklist, highest priority first"
)
def get_worklist(
    ctx: Reader,
    as_of: AsOf = None,
    mine: Annotated[bool, Query(description="only tasks assigned to you and the team's")] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> s.Page[s.WorkItemOut]:
    """Open tasks due by ``as_of``, each with its score and the reasons for it; a sales user sees the
    tasks of its own accounts."""
    with ctx.uow() as uow:
        items, total = worklist.worklist_page(
            uow,
            today(ctx, as_of),
            collector=ctx.actor if mine else None,
            owner=owner_filter(ctx),
            offset=offset,
            limit=limit,
        )
    shown = [
        s.WorkItemOut(
            task_id=i.task_id,
            kind=i.kind.value,
            customer_id=i.customer_id,
            customer_name=i.customer_name,
            currency=i.currency,
            due=i.due,
            reason=i.reason,
            step=i.step,
            invoices=list(i.invoices),
            assignee=i.assignee,
            overdue=amount(i.overdue),
            oldest_days_past_due=i.oldest_days_past_due,
            paid=i.paid,
            paid_late=i.paid_late,
            average_days_late=round(i.average_days_late, 1),
            promises_broken=i.promises_broken,
            task_days_late=i.task_days_late,
            score=round(i.score, 1),
            reasons=list(i.reasons),
        )
        for i in items
    ]
    return page(shown, total, limit, offset)


# --- the run -------------------------------------------------------------------------------------


def _run_out(result: RunResult, limit: int, offset: int) -> s.RunOut:
    def note(d: dict[str, Any], message: str = "") -> s.RunNoteOut:
        return s.RunNoteOut(
            customer_id=d["customer"],
            currency=d["currency"],
            kind=d.get("kind", ""),
            code=d.get("code", ""),
            step=d.get("step", ""),
            invoice=d.get("invoice", ""),
            invoices=d.get("invoices", []),
            message=message or d.get("message", ""),
        )

    actions = [
        s.RunActionOut(**{("customer_id" if k == "customer" else k): v for k, v in a.items()})
        for a in result.actions[offset : offset + limit]
    ]
    return s.RunOut(
        as_of=result.as_of,
        dry_run=result.dry_run,
        cases=result.cases,
        total_actions=len(result.actions),
        limit=limit,
        offset=offset,
        actions=actions,
        skipped=[note(d) for d in result.skipped],
        diagnostics=[note(d) for d in result.diagnostics],
        events=[note(d, d["text"]) for d in result.events],
        tasks=[note(d, d["reason"]) for d in result.tasks],
    )


def _run(ctx: Ctx, as_of: dt.date | None, *, dry_run: bool) -> RunResult:
    return plan_run(
        ctx.app.uow,
        book=load_book(ctx.app.settings.policies),
        calendar=CALENDAR,
        as_of=today(ctx, as_of),
        at=ctx.app.now(),
        dry_run=dry_run,
        actor=ctx.actor,
    )


@router.get("/run/preview", response_model=s.RunOut, summary="What the run would do today (changes nothing)")
def preview_run(ctx: Runner, as_of: AsOf = None, limit: Limit = 50, offset: Offset = 0) -> s.RunOut:
    return _run_out(_run(ctx, as_of, dry_run=True), limit, offset)


@router.post("/run", response_model=s.RunOut, summary="Run the day: plan and write the outbox")
def execute_run(ctx: Runner, body: s.RunIn | None = None, limit: Limit = 50, offset: Offset = 0) -> s.RunOut:
    """Writes the outbox, steps, tasks and events in one transaction; ``recoup dispatch`` sends it. A run
    already in progress gives 409."""
    return _run_out(_run(ctx, body.as_of if body else None, dry_run=False), limit, offset)
