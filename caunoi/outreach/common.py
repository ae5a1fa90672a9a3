"""What campaigns, packs, products and activities check alike: codes of countries, languages and
currencies, lists given as text, dates and times in a zone, money, and attached files.

Times: an activity happens somewhere; its times are read in its zone (an IANA name), stored in UTC
and shown back in that zone. A date alone is that day's 00:00. Dates are read as ISO (2026-10-13)
or as Vietnamese offices write them (13/10/2026, day first); a month-first date is never guessed.

Files: size-limited (the setting `outreach_max_file_bytes`), kept with their SHA-256, and only of the
kinds a pack or a report needs — PDF, Word, Excel, PowerPoint, OpenDocument, plain text and CSV,
images (PNG, JPEG, GIF, WebP) — recognised from their bytes, not their names. Kinds that can run code
are refused: macro-enabled Office files, executables, scripts, HTML and SVG."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pycountry

from caunoi import errors, timezones
from caunoi.errors import Invalid
from caunoi.store.outreach import OutreachRepository
from caunoi.timezones import local, utcnow, zone_of_country  # noqa: F401 (what outreach modules use)


class OutreachError(Invalid):
    """An outreach request refused; the message says why and what to do instead."""


class NotFound(OutreachError, errors.NotFound):
    """No campaign, pack, product or activity with that code, id or key."""

    kind = errors.NotFound.kind


class TakenError(OutreachError, errors.Conflict):
    """A code or key already in use, or a state that forbids the change."""

    kind = errors.Conflict.kind


def clean(value: str | None) -> str | None:
    """Text trimmed and in NFC; empty as None."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value).strip()
    return value or None


def items(values: Iterable[str] | str | None, sep: str = r"[;|\n]+") -> list[str]:
    """A list from a list or from text separated by `sep`, trimmed, without empties or repeats."""
    if values is None:
        return []
    if isinstance(values, str):
        values = re.split(sep, values)
    return list(dict.fromkeys(v for v in (clean(x) for x in values) if v))


def countries(values: Iterable[str] | str | None) -> list[str]:
    """ISO 3166 two-letter codes, checked against the standard."""
    found = []
    for value in items(values, r"[,;|\s]+"):
        code = value.upper()
        if not re.fullmatch(r"[A-Z]{2}", code) or pycountry.countries.get(alpha_2=code) is None:
            raise OutreachError(
                "bad_country_code",
                "country {value!r}: give its ISO 3166 two-letter code, e.g. US",
                value=value,
            )
        found.append(code)
    return list(dict.fromkeys(found))


def language(value: str) -> str:
    code = value.strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", code):
        raise OutreachError(
            "bad_language", "language {value!r}: give a code like vi, en or zh-hans", value=value
        )
    return code


def currency(value: str | None) -> str | None:
    if not (value := clean(value)):
        return None
    code = value.upper()
    if pycountry.currencies.get(alpha_3=code) is None:
        raise OutreachError(
            "outreach_bad_currency",
            "currency {value!r}: give its ISO 4217 code, e.g. EUR or VND",
            value=value,
        )
    return code


def amount(value: str | float | int | None, what: str) -> float | None:
    """A sum of money or a target, read as people write them: '1.500.000', '1,500,000' and
    '1 500 000' are a million and a half; '1,5' and '1.500,50' have a decimal comma; negative refused."""
    if value is None or isinstance(value, int | float):
        number = value
    elif not (text := clean(value)):
        return None
    else:
        digits = re.sub(r"[\s\u00a0_]", "", text)
        if re.fullmatch(r"\d{1,3}([.,]\d{3})+", digits) and len({c for c in digits if c in ".,"}) == 1:
            digits = re.sub(r"[.,]", "", digits)  # thousands separators only: 1.500.000
        elif re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+|\d+,\d+", digits):
            digits = digits.replace(".", "").replace(",", ".")  # a decimal comma: 1.500.000,50 or 1,5
        else:
            digits = digits.replace(",", "")  # 1,500,000.50
        try:
            number = float(digits)
        except ValueError:
            raise OutreachError(
                "outreach_bad_number", "{what} {value!r}: give a number", what=what, value=value
            ) from None
    if number is not None and (number < 0 or number != number or number in (float("inf"),)):
        raise OutreachError("outreach_bad_number", "{what} {value!r}: give a number", what=what, value=value)
    return None if number is None else float(number)


def count(value: str | int | None, what: str) -> int | None:
    number = amount(value, what)
    if number is None:
        return None
    if number != int(number):
        raise OutreachError(
            "outreach_bad_number", "{what} {value!r}: give a whole number", what=what, value=value
        )
    return int(number)


def zone(name: str | None) -> ZoneInfo:
    return timezones.zone(name, OutreachError)


_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2})[:hg](\d{2})(?::(\d{2}))?)?")


def moment(value: str | datetime | date | None, tz: ZoneInfo, what: str) -> datetime | None:
    """A moment given in the zone `tz` (or with its own offset), as a naive UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        local = value
    elif isinstance(value, date):
        local = datetime.combine(value, time())
    else:
        text = value.strip()
        if not text:
            return None
        if match := _DAY_FIRST.fullmatch(text):
            day, month, year, hour, minute, second = (int(g) if g else 0 for g in match.groups())
            try:
                local = datetime(year, month, day, hour, minute, second)
            except ValueError:
                local = None
        else:
            try:
                local = datetime.fromisoformat(text.replace(" ", "T", 1) if len(text) > 10 else text)
            except ValueError:
                local = None
        if local is None:
            raise OutreachError(
                "outreach_bad_date",
                "{what} {value!r}: give a date like 2026-10-13 or 13/10/2026, with a time if known (09:30)",
                what=what,
                value=value,
            )
    return timezones.to_utc(local, tz)


def day(value: str | date | None, what: str) -> date | None:
    if value is None or value == "" or isinstance(value, date):
        return value or None
    at = moment(value, ZoneInfo("UTC"), what)
    assert at is not None
    return at.date()


# -- files -------------------------------------------------------------------------------------

# (magic bytes, media type) of the kinds taken; Office and OpenDocument files are ZIPs, looked into
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_OFFICE = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_TEXT_NAMES = {".txt": "text/plain", ".csv": "text/csv", ".md": "text/markdown"}


@dataclass(frozen=True)
class FileInfo:
    """A file attached to a pack, product or activity (its bytes are fetched apart)."""

    id: int
    name: str
    media_type: str
    size: int
    sha256: str
    created_by: str | None
    created_at: datetime


def attach(repo: OutreachRepository, owner: str, owner_id: int, name: str, content: bytes, by: str,
           max_bytes: int) -> FileInfo:  # fmt: skip
    """Attach a file to the pack, activity or product `owner_id` (checked by `file_values`), audited."""
    return FileInfo(**repo.add_file(owner, owner_id, file_values(name, content, max_bytes), by))


def file_values(name: str, content: bytes, max_bytes: int) -> dict[str, object]:
    """The stored fields of an attached file, or a refusal saying why it is not taken."""
    name = Path(clean(name.replace("\\", "/")) or "file").name[:200]
    if len(content) > max_bytes:
        raise OutreachError(
            "outreach_file_too_big",
            "file {name}: {size} bytes, more than the {limit} allowed (setting outreach_max_file_bytes)",
            name=name,
            size=len(content),
            limit=max_bytes,
        )
    if not content:
        raise OutreachError("outreach_file_empty", "file {name} is empty", name=name)
    media_type = _sniff(name, content)
    return {
        "name": name,
        "media_type": media_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "content": content,
    }


def _refuse(name: str, why: str) -> OutreachError:
    return OutreachError(
        "outreach_file_refused",
        "file {name}: {why}; send PDF, Word, Excel, PowerPoint, OpenDocument, text or CSV, or an image",
        name=name,
        why=why,
    )


def _sniff(name: str, content: bytes) -> str:
    for magic, media_type in _MAGIC:
        if content.startswith(magic):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(name, content)
    if content.startswith((b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xd0\xcf\x11\xe0")):
        # executables, scripts; \xd0\xcf… is the old binary Office format, which carries macros
        raise _refuse(name, "a program, a script or an old binary Office file (it can carry macros)")
    suffix = Path(name).suffix.lower()
    if suffix in _TEXT_NAMES:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _refuse(name, "not UTF-8 text") from None
        if re.search(r"<\s*(script|html|svg|iframe)\b", text[:4096], re.IGNORECASE):
            raise _refuse(name, "text holding HTML or script")
        return _TEXT_NAMES[suffix]
    raise _refuse(name, "not a kind of file taken")


def _zip_kind(name: str, content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            mimetype = archive.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        raise _refuse(name, "a broken ZIP file") from None
    if any(n.lower().endswith(("vbaproject.bin", ".bin")) and "vba" in n.lower() for n in names) or any(
        "macrosheets/" in n.lower() for n in names
    ):
        raise _refuse(name, "an Office file with macros")
    if mimetype.startswith("application/vnd.oasis.opendocument."):
        if any(n.lower().startswith(("basic/", "scripts/")) for n in names):
            raise _refuse(name, "an OpenDocument file with macros")
        return mimetype.strip()
    if "[Content_Types].xml" in names:
        for folder, media_type in _OFFICE.items():
            if any(n.startswith(folder) for n in names):
                return media_type
    raise _refuse(name, "a ZIP archive that is no Office or OpenDocument file")
