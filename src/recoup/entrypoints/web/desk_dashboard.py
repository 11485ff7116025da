"""The dashboard: the owner's report at a glance, per currency (key metrics, twelve month ends of
aging, DSO and ADD, the cash forecast), from the same data and charts as ``recoup report``
(``services.report``).

Working it out costs about fourteen aging-sized queries (the metrics' open receivables on the day
and the period's first day, and at each of eleven month ends before) plus a dozen charts: on a
million invoices that is seconds to tens of seconds. So each server keeps one dashboard per day
and buckets (``Boards``): worked out once in a background thread, shown from memory after that,
and worked out again in the background when it is older than ``FRESH`` (the page meanwhile shows
the one it has, saying when it was made). The first request of a day waits ``WAIT_SECONDS`` for
it, then answers a page that reloads itself until it is ready. One thread does the work, so two
people opening the dashboard never start it twice. What a day's dashboard keeps in memory is its
figures and its SVG charts: some hundred kilobytes per currency.

A sales user sees its own accounts only; the dashboard covers the whole ledger, so it is not
offered to sales.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from recoup import bootstrap
from recoup.domain.aging import DEFAULT_EDGES
from recoup.domain.errors import AccessDeniedError
from recoup.domain.users import Role
from recoup.entrypoints.web.desk_pages import page
from recoup.entrypoints.web.security import Ctx, reader
from recoup.services import report

router = APIRouter(include_in_schema=False)
Reader = Annotated[Ctx, Depends(reader)]

FRESH = dt.timedelta(minutes=15)
"""A dashboard older than this is worked out again (in the background) when it is next shown."""
WAIT_SECONDS = 3.0
"""How long a request waits for a dashboard being worked out before answering 'being prepared'."""
RELOAD_SECONDS = 5


@dataclass(frozen=True)
class Board:
    data: report.ReportData
    charts: report.Charts
    made_at: dt.datetime  # the app's clock
    seconds: float  # how long it took
    made: float  # time.monotonic() when it was made


Key = tuple[dt.date, tuple[int, ...]]


class Boards:
    """One dashboard per (day, buckets) for one application, worked out by one background thread."""

    def __init__(self, built: bootstrap.App) -> None:
        self.built = built
        self._lock = threading.Lock()
        self._boards: dict[Key, Board] = {}
        self._work: dict[Key, Future[Board]] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recoup-dashboard")

    def _make(self, key: Key) -> Board:
        started = time.perf_counter()
        as_of, edges = key
        with self.built.uow() as uow:
            data = report.build(uow, as_of, edges=edges, customers=False)
        drawn = report.charts(data)
        board = Board(data, drawn, self.built.now(), time.perf_counter() - started, time.monotonic())
        with self._lock:
            self._boards = {k: b for k, b in self._boards.items() if k[0] == as_of}  # yesterday's go
            self._boards[key] = board
            self._work.pop(key, None)
        return board

    def _failed(self, key: Key) -> Callable[[Future[Board]], None]:
        def forget(done: Future[Board]) -> None:
            if done.exception() is not None:
                with self._lock:
                    self._work.pop(key, None)

        return forget

    def get(self, as_of: dt.date, edges: tuple[int, ...], *, wait: float) -> tuple[Board | None, bool]:
        """The dashboard for the day (None while the first is being worked out) and whether a newer
        one is being worked out. Waits up to ``wait`` seconds when there is none yet."""
        key = (as_of, edges)
        with self._lock:
            board = self._boards.get(key)
            work = self._work.get(key)
            if work is None and (board is None or time.monotonic() - board.made > FRESH.total_seconds()):
                work = self._pool.submit(self._make, key)
                work.add_done_callback(self._failed(key))
                self._work[key] = work
        if board is None and work is not None:
            try:
                board = work.result(timeout=wait)
            except TimeoutError:
                return None, True
        return board, work is not None and not work.done()


_BOARDS_LOCK = threading.Lock()


def boards(request: Request, built: bootstrap.App) -> Boards:
    """The application's dashboards (made on first use)."""
    with _BOARDS_LOCK:
        found: Boards | None = getattr(request.app.state, "dashboards", None)
        if found is None or found.built is not built:
            found = Boards(built)
            request.app.state.dashboards = found
        return found


def _inline(charts: dict[str, bytes]) -> dict[str, Markup]:
    return {cur: Markup(report.inline_svg(svg)) for cur, svg in charts.items()}


@router.get("/desk/dashboard", response_class=HTMLResponse)
def dashboard_page(ctx: Reader, request: Request) -> HTMLResponse:
    if ctx.user.role is Role.SALES:
        raise AccessDeniedError("the dashboard covers the whole ledger; a sales user sees its own accounts")
    today = ctx.app.today()
    board, refreshing = boards(request, ctx.app).get(today, DEFAULT_EDGES, wait=WAIT_SECONDS)
    if board is None:
        return page(request, ctx, "dashboard.html", active="dashboard", board=None, reload=RELOAD_SECONDS)
    return page(
        request,
        ctx,
        "dashboard.html",
        active="dashboard",
        board=board,
        data=board.data,
        m=board.data.metrics,
        refreshing=refreshing,
        history_charts=_inline(board.charts.history),
        trend_charts=_inline(board.charts.trend),
        forecast_charts=_inline(board.charts.forecast),
        reload=0,
    )
