"""Anchors: what an article says that reads the same in every language, for the story clusterer to
join an English or French report to the Vietnamese story of the same event.

Words rarely cross languages; these do:
- names: runs of capitalised words, folded ("Phạm Minh Chính" and "Pham Minh Chinh" are both
  `name:pham minh`, `name:minh chinh`), as word pairs so that a title before the name ("Prime
  Minister Pham Minh Chinh") does not hide it, and the last word of a run alone ("Bão Noru",
  "Typhoon Noru", "le typhon Noru": `name:noru`); a lone capitalised word opening a sentence
  counts only in a pair;
- figures: numbers of two digits or more with their thousands separators read either way ("1.200"
  in Vietnamese, "1,200" in English: `num:1200`), so "32 ngư dân" and "32 fishermen" share `num:32`;
- key terms: the concepts of caunoi/data/lexicons/story_terms.tsv, a term in any language standing
  for its concept ("bão", "typhoon", "typhon": `term:storm`).
The enrichment's canonical entities (country:VN, person:…, vnbody:…) are anchors too; the
clusterer adds them itself. Only the title and the lead are read, as the clusterer does.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import cache
from pathlib import Path

from caunoi.text.fold import fold, lower_exact
from caunoi.text.vietnamese import normalize

TERMS = Path(__file__).resolve().parent.parent / "data" / "lexicons" / "story_terms.tsv"
LEAD_CHARS = 1500  # about the clusterer's LEAD_WORDS
MAX_NUMBER = 10**12

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*")
ROUNDED_FROM = 100_000
_SCALES = {
    "thousand": 1e3, "nghìn": 1e3, "ngàn": 1e3, "mille": 1e3,
    "million": 1e6, "millions": 1e6, "triệu": 1e6,
    "billion": 1e9, "billions": 1e9, "tỷ": 1e9, "tỉ": 1e9, "milliard": 1e9, "milliards": 1e9,
}  # fmt: skip
_SCALED = re.compile(
    r"(?<![\w.,])(?<!\d[ \u00a0\u202f])(\d{1,3})(?:([.,])(\d+))?\s+(" + "|".join(_SCALES) + r")(?!\w)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.,])(?<!\d[ \u00a0\u202f])(\d{1,3}(?:([.,])\d{3})(?:\2\d{3})*|\d+)(?![\d])")
_TERM_WORD = re.compile(r"[^\W_]+(?:[\-/'][^\W_]+)*")  # "covid-19", "a/h5n1", "d'intérêt" are one word
_BREAK = re.compile(r"[.!?…:;\"“”()\[\]«»,\n]")
# capitalised words that open a sentence or stand in names without being one
_FUNCTION = {
    "the", "a", "an", "in", "on", "at", "of", "for", "and", "but", "as", "by", "with", "from", "to",
    "this", "that", "these", "those", "it", "its", "he", "she", "they", "we", "his", "her", "their",
    "after", "before", "while", "when", "if", "last", "mr", "mrs", "ms", "dr",
    "le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "en", "au", "aux", "et", "dans", "pour",
    "sur", "par", "avec", "selon", "il", "elle", "ils", "elles", "ce", "cette", "m", "mme",
}  # fmt: skip


@cache
def _terms() -> tuple[dict[tuple[str, ...], str], int]:
    """Each term of every language as its words -> its concept, and the most words a term has."""
    concept_of: dict[tuple[str, ...], str] = {}
    rows = [ln for ln in TERMS.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    for line in rows[1:]:
        concept, *langs = line.split("\t")
        for terms in langs:
            for term in terms.split("|"):
                for style in ("new", "old"):  # "thủy điện" and "thuỷ điện" alike
                    if term.strip():
                        words = _TERM_WORD.findall(lower_exact(normalize(term, style)))
                        concept_of[tuple(words)] = concept
    return concept_of, max(map(len, concept_of))


def _lead(title: str, text: str) -> str:
    return f"{title}\n{text[:LEAD_CHARS]}"


def names(title: str, text: str) -> set[str]:
    """`name:` anchors: folded pairs of capitalised words in a run, or a lone one inside a sentence.
    A title in Title Case ("Indonesian Navy Submarine Found") is read as lower-case text."""
    out: set[str] = set()
    title_words = _WORD.findall(title)
    if len(title_words) >= 4 and sum(w[0].isupper() for w in title_words) > 0.6 * len(title_words):
        title = ""
    lead = f"{title}\n{text[:LEAD_CHARS]}"
    folded = fold(lead)  # as long as the text: a word's offsets are its folded form's
    breaks = [m.start() for m in _BREAK.finditer(lead)]
    run: list[str] = []
    end = 0
    b = 0  # the next break
    for match in _WORD.finditer(lead):
        # the first word after a break may be capitalised for the sentence alone
        first = end == 0 or (b < len(breaks) and breaks[b] < match.start())
        while b < len(breaks) and breaks[b] < match.start():
            b += 1
        if first:
            _add_run(out, run)
            run = []
        end = match.end()
        word = folded[match.start() : end]
        if lead[match.start()].isupper() and not (first and word in _FUNCTION):
            run.append("\x00" + word if first else word)  # sentence-initial: only counts in a pair
        else:
            _add_run(out, run)
            run = []
    _add_run(out, run)
    return out


def _add_run(out: set[str], run: list[str]) -> None:
    run = [w for w in run if w.lstrip("\x00") not in _FUNCTION]
    if not run:
        return
    if len(run) == 1:
        if not run[0].startswith("\x00") and len(run[0]) >= 3:
            out.add(f"name:{run[0]}")
        return
    for a, b in itertools.pairwise(run):
        out.add(f"name:{a.lstrip(chr(0))} {b}")
    if len(run[-1]) >= 3:  # "Bão Noru", "Typhoon Noru", "le typhon Noru": the last word alone too
        out.add(f"name:{run[-1]}")


def figures(title: str, text: str) -> set[str]:
    """`num:` anchors: numbers of 10 or more, "1.200" and "1,200" both 1200; a large one also to
    three significant digits, as the other language may round it ("331.449.281" and "331,4 triệu"
    and "331.4 million" all give num:331000000)."""
    out = set()
    lead = _lead(title, text)
    for match in _NUMBER.finditer(lead):
        digits = match.group(1)
        value = int(re.sub(r"[.,]", "", digits)) if match.group(2) else int(digits)
        if 10 <= value < MAX_NUMBER:
            out.add(f"num:{value}")
            if value >= ROUNDED_FROM:
                out.add(f"num:{_three_digits(value)}")
    for match in _SCALED.finditer(lead):
        whole, _, decimals, scale = match.groups()
        decimals = decimals or ""
        # "1.200 tỷ", "1,200 billion": a separator before three digits groups thousands
        value = float(whole + decimals) if len(decimals) == 3 else float(f"{whole}.{decimals or 0}")
        value *= _SCALES[lower_exact(scale)]
        if ROUNDED_FROM <= value < MAX_NUMBER:
            out.add(f"num:{_three_digits(value)}")
    return out


def _three_digits(value: float) -> int:
    digits = len(str(int(value)))
    return int(round(value, 3 - digits))


def key_terms(title: str, text: str) -> set[str]:
    """`term:` anchors: the concepts of the cross-lingual lexicon the title or lead names."""
    concept_of, longest = _terms()
    firsts = _first_words()
    words = _TERM_WORD.findall(lower_exact(unicodedata.normalize("NFC", _lead(title, text))))
    out = set()
    for i, word in enumerate(words):
        if word in firsts:
            for n in range(1, longest + 1):
                concept = concept_of.get(tuple(words[i : i + n]))
                if concept:
                    out.add(f"term:{concept}")
    return out


@cache
def _first_words() -> frozenset[str]:
    return frozenset(words[0] for words in _terms()[0])


def anchors(title: str, text: str) -> frozenset[str]:
    """Every anchor of an article's title and lead (its entities aside)."""
    return frozenset(names(title, text) | figures(title, text) | key_terms(title, text))
