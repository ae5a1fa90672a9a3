"""Search folding: lower case, no diacritics, đ→d — one character in, one character out.

Keeping the length lets a match found in folded text be highlighted at the same offsets
in the original, which is how search snippets are made.
"""

from __future__ import annotations

import re
import unicodedata

# Letters whose base is not reachable by Unicode decomposition.
_SPECIAL = {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "ħ": "h"}

# A token is a run of letters and digits; "_" separates, as it does for FTS5's unicode61.
TOKEN_RE = re.compile(r"[^\W_]+")


class _FoldTable(dict):
    """A str.translate table that works out each character the first time it is seen."""

    def __missing__(self, codepoint: int) -> str:
        ch = chr(codepoint)
        out = _SPECIAL.get(ch)
        if out is None:
            lower = ch.lower()
            if len(lower) != 1:  # "İ".lower() is two characters: keep the length
                lower = unicodedata.normalize("NFD", ch)[0].lower()
            base = unicodedata.normalize("NFD", lower)[0]
            out = base if unicodedata.category(base)[0] in "LN" else lower
        self[codepoint] = out
        return out


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """'Đối ngoại Việt Nam' -> 'doi ngoai viet nam', with len(fold(t)) == len(t) for NFC text."""
    return text.translate(_TABLE)


def lower_exact(text: str) -> str:
    """Lower case only, diacritics kept: the form indexed for diacritic-exact search."""
    out = text.lower()
    return out if len(out) == len(text) else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def tokens(text: str) -> list[str]:
    """The tokens the search index sees, in order."""
    return TOKEN_RE.findall(text)


def index_form(text: str, *, exact: bool = False) -> str:
    """Space-joined tokens of the folded (or only lower-cased) text, as both backends index it."""
    return " ".join(tokens(lower_exact(text) if exact else fold(text)))
