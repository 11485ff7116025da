"""The real statements of ../shared/corpora (mt940, camt, ofx): every valid and edge file imports
with the entries its reference parser found (SOURCES.md), importing it twice stores nothing new,
and every file under invalid/ is refused naming the file, except three that only a strict parser
refuses (see TOLERATED). Skipped where the corpus is absent."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from builders import AT, CORPORA
from recoup.adapters.db.engine import make_engine, migrate
from recoup.adapters.db.tables import bank_lines
from recoup.adapters.db.uow import SqlUnitOfWorkFactory
from recoup.adapters.formats.statement_common import decode_text
from recoup.adapters.formats.statement_detect import read_statement
from recoup.domain.errors import ImportRejectedError
from recoup.domain.money import Money
from recoup.services.statements import import_statement

FOLDERS = ("mt940", "camt", "ofx")
SOURCES = CORPORA / "SOURCES.md"

# Files under invalid/ that recoup reads on purpose: each is, byte for byte in what matters, a
# file of the valid or edge set, and refusing it would refuse that one too.
TOLERATED = {
    "mt940/invalid/knab_broken.sta": "the valid jejik-knab.txt without its SWIFT envelope",
    "mt940/invalid/unknown_tag.sta": "the edge transaction_details_wrapped.sta ('12:11' of a wrapped "
    "timestamp inside :86:) with another entry date",
    "mt940/invalid/overly_long_details.sta": "nine :86: lines where SWIFT says six; the valid "
    "sepa_mt9401.sta has seven",
}
# A file of the valid set that recoup refuses: it tests SWIFT header parsing with made-up dates
# (value date '362268' is month 22, the closing balance '141387' month 13), which no date can be;
# the reference parser fails on it too.
REFUSED_VALID = {"mt940/mt940-headers.txt": "line 8 (:61:): a date is not a calendar date"}
# Investment statements: trades and a broker's cash, no customer payments (ofx.py).
INVESTMENT = {"fidelity.ofx", "fidelity-savings.ofx", "tiaacref.ofx", "vanguard.ofx"}
# The reference parser's count is wrong here: it read the 39 entries of this legacy Rabobank
# file (dot decimals, a ':940:' first line) as one.
REFERENCE_MISCOUNTS = {"phpmt940-Rabo-sample"}


def _files(invalid: bool) -> list[str]:
    found = []
    for folder in FOLDERS:
        base = CORPORA / folder / ("invalid" if invalid else "")
        if base.is_dir():
            found += sorted(str(p.relative_to(CORPORA)) for p in base.iterdir() if p.is_file())
    return found


def _facts() -> dict[str, str]:
    """File name → what SOURCES.md says its reference parser found (the 'auto' column)."""
    facts: dict[str, str] = {}
    if not SOURCES.is_file():
        return facts
    for row in SOURCES.read_text(encoding="utf-8").splitlines():
        if row.startswith("| `"):
            cells = [c.strip() for c in row.strip().strip("|").split(" | ")]
            facts[cells[0].strip("`").split("/")[-1]] = cells[-1]
    return facts


VALID = _files(invalid=False)
INVALID = _files(invalid=True)
FACTS = _facts()
needs_corpus = pytest.mark.skipif(not VALID, reason=f"no statement corpus at {CORPORA}")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlUnitOfWorkFactory]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'recoup.db'}")
    migrate(engine)
    yield SqlUnitOfWorkFactory(engine)
    engine.dispose()


def expected_entries(name: str, data: bytes) -> set[int]:
    """The entry counts that agree with SOURCES.md (and with the file itself for MT940)."""
    fact = FACTS.get(Path(name).name, "")
    if name.startswith("mt940/"):
        own = len(re.findall(r"(?m)^:61:", decode_text(data)))
        reference = re.search(r"ok: (\d+) tx", fact)
        if reference and Path(name).name not in REFERENCE_MISCOUNTS:
            assert int(reference.group(1)) == own, f"{name}: the file and SOURCES.md disagree"
        return {own}
    if name.startswith("camt/"):
        counts = re.search(r"(\d+) Ntry; (\d+) TxDtls", fact)
        assert counts, f"{name}: SOURCES.md gives no entry count"
        return {int(counts.group(1)), int(counts.group(2))}  # batches split into their transactions
    if Path(name).name in INVESTMENT:
        return {0}
    reference = re.search(r"ok: \d+ acct, (\d+) tx", fact)
    return {int(reference.group(1))} if reference else {data.count(b"<STMTTRN>")}


@needs_corpus
@pytest.mark.parametrize("name", [n for n in VALID if n not in REFUSED_VALID])
def test_every_valid_and_edge_statement_imports_with_the_reference_counts_and_only_once(
    name: str, store: SqlUnitOfWorkFactory
) -> None:
    data = (CORPORA / name).read_bytes()
    statement = read_statement(data, Path(name).name)
    assert statement.entries in expected_entries(name, data)
    assert statement.debits + len(statement.lines) <= statement.entries
    currencies = re.search(r"ccy ([A-Z,]+)|, ([A-Z]{3})$", FACTS.get(Path(name).name, ""))
    if currencies and not name.startswith("mt940/"):
        listed = set((currencies.group(1) or currencies.group(2)).split(","))
        assert {line.amount.currency for line in statement.lines} <= listed
    first = import_statement(store, statement, source=Path(name).name, at=AT)
    again = import_statement(store, statement, source=Path(name).name, at=AT)
    assert first.new + first.duplicates == first.credits == len(statement.lines)
    assert (again.new, again.duplicates) == (0, len(statement.lines))


@needs_corpus
@pytest.mark.parametrize("name", [n for n in INVALID if n not in TOLERATED])
def test_every_invalid_statement_is_refused_naming_the_file_and_stores_nothing(
    name: str, store: SqlUnitOfWorkFactory
) -> None:
    with store() as uow:
        before = uow.bank.conn.execute(select(func.count()).select_from(bank_lines)).scalar_one()
    with pytest.raises(ImportRejectedError) as caught:
        read_statement((CORPORA / name).read_bytes(), Path(name).name)
    assert caught.value.problems
    assert all(p.startswith(Path(name).name) for p in caught.value.problems)
    with store() as uow:
        assert uow.bank.conn.execute(select(func.count()).select_from(bank_lines)).scalar_one() == before


@needs_corpus
@pytest.mark.parametrize("name", sorted(REFUSED_VALID))
def test_a_valid_file_with_impossible_dates_is_refused_naming_the_line(name: str) -> None:
    with pytest.raises(ImportRejectedError) as caught:
        read_statement((CORPORA / name).read_bytes(), Path(name).name)
    assert caught.value.problems[0].startswith(f"{Path(name).name}, {REFUSED_VALID[name]}")


@needs_corpus
@pytest.mark.parametrize("name", sorted(TOLERATED))
def test_three_files_only_a_strict_parser_refuses_read_like_their_valid_twins(name: str) -> None:
    statement = read_statement((CORPORA / name).read_bytes(), "twin")
    if name.endswith("knab_broken.sta"):
        twin = read_statement((CORPORA / "mt940" / "jejik-knab.txt").read_bytes(), "twin")
        assert statement == twin
    else:
        assert (statement.entries, statement.debits, statement.lines) == (1, 1, ())


@needs_corpus
def test_known_credits_of_the_corpus_read_field_by_field() -> None:
    def lines(name: str) -> list:
        return list(read_statement((CORPORA / name).read_bytes(), Path(name).name).lines)

    (camt,) = lines("camt/camt053.v2.minimal.xml")
    assert (camt.amount, camt.counterparty_iban, camt.creditor_reference) == (
        Money("8.85", "EUR"),
        "NL56AGDH9619008421",
        "4654654654654654",
    )
    sepa = lines("mt940/sepa_snippet.sta")[0]
    assert (sepa.amount, sepa.counterparty_name, sepa.counterparty_iban, sepa.end_to_end_id) == (
        Money("50990.05", "EUR"),
        "KARL KAUFMANN",
        "DE14508800500194785000",
        "EndToEndId TFNR 22 004 00001",
    )
    dutch = lines("mt940/actual-data.sta")[0]
    assert (dutch.counterparty_name, dutch.remittance) == ("Employeur Acme SARL", "Salaire août 2025")
    (ofx,) = lines("ofx/checking.ofx")
    assert (ofx.amount, ofx.bank_reference) == (Money("0.01", "USD"), "0000486")
    belgian = lines("camt/subite-BE68793230773034-202411.xml")
    assert len(belgian) == 4 and all(line.end_to_end_id for line in belgian)
    assert dataclasses.replace(belgian[0], sequence=0).key != dataclasses.replace(belgian[1], sequence=0).key
