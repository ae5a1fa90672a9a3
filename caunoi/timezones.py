"""Times with zones: the store keeps a moment (a deadline, when an alert was raised, an audit entry)
in UTC without its zone; a reader sees it in their zone, named — "25/11/2026 10:18 (GMT+1, Paris)".

A reader's zone is a mission officer's mission's (the unit's `timezone`, else its seat's when that
country has one zone), else the organisation's (the setting `timezone`). A time typed without an
offset is read in the typer's zone and stored in UTC. The API gives moments in UTC, with a `Z`.

Articles are the exception: their publication times are Hà Nội wall-clock (ARTICLE_ZONE, see
caunoi.text.timestamps), so that "published on 1/10" is one day for every reader; they are shown as
they are, and windows over them are measured on that clock (`article_clock`), not the server's.
This module imports nothing of caunoi but its errors: the store's clock is here too."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta, tzinfo
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from caunoi.errors import CaunoiError, Invalid

HANOI = "Asia/Ho_Chi_Minh"
ARTICLE_ZONE = ZoneInfo(HANOI)  # articles' `published`: naive wall-clock time here
SHOWN = "%d/%m/%Y %H:%M"  # how the web pages write a time; the CLI writes %Y-%m-%d %H:%M

# the place a zone is named by when its IANA name says another (Viet Nam's one zone is Hà Nội's time)
_PLACES = {HANOI: {"vi": "Hà Nội", "en": "Hanoi"}, "UTC": {"vi": "UTC", "en": "UTC"}}


class TimezoneError(Invalid):
    """A time zone that is not an IANA name the system knows."""


def utcnow() -> datetime:
    """Now in UTC, naive: as the store keeps moments."""
    return datetime.now(UTC).replace(tzinfo=None)


def article_clock(at: datetime | None = None) -> datetime:
    """A time on the articles' clock, as their `published` is kept and compared (Hà Nội wall-clock,
    naive): now when None — whatever the server's own zone —, an aware time converted, a naive one
    taken as already on it. Alert windows, stories' `since` and rising windows are measured so."""
    if at is None:
        return datetime.now(ARTICLE_ZONE).replace(tzinfo=None)
    return at.astimezone(ARTICLE_ZONE).replace(tzinfo=None) if at.tzinfo else at


def zone(name: str | tzinfo | None, error: type[CaunoiError] = TimezoneError) -> tzinfo:
    """The zone of an IANA name ("Europe/Paris"), or `error` saying to give one; a zone as it is."""
    if isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(str(name or "").strip())
    except (ValueError, ZoneInfoNotFoundError):
        raise error(
            "bad_timezone", "time zone {value!r}: give an IANA name such as Europe/Paris", value=name
        ) from None


def check_zone(name: str | None, error: type[CaunoiError] = TimezoneError) -> str | None:
    """A zone as a field stores it: its IANA name, checked; empty as None."""
    if name is None or not str(name).strip():
        return None
    return str(zone(name, error))


@functools.cache
def _country_zones() -> dict[str, list[str]]:
    """Country -> its zones, from the tz database's zone.tab (the tzdata package's, else the system's)."""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        path = Path("/usr/share/zoneinfo/zone.tab")
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    zones: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            zones.setdefault(parts[0], []).append(parts[2])
    return zones


def zone_of_country(country: str | None) -> str | None:
    """A country's time zone when it has only one (FR: Europe/Paris), else None (US, RU, …)."""
    found = _country_zones().get((country or "").upper(), [])
    return found[0] if len(found) == 1 else None


def unit_zone(unit: Any) -> str | None:
    """A unit's zone (a Unit or its row): its own `timezone`, else its seat's when that has one."""
    if unit is None:
        return None
    get = unit.get if isinstance(unit, dict) else lambda name: getattr(unit, name, None)
    return get("timezone") or zone_of_country(get("country"))


def reader_zone(organisation: str, mission: Any = None) -> str:
    """Where a reader's times are shown and typed times read: their mission's zone (a mission
    officer's), else the organisation's (the setting `timezone`)."""
    return unit_zone(mission) or organisation


def local(at: datetime | None, tz: str | tzinfo) -> datetime | None:
    """A stored moment (naive UTC, or aware) in the zone `tz`, with its offset."""
    if at is None:
        return None
    return aware(at).astimezone(zone(tz))


def aware(at: datetime | None, stored: tzinfo = UTC) -> datetime | None:
    """A stored time with its zone: naive times are in `stored` (UTC; articles: ARTICLE_ZONE)."""
    if at is None:
        return None
    return at.replace(tzinfo=stored) if at.tzinfo is None else at


def to_utc(at: datetime, tz: str | tzinfo) -> datetime:
    """A time as typed — without an offset it is read in `tz` — as the store keeps it: naive UTC.
    A wall-clock time that a DST change skips or repeats is read with the offset before the change."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=zone(tz))
    return at.astimezone(UTC).replace(tzinfo=None)


def offset_name(at: datetime) -> str:
    """The offset of an aware time from UTC as people write it: GMT+7, GMT+5:30, GMT-3, GMT."""
    offset = at.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if not minutes:
        return "GMT"
    hours, rest = divmod(abs(minutes), 60)
    return f"GMT{'-' if minutes < 0 else '+'}{hours}" + (f":{rest:02d}" if rest else "")


def place(key: str, lang: str = "vi") -> str:
    """The place a zone is named by: Hà Nội (vi) or Hanoi (en) for Asia/Ho_Chi_Minh, New York for
    America/New_York."""
    if key in _PLACES:
        return _PLACES[key].get(lang, _PLACES[key]["en"])
    return key.rsplit("/", 1)[-1].replace("_", " ")


def zone_note(at: datetime, lang: str = "vi") -> str:
    """What says whose time an aware time is: "GMT+1, Paris"."""
    key = getattr(at.tzinfo, "key", None)
    return f"{offset_name(at)}, {place(key, lang)}" if key and key != "UTC" else offset_name(at)


def shown(
    at: datetime | None, tz: str | tzinfo, lang: str = "vi", *, pattern: str = SHOWN, stored: tzinfo = UTC
) -> str:
    """A stored time in the zone `tz`, its zone named: "25/11/2026 10:18 (GMT+1, Paris)"; "" for none."""
    if at is None:
        return ""
    here = aware(at, stored).astimezone(zone(tz))
    return f"{here.strftime(pattern)} ({zone_note(here, lang)})"


def iso_utc(at: datetime | None) -> str | None:
    """A stored moment as the API and --json give it: ISO 8601 in UTC with a Z (2026-11-25T09:18:00Z)."""
    if at is None:
        return None
    return aware(at).astimezone(UTC).isoformat().replace("+00:00", "Z")
