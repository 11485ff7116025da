"""The customer page of the desk (``/desk/customers/{id}``) and the stored copies on its timeline.

A sales user sees only the customers it owns; everyone else who may read sees all. A stored copy
(an email as sent, a letter's PDF) is served only when it is on that customer's timeline.
"""

from __future__ import annotations

import mimetypes
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from recoup.adapters.documents import DocumentError, DocumentStore
from recoup.domain.errors import NotFoundError
from recoup.entrypoints.web.desk_case import case_view, customer_or_404, document_allowed
from recoup.entrypoints.web.desk_pages import can, fragment, is_htmx, page
from recoup.entrypoints.web.security import Ctx, csrf_token, reader
from recoup.services.policies import load_book

router = APIRouter(include_in_schema=False)
Reader = Annotated[Ctx, Depends(reader)]
CustomerId = Annotated[str, Path(min_length=1, max_length=100)]

SANDBOX = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
CONTENT_TYPES = {
    "eml": "message/rfc822",
    "pdf": "application/pdf",
    "txt": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def render_case(
    request: Request,
    ctx: Ctx,
    customer_id: str,
    *,
    status: int = 200,
    notice: str = "",
    error: dict[str, Any] | None = None,
    form: dict[str, Any] | None = None,
    everything: bool = False,
) -> HTMLResponse:
    """The customer page, or only its case part for HTMX, with a notice or an error on top.

    ``form`` is the form that failed (its name and the values posted), opened again with them.
    """
    with ctx.uow() as uow:
        customer = customer_or_404(uow, customer_id, ctx.user)
        policy = load_book(ctx.app.settings.policies).for_customer(customer.id, customer.segment)
        view = case_view(uow, customer.id, ctx.app.today(), policy=policy, everything=everything)
    blank = {"name": "", "values": {}, "many": {"invoices": []}}
    context = {"case": view, "notice": notice, "error": error, "form": form or blank}
    if is_htmx(request) and request.method != "GET":
        csrf = csrf_token(request) if ctx.via == "session" else ""
        return fragment(request, "_case.html", status=status, can=can(ctx.user), csrf=csrf, **context)
    return page(request, ctx, "customer.html", status=status, active="customers", **context)


@router.get("/desk/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(
    ctx: Reader,
    request: Request,
    customer_id: CustomerId,
    timeline: Annotated[str, Query(pattern="^(recent|all)$")] = "recent",
) -> HTMLResponse:
    return render_case(request, ctx, customer_id, everything=timeline == "all")


@router.get("/desk/customers/{customer_id}/documents/{ref}")
async def stored_copy(
    ctx: Reader,
    customer_id: CustomerId,
    ref: Annotated[str, Path(pattern=r"^sha256:[0-9a-f]{64}\.[A-Za-z0-9]{1,16}$")],
) -> Response:
    """A stored copy from the customer's timeline, checked against its hash, with its content type."""

    def read() -> bytes:
        with ctx.uow() as uow:
            customer = customer_or_404(uow, customer_id, ctx.user)
            if not document_allowed(uow, customer.id, ref):
                raise NotFoundError(f"no document {ref} on the timeline of {customer.id}")
        try:
            return DocumentStore(ctx.app.settings.documents).get(ref)
        except DocumentError as exc:
            raise NotFoundError(str(exc)) from None

    data = await run_in_threadpool(read)
    suffix = ref.rsplit(".", 1)[-1].lower()
    kind = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(f"x.{suffix}")[0] or "application/octet-stream"
    name = f"{customer_id}-{ref[7:19]}.{suffix}"
    return Response(
        data,
        media_type=kind,
        headers={
            "Content-Disposition": f'inline; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            # A stored message is evidence, not part of the desk: it runs no script on this site.
            "Content-Security-Policy": SANDBOX,
            "Cache-Control": "private, max-age=3600",
        },
    )
