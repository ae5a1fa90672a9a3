"""A search's matches as a file to download: CSV (UTF-8 with a BOM, for Excel), XLSX or JSON, at
most EXPORT_ROWS rows. Cells a spreadsheet would run as a formula are quoted (titles come from the
web) and lose the control characters a spreadsheet cannot hold; JSON keeps the text as it is. It
formats hits it is given and never searches."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response

from caunoi.models import SearchHit

EXPORT_ROWS = 10_000
EXPORT_COLUMNS = ("id", "published", "lang", "source", "category", "title", "url", "score", "snippet")
# what XML 1.0, and so XLSX, cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE, and the rest of XML's
# list): scraped text carries a stray backspace now and then, and one made the whole export fail
NOT_IN_SHEETS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _safe_cell(value: Any) -> Any:
    """A cell a spreadsheet can hold and will not run as a formula (titles come from the web)."""
    if not isinstance(value, str):
        return value
    value = NOT_IN_SHEETS.sub("", value)
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_file(hits: list[SearchHit], form: str) -> Response:
    """`hits` as an attachment in `form` (csv, xlsx or json), named after the minute it was made."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    rows = [[_safe_cell(h.to_json()[k]) for k in EXPORT_COLUMNS] for h in hits]
    if form == "json":
        content = json.dumps([h.to_json() for h in hits], ensure_ascii=False).encode()
        media = "application/json"
    elif form == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(rows)
        content = b"\xef\xbb\xbf" + out.getvalue().encode()  # the BOM tells Excel it is UTF-8
        media = "text/csv; charset=utf-8"
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("search")
        sheet.append(list(EXPORT_COLUMNS))
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        content = buffer.getvalue()
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    headers = {"Content-Disposition": f'attachment; filename="caunoi-search-{stamp}.{form}"'}
    return Response(content, media_type=media, headers=headers)


def attachment(name: str) -> str:
    """Content-Disposition for a download: the name in ASCII for old clients, in UTF-8 for the rest."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._ ()-]+", "_", plain).strip() or "file"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
