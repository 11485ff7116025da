"""Fuzzing the e-invoice readers: any bytes give an invoice or a clear refusal, never another exception,
and a refused run stores nothing.

Inputs are random bytes and mutations (truncation, flipped bytes, a removed element, an element
given other text) of the inline samples and of the corpus files when the corpus is there.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from builders import CORPORA
from einvoice_samples import cii, facturx_pdf, ubl
from recoup.adapters.db.engine import make_engine, migrate
from recoup.adapters.db.uow import SqlUnitOfWorkFactory
from recoup.adapters.formats.detect import read_einvoice
from recoup.adapters.formats.einvoice import EInvoice
from recoup.domain.errors import ImportRejectedError, InvalidValueError
from recoup.services.einvoices import import_einvoice_files

AT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
SAMPLES = [
    ubl(),
    ubl(root="CreditNote", type_code="381", reference="X"),
    cii(),
    cii(profile="urn:factur-x.eu:1p0:minimum"),
]
CORPUS = sorted(
    p.read_bytes()
    for folder in ("ubl", "cii")
    for p in (CORPORA / folder).glob("*")
    if p.is_file() and p.stat().st_size < 120_000
)
DOCUMENTS = SAMPLES + CORPUS
NASTY = [
    "",
    " ",
    "-",
    "1e9999",
    "NaN",
    "-0.00",
    "9" * 40,
    "1,5",
    "٣٤",
    "2026-13-45",
    "20261301",
    "<",
    "&amp;",
]


def outcome(data: bytes) -> EInvoice | str:
    """The invoice read, or the refusal's first line; any other exception fails the test."""
    try:
        return read_einvoice(data, "fuzz.xml")
    except (ImportRejectedError, InvalidValueError) as exc:
        problems = getattr(exc, "problems", None) or [str(exc)]
        assert problems and all(p.strip() for p in problems)
        return problems[0]


def _elements(data: bytes) -> tuple[etree._Element, list[etree._Element]]:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    return root, [e for e in root.iter() if isinstance(e.tag, str) and e is not root]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = draw(st.sampled_from(DOCUMENTS))
    how = draw(st.sampled_from(["truncate", "flip", "remove", "retext"]))
    if how == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if how == "flip":
        raw = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
        return bytes(raw)
    root, elements = _elements(data)
    target = elements[draw(st.integers(0, len(elements) - 1))]
    if how == "remove":
        parent = target.getparent()
        assert parent is not None
        parent.remove(target)
    else:
        xml_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
        target.text = draw(st.sampled_from(NASTY) | xml_text)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes_give_an_invoice_or_a_clear_refusal(data: bytes) -> None:
    outcome(data)


@FUZZ
@given(
    st.sampled_from([b"<?xml version='1.0'?>", b"%PDF-1.7\n", b"PK\x03\x04xl/", b"a,b\n"]),
    st.binary(max_size=512),
)
def test_random_bytes_behind_a_known_file_start_give_an_invoice_or_a_clear_refusal(
    head: bytes, tail: bytes
) -> None:
    outcome(head + tail)


@FUZZ
@given(mutated())
def test_mutated_invoices_give_an_invoice_or_a_clear_refusal(data: bytes) -> None:
    result = outcome(data)
    if isinstance(result, EInvoice):
        assert result.amount.amount >= 0
        assert result.number and result.buyer.name


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(SAMPLES), st.integers(0, 2000), st.integers(0, 255))
def test_a_damaged_factur_x_pdf_gives_an_invoice_or_a_clear_refusal(xml: bytes, at: int, value: int) -> None:
    pdf = bytearray(facturx_pdf(xml))
    pdf[min(at, len(pdf) - 1)] = value
    outcome(bytes(pdf))
    outcome(bytes(pdf[: at + 10]))


RUNS = itertools.count(1)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> SqlUnitOfWorkFactory:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'ledger.db'}")
    migrate(engine)
    return SqlUnitOfWorkFactory(engine)


def _counts(uow_factory: SqlUnitOfWorkFactory) -> tuple[int, int, int, int]:
    with uow_factory() as uow:
        ids = [c.id for c in uow.customers.list()]
        return (
            len(ids),
            sum(len(uow.invoices.for_customer(c)) for c in ids),
            sum(len(uow.credit_notes.for_customer(c)) for c in ids),
            sum(len(uow.contacts.for_customer(c)) for c in ids),
        )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutated())
def test_a_run_with_a_damaged_file_stores_all_of_it_or_nothing(
    ledger: SqlUnitOfWorkFactory, tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    n = next(RUNS)
    where = tmp_path_factory.mktemp("run")
    good, bad = where / "1-good.xml", where / "2-fuzzed.xml"
    good.write_bytes(ubl(number=f"GOOD-{n}", buyer=f"Fuzz Buyer {n}", vat=""))
    bad.write_bytes(data)
    before = _counts(ledger)
    try:
        import_einvoice_files(ledger, [good, bad], at=AT, create_customers=True)
    except ImportRejectedError:
        assert _counts(ledger) == before
        return
    after = _counts(ledger)
    assert after[1] + after[2] > before[1] + before[2]  # the good file's invoice at least


def test_the_corpus_is_part_of_the_fuzzing_when_it_is_there() -> None:
    if not (CORPORA / "ubl").is_dir():
        pytest.skip(f"no corpus at {CORPORA}")
    assert len(CORPUS) > 60
