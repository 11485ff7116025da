"""The report's charts (services.charts): valid SVG naming its series and months, the same bytes for
the same data, and a plain sentence when there is nothing to draw."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

from recoup.services.charts import aging_history_svg, aging_svg, forecast_svg, trend_svg

SVG = "{http://www.w3.org/2000/svg}"
LABELS = ("not_due", "1-30", "31-60", "61-90", "91+")
MONTHS = [dt.date(2025, 12, 31), dt.date(2026, 1, 31), dt.date(2026, 2, 28)]


def texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)  # raises on anything that is not well-formed XML
    assert root.tag == SVG + "svg"
    return ["".join(t.itertext()) for t in root.iter(SVG + "text")]


def bars(svg: bytes) -> int:
    """How many filled rectangles (bars) the chart draws: matplotlib writes each as a path in a patch."""
    root = ET.fromstring(svg)
    return sum(1 for g in root.iter(SVG + "g") if (g.get("id") or "").startswith("patch_"))


def test_the_aging_history_stacks_every_bucket_at_every_month_end() -> None:
    amounts = [[Decimal(100), Decimal(0), Decimal(0), Decimal(0), Decimal("2500.50")]] * 3
    svg = aging_history_svg("EUR", LABELS, MONTHS, amounts)
    words = texts(svg)
    assert [w for w in words if w in {"Dec 25", "Jan 26", "Feb 26"}] == ["Dec 25", "Jan 26", "Feb 26"]
    assert {"not due", "1-30", "31-60", "61-90", "91+"} <= set(words)  # the legend, one entry a bucket
    assert "open, EUR" in words
    assert bars(svg) >= 3 * len(LABELS)  # a (possibly empty) bar per bucket and month


def test_the_trend_has_a_line_per_series_with_its_last_value_and_gaps_for_unknown_months() -> None:
    svg = trend_svg("EUR", MONTHS, {"DSO": [Decimal("41.5"), None, Decimal("38.0")], "ADD": [None] * 3})
    words = texts(svg)
    assert {"DSO", "ADD", "EUR", "days"} <= set(words)
    assert any(w.strip() == "38.0" for w in words)  # the last known DSO written at the line's end
    root = ET.fromstring(svg)
    lines = [g for g in root.iter(SVG + "g") if (g.get("id") or "").startswith("line2d_")]
    assert lines  # drawn as lines
    assert "No EUR to show" in texts(trend_svg("EUR", MONTHS, {"DSO": [None] * 3}))


def test_the_forecast_has_a_bar_per_week_labelled_by_its_monday() -> None:
    weeks = [dt.date(2026, 3, 2) + dt.timedelta(weeks=i) for i in range(14)]
    amounts = [Decimal("5000.00")] + [Decimal(i * 100) for i in range(13)]
    svg = forecast_svg("KRW", weeks, amounts)
    words = texts(svg)
    assert "02 Mar" in words and "01 Jun" in words  # the first and the fourteenth Monday
    assert "expected, KRW" in words and "5k" in words
    assert "Nothing expected in USD" in texts(forecast_svg("USD", weeks, [Decimal(0)] * 14))


def test_the_same_data_gives_the_same_bytes_without_a_date() -> None:
    amounts = [[Decimal(i), Decimal(1), Decimal(2), Decimal(3), Decimal(4)] for i in range(3)]
    first = aging_history_svg("EUR", LABELS, MONTHS, amounts)
    assert first == aging_history_svg("EUR", LABELS, MONTHS, amounts)
    assert b"<dc:date>" not in first
    aging = aging_svg(LABELS, {"EUR": [Decimal(1)] * 5})
    assert aging == aging_svg(LABELS, {"EUR": [Decimal(1)] * 5})


def test_charts_of_two_currencies_never_share_an_element_id() -> None:
    amounts = [[Decimal(1)] * 5] * 3

    def ids(svg: bytes) -> set[str]:
        return {e.get("id") or "" for e in ET.fromstring(svg).iter() if e.tag == SVG + "clipPath"}

    eur = ids(aging_history_svg("EUR", LABELS, MONTHS, amounts))
    usd = ids(aging_history_svg("USD", LABELS, MONTHS, amounts))
    assert eur and usd and not eur & usd  # both inlined in one page, each clip path stays its own
