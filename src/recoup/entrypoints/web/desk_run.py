"""The run preview: what goes out today (``services.run.plan_run`` dry run), the gated steps waiting
for a checklist or an approval, and executing the run.

Approve is ``casework.approve_step``. Skip closes the gate's open task as cancelled
(``casework.close_task``): the step is not taken, the ladder's lower steps go on, and while the step
stays due the engine asks again at its next run. (recoup has no way to drop a step for good; a hold
stops the whole customer, which is more than skipping one step.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from recoup.domain.calendar import BusinessCalendar
from recoup.domain.errors import AccessDeniedError, DomainError, NotFoundError
from recoup.domain.tasks import Task, TaskKind
from recoup.domain.users import Permission
from recoup.entrypoints.run_cli import advice_inputs, channels
from recoup.entrypoints.web.desk_case import customer_or_404
from recoup.entrypoints.web.desk_forms import Form
from recoup.entrypoints.web.desk_pages import flash, page
from recoup.entrypoints.web.errors import status_of
from recoup.entrypoints.web.security import Ctx, needs
from recoup.services import casework, versions
from recoup.services.dispatch import dispatch
from recoup.services.policies import load_book
from recoup.services.ports import UnitOfWork
from recoup.services.run import RunResult, plan_run

router = APIRouter(include_in_schema=False)
Runner = Annotated[Ctx, Depends(needs(Permission.RUN))]
Worker = Annotated[Ctx, Depends(needs(Permission.WORK_CASES))]
GATES_SHOWN = 200


@dataclass(frozen=True)
class Gate:
    """A step of one case waiting for its checklist or an approval, with its open task if raised."""

    customer: str
    currency: str
    step: str
    needs: str  # 'approval' or 'checklist'
    invoices: tuple[str, ...]
    task: Task | None
    version: int


def _gates(uow: UnitOfWork, result: RunResult) -> list[Gate]:
    """The gated steps: those today's dry run stops at, and those whose checklist or approval task is
    open from an earlier run (the engine records a waiting step once and need not look at it again)."""
    grouped: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add(key: tuple[str, str, str], needs_: str, invoices: Iterable[str]) -> None:
        entry = grouped.setdefault(key, {"needs": needs_, "invoices": []})
        entry["invoices"] += [n for n in invoices if n not in entry["invoices"]]

    for d in result.diagnostics:
        if d["code"] == "gated":
            needs_ = "checklist" if "checklist" in d["message"] else "approval"
            add((d["customer"], d["currency"], d["step"]), needs_, d["invoices"])
    kinds = {TaskKind.APPROVAL: "approval", TaskKind.CHECKLIST: "checklist"}
    today = result.as_of
    tasks = {
        (t.customer_id, t.currency, t.step): t
        for t in uow.tasks.open(customer_ids=None)
        if t.kind in kinds and t.step and t.due <= today
    }
    for key, task in tasks.items():
        add(key, kinds[task.kind], task.invoices)
    keys = sorted(grouped)[:GATES_SHOWN]
    found = {cid: versions.version(uow, cid) for cid in sorted({k[0] for k in keys})}
    return [
        Gate(
            *key,
            needs=grouped[key]["needs"],
            invoices=tuple(grouped[key]["invoices"]),
            task=tasks.get(key),
            version=found[key[0]],
        )
        for key in keys
    ]


def _preview(ctx: Ctx) -> tuple[RunResult, list[Gate]]:
    built = ctx.app
    result = plan_run(
        built.uow,
        book=load_book(built.settings.policies),
        calendar=BusinessCalendar(),
        as_of=built.today(),
        at=built.now(),
        dry_run=True,
        actor=ctx.actor,
    )
    with ctx.uow() as uow:
        return result, _gates(uow, result)


def _codes(result: RunResult) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for d in result.diagnostics:
        counts[d["code"]] = counts.get(d["code"], 0) + 1
    return sorted(counts.items())


def _page(
    request: Request, ctx: Ctx, *, status: int = 200, error: str = "", done: Any = None
) -> HTMLResponse:
    result, gates = _preview(ctx)
    return page(
        request,
        ctx,
        "run.html",
        status=status,
        active="run",
        result=result,
        gates=gates,
        codes=_codes(result),
        error=error,
        done=done,
    )


@router.get("/desk/run", response_class=HTMLResponse)
async def run_page(ctx: Runner, request: Request) -> HTMLResponse:
    return await run_in_threadpool(_page, request, ctx)


async def _gate_action(request: Request, ctx: Ctx, doing: Callable[[UnitOfWork, Form, str], str]) -> Response:
    form = Form(await request.form())

    def work() -> str:
        with ctx.uow() as uow:
            customer = customer_or_404(uow, form.text("customer", required=True, max_len=100), ctx.user)
            versions.check(uow, customer.id, form.version())
            return doing(uow, form, customer.id)

    try:
        notice = await run_in_threadpool(work)
    except (AccessDeniedError, NotFoundError):
        raise
    except DomainError as exc:
        return await run_in_threadpool(_page, request, ctx, status=status_of(exc), error=str(exc))
    flash(request, notice)
    return RedirectResponse("/desk/run", status_code=303)


@router.post("/desk/run/approve")
async def approve(ctx: Worker, request: Request) -> Response:
    def doing(uow: UnitOfWork, form: Form, customer_id: str) -> str:
        customer = uow.customers.get(customer_id)
        assert customer is not None
        policy = load_book(ctx.app.settings.policies).for_customer(customer.id, customer.segment)
        step = form.choice("step", [s.id for s in policy.steps if s.needs_approval])
        currency = form.text("currency", required=True, max_len=3).upper()
        casework.approve_step(
            uow,
            customer_id,
            currency,
            step,
            steps=[s.id for s in policy.steps],
            at=ctx.app.now(),
            on=ctx.app.today(),
            actor=ctx.actor,
        )
        return f"Step {step} approved for {customer_id} {currency}: the run takes it."

    return await _gate_action(request, ctx, doing)


@router.post("/desk/run/skip")
async def skip(ctx: Worker, request: Request) -> Response:
    def doing(uow: UnitOfWork, form: Form, customer_id: str) -> str:
        number = form.integer("task_id", low=1, high=2**62)
        task = uow.tasks.get(number or 0)
        if task is None or task.customer_id != customer_id:
            raise NotFoundError(f"no task {number} of {customer_id}")
        casework.close_task(
            uow, task.id or 0, "cancelled", at=ctx.app.now(), on=ctx.app.today(), actor=ctx.actor
        )
        return (
            f"Skipped {task.step} for {customer_id} today: its task is cancelled and the step is not taken."
        )

    return await _gate_action(request, ctx, doing)


@router.post("/desk/run/execute", response_class=HTMLResponse)
async def execute(ctx: Runner, request: Request) -> Response:
    """Plan the day's run for real and send what it planned, as the signed-in user."""
    built = ctx.app

    def work() -> dict[str, Any]:
        result = plan_run(
            built.uow,
            book=load_book(built.settings.policies),
            calendar=BusinessCalendar(),
            as_of=built.today(),
            at=built.now(),
            actor=ctx.actor,
        )
        sent = dispatch(
            built.uow, channels(built), now=built.now, actor=ctx.actor, advice=advice_inputs(built)
        )
        return {
            "actions": len(result.actions),
            "tasks": len(result.tasks),
            "events": len(result.events),
            "sent": len(sent.sent),
            "failed": len(sent.failed),
            "retrying": len(sent.retrying),
            "review": len(sent.review),
        }

    try:
        done = await run_in_threadpool(work)
    except DomainError as exc:
        return await run_in_threadpool(_page, request, ctx, status=status_of(exc), error=str(exc))
    flash(
        request,
        f"Run done: {done['actions']} action(s) planned, {done['sent']} sent, {done['failed']} failed, "
        f"{done['retrying']} to retry, {done['review']} to check; {done['tasks']} new task(s).",
    )
    return RedirectResponse("/desk/run", status_code=303)
