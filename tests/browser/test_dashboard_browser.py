"""An owner opens the dashboard in a real browser: the key metrics per currency and the charts of
``recoup report`` drawn, at laptop and phone widths (screenshots in test-output/desk)."""

from __future__ import annotations

from typing import Any

from browser_world import LAPTOP, PHONE, Live, shoot
from test_desk_browser import sign_in

from recoup.services import metrics


def test_an_owner_sees_the_metrics_and_charts_per_currency(live: Live, browser: Any) -> None:
    with live.built.uow() as uow:
        expected = metrics.compute(uow, live.built.today())
    for name, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        sign_in(page, live, role="viewer")
        page.goto(f"{live.url}/desk/dashboard")
        # worked out in the background; the page reloads itself until it is ready
        page.get_by_role("heading", name="Key metrics").wait_for(timeout=60_000)
        table = page.locator("table.metrics")
        for c in expected.currencies:
            row = table.locator("tbody tr", has=page.locator("th", has_text=c.currency))
            assert row.count() == 1
            text = row.inner_text()
            if c.dso is not None:
                assert f"{c.dso:,}" in text
        charts = page.locator("figure.chart svg")
        assert charts.count() >= 2 * len(expected.currencies)
        box = charts.first.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50  # drawn, not an empty element
        shoot(page, f"dashboard-{name}")
        context.close()
