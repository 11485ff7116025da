"""services.charts: plain data in, SVG out; one scale per currency, text kept as text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from recoup.services.charts import aging_svg, top_overdue_svg

LABELS = ("not_due", "1-30", "31-60", "61-90", "91+")


def texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_the_aging_chart_has_a_bar_per_currency_and_a_legend_per_bucket() -> None:
    svg = aging_svg(
        LABELS,
        {
            "EUR": [Decimal("0"), Decimal("0"), Decimal("4500.50"), Decimal("0"), Decimal("5000.00")],
            "KRW": [Decimal("3300000"), Decimal("0"), Decimal("0"), Decimal("0"), Decimal("0")],
        },
    )
    words = texts(svg)
    assert "EUR" in words and "KRW" in words
    assert {"not due", "1-30", "31-60", "61-90", "91+"} <= set(words)
    assert "9.5k" in " ".join(words) and "3.3m" in " ".join(words)  # each total on its own scale


def test_the_top_overdue_chart_names_each_customer_and_nothing_overdue_says_so() -> None:
    svg = top_overdue_svg("KRW", [("한빛전자 주식회사", Decimal("3300000")), ("Dupont", Decimal("120000"))])
    words = texts(svg)
    assert "한빛전자 주식회사" in words and "Dupont" in words  # text stays text: the browser draws Hangul
    assert "overdue, KRW" in words
    assert "Nothing overdue in EUR" in texts(top_overdue_svg("EUR", []))
    assert "Nothing open" in texts(aging_svg(LABELS, {}))
