"""Take page chrome (share widgets, audio players, comment forms, related-link boxes, tags) out of an
article body, and lift the reprint source ("Theo TTXVN") and the author's byline out of it as metadata.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from caunoi.text.fold import fold

log = logging.getLogger(__name__)

RULES_PATH = Path(__file__).resolve().parent.parent / "data" / "boilerplate.tsv"

# Length limits are what keeps every rule off body prose: chrome is short, paragraphs are not.
PREFIX_MAX = 300  # "Từ khóa: …", "Đọc thêm: <headline>", "© …"
HEADLINE_MAX = 160  # a line in a related-articles list
REPEAT_MAX = 300  # a caption printed twice; dantri captions run to two sentences
CREDIT_MAX = 80  # "Ảnh: TTXVN", "(Ảnh: Reuters)."
ATTRIBUTION_MAX = 60  # the source part of "Theo Reuters, AFP"
BYLINE_MAX = 50  # "Lan Hương - Trường Thịnh (tổng hợp)"
TAIL_LINES = 3  # byline, attribution and a "Tổng hợp" note at most
CAPTION_MIN_WORDS = 4  # a caption printed twice with a paragraph between has at least this many words
PROSE_WORDS = 12  # a sentence this long, with its full stop, under the source line is body, not chrome
TEASER_RUN = 3  # headlines and captions at the end, with no byline above them, to be a related box

HEADING_KINDS = ("related", "tags")  # kinds whose heading takes the short lines after it along


@dataclass(frozen=True)
class Cleaned:
    """An article body without page chrome; `removed` lists what went, in reading order, for audit."""

    text: str
    attribution: str | None = None  # "Theo baoquocte.vn", "Nguồn: TTXVN", as written, no parentheses
    byline: str | None = None  # "Thanh Hà (tổng hợp)" from the last line
    removed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rules:
    """Whole-line chrome rules from caunoi/data/boilerplate.tsv.

    Phrases are compared without tone marks, so "Từ khoá" matches "Từ khóa" but "Nghệ" (turmeric,
    a body subheading) does not match "Nghe"; a line typed with no accents at all ("Binh luan (2)")
    is compared fully folded.
    """

    lines: dict[str, str]  # toneless phrase -> kind
    plain_lines: dict[str, str]  # folded phrase -> kind
    prefixes: list[tuple[str, str, str]]  # (toneless prefix, folded prefix, kind)
    patterns: list[tuple[re.Pattern[str], str]]  # (regex over the folded line, kind)


_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_SPACE = re.compile(r"(?:\s|&nbsp;?)+")  # "&nbsp" without ";" survives in dantri text
_LEAD = re.compile(r"^[\s\-–—•·»>|*+]+")  # bullets and ">>" in front of "Xem thêm"
_TRAIL = re.compile(r"[\s:.…»>|*]+$")  # "Tin liên quan:", "Name *"
_COUNT = re.compile(r"^\(?\d[\d.,]*k?\)?\s+|\s*\(\d[\d.,]*k?\)$|\s+\d[\d.,]*k?$")  # "Bình luận (3)"
_SENTENCE_END = re.compile(r"(?<!\.\.)[.;:]['\"”’»)\]]*$")  # "..." ends truncated headlines too
_SENTENCE_BREAK = re.compile(r"[.!?…]['\"”’»)]* +(\S)")  # a break when the next word is capitalised
_CREDIT = re.compile(r"\(?\s*(anh|photo|nguon anh|do hoa|video|clip)( minh hoa)?\s*(:.*)?\)?\.?")
_CAPTION = re.compile(r"\((anh|photo|nguon|do hoa|video|clip)( minh hoa)?\s*[:)]")
_ATTRIBUTION = re.compile(
    r"\(?\s*(?P<text>(theo|nguồn|source|sources|via)\b\s*:?\s*(?P<src>[^()]+?))\s*\)?\.?",
    re.IGNORECASE,
)
_NOT_A_SOURCE = {"dõi", "đó", "đấy", "đây", "thời"}  # "Theo dõi" (follow), "Theo đó" (accordingly)
_ABBREVIATIONS = {"BS", "TS", "GS", "PGS", "ThS", "TP", "St", "Mr", "Mrs", "Ms", "Dr", "Jr"}
_NAME_JOINERS = {"-", "–", ",", "&", "và"}
_BYLINE = re.compile(r"(?P<names>[^()]+?)\s*(\((?P<note>[^()]{1,60})\))?")
_GLUED = re.compile(r"(?P<names>.*\S)(?P<rest>Theo .+|Tổng hợp)")  # dantri: "Minh PhươngTheo Reuters"
_DASH = re.compile(r"\s*[-–]\s*")
_CLAUSE = re.compile(r",\s*(\w)")


def clean(text: str) -> Cleaned:
    """The body of `text` without page chrome, with attribution and byline taken out as metadata."""
    lines = split_lines(text)
    kinds = classify_lines(lines)
    removed = [line for line, kind in zip(lines, kinds, strict=True) if kind]
    body = [line for line, kind in zip(lines, kinds, strict=True) if not kind]
    body, attribution, byline = take_credits(body)
    if removed:
        log.debug("cleanup removed %d chrome lines (%d chars)", len(removed), sum(map(len, removed)))
    return Cleaned(text="\n".join(body), attribution=attribution, byline=byline, removed=removed)


def split_lines(text: str) -> list[str]:
    """Trimmed non-empty lines with runs of white space (and stray "&nbsp") made one space."""
    lines = (_SPACE.sub(" ", _INVISIBLE.sub("", line)).strip() for line in text.splitlines())
    return [line for line in lines if line]


def classify_lines(lines: list[str]) -> list[str | None]:
    """The chrome kind of each line (see `chrome_kind`, plus "repeat" for a caption printed twice and
    the heading's kind for the headlines listed under it), or None for body text."""
    kinds = [chrome_kind(line) for line in lines]
    _mark_heading_runs(lines, kinds)
    _mark_repeats(lines, kinds)
    _mark_related_tail(lines, kinds)
    return kinds


def chrome_kind(line: str) -> str | None:
    """The kind of chrome ("widget", "audio", "comment", "related", "link", "tags", "copyright") a
    whole line is, or None for a line that may be body text."""
    kind = _rule_kind(line)
    return None if kind == "source" else kind


def _rule_kind(line: str) -> str | None:
    """The kind of the first rule in boilerplate.tsv that matches the whole line."""
    rules = load_rules()
    plain = _is_plain(line)
    lead = _form(line, plain=plain)
    bare = _TRAIL.sub("", lead)
    phrases = rules.plain_lines if plain else rules.lines
    for candidate in {bare, _COUNT.sub("", bare)}:
        if candidate in phrases:
            return phrases[candidate]
        folded = fold(candidate)
        for pattern, kind in rules.patterns:
            if pattern.fullmatch(folded):
                return kind
    for toneless, folded, kind in rules.prefixes:
        if _prefix_matches(lead, folded if plain else toneless, kind, line):
            return kind
    return None


def _is_plain(text: str) -> bool:
    """True for text typed without any diacritics."""
    nfc = unicodedata.normalize("NFC", text)
    return fold(nfc) == nfc.lower()


_TONE_MARKS = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323"))  # huyền, sắc, ngã, hỏi, nặng


def _form(text: str, *, plain: bool) -> str:
    """Lower case, no bullets in front, and no tone marks (no diacritics at all when `plain`)."""
    nfc = unicodedata.normalize("NFC", text)
    if plain:
        out = fold(nfc)
    else:
        out = unicodedata.normalize("NFC", unicodedata.normalize("NFD", nfc.lower()).translate(_TONE_MARKS))
    return _LEAD.sub("", out).strip()


def _prefix_matches(lead: str, prefix: str, kind: str, line: str) -> bool:
    if not lead.startswith(prefix) or len(line) > PREFIX_MAX:
        return False
    rest = lead[len(prefix) :].strip()
    if prefix.endswith(":") and not rest:
        return False  # "Xem thêm:" alone is a heading, matched as a line
    # A tag list or a linked headline has no sentence end; "Từ khóa: … được nhắc 50 lần." is prose.
    return kind not in ("link", "tags") or _headline_like(line)


@cache
def load_rules(path: Path = RULES_PATH) -> Rules:
    """Read the chrome rules; lines starting with "#" and the column header are skipped."""
    rules = Rules(lines={}, plain_lines={}, prefixes=[], patterns=[])
    for number, row in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not row.strip() or row.startswith("#") or row.startswith("kind\t"):
            continue
        try:
            kind, match, pattern = row.split("\t")
        except ValueError:
            raise ValueError(
                f"{path}:{number}: expected 3 tab-separated columns (kind, match, pattern)"
            ) from None
        toneless, folded = _form(pattern, plain=False), _form(pattern, plain=True)
        if match == "line":
            rules.lines[_TRAIL.sub("", toneless)] = kind
            rules.plain_lines[_TRAIL.sub("", folded)] = kind
        elif match == "prefix":
            rules.prefixes.append((toneless, folded, kind))
        elif match == "regex":
            rules.patterns.append((re.compile(pattern), kind))
        else:
            raise ValueError(f"{path}:{number}: match must be line, prefix or regex, not {match!r}")
    return rules


def _mark_heading_runs(lines: list[str], kinds: list[str | None]) -> None:
    """After a "Tin liên quan" or "Từ khóa" heading, mark the headline (tag) lines that follow,
    up to the first line that reads like body text."""
    i = 0
    while i < len(lines):
        heading = kinds[i]
        i += 1
        if heading not in HEADING_KINDS:
            continue
        while i < len(lines):
            line = lines[i]
            if kinds[i]:
                if kinds[i] in HEADING_KINDS:
                    break  # the outer loop starts a run of its own there
            elif _in_heading_run(line, heading):
                kinds[i] = heading
            else:
                break
            i += 1


def _in_heading_run(line: str, heading: str) -> bool:
    if not _headline_like(line) or _attribution(line):
        return False
    if heading == "tags":
        return len(line) <= 60
    # A byline right after the list ends it: "Minh Anh" is an author, not a headline.
    return len(line.split()) >= 3 and _byline(line) is None


def _headline_like(line: str) -> bool:
    """Short, one sentence at most and no full stop at the end: a title, not a paragraph."""
    return (
        len(line) <= HEADLINE_MAX
        and not _SENTENCE_END.search(line)
        and not _has_sentence_break(line)
        and any(ch.isalpha() for ch in line)
    )


def _mark_repeats(lines: list[str], kinds: list[str | None]) -> None:
    """Mark the second copy of a caption (alt text and caption, or "Ảnh: X" twice): the same line
    right after itself, or a few lines on with only captions and photo credits in between."""
    kept: list[int] = []  # indices of lines still in the body
    for i, line in enumerate(lines):
        if kinds[i]:
            continue
        if len(line) <= REPEAT_MAX and len(line.split()) >= 2 and _is_repeat(line, lines, kept):
            kinds[i] = "repeat"
            continue
        kept.append(i)


def _is_repeat(line: str, lines: list[str], kept: list[int]) -> bool:
    key = fold(line)
    recent = kept[-3:][::-1]  # nearest first
    for distance, j in enumerate(recent):
        if fold(lines[j]) == key:
            between = [lines[k] for k in recent[:distance]]
            others = [b for b in between if not (_is_credit(b) or _CAPTION.search(fold(b)))]
            # The alt text above a photo and its caption below can have a paragraph between them; a
            # bare credit ("Ảnh: TTXVN") or a short table cell may recur that way on purpose.
            return not others or (len(others) == 1 and _is_caption_sized(line))
    return False


def _is_caption_sized(line: str) -> bool:
    return len(line.split()) >= CAPTION_MIN_WORDS and not _is_credit(line)


def _mark_related_tail(lines: list[str], kinds: list[str | None]) -> None:
    """Mark what a page prints after the article without a heading: under the source line that closes
    it ("Theo TTXVN"), every short line (related headlines and their photo captions, "Link bài gốc",
    the dates of a news list, menus); under a byline alone, a run of headlines and captions; with no
    credit above it, a run of headlines and captions long and mixed enough to be a teaser box."""
    kept = [i for i, kind in enumerate(kinds) if not kind]
    run = _after_source(lines, kept)
    if len(run) < 2:
        rest = list(kept)
        run = []
        while rest and _teaser_like(lines[rest[-1]]):
            run.append(rest.pop())
        captions = sum(bool(_CAPTION.search(fold(lines[i]))) for i in run)
        mixed = len(run) >= TEASER_RUN and 0 < captions < len(run)
        if not (mixed or _closes_article(lines, rest)):
            return
    if len(run) >= 2:
        for i in run:
            kinds[i] = "related"


def _after_source(lines: list[str], kept: list[int]) -> list[int]:
    """The short lines under the last source line ("Theo TTXVN", "Dân Việt") of the body, when that line
    closes the article (see `_closes_article`) and nothing long follows it; [] otherwise."""
    rest = list(kept)
    run: list[int] = []
    while rest and not _is_prose(lines[rest[-1]]) and _attribution(lines[rest[-1]]) is None:
        run.append(rest.pop())
    if not rest or not _closes_article(lines, rest):
        return []
    # A byline printed under the source line stays for take_credits: "Theo TTXVN" / "Minh Anh".
    while run and _tail_credit(lines[run[-1]]) is not None and run[-1] == rest[-1] + 1:
        rest.append(run.pop())
    return run


def _is_prose(line: str) -> bool:
    """A paragraph: long, or a sentence of PROSE_WORDS words or more with its full stop."""
    return len(line) > HEADLINE_MAX or (len(line.split()) >= PROSE_WORDS and bool(_SENTENCE_END.search(line)))


def _closes_article(lines: list[str], rest: list[int]) -> bool:
    """True when `rest` (body line indices) ends with credits (byline, source line, at most TAIL_LINES)
    right under a paragraph; under a short line they may be an item of a list."""
    credits = 0
    while credits < min(TAIL_LINES, len(rest) - 1) and _tail_credit(lines[rest[-1 - credits]]):
        credits += 1
    return credits > 0 and not _headline_like(lines[rest[-1 - credits]])


def _teaser_like(line: str) -> bool:
    """A related article's headline, or the caption of its photo."""
    if _tail_credit(line) is not None:
        return False
    if _CAPTION.search(fold(line)):
        return len(line) <= REPEAT_MAX
    # "Giám đốc Trung tâm …," under an author's name is their title, not a headline.
    return _headline_like(line) and len(line.split()) >= 3 and not line.endswith(",")


def _is_credit(line: str) -> bool:
    return len(line) <= CREDIT_MAX and bool(_CREDIT.fullmatch(fold(line)))


def take_credits(lines: list[str]) -> tuple[list[str], str | None, str | None]:
    """Split the attribution ("Theo TTXVN") and byline ("Minh Anh") off the end of the body,
    and an attribution off its start; returns (body lines, attribution, byline)."""
    body = list(lines)
    names: str | None = None
    note: str | None = None  # "tổng hợp", "thực hiện"
    attribution: str | None = None
    for _ in range(TAIL_LINES):
        if len(body) < 2:
            break  # a one-line body is body, whatever it looks like
        credit = _tail_credit(body[-1])
        if credit is None or (credit[0] and names) or (credit[1] and note):
            break  # a second byline above the first is more likely body
        names, note = names or credit[0], note or credit[1]
        if credit[2]:
            # dantri stacks the writer over the outlet: "Theo Đăng Nguyễn" / "Dân Việt"
            attribution = f"{credit[2]}, {attribution}" if attribution else credit[2]
        body.pop()
    if attribution is None and len(body) >= 2 and (found := _attribution(body[0])):
        attribution = found
        body.pop(0)
    byline = f"{names} ({note})" if names and note else names or note
    return body, attribution, byline


def _tail_credit(line: str) -> tuple[str | None, str | None, str | None] | None:
    """(names, note, attribution) read from one of the last lines, or None for a body line."""
    if found := _attribution(line):
        return None, None, found
    if fold(line).strip("()") == "tong hop":
        return None, line.strip("()"), None  # dantri prints "Tổng hợp" on its own line under the name
    if glued := _GLUED.fullmatch(line):
        found = _byline(glued["names"])
        if found and not found[1] and glued["names"][-1].islower():
            if not glued["rest"].startswith("Theo "):
                return found[0], glued["rest"], None  # "T.ThủyTổng hợp"
            attribution = _attribution(glued["rest"])
            return (found[0], None, attribution) if attribution else None
    if found := _byline(line):
        names, note = found
        if note and fold(note).startswith("theo "):
            return names, None, note  # "Thanh Hà (theo Reuters)"
        return names, note, None
    return None


def _attribution(line: str) -> str | None:
    """ "Theo TTXVN", "(Theo VOV)", "Nguồn: baoquocte.vn", "Source: Reuters" -> the text without
    parentheses; None for a sentence such as "Theo ông A, dự án sẽ …"."""
    if _rule_kind(line) == "source":
        return line.strip("()")  # an outlet's name alone: "TTXVN", "VietnamNet"
    match = _ATTRIBUTION.fullmatch(line)
    if not match:
        return None
    source = match["src"]
    first = source.split()[0].lower() if source.split() else ""
    if (
        not source
        or len(source) > ATTRIBUTION_MAX
        or len(source.split()) > 8
        or first in _NOT_A_SOURCE
        or _SENTENCE_END.search(source)
        or _has_sentence_break(source)
        or any(m[1].islower() for m in _CLAUSE.finditer(source))  # "Theo ông A, dự án …": a clause
    ):
        return None
    return match["text"]


def _byline(line: str) -> tuple[str, str | None] | None:
    """ "Thanh Hà (tổng hợp)" -> ("Thanh Hà", "tổng hợp"): only capitalised names, no digits."""
    match = _BYLINE.fullmatch(line)
    if not match or len(match["names"]) > BYLINE_MAX:
        return None
    words = _DASH.sub(" - ", match["names"]).split()
    names = [w for w in words if w not in _NAME_JOINERS]
    if not names or len(names) > 8 or not all(map(_is_name, names)):
        return None
    if len(names) == 1 and "." not in names[0] and not (names[0].isupper() and len(names[0]) <= 4):
        return None  # one capitalised word ("Disclaimer") is not a byline; initials ("H.Long", "KM") are
    return match["names"], match["note"]


def _is_name(word: str) -> bool:
    """ "Hà", "H.Long", "T.Thủy", "TT": capitalised letters, maybe initials joined by dots."""
    pieces = word.rstrip(",").split(".")
    if pieces[-1] == "":
        pieces.pop()  # "M.P."
    return bool(pieces) and all(p[:1].isupper() and p.isalpha() for p in pieces)


def _has_sentence_break(line: str) -> bool:
    """A full stop and then a capitalised word, not after an initial or a title ("M. Hà", "BS. Sơn")."""
    for match in _SENTENCE_BREAK.finditer(line):
        before = line[: match.start()].rsplit(" ", 1)[-1].rsplit(".", 1)[-1]
        initial = (len(before) == 1 and before.isupper()) or before in _ABBREVIATIONS
        if (match[1].isupper() or match[1] in '"“') and not initial:
            return True
    return False
