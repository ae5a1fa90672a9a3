"""A table of records from a file a person filled in — CSV (UTF-8), TSV or XLSX — as (row number,
{column: text}) pairs, for the imports that check each row and report the refused ones by the
number the person sees in their editor or spreadsheet (units now, outreach activities next).

`read_rows(path)` refuses a whole file (TableError, with what to do instead) for what no row can
fix: a file type it does not read, a CSV that is not UTF-8, no header row, a column without a name
or named twice, a value beyond the named columns, a file too large. It never judges a value: every
cell comes out as text (a whole number without ".0", a date in ISO form, an empty cell as ""), the
header names trimmed, and rows with nothing in them left out. The first row names the columns; an
XLSX file is read from its first sheet, in openpyxl's read-only mode (streamed, values of formulas
as last computed). The limits are far above a list of missions (~120 rows, 20 kB) or a year of
outreach activities (a few thousand rows) and far below what would hold the machine: 20 MB on
disk, 200 MB unpacked for an XLSX (a zip of repeated XML packs a hundredfold), 100,000 rows,
100 columns.

The other way, `csv_bytes` and `xlsx_bytes` write rows that a spreadsheet opens safely (the search
and evaluation exports): `sheet_cell` quotes a cell a spreadsheet would run as a formula and drops
the control characters XML (so XLSX) cannot hold."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from caunoi.errors import CaunoiError, Invalid

__all__ = [
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "SUFFIXES",
    "ImportReport",
    "TableError",
    "csv_bytes",
    "read_rows",
    "sheet_cell",
    "xlsx_bytes",
]

SUFFIXES = (".csv", ".tsv", ".xlsx")
MAX_BYTES = 20_000_000  # on disk
MAX_UNPACKED = 200_000_000  # an XLSX's parts once unzipped
MAX_ROWS = 100_000  # rows after the header, blank ones counted
MAX_COLUMNS = 100


@dataclass
class ImportReport:
    """What an import did: records added and changed (by code or key), rows already as stored, and
    the rows refused, each with its row number, its code or key, why (in English) and the refusal's
    code and values, which caunoi.i18n.reworded says in Vietnamese: {"line", "code" | "key",
    "reason", "refusal", "params"}. With refusals and not `valid_only`, nothing is written."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    refused: list[dict[str, Any]] = field(default_factory=list)
    written: bool = False

    def refuse(self, line: int, refusal: CaunoiError, **names: str | None) -> None:
        """Report row `line` refused; `names` is its code or key as the row gives it."""
        params = {k: v if isinstance(v, int | float | str) else str(v) for k, v in refusal.params.items()}
        self.refused.append(
            {"line": line, **names, "reason": str(refusal), "refusal": refusal.code, "params": params}
        )


Row = tuple[int, dict[str, str]]
Rows = Iterator[Row]


class TableError(Invalid):
    """A file of records that cannot be read as a table; the message names the file and says what
    to do instead."""


def read_rows(path: Path) -> Rows:
    """The rows of the table in `path` after its header, each as (its row number in the file,
    {column: text}); the file is checked (type, size, encoding, header) before the first row."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise TableError(
            "table_file_type",
            "{name}: not a file type read here; save it as CSV UTF-8 (.csv), .tsv or Excel .xlsx",
            name=path.name,
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if size > MAX_BYTES:
        raise _too_large(path)
    return _xlsx_rows(path) if suffix == ".xlsx" else _csv_rows(path, "\t" if suffix == ".tsv" else ",")


def _csv_rows(path: Path, delimiter: str) -> Rows:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Excel's "Unicode text" is UTF-16; its plain "CSV" is the Windows code page (1258 for
        # Vietnamese): neither can be read without guessing, so say which save option gives UTF-8
        utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        raise TableError(
            "table_not_utf8",
            "{name} is not UTF-8 ({found}): save it as CSV UTF-8 (Excel: Save As, "
            "'CSV UTF-8 (Comma delimited)'; LibreOffice: character set 'Unicode (UTF-8)')",
            name=path.name, found="UTF-16" if utf16 else f"byte {exc.start + 1}",
        ) from None  # fmt: skip
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        first = next(reader, None)
    except csv.Error as exc:
        raise _bad_csv(path, reader.line_num, exc) from None
    header = _header(path, first)
    return _csv_records(path, reader, header)


def _csv_records(path: Path, reader: Any, header: list[str]) -> Rows:
    while True:
        try:
            values = next(reader, None)
        except csv.Error as exc:
            raise _bad_csv(path, reader.line_num, exc) from None
        if values is None:
            return
        # a record's number is the line it ends on, as the csv module counts (one line for most)
        if (row := _record(path, reader.line_num, header, values)) is not None:
            yield row


def _xlsx_rows(path: Path) -> Rows:
    from openpyxl import load_workbook  # only an XLSX file needs it

    try:
        with zipfile.ZipFile(path) as packed:
            unpacked = sum(info.file_size for info in packed.infolist())
    except (OSError, zipfile.BadZipFile) as exc:
        raise _bad_xlsx(path, exc) from None
    if unpacked > MAX_UNPACKED:
        raise _too_large(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        # a sheet's declared size may be a million columns: never read past the limit
        lines = sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
        first = next(lines, None)
    except Exception as exc:  # openpyxl raises KeyError, ValueError, XML errors … for a broken file
        raise _bad_xlsx(path, exc) from None
    header = _header(path, None if first is None else [_text(v) for v in first])
    return _xlsx_records(path, book, lines, header)


def _xlsx_records(path: Path, book: Any, lines: Iterator[tuple], header: list[str]) -> Rows:
    try:
        for number, values in enumerate(lines, start=2):  # read-only mode fills in the empty rows
            if (row := _record(path, number, header, [_text(v) for v in values])) is not None:
                yield row
    finally:
        book.close()


def _header(path: Path, values: list[str] | None) -> list[str]:
    names = [v.strip() for v in values or []]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise TableError(
            "table_no_header",
            "{name}: the first row must name the columns (e.g. code, name, …)",
            name=path.name,
        )
    if len(names) > MAX_COLUMNS:
        raise _too_large(path)
    for index, name in enumerate(names):
        if not name:
            raise TableError("table_unnamed_column", "{name}: column {column} has no name in the first row",
                             name=path.name, column=_column(index))  # fmt: skip
        if name in names[:index]:
            raise TableError("table_repeated_column", "{name}: column {column!r} is named twice",
                             name=path.name, column=name)  # fmt: skip
    return names


def _record(path: Path, number: int, header: list[str], values: list[str]) -> Row | None:
    """One row as {column: text}, None when it is blank; refused when it goes past the header."""
    if number > MAX_ROWS + 1:
        raise _too_large(path)
    if any(v.strip() for v in values[len(header) :]):
        raise TableError(
            "table_extra_values",
            "{name} row {row}: a value beyond the last named column ({column}); "
            "name that column in the first row or remove the value",
            name=path.name, row=number, column=_column(len(header) - 1),
        )  # fmt: skip
    if not any(v.strip() for v in values):
        return None
    values = [*values[: len(header)], *[""] * (len(header) - len(values))]
    return number, dict(zip(header, values, strict=True))


def _text(value: Any) -> str:
    """A spreadsheet cell as the text a person typed: 12 (not 12.0), a date as 2026-11-25."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _column(index: int) -> str:
    """A column as a spreadsheet names it: 0 → A, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _unreadable(path: Path, exc: OSError) -> TableError:
    return TableError("table_unreadable", "cannot read {name}: {reason}", name=path.name,
                      reason=exc.strerror or str(exc))  # fmt: skip


def _too_large(path: Path) -> TableError:
    return TableError(
        "table_too_large",
        "{name} is too large to import (at most {rows} rows, {columns} columns and {megabytes} MB): "
        "split it into several files",
        name=path.name, rows=f"{MAX_ROWS:,}", columns=MAX_COLUMNS, megabytes=MAX_BYTES // 1_000_000,
    )  # fmt: skip


def _bad_csv(path: Path, line: int, exc: csv.Error) -> TableError:
    return TableError("table_bad_csv", "{name} line {line}: not valid CSV ({reason})",
                      name=path.name, line=line, reason=str(exc))  # fmt: skip


def _bad_xlsx(path: Path, exc: BaseException) -> TableError:
    return TableError(
        "table_bad_xlsx",
        "{name}: not a workbook Excel or LibreOffice can open as .xlsx ({reason}); open it and save it "
        "again as .xlsx, or as CSV UTF-8",
        name=path.name, reason=str(exc) or type(exc).__name__,
    )  # fmt: skip


# -- writing ---------------------------------------------------------------------------------------

# what XML 1.0, and so XLSX, cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE, and the rest of XML's
# list): scraped text carries a stray backspace now and then, and one made a whole export fail
NOT_IN_SHEETS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def sheet_cell(value: Any) -> Any:
    """A cell a spreadsheet can hold and will not run as a formula (titles come from the web)."""
    if not isinstance(value, str):
        return value
    value = NOT_IN_SHEETS.sub("", value)
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A header and rows as CSV, UTF-8 with a byte-order mark (which tells Excel it is UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([sheet_cell(v) for v in row] for row in rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def xlsx_bytes(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook of sheets, each name -> (header, rows), streamed (openpyxl's write-only mode)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, (columns, rows) in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append(list(columns))
        for row in rows:
            sheet.append([sheet_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
