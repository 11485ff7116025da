"""Charts as SVG (matplotlib): plain data in, SVG bytes out, for the desk and the reports.

Amounts arrive as ``Decimal`` per currency and are never added across currencies: each currency
gets its own bar and its own scale. They become floats here only to be drawn; no sum or rounding
of money happens in this module. Text stays text in the SVG (``svg.fonttype = none``), so the page
that shows a chart sets its font and any script (Hangul names) renders. The same data gives the same
bytes: no date in the metadata, and the element ids are hashed with a salt named per chart (so two
charts inlined in one page never share an id unless they share the drawing it names).

matplotlib is imported when a chart is drawn, not when the module is imported, and only through
its object API (no pyplot state), so charts can be drawn from several threads.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import warnings
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

BUCKET_COLOURS = ("#94a3b8", "#fbbf24", "#f97316", "#ef4444", "#991b1b", "#581c1c")
"""Not yet due in grey, then warmer and darker the older the debt (more buckets reuse the last)."""
INK, MUTED, GRID = "#1f2937", "#6b7280", "#e5e7eb"
BAR = "#4f46e5"
LINES = ("#4f46e5", "#ea580c", "#0d9488", "#be185d")
"""Trend lines in order: DSO indigo, ADD orange, then others."""


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    figure.patch.set_alpha(0)
    return figure


def _style(ax: Any, grid: str = "x") -> None:
    """Quiet axes: no frame but the base line, muted ticks, grid lines along ``grid`` (x or y)."""
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(GRID)
    ax.tick_params(colors=MUTED, labelsize=9, length=0)
    (ax.xaxis if grid == "x" else ax.yaxis).grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.patch.set_alpha(0)


def _grouped(value: float, _pos: object = None) -> str:
    for limit, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:,.1f}".rstrip("0").rstrip(".") + suffix
    return f"{value:,.0f}"


def _svg(figure: Any, salt: str = "recoup") -> bytes:
    """The figure as SVG bytes, the same for the same figure: ids hashed with ``salt``, no date."""
    from matplotlib import rc_context

    buffer = io.BytesIO()
    with (
        rc_context({"svg.fonttype": "none", "font.family": "sans-serif", "svg.hashsalt": salt}),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")  # glyphs matplotlib's own font lacks: the browser draws them
        figure.savefig(buffer, format="svg", bbox_inches="tight", transparent=True, metadata={"Date": None})
    return buffer.getvalue()


def _colour(index: int) -> str:
    return BUCKET_COLOURS[min(index, len(BUCKET_COLOURS) - 1)]


def aging_svg(labels: Sequence[str], totals: Mapping[str, Sequence[Decimal]]) -> bytes:
    """One horizontal bar per currency, stacked by aging bucket (``labels``, youngest first).

    ``totals`` maps a currency to its amount per bucket (as many as ``labels``). Each currency has
    its own scale; the total is written at the end of its bar.
    """
    currencies = list(totals)
    rows = max(1, len(currencies))
    figure = _figure(9.6, 0.55 * rows + 0.8)
    axes = figure.subplots(rows, 1, squeeze=False)[:, 0]
    if not currencies:
        axes[0].set_axis_off()
        axes[0].text(0.5, 0.5, "Nothing open", ha="center", va="center", color=MUTED, fontsize=11)
        return _svg(figure, "aging")
    for ax, currency in zip(axes, currencies, strict=True):
        amounts = [float(a) for a in totals[currency]]
        left = 0.0
        for index, value in enumerate(amounts):
            ax.barh([0], [value], left=left, height=0.7, color=_colour(index), label=labels[index])
            left += value
        _style(ax)
        ax.set_yticks([0], [currency])
        ax.tick_params(axis="y", labelsize=10, labelcolor=INK)
        ax.set_xlim(0, (left or 1) * 1.18)
        ax.xaxis.set_major_formatter(_grouped)
        ax.text(left, 0, f"  {_grouped(left)}", va="center", ha="left", color=INK, fontsize=9)
    handles, names = axes[0].get_legend_handles_labels()
    figure.legend(
        handles,
        [n.replace("_", " ") for n in names],
        loc="upper center",
        ncol=len(labels),
        frameon=False,
        fontsize=9,
        bbox_to_anchor=(0.5, 1.02),
        labelcolor=MUTED,
    )
    figure.subplots_adjust(top=1 - 0.4 / (0.55 * rows + 0.8), hspace=0.9)
    return _svg(figure, "aging")


def top_overdue_svg(currency: str, customers: Sequence[tuple[str, Decimal]]) -> bytes:
    """The customers owing most past due in ``currency``, largest at the top: (name, amount) pairs."""
    shown = list(customers)
    figure = _figure(7.2, 0.34 * max(1, len(shown)) + 0.7)
    ax = figure.subplots()
    _style(ax)
    if not shown:
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"Nothing overdue in {currency}", ha="center", va="center", color=MUTED)
        return _svg(figure, f"top-{currency}")
    names = [_short(name) for name, _ in shown][::-1]
    values = [float(amount) for _, amount in shown][::-1]
    ax.barh(range(len(values)), values, height=0.62, color=BAR)
    ax.set_yticks(range(len(values)), names)
    ax.tick_params(axis="y", labelsize=9, labelcolor=INK)
    ax.xaxis.set_major_formatter(_grouped)
    ax.set_xlim(0, max(values) * 1.18)
    for y, value in enumerate(values):
        ax.text(value, y, f"  {_grouped(value)}", va="center", ha="left", color=INK, fontsize=8.5)
    ax.set_xlabel(f"overdue, {currency}", color=MUTED, fontsize=9)
    return _svg(figure, f"top-{currency}")


def _short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _month(day: dt.date) -> str:
    return day.strftime("%b %y")


def _empty(figure: Any, ax: Any, text: str, salt: str) -> bytes:
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", color=MUTED, fontsize=11)
    return _svg(figure, salt)


def aging_history_svg(
    currency: str,
    labels: Sequence[str],
    months: Sequence[dt.date],
    amounts: Sequence[Sequence[Decimal]],
) -> bytes:
    """Open balance in ``currency`` at each month end (``months``, oldest first), stacked by bucket.

    ``amounts[m][b]`` is the balance in bucket ``b`` (``labels``, youngest first) at ``months[m]``.
    """
    figure = _figure(9.6, 3.4)
    ax = figure.subplots()
    salt = f"history-{currency}"
    if not months:
        return _empty(figure, ax, f"No history in {currency}", salt)
    x = list(range(len(months)))
    bottom = [0.0] * len(months)
    for index, label in enumerate(labels):
        values = [float(row[index]) for row in amounts]
        ax.bar(x, values, bottom=bottom, width=0.72, color=_colour(index), label=label.replace("_", " "))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    _style(ax, "y")
    ax.set_xticks(x, [_month(m) for m in months])
    ax.yaxis.set_major_formatter(_grouped)
    ax.set_ylim(0, (max(bottom) or 1) * 1.12)
    ax.set_ylabel(f"open, {currency}", color=MUTED, fontsize=9)
    ax.legend(
        loc="upper center",
        ncol=len(labels),
        frameon=False,
        fontsize=9,
        bbox_to_anchor=(0.5, 1.14),
        labelcolor=MUTED,
    )
    return _svg(figure, salt)


def trend_svg(
    title: str, months: Sequence[dt.date], series: Mapping[str, Sequence[Decimal | None]], unit: str = "days"
) -> bytes:
    """One line per series (e.g. DSO and ADD) over ``months``; a missing value (None) leaves a gap.

    The last known value of each line is written at its end.
    """
    figure = _figure(9.6, 2.8)
    ax = figure.subplots()
    salt = f"trend-{title}"
    known = [v for values in series.values() for v in values if v is not None]
    if not months or not known:
        return _empty(figure, ax, f"No {title} to show", salt)
    x = list(range(len(months)))
    for index, (name, values) in enumerate(series.items()):
        colour = LINES[index % len(LINES)]
        points = [math.nan if v is None else float(v) for v in values]
        ax.plot(x, points, color=colour, linewidth=2, marker="o", markersize=3.5, label=name)
        last = max((i for i, v in enumerate(values) if v is not None), default=None)
        if last is not None:
            ax.text(last, points[last], f"  {points[last]:,.1f}", va="center", color=colour, fontsize=8.5)
    _style(ax, "y")
    ax.set_xticks(x, [_month(m) for m in months])
    ax.set_xlim(-0.5, len(months) - 0.2)
    low = min(0.0, min(float(v) for v in known))
    ax.set_ylim(low, max(float(v) for v in known) * 1.15 or 1)
    ax.set_ylabel(unit, color=MUTED, fontsize=9)
    ax.legend(loc="upper left", ncol=len(series), frameon=False, fontsize=9, labelcolor=MUTED)
    ax.set_title(title, loc="left", color=INK, fontsize=10)
    return _svg(figure, salt)


def forecast_svg(currency: str, weeks: Sequence[dt.date], amounts: Sequence[Decimal]) -> bytes:
    """Cash expected in ``currency`` per week (``weeks`` are the Mondays); the first bar, which holds
    what is overdue now, is drawn in the colour of overdue debt."""
    figure = _figure(9.6, 2.8)
    ax = figure.subplots()
    salt = f"forecast-{currency}"
    values = [float(a) for a in amounts]
    if not weeks or not any(values):
        return _empty(figure, ax, f"Nothing expected in {currency}", salt)
    x = list(range(len(weeks)))
    colours = [_colour(3) if i == 0 else BAR for i in x]
    ax.bar(x, values, width=0.7, color=colours)
    _style(ax, "y")
    ax.set_xticks(x, [w.strftime("%d %b") for w in weeks])
    ax.tick_params(axis="x", labelsize=8)
    ax.yaxis.set_major_formatter(_grouped)
    ax.set_ylim(0, max(values) * 1.15)
    for i, value in enumerate(values):
        if value:
            ax.text(i, value, _grouped(value), ha="center", va="bottom", color=INK, fontsize=7.5)
    ax.set_ylabel(f"expected, {currency}", color=MUTED, fontsize=9)
    return _svg(figure, salt)
