"""The opaque `cursor` of paged lists: base64 of a small JSON object, an `offset` (search) or the
key of the last row shown (`after`: of a story, or of an outreach activity). A cursor we did not
give is a 400 `bad_cursor`, never a database error; offsets stop at MAX_OFFSET."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from caunoi.app.api.errors import ApiError
from caunoi.models import MAX_ID
from caunoi.stories.view import StorySummary

MAX_OFFSET = 100_000  # how deep a cursor may page


def _bad_cursor() -> ApiError:
    return ApiError(400, "bad_cursor", "this cursor is not one we gave: start again without it")


def _pack(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _unpack(cursor: str, key: str) -> Any:
    """The `key` of a cursor made by `_pack`; 400 for anything else (a search cursor has no
    `after`, a story cursor no `offset`)."""
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))[key]
    except (binascii.Error, ValueError, TypeError, KeyError, IndexError):
        raise _bad_cursor() from None


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def encode_cursor(offset: int) -> str:
    return _pack({"offset": offset})


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    offset = _unpack(cursor, "offset")
    if not _whole(offset, 0, MAX_OFFSET):
        raise _bad_cursor()
    return offset


StoryKey = tuple[int, datetime, int]  # (articles, last_seen, id): the order stories are listed in


def encode_story_cursor(story: StorySummary) -> str:
    """The cursor of the page after `story`, the last one of this page (as Service.story_list gives it)."""
    return _pack({"after": [story.articles, story.last_seen.isoformat(), story.id]})


def decode_story_cursor(cursor: str | None) -> StoryKey | None:
    if not cursor:
        return None
    after = _unpack(cursor, "after")
    try:
        size, seen, story_id = after
        last_seen = datetime.fromisoformat(seen)
    except (TypeError, ValueError):
        raise _bad_cursor() from None
    if not (_whole(size, 0, MAX_ID) and _whole(story_id, 1, MAX_ID)) or last_seen.tzinfo is not None:
        raise _bad_cursor()
    return size, last_seen, story_id


ActivityKey = tuple[datetime, int]  # (starts_at, id): the order activities are listed in


def encode_activity_cursor(starts_at: datetime, activity_id: int) -> str:
    """The cursor of the page after the activity (`starts_at` as stored: UTC, naive), the last one
    of this page (as Activities.list gives them)."""
    return _pack({"after": [starts_at.isoformat(), activity_id]})


def decode_activity_cursor(cursor: str | None) -> ActivityKey | None:
    if not cursor:
        return None
    after = _unpack(cursor, "after")
    try:
        at, activity_id = after
        starts_at = datetime.fromisoformat(at)
    except (TypeError, ValueError):
        raise _bad_cursor() from None
    if not _whole(activity_id, 1, MAX_ID) or starts_at.tzinfo is not None:
        raise _bad_cursor()
    return starts_at, activity_id


def paged(rows: list[Any], offset: int, limit: int) -> tuple[list[Any], str | None]:
    """The page of `rows` (fetched with one extra row) and the cursor of the next page, if any."""
    more = len(rows) > limit and offset + limit <= MAX_OFFSET
    return rows[:limit], encode_cursor(offset + limit) if more else None
