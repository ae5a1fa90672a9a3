"""Organisations named in a text that the gazetteers do not list: a head noun ("Bệnh viện", "Công an",
"UBND", "Công ty", "CLB", ... of caunoi/data/gazetteer/org_heads.tsv) and a name, kept with their kind.

"Bệnh viện Bạch Mai" -> Org(kind "hospital", id "org:benh-vien-bach-mai"); "Công an tỉnh Nghệ An" -> one
organisation (the province is part of its name); "hãng Nissan" -> "Nissan" (a common noun before the name is
outside it); "T&T Group" (an English head closes the name). Unknown names are kept with their type.

How names are read
------------------
After the head, the name is a run of, in any order:
- words of org_heads.tsv, capitalised on their first syllable as names are spelled ("Y tế", "Kiểm soát bệnh
  tật", "Hình sự"), a few also in lower case ("nhân dân", "cổ phần"), and describing abbreviations ("THPT",
  "GD&ĐT"): the lower-case syllables of a name are never guessed, so "Sở Y tế tổ chức ..." ends at "tế";
- capitalised words and abbreviations of no list ("Bạch Mai", "Vinamilk", "TMA Solutions"): proper names;
- countries and provinces found by the gazetteer ("Sở Y tế TP.HCM", "Chính phủ Pakistan"), and a place word
  with the place name after it ("Công an tỉnh Nghệ An", "UBND phường Kim Mã"); the name ends after a place;
- numbers right after the head or a word ("Bệnh viện 108", "Quân khu 7", "Trường THCS số 2");
- "và" between words of the list ("Sở Tài nguyên và Môi trường"), and another head that opens a parent
  body ("Phòng Cảnh sát Hình sự Công an tỉnh").
Words are separated by spaces or glued by "-", "&" ("Y Dược-Hoàng Anh Gia Lai", "VH-TT&DL"). A name
of the gazetteer (organisation, medium, post) is never read as part of one: the gazetteer wins. The rules
of each head (org_heads.tsv) decide the rest: a head that is also a syllable of other names ("Trường Sa",
"Hội An") needs a word of the list, an abbreviation or a place first; a country alone names a government
("Chính phủ Pakistan") but not a club ("các CLB Anh"); a head in lower case after "các", "nhiều", ... is a
common noun and names nothing. A personal name after the name is left to caunoi.enrich.persons: a run of
five capitalised syllables or more is cut before a family name ("Bệnh viện Bạch Mai Đào Xuân Cơ"), and after
a title the whole run when the head does not name after people ("Bí thư Thành ủy Đinh Tiến Dũng"). A name
that stops inside a word the list lacks ("Hiệp hội Địa lý") is dropped rather than cut. An abbreviation in
brackets right after the name ("Trung tâm Kiểm soát bệnh tật (CDC)") is a second mention of the same
organisation. Without a head, an abbreviation of no list before a province is a club ("HA Gia Lai").

Ids: "org:" + the name folded (caunoi.text.fold), words joined by "-", the head in its usual form
("Ủy ban nhân dân" -> UBND, "Cty" -> Công ty) and a province as its gazetteer name without "tỉnh" / "TP"
("UBND TP.HCM" and "UBND Thành phố Hồ Chí Minh" -> "org:ubnd-tp-ho-chi-minh"). Gazetteer organisations keep
their own ids ("org:ASEAN", "vnbody:moh"): folded ids are lower case, so the two never collide.

Scores: 0.7 a capitalised head with a distinctive name (a proper name, a place, a number, an abbreviation
of no list); 0.6 a capitalised head with describing words only, a name many bodies share ("Sở Y tế", "Công an
tỉnh"), or a name after a head in lower case ("hãng Nissan" -> "Nissan"); tags use 0.6 and above, as for the
gazetteer's generic names. An abbreviation in brackets has the score of its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from typing import NamedTuple

from caunoi.enrich.gazetteer import (
    TOKEN_RE,
    Mention,
    _sentence_initial,
    find_mentions,
    load_gazetteer,
    read_tsv,
)
from caunoi.text.fold import fold, lower_exact, tokens
from caunoi.text.vietnamese import is_syllable, normalize

DISTINCT, GENERIC = 0.7, 0.6

_PLACE_TYPES = ("country", "province")
_AND = "và"
_DASHES = {" - ", " \u2013 ", "-", "\u2013"}
_NOWHERE = Mention("", "", 0, 0, "", 0.0)
_JOINERS = {"-", "&", "'", "\u2019"}
_ACRONYM = re.compile(r" ?\( ?([^\W\d_][\w&.\-]{1,11})(?= ?[)\-,;])")
_MAX_ELEMENTS = 16
_NAMED = ("place", "place_word", "placename", "number")  # besides capitalised words
_MAX_PLACE_RUN = 4


@dataclass(frozen=True)
class Org:
    """One organisation named in a text; start/end are the offsets of the name as written."""

    name: str
    start: int
    end: int
    id: str  # "org:benh-vien-bach-mai"
    kind: str  # hospital | school | university | company | bank | police | government | court | ...
    head: str | None  # the head noun as written ("Bệnh viện", "hãng"); None for an abbreviation in brackets
    score: float  # 0.7 a distinctive name, 0.6 a shared one ("Sở Y tế") or after a lower-case head

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "head": self.head,
            "start": self.start,
            "end": self.end,
            "score": self.score,
        }

    def to_mention(self) -> Mention:
        """The organisation as a gazetteer-like mention (type "org"), for stages that take mentions."""
        return Mention(self.id, "org", self.start, self.end, self.name, self.score)


class _Head(NamedTuple):
    keys: tuple[str, ...]
    phrase: str
    kind: str
    rules: frozenset[str]
    id_form: str
    common: bool  # written in lower case in the file: a common noun, never part of the name
    exact: tuple[str, ...] | None  # an abbreviation: its tokens as written, matched in that case


class _Word(NamedTuple):
    keys: tuple[str, ...]
    gaps: tuple[str, ...]  # punctuation between the tokens ("" for a space)
    rule: str  # "" | "lower" | "number"
    exact: tuple[str, ...] | None
    kinds: frozenset[str]  # the kinds of heads it may follow; empty: any


class _Lexicon(NamedTuple):
    heads: dict[str, list[_Head]]  # first key -> heads, longest first
    suffixes: dict[str, _Head]
    words: dict[str, list[_Word]]  # first key -> words, longest first
    places: dict[str, list[tuple[str, ...]]]
    generic: set[tuple[str, ...]]
    surnames: frozenset[str]
    titles: frozenset[tuple[str, ...]]  # posts and professions of titles.tsv ("Bí thư", "TS")


def _key(word: str) -> str:
    return lower_exact(normalize(word))


def _split(phrase: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(keys, tokens as written, gaps stripped of spaces) of a phrase of the data file."""
    found = list(TOKEN_RE.finditer(normalize(phrase)))
    cased = tuple(m.group() for m in found)
    gaps = tuple(phrase[a.end() : b.start()].strip() for a, b in pairwise(found))
    return tuple(_key(w) for w in cased), cased, gaps


def _abbreviation(cased: tuple[str, ...]) -> bool:
    return any(sum(c.isupper() for c in w) >= 2 for w in cased)


@cache
def _lexicon() -> _Lexicon:
    heads: dict[str, list[_Head]] = {}
    suffixes: dict[str, _Head] = {}
    words: dict[str, list[_Word]] = {}
    places: dict[str, list[tuple[str, ...]]] = {}
    generic: set[tuple[str, ...]] = set()
    for row in read_tsv("org_heads.tsv")[1]:
        keys, cased, gaps = _split(row["phrase"])
        rules = frozenset(r for r in row.get("rules", "").split("+") if r)
        exact = cased if _abbreviation(cased) else None
        if row["kind"] == "head":
            head = _Head(keys, row["phrase"], row["org_kind"], rules, row.get("id_form", ""),
                         row["phrase"][:1].islower(), exact)  # fmt: skip
            if "suffix" in rules:
                suffixes[keys[-1]] = head
            else:
                heads.setdefault(keys[0], []).append(head)
        elif row["kind"] == "word":
            kinds = frozenset(x for x in row.get("org_kind", "").split("|") if x)
            words.setdefault(keys[0], []).append(_Word(keys, gaps, "".join(rules), exact, kinds))
        elif row["kind"] == "place":
            places.setdefault(keys[0], []).append(keys)
        elif row["kind"] == "generic":
            generic.add(keys)
    for cands in heads.values():
        cands.sort(key=lambda h: -len(h.keys))
    for wcands in words.values():
        wcands.sort(key=lambda w: -len(w.keys))
    for pcands in places.values():
        pcands.sort(key=lambda keys: -len(keys))
    surnames = frozenset(_key(r["surname"]) for r in read_tsv("vn_surnames.tsv")[1])
    titles = frozenset(
        _split(r["title"].replace(".", " "))[0] for r in read_tsv("titles.tsv")[1] if r["kind"] != "address"
    )
    return _Lexicon(heads, suffixes, words, places, generic, surnames, titles)


class _Tok(NamedTuple):
    start: int
    end: int
    text: str
    key: str
    cap: bool  # first letter upper case
    code: bool  # an abbreviation: two letters or more in upper case ("THPT", "GD", "FPT")
    number: bool
    syllable: bool  # a Vietnamese syllable (not "Vinamilk", not "THPT")


def _tok(m: re.Match) -> _Tok:
    return _Tok(m.start(), m.end(), m.group(), *_word_info(m.group()))


@lru_cache(maxsize=1 << 16)
def _word_info(w: str) -> tuple[str, bool, bool, bool, bool]:
    """(key, cap, code, number, syllable) of a token, as _Tok has them."""
    letters = [c for c in w if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return _key(w), bool(letters) and w[:1].isupper(), upper >= 2, w.isdigit(), is_syllable(w)


class _Text:
    def __init__(self, text: str, mentions: list[Mention]):
        self.text = text
        self.toks = [_tok(m) for m in TOKEN_RE.finditer(text)]
        self.covered: dict[int, Mention] = {}  # token index -> the gazetteer mention over it
        self.mention_end: dict[int, int] = {}  # first token of a mention -> index after its last
        starts = {t.start: k for k, t in enumerate(self.toks)}
        ends = {t.end: k for k, t in enumerate(self.toks)}
        for m in mentions:
            if m.start in starts and m.end in ends:
                a, b = starts[m.start], ends[m.end] + 1
                self.mention_end[a] = b
                for k in range(a, b):
                    self.covered[k] = m

    def __len__(self) -> int:
        return len(self.toks)

    def gap(self, a: int, b: int) -> str:
        return self.text[self.toks[a].end : self.toks[b].start]

    def spaced(self, a: int, b: int) -> bool:
        g = self.gap(a, b)
        return 0 < len(g) <= 3 and g.strip(" \t\u00a0") == ""

    def glued(self, a: int, b: int) -> bool:
        """Tokens a and b may stand in one name: a space, or a joiner without spaces ("GD&ĐT",
        "Y Dược-Hoàng Anh"), or " & " between capitalised words ("William Grant & Sons")."""
        g = self.gap(a, b)
        if self.spaced(a, b) or g in _JOINERS:
            return True
        return g == " & " and self.toks[a].cap and self.toks[b].cap

    def initial(self, k: int) -> bool:
        return _sentence_initial(self.text, self.toks[k].start)


def find_orgs(text: str, mentions: list[Mention] | None = None) -> list[Org]:
    """Organisations named in `text` that the gazetteer mentions (found when not given) do not cover,
    left to right, without overlaps."""
    found = find_mentions(text) if mentions is None else mentions
    t = _Text(text, [m for m in found if m.type != "person"])
    lex = _lexicon()
    out: list[Org] = []
    k = 0
    while k < len(t):
        if k in t.covered:
            k += 1
            continue
        found = _head_at(t, k, lex)
        if found is None:
            club = _club(t, k, lex)
            if club is not None:
                out.append(club)
            k += 1
            continue
        j, head, inside = found
        if (k > 0 and (t.gap(k - 1, k) == "/" or (inside and _in_name(t, k, lex)))) or _title_at(
            t, k, j, lex
        ):
            k += 1  # "Công văn số 2502/UBND-THKH", "Thư Viện Về Buôn", "Viện Trưởng Viện ..."
            continue
        if not inside:
            if _generic_before(t, k, lex):
                k = j
                continue
            after = _head_at(t, j, lex) if j < len(t) and t.spaced(j - 1, j) else None
            if after is not None and after[2]:
                k = j  # "trường Đại học Y", "trình báo Công an xã": the capitalised head names it
                continue
        org, end = _read(t, k, j, head, inside, lex)
        if org is None:
            k += 1
            continue
        out.append(org)
        acronym = _acronym(t, org)
        if acronym is not None:
            out.append(acronym)
        k = end
    out += _suffixed(t, lex, out)
    return sorted(out, key=lambda o: o.start)


def _in_name(t: _Text, k: int, lex: _Lexicon) -> bool:
    """Whether a capitalised head at token k continues a capitalised word before it that is no title:
    "Thư Viện Về Buôn" (a library), not "Trưởng Công an xã"."""
    before = t.toks[k - 1]
    if (
        not (before.cap and before.syllable and not before.code and t.spaced(k - 1, k))
        or (k - 1) in t.covered
    ):
        return False
    return not _titled(t, k, lex, 0) and not t.initial(k - 1)


def _title_at(t: _Text, k: int, j: int, lex: _Lexicon) -> bool:
    """Whether a title longer than the head k..j-1 starts at k ("Viện trưởng", "Cục Trưởng")."""
    return any(
        k + n <= len(t) and tuple(x.key for x in t.toks[k : k + n]) in lex.titles for n in range(j - k + 1, 4)
    )


def _club(t: _Text, k: int, lex: _Lexicon) -> Org | None:
    """An abbreviation of no list before a province, as football clubs are named after their sponsor and
    province ("HA Gia Lai", "SL Nghệ An", "SHB Đà Nẵng")."""
    tok = t.toks[k]
    if not (tok.code and tok.text.isalpha() and len(tok.text) <= 4 and tok.text.isupper()) or k + 1 >= len(t):
        return None
    if k > 0 and (t.gap(k - 1, k) in ("", *_JOINERS) or t.toks[k - 1].code):
        return None  # "KHXH&NV TP.HCM", "DAC SAN SOC TRANG"
    m = t.covered.get(k + 1)
    if m is None or m.type != "province" or m.start != t.toks[k + 1].start or not t.spaced(k, k + 1):
        return None
    if m.surface.isupper():
        return None
    if (tok.key,) in lex.titles or tok.key in lex.places or _word_at(t, k, lex, "") is not None:
        return None  # "TS Hà Giang" is a doctor, "THPT Hà Nội" a kind of school
    s, e = tok.start, m.end
    return Org(t.text[s:e], s, e, _slug(t.text[s:e]), "club", None, GENERIC)


def _head_at(t: _Text, k: int, lex: _Lexicon) -> tuple[int, _Head, bool] | None:
    """(index after the head, head, whether the head is part of the name) for a head starting at token k."""
    first = t.toks[k]
    for head in lex.heads.get(first.key, ()):
        j = k + len(head.keys)
        if j > len(t) or tuple(x.key for x in t.toks[k:j]) != head.keys:
            continue
        if any(m in t.covered or not t.spaced(m - 1, m) for m in range(k + 1, j)):
            continue
        if head.exact is not None:
            if tuple(x.text for x in t.toks[k:j]) != head.exact:
                continue
            return j, head, True
        if head.common:
            return j, head, False
        if first.cap:
            return j, head, True
        if "lower" in head.rules and not any(x.cap for x in t.toks[k:j]):
            return j, head, False
    return None


def _generic_before(t: _Text, k: int, lex: _Lexicon) -> bool:
    """Whether a word such as "các", "nhiều" stands right before token k ("các bệnh viện")."""
    for width in (1, 2):
        a = k - width
        spaced = a >= 0 and all(t.spaced(m, m + 1) for m in range(a, k))
        if spaced and tuple(x.key for x in t.toks[a:k]) in lex.generic:
            return True
    return False


def _word_at(t: _Text, i: int, lex: _Lexicon, kind: str) -> _Word | None:
    """The longest word of the list starting at token i, as a name with a head of this kind writes it."""
    for w in lex.words.get(t.toks[i].key, ()):
        if w.kinds and kind not in w.kinds:
            continue
        j = i + len(w.keys)
        if j > len(t) or tuple(x.key for x in t.toks[i:j]) != w.keys:
            continue
        covered = [m for m in range(i, j) if m in t.covered]
        if covered and t.mention_end.get(covered[0], 0) >= j:
            continue  # the gazetteer's name is as long: it wins
        if any(
            t.gap(m - 1, m).strip() != g or len(t.gap(m - 1, m)) > 3
            for m, g in zip(range(i + 1, j), w.gaps, strict=True)
        ):
            continue
        if w.exact is not None:
            if tuple(x.text for x in t.toks[i:j]) != w.exact:
                continue
        elif w.rule == "number":
            if not (j < len(t) and t.toks[j].number and t.spaced(j - 1, j)):
                continue
        elif w.rule != "lower" and not t.toks[i].cap:
            continue
        return w
    return None


def _place_at(t: _Text, i: int, lex: _Lexicon) -> int | None:
    """The index after a place word at token i ("tỉnh", "thị xã", "TP"), written in lower case (an
    abbreviation as in the file), and not the start of a longer word of the list ("xã hội")."""
    if t.toks[i].cap and not t.toks[i].code:
        return None  # "Tỉnh ủy", "Thành phố Hồ Chí Minh" (the gazetteer's)
    longest = max((len(w.keys) for w in lex.words.get(t.toks[i].key, ()) if _spelled(t, i, w)), default=0)
    for keys in lex.places.get(t.toks[i].key, ()):
        j = i + len(keys)
        if j > len(t) or len(keys) < longest or tuple(x.key for x in t.toks[i:j]) != keys:
            continue
        if all(t.spaced(m - 1, m) and not t.toks[m].cap for m in range(i + 1, j)):
            return j
    return None


def _spelled(t: _Text, i: int, w: _Word) -> bool:
    """Whether the tokens from i are the word's, whatever their case."""
    j = i + len(w.keys)
    return j <= len(t) and tuple(x.key for x in t.toks[i:j]) == w.keys


_Element = tuple[str, int, int]  # (kind, first token, index after the last)
# kinds: word (of the list), proper, code (an abbreviation of no list), number, place (a gazetteer country or
# province), place_word ("tỉnh"), placename (the words after a place word), and ("và"), head (a parent body's)


def _read(t: _Text, k: int, j: int, head: _Head, inside: bool, lex: _Lexicon) -> tuple[Org | None, int]:
    """The organisation whose head is tokens k..j-1, and the index after it."""
    elems: list[_Element] = []
    kind, rules = head.kind, head.rules  # of the last head read: "Phòng Cảnh sát Hình sự Công an tỉnh"
    in_place = 0  # words read after a place word: the place's name
    i = j
    while i < len(t) and len(elems) < _MAX_ELEMENTS:
        last = elems[-1][0] if elems else "head"
        abbreviated = last == "place_word" and t.toks[i - 1].code and t.gap(i - 1, i) in (".", ". ")
        if not (t.spaced(i - 1, i) if i == j else t.glued(i - 1, i) or abbreviated):
            break  # "UBND TP. Quảng Ngãi"; not "UBND-THKH"
        tok = t.toks[i]
        # a word of the list wins over a mention inside it: "Bệnh viện Lao và Bệnh phổi" is not Laos
        word = _word_at(t, i, lex, kind)
        if i in t.covered and word is None:
            end = t.mention_end.get(i)
            if end is None or t.covered[i].type not in _PLACE_TYPES or last in ("place", "placename"):
                break  # a gazetteer organisation, medium or post is never part of another name
            elems.append(("place", i, end))
            i = end
            while (
                i < len(t) and t.covered.get(i - 1, _NOWHERE).type == "country" and t.gap(i - 1, i) in _DASHES
            ):
                end = t.mention_end.get(i)  # a pair of countries: "Hội Hữu nghị Việt Nam - Lào"
                if end is None or t.covered[i].type != "country":
                    break
                elems.append(("place", i, end))
                i = end
            continue
        if last == "place":
            foreign = tok.cap and not tok.syllable and not tok.code and t.spaced(i - 1, i)
            if not foreign or (i + 1 < len(t) and t.toks[i + 1].cap and t.spaced(i, i + 1)):
                break  # "Công ty TNHH Việt Nam Suzuki", not "Bộ Ngoại giao Mỹ Ned Price"
            elems.append(("proper", i, i + 1))
            i += 1
            continue
        if in_place:
            if (tok.cap and not tok.code and in_place <= 2 * _MAX_PLACE_RUN) or (
                tok.number and last == "place_word"
            ):
                elems.append(("placename", i, i + 1))
                in_place += 1
                i += 1
                continue
            break
        if word is not None:
            elems.append(("word", i, i + len(word.keys)))
            i += len(word.keys)
            continue
        end = _place_at(t, i, lex)
        if end is not None and (elems or "place" in rules):
            elems.append(("place_word", i, end))
            in_place = 1
            i = end
            continue
        if tok.key == _AND:
            nxt = _word_at(t, i + 1, lex, kind) if i + 1 < len(t) and t.spaced(i, i + 1) else None
            if nxt is None or last != "word" or not t.toks[i + 1].cap or t.toks[i + 1].code:
                break  # "Sở Tài nguyên và Môi trường", not "Vingroup và Masan", "THPT X và THPT Y"
            elems.append(("and", i, i + 1))
            i += 1
            continue
        if tok.number:
            if last not in ("head", "word") and t.gap(i - 1, i) not in _JOINERS:
                break
            elems.append(("number", i, i + 1))
            i += 1
            continue
        if not tok.cap:
            break
        nested = _head_at(t, i, lex)
        if nested is not None and nested[2] and not nested[1].common:
            elems.append(("head", i, nested[0]))  # "Phòng Cảnh sát Hình sự Công an tỉnh"
            kind, rules = nested[1].kind, nested[1].rules
            i = nested[0]
            continue
        elems.append(("code" if tok.code else "proper", i, i + 1))
        i += 1
    elems = _without_person(t, elems, lex, _titled(t, k, lex), "person" not in rules)
    while elems and (elems[-1][0] == "and" or (elems[-1][0] == "head" and _open(t, elems[-1]))):
        elems.pop()
    if sum(e == "placename" for e, _, _ in elems) > _MAX_PLACE_RUN:
        return None, j
    if not elems or _cut_short(t, elems):
        return None, j
    if "typed" in head.rules and elems[0][0] != "word" and (elems[0][0] == "proper" or not inside):
        return None, j  # "Hội An", "Trường Sa"; "thị trường BĐS"
    present = {e for e, _, _ in elems}
    if not any(e in _NAMED or t.toks[a].cap for e, a, _ in elems):
        return None, j  # "Trường quốc tế", "Ngân hàng trung ương": common nouns
    only_place = present == {"place"} and "country" not in head.rules
    if only_place and ("typed" in head.rules or t.covered[elems[0][1]].type == "country"):
        return None, j  # "các CLB Anh", "Bệnh viện Mỹ", "Trung tâm Đà Nẵng": a description
    distinct = bool(present & {"proper", "code", "number", "place", "placename"})
    if inside:
        first, score = k, DISTINCT if distinct else GENERIC
    else:
        while elems and not (elems[0][0] in ("word", "proper", "code") and t.toks[elems[0][1]].cap):
            elems = elems[1:]  # "công ty cổ phần Vinamilk" -> "Vinamilk"
        present = {e for e, _, _ in elems}
        named = bool(present & {"proper", "code"}) or (
            "word" in present and bool(present & {"place", "placename"})
        )
        if not named or len(t.toks[elems[0][1]].text) < 2:
            return None, j  # "công ty Mỹ", "tạp chí U.S. News"
        first, score = elems[0][1], GENERIC
    last_tok = elems[-1][2] - 1
    start, end = t.toks[first].start, t.toks[last_tok].end
    head_text = t.text[t.toks[k].start : t.toks[j - 1].end]
    org = Org(t.text[start:end], start, end, _org_id(t, head, elems), head.kind, head_text, score)
    return org, last_tok + 1


def _without_person(
    t: _Text, elems: list[_Element], lex: _Lexicon, titled: bool, placed: bool
) -> list[_Element]:
    """The elements without a personal name at their end, in the run of capitalised words that ends them:
    a run of five syllables or more ("Bệnh viện Bạch Mai Đào Xuân Cơ"), a Vietnamese name after a foreign
    word ("Tập đoàn Vingroup Phạm Nhật Vượng"), and, after a title, a name after a place word ("Phó Chủ tịch
    UBND thành phố Chử Xuân Dũng") or, when the head's names are not people's (no rule `person`), the
    whole run ("Bí thư Thành ủy Đinh Tiến Dũng", "Giám đốc Sở Y tế Trần Thị Nhị Hà")."""
    if not elems or elems[-1][0] not in ("proper", "placename"):
        return elems
    run_kind = elems[-1][0]
    a = len(elems)
    while a > 0 and elems[a - 1][0] == run_kind:
        a -= 1
    run = [elems[x][1] for x in range(a, len(elems))]
    whole = titled and (run_kind == "placename" or placed)
    if len(run) < (2 if whole else 3):
        return elems
    syllable = [t.toks[x].syllable for x in run]
    for length in (3, 4, 2):
        p = len(run) - length
        if p < (0 if whole else 1) or t.toks[run[p]].key not in lex.surnames or not all(syllable[p:]):
            continue
        if whole or (len(run) >= 5 and p >= 2) or not all(syllable[:p]):
            if run_kind == "placename" and p == 0:
                return elems[:a]  # "UBND thành phố": the place word alone ends the name
            return elems[: a + p]
    if whole and not all(syllable):
        return elems[:a]  # "Bộ trưởng Bộ Giao thông Uy Sovannarith"
    return elems


def _open(t: _Text, elem: _Element) -> bool:
    """Whether a one-word head ending a name may open a word the list does not know ("Trung tâm Hội nghị")."""
    _, a, b = elem
    return b - a == 1 and (b >= len(t) or (t.spaced(a, b) and not t.toks[b].cap and t.toks[b].syllable))


def _titled(t: _Text, k: int, lex: _Lexicon, within: int = 3) -> bool:
    """Whether a title (a post or profession of titles.tsv) ends at most `within` words before token k:
    "Bí thư Thành ủy ...", "Trưởng ban Tổ chức Thành ủy ..."."""
    for q in range(k, max(0, k - within) - 1, -1):
        if any(not t.spaced(m - 1, m) for m in range(q, k + 1) if m > 0):
            return False
        if any(q - n >= 0 and tuple(x.key for x in t.toks[q - n : q]) in lex.titles for n in (1, 2, 3)):
            return True
    return False


def _cut_short(t: _Text, elems: list[_Element]) -> bool:
    """Whether the name ends inside a word the list does not know: one capitalised Vietnamese syllable
    followed by lower-case ones ("Hiệp hội Địa lý", "Ngân hàng TMCP Đại chúng"), not a name of its own."""
    kind, a, b = elems[-1]
    if kind != "proper" or (len(elems) > 1 and elems[-2][0] == "proper") or b >= len(t):
        return False
    tok, nxt = t.toks[a], t.toks[b]
    return tok.syllable and len(tok.text) > 1 and t.spaced(a, b) and not nxt.cap and nxt.syllable


def _org_id(t: _Text, head: _Head, elems: list[_Element]) -> str:
    """The id: "org:" + the folded name, the head in its usual form, provinces by their gazetteer name."""
    gazetteer = load_gazetteer()
    parts = [] if head.common else [head.id_form or head.phrase]
    last = ""
    for kind, a, b in elems:
        if kind == "place":
            entry = gazetteer.get(t.covered[a].entry_id)
            if entry is not None:
                if entry.type == "province" and (last, entry.get("kind")) in _PLACE_DROPPED:
                    parts.pop()  # "UBND tỉnh Quảng Nam" = "UBND Quảng Nam"
                parts.append(entry.name_vi)
                last = kind
                continue
        parts.append(t.text[t.toks[a].start : t.toks[b - 1].end])
        last = " ".join(x.key for x in t.toks[a:b]) if kind == "place_word" else kind
    return _slug(" ".join(parts))


_PLACE_DROPPED = {("tỉnh", "province"), ("thành phố", "municipality"), ("tp", "municipality")}


def _slug(name: str) -> str:
    return "org:" + "-".join(tokens(fold(name)))


def _acronym(t: _Text, org: Org) -> Org | None:
    """An abbreviation in brackets right after the name: "Trung tâm Kiểm soát bệnh tật (CDC)"."""
    m = _ACRONYM.match(t.text, org.end)
    if m is None:
        return None
    letters = [c for c in m.group(1) if c.isalpha()]
    if len(letters) < 2 or any(c.islower() for c in letters):
        return None
    s, e = m.start(1), m.end(1)
    if any(s <= x.start < e and k in t.covered for k, x in enumerate(t.toks)):
        return None  # the gazetteer knows it: "(WHO)"
    return Org(m.group(1), s, e, org.id, org.kind, None, org.score)


def _suffixed(t: _Text, lex: _Lexicon, found: list[Org]) -> list[Org]:
    """Names closed by an English head: "T&T Group", "Vietnam Airlines", "Harvard University"."""
    out = []

    def taken(k: int) -> bool:
        return any(o.start <= t.toks[k].start < o.end for o in found)

    for k, tok in enumerate(t.toks):
        head = lex.suffixes.get(tok.key)
        if head is None or tok.text != head.phrase or k in t.covered or taken(k):
            continue
        a = k
        while a > 0 and k - a < 6 and t.glued(a - 1, a) and not taken(a - 1):
            before = t.toks[a - 1]
            m = t.covered.get(a - 1)
            if (m is not None and m.type not in _PLACE_TYPES) or not (before.cap or before.number):
                break
            a -= 1
        while a < k and a in t.covered and t.covered[a].start < t.toks[a].start:
            a += 1  # a mention that starts before the run
        if a < k and t.initial(a) and t.toks[a].syllable and not t.toks[a + 1].syllable:
            a += 1  # "Theo T&T Group": a sentence's first word
        if a == k:
            continue
        s, e = t.toks[a].start, tok.end
        out.append(Org(t.text[s:e], s, e, _slug(t.text[s:e]), head.kind, head.phrase, DISTINCT))
    return out
