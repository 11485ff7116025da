"""The benchmark suite compares like with like: its pandas and DuckDB aging and run selection give
recoup's figures on the same small generated ledger, imported through the real path."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from recoup.adapters.formats.tabular import read_table
from recoup.services.cases import ladder_thresholds
from recoup.services.importing import import_table
from recoup.services.policies import default_policy
from recoup.services.ports import UnitOfWorkFactory

pytest.importorskip("pandas")
pytest.importorskip("duckdb")
BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import ledger_bench  # noqa: E402
import suite_duckdb  # noqa: E402
import suite_pandas  # noqa: E402

AS_OF = dt.date(2026, 6, 30)
PAST = dt.date(2026, 1, 1)
EDGES = (0, 30, 60, 90)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ledger")
    ledger_bench.write_ledger(folder, invoices=1500, seed=3, as_of=AS_OF, past=PAST)
    return folder


def test_pandas_and_duckdb_give_recoups_aging_and_selection(
    ledger: Path, sql_uow_factory: UnitOfWorkFactory
) -> None:
    at = dt.datetime.combine(AS_OF, dt.time(18), tzinfo=dt.UTC)
    for name in ledger_bench.FILES:
        result = import_table(sql_uow_factory, name, read_table(ledger / f"{name}.csv"), at=at)
        assert not result.rejected, result.messages
    frames = suite_pandas.load(ledger)
    con = suite_duckdb.load(ledger)
    for day in (AS_OF, PAST):
        with sql_uow_factory() as uow:
            report = uow.queries.aging(day, EDGES)
        recoup = {c: tuple(m.minor for m in b) for c, b in sorted(report.totals().items())}
        assert len(recoup) > 1  # several currencies, each on its own
        pandas_table = suite_pandas.aging(frames, day, EDGES)
        duck_rows = suite_duckdb.aging(con, day, EDGES)
        assert suite_pandas.totals(pandas_table, len(EDGES) + 1) == recoup
        assert suite_duckdb.totals(duck_rows) == recoup
        # the same rows too: customer, currency, minor units per bucket
        mine = [(r.customer_id, r.currency, *(m.minor for m in r.buckets)) for r in report.rows]
        assert [(r[0], r[2], *r[3:]) for r in duck_rows] == mine
        pandas_rows = pandas_table[["customer_id", "currency", *range(len(EDGES) + 1)]]
        assert [tuple(r) for r in pandas_rows.itertuples(index=False)] == mine

    policy = default_policy()
    offsets = [s.offset for s in policy.steps]
    with sql_uow_factory() as uow:
        items = uow.queries.case_items(
            due_by=AS_OF - dt.timedelta(days=policy.first_offset),
            ladder=ladder_thresholds(policy, AS_OF),
            always=set(),
        )
    cases = sorted({(i.customer_id, i.currency) for i in items})
    assert cases
    picked = suite_pandas.selection(frames, AS_OF, offsets)
    assert sorted(zip(picked["customer_id"], picked["currency"], strict=True)) == cases
    assert int(picked["invoices"].sum()) == len(items)
    duck = suite_duckdb.selection(con, AS_OF, offsets)
    assert [(r[0], r[1]) for r in duck] == cases
    assert sum(r[2] for r in duck) == len(items)
