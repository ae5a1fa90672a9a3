"""The services' refusals in Vietnamese, for the web pages.

The services (caunoi.cases, caunoi.store.query, caunoi.search) word their refusals in English,
which the CLI and the API pass on as they are. A page in Vietnamese shows them in Vietnamese:
each pattern of caunoi/data/messages_vi.tsv matches one refusal whole, and its groups (an id, a
value the user typed) are carried into the Vietnamese wording. A message no pattern matches is
shown as it is.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

_STATE = {
    "new": "mới",
    "triaged": "đã phân loại",
    "assigned": "đã giao",
    "answered": "đã trả lời",
    "closed": "đã đóng",
}

TABLE = Path(__file__).resolve().parent.parent / "data" / "messages_vi.tsv"


@functools.cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    """(the English refusal, matched whole; its Vietnamese, with \\1, \\2… for the groups)."""
    rows = (line.split("\t") for line in TABLE.read_text(encoding="utf-8").splitlines())
    return [(re.compile(row[0], re.S), row[1]) for row in rows if row[0] and not row[0].startswith("#")]


def translated(message: str | None, lang: str) -> str | None:
    """`message` in `lang`: Vietnamese when a pattern knows it, else as it is."""
    if not message or lang != "vi":
        return message
    for pattern, vietnamese in _patterns():
        found = pattern.fullmatch(message.strip())
        if found:
            text = found.expand(vietnamese)
            for code, words in _STATE.items():
                text = text.replace(f"«{code}»", f"«{words}»")
            return text
    return message
