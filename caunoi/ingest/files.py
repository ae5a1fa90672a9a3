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
import json
import logging
import os
import re
import stat
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from caunoi.models import Doc
from caunoi.text.encoding import DecodeError, decode, storable

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
    # a lone surrogate (from JSON's "\\ud800" or a file name) hashes as its code point
    return hashlib.sha256(
        data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    ).hexdigest()


def printable_path(path: Path) -> str:
    """A path as text that can be stored and printed: a name that is not UTF-8 keeps its odd bytes
    as \\xNN escapes (str(path) would hold surrogates, which no store or terminal takes)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


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
                # not a folder: a FIFO, socket or device is listed too, to be reported as skipped
                if (child.is_symlink() or not child.is_dir())
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


def _open_regular(path: Path):
    """The file opened for reading, refusing what is not a regular file: opening a FIFO (or a
    symlink to one) for reading would wait for a writer for ever, and a device never ends."""
    if not stat.S_ISREG(mode := os.stat(path).st_mode):
        raise _NotRegular(mode)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO put there since the stat: no wait
    try:
        if not stat.S_ISREG(mode := os.fstat(fd).st_mode):
            raise _NotRegular(mode)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


_NODE_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a folder",
}


class _NotRegular(Exception):
    def __init__(self, mode: int):
        self.kind = _NODE_KINDS.get(stat.S_IFMT(mode), "an unknown kind of file")


def _read_bytes(path: Path, limit: int) -> bytes:
    """The file's bytes, gunzipped if named .gz, refusing more than `limit` bytes."""
    with _open_regular(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit and not path.name.lower().endswith(".gz"):
            raise _TooLarge(size)
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
    """Every article in one file, as Docs (skipped ones carry their reason); never raises for
    what is in the file, so one bad file cannot stop an ingest."""
    now = now or datetime.now()
    origin = printable_path(path)
    fmt = file_format(path)
    if fmt is None:
        yield _skip(origin, "unknown", now, f"not a supported file type ({path.suffix or 'no extension'})")
        return
    limit = max_file_bytes if fmt in ("txt", "html") else max_file_bytes * 50
    found = 0
    try:
        if fmt in ("txt", "html"):
            data = _read_bytes(path, limit)
            if not data.strip():
                yield _skip(origin, fmt, now, "empty file")
                return
            yield Doc(origin=origin, format=fmt, ingested_at=now, raw=data, raw_hash=sha256(data))
            return
        if fmt == "warc":
            docs = read_warc(path, origin=origin, now=now)
        else:
            # Containers hold many articles: a larger limit, each record checked on its own.
            data = _read_bytes(path, limit)
            if not data.strip():
                yield _skip(origin, fmt, now, "empty file")
                return
            text, _enc = decode(data)
            del data
            reader = {"json": read_json, "jsonl": read_jsonl, "csv": read_csv}[fmt]
            tab = ".tsv" in (s.lower() for s in path.suffixes)
            docs = reader(text, origin, now=now, delimiter="\t" if tab else ",")
        for doc in docs:
            found += 1
            yield doc
        if not found:
            what = "no HTML page in this WARC" if fmt == "warc" else "no article in this file"
            yield _skip(origin, fmt, now, what)
    except _TooLarge as exc:
        yield _skip(
            origin,
            fmt,
            now,
            f"file too large ({exc.size / 2**20:.1f} MiB > {limit / 2**20:.0f} MiB);"
            " raise CAUNOI_MAX_FILE_BYTES to read it",
        )
    except _NotRegular as exc:
        yield _skip(origin, fmt, now, f"not a regular file: {exc.kind}")
    except DecodeError as exc:
        yield _skip(origin, fmt, now, str(exc))
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        yield _skip(origin, fmt, now, f"cannot read{_after(found)}: {_brief(exc)}")
    except Exception as exc:  # a reader's bug on some input: that file is reported, the rest goes on
        log.warning("reading %s failed: %s", origin, _brief(exc))
        log.debug("what reading %s raised", origin, exc_info=True)  # the traceback, for a developer
        yield _skip(origin, fmt, now, f"cannot read{_after(found)}: {_brief(exc)}")


def _after(found: int) -> str:
    return f" past its first {found} records" if found else ""


def _brief(exc: BaseException) -> str:
    """An exception in a reason: its kind and the start of its message (which may quote the file)."""
    message = str(exc)
    return f"{exc.__class__.__name__}: {message[:200]}{'…' if len(message) > 200 else ''}"


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
    text, html = _as_str(_pick(lowered, FIELDS["text"])), _as_str(_pick(lowered, FIELDS["html"]))
    if not (text and text.strip()) and not (html and html.strip()):  # first: files of millions of {}
        return _skip(origin, fmt, now, "record has no text: expected a text, body, content or html field")
    mapped = {name: _pick(lowered, aliases) for name, aliases in FIELDS.items()}
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


# -- JSON: read item by item, so a list of millions of records is never held whole ------------------

MAX_DIGITS = 100  # a longer JSON integer is kept as its digits (Python refuses past 4,300)


def _integer(digits: str) -> int | str:
    return int(digits) if len(digits) <= MAX_DIGITS else digits


# NaN and ±Infinity are no JSON (Python reads them; PostgreSQL refuses them): no value
_DECODER = json.JSONDecoder(parse_int=_integer, parse_constant=lambda _name: None)
_SPACE = re.compile(r"[ \t\n\r]*")


class _Reader:
    """A JSON text read one value at a time (json.JSONDecoder.raw_decode), so the items of a
    top-level list are taken one by one and none is held longer than its turn."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        self.pos = _SPACE.match(self.text, self.pos).end()
        return self.text[self.pos : self.pos + 1]

    def take(self, char: str, expected: str) -> None:
        if self.peek() != char:
            raise json.JSONDecodeError(f"Expecting {expected}", self.text, self.pos)
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        value, self.pos = _DECODER.raw_decode(self.text, self.pos)
        return value

    def items(self) -> Iterator[Any]:
        """The items of the list whose "[" was just taken, then its "]"."""
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            if self.peek() == ",":
                self.pos += 1
                continue
            self.take("]", "',' delimiter")
            return

    def end(self) -> None:
        if self.peek():
            raise json.JSONDecodeError("Extra data", self.text, self.pos)


def _json_problem(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
    return f"JSON nested too deep ({exc.__class__.__name__})"


def read_json(text: str, origin: str, *, now: datetime, delimiter: str = ",") -> Iterator[Doc]:
    reader = _Reader(text)
    count = 0
    try:
        first = reader.peek()
        if first == "[":
            reader.pos += 1
            for i, record in enumerate(reader.items()):
                count += 1
                yield _json_item(record, i, origin, now)
        elif first == "{":  # one article, or {"articles": [...]}
            reader.pos += 1
            record: dict[str, Any] = {}
            wrapper = False
            while reader.peek() != "}":
                if record or wrapper:
                    reader.take(",", "',' delimiter")
                if reader.peek() != '"':
                    raise json.JSONDecodeError("Expecting property name", text, reader.pos)
                key = reader.value()
                reader.take(":", "':' delimiter")
                if key == "articles" and reader.peek() == "[" and not wrapper:
                    wrapper, reader.pos = True, reader.pos + 1
                    for i, item in enumerate(reader.items()):
                        count += 1
                        yield _json_item(item, i, origin, now)
                else:
                    record[key] = reader.value()
            reader.pos += 1
            reader.end()
            if not wrapper:
                yield doc_from_record(record, origin, "json", now)
            return
        else:
            reader.value()
            reader.end()
            yield _skip(
                origin, "json", now, 'JSON must be an article object, a list of them, or {"articles": [...]}'
            )
            return
        reader.end()
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f"; the {count} items before it were read" if count else ""
        yield _skip(origin, "json", now, _json_problem(exc) + where)


def _json_item(record: Any, i: int, origin: str, now: datetime) -> Doc:
    where = f"{origin}#{i}"
    if isinstance(record, dict):
        return doc_from_record(record, where, "json", now)
    return _skip(where, "json", now, f"item {i} is a {type(record).__name__}, not an article object")


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` one at a time, split at "\n" only (a JSON string may hold U+2028)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield text[start:end]
        start = end + 1


def read_jsonl(text: str, origin: str, *, now: datetime, delimiter: str = ",") -> Iterator[Doc]:
    for lineno, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        where = f"{origin}#L{lineno}"
        try:
            record = _DECODER.decode(line.strip(" \t\r\ufeff"))
        except json.JSONDecodeError as exc:
            yield _skip(where, "jsonl", now, f"line {lineno}: invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        except RecursionError as exc:
            yield _skip(where, "jsonl", now, f"line {lineno}: {_json_problem(exc)}")
            continue
        if not isinstance(record, dict):
            yield _skip(
                where, "jsonl", now, f"line {lineno}: a {type(record).__name__}, not an article object"
            )
            continue
        yield doc_from_record(record, where, "jsonl", now)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def read_csv(text: str, origin: str, *, now: datetime, delimiter: str = ",") -> Iterator[Doc]:
    csv.field_size_limit(50 * 1024 * 1024)
    # lines one at a time (as a file opened with newline="" gives them), not a copy of the text
    reader = csv.DictReader((m.group() for m in _LINE.finditer(text)), delimiter=delimiter)
    try:
        header = [str(h).strip().lower() for h in reader.fieldnames or []]
    except csv.Error as exc:
        yield _skip(origin, "csv", now, f"malformed CSV header: {exc}")
        return
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


# -- WARC ----------------------------------------------------------------------------------------


def read_warc(path: Path, *, origin: str | None = None, now: datetime) -> Iterator[Doc]:
    """HTML responses (and resource records) in a WARC; a record that cannot be read is reported
    and the next one read; a truncated file keeps what came before."""
    from warcio.archiveiterator import ArchiveIterator

    origin = origin or printable_path(path)
    count = 0
    with _open_regular(path) as fh:
        try:
            records = ArchiveIterator(fh)
            # warcio fails on a response without a target URI and so loses the rest of the file:
            # that record is read as one without HTTP headers, and reported below
            load = records.loader.load_http_headers
            records.loader.load_http_headers = lambda kind, uri, *rest: load(kind, uri or "", *rest)
            for record in records:
                if record.rec_type not in ("response", "resource"):
                    continue
                doc = _warc_record(record, origin, now)
                if doc is None:
                    continue
                if not doc.skipped and getattr(record.raw_stream, "limit", 0) > 0:
                    # the file ended inside this record: its body is cut short
                    raise EOFError(f"record {doc.url} is cut short")
                count += 1
                yield doc
        except Exception as exc:  # warcio raises many kinds on a damaged file: what came before is kept
            message = str(exc)[:200]
            yield _skip(origin, "warc", now, f"truncated or damaged WARC after {count} records: {message}")


def _warc_record(record: Any, origin: str, now: datetime) -> Doc | None:
    """One response or resource record: its page, a skipped Doc saying why not, or None when it is
    no HTML page (an image, a stylesheet, a redirect)."""
    uri = record.rec_headers.get_header("WARC-Target-URI")
    if not uri:
        where = f"{origin}#{record.rec_headers.get_header('WARC-Record-ID') or '?'}"
        return _skip(where, "warc", now, "WARC record without WARC-Target-URI: whose page it is is unknown")
    http = record.http_headers
    ctype = http.get_header("Content-Type", "") if http else record.rec_headers.get_header("Content-Type", "")
    if "html" not in (ctype or "").lower():
        return None
    if http and not (http.get_statuscode() or "").startswith("2"):
        return None
    where = f"{origin}#{storable(uri)}"  # the origin is stored as it is: no NUL
    encoding = ((http.get_header("Content-Encoding") if http else None) or "").strip().lower()
    try:
        if encoding == "br":  # warcio's brotli reader does not work with the brotli package
            import brotli

            data = brotli.decompress(record.raw_stream.read())
        else:
            data = record.content_stream().read()
    except Exception as exc:  # a body its Content-Encoding or chunking does not explain
        how = f"Content-Encoding: {encoding}" if encoding else "its body"
        return _skip(where, "warc", now, f"cannot decode the record ({how}): {_brief(exc)}")
    if not data.strip():
        return _skip(where, "warc", now, "empty response body")
    charset = None
    if "charset=" in ctype.lower():
        charset = ctype.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    return Doc(
        origin=where,
        format="warc",
        ingested_at=now,
        raw=data,
        raw_hash=sha256(data),
        url=uri,
        meta={"declared_charset": charset} if charset else {},
    )
