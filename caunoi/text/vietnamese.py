"""Vietnamese text normalisation: one Unicode form and one tone-mark placement (dấu thanh) per syllable.

Also tells whether a word is a well-formed Vietnamese syllable, which encoding detection builds on.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

Style = Literal["new", "old"]

# The five tone marks as combining characters: huyền, sắc, ngã, hỏi, nặng.
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_STOP_TONES = "\u0301\u0323"  # a syllable ending in -c, -ch, -p, -t takes only sắc or nặng
_INVISIBLES = {0x200B: None, 0x200C: None, 0x200D: None, 0xFEFF: None, 0xA0: " "}
_MARKED_VOWELS = "ăâêôơư"  # vowels with a quality mark: they carry the tone when present

# onset + vowel cluster + final consonant. "gi" and "qu" are onsets; "gìn" falls back to g + i + n.
_SYLLABLE = re.compile(
    r"(ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđghklmnprstvx]?)([aăâeêioôơuưy]+)(ch|nh|ng|[cmnpt]?)"
)
# Vowel clusters by whether they stand open (no final consonant), closed, or both.
_OPEN, _CLOSED, _BOTH = 1, 2, 3
_CLUSTER_KINDS = {
    _BOTH: "a e ê i o ô ơ u ư y oa oe uy uê",
    _CLOSED: "ă â iê yê uô ươ oă uâ oo uyê",
    _OPEN: "ai ao au ay âu ây eo êu ia iu oi ôi ơi ui ưi ua ưa ưu uơ "
    "iêu yêu oai oay oeo uây uôi ươi ươu uya uyu",
}
_CLUSTERS = {cluster: kind for kind, clusters in _CLUSTER_KINDS.items() for cluster in clusters.split()}
# A letter run, with any combining mark NFC could not attach (a tone typed after a consonant).
_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")


def normalize(text: str, style: Style = "new") -> str:
    """NFC text without zero-width characters, each Vietnamese syllable's tone mark in one place.

    "new" follows the 2018 rule of the Ministry of Education (tone on the main vowel: "hoà",
    "thuỷ", "khoẻ"); "old" is the traditional placement ("hòa", "thủy", "khỏe"). The two only
    differ for open syllables in oa, oe, uy. Words that are not Vietnamese syllables ("café") are
    left as they are.
    """
    text = unicodedata.normalize("NFC", text.translate(_INVISIBLES))
    return _WORD.sub(lambda m: _place_tone(m.group(), style), text)


def is_syllable(word: str) -> bool:
    """True when `word` is one well-formed Vietnamese syllable, in lower, Title or UPPER case.

    Checks the onset, vowel cluster and final consonant, and that a syllable ending in -c, -ch,
    -p or -t has sắc or nặng; tone placement does not matter ("hoà" and "hòa" both pass).
    """
    return _check_syllable(unicodedata.normalize("NFC", word))


@lru_cache(maxsize=65536)
def _check_syllable(word: str) -> bool:
    if not (word.islower() or word.isupper() or (word[:1].isupper() and word[1:].islower())):
        return False
    split = _split_tone(word)
    if split is None:
        return False
    base, tone = split
    parts = _parse(base.lower())
    if parts is None:
        return False
    coda = parts[2]
    return not (tone and coda in ("c", "ch", "p", "t") and tone not in _STOP_TONES)


@lru_cache(maxsize=65536)
def _place_tone(word: str, style: Style) -> str:
    split = _split_tone(word)
    if split is None or not split[1]:
        return word
    base, tone = split
    low = base.lower()
    parts = _parse(low) if len(low) == len(base) else None
    if parts is None:
        return word  # not Vietnamese: keep its accents where the writer put them
    onset, vowels, coda = parts
    if not _may_move(word, vowels, coda):
        return word
    i = len(onset) + _tone_position(vowels, coda, style)
    return base[:i] + unicodedata.normalize("NFC", base[i] + tone) + base[i + 1 :]


def _may_move(word: str, vowels: str, coda: str) -> bool:
    """Whether the tone may be moved: open oa/oe/uy (the two accepted placements), a tone typed on
    a consonant, or a word with a Vietnamese vowel (ă â ê ô ơ ư) — but not a foreign word that only
    happens to parse as a syllable ("più", "aí"), whose accent stays where it was written."""
    if not coda and vowels in ("oa", "oe", "uy"):
        return True
    if any(v in _MARKED_VOWELS for v in vowels):
        return True
    carrier = next(c for c in word if set(unicodedata.normalize("NFD", c)) & set(TONE_MARKS))
    return unicodedata.normalize("NFD", carrier)[0].lower() not in "aeiouy"


def _split_tone(word: str) -> tuple[str, str] | None:
    """The word without its tone mark (NFC) and the mark ("" if none); None if it has several."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [c for c in decomposed if c in TONE_MARKS]
    if len(tones) > 1:
        return None
    base = "".join(c for c in decomposed if c not in TONE_MARKS)
    return unicodedata.normalize("NFC", base), "".join(tones)


def _parse(syllable: str) -> tuple[str, str, str] | None:
    """(onset, vowels, final consonant) of a toneless lower-case syllable, or None if not Vietnamese."""
    m = _SYLLABLE.fullmatch(syllable)
    if m is None:
        return None
    onset, vowels, coda = m.groups()
    kind = _CLUSTERS.get(vowels)
    if kind is None or not kind & (_CLOSED if coda else _OPEN):
        return None
    if onset in ("k", "gh", "ngh") and vowels[0] not in "ieêy":
        return None
    return onset, vowels, coda


def _tone_position(vowels: str, coda: str, style: Style) -> int:
    """Index in `vowels` of the vowel that carries the tone mark."""
    marked = [i for i, v in enumerate(vowels) if v in _MARKED_VOWELS]
    if marked:
        return marked[-1]  # "ươ" takes it on the ơ: "người", "rượu"
    if coda:
        return len(vowels) - 1  # "hoàng", "toán", "huỳnh" in either style
    if len(vowels) == 3:
        return 1  # "ngoài", "khuỷu"
    if vowels in ("oa", "oe", "uy"):
        return 1 if style == "new" else 0
    return 0  # "mùa", "của", "gửi", "quý" (qu is the onset)
