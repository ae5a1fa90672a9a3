"""Files to download: a search's matches as CSV (UTF-8 with a BOM, for Excel), XLSX or JSON, at most
EXPORT_ROWS rows, and tables the domain has written already (an evaluation). Cells a spreadsheet
would run as a formula are quoted (titles come from the web) and lose the control characters a
spreadsheet cannot hold (caunoi.ingest.tables.sheet_cell); JSON keeps the text as it is. It formats
what it is given and never searches."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response

from caunoi.ingest.tables import csv_bytes, xlsx_bytes
from caunoi.models import SearchHit
from caunoi.search import EXPORT_COLUMNS, export_cells, export_records

EXPORT_ROWS = 10_000
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_file(hits: list[SearchHit], labels: dict[int, dict[str, Any]], form: str) -> Response:
    """`hits` as an attachment in `form` (csv, xlsx or json), named after the minute it was made;
    `labels` has what enrichment found in each (Service.labels: tone, topics, entities, countries)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    records = export_records(hits, labels)
    if form == "json":
        content = json.dumps(records, ensure_ascii=False).encode()
        media = "application/json"
    else:
        rows = [export_cells(r) for r in records]
        if form == "csv":
            content, media = csv_bytes(EXPORT_COLUMNS, rows), MEDIA["csv"]
        else:
            content, media = xlsx_bytes({"search": (EXPORT_COLUMNS, rows)}), MEDIA["xlsx"]
    headers = {"Content-Disposition": f'attachment; filename="caunoi-search-{stamp}.{form}"'}
    return Response(content, media_type=media, headers=headers)


def table_file(content: bytes, form: str, name: str) -> Response:
    """A table the domain wrote as CSV or XLSX bytes (`form`), as an attachment named `name`.`form`."""
    return Response(
        content, media_type=MEDIA[form], headers={"Content-Disposition": attachment(f"{name}.{form}")}
    )


def attachment(name: str) -> str:
    """Content-Disposition for a download: the name in ASCII for old clients, in UTF-8 for the rest."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._ ()-]+", "_", plain).strip() or "file"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
