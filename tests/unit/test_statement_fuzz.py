"""Fuzzing the statement readers: random bytes and mutated real statements give a statement or a
clear refusal (``ImportRejectedError`` naming the file), never another exception; what is read
is always well-formed (positive amounts, distinct keys)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import CORPORA
from recoup.adapters.formats.statement_detect import read_statement
from recoup.domain.errors import ImportRejectedError
from recoup.domain.statements import Statement

SEEDS = sorted(
    path
    for folder in ("mt940", "camt", "ofx")
    if (CORPORA / folder).is_dir()
    for path in (CORPORA / folder).rglob("*")
    if path.is_file() and path.stat().st_size < 40_000
)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(data: bytes) -> Statement | None:
    try:
        statement = read_statement(data, "fuzz.sta")
    except ImportRejectedError as exc:
        assert exc.problems and all(p.startswith("fuzz.sta") for p in exc.problems)
        assert str(exc).startswith("fuzz.sta was not imported")
        return None
    assert all(line.amount.amount > 0 for line in statement.lines)
    assert len({line.key for line in statement.lines}) == len(statement.lines)
    assert statement.debits + len(statement.lines) <= statement.entries
    return statement


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_give_a_statement_or_a_clear_refusal(data: bytes) -> None:
    outcome(data)


@FUZZ
@given(
    st.lists(
        st.sampled_from([":20:", ":25:", ":61:", ":86:", ":60F:", "?20", "?3", "C", "D", "1,", "\n", "/"])
    )
)
def test_mt940_shaped_noise_gives_a_statement_or_a_clear_refusal(parts: list[str]) -> None:
    outcome(("".join(parts)).encode())


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    path: Path = draw(st.sampled_from(SEEDS))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "flip", "duplicate", "truncate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=12))
        elif kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 80))]
        else:
            del data[at:]
    return bytes(data)


@pytest.mark.skipif(not SEEDS, reason=f"no statement corpus at {CORPORA}")
@FUZZ
@given(mutated())
def test_mutated_real_statements_give_a_statement_or_a_clear_refusal(data: bytes) -> None:
    outcome(data)
