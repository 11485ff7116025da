"""The desk's home page (today's worklist, ranked, with the reasons) and the customer list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from recoup.domain.users import Role
from recoup.entrypoints.web.desk_pages import page
from recoup.entrypoints.web.security import Ctx, reader
from recoup.services import listing
from recoup.services import worklist as work

router = APIRouter(include_in_schema=False)
Reader = Annotated[Ctx, Depends(reader)]
SHOWN = 50


@router.get("/", response_class=HTMLResponse)
def worklist_page(
    ctx: Reader,
    request: Request,
    who: Annotated[str, Query(pattern="^(mine|all)$")] = "mine",
    show: Annotated[int, Query(ge=1, le=5000)] = SHOWN,
) -> HTMLResponse:
    """Open tasks due today, highest score first; 'mine' keeps the user's tasks and the unassigned."""
    today = ctx.app.today()
    user = ctx.user
    with ctx.uow() as uow:
        items, total = work.worklist_page(
            uow,
            today,
            collector=user.email if who == "mine" else None,
            owner=user.email if user.role is Role.SALES else None,
            limit=show,
        )
    return page(
        request,
        ctx,
        "worklist.html",
        active="worklist",
        items=items,
        total=total,
        who=who,
        show=show,
    )


@router.get("/desk", include_in_schema=False)
def desk_home() -> Response:
    return RedirectResponse("/", status_code=307)


@router.get("/desk/customers", response_class=HTMLResponse)
def customers_page(
    ctx: Reader,
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    overdue: Annotated[bool, Query()] = False,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Find a customer by id or name; a sales user lists only its own accounts."""
    today = ctx.app.today()
    owner = ctx.user.email if ctx.user.role is Role.SALES else None
    with ctx.uow() as uow:
        if q.strip():
            exact = uow.customers.get(q.strip())
            if exact is not None and ctx.user.sees(exact.sales_owner):
                return RedirectResponse(f"/desk/customers/{exact.id}", status_code=303)
        rows, total = listing.customers(
            uow,
            today,
            q=q or None,
            sales_owner=owner,
            overdue_only=overdue,
            order="name",
            offset=offset,
            limit=listing.DEFAULT_LIMIT,
        )
    return page(
        request,
        ctx,
        "customers.html",
        active="customers",
        rows=rows,
        total=total,
        q=q,
        overdue=overdue,
        offset=offset,
        limit=listing.DEFAULT_LIMIT,
    )
