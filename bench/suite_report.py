"""The suite's tables in bench/README.md, from bench/results/suite-*.json (between the markers)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

BEGIN = "<!-- suite tables: written by bench/suite_report.py -->"
END = "<!-- end of suite tables -->"
HEADING = "## Benchmark suite (issue 8)"
ORDER = ("100k", "1m", "10m")
DBS = (("sqlite", "SQLite"), ("postgresql", "PostgreSQL"))
FILES = ("customers", "contacts", "invoices", "payments")

Get = Callable[[dict[str, Any]], float | None]


def _dig(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def _recoup(*keys: str) -> Callable[[dict[str, Any]], float | None]:
    return lambda db: _dig(db, *keys)


# (label, recoup figure from a database's results, the engines' figure or None)
MEASURES: list[tuple[str, Get, Get | None]] = [
    (
        "load: import (recoup) / read_csv",
        _recoup("import", "import_seconds"),
        lambda e: e.get("load_seconds"),
    ),
    (
        "aging, today",
        _recoup("aging", "aging", "as_of", "median_seconds"),
        lambda e: _dig(e, "aging", "as_of", "median_seconds"),
    ),
    (
        "aging, 180 days earlier",
        _recoup("aging", "aging", "past", "median_seconds"),
        lambda e: _dig(e, "aging", "past", "median_seconds"),
    ),
    (
        "run selection (recoup: case_items)",
        _recoup("plan", "selection", "median_seconds"),
        lambda e: _dig(e, "selection", "median_seconds"),
    ),
    (
        "planning the run (plan_run, dry) vs the selection",
        _recoup("plan", "plan", "median_seconds"),
        lambda e: _dig(e, "selection", "median_seconds"),
    ),
    ("metrics (services.metrics.compute)", _recoup("metrics", "metrics", "median_seconds"), None),
    ("the day's run for real (plan_run)", _recoup("run", "run", "seconds"), None),
    ("worklist, first page of 50", _recoup("run", "worklist", "median_seconds"), None),
]


def _s(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:.3f}" if v < 1 else f"{v:.2f}" if v < 100 else f"{v:.0f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "–" if a is None or b is None or not b else f"{a / b:.1f}×"


def load(results: Path) -> list[dict[str, Any]]:
    found = [json.loads(p.read_text()) for p in results.glob("suite-*.json")]
    return sorted(found, key=lambda r: ORDER.index(r["size"]) if r["size"] in ORDER else 99)


def medians(runs: list[dict[str, Any]]) -> list[str]:
    head = "| size | measure | recoup SQLite | recoup PostgreSQL | pandas | DuckDB |"
    head += " SQLite ÷ DuckDB | SQLite ÷ pandas | PostgreSQL ÷ DuckDB | PostgreSQL ÷ pandas |"
    lines = [head, "|---|---|" + "---:|" * 8]
    for r in runs:
        dbs = r["databases"]
        pandas, duck = r.get("pandas") or {}, r.get("duckdb") or {}
        for label, mine, theirs in MEASURES:
            s, p = mine(dbs.get("sqlite", {})), mine(dbs.get("postgresql", {}))
            pd_, dd = (theirs(pandas), theirs(duck)) if theirs else (None, None)
            if s is None and p is None and pd_ is None and dd is None:
                continue
            cells = [r["size"], label, _s(s), _s(p), _s(pd_), _s(dd)]
            cells += [_ratio(s, dd), _ratio(s, pd_), _ratio(p, dd), _ratio(p, pd_)]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


STEPS = (("import", "import"), ("aging", "aging"), ("metrics", "metrics"), ("plan", "plan (dry)"))


def memory(runs: list[dict[str, Any]]) -> list[str]:
    cols = [name for _, name in STEPS] + ["run + worklist"]
    lines = [
        "| size | database | " + " | ".join(cols) + " |",
        "|---|---|" + "---:|" * len(cols),
    ]
    for r in runs:
        for kind, name in DBS:
            db = r["databases"].get(kind)
            if not db:
                continue
            cells = [_dig(db, step, "peak_rss_mib") for step, _ in STEPS] + [_dig(db, "run", "peak_rss_mib")]
            shown = " | ".join("–" if c is None else f"{c:,.0f}" for c in cells)
            lines.append(f"| {r['size']} | {name} | {shown} |")
        for engine, name in (("pandas", "pandas"), ("duckdb", "DuckDB")):
            rss = _dig(r, engine, "peak_rss_mib")
            if rss is not None:
                blank = " |" * (len(cols) - 1)
                lines.append(f"| {r['size']} | {name} (load, aging, selection) | {rss:,.0f} |{blank}")
    return lines


def scaling(runs: list[dict[str, Any]]) -> list[str]:
    sizes = [r["size"] for r in runs]
    lines = [
        "| measure | engine | " + " | ".join(f"µs/invoice {s}" for s in sizes) + " | growth, last ÷ first |",
        "|---|---|" + "---:|" * (len(sizes) + 1),
    ]

    def recoup(kind: str) -> Callable[[dict[str, Any], Get, Get | None], float | None]:
        return lambda r, mine, _theirs: mine(r["databases"].get(kind, {}))

    def other(engine: str) -> Callable[[dict[str, Any], Get, Get | None], float | None]:
        return lambda r, _mine, theirs: theirs(r.get(engine) or {}) if theirs else None

    engines = [(name, recoup(kind)) for kind, name in DBS]
    engines += [(name, other(e)) for e, name in (("pandas", "pandas"), ("duckdb", "DuckDB"))]
    for label, mine, theirs in MEASURES:
        if label.startswith("worklist"):
            continue  # a page of 50: its cost does not follow the ledger's size
        if label.startswith("planning") and theirs is not None:
            theirs = None  # the engines' selection has its own row
        for name, get in engines:
            per = []
            for r in runs:
                v = get(r, mine, theirs)
                invoices = r["ledger"]["rows"]["invoices"]
                per.append(None if v is None else v / invoices * 1e6)
            if all(p is None for p in per):
                continue
            known = [p for p in per if p is not None]
            growth = f"{known[-1] / known[0]:.2f}" if len(known) > 1 and known[0] else "–"
            cells = ["–" if p is None else f"{p:.2f}" for p in per]
            lines.append(f"| {label} | {name} | " + " | ".join(cells) + f" | {growth} |")
    return lines


def imports(runs: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| size | database | how | " + " | ".join(f"{f} rows/s" for f in FILES) + " | all, s | peak MiB |",
        "|---|---|---|" + "---:|" * (len(FILES) + 2),
    ]
    for r in runs:
        for kind, name in DBS:
            imp = _dig(r, "databases", kind, "import")
            if not imp or "import_seconds" not in imp:
                continue
            per = {i["file"]: i["rows_per_second"] for i in imp.get("imports", [])}
            cells = [f"{per[f + '.csv']:,}" if f + ".csv" in per else "–" for f in FILES]
            how = "COPY" if imp.get("load", "").startswith("COPY") else "import_table"
            lines.append(
                f"| {r['size']} | {name} | {how} | "
                + " | ".join(cells)
                + f" | {imp['import_seconds']:,.0f} | {imp.get('peak_rss_mib', 0):,.0f} |"
            )
    return lines


def agreement(runs: list[dict[str, Any]]) -> list[str]:
    lines = []
    for r in runs:
        a = r.get("agreement", {})
        sel = a.get("selected (cases, invoices)", {})
        picked = "; ".join(f"{k} {v}" for k, v in sel.items())
        lines.append(
            f"- {r['size']} ({r['ledger']['rows']['invoices']:,} invoices): aging totals per currency and "
            f"bucket equal to the minor unit today: {a.get('aging_as_of_equal')} "
            f"({', '.join(a.get('aging_as_of_compared', []))}), "
            f"180 days earlier: {a.get('aging_past_equal')}; "
            f"selected (cases, invoices): {picked}" + ("" if r.get("done") else " (run not finished)")
        )
    return lines


def section(runs: list[dict[str, Any]]) -> str:
    if not runs:
        return "No results yet."
    m = runs[-1]["machine"]
    pg = next((r["machine"]["postgresql"] for r in runs if r["machine"].get("postgresql")), "?")
    out = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM; Python {m['python']}, "
        f"SQLite {m['sqlite']}, PostgreSQL {pg}; pandas "
        f"{_dig(runs[-1], 'pandas', 'version')}, DuckDB {_dig(runs[-1], 'duckdb', 'version')} "
        f"({_dig(runs[-1], 'duckdb', 'threads')} threads); {m['platform']}.",
        "",
        "Medians in seconds (ratios: recoup's time divided by the other's; under 1× recoup is faster):",
        "",
        *medians(runs),
        "",
        "The import, rows per second of each file (one import_table per file, ANALYZE or VACUUM ANALYZE "
        "after it not counted):",
        "",
        *imports(runs),
        "",
        "Peak RSS per step, MiB (each step is its own process):",
        "",
        *memory(runs),
        "",
        "Scaling: time per invoice (µs) at each size; growth above 1 means it costs more per invoice:",
        "",
        *scaling(runs),
        "",
        "Do the three agree?",
        "",
        *agreement(runs),
    ]
    return "\n".join(out)


def write_readme(results: Path, readme: Path) -> None:
    text = readme.read_text(encoding="utf-8")
    block = f"{BEGIN}\n\n{section(load(results))}\n\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n{HEADING}\n\n{block}\n"
    readme.write_text(text, encoding="utf-8")
