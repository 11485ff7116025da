"""The keys cash application looks invoices and customers up by (migration 0007), on SQLite and PostgreSQL.

Every way an invoice or a customer gets into the ledger stores them; the migration fills them for the
rows stored before it; a small statement looks up through them what the streamed pass of a large one
finds; the bulk writes of cash application store what SQLAlchemy's own statements store.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import insert, select, text, update

from builders import AT, customer, given, invoice
from einvoice_samples import ubl
from recoup.adapters.db import bank_repos, rows
from recoup.adapters.db.engine import alembic_config, make_engine, migrate
from recoup.adapters.db.tables import activities, bank_lines
from recoup.adapters.formats.tabular import read_table
from recoup.domain.matching import compact, name_key, number_keys
from recoup.domain.money import Money
from recoup.domain.statements import StatementLine
from recoup.services.einvoices import import_einvoice_files
from recoup.services.importing import import_table
from recoup.services.ports import InvoiceChange, UnitOfWorkFactory


def stored_keys(
    factory: UnitOfWorkFactory,
) -> tuple[dict[str, tuple[str, str | None]], dict[str, tuple[str, str]]]:
    """(number -> (number_key, digits_key)) of every invoice, (id -> (name_key, id_key)) of every customer."""
    with factory() as uow:
        conn = uow._conn  # type: ignore[attr-defined]
        invoices = {
            n: (k, d) for n, k, d in conn.execute(text("SELECT number, number_key, digits_key FROM invoices"))
        }
        customers = {
            i: (n, k) for i, n, k in conn.execute(text("SELECT id, name_key, id_key FROM customers"))
        }
    return invoices, customers


def expected(number: str) -> tuple[str, str | None]:
    keys = number_keys(number)
    return keys[0], keys[1] if len(keys) > 1 else None


def csv(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_every_way_in_stores_the_keys_and_a_new_name_changes_its_key(
    sql_uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    given(sql_uow_factory, customer("C-1", "Müller & Söhne GmbH"), invoice("INV-2026-0042", customer="C-1"))
    customers_csv = """\
        id,name,kind,country,currency,payment_terms_days
        ACME.2,Acme Maschinenbau GmbH,business,DE,EUR,30
    """
    invoices_csv = """\
        number,customer_id,issue_date,due_date,currency,amount
        re 2026/77,ACME.2,2026-07-01,2026-07-31,EUR,120.00
        12345,ACME.2,2026-07-01,2026-07-31,EUR,80.00
    """
    for kind, body in (("customers", customers_csv), ("invoices", invoices_csv)):
        import_table(sql_uow_factory, kind, read_table(csv(tmp_path, f"{kind}.csv", body)), at=AT)
    (tmp_path / "e.xml").write_bytes(ubl(number="UBL-99/2026", buyer="Ωmega Ltd", legal="OMEGA-1"))
    import_einvoice_files(sql_uow_factory, [tmp_path / "e.xml"], at=AT, create_customers=True)
    renamed = customers_csv.replace("Acme Maschinenbau GmbH", "Acme Werke AG")
    import_table(sql_uow_factory, "customers", read_table(csv(tmp_path, "again.csv", renamed)), at=AT)

    invoices, customers = stored_keys(sql_uow_factory)
    assert invoices["INV-2026-0042"] == ("INV20260042", "20260042")
    assert invoices["re 2026/77"] == ("RE202677", "202677")
    assert invoices["12345"] == ("12345", None)
    assert invoices == {n: expected(n) for n in invoices} and len(invoices) == 4  # the e-invoice too
    assert customers["C-1"] == ("mueller soehne", "C1")
    assert customers["ACME.2"] == ("acme werke", "ACME2")  # renamed by the second import
    assert customers == {i: (name_key(n), compact(i)) for i, n in names(sql_uow_factory).items()}
    assert len(customers) == 3


def names(factory: UnitOfWorkFactory) -> dict[str, str]:
    with factory() as uow:
        return {c.id: c.name for c in uow.customers.list()}


def test_the_migration_fills_the_keys_of_what_was_stored_before_it(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate(engine, "0006")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO customers (id, name, kind, country, language, time_zone, currency,"
                    " payment_terms_days) VALUES ('K-7', 'Société Générale SA', 'business', 'FR', 'fr',"
                    " 'Europe/Paris', 'EUR', 30)"
                )
            )
            for n, number in enumerate(("F-2026-001", "2026.17", "X"), start=1):
                conn.execute(
                    text(
                        "INSERT INTO invoices (number, customer_id, issue_date, due_date, currency,"
                        " amount_minor, balance_minor, status)"
                        " VALUES (:n, 'K-7', :d, :d, 'EUR', :a, :a, 'open')"
                    ),
                    {"n": number, "d": dt.date(2026, 1, 1), "a": 100 * n},
                )
        migrate(engine)
        with engine.connect() as conn:
            found = dict(
                (n, (k, d))
                for n, k, d in conn.execute(text("SELECT number, number_key, digits_key FROM invoices"))
            )
            people = conn.execute(text("SELECT name_key, id_key FROM customers")).all()
        assert found == {"F-2026-001": ("F2026001", "2026001"), "2026.17": ("202617", None), "X": ("X", None)}
        assert [tuple(p) for p in people] == [("societe generale", "K7")]
        command.downgrade(alembic_config(engine), "0006")  # and back, and up again
        with engine.connect() as conn:
            assert "number_key" not in list(conn.execute(text("SELECT * FROM invoices")).keys())
        migrate(engine)
    finally:
        engine.dispose()


LEDGER = (
    customer("C1", "ACME GmbH"),
    customer("C-2", "Beta Ltd"),
    customer("C3", "ACME GmbH"),
    invoice("INV-1001", customer="C1"),
    invoice("inv 1002", customer="C1"),
    invoice("RE-2026/77", customer="C-2"),
    invoice("12345", customer="C-2"),
    invoice("A-B-C", customer="C3"),
)


@pytest.mark.parametrize(
    ("keys", "customers", "numbers"),
    [
        (
            {"INV1001", "1002", "202677", "12345", "NOPE"},
            set(),
            {"INV-1001", "inv 1002", "RE-2026/77", "12345"},
        ),
        ({"INV1002"}, {"C3"}, {"inv 1002", "A-B-C"}),
        (set(), {"C1", "C-2"}, {"INV-1001", "inv 1002", "RE-2026/77", "12345"}),
        ({"ABC", "2026"}, set(), {"A-B-C"}),
    ],
)
def test_a_small_batch_looks_up_what_the_streamed_pass_finds(
    sql_uow_factory: UnitOfWorkFactory,
    monkeypatch: pytest.MonkeyPatch,
    keys: set[str],
    customers: set[str],
    numbers: set[str],
) -> None:
    given(sql_uow_factory, *LEDGER)
    found = {}
    for path, limit in (("lookup", bank_repos.LOOKUP_KEYS), ("scan", -1)):
        monkeypatch.setattr(bank_repos, "LOOKUP_KEYS", limit)
        with sql_uow_factory() as uow:
            found[path] = (
                uow.bank.open_items(keys=keys, customers=customers),
                uow.bank.customers_by_key(names={"acme", "beta", "gamma"}, ids={"C2", "C3", "C9"}),
            )
    assert found["lookup"] == found["scan"]
    items, (by_name, by_id) = found["lookup"]
    assert {i.number for i in items} == numbers
    assert by_name == {"acme": ["C1", "C3"], "beta": ["C-2"]} and by_id == {"C2": ["C-2"], "C3": ["C3"]}


def test_a_paid_invoice_is_not_looked_up(sql_uow_factory: UnitOfWorkFactory) -> None:
    given(sql_uow_factory, *LEDGER)
    with sql_uow_factory() as uow:
        uow.invoices.change_many(
            [InvoiceChange("INV-1001", Money("0.00", "EUR"), "paid", dt.date(2026, 2, 1))]
        )
        found = uow.bank.open_items(keys={"INV1001", "1001", "12345"}, customers=set())
    assert [i.number for i in found] == ["12345"]


def test_bulk_writes_store_what_sqlalchemy_stores(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate(engine)
        at = dt.datetime(2026, 7, 1, 6, 30, 15, 120, tzinfo=dt.UTC)
        entry = {
            "at": at,
            "kind": "payment",
            "actor": "tester 'quoted' \"double\" \\ back",
            "customer_id": "C1",
            "invoices": ["INV-1", "INV-2"],
            "text": "Payment ✓ of 10.00 EUR",
            "document": "",
            "data": {"amount": "10.00", "nested": {"n": [1, 2.5, None]}},
        }
        line = StatementLine("DE89", dt.date(2026, 6, 1), Money("10.00", "EUR"), bank_reference="B1")
        with engine.begin() as conn:
            given_customer(conn)
            conn.execute(insert(activities), [entry])
            rows.insert_many(conn, activities, list(entry), [tuple(entry.values())])
            for key in ("K1", "K2"):
                conn.execute(
                    insert(bank_lines).values(
                        key=key,
                        account=line.account,
                        booking_date=line.booking_date,
                        currency="EUR",
                        amount_minor=1000,
                        status="unknown",
                        suggestions=[],
                        imported_at=at,
                    )
                )
            decided = {
                "status": "review",
                "confidence": 0.93,
                "suggestions": [{"c": "C1", "x": 0.1}],
                "decided_at": at,
            }
            conn.execute(update(bank_lines).where(bank_lines.c.key == "K1").values(decided))
            ids = dict(conn.execute(select(bank_lines.c.key, bank_lines.c.id)).all())
            rows.update_many(conn, bank_lines, "id", list(decided), [(ids["K2"], *decided.values())])
        with engine.connect() as conn:  # the raw values, as the database holds them
            stored = conn.exec_driver_sql(
                "SELECT at, kind, actor, invoices, text, data FROM activities ORDER BY id"
            ).all()
            decisions = conn.exec_driver_sql(
                "SELECT status, confidence, suggestions, decided_at FROM bank_lines ORDER BY key"
            ).all()
        assert len(stored) == 2 and stored[0] == stored[1]
        assert len(decisions) == 2 and decisions[0] == decisions[1]
        with engine.connect() as conn:
            back = conn.execute(select(activities.c.at, activities.c.data)).all()
        assert back == [(at, entry["data"])] * 2
    finally:
        engine.dispose()


def given_customer(conn: object) -> None:
    conn.execute(  # type: ignore[attr-defined]
        text(
            "INSERT INTO customers (id, name, kind, country, language, time_zone, currency,"
            " payment_terms_days) VALUES ('C1', 'ACME', 'business', 'DE', 'de', 'Europe/Berlin', 'EUR', 30)"
        )
    )
