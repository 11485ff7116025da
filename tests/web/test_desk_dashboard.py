"""The desk's dashboard: the figures of ``recoup metrics`` and the charts of ``recoup report`` per
currency, worked out once per day in the background and then shown from memory; not for sales."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from web_world import DeskClient

from recoup import bootstrap
from recoup.entrypoints.web import desk_dashboard
from recoup.services import metrics, report

Desk = Callable[[str], DeskClient]


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every report.build the dashboard makes (its options); requests wait for it as long as needed."""
    made: list[dict[str, Any]] = []
    real = report.build

    def counted(uow, as_of, **options):  # type: ignore[no-untyped-def]
        made.append(options)
        return real(uow, as_of, **options)

    monkeypatch.setattr(desk_dashboard.report, "build", counted)
    monkeypatch.setattr(desk_dashboard, "WAIT_SECONDS", 120.0)
    return made


def test_the_dashboard_shows_the_metrics_and_the_report_charts_per_currency(
    desk: Desk, built: bootstrap.App, builds: list[dict[str, Any]]
) -> None:
    answer = desk("viewer").get("/desk/dashboard")
    assert answer.status_code == 200
    html = answer.text
    assert '<a href="/desk/dashboard" aria-current="page">Dashboard</a>' in html
    with built.uow() as uow:
        m = metrics.compute(uow, built.today())
    currencies = [c.currency for c in m.currencies]
    assert currencies == ["EUR", "GBP", "KRW"]  # the examples: never added together
    rows = {
        c.currency: html.split(f'data-label="Currency">{c.currency}</th>')[1].split("</tr>")[0]
        for c in m.currencies
    }
    for c in m.currencies:
        for value, unit in ((c.dso, " d"), (c.best_dso, " d"), (c.add, " d"), (c.cei, " %")):
            assert ("—" if value is None else f"{value:,}{unit}") in rows[c.currency]
        assert f"{c.currency}: the last 12 month ends" in html
    # EUR on the examples as recoup metrics gives it: 9,500.50 open, DSO 190.0 days, CEI 46.3 %.
    assert "9,500.50" in rows["EUR"] and ">190.0 d<" in rows["EUR"] and ">46.3 %<" in rows["EUR"]
    forecasts = html.count("expected over 13 weeks")
    assert html.count("<svg") == 2 * len(currencies) + forecasts  # history and trend per currency
    assert "Open balance at each month end" in html and "DSO and ADD in days" in html
    assert builds == [{"edges": (0, 30, 60, 90), "customers": False}]  # no per-customer aging query


def test_the_dashboard_is_worked_out_once_and_then_shown_from_memory(
    desk: Desk, builds: list[dict[str, Any]]
) -> None:
    first = desk("viewer").get("/desk/dashboard").text
    second = desk("collector").get("/desk/dashboard").text
    assert len(builds) == 1
    assert "worked out at 23 Nov 2026 09:00 UTC" in first and "worked out at 23 Nov 2026 09:00 UTC" in second


def test_an_old_dashboard_is_shown_while_a_new_one_is_worked_out(
    desk: Desk, builds: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = desk("viewer")
    client.get("/desk/dashboard")
    monkeypatch.setattr(desk_dashboard, "FRESH", desk_dashboard.dt.timedelta(0))
    again = client.get("/desk/dashboard")
    assert again.status_code == 200 and "Key metrics" in again.text  # the one it has, at once
    boards = client.app.state.dashboards  # type: ignore[attr-defined]
    for work in list(boards._work.values()):
        work.result(timeout=120)
    assert len(builds) == 2


def test_a_dashboard_not_ready_yet_says_so_and_reloads_itself(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    go = threading.Event()
    real = report.build

    def slow(uow, as_of, **options):  # type: ignore[no-untyped-def]
        assert go.wait(timeout=120)
        return real(uow, as_of, **options)

    monkeypatch.setattr(desk_dashboard.report, "build", slow)
    monkeypatch.setattr(desk_dashboard, "WAIT_SECONDS", 0.0)
    client = desk("viewer")
    waiting = client.get("/desk/dashboard")
    assert waiting.status_code == 200
    assert "Working out the dashboard" in waiting.text
    assert '<meta http-equiv="refresh" content="5">' in waiting.text
    assert "<svg" not in waiting.text
    go.set()
    boards = client.app.state.dashboards  # type: ignore[attr-defined]
    for work in list(boards._work.values()):
        work.result(timeout=120)
    ready = client.get("/desk/dashboard").text
    assert "Key metrics" in ready and "<svg" in ready and "http-equiv" not in ready


def test_sales_is_not_offered_the_dashboard_of_the_whole_ledger(desk: Desk) -> None:
    sales = desk("sales")
    assert 'href="/desk/dashboard"' not in sales.get("/desk/aging").text
    answer = sales.get("/desk/dashboard")
    assert answer.status_code == 403 and "covers the whole ledger" in answer.text
    assert 'href="/desk/dashboard"' in desk("viewer").get("/desk/aging").text
