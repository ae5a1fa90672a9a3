"""Gazetteers (countries, Vietnamese Party and State bodies, provinces, media, international
organisations) and a matcher that finds their names in a text and resolves each to one entry.

The data are TSV files in caunoi/data/gazetteer/, each with a commented header giving its origin,
licence, date and columns. Ids: "country:VN", "vnbody:mofa", "province:HN", "media:vna", "org:ASEAN".

How names are found
-------------------
The text is cut into tokens (runs of letters, digits and combining marks) and every alias into the
same tokens, so a name is only ever found on token boundaries: "Anh" is never found inside "Anhui",
and in Vietnamese a syllable is a token. Tokens are compared by a key, the token with its tone mark
placed as `caunoi.text.vietnamese.normalize` places it and in lower case, so "Hòa Bình" and
"Hoà Bình" are one name. One dict maps each first token to the aliases that start with it, longest
first; the leftmost, then longest, alias wins, and offsets are those of the original text.

- Diacritics: an alias matches with its diacritics. An alias of two or more syllables also matches
  a text typed without any ("Bo Ngoai giao"), with a lower score; a one-syllable alias never does.
- Case: an acronym or mixed-case token ("VN", "TP", "VnExpress") matches in that case only; a
  capitalised one-token alias ("Mỹ") needs a capital in the text ("mỹ phẩm" is not the US); a longer
  alias needs at least one of its capitalised tokens capitalised in the text ("Việt nam" passes,
  "việt nam" does not); an alias marked `case` needs its exact case.
- Separators: tokens separated by a space in the alias must be separated by spaces in the text;
  other separators ("Ô-xtrây-li-a", "TP.HCM", "Bà Rịa - Vũng Tàu") accept a short run of spaces and
  punctuation.
- Ambiguous aliases (column `ambiguous`, rules `case`, `name`, `initial`) and the phrases, titles
  and words of context.tsv decide whether a match is a mention: "Nguyễn Văn Anh", "chị Nga",
  "Mỹ Tâm", "Đức Phật", "Anh cho biết" are not; "Thủ tướng Anh Boris Johnson" is.
- Short attributive forms ("Việt", "Trung", "Hàn") count only after a head noun ("người Việt",
  "tiếng Trung") or in a dashed pair with another country ("Việt - Lào").
- Generic names shared with other countries' bodies ("Quốc hội", "Bộ Ngoại giao") are dropped right
  before another country's name ("Bộ Ngoại giao Trung Quốc") and otherwise scored lower unless
  "Việt Nam" follows.

Scores: 1.0 an unambiguous name as written; 0.9 an ambiguous one that passed its rules; 0.8 a short
attributive form, or a sentence-initial "Anh"/"Ý" backed by the rest of the text; 0.7 a name typed
without diacritics; 0.6 a generic body name ("Bộ Y tế" may be any country's); 0.5 a country name
used for the language ("tiếng Anh"). Tags should use mentions of 0.6 and above.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from caunoi.text.fold import fold, lower_exact
from caunoi.text.vietnamese import is_syllable, normalize

GAZETTEER_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"

# file -> entry type, and the columns whose values are matched as names (besides `aliases`)
FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "countries.tsv": (
        "country",
        ("name_vi", "name_en", "common_name_en", "official_name_en", "demonyms_en", "endonyms"),
    ),
    "vn_provinces.tsv": ("province", ("name_vi", "name_en")),
    "vn_bodies.tsv": ("vnbody", ("name_vi", "name_en")),
    "intl_orgs.tsv": ("org", ("name_vi", "name_en")),
    "vn_media.tsv": ("media", ("name_vi", "name_en", "hosts")),
}
# whose Party and State bodies an entry type is: the country (ISO code) -> the type of its bodies' entries
BODIES: dict[str, str] = {"VN": "vnbody"}
_CORE = {"id", "name_vi", "name_en", "aliases", "ambiguous", "attributive"}
_ENGLISH_COLUMNS = ("common_name_en", "official_name_en", "demonyms_en", "endonyms")
RULES = ("case", "name", "initial")

# scores
EXACT, AMBIGUOUS, ATTRIBUTIVE, INITIAL, FOLDED, GENERIC, LANGUAGE = 1.0, 0.9, 0.8, 0.8, 0.7, 0.6, 0.5

TOKEN_RE = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
_PUNCT_GAP = set(" \t-\u2010\u2011\u2012\u2013\u2014.&'\u2019/+,:")
_INITIAL_GAP = re.compile(r"\. ?")
_QUOTE_END = re.compile(r"[.!?…]?[\"\u201d'\u2019][.,]? *|[.!?…]?[,] *[\"\u201d'\u2019] *")
_DASH_GAP = re.compile(r"[ \t]*[-\u2013\u2014][ \t]*")
_SENTENCE_END = set(".!?\u2026:\n\r")
_OPENERS = set(" \t\"'\u201c\u201d\u2018\u2019\u00ab\u00bb([*\u2022")


@dataclass(frozen=True)
class Entry:
    """One entity of a gazetteer."""

    id: str  # "country:VN"
    type: str  # country | province | vnbody | org | media
    name_vi: str
    name_en: str
    aliases: tuple[str, ...]  # every form matched in text, names included
    ambiguous: tuple[str, ...] = ()  # "alias:rule+rule"
    attributive: tuple[str, ...] = ()  # short attributive forms ("Việt", "Thái:pair")
    attrs: dict[str, str] = field(default_factory=dict, compare=False, hash=False)  # the other columns

    def get(self, column: str, default: str = "") -> str:
        return self.attrs.get(column, default) or default


@dataclass(frozen=True)
class Mention:
    """One name found in a text, resolved to an entry."""

    entry_id: str
    type: str
    start: int
    end: int
    surface: str  # text[start:end]
    score: float  # 1.0 an exact unambiguous name … 0.5 a language name ("tiếng Anh")

    def to_json(self) -> dict:
        return {
            "id": self.entry_id,
            "type": self.type,
            "start": self.start,
            "end": self.end,
            "surface": self.surface,
            "score": self.score,
        }


class _Tok(NamedTuple):
    key: str  # tone-normalised, lower case
    folded: str  # no diacritics, lower case
    cased: str  # tone-normalised, case kept
    cap: bool  # first letter upper case
    upper: bool  # all letters upper case (and at least two)
    plain: bool  # no diacritics at all


@lru_cache(maxsize=1 << 18)
def _tok(word: str) -> _Tok:
    cased = normalize(word)
    key = lower_exact(cased)
    folded = fold(cased)
    letters = [c for c in cased if c.isalpha()]
    return _Tok(
        key,
        folded,
        cased,
        bool(letters) and cased[:1].isupper(),
        len(letters) > 1 and all(c.isupper() for c in letters),
        folded == key,
    )


def _tokens(text: str) -> list[tuple[int, int, _Tok]]:
    return [(m.start(), m.end(), _tok(m.group())) for m in TOKEN_RE.finditer(text)]


def alias_key(phrase: str) -> tuple[str, ...]:
    return tuple(t.key for _, _, t in _tokens(phrase))


@dataclass(frozen=True)
class _Alias:
    entry: Entry | None  # None: a blocked phrase
    surface: str
    keys: tuple[str, ...]
    folded: tuple[str, ...]
    cased: tuple[str, ...]
    need: tuple[str, ...]  # per token: "exact" | "cap" | "any"
    punct: tuple[bool, ...]  # per gap: True when the alias has punctuation there
    rules: frozenset[str]
    generic: bool
    english: bool  # an English form ("Jordan", "Thai"): a capital after it makes a compound name

    @property
    def n(self) -> int:
        return len(self.keys)


def _need(token: str) -> str:
    letters = [c for c in token if c.isalpha()]
    if sum(c.isupper() for c in letters) >= 2 or any(c.isupper() for c in letters[1:]):
        return "exact"
    return "cap" if letters and letters[0].isupper() else "any"


def _compile(
    entry: Entry | None, surface: str, rules: Iterable[str] = (), generic: bool = False, english: bool = False
) -> _Alias:
    norm = normalize(surface)
    toks = _tokens(norm)
    gaps = [norm[toks[k][1] : toks[k + 1][0]] for k in range(len(toks) - 1)]
    return _Alias(
        entry,
        surface,
        tuple(t.key for _, _, t in toks),
        tuple(t.folded for _, _, t in toks),
        tuple(t.cased for _, _, t in toks),
        tuple(_need(t.cased) for _, _, t in toks),
        tuple(not g.isspace() for g in gaps),
        frozenset(rules),
        generic,
        english or not all(is_syllable(t.cased) for _, _, t in toks),
    )


def _split(cell: str) -> list[str]:
    return [x.strip() for x in cell.split("|") if x.strip()]


def _ruled(cell: str) -> dict[str, set[str]]:
    """'Anh:name+initial|VN:case' -> {'Anh': {'name', 'initial'}, 'VN': {'case'}}"""
    out: dict[str, set[str]] = {}
    for item in _split(cell):
        alias, _, rules = item.rpartition(":")
        if not alias:
            alias, rules = rules, ""
        out[alias.strip()] = {r for r in rules.split("+") if r}
    return out


def read_tsv(name: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header comment lines and the rows of one gazetteer file."""
    lines = (GAZETTEER_DIR / name).read_text(encoding="utf-8").splitlines()
    comments = [ln for ln in lines if ln.startswith("#")]
    body = [ln for ln in lines if ln and not ln.startswith("#")]
    reader = csv.DictReader(body, delimiter="\t", quoting=csv.QUOTE_NONE)
    return comments, [{k: (v or "").strip() for k, v in row.items()} for row in reader]


def _entry(etype: str, name_columns: tuple[str, ...], row: dict[str, str]) -> Entry:
    names: list[str] = []
    for col in name_columns:
        for value in _split(row.get(col, "")):
            if col == "name_en" and etype == "country" and ("," in value or "(" in value):
                continue  # "Korea, Republic of": an inverted ISO form, not a name people write
            names.append(value)
    names += _split(row.get("aliases", ""))
    return Entry(
        id=row["id"],
        type=etype,
        name_vi=row.get("name_vi", ""),
        name_en=row.get("name_en", ""),
        aliases=tuple(dict.fromkeys(names)),
        ambiguous=tuple(_split(row.get("ambiguous", ""))),
        attributive=tuple(_split(row.get("attributive", ""))),
        attrs={k: v for k, v in row.items() if k not in _CORE},
    )


class Gazetteer:
    """Every entry, and the compiled matcher over their aliases."""

    def __init__(self, entries: Iterable[Entry], context: Iterable[tuple[str, str]] = ()):
        self.entries: dict[str, Entry] = {}
        for e in entries:
            if e.id in self.entries:
                raise ValueError(f"duplicate gazetteer id {e.id}")
            self.entries[e.id] = e
        words: dict[str, set[tuple[str, ...]]] = {}
        blocks: list[str] = []
        for kind, phrase in context:
            if kind == "block":
                blocks.append(phrase)
            else:
                words.setdefault(kind, set()).add(alias_key(phrase))
        self._titles = words.get("title", set())
        self._heads = words.get("attr_head", set())
        self._function = {k[0] for k in words.get("function", set()) if len(k) == 1}
        self._pronoun_next = {k[0] for k in words.get("pronoun_next", set()) if len(k) == 1}
        self._language = words.get("language", set())
        self._speech = words.get("speech", set())

        # blocked phrases first (they win ties), matched in their exact case: "Lao động" is blocked,
        # "Lao Động" (the newspaper) is not
        self.aliases: list[_Alias] = [_compile(None, p, ("case",)) for p in blocks]
        self._attributive: dict[str, tuple[Entry, bool]] = {}  # key -> (entry, pair only)
        for e in self.entries.values():
            rules = {normalize(a): r for a, r in _ruled("|".join(e.ambiguous)).items()}
            generic = {normalize(a) for a in _split(e.get("generic"))}
            english = {e.name_en, *(v for c in _ENGLISH_COLUMNS for v in _split(e.get(c)))}
            for alias in e.aliases:
                n = normalize(alias)
                self.aliases.append(_compile(e, alias, rules.get(n, ()), n in generic, alias in english))
            for form, rule in _ruled("|".join(e.attributive)).items():
                key = alias_key(form)
                if len(key) == 1:
                    self._attributive[key[0]] = (e, "pair" in rule)
        self._exact: dict[str, list[_Alias]] = {}
        self._folded: dict[str, list[_Alias]] = {}
        for a in self.aliases:
            if not a.keys:
                continue
            self._exact.setdefault(a.keys[0], []).append(a)
            if a.n > 1 and a.folded != a.keys:
                self._folded.setdefault(a.folded[0], []).append(a)
        for index in (self._exact, self._folded):
            for cands in index.values():
                cands.sort(key=lambda a: -a.n)  # stable: file order among equals
        self._country_keys = {a.keys[0] for a in self.aliases if a.entry and a.entry.type == "country"}
        self._country_keys |= set(self._attributive)
        self._hosts = {h.lower(): e for e in self.entries.values() for h in _split(e.get("hosts"))}
        self._generic = {(a.entry.id, a.keys) for a in self.aliases if a.entry and a.generic}

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries.values())

    def get(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def of_type(self, etype: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.type == etype]

    def collisions(self) -> dict[tuple[str, ...], list[str]]:
        """Alias keys (lower case, tone marks normalised) that name more than one entry."""
        owners: dict[tuple[str, ...], list[str]] = {}
        for a in self.aliases:
            if a.entry and a.entry.id not in owners.setdefault(a.keys, []):
                owners[a.keys].append(a.entry.id)
        for form, (e, _) in self._attributive.items():
            if e.id not in owners.setdefault((form,), []):
                owners[(form,)].append(e.id)
        return {k: v for k, v in owners.items() if len(v) > 1}

    def entry_for_host(self, url_or_host: str) -> Entry | None:
        """The outlet of a web host or URL ("https://e.vnexpress.net/news/x" -> media:vnexpress)."""
        rest = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url_or_host.strip().lower())
        host, _, path = rest.partition("/")
        host = host.split("@")[-1].split(":")[0]
        first = path.split("/")[0].split("?")[0]
        labels = host.split(".")
        for k in range(len(labels) - 1):
            domain = ".".join(labels[k:])
            for candidate in (f"{domain}/{first}", domain):
                if candidate in self._hosts:
                    return self._hosts[candidate]
        return None

    # -- matching -------------------------------------------------------------------------------

    def find_mentions(self, text: str) -> list[Mention]:
        """Every name of an entry in `text`, left to right, without overlaps."""
        toks = _tokens(text)
        n = len(toks)
        found: list[tuple[int, _Alias, bool]] = []  # (first token, alias, matched without diacritics)
        i = 0
        while i < n:
            best: tuple[_Alias, bool] | None = None
            info = toks[i][2]
            for a in self._exact.get(info.key, ()):
                if a.n <= n - i and self._match(text, toks, i, a, folded=False):
                    best = (a, False)
                    break
            if info.plain:
                for a in self._folded.get(info.folded, ()):
                    if best and a.n <= best[0].n:
                        break
                    if a.n <= n - i and self._match(text, toks, i, a, folded=True):
                        best = (a, True)
                        break
            if best is None:
                i += 1
                continue
            found.append((i, best[0], best[1]))
            i += best[0].n

        mentions: dict[int, Mention] = {}  # first token -> mention
        covered: dict[int, Mention] = {}  # every token of a mention -> mention
        pending: list[tuple[int, Mention]] = []  # sentence-initial "initial" aliases: need evidence
        named: set[tuple[str, ...]] = set()  # English aliases seen inside a personal name
        for i, a, folded in found:
            if a.entry is None:
                for k in range(i, i + a.n):
                    covered[k] = _BLOCKED
                continue
            verdict = self._judge(text, toks, i, a)
            if verdict == "name" and a.english:
                named.add(a.keys)
            if verdict in (None, "name"):
                continue
            score = FOLDED if folded else (AMBIGUOUS if a.rules else EXACT)
            if folded and a.rules:
                score = FOLDED - 0.1
            start, end = toks[i][0], toks[i + a.n - 1][1]
            m = Mention(a.entry.id, a.entry.type, start, end, text[start:end], score)
            if verdict == "pending":
                pending.append((i, m))
                continue
            mentions[i] = m
            for k in range(i, i + a.n):
                covered[k] = m
        self._attributives(text, toks, mentions, covered)
        if pending:
            strong = {m.entry_id for m in mentions.values() if m.score >= INITIAL}
            for i, m in pending:
                if self._word_in_use(text, toks, toks[i][2].key):
                    continue  # the text uses "anh" as a word elsewhere: "Anh cho biết" is the pronoun
                if m.entry_id in strong or _countries_near(text, m, mentions.values()) >= 2:
                    mentions[i] = Mention(m.entry_id, m.type, m.start, m.end, m.surface, INITIAL)
                    covered[i] = mentions[i]
        if named:  # "Michael B. Jordan … Jordan từng làm người mẫu": the person, not the country
            for i in [i for i, m in mentions.items() if alias_key(m.surface) in named]:
                del mentions[i]
        out = self._generic_and_language(text, toks, mentions)
        return sorted(out, key=lambda m: m.start)

    def _match(self, text: str, toks: list, i: int, a: _Alias, folded: bool) -> bool:
        for k in range(1, a.n):
            t = toks[i + k][2]
            if folded:
                if not t.plain or t.folded != a.folded[k]:
                    return False
            elif t.key != a.keys[k]:
                return False
            gap = text[toks[i + k - 1][1] : toks[i + k][0]]
            if "\n" in gap or len(gap) > 4:
                return False
            if a.punct[k - 1]:
                if not set(gap) <= _PUNCT_GAP:
                    return False
            elif not gap.isspace():
                return False
        if folded and not toks[i][2].plain:
            return False
        return self._case_ok(toks, i, a, strict=folded)

    @staticmethod
    def _case_ok(toks: list, i: int, a: _Alias, strict: bool) -> bool:
        span = [toks[i + k][2] for k in range(a.n)]
        all_upper = all(t.upper or not t.cap for t in span) and any(t.upper for t in span)
        caps_wanted = caps_seen = 0
        for k, (t, need, cased) in enumerate(zip(span, a.need, a.cased, strict=True)):
            if need == "exact":  # "VN", "TP", "VnExpress" (or the whole name in capitals)
                if t.cased != cased and not (t.upper and len(cased) > 1 and not cased.isupper()):
                    return False
            elif need == "cap":
                caps_wanted += 1
                caps_seen += t.cap
                if (strict or "case" in a.rules) and not t.cap:
                    return False  # "Tuổi Trẻ" the paper, not "Tuổi trẻ" (youth)
            elif "case" in a.rules and t.cap and not all_upper and k > 0:
                return False  # "Hà Nội Mới" the paper, not "Hà Nội Mới Của Tôi"
        return caps_wanted == 0 or caps_seen > 0

    def _judge(self, text: str, toks: list, i: int, a: _Alias) -> str | None:
        """'ok', 'pending' (needs another mention of the entry), 'name' (part of a personal name) or
        None (not a mention)."""
        if not a.rules:
            return "ok"
        j = i + a.n  # the token after
        cur = toks[i][2]
        if a.n == 1:
            # glued by a hyphen to a word that is not a country ("VN-Index")
            for k, gap in ((i - 1, _gap(text, toks, i - 1, i)), (j, _gap(text, toks, j - 1, j))):
                if 0 <= k < len(toks) and gap in ("-", "\u2013") and toks[k][2].key not in self._country_keys:
                    return None
        if "name" in a.rules and self._in_name(text, toks, i, j, cur, a.english):
            return "name"
        if "initial" in a.rules and _sentence_initial(text, toks[i][0]):
            if j < len(toks) and _spaced(text, toks, j - 1, j) and toks[j][2].key in self._pronoun_next:
                return None
            return "pending"
        return "ok"

    @staticmethod
    def _preceded_by(text: str, toks: list, i: int, phrases: set[tuple[str, ...]]) -> bool:
        """Whether one of `phrases` (one or two words) stands right before token i."""
        return any(
            i - width >= 0
            and all(_spaced(text, toks, k, k + 1) for k in range(i - width, i))
            and tuple(toks[k][2].key for k in range(i - width, i)) in phrases
            for width in (1, 2)
        )

    @staticmethod
    def _followed_by(text: str, toks: list, j: int, phrases: set[tuple[str, ...]]) -> bool:
        """Whether one of `phrases` (one or two words) starts at token j."""
        return any(
            j + width <= len(toks)
            and all(_spaced(text, toks, k - 1, k) for k in range(j, j + width))
            and tuple(toks[k][2].key for k in range(j, j + width)) in phrases
            for width in (1, 2)
        )

    @staticmethod
    def _word_in_use(text: str, toks: list, key: str) -> bool:
        """Whether `key` occurs in lower case as an ordinary word (not as a title before a name)."""
        for k, (_, _, t) in enumerate(toks):
            if t.key == key and not t.cap:
                title = k + 1 < len(toks) and _spaced(text, toks, k, k + 1) and toks[k + 1][2].cap
                if not title:
                    return True
        return False

    def _in_name(self, text: str, toks: list, i: int, j: int, cur: _Tok, english: bool = False) -> bool:
        """Whether tokens i..j-1 are part of a personal (or place) name rather than a country."""
        foreign_next = False
        if j < len(toks) and _spaced(text, toks, j - 1, j) and toks[j][2].cap:
            if english:
                return True  # an English name followed by a capital: "Jersey Tiger", "Thai Airways"
            run = [toks[j][2]]
            k = j + 1
            while k < len(toks) and len(run) < 3 and _spaced(text, toks, k - 1, k) and toks[k][2].cap:
                run.append(toks[k][2])
                k += 1
            foreign_next = any(not is_syllable(t.cased) for t in run)
            if not foreign_next:
                return True  # "Mỹ Tâm", "Đức Phúc", "Anh Tuấn"
        if i > 0 and _INITIAL_GAP.fullmatch(_gap(text, toks, i - 1, i)) and len(toks[i - 1][2].cased) == 1:
            return True  # after a middle initial: "Michael B. Jordan"
        if (
            i > 0
            and _QUOTE_END.fullmatch(_gap(text, toks, i - 1, i))
            and self._followed_by(text, toks, j, self._speech)
        ):
            return True  # the speaker of a quotation: '"Tôi mất hơn 250 triệu", Đức nói'
        if i > 0 and _spaced(text, toks, i - 1, i):
            prev = toks[i - 1][2]
            if prev.cap and prev.key not in self._function and not (prev.upper and not cur.upper):
                return True  # "Nguyễn Văn Anh", "Minh Đức"
        # "chị Nga", "ca sĩ Mỹ Tâm" (but "ca sĩ Mỹ Taylor Swift": a nationality before a foreign name)
        return not foreign_next and self._preceded_by(text, toks, i, self._titles)

    def _attributives(self, text: str, toks: list, mentions: dict, covered: dict) -> None:
        cands = [
            i
            for i, (_, _, t) in enumerate(toks)
            if i not in covered and t.cap and not t.upper and t.key in self._attributive
        ]
        if not cands:
            return
        cand_set = set(cands)

        def countryish(k: int) -> bool:
            if not 0 <= k < len(toks):
                return False
            m = covered.get(k)
            return (m is not None and m is not _BLOCKED and m.type == "country") or k in cand_set

        for i in cands:
            entry, pair_only = self._attributive[toks[i][2].key]
            if self._in_name(text, toks, i, i + 1, toks[i][2]):
                continue
            paired = (i > 0 and _DASH_GAP.fullmatch(_gap(text, toks, i - 1, i)) and countryish(i - 1)) or (
                i + 1 < len(toks) and _DASH_GAP.fullmatch(_gap(text, toks, i, i + 1)) and countryish(i + 1)
            )
            headed = not pair_only and any(
                i - width >= 0
                and all(_spaced(text, toks, k, k + 1) for k in range(i - width, i))
                and tuple(toks[k][2].key for k in range(i - width, i)) in self._heads
                and (not toks[i - width][2].cap or _sentence_initial(text, toks[i - width][0]))
                for width in (1, 2)
            )  # a capitalised head mid-sentence is a name: "Dân Việt" (a newspaper)
            if paired or headed:
                s, e = toks[i][0], toks[i][1]
                m = Mention(entry.id, entry.type, s, e, text[s:e], ATTRIBUTIVE)
                mentions[i] = m
                covered[i] = m

    def _generic_and_language(self, text: str, toks: list, mentions: dict[int, Mention]) -> list[Mention]:
        by_start = {m.start: m for m in mentions.values()}
        last_token = {end: k for k, (_, end, _) in enumerate(toks)}
        out = []
        for i, m in mentions.items():
            if m.type == "country" and self._preceded_by(text, toks, i, self._language):  # "tiếng Anh"
                m = Mention(m.entry_id, m.type, m.start, m.end, m.surface, min(m.score, LANGUAGE))
            if (m.entry_id, alias_key(m.surface)) in self._generic:
                j = last_token[m.end] + 1
                if j + 1 < len(toks) and toks[j][2].key == "nước" and _spaced(text, toks, j, j + 1):
                    j += 1  # "Bộ Quốc phòng nước Cộng hòa Nhân dân Trung Hoa"
                nxt = None
                if j < len(toks) and _spaced(text, toks, j - 1, j):
                    nxt = by_start.get(toks[j][0])
                    if tuple(toks[k][2].key for k in range(j, min(j + 2, len(toks)))) in _FOREIGN_NEXT:
                        continue  # "Bộ Ngoại giao nước này"
                if nxt is not None and nxt.type == "country" and nxt.entry_id != "country:VN":
                    continue  # "Bộ Ngoại giao Trung Quốc": China's ministry
                if nxt is None or nxt.entry_id != "country:VN":
                    m = Mention(m.entry_id, m.type, m.start, m.end, m.surface, min(m.score, GENERIC))
            out.append(m)
        return out


_FOREIGN_NEXT = {("nước", "này"), ("nước", "ngoài"), ("nước", "bạn"), ("các", "nước"), ("nước", "sở")}
_BLOCKED = Mention("", "", 0, 0, "", 0.0)


def _gap(text: str, toks: list, a: int, b: int) -> str:
    if a < 0 or b >= len(toks):
        return ""
    return text[toks[a][1] : toks[b][0]]


def _spaced(text: str, toks: list, a: int, b: int) -> bool:
    """Tokens a and b are separated by spaces only (same line)."""
    gap = _gap(text, toks, a, b)
    return bool(gap) and gap.strip(" \t\u00a0") == ""


def _countries_near(text: str, m: Mention, mentions: Iterable[Mention]) -> int:
    """How many other countries are named in the paragraph of `m` and the paragraphs around it."""
    lo = max(0, text.rfind("\n", 0, max(0, text.rfind("\n", 0, m.start))))
    hi = text.find("\n", m.end)
    hi = len(text) if hi < 0 else text.find("\n", hi + 1)
    hi = len(text) if hi < 0 else hi
    others = {o.entry_id for o in mentions if o.type == "country" and lo <= o.start < hi}
    return len(others - {m.entry_id})


def _sentence_initial(text: str, start: int) -> bool:
    j = start - 1
    while j >= 0 and text[j] in _OPENERS:
        j -= 1
    if j < 0 or text[j] in _SENTENCE_END:
        return True
    if text[j] in "-\u2013\u2014":  # a bullet at the start of a line
        k = j - 1
        while k >= 0 and text[k] in " \t":
            k -= 1
        return k < 0 or text[k] in "\n\r"
    return False


@cache
def load_gazetteer() -> Gazetteer:
    """Every gazetteer file, compiled once per process."""
    entries = []
    for name, (etype, columns) in FILES.items():
        for row in read_tsv(name)[1]:
            entries.append(_entry(etype, columns, row))
    context = [(row["kind"], row["phrase"]) for row in read_tsv("context.tsv")[1]]
    return Gazetteer(entries, context)


def find_mentions(text: str, gazetteer: Gazetteer | None = None) -> list[Mention]:
    """Names of countries, provinces, Vietnamese bodies, media and organisations in `text`."""
    return (gazetteer or load_gazetteer()).find_mentions(text)
