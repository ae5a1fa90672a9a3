"""Publication timestamps as sources write them in metadata: ISO, RFC 2822, 20201001, 01/10/2020 18:20."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

# Stored timestamps are naive wall-clock time in this zone, so "published on 1/10" means
# the same day to a reader in Hanoi whatever zone the source wrote.
LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ ,T-]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?")


def to_local(dt: datetime) -> datetime:
    """Naive wall-clock time in LOCAL_ZONE; a naive input is taken as already local."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(LOCAL_ZONE).replace(tzinfo=None)
    return dt


def parse_timestamp(value: str | None) -> datetime | None:
    """A datetime from a metadata string, or None when it is not one we can read for sure."""
    if not value:
        return None
    value = str(value).strip()
    m = _COMPACT.match(value)
    if m:
        y, mo, d, hh, mm, ss = (int(g) if g else 0 for g in m.groups())
        try:
            return datetime(y, mo, d, hh, mm, ss)
        except ValueError:
            return None
    try:
        return to_local(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        pass
    m = _DAY_FIRST.match(value)  # Vietnamese and most non-US sources write the day first
    if m:
        d, mo, y, hh, mm, ss = (int(g) if g else 0 for g in m.groups())
        try:
            return datetime(y, mo, d, hh, mm, ss)
        except ValueError:
            return None
    try:
        return to_local(parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError):
        return None
