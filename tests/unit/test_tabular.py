"""Reading CSV files as rows: read as they are iterated, with the lines they came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from recoup.adapters.formats.tabular import Row, read_table
from recoup.domain.errors import InvalidValueError


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "rows.csv"
    path.write_bytes(data)
    return path


def test_rows_keep_their_lines_across_blank_lines_and_quoted_line_breaks(tmp_path: Path) -> None:
    path = write(tmp_path, '\ufeffId;Name\nA; Alpha \n\n;\nB;"Be\nta"\nC;Gamma'.encode())
    table = read_table(path)
    assert table.columns == ("id", "name")
    assert list(table.rows) == [
        Row(2, {"id": "A", "name": "Alpha"}),
        Row(5, {"id": "B", "name": "Be\nta"}),
        Row(7, {"id": "C", "name": "Gamma"}),
    ]
    assert list(table.rows) == list(table.rows)  # read again from the start
    assert table.size == 5  # about: the lines after the header


def test_lines_ended_by_carriage_returns_alone_are_rows(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, b"id,name\rA,x\rB,y\r"))
    assert list(table.rows) == [Row(2, {"id": "A", "name": "x"}), Row(3, {"id": "B", "name": "y"})]


def test_a_bad_byte_far_into_the_file_is_named_when_read(tmp_path: Path) -> None:
    lines = b"".join(b"A%d,x\n" % n for n in range(2000))
    table = read_table(write(tmp_path, b"id,name\n" + lines + b"B,B\xe9ta\n"))
    with pytest.raises(InvalidValueError) as caught:
        list(table.rows)
    offset = len(b"id,name\n" + lines + b"B,B")
    assert str(caught.value) == f"rows.csv: not UTF-8 text (byte {offset}); save it as UTF-8 CSV"


def test_a_row_with_more_values_than_columns_names_its_line(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, b"id,name\r\nA,x\r\nB,y,z\r\n"))
    with pytest.raises(InvalidValueError) as caught:
        list(table.rows)
    assert str(caught.value) == "rows.csv, line 3: 3 values but the header names 2 columns"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "rows.csv: the file is empty"),
        (b"\n\n", "rows.csv: the first line must name the columns"),
        (b"id,ID\n", "rows.csv, line 1: column 'id' appears twice"),
        (b"id,na\xffme\n", "rows.csv: not UTF-8 text (byte 5); save it as UTF-8 CSV"),
    ],
)
def test_a_file_without_a_usable_header_is_refused_when_opened(
    tmp_path: Path, data: bytes, message: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        read_table(write(tmp_path, data))
    assert str(caught.value) == message


def test_a_column_without_a_name_is_left_out_and_short_rows_lack_the_last_columns(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, b"id,,name,note\nA,skip,x,y\nB,skip\n"))
    assert table.columns == ("id", "", "name", "note")
    assert list(table.rows) == [Row(2, {"id": "A", "name": "x", "note": "y"}), Row(3, {"id": "B"})]
