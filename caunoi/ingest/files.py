"""Reading local inputs — txt, html, json/jsonl, csv, WARC — into Docs, one per article.

A reader never raises for bad input: a file or record it cannot use comes out as a Doc
with `skip_reason` set, so the rest of the batch goes on and the summary says why.

Field mapping for JSON, JSONL and CSV (first present name wins, case-insensitive):
    title      title, headline, name
    text       text, body, content, articlebody, maintext, description
    html       html, raw_html, rawhtml, page
    url        url, link, canonical_url, source_url
    published  published, date, pubdate, date_publish, datepublished, published_at, pub_date, time
    source     source, outlet, site, sitename, site_name, domain, publisher
    lang       lang, language
    author     author, authors, byline, creator
    category   category, section, categories
Other fields are kept in the article's `meta`. A record needs a text or an html field.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import logging
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from caunoi.models import Doc
from caunoi.text.encoding import DecodeError, decode

log = logging.getLogger(__name__)

FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "name"),
    "text": ("text", "body", "content", "articlebody", "maintext", "description"),
    "html": ("html", "raw_html", "rawhtml", "page"),
    "url": ("url", "link", "canonical_url", "source_url"),
    "published": (
        "published",
        "date",
        "pubdate",
        "date_publish",
        "datepublished",
        "published_at",
        "pub_date",
        "time",
    ),
    "source": ("source", "outlet", "site", "sitename", "site_name", "domain", "publisher"),
    "lang": ("lang", "language"),
    "author": ("author", "authors", "byline", "creator"),
    "category": ("category", "section", "categories"),
}

FORMATS = {
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".warc": "warc",
}


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def file_format(path: Path) -> str | None:
    """The reader for a path by its name; "x.html.gz" is html, "x.warc.gz" is warc."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return FORMATS.get(suffixes[-1]) if suffixes else None


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under the given paths, recursively, in a stable order, each once; hidden files left out."""
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            children = [
                child
                for child in sorted(path.rglob("*"))
                if (child.is_file() or child.is_symlink())
                and not any(part.startswith(".") for part in child.relative_to(path).parts)
            ]
        else:
            children = [path]
        for child in children:
            if child.absolute() not in seen:
                seen.add(child.absolute())
                yield child


def _skip(origin: str, fmt: str, now: datetime, reason: str) -> Doc:
    return Doc(origin=origin, format=fmt, ingested_at=now, skip_reason=reason)


def _read_bytes(path: Path, limit: int) -> bytes:
    """The file's bytes, gunzipped if named .gz, refusing more than `limit` bytes."""
    size = path.stat().st_size
    if size > limit and not path.name.lower().endswith(".gz"):
        raise _TooLarge(size)
    with open(path, "rb") as fh:
        if path.name.lower().endswith(".gz"):
            with gzip.GzipFile(fileobj=fh) as gz:
                data = gz.read(limit + 1)
        else:
            data = fh.read(limit + 1)
    if len(data) > limit:
        raise _TooLarge(len(data))
    return data


class _TooLarge(Exception):
    def __init__(self, size: int):
        self.size = size


def read_path(path: Path, *, max_file_bytes: int, now: datetime | None = None) -> Iterator[Doc]:
    """Every article in one file, as Docs (skipped ones carry their reason)."""
    now = now or datetime.now()
    origin = str(path)
    fmt = file_format(path)
    if fmt is None:
        yield _skip(origin, "unknown", now, f"not a supported file type ({path.suffix or 'no extension'})")
        return
    try:
        if fmt in ("txt", "html"):
            data = _read_bytes(path, max_file_bytes)
            if not data.strip():
                yield _skip(origin, fmt, now, "empty file")
                return
            yield Doc(origin=origin, format=fmt, ingested_at=now, raw=data, raw_hash=sha256(data))
        elif fmt == "warc":
            yield from read_warc(path, now=now)
        else:
            # Containers hold many articles: a larger limit, each record checked on its own.
            data = _read_bytes(path, max_file_bytes * 50)
            if not data.strip():
                yield _skip(origin, fmt, now, "empty file")
                return
            text, _enc = decode(data)
            reader = {"json": read_json, "jsonl": read_jsonl, "csv": read_csv}[fmt]
            tab = ".tsv" in (s.lower() for s in path.suffixes)
            yield from reader(text, origin, now=now, delimiter="\t" if tab else ",")
    except _TooLarge as exc:
        limit = max_file_bytes if fmt in ("txt", "html") else max_file_bytes * 50
        yield _skip(
            origin,
            fmt,
            now,
            f"file too large ({exc.size / 2**20:.1f} MiB > {limit / 2**20:.0f} MiB);"
            " raise CAUNOI_MAX_FILE_BYTES to read it",
        )
    except DecodeError as exc:
        yield _skip(origin, fmt, now, str(exc))
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        yield _skip(origin, fmt, now, f"cannot read: {exc.__class__.__name__}: {exc}")


def _pick(record: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = record.get(name)
        if value not in (None, ""):
            return value
    return None


def _as_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v not in (None, ""))
    return str(value)


def doc_from_record(record: dict[str, Any], origin: str, fmt: str, now: datetime) -> Doc:
    """A Doc from one JSON object or CSV row, by the documented field mapping."""
    lowered = {str(k).strip().lower(): v for k, v in record.items()}
    mapped = {name: _pick(lowered, aliases) for name, aliases in FIELDS.items()}
    text, html = _as_str(mapped["text"]), _as_str(mapped["html"])
    if not (text and text.strip()) and not (html and html.strip()):
        return _skip(origin, fmt, now, "record has no text: expected a text, body, content or html field")
    used = {alias for aliases in FIELDS.values() for alias in aliases}
    return Doc(
        origin=origin,
        format=fmt,
        ingested_at=now,
        raw_hash=sha256(json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)),
        title=_as_str(mapped["title"]) or "",
        text=text or "",
        html=html if not (text and text.strip()) else None,
        url=_as_str(mapped["url"]),
        source=_as_str(mapped["source"]),
        lang=(_as_str(mapped["lang"]) or "").lower() or None,
        author=_as_str(mapped["author"]),
        category=_as_str(mapped["category"]),
        meta={
            "published_raw": _as_str(mapped["published"]),
            **{k: v for k, v in lowered.items() if k not in used and v not in (None, "")},
        },
    )


def read_json(text: str, origin: str, *, now: datetime, delimiter: str = ",") -> Iterator[Doc]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield _skip(origin, "json", now, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
        return
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if isinstance(data, dict):
        yield doc_from_record(data, origin, "json", now)
        return
    if not isinstance(data, list):
        yield _skip(
            origin, "json", now, 'JSON must be an article object, a list of them, or {"articles": [...]}'
        )
        return
    for i, record in enumerate(data):
        where = f"{origin}#{i}"
        if isinstance(record, dict):
            yield doc_from_record(record, where, "json", now)
        else:
            yield _skip(where, "json", now, f"item {i} is a {type(record).__name__}, not an article object")


def read_jsonl(text: str, origin: str, *, now: datetime, delimiter: str = ",") -> Iterator[Doc]:
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{origin}#L{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield _skip(where, "jsonl", now, f"line {lineno}: invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(record, dict):
            yield _skip(
                where, "jsonl", now, f"line {lineno}: a {type(record).__name__}, not an article object"
            )
            continue
        yield doc_from_record(record, where, "jsonl", now)


def read_csv(text: str, origin: str, *, now: datetime, delimiter: str = ",") -> Iterator[Doc]:
    csv.field_size_limit(50 * 1024 * 1024)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [str(h).strip().lower() for h in reader.fieldnames or []]
    if not set(header) & set(FIELDS["text"] + FIELDS["html"]):
        expected = ", ".join(FIELDS["text"] + FIELDS["html"])
        yield _skip(origin, "csv", now, f"CSV has no text column: found {header}, expected one of {expected}")
        return
    try:
        for rowno, row in enumerate(reader, start=2):
            row.pop(None, None)  # cells beyond the header
            yield doc_from_record(row, f"{origin}#L{rowno}", "csv", now)
    except csv.Error as exc:
        yield _skip(f"{origin}#L{reader.line_num}", "csv", now, f"malformed CSV: {exc}")


def read_warc(path: Path, *, now: datetime) -> Iterator[Doc]:
    """HTML responses (and resource records) in a WARC; a truncated file keeps what came before."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    origin = str(path)
    count = 0
    with open(path, "rb") as fh:
        try:
            for record in ArchiveIterator(fh):
                if record.rec_type not in ("response", "resource"):
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI")
                ctype = (
                    record.http_headers.get_header("Content-Type", "")
                    if record.http_headers
                    else record.rec_headers.get_header("Content-Type", "")
                ) or ""
                if "html" not in ctype.lower():
                    continue
                if record.http_headers and not record.http_headers.get_statuscode().startswith("2"):
                    continue
                data = record.content_stream().read()
                if getattr(record.raw_stream, "limit", 0) > 0:
                    # the file ended inside this record: its body is cut short
                    raise EOFError(f"record {uri} is cut short")
                count += 1
                where = f"{origin}#{uri}"
                if not data.strip():
                    yield _skip(where, "warc", now, "empty response body")
                    continue
                charset = None
                if "charset=" in ctype.lower():
                    charset = ctype.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
                yield Doc(
                    origin=where,
                    format="warc",
                    ingested_at=now,
                    raw=data,
                    raw_hash=sha256(data),
                    url=uri,
                    meta={"declared_charset": charset} if charset else {},
                )
        except (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error) as exc:
            yield _skip(origin, "warc", now, f"truncated or damaged WARC after {count} records: {exc}")
