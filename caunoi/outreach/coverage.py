"""Earned coverage (bài báo phản ánh hoạt động): the stored articles an activity may have earned, each
scored 0..1 with its reasons in words, and a person's decision on each — confirmed (what evaluation
counts, `confirmed`) or rejected (never proposed again), remembered across re-scoring and audited on
the activity ("coverage_confirm" / "coverage_reject", the changes naming the article).

How an article is found, in three steps of growing cost:
1. The window. Only articles published from `days_before` days before the activity's first day to
   `days_after` days after its last (settings `coverage_days_before`, `coverage_days_after`; days of
   the stored publication times, Hanoi wall-clock) are read, through the index on `published`.
2. A narrowing. An article must hold one of the activity's *anchors* — a name (its unit's, in
   Vietnamese or English, or the head of mission's title "Đại sứ Việt Nam tại Pháp"; an official's;
   a partner organisation's), one of its campaign's key messages, or the rarest five-word run of each
   sentence of its release, its packs' talking points or its products' bodies — or half the
   distinctive word pairs of its title (no pair of two of the COMMON_WORDS commonest syllables; the
   TITLE_PAIRS rarest). How rare a word is comes from its count in Vietnamese news
   (caunoi/data/vi_syllables.tsv; a name it does not list is rare). Over a window this is a full-text
   query (anchors OR'ed, at most ANCHOR_CAP best ranked; the title's pairs OR'ed, at most TITLE_CAP);
   for the new articles of an ingest or watch round (`refresh_new`) the same test runs in memory,
   for every open activity at once (`narrow`: each anchor looked up by its rarest word pair).
3. The score, on what is left. Every comparison is on folded text (caunoi.text.fold: no case, no
   diacritics), so "Dai su quan Viet Nam" matches "Đại sứ quán Việt Nam".

The score is a noisy-OR of independent signs, each with a weight (its contribution, up to the weight
for a graded sign): score = 1 − Π(1 − wᵢ). One strong sign is enough, two moderate ones make a likely
candidate, and no pile of weak ones reaches 1. The weights, and why:

  release_copy       0.95  the article is a copy of the release (caunoi.stories.dedup's verdict on
                           their signatures, or ≥ dedup.CONTAINMENT of its shingles): nearly certain
  release_sentences  0.90  × min(1, sentences/3, or containment/dedup.CONTAINMENT): press releases are
                           reprinted in part; three whole sentences reused are no coincidence
  points_sentences   0.50  × min(1, sentences/3) per pack: talking points go to many missions, so
  product_sentences  0.50    their reuse shows uptake of the message more than this activity
  official           0.45  one of its officials (a personal name) named in the window
  unit               0.45  its unit (mission) named, or its head by title
  title              0.40  × the share of the title's distinctive word pairs found (at least half)
  partner            0.35  a partner organisation named
  event / event_at   0.35 / 0.45  the enrichment read an event of the activity's kind on its date
                           (and at its place): "press conference on 13/10 in Paris"
  doc_ref            0.30  a document cited by the release or talking points cited again (each)
  key_message        0.30  a key message of its campaign carried (each; what message penetration counts)
  outlet             0.15  an outlet of the host country (its `sources` row, else its country-code domain)
  place              0.15  its place or the mission's city named
  country            0.10  a host country named (the article's `country` tags)
  event_type         0.10  an event of its kind, another or no date
  event_date         0.10  an event on its date, of another or no kind
  language           0.08  in a language of the host media (when the outlet's country is unknown)
  timing             0.08  published on the activity's day or the day after

Signs of the first group (down to key_message) are *specific*: an article needs one of them to be a
candidate; the others (context) only raise its score. A candidate needs MIN_SCORE. Each reason is
data — {"kind", "values", "weight", "text"} with `text` in English — and caunoi.i18n.coverage_reason
says it in Vietnamese or English from its kind and values.

Bounded work: a window's narrowing reads at most ANCHOR_CAP + TITLE_CAP articles; a round's new
articles are checked only against the activities whose window covers them (none: two small queries),
MAX_TEXT characters of each, CHUNK at a time; an activity's profile is made again only when what it
is made from changes. On 100k articles and 1,000 open activities (both backends), a watch round of
200 new articles takes 0.6-0.7 s and a window is scored again in 0.2-0.6 s. Officials appear in
their public roles only; nothing here profiles a private person."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cached_property
from time import monotonic as time_monotonic
from typing import Any
from urllib.parse import urlsplit

import pycountry

from caunoi.enrich.docrefs import find_doc_refs
from caunoi.enrich.events import TYPES as EVENT_TRIGGERS
from caunoi.enrich.gazetteer import find_mentions, load_gazetteer
from caunoi.enrich.orgs import find_orgs
from caunoi.enrich.persons import find_persons, trailing_name
from caunoi.errors import check_actor
from caunoi.i18n import coverage_reason, name_of
from caunoi.outreach.activities import Activities
from caunoi.outreach.common import NotFound, OutreachError, local, utcnow
from caunoi.store.coverage import CoverageRepository
from caunoi.store.query import Or, Term
from caunoi.stories import dedup
from caunoi.text.fold import fold, index_form, tokens
from caunoi.text.language import syllable_counts
from caunoi.text.timestamps import LOCAL_ZONE

MIN_SCORE = 0.3
STATES = ("candidate", "confirmed", "rejected")
WEIGHTS: dict[str, float] = {
    "release_copy": 0.95,
    "release_sentences": 0.90,
    "points_sentences": 0.50,
    "product_sentences": 0.50,
    "official": 0.45,
    "unit": 0.45,
    "title": 0.40,
    "partner": 0.35,
    "event": 0.35,
    "event_at": 0.45,
    "doc_ref": 0.30,
    "key_message": 0.30,
    "outlet": 0.15,
    "place": 0.15,
    "country": 0.10,
    "event_type": 0.10,
    "event_date": 0.10,
    "language": 0.08,
    "timing": 0.08,
}
# what makes a candidate alone; the other signs (context) only raise its score
SPECIFIC = frozenset(
    ["release_copy", "release_sentences", "points_sentences", "product_sentences", "official", "unit",
     "title", "partner", "event", "event_at", "doc_ref", "key_message"]
)  # fmt: skip

FULL_SENTENCES = 3  # sentences reused for full strength
MIN_SENTENCE_WORDS = 6  # shorter sentences ("Xin cảm ơn.") are no sign of reuse
SENTENCE_SHARE = 0.7  # of a sentence's shingles found in the article: a lightly edited sentence counts
ANCHOR_WORDS = 5  # words of a sentence's anchor (its rarest run, in a sentence of at least 8 words)
ANCHORS_OF_RELEASE = 12
ANCHORS_OF_OTHERS = 4  # per pack or product
MIN_MESSAGE_WORDS = 3
TITLE_SHARE = 0.5  # of the title's distinctive word pairs, for the title to count
TITLE_PAIRS = 16  # of a title's pairs, the rarest: what a long title adds costs a full-text query more
COMMON_WORDS = 100  # the commonest syllables of the news: no word pair of two of them is distinctive
ANCHOR_CAP = 400
TITLE_CAP = 50
MAX_TEXT = 200_000
CHUNK = 500  # new articles checked at a time
MAX_DAYS = 31  # days of a long activity (an exhibition) an event on which is its event
PROFILES_KEPT = 5000  # activities' profiles kept between rounds

# the events enrichment reads (caunoi.enrich.events) that each activity type may be reported as
EVENT_KINDS: dict[str, frozenset[str]] = {
    "conference": frozenset({"hoi_nghi", "hoi_thao", "toa_dam", "dien_dan", "summit", "so_ket", "tong_ket",
                             "trien_khai"}),
    "event": frozenset({"hoi_nghi", "hoi_thao", "toa_dam", "dien_dan", "gap_mat", "ky_ket", "tiep"}),
    "press_conference": frozenset({"hop_bao"}),
    "media_meeting": frozenset({"hop_bao", "gap_mat", "toa_dam"}),
    "exchange": frozenset({"gap_mat", "toa_dam", "tiep"}),
    "training": frozenset({"hoi_thao", "hoi_nghi", "toa_dam"}),
}  # fmt: skip
_EVENT_NAMES: dict[str, tuple[str, str]] = {"tiep": ("buổi tiếp", "reception")}
for _trigger, (_kind, _english) in reversed(list(EVENT_TRIGGERS.items())):
    _EVENT_NAMES[_kind] = (_trigger, _english)  # the first trigger of a kind names it in Vietnamese

# the head of a mission by the name of the mission: "Đại sứ quán Việt Nam tại Pháp" -> "Đại sứ Việt
# Nam tại Pháp", as the press names an ambassador
_HEADS = (
    ("tong lanh su quan ", "Tổng Lãnh sự "),
    ("lanh su quan ", "Lãnh sự "),
    ("dai su quan ", "Đại sứ "),
    ("dai su quan ", "ĐSQ "),
)
# how common a folded word is in Vietnamese news (caunoi/data/vi_syllables.tsv; a name it does not
# list is rare), and the commonest, with the function words of English and French: too common to
# tell one text from another
COMMON = syllable_counts()
_FUNCTION_WORDS = (
    "the of and in to for on at a an with by from is are was le la les des du de et en au aux pour sur par"
)
STOP = frozenset(list(COMMON)[:COMMON_WORDS]) | frozenset(_FUNCTION_WORDS.split())
# country-code domains used by all and sundry (.io, .tv …): no sign of where an outlet is
_GENERIC_TLDS = frozenset({"io", "co", "tv", "me", "fm", "ai", "ly", "cc", "ws", "to", "gg", "am", "im"})
_SENTENCE_END = re.compile(r"(?<=[.!?…;])\s+|\n+")
_BRACKETS = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class Candidate:
    """An article an activity may have earned, best first by `score`; its `reasons` best first."""

    article_id: int
    score: float  # 0..1
    reasons: list[dict[str, Any]]  # {"kind", "values", "weight", "text"}; `text` in English
    state: str  # candidate | confirmed | rejected
    title: str
    url: str | None
    source: str | None
    published: datetime | None
    decided_by: str | None = None
    decided_at: datetime | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Candidate:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


# -- what an activity put out, and what an article says --------------------------------------------


def sentences(text: str) -> list[str]:
    """The sentences of a text worth comparing (at least MIN_SENTENCE_WORDS words)."""
    found = (s.strip() for s in _SENTENCE_END.split(text or ""))
    return [s for s in found if len(tokens(fold(s))) >= MIN_SENTENCE_WORDS]


def _padded(text: str) -> str:
    """The folded tokens of a text between spaces: a phrase is found as " a b c " in it."""
    return f" {index_form(text)} "


def _words(text: str) -> tuple[str, ...]:
    return tuple(tokens(fold(text)))


def _commonness(words: Iterable[str]) -> int:
    return sum(COMMON.get(w, 0) for w in words)


def _bigrams(words: Sequence[str]) -> list[tuple[str, str]]:
    """The word pairs, in order, but those of two common words."""
    return [(a, b) for a, b in itertools.pairwise(words) if a not in STOP or b not in STOP]


@dataclass
class Text:
    """A text the activity put out (its release, a pack's talking points, a product's body), ready to
    be looked for: its shingles and signature (caunoi.stories.dedup) and its sentences'."""

    kind: str  # release | points | product
    ref: int | None
    title: str
    body: str

    @cached_property
    def shingles(self) -> set[bytes]:
        return dedup.shingles(self.body)

    @cached_property
    def signature(self) -> dedup.Signature | None:
        return dedup.signature(self.body)

    @cached_property
    def sentences(self) -> list[tuple[str, set[bytes]]]:
        return [(s, dedup.shingles(s)) for s in sentences(self.body)]

    def anchors(self, limit: int) -> list[tuple[str, ...]]:
        """A run of ANCHOR_WORDS words of each long sentence, its rarest (the least summed count of its
        words in the news; nearest the middle among equals): a reprint holds it, and the full-text
        index reads few postings to find it where common words would make it read most of them."""
        found = []
        for sentence, _ in self.sentences:
            words = _words(sentence)
            if len(words) < 8:
                continue
            middle = (len(words) - ANCHOR_WORDS) // 2
            runs = [words[i : i + ANCHOR_WORDS] for i in range(len(words) - ANCHOR_WORDS + 1)]
            best = min(range(len(runs)), key=lambda i: (_commonness(runs[i]), abs(i - middle)))
            if any(w not in STOP for w in runs[best]):
                found.append(runs[best])
        return list(dict.fromkeys(found))[:limit]


@dataclass(frozen=True)
class Name:
    """A name the activity may be reported by, in its forms: (as a reason shows it, folded words)."""

    kind: str  # unit | official | partner | place
    forms: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(eq=False)  # hashed by identity: one profile per activity in a run
class Profile:
    """What one activity is looked for by, made once per scoring run."""

    id: int
    title: str
    type: str
    window: tuple[datetime, datetime]  # articles' time (Hanoi wall-clock), [start, end)
    days: frozenset[date]  # its days, local and in Hanoi
    texts: list[Text]
    messages: list[tuple[str, tuple[str, ...]]]  # (as written, folded words)
    names: list[Name]
    countries: tuple[str, ...]
    languages: tuple[str, ...]
    doc_refs: frozenset[str]
    title_pairs: frozenset[tuple[str, str]]
    event_kinds: frozenset[str] = field(default_factory=frozenset)

    @cached_property
    def anchors(self) -> list[tuple[str, ...]]:
        """The phrases an article must hold one of (or share word pairs with the title)."""
        found = [words for name in self.names if name.kind != "place" for _, words in name.forms]
        found += [words for _, words in self.messages]
        for text in self.texts:
            found += text.anchors(ANCHORS_OF_RELEASE if text.kind == "release" else ANCHORS_OF_OTHERS)
        return list(dict.fromkeys(found))

    def covers(self, at: datetime | None) -> bool:
        return at is not None and self.window[0] <= at < self.window[1]


def _hanoi(at: datetime) -> datetime:
    """A stored UTC time as the articles' wall-clock (caunoi.text.timestamps.LOCAL_ZONE)."""
    return _local(at, LOCAL_ZONE)


def _local(at: datetime, tz: str | tzinfo) -> datetime:
    return local(at, tz).replace(tzinfo=None)


def _days(row: dict[str, Any]) -> tuple[date, date, frozenset[date]]:
    """An activity's first and last day, and the days it happened on (its first MAX_DAYS: an event
    on one of them is its event), in its zone and in Hanoi: an evening in New York is the next
    morning in Hanoi, and the Vietnamese press may date it either way."""
    found: set[date] = set()
    for convert in (_hanoi, lambda at: _local(at, row["timezone"])):
        first = convert(row["starts_at"]).date()
        last = convert(row["ends_at"] or row["starts_at"]).date()
        found.update(first + timedelta(days=n) for n in range(min((last - first).days, MAX_DAYS) + 1))
    last = max(
        _hanoi(row["ends_at"] or row["starts_at"]),
        _local(row["ends_at"] or row["starts_at"], row["timezone"]),
    )
    return min(found), last.date(), frozenset(found)


def _variants(shown: str) -> list[tuple[str, tuple[str, ...]]]:
    """A name's folded forms: as written, and with "Viet Nam" / "Vietnam" either way."""
    words = _words(shown)
    forms = [(shown, words)]
    joined = " ".join(words)
    for one, other in ((" viet nam ", " vietnam "), (" vietnam ", " viet nam ")):
        if one in f" {joined} ":
            forms.append((shown, tuple(f" {joined} ".replace(one, other).split())))
    return forms


_NEXT_WORD = re.compile(r"\s+(\w)")


def _in_role(text: str, end: int) -> bool:
    """A "name" followed by a lower-case word is the head of a capitalised role: "Phó Phát ngôn …"."""
    found = _NEXT_WORD.match(text, end)
    return bool(found and found.group(1).islower())


def _names(row: dict[str, Any]) -> list[Name]:
    names = []
    unit = row["unit_row"]
    forms: list[tuple[str, tuple[str, ...]]] = []
    for name in (unit.get("name"), unit.get("name_en")):
        if name and len(_words(name)) >= 3:
            forms += _variants(name)
            folded = " ".join(_words(name)) + " "
            for prefix, head in _HEADS:  # "Đại sứ quán Việt Nam tại Pháp" -> "Đại sứ Việt Nam tại Pháp"
                if folded.startswith(prefix):
                    forms += _variants(head + " ".join(name.split()[len(prefix.split()) :]))
    if forms:
        names.append(Name("unit", tuple(dict.fromkeys(forms))))
    gazetteer = load_gazetteer()
    for official in row["officials"] or []:
        plain = _BRACKETS.sub(" ", official).strip(" ,;-–")
        mentions = find_mentions(plain, gazetteer)
        people = [p.name for p in find_persons(plain, mentions, find_orgs(plain, mentions))
                  if len(p.name.split()) >= 2 and not _in_role(plain, p.end)]  # fmt: skip
        if not people and (name := trailing_name(plain)):
            people = [name]
        if not people and len(_words(plain)) >= 3:  # a role without a name: "Thứ trưởng Bộ Ngoại giao"
            people = [plain]
        if people:
            names.append(Name("official", tuple(dict.fromkeys((plain, _words(p)) for p in people))))
    for partner in row["partners"] or []:
        forms = []
        for part in [_BRACKETS.sub(" ", partner), *_BRACKETS.findall(partner)]:
            words = _words(part)
            if len(words) >= 2 or (len(words) == 1 and len(words[0]) >= 4 and words[0] not in STOP):
                forms.append((partner, words))
        if forms:
            names.append(Name("partner", tuple(dict.fromkeys(forms))))
    places = [p.strip() for p in re.split(r"[,;–]| - ", row["place"] or "") if p.strip()]
    if unit.get("city"):
        places.append(unit["city"])
    for place in dict.fromkeys(places):
        words = _words(place)
        if words and len(" ".join(words)) >= 3 and not all(w in STOP for w in words):
            names.append(Name("place", ((place, words),)))
    return names


def profile(row: dict[str, Any], days_before: int, days_after: int, subject: str = "VN") -> Profile:
    """An activity's profile from its stored row and what it put out (CoverageRepository.material)."""
    first, last, days = _days(row)
    start = datetime.combine(first - timedelta(days=days_before), time())
    end = datetime.combine(last + timedelta(days=days_after + 1), time())
    texts = [Text("release", None, "", row["release"])] if row.get("release") else []
    texts += [Text("points", i, title, body) for i, title, body in row["packs"] if body]
    texts += [Text("product", i, title, body) for i, title, body in row["products"] if body]
    messages = [(m, _words(m)) for m in row["key_messages"] if len(_words(m)) >= MIN_MESSAGE_WORDS]
    unit = row["unit_row"]
    countries = tuple(c for c in [row.get("country"), *(unit.get("countries") or []), unit.get("country")]
                      if c and c != subject)  # fmt: skip
    refs = {r.id for t in texts if t.kind != "product" for r in find_doc_refs(t.body) if r.id}
    return Profile(
        id=row["id"],
        title=row["title"],
        type=row["type"],
        window=(start, end),
        days=days,
        texts=texts,
        messages=messages,
        names=_names(row),
        countries=tuple(dict.fromkeys(countries)),
        languages=tuple(lang for lang in unit.get("languages") or [] if lang != "vi"),
        doc_refs=frozenset(refs),
        title_pairs=frozenset(sorted(set(_bigrams(_words(row["title"]))), key=_commonness)[:TITLE_PAIRS]),
        event_kinds=EVENT_KINDS.get(row["type"], frozenset()),
    )


class Article:
    """A stored article as the matcher reads it (CoverageRepository.article_rows), its folded forms
    worked out once, when first needed."""

    def __init__(self, row: dict[str, Any]):
        self.row = row
        self.id: int = row["id"]
        self.at: datetime | None = row["published"] or row["created_at"]

    @cached_property
    def padded(self) -> str:
        return _padded(f"{self.row['title']}\n{self.row['text'][:MAX_TEXT]}")

    @cached_property
    def shingles(self) -> set[bytes]:
        return dedup.shingles(f"{self.row['title']}\n{self.row['text'][:MAX_TEXT]}")

    @cached_property
    def signature(self) -> dedup.Signature | None:
        return dedup.signature(self.row["text"][:MAX_TEXT])

    @cached_property
    def pairs(self) -> frozenset[tuple[str, str]]:
        """Every two words that follow each other."""
        return frozenset(itertools.pairwise(self.padded.split()))

    @cached_property
    def words(self) -> frozenset[str]:
        return frozenset(self.padded.split())

    def holds(self, words: tuple[str, ...]) -> bool:
        # each word looked up first: most phrases of most activities are not in most articles, and a
        # set lookup is a hundred times cheaper than a search through the text
        return all(w in self.words for w in words) and f" {' '.join(words)} " in self.padded

    @cached_property
    def outlet_country(self) -> str | None:
        """The outlet's country: its `sources` row's, else its country-code domain's."""
        if self.row.get("source_country"):
            return self.row["source_country"]
        try:
            host = urlsplit(self.row.get("url") or "").hostname or ""
        except ValueError:
            return None
        tld = host.rsplit(".", 1)[-1].lower() if "." in host else ""
        code = "GB" if tld == "uk" else tld.upper()
        if len(tld) != 2 or tld in _GENERIC_TLDS or pycountry.countries.get(alpha_2=code) is None:
            return None
        return code


# -- the score -----------------------------------------------------------------------------------------


def _reason(kind: str, strength: float = 1.0, **values: Any) -> dict[str, Any]:
    reason = {"kind": kind, "values": values, "weight": round(WEIGHTS[kind] * min(1.0, strength), 3)}
    reason["text"] = coverage_reason(reason, "en")
    return reason


def _title_share(p: Profile, article: Article) -> float:
    if len(p.title_pairs) < 2:
        return 0.0
    return len(p.title_pairs & article.pairs) / len(p.title_pairs)


def passes(p: Profile, article: Article) -> bool:
    """The narrowing, in memory: the article holds an anchor of the activity, or half its title."""
    return any(article.holds(words) for words in p.anchors) or _title_share(p, article) >= TITLE_SHARE


def _reused(text: Text, article: Article) -> int:
    """How many of the text's sentences the article repeats (most of each sentence's shingles)."""
    shingles = article.shingles
    return sum(
        1 for _, found in text.sentences if found and len(found & shingles) >= SENTENCE_SHARE * len(found)
    )


def _texts(p: Profile, article: Article) -> list[dict[str, Any]]:
    reasons = []
    for text in p.texts:
        count = _reused(text, article)
        if text.kind == "release":
            shared = len(text.shingles & article.shingles) / len(text.shingles) if text.shingles else 0.0
            match = (
                dedup.compare(text.signature, article.signature)
                if text.signature is not None and article.signature is not None
                else None
            )
            if shared >= dedup.CONTAINMENT or (match is not None and match.is_copy):
                reasons.append(_reason("release_copy", share=round(shared, 2)))
            elif count:
                strength = max(count / FULL_SENTENCES, shared / dedup.CONTAINMENT)
                reasons.append(_reason("release_sentences", strength, count=count, of=len(text.sentences)))
        elif count:
            kind = "points_sentences" if text.kind == "points" else "product_sentences"
            reasons.append(_reason(kind, count / FULL_SENTENCES, count=count, title=text.title, id=text.ref))
    return reasons


def _event(p: Profile, article: Article) -> dict[str, Any] | None:
    """The best of: an event of the activity's kind on its day (at its place), of its kind, on its day."""
    places = [words for name in p.names if name.kind == "place" for _, words in name.forms]
    best: dict[str, Any] | None = None
    rank = {"event_at": 3, "event": 2, "event_type": 1, "event_date": 0}
    dated = article.row.get("event_date") in p.days
    for event in article.row.get("events") or []:
        kind = event.get("type")
        try:
            day = date.fromisoformat(event["date"]) if event.get("date") else None
        except (TypeError, ValueError):
            day = None
        vi, en = _EVENT_NAMES.get(kind, (kind, kind))
        on_day = day in p.days
        found = None
        if kind in p.event_kinds and on_day:
            place = event.get("place") or ""
            if place and any(f" {' '.join(f)} " in _padded(place) for f in places):
                found = _reason("event_at", event_vi=vi, event_en=en, date=f"{day:%d/%m}", place=place)
            else:
                found = _reason("event", event_vi=vi, event_en=en, date=f"{day:%d/%m}")
        elif kind in p.event_kinds:
            found = _reason("event_type", event_vi=vi, event_en=en)
        elif on_day:
            found = _reason("event_date", date=f"{day:%d/%m}")
        if found is not None and (best is None or rank[found["kind"]] > rank[best["kind"]]):
            best = found
    if best is None and dated:
        best = _reason("event_date", date=f"{article.row['event_date']:%d/%m}")
    return best


def score(p: Profile, article: Article) -> tuple[float, list[dict[str, Any]]]:
    """How likely the article reports the activity (0..1), and why, best reason first."""
    reasons = _texts(p, article)
    for text, words in p.messages:
        if article.holds(words):
            reasons.append(_reason("key_message", message=text))
    for name in p.names:
        shown = next((shown for shown, words in name.forms if article.holds(words)), None)
        if shown is None:
            continue
        if name.kind == "place":
            reasons.append(_reason("place", place=shown))
        else:
            reasons.append(_reason(name.kind, name=shown))
    share = _title_share(p, article)
    if share >= TITLE_SHARE:
        found_pairs = len(p.title_pairs & article.pairs)
        reasons.append(_reason("title", share, found=found_pairs, of=len(p.title_pairs)))
    if (event := _event(p, article)) is not None:
        reasons.append(event)
    tags = article.row.get("tags") or {}
    for ref in sorted(p.doc_refs & set(tags.get("doc_ref", {})))[:3]:
        reasons.append(_reason("doc_ref", ref=ref))
    for country in p.countries:
        if country in tags.get("country", {}):
            reasons.append(_reason("country", country=country, name_vi=name_of(country, "country", "vi"),
                                   name_en=name_of(country, "country", "en")))  # fmt: skip
            break
    outlet = article.outlet_country
    if outlet is not None and outlet in p.countries:
        reasons.append(_reason("outlet", country=outlet, name_vi=name_of(outlet, "country", "vi"),
                               name_en=name_of(outlet, "country", "en")))  # fmt: skip
    elif outlet is None and article.row.get("lang") in p.languages:
        reasons.append(_reason("language", lang=article.row["lang"]))
    if article.at is not None and article.at.date() in p.days | {d + timedelta(days=1) for d in p.days}:
        reasons.append(_reason("timing"))
    if not any(r["kind"] in SPECIFIC for r in reasons):
        return 0.0, []
    miss = 1.0
    for reason in reasons:
        miss *= 1.0 - reason["weight"]
    reasons.sort(key=lambda r: (-r["weight"], r["kind"]))
    return round(1.0 - miss, 4), reasons


def _found(p: Profile, articles: Iterable[Article]) -> dict[int, tuple[float, list[dict[str, Any]]]]:
    """The articles that score at least MIN_SCORE for the activity: article -> (score, reasons)."""
    found = {}
    for article in articles:
        value, reasons = score(p, article)
        if value >= MIN_SCORE:
            found[article.id] = (value, reasons)
    return found


def narrow(profiles: Sequence[Profile], articles: Sequence[Article]) -> dict[Profile, list[Article]]:
    """`passes` for many activities and articles at once (a round's new articles against every open
    activity): each anchor is looked up by the word pair of it fewest of these articles hold, and each
    title's word pairs by pair, so an article costs the lookups of its own words and pairs, not one
    search per anchor of every activity. Only the articles in an activity's window are kept for it."""
    held = Counter(key for article in articles for key in itertools.chain(article.words, article.pairs))
    by_key: dict[str | tuple[str, str], list[tuple[Profile, tuple[str, ...]]]] = defaultdict(list)
    by_pair: dict[tuple[str, str], list[Profile]] = defaultdict(list)
    for p in profiles:
        for anchor in p.anchors:
            keys = list(itertools.pairwise(anchor)) or list(anchor)
            rarest = min(keys, key=lambda key: (held[key], key))
            if held[rarest]:
                by_key[rarest].append((p, anchor))
        if len(p.title_pairs) >= 2:
            for pair in p.title_pairs:
                by_pair[pair].append(p)
    found: dict[Profile, list[Article]] = {p: [] for p in profiles}
    for article in articles:
        hit: set[Profile] = set()
        for key in itertools.chain(article.words & by_key.keys(), article.pairs & by_key.keys()):
            for p, anchor in by_key[key]:
                if p not in hit and p.covers(article.at) and article.holds(anchor):
                    hit.add(p)
        shared = Counter(p for pair in article.pairs & by_pair.keys() for p in by_pair[pair])
        hit.update(
            p for p, n in shared.items() if n >= TITLE_SHARE * len(p.title_pairs) and p.covers(article.at)
        )
        for p in hit:
            found[p].append(article)
    return found


# -- the service ---------------------------------------------------------------------------------------


class Coverage:
    """Candidates for each activity, and people's decisions on them (`service.outreach.coverage`)."""

    def __init__(self, repo: CoverageRepository, activities: Activities, days_before: int = 1,
                 days_after: int = 14, subject: str = "VN"):  # fmt: skip
        self.repo, self.activities = repo, activities
        self.subject = subject  # the setting subject_country: never a host country
        self.days_before, self.days_after = days_before, days_after
        # activity -> (what its profile was made from, the profile): a watch round re-reads what the
        # activities put out (a few queries) but makes a profile again only for one that changed
        self._profiles: dict[int, tuple[str, Profile]] = {}

    def find(
        self, activity_ref: int | str, *, refresh: bool = True, include_rejected: bool = False
    ) -> list[Candidate]:
        """An activity's candidates (and the articles confirmed), best first; with `refresh`, scored
        again against the stored articles of its window first. Rejected ones only if asked."""
        activity_id = self.activities.get(activity_ref).id
        if refresh:
            self._refresh(activity_id)
        states = STATES if include_rejected else ("candidate", "confirmed")
        return [Candidate.from_row(row) for row in self.repo.stored(activity_id, states)]

    def confirm(self, activity_ref: int | str, article_id: int, *, by: str) -> Candidate:
        """A person says the article is coverage of the activity (audited: coverage_confirm)."""
        return self._decide(activity_ref, article_id, "confirmed", "coverage_confirm", by)

    def reject(self, activity_ref: int | str, article_id: int, *, by: str) -> Candidate:
        """A person says it is not: never proposed again (audited: coverage_reject)."""
        return self._decide(activity_ref, article_id, "rejected", "coverage_reject", by)

    def rescore(self, activity_ids: Iterable[int], seconds: float | None = None) -> int:
        """Search the coverage of activities just added or changed again (their window, names and
        texts may be new), in the order given, for at most `seconds` if given (a window costs 0.1–0.4
        s on a store of 100k articles: an import of hundreds must not wait minutes; the rest are
        searched when asked); how many candidates were written."""
        written, started = 0, time_monotonic()
        for activity_id in dict.fromkeys(activity_ids):
            if seconds is not None and time_monotonic() - started > seconds:
                break
            written += self._refresh(int(activity_id))
        return written

    def refresh_new(self, article_ids: Iterable[int]) -> int:
        """Check new articles against the activities whose window covers them (after each ingest and
        watch round), CHUNK articles at a time; how many candidates were written."""
        ids = list(dict.fromkeys(int(i) for i in article_ids))
        if not ids or not self.repo.any_activity():
            return 0
        return sum(self._check_new(ids[start : start + CHUNK]) for start in range(0, len(ids), CHUNK))

    def confirmed(self, activity_ids: Iterable[int]) -> dict[int, list[int]]:
        """Activity -> the articles people confirmed as its coverage (what evaluation counts)."""
        return self.repo.confirmed(list(activity_ids))

    # -- inside --------------------------------------------------------------------------------------

    def _profile(self, activity_id: int) -> Profile:
        return self._made(self.repo.material([activity_id])[0])

    def _made(self, row: dict[str, Any]) -> Profile:
        """The activity's profile, made again only if what it is made from changed."""
        key = hashlib.sha1(repr(sorted(row.items())).encode()).hexdigest()
        cached = self._profiles.get(row["id"])
        if cached is not None and cached[0] == key:
            return cached[1]
        if len(self._profiles) >= PROFILES_KEPT:
            self._profiles.clear()
        made = profile(row, self.days_before, self.days_after, self.subject)
        self._profiles[row["id"]] = (key, made)
        return made

    def _refresh(self, activity_id: int) -> int:
        """Score the activity against its window again: the articles its anchors and title narrow to,
        and those stored for it before (dropped, if only candidates, when they no longer score)."""
        p = self._profile(activity_id)
        start, end = p.window
        ids: list[int] = []
        if anchors := p.anchors:
            ids += self.repo.window_matches(Or(tuple(Term(a) for a in anchors)), start, end, ANCHOR_CAP)
        if len(p.title_pairs) >= 2:
            pairs = Or(tuple(Term(pair) for pair in sorted(p.title_pairs)))
            ids += self.repo.window_matches(pairs, start, end, TITLE_CAP)
        ids += [row["article_id"] for row in self.repo.stored(activity_id)]
        articles = [Article(row) for row in self.repo.article_rows(list(dict.fromkeys(ids)))]
        found = _found(p, [a for a in articles if p.covers(a.at) and passes(p, a)])
        return self.repo.save({p.id: (found, [a.id for a in articles])}, utcnow())

    def _check_new(self, ids: list[int]) -> int:
        """`refresh_new` for one chunk of articles."""
        times = self.repo.times(ids)
        if not times:
            return 0
        first, last = min(times.values()), max(times.values())
        around = self.repo.activities_around(
            last + timedelta(days=self.days_before + 2), first - timedelta(days=self.days_after + 2)
        )  # UTC against Hanoi wall-clock: two days' slack, the exact window is checked below
        if not around:
            return 0
        profiles = [self._made(row) for row in self.repo.material(around)]
        wanted = [i for i, at in times.items() if any(p.covers(at) for p in profiles)]
        if not wanted:
            return 0
        articles = [Article(row) for row in self.repo.article_rows(wanted)]
        stored = self.repo.pairs_of(wanted)  # (activity, article) already stored: scored again
        results = {}
        for p, narrowed in narrow(profiles, articles).items():
            checked = [a.id for a in articles if (p.id, a.id) in stored]
            if narrowed or checked:
                results[p.id] = (_found(p, narrowed), checked + [a.id for a in narrowed])
        return self.repo.save(results, utcnow())

    def _decide(
        self, activity_ref: int | str, article_id: int | str, state: str, action: str, by: str
    ) -> Candidate:
        by = check_actor(by, OutreachError)
        activity_id = self.activities.get(activity_ref).id
        try:
            article_id = int(article_id)
        except (TypeError, ValueError):
            raise OutreachError(
                "coverage_bad_article", "article {value!r}: give an article id", value=article_id
            ) from None
        rows = self.repo.article_rows([article_id])
        if not rows:
            raise NotFound("coverage_article_not_found", "no article with id {id}", id=article_id)
        scored = score(self._profile(activity_id), Article(rows[0]))
        self.repo.decide(activity_id, article_id, state, action, by, utcnow(), scored)
        return Candidate.from_row(self.repo.stored(activity_id, article_ids=[article_id])[0])
