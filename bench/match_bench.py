"""Benchmark: cash application of 100,000 bank credits against 1,000,000 open invoices.

    .venv/bin/python bench/match_bench.py --db both

1. Builds (once, kept in bench/data/match-<invoices>-seed<seed>/base.db, gitignored) a
   ledger whose truth is known: customers with the demo's names and countries (and so
   currencies), about ten open invoices each (1,000,000 in all), some paid ones, an IBAN
   per customer of which 60 % are known (payer_ibans); then 100,000 statement lines paying
   them in the ways payers do (see SCENARIOS), stored with ``uow.bank.add_new``, and the
   truth of each line (customer, invoices) in truth.jsonl.
   A base built by an older version is migrated to the head first.
2. For each database, a fresh copy of that base (SQLite: the file; PostgreSQL: a new
   database from the migrations, every table streamed in with COPY, then VACUUM ANALYZE),
   then in a child process (so peak RSS is its own): ``apply_lines`` over the 100,000
   lines, timed, and the commit, timed apart; before it, ``apply_lines`` over the first 10
   lines alone (a small statement on the whole ledger), three times, each rolled back.
3. Every line's outcome is compared with its truth: the automatic rate (matched or kept as
   unapplied cash without a person), the false-match rate (applied automatically to the
   wrong customer or the wrong invoices), and how each scenario fared.

Results: bench/results/match-<invoices>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import plan_bench  # noqa: E402  (the PostgreSQL copy of a SQLite ledger)

AT = dt.datetime(2026, 7, 1, 6, tzinfo=dt.UTC)
ACCOUNT = "DE89370400440532013000"
SCENARIOS = {  # name: share of the lines
    "number": 0.25,  # the invoice number in the remittance, written in many ways, amount equal
    "numbers": 0.05,  # two or three invoice numbers, amount equal to their sum
    "rf": 0.10,  # the invoice's RF creditor reference, amount equal
    "iban": 0.16,  # known IBAN, no reference, amount of one open invoice
    "iban_sum": 0.08,  # known IBAN, no reference, amount of two or three open invoices
    "partial": 0.07,  # invoice number, part of the balance
    "overpaid": 0.04,  # invoice number, a little more than the balance
    "typo": 0.05,  # invoice number with one digit wrong, amount equal
    "paid_again": 0.04,  # the number of an invoice already paid: a double payment
    "name": 0.06,  # unknown IBAN, the customer's exact name, amount of one open invoice
    "unknown": 0.10,  # nobody we know: rent, refunds, other business
}
SMALL = 10  # the lines of the small statement timed apart (apply_lines over them, rolled back)
GENERIC = ("", "Payment", "Zahlung", "Virement", "Transfer", "Pago", "Betaling", "Bezahlung offene Posten")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the ledger --------------------------------------------------------------------------------


def _iban(rng: random.Random, country: str) -> str:
    return f"{country}{rng.randint(10, 99)}" + "".join(str(rng.randint(0, 9)) for _ in range(18))


def build_base(folder: Path, invoices: int, lines: int, seed: int) -> None:
    """The ledger and the statement lines, with their truth (see the module's docstring)."""
    from recoup.adapters.db.engine import make_engine, migrate
    from recoup.adapters.db.rows import customer_keys  # the keys add_many stores (migration 0007)
    from recoup.adapters.db.uow import SqlUnitOfWorkFactory
    from recoup.demo.names import COUNTRIES, company_name
    from recoup.domain.customers import default_currency, default_language, default_timezone
    from recoup.domain.matching import invoice_rf
    from recoup.domain.money import Money, minor_digits
    from recoup.domain.statements import StatementLine

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "base.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    engine.dispose()
    rng = random.Random(seed)
    per_customer = 10
    n_customers = invoices // per_customer
    codes = [c.code for c in COUNTRIES]
    weights = [c.weight for c in COUNTRIES]
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")
    customers: list[tuple[str, str, str, str]] = []  # id, name, currency, iban
    known: list[tuple[str, str]] = []
    rows = []
    for n in range(1, n_customers + 1):
        country = rng.choices(codes, weights)[0]
        cid, name, currency = f"C{n:07d}", company_name(rng, country), default_currency(country)
        iban = _iban(rng, country)
        customers.append((cid, name, currency, iban))
        if rng.random() < 0.6:
            known.append((iban, cid))
        rows.append(
            (
                cid,
                name,
                "business",
                country,
                default_language(country),
                default_timezone(country),
                currency,
                30,
                *customer_keys(cid, name),
            )
        )
    conn.executemany(
        "INSERT INTO customers (id, name, kind, country, language, time_zone, currency, payment_terms_days,"
        " name_key, id_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.executemany(
        "INSERT INTO payer_ibans (iban, customer_id, learnt_by, learnt_at) VALUES (?, ?, 'bench', ?)",
        [(iban, cid, AT.isoformat(sep=" ")) for iban, cid in known],
    )
    log(f"{len(customers):,} customers, {len(known):,} IBANs known")
    # open invoices: every customer gets per_customer on average; some have a paid one too
    open_of: dict[str, list[tuple[str, int, dt.date]]] = {}
    paid: list[tuple[str, str, int]] = []
    number = 0
    rows = []
    left = invoices
    start = dt.date(2025, 7, 1)
    for i, (cid, _, currency, _) in enumerate(customers):
        count = left if i == len(customers) - 1 else max(1, min(left, rng.randint(1, 2 * per_customer - 1)))
        left -= count
        scale = {"JPY": 150, "KRW": 1300}.get(currency, 1) * 800
        digits = minor_digits(currency)
        mine = []
        for k in range(count + (1 if rng.random() < 0.3 else 0)):
            number += 1
            issued = start + dt.timedelta(days=rng.randint(0, 364))
            value = Decimal(str(round(rng.lognormvariate(0, 0.9) * scale, digits))) + Decimal(1)
            minor = Money(value, currency).minor
            inv = f"INV-{issued.year}-{number:08d}"
            due = issued + dt.timedelta(days=30)
            if k == count:  # one more, already paid
                rows.append((inv, cid, issued, due, currency, minor, 0, "paid", due))
                paid.append((inv, cid, minor))
            else:
                rows.append((inv, cid, issued, due, currency, minor, minor, "open", None))
                mine.append((inv, minor, due))
        open_of[cid] = sorted(mine, key=lambda t: (t[2], t[0]))
        if len(rows) >= 50_000:
            _insert_invoices(conn, rows)
            rows = []
    _insert_invoices(conn, rows)
    conn.commit()
    conn.close()
    log(f"{number:,} invoices ({len(paid):,} of them paid)")
    # the statement lines
    by_id = {c[0]: c for c in customers}
    known_ids = {cid for _, cid in known}
    used: set[str] = set()
    truth: list[dict[str, Any]] = []
    statement: list[StatementLine] = []
    names = list(SCENARIOS)
    shares = [SCENARIOS[n] for n in names]
    ids = [c[0] for c in customers]
    paid_iter = iter(rng.sample(paid, len(paid)))
    for n in range(lines):
        scenario = rng.choices(names, shares)[0]
        made = _line(rng, scenario, n, ids, by_id, known_ids, open_of, used, paid_iter, invoice_rf)
        if made is None:
            scenario = "unknown"
            made = _line(rng, scenario, n, ids, by_id, known_ids, open_of, used, paid_iter, invoice_rf)
        assert made is not None
        line, cid, numbers = made
        statement.append(line)
        truth.append({"key": line.key, "scenario": scenario, "customer": cid, "invoices": numbers})
    engine = make_engine(f"sqlite:///{db}")
    with SqlUnitOfWorkFactory(engine)() as uow:
        stored = uow.bank.add_new(statement, at=AT)
        uow.commit()
    engine.dispose()
    with (folder / "truth.jsonl").open("w", encoding="utf-8") as f:
        for t in truth:
            f.write(json.dumps(t) + "\n")
    log(f"{len(stored):,} statement lines stored: {dict(Counter(t['scenario'] for t in truth))}")
    con = sqlite3.connect(db)
    con.execute("ANALYZE")
    con.close()


def _insert_invoices(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    from recoup.adapters.db.rows import invoice_keys  # the keys add_many stores (migration 0007)

    conn.executemany(
        "INSERT INTO invoices (number, customer_id, issue_date, due_date, currency, amount_minor,"
        " balance_minor, status, closed_on, number_key, digits_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r[0],
                r[1],
                r[2].isoformat(),
                r[3].isoformat(),
                *r[4:8],
                r[8] and r[8].isoformat(),
                *invoice_keys(r[0]),
            )
            for r in rows
        ],
    )


def _noisy(rng: random.Random, number: str) -> str:
    """An invoice number as payers write it."""
    _, year, seq = number.split("-")
    short = f"{year}-{seq}"
    forms = [
        number,
        number.lower(),
        number.replace("-", " "),
        number.replace("-", ""),
        f"Rechnung {number}",
        f"Invoice no. {number} thank you",
        f"RE {number.replace('-', '/')}",
        f"Rg.-Nr. {short}",
        f"Facture {year}{seq}",
        f"inv{year}{seq} {rng.choice(['ok', 'danke', 'merci', ''])}",
        f"Zahlung {number} Kd {rng.randint(1000, 99999)}",
    ]
    return rng.choice(forms).strip()


def _payer_name(rng: random.Random, name: str) -> str:
    roll = rng.random()
    if roll < 0.5:
        return name
    if roll < 0.8:
        return name.upper()
    return name[:20]


def _line(
    rng: random.Random,
    scenario: str,
    n: int,
    ids: list[str],
    by_id: dict[str, tuple[str, str, str, str]],
    known: set[str],
    open_of: dict[str, list[tuple[str, int, dt.date]]],
    used: set[str],
    paid: Any,
    invoice_rf: Any,
) -> tuple[Any, str | None, list[str]] | None:
    from recoup.domain.money import Money
    from recoup.domain.statements import StatementLine

    day = dt.date(2026, 6, 1) + dt.timedelta(days=n % 30)
    want_known = scenario in ("iban", "iban_sum") or (
        scenario not in ("name", "unknown") and rng.random() < 0.6
    )
    for _ in range(50):
        cid = rng.choice(ids)
        if (cid in known) == want_known or scenario in ("name", "unknown"):
            break
    _, name, currency, iban = by_id[cid]
    if scenario == "name":
        iban = _iban(rng, "DE")
    free = [t for t in open_of[cid] if t[0] not in used]

    def line(amount: int, remittance: str = "", reference: str = "", payer: str | None = None) -> Any:
        return StatementLine(
            ACCOUNT,
            day,
            Money.from_minor(amount, currency),
            value_date=day,
            counterparty_name=_payer_name(rng, name) if payer is None else payer,
            counterparty_iban=iban,
            remittance=remittance,
            creditor_reference=reference,
            end_to_end_id=rng.choice(["", "NOTPROVIDED", f"E2E{rng.randint(10**8, 10**9)}"]),
            bank_reference=f"B{n:09d}",
            sequence=n,
        )

    def take(k: int, oldest: bool = False) -> list[tuple[str, int, dt.date]] | None:
        if len(free) < k:
            return None
        chosen = free[:k] if oldest else rng.sample(free, k)
        used.update(t[0] for t in chosen)
        return chosen

    if scenario == "unknown":
        payer = rng.choice(["Max Mustermann", "Hausverwaltung Nord", "Finanzamt", "Jane Roe", "ACME Refunds"])
        text = rng.choice(["Miete Juni", "Erstattung", f"Order {rng.randint(100, 99999)}", "Gutschrift", ""])
        amount = rng.randint(100, 500_000)
        return (
            StatementLine(
                ACCOUNT,
                day,
                Money.from_minor(amount, "EUR"),
                counterparty_name=payer,
                counterparty_iban=_iban(rng, "NL"),
                remittance=text,
                bank_reference=f"B{n:09d}",
                sequence=n,
            ),
            None,
            [],
        )
    if scenario == "paid_again":
        number, pcid, minor = next(paid)
        _, name, currency, iban = by_id[pcid]
        return line(minor, _noisy(rng, number)), pcid, []
    if scenario in ("number", "rf", "iban", "name", "typo", "partial", "overpaid"):
        got = take(1)
        if got is None:
            return None
        number, minor, _ = got[0]
        if scenario == "number":
            return line(minor, _noisy(rng, number)), cid, [number]
        if scenario == "rf":
            return line(minor, rng.choice(GENERIC), reference=invoice_rf(number)), cid, [number]
        if scenario == "iban":
            return line(minor, rng.choice(GENERIC)), cid, [number]
        if scenario == "name":
            return line(minor, rng.choice(GENERIC), payer=name), cid, [number]
        if scenario == "typo":
            prefix, seq = number[:-8], number[-8:]
            at = rng.randrange(3, 8)  # one of the last five digits
            wrong = seq[:at] + str((int(seq[at]) + rng.randint(1, 9)) % 10) + seq[at + 1 :]
            return line(minor, _noisy(rng, prefix + wrong)), cid, [number]
        if scenario == "partial":
            part = max(1, minor * rng.randint(30, 90) // 100)
            return line(part, _noisy(rng, number)), cid, [number]
        extra = rng.randint(1, 50) * (100 if minor > 1000 else 1)
        return line(minor + extra, _noisy(rng, number)), cid, [number]
    k = rng.choice((2, 2, 3))
    if scenario == "numbers":
        got = take(k)
        if got is None:
            return None
        text = " ".join(t[0] for t in got)
        return (
            line(sum(t[1] for t in got), rng.choice(["", "Rechnungen ", "Invoices "]) + text),
            cid,
            [t[0] for t in got],
        )
    # iban_sum: the oldest open ones, consecutive (as most pay) or any of them
    oldest = rng.random() < 0.6
    if oldest and any(t[0] in used for t in open_of[cid][:k]):
        return None
    got = take(k, oldest=oldest)
    if got is None:
        return None
    return line(sum(t[1] for t in got), rng.choice(GENERIC)), cid, [t[0] for t in got]


def migrate_base(base: Path) -> None:
    """A base built before the latest migration brought to the head (nothing to do when it is)."""
    from recoup.adapters.db.engine import make_engine, migrate

    engine = make_engine(f"sqlite:///{base}")
    started = time.perf_counter()
    migrate(engine)
    engine.dispose()
    if time.perf_counter() - started > 1:
        log(f"base migrated to the head in {time.perf_counter() - started:.0f} s")


# --- copies --------------------------------------------------------------------------------------


def sqlite_copy(base: Path) -> str:
    target = base.with_name("run.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(base, target)
    return f"sqlite:///{target}"


def postgresql_copy(base: Path, name: str) -> str:
    """The ledger ``base`` streamed into a new PostgreSQL database (plan_bench.postgresql_copy)."""
    return plan_bench.postgresql_copy(name, base)


# --- the measure (in a child process) -------------------------------------------------------------


def measure(url: str, truth_file: Path, profile: bool) -> dict[str, Any]:
    from recoup.adapters.db.engine import make_engine
    from recoup.adapters.db.uow import SqlUnitOfWorkFactory
    from recoup.domain.statements import LineStatus
    from recoup.services.cash_application import apply_lines

    engine = make_engine(url)
    factory = SqlUnitOfWorkFactory(engine)
    with factory() as uow:
        stored = uow.bank.with_status([LineStatus.UNKNOWN])
    log(f"{engine.dialect.name}: {len(stored):,} lines to match")
    load = os.getloadavg()  # the machine is shared: what else ran says how far the times stretch
    small = [time_small(factory, stored[:SMALL]) for _ in range(3)]
    log(f"{engine.dialect.name}: apply_lines over {SMALL} lines {small[0]:.2f} s, best {min(small):.2f} s")
    with factory() as uow:
        started = time.perf_counter()
        if profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            result = prof.runcall(apply_lines, uow, stored, at=AT, actor="bench")
            pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
            pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        else:
            result = apply_lines(uow, stored, at=AT, actor="bench")
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        uow.commit()
        commit = time.perf_counter() - started
    log(f"{engine.dialect.name}: apply_lines {seconds:.1f} s, commit {commit:.1f} s")
    with factory() as uow:
        after = uow.bank.get_many([s.id for s in stored])
    engine.dispose()
    truth = {}
    with truth_file.open(encoding="utf-8") as f:
        for raw in f:
            t = json.loads(raw)
            truth[t["key"]] = t
    return {
        "lines": len(stored),
        "apply_seconds": round(seconds, 2),
        f"apply_{SMALL}_lines_seconds": {"first": round(small[0], 3), "best_of_3": round(min(small), 3)},
        "commit_seconds": round(commit, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_average_before": [round(x, 2) for x in load],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "result": {k: len(v) for k, v in result.as_json().items() if isinstance(v, list)},
        **judge(after.values(), truth),
    }


def time_small(factory: Any, lines: list[Any]) -> float:
    """``apply_lines`` over a small statement on the whole ledger, timed, then rolled back."""
    from recoup.services.cash_application import apply_lines

    with factory() as uow:
        started = time.perf_counter()
        apply_lines(uow, lines, at=AT, actor="bench")
        return time.perf_counter() - started  # leaving without commit rolls back


def judge(lines: Any, truth: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Each line's outcome against its truth."""
    per: dict[str, Counter[str]] = defaultdict(Counter)
    wrong_examples: list[dict[str, Any]] = []
    for s in lines:
        t = truth[s.line.key]
        c = per[t["scenario"]]
        c["lines"] += 1
        if s.status.value in ("review", "unknown"):
            c["review"] += 1
            first = s.suggestions[0] if s.suggestions else None
            if first and first["customer_id"] == t["customer"] and first["invoices"] == t["invoices"]:
                c["review, first suggestion right"] += 1
            continue
        c["automatic"] += 1
        applied = s.suggestions[0]["invoices"] if s.status.value == "matched" else []
        right = s.customer_id == t["customer"] and sorted(applied) == sorted(t["invoices"])
        if not right and s.customer_id == t["customer"] and not applied:
            c["kept as cash of the right customer"] += 1  # a miss, not a false match
        elif not right:
            c["false"] += 1
            if len(wrong_examples) < 20:
                wrong_examples.append(
                    {
                        "scenario": t["scenario"],
                        "remittance": s.line.remittance,
                        "amount": str(s.line.amount),
                        "truth": [t["customer"], t["invoices"]],
                        "applied": [s.customer_id, applied, s.status.value, s.confidence],
                        "reason": s.suggestions[0]["reason"] if s.suggestions else "",
                    }
                )
    total = Counter[str]()
    for c in per.values():
        total.update(c)
    return {
        "automatic_rate": round(total["automatic"] / total["lines"], 4),
        "false_match_rate": round(total["false"] / total["lines"], 5),
        "false_among_automatic": round(total["false"] / max(1, total["automatic"]), 5),
        "kept_as_cash_of_the_right_customer": total["kept as cash of the right customer"],
        "review_first_suggestion_right": total["review, first suggestion right"],
        "totals": dict(total),
        "by_scenario": {k: dict(v) for k, v in sorted(per.items())},
        "false_examples": wrong_examples,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="build the base again")
    parser.add_argument("--profile", action="store_true", help="cProfile of apply_lines (not timed)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--measure", default=None, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    folder = HERE / "data" / f"match-{args.invoices}-seed{args.seed}"
    if args.measure:
        print(json.dumps(measure(args.measure, folder / "truth.jsonl", args.profile)))
        return 0
    base = folder / "base.db"
    if args.rebuild or not base.exists() or not (folder / "truth.jsonl").exists():
        started = time.perf_counter()
        build_base(folder, args.invoices, args.lines, args.seed)
        log(f"base built in {time.perf_counter() - started:.0f} s")
    migrate_base(base)
    results: dict[str, Any] = {
        "command": " ".join(["bench/match_bench.py", *sys.argv[1:]]),
        "machine": {
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "invoices": args.invoices,
        "lines": args.lines,
        "scenarios": SCENARIOS,
    }
    targets = []
    if args.db in ("sqlite", "both"):
        targets.append(("sqlite", lambda: sqlite_copy(base)))
    if args.db in ("postgresql", "both"):
        targets.append(("postgresql", lambda: postgresql_copy(base, "recoup_match_bench")))
    for label, copy in targets:
        log(f"{label}: copying the base")
        url = copy()
        child = [sys.executable, __file__, "--measure", url, "--invoices", str(args.invoices)]
        child += ["--seed", str(args.seed)] + (["--profile"] if args.profile else [])
        done = subprocess.run(child, check=True, stdout=subprocess.PIPE, text=True)
        output = done.stdout.strip().splitlines()
        if args.profile:
            print("\n".join(output[:-1]))
        results[label] = json.loads(output[-1])
        log(f"{label}: {json.dumps({k: v for k, v in results[label].items() if k != 'false_examples'})}")
    out = args.out or HERE / "results" / f"match-{args.invoices}.json"
    if not args.profile:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
