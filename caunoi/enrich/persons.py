"""People named in a text, with the title, organisation and country written before the name.

"Trưởng Ban Tuyên giáo Trung ương Nguyễn Trọng Nghĩa" -> Person("Nguyễn Trọng Nghĩa", title "Trưởng Ban",
organisation "Ban Tuyên giáo Trung ương" = vnbody:propaganda); "Ngoại trưởng Nga Sergei Lavrov" ->
Person("Sergei Lavrov", "Ngoại trưởng", country:RU).

How people are found
--------------------
- After a title of caunoi/data/gazetteer/titles.tsv: a post ("Bộ trưởng", "Tổng thống", "Foreign Minister")
  may be followed by an organisation and/or a country ("Bộ Y tế", "UBND TP Hà Nội", "Mỹ"), then the name:
  the first run of capitalised words that the gazetteer does not claim. Organisation words are told from
  the name by Vietnamese orthography: an organisation capitalises the first syllable of each word ("Ngoại
  giao", "Tuyên giáo Trung ương"), a personal name every syllable. In a run that mixes both ("Bkav Nguyễn
  Tử Quảng"), the name starts at a family name of vn_surnames.tsv. Acronyms in capitals are never names.
  A form of address ("ông", "bà", "anh" in lower case, "Mr") takes the name right after it.
- An apposition after the name gives its title: "ông Trần Đức Lai - Chủ tịch Hội Vô tuyến Điện tử Việt Nam".
- The organisation and country are resolved with the gazetteer (caunoi.enrich.gazetteer): mentions inside
  the span, else the span alone, else the span with the head noun the title implies ("Bộ trưởng Ngoại giao"
  -> "Bộ Ngoại giao" = vnbody:mofa). An English name before the title counts too ("US President Joe Biden").
  Organisations the gazetteer does not list (caunoi.enrich.orgs) count as mentions: "Giám đốc Bệnh viện Bạch
  Mai Đào Xuân Cơ" -> organisation_id "org:benh-vien-bach-mai", and the name is never read inside them.
- Without a title (precision first) only a run of 2-4 Vietnamese syllables that starts with a known family
  name, is the whole capitalised run and is not after a place word ("đường Nguyễn Trãi") is kept; a family
  name that is also a common place syllable ("Hà", "Thái") then needs "Văn" or "Thị" after it.
Unknown names are kept: a name need not be in any list.

Scores: 0.95 after a post; 0.85 after a profession; 0.8 after a form of address; 0.7 a one-syllable
Vietnamese name after a title or form of address ("anh Tùng"); 0.6 a name without a title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from caunoi.enrich.gazetteer import Mention, find_mentions, load_gazetteer, read_tsv
from caunoi.enrich.orgs import Org, find_orgs
from caunoi.text.fold import fold, lower_exact
from caunoi.text.vietnamese import is_syllable, normalize

POST, PROFESSION, UNTITLED_VI = 0.95, 0.85, 0.6
ADDRESS, ONE_SYLLABLE = 0.8, 0.7

WORD_RE = re.compile(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*|\d+")
_PARTICLES = {"bin", "ibn", "al", "el", "de", "da", "di", "van", "von", "der", "den", "du", "la", "le", "dos"}
_MIDDLE = {"văn", "thị"}
# lower-case words that may stand in an organisation between a title and a name
_ORG_WORDS = {
    "tỉnh", "thành", "phố", "huyện", "quận", "xã", "phường", "thị", "trấn", "nước", "bang", "và", "tại",
    "của", "cấp", "trung", "ương", "nhân", "dân", "thường", "trực",
}  # fmt: skip
# words before a capitalised run that make it a place or a thing, not a person
_PLACE_HEADS = {
    "đường", "phố", "ngõ", "hẻm", "phường", "quận", "huyện", "xã", "thôn", "làng", "ấp", "tỉnh", "thành",
    "sông", "núi", "hồ", "cầu", "chợ", "trường", "đền", "chùa", "lăng", "tượng", "tuyến", "khu", "bến",
    "cảng", "sân", "giải", "cúp", "bảo", "viện", "quảng", "đảo", "bãi", "vịnh", "đèo",
}  # fmt: skip
_SENTENCE_GAP = re.compile(r"[.!?…:;\"“”()\[\]]")
# first words of organisation names: a run starting with one is not a name unless a family name follows
_ORG_STARTS = {
    "bộ", "ban", "sở", "hội", "viện", "cục", "vụ", "ủy", "trường", "bệnh", "công", "tổng", "tập", "ngân",
    "quỹ", "đảng", "mặt", "liên", "học", "trung", "đại", "nhà", "tòa", "văn", "phòng", "báo", "đài",
}  # fmt: skip


@dataclass(frozen=True)
class Person:
    """One person named in a text; start/end are the offsets of the name."""

    name: str
    title: str | None
    organisation: str | None
    organisation_id: str | None  # a gazetteer id: vnbody:..., org:..., media:...
    country_id: str | None  # country:..
    start: int
    end: int
    score: float

    @property
    def id(self) -> str:
        """'person:nguyen-trong-nghia'."""
        return "person:" + "-".join(fold(self.name).replace("'", " ").replace("\u2019", " ").split())

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "title": self.title,
            "organisation": self.organisation,
            "organisation_id": self.organisation_id,
            "country_id": self.country_id,
            "start": self.start,
            "end": self.end,
            "score": self.score,
        }


@dataclass(frozen=True)
class _Title:
    surface: str
    lang: str
    kind: str  # post | profession | address
    org_head: str
    country: str


def _key(word: str) -> str:
    return lower_exact(normalize(word))


@cache
def _surnames() -> dict[str, bool]:
    """family name key -> ambiguous"""
    return {_key(r["surname"]): r.get("ambiguous") == "yes" for r in read_tsv("vn_surnames.tsv")[1]}


@cache
def _plain_surnames() -> frozenset[str]:
    """Family names as the foreign press writes them, without diacritics ("Pham", "Nguyen", "Tran")."""
    return frozenset(fold(key) for key in _surnames())


@cache
def _titles() -> dict[str, list[tuple[tuple[str, ...], _Title]]]:
    """first word key -> [(word keys, title)], longest first."""
    index: dict[str, list[tuple[tuple[str, ...], _Title]]] = {}
    for r in read_tsv("titles.tsv")[1]:
        t = _Title(r["title"], r["lang"], r["kind"], r.get("org_head", ""), r.get("country", ""))
        keys = tuple(_key(w) for w in WORD_RE.findall(t.surface.replace(".", " ")))
        index.setdefault(keys[0], []).append((keys, t))
    for cands in index.values():
        cands.sort(key=lambda c: -len(c[0]))
    return index


class _Text:
    def __init__(self, text: str, mentions: list[Mention], orgs: Sequence[Org] = ()):
        self.text = text
        self.words = [(m.start(), m.end(), m.group()) for m in WORD_RE.finditer(text)]
        self.keys = [_key(w) for _, _, w in self.words]
        self.mention_at: dict[int, Mention] = {}  # word index -> the mention covering it
        # an organisation outside the gazetteers stands for the places named inside it ("Công an tỉnh Nghệ
        # An"); those are kept apart, for the country
        spans = [o.to_mention() for o in orgs]
        self.nested = [m for m in mentions if any(o.start <= m.start and m.end <= o.end for o in spans)]
        gaz = load_gazetteer()
        for m in [m for m in mentions if m not in self.nested] + spans:
            entry = gaz.get(m.entry_id)
            if entry is not None and entry.get("kind") == "post":
                continue  # "Thủ tướng" is a title here, not an organisation
            for k, (s, e, _) in enumerate(self.words):
                if s >= m.start and e <= m.end:
                    self.mention_at[k] = m

    def __len__(self) -> int:
        return len(self.words)

    def gap(self, a: int, b: int) -> str:
        return self.text[self.words[a][1] : self.words[b][0]]

    def spaced(self, a: int, b: int) -> bool:
        g = self.gap(a, b)
        return bool(g) and g.strip(" \t\u00a0") == "" and "\n" not in g

    def cap(self, k: int) -> bool:
        w = self.words[k][2]
        return w[:1].isupper()

    def acronym(self, k: int) -> bool:
        letters = [c for c in self.words[k][2] if c.isalpha()]
        return len(letters) > 1 and sum(c.isupper() for c in letters) >= 2

    def initial(self, k: int) -> bool:
        """Word k opens a sentence or a line."""
        before = self.text[: self.words[k][0]].rstrip(" \t\"“'‘-–")
        return not before or before[-1] in ".!?…:\n"

    def syllable(self, k: int) -> bool:
        return is_syllable(self.words[k][2])

    def title_at(self, k: int) -> tuple[int, _Title] | None:
        """(index after the title, title) for a title starting at word k."""
        for keys, t in _titles().get(self.keys[k], ()):
            j = k + len(keys)
            if j > len(self) or tuple(self.keys[k:j]) != keys:
                continue
            if any(not _title_gap(self.gap(m, m + 1)) for m in range(k, j - 1)):
                continue
            if t.kind == "address" and t.lang == "vi" and self.cap(k) and not self.initial(k):
                continue  # "Anh" is the country, "Em" a sentence start
            if t.lang == "en" and not self.cap(k):
                continue
            if not t.surface[:1].islower() and t.lang == "vi" and t.kind == "profession" and not self.cap(k):
                continue  # "TS", "HLV" as written
            return j, t
        return None


def _title_gap(gap: str) -> bool:
    return gap in (" ", ".", ". ", "-")


_PLACE_BEFORE = frozenset({"tại", "ở", "in", "at", "to", "from"})


def trailing_name(text: str) -> str | None:
    """The Vietnamese name that ends a role string, where `find_persons` finds none because a
    lower-case word or an acronym comes before it: "Quyền Vụ trưởng Vụ Giáo dục đại học Nguyễn Thu
    Thủy" -> "Nguyễn Thu Thủy", "Chánh Văn phòng Bộ GD&ĐT Trần Quang Nam" -> "Trần Quang Nam". The
    last two to four words, each a capitalised syllable (no acronym), the first a family name, not
    after a preposition of place ("… tại Hàn Quốc" is a country)."""
    words = WORD_RE.findall(text)
    surnames = _surnames()
    for size in (4, 3, 2):
        run = words[-size:]
        if len(run) < size or _key(run[0]) not in surnames:
            continue
        if len(words) > size and _key(words[-size - 1]) in _PLACE_BEFORE:
            continue
        if all(w[0].isupper() and (len(w) == 1 or not w[1:].isupper()) and is_syllable(w) for w in run):
            return " ".join(run)
    return None


def find_persons(
    text: str, mentions: list[Mention] | None = None, orgs: list[Org] | None = None
) -> list[Person]:
    """People named in `text`, left to right, without overlaps. `mentions` (the gazetteer's) and `orgs`
    (caunoi.enrich.orgs) are found when not given. The gazetteer's leaders (its "person" mentions) are
    read here like any name, after their titles."""
    mentions = [m for m in (find_mentions(text) if mentions is None else mentions) if m.type != "person"]
    t = _Text(text, mentions, find_orgs(text, mentions) if orgs is None else orgs)
    out: list[Person] = []
    taken: set[int] = set()
    k = 0
    while k < len(t):
        found = t.title_at(k)
        if found is not None:
            j, title = found
            person, end = _after_title(t, k, j, title)
            if person is not None:
                person, end = _apposition(t, person, end)
                out.append(person)
                taken.update(range(k, end))
                k = end
                continue
        k += 1
    out += _untitled(t, taken)
    return sorted(out, key=lambda p: p.start)


def _after_title(t: _Text, i: int, j: int, title: _Title) -> tuple[Person | None, int]:
    """The person after the title at words i..j-1, and the index after the name."""
    if j >= len(t) or not (
        t.spaced(j - 1, j) or (t.gap(j - 1, j) in (". ", ".") and title.kind == "address")
    ):
        return None, j
    if title.kind == "address":
        name = _name_run(t, j, title)
        if name is None or name[0] != j:
            return None, j
        return _person(t, i, j, name, title, j, j), name[1]
    k = j
    while k < len(t) and k < j + 14:
        if k > j:
            inside = t.mention_at.get(k - 1) is not None and t.mention_at.get(k - 1) is t.mention_at.get(k)
            if not (t.spaced(k - 1, k) or inside):
                return None, j
        if k in t.mention_at:
            m = t.mention_at[k]
            while k < len(t) and t.mention_at.get(k) is m:
                k += 1
            continue
        if k > j and t.title_at(k) is not None and t.cap(k):
            return None, j  # another title: "Chủ tịch nước tiếp Tổng thống ..."
        if t.cap(k) and not t.acronym(k):
            name = _name_run(t, k, title)
            if name is not None:
                return _person(t, i, j, name, title, j, name[0]), name[1]
            while k < len(t) and t.cap(k) and k not in t.mention_at and (k == j or t.spaced(k - 1, k)):
                k += 1
            continue
        if not t.cap(k) and not (k > j and t.cap(k - 1)) and t.keys[k] not in _ORG_WORDS:
            return None, j  # "Bộ trưởng cho biết ..."
        k += 1
    return None, j


def _name_run(t: _Text, k: int, title: _Title | None) -> tuple[int, int, float] | None:
    """(start, end, score) of the personal name in the capitalised run starting at word k, if any."""
    if not _name_word(t, k):
        return None
    run = [k]
    m = k + 1
    while m < len(t) and len(run) < 8 and t.spaced(m - 1, m) and m not in t.mention_at:
        particle = t.keys[m] in _PARTICLES and m + 1 < len(t) and t.cap(m + 1) and not t.syllable(m + 1)
        if _name_word(t, m) or particle:
            run.append(m)
        else:
            break
        m += 1
    end = run[-1] + 1
    surnames = _surnames()
    plain = _plain_surnames()
    for p in run:
        rest = range(p, end)
        # "Phạm Minh Chính", or as the foreign press writes it after a title, "Pham Minh Chinh"
        known = t.keys[p] in surnames or (title is not None and t.keys[p] == fold(t.keys[p]) in plain)
        vietnamese = known and 2 <= len(rest) <= 4 and all(t.syllable(x) for x in rest)
        if vietnamese and (p == k or not all(t.syllable(x) for x in range(k, p))):
            return p, end, 1.0
    if all(t.syllable(x) for x in run):
        if len(run) > 4:
            return None
        if len(run) == 1:
            if len(t.words[k][2]) < 2 or (t.keys[k] in _ORG_STARTS and end < len(t) and t.cap(end)):
                return None  # an initial ("anh H.") or an organisation ("sinh viên Trường ...")
            nxt = end < len(t) and t.spaced(end - 1, end) and not t.cap(end)
            if title is None or (title.kind != "address" and nxt):
                return None  # "Bộ trưởng Ngoại giao": an organisation word
            return k, end, ONE_SYLLABLE
        if t.keys[k] in _ORG_STARTS or (end < len(t) and t.spaced(end - 1, end) and not t.cap(end)):
            return None  # "Bộ Ngoại giao", "Hội Vô tuyến": an organisation's capitalised first syllables
        return k, end, 1.0
    if len(run) > 4:
        return None
    return k, end, 1.0


def _name_word(t: _Text, k: int) -> bool:
    """A capitalised word of letters that is not an acronym nor an initial followed by a dot."""
    w = t.words[k][2]
    if not w[:1].isupper() or not w[:1].isalpha() or t.acronym(k):
        return False
    return not (len(w) == 1 and t.text[t.words[k][1] : t.words[k][1] + 1] == ".")


def _person(
    t: _Text, i: int, j: int, name: tuple[int, int, float], title: _Title, seg_start: int, seg_end: int
) -> Person:
    start, end = t.words[name[0]][0], t.words[name[1] - 1][1]
    if seg_end > name[0]:
        seg_end = name[0]
    org, org_id, country = _organisation(t, title, j, seg_start, seg_end)
    if country is None and i > 0 and t.spaced(i - 1, i) and (i - 1) in t.mention_at:
        m = t.mention_at[i - 1]  # "US President Joe Biden", "Vietnamese Foreign Minister ..."
        if m.type == "country":
            country = m.entry_id
        elif org_id is None:
            org, org_id = m.surface, m.entry_id
    country = country or title.country or None
    base = {"post": POST, "profession": PROFESSION}.get(title.kind, ADDRESS)
    score = min(base, name[2])
    return Person(
        t.text[start:end],
        None if title.kind == "address" else title.surface,
        org,
        org_id,
        country,
        start,
        end,
        score,
    )


def _organisation(
    t: _Text, title: _Title, j: int, seg_start: int, seg_end: int
) -> tuple[str | None, str | None, str | None]:
    """(organisation as written, its gazetteer id, country id) from the words between title and name."""
    if title.org_head == "=":
        seg_start = j - 1  # "Trưởng Ban Tuyên giáo Trung ương": the organisation starts at "Ban"
        if seg_end <= j:
            return None, None, title.country or None
    elif seg_end <= seg_start:
        return None, None, None
    s, e = t.words[seg_start][0], t.words[seg_end - 1][1]
    seg = t.text[s:e]
    inside = [m for k, m in t.mention_at.items() if seg_start <= k < seg_end]
    inside = sorted(inside + [m for m in t.nested if s <= m.start and m.end <= e], key=lambda m: m.start)
    countries = [m for m in inside if m.type == "country"]
    country = countries[0].entry_id if countries else None
    org_m = next((m for m in inside if m.type in ("vnbody", "org", "media")), None)
    if org_m is None:
        org_m = next((m for m in find_mentions(seg) if m.type in ("vnbody", "org", "media")), None)
        if org_m is not None and load_gazetteer().get(org_m.entry_id).get("kind") == "post":
            org_m = None
    org_text = seg
    if (
        countries
        and countries[-1].end == e
        and not (countries[-1].entry_id == "country:VN" and len(inside) == 1)
    ):
        org_text = t.text[s : countries[-1].start].rstrip(" ,-")  # "Ngoại giao Nga" -> "Ngoại giao"
    if title.org_head not in ("", "=") and org_text and not org_text.startswith(title.org_head + " "):
        org_text = f"{title.org_head} {org_text}"
        if org_m is None:
            whole = [m for m in find_mentions(org_text) if m.type in ("vnbody", "org", "media")]
            if whole and whole[0].start == 0 and whole[0].end == len(org_text):
                org_m = whole[0]
    if org_m is not None and org_m.type == "vnbody" and country is None:
        country = "country:VN"
    if country is None and any(m.type == "province" for m in inside):
        country = "country:VN"
    return org_text or None, org_m.entry_id if org_m else None, country


def _apposition(t: _Text, p: Person, end: int) -> tuple[Person, int]:
    """A title after the name: "ông Trần Đức Lai - Chủ tịch Hội ...", "ông X, Chủ tịch HĐQT ABBank, ..."."""
    if p.title is not None or end >= len(t) or t.gap(end - 1, end).strip() not in (",", "-", "\u2013"):
        return p, end
    found = t.title_at(end)
    if found is None or found[1].kind == "address":
        return p, end
    j, title = found
    k = j
    while (
        k < len(t)
        and k < j + 10
        and t.spaced(k - 1, k)
        and t.keys[k] != "tại"
        and (t.cap(k) or t.keys[k] in _ORG_WORDS or t.cap(k - 1))
    ):
        k += 1
    org, org_id, country = _organisation(t, title, j, j, k) if k > j or title.org_head == "=" else (None,) * 3
    person = Person(
        p.name, title.surface, org, org_id, country or title.country or p.country_id, p.start, p.end, p.score
    )
    return person, k


def _untitled(t: _Text, taken: set[int]) -> list[Person]:
    out = []
    surnames = _surnames()
    k = 0
    while k < len(t):
        if k in taken or k in t.mention_at or not t.cap(k) or (k > 0 and t.spaced(k - 1, k) and t.cap(k - 1)):
            k += 1
            continue
        run = [k]
        m = k + 1
        while m < len(t) and t.spaced(m - 1, m) and t.cap(m):
            run.append(m)
            m += 1
        k = m
        if any(x in taken or x in t.mention_at for x in run) or not 2 <= len(run) <= 4:
            continue
        if any(t.acronym(x) or not t.syllable(x) for x in run) or t.keys[run[0]] not in surnames:
            continue
        if surnames[t.keys[run[0]]] and t.keys[run[1]] not in _MIDDLE:
            continue  # "Thái Bình", "Hà Tĩnh"
        before = run[0] - 1
        if before >= 0 and t.spaced(before, run[0]) and t.keys[before] in _PLACE_HEADS:
            continue  # "đường Nguyễn Trãi"
        s, e = t.words[run[0]][0], t.words[run[-1]][1]
        out.append(Person(t.text[s:e], None, None, None, None, s, e, UNTITLED_VI))
    return out
