"""A table a person filled in, read as numbered rows of text — the same from CSV, TSV and XLSX —
or refused whole with what to do instead (caunoi.ingest.tables)."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from caunoi.ingest import tables
from caunoi.ingest.tables import TableError, read_rows

ROWS = [
    ["code", "name", "city"],
    ["DSQ-FR", "Đại sứ quán Việt Nam tại Pháp", "Paris"],
    ["", "", ""],
    ["TLSQ-JP-OSA", "Tổng Lãnh sự quán Việt Nam tại Osaka", ""],
]


def _xlsx(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx"])
def test_a_table_reads_the_same_from_csv_tsv_and_a_spreadsheet(tmp_path, suffix):
    path = tmp_path / f"missions{suffix}"
    if suffix == ".xlsx":
        _xlsx(path, ROWS)
    else:
        sep = "\t" if suffix == ".tsv" else ","
        path.write_text("\ufeff" + "".join(sep.join(row) + "\n" for row in ROWS), encoding="utf-8")
    assert list(read_rows(path)) == [
        (2, {"code": "DSQ-FR", "name": "Đại sứ quán Việt Nam tại Pháp", "city": "Paris"}),
        (4, {"code": "TLSQ-JP-OSA", "name": "Tổng Lãnh sự quán Việt Nam tại Osaka", "city": ""}),
    ]


def test_spreadsheet_cells_come_out_as_the_text_a_person_typed(tmp_path):
    path = _xlsx(tmp_path / "cells.xlsx", [
        [" code ", "count", "ratio", "day", "at", "ok", None],
        ["A", 12, 0.5, date(2026, 11, 25), datetime(2026, 11, 25, 17, 30), True],
        ["B", 3.0],
    ])  # fmt: skip
    assert list(read_rows(path)) == [
        (2, {"code": "A", "count": "12", "ratio": "0.5", "day": "2026-11-25", "at": "2026-11-25T17:30:00",
             "ok": "true"}),
        (3, {"code": "B", "count": "3", "ratio": "", "day": "", "at": "", "ok": ""}),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "refusal"),
    [
        ("empty.csv", "", "empty.csv: the first row must name the columns"),
        ("blank.csv", ",,\nA,B,C\n", "blank.csv: the first row must name the columns"),
        ("gap.csv", "code,,city\n", "gap.csv: column B has no name in the first row"),
        ("twice.csv", "code,name,code\n", "twice.csv: column 'code' is named twice"),
        ("extra.csv", "code,name\nA,B\nC,D,E\n", "extra.csv row 3: a value beyond the last named column (B)"),
        ("quote.csv", 'code,name\nA,"B\n', "quote.csv line 2: not valid CSV (unexpected end of data)"),
        ("notes.txt", "code\n", "notes.txt: not a file type read here"),
    ],
)
def test_a_file_no_row_can_fix_is_refused_whole(tmp_path, name, content, refusal):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TableError, match=re.escape(refusal)):
        list(read_rows(path))


def test_a_spreadsheet_with_a_value_past_its_named_columns_is_refused_at_that_row(tmp_path):
    path = _xlsx(tmp_path / "stray.xlsx", [["code", "name"], ["A", "B"], ["C", "D", None, "ghi chú"]])
    with pytest.raises(TableError, match=r"stray.xlsx row 3: a value beyond the last named column \(B\)"):
        list(read_rows(path))


def test_a_file_too_large_is_refused_before_it_is_read_through(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "MAX_ROWS", 2)
    path = tmp_path / "many.csv"
    path.write_text("code\nA\nB\nC\n", encoding="utf-8")
    rows = read_rows(path)
    assert next(rows) == (2, {"code": "A"})
    with pytest.raises(TableError, match=r"many\.csv is too large to import .*: split it into several files"):
        list(rows)
    monkeypatch.setattr(tables, "MAX_BYTES", 10)
    with pytest.raises(TableError, match=r"many\.csv is too large"):
        read_rows(path)  # checked when asked, before a row is read
