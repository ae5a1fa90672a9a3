"""Stories: an online clusterer that puts each new article in an existing story or opens a new one.

A story is one real-world event or development as the press follows it over days: "floods in
central Vietnam", not "weather". Articles are taken one at a time, in the order given (the store
gives publication order), and each is compared with the active stories only:

- Text: TF-IDF over folded words and word pairs of the title (counted twice) and the first
  LEAD_WORDS words of the body. Document frequencies start from a background table
  (caunoi/data/models/story_df.npz, built by tools/build_story_df.py from Vietnamese news) and are
  learnt online from the stream itself, hashed into DF_BUCKETS counters so memory does not grow
  with the vocabulary. A story keeps the sum of its articles' vectors, pruned to its
  CENTROID_TERMS strongest terms.
- Canonical entities and document references (the enrichment's tags): what ties an article to a
  story across languages ("Hoa Kỳ", "Mỹ" and "United States" are one country:US), weighted by
  their own online inverse document frequency.
- Anchors (caunoi.stories.anchors): names, figures and key terms that read the same in every
  language, for an article in a language its story has not been written in.
- Time: an article joins only a story whose articles are at most WINDOW_DAYS away from it.

score = TEXT_WEIGHT × cosine(article, story centroid) + ENTITY_WEIGHT × entity overlap
        + DOCREF_BONUS when they cite the same document.
The article joins the best story scoring at least THRESHOLD. In a language the story has not been
written in yet, shared words are mostly names, so the article joins only when the IDF weight of
the anchors and entities they share is at least ANCHOR_EVIDENCE and a share ANCHOR_SHARE of the
article's own. With an optional multilingual sentence encoder (caunoi.stories.encoder, setting
`encoder`), an article no story took is compared with the ENCODER_CANDIDATES stories in other
languages it shares the most anchors with, by the embedding of its title and lead against theirs.
Otherwise it opens a story. The weights and threshold were chosen on the development half of the
labelled story set (benchmarks/story_clustering.py), the cross-language values on that of the
cross-lingual set (benchmarks/story_xling_anchors.py); figures in BENCHMARKS.md.

Stories not updated for RETIRE_DAYS of stream time (the latest publication time seen) leave the
active set, so memory is bounded by the stories of the last few days, not by the stream.
Everything is deterministic: the same articles in the same order give the same stories.

`articles_to_cluster`, `load_clusterer` and `save_clusterer` read the articles it takes and its
state, and write the stories it makes, through the store (caunoi.store.stories), which holds no
part of the algorithm.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from caunoi.store.stories import Describe, StoryRecord, StoryRepository
from caunoi.stories.anchors import anchors as find_anchors
from caunoi.stories.encoder import Encoder, lead
from caunoi.text.fold import fold, tokens

DF_BUCKETS = 1 << 21
# background document frequencies (tools/build_story_df.py): what a fresh clusterer starts from
BACKGROUND = Path(__file__).resolve().parent.parent / "data" / "models" / "story_df.npz"
LEAD_WORDS = 250
CENTROID_TERMS = 300
WINDOW_DAYS = 3.0
RETIRE_DAYS = 7.0
TEXT_WEIGHT = 2.0
ENTITY_WEIGHT = 0.35
DOCREF_BONUS = 0.15
THRESHOLD = 0.6
CROSS_THRESHOLD = 0.5
# an article in a language its story has not been written in joins on its anchors (caunoi.stories
# .anchors: names, figures, key terms, and the entities): at least ANCHOR_EVIDENCE of shared IDF
# weight, a share ANCHOR_SHARE of its own; or, with an encoder, on a title-and-lead embedding at
# least ENCODER_THRESHOLD close to the story's with ENCODER_EVIDENCE of anchors. Chosen on the
# development half of benchmarks/data/stories-xling/ (benchmarks/story_xling_anchors.py)
ANCHORS = True  # False: entities alone across languages (CROSS_THRESHOLD), as before issue 19
ANCHOR_EVIDENCE = 20.0
ANCHOR_SHARE = 0.15
ENCODER_THRESHOLD = 0.88
ENCODER_EVIDENCE = 20.0
ENCODER_CANDIDATES = 3
ANCHOR_KEEP = 200  # a story's most frequent anchors kept
LEADS_KEPT = 3  # with an encoder, a story is embedded as the mean of its first articles' leads
TERM_CANDIDATES = 12  # an article's strongest terms used to find candidate stories…
ENTITY_CANDIDATES = 3  # …and its rarest entities
MAX_CANDIDATES = 200  # stories scored per article at most: those sharing the most of these keys
SWEEP = timedelta(hours=1)  # stream time between two looks for stories to retire
ENTITY_SCORE = 0.6  # the tags the enrichment writes are at least this sure already


@cache
def _background() -> tuple[np.ndarray, int]:
    df = np.zeros(DF_BUCKETS, dtype=np.uint32)
    if not BACKGROUND.exists():
        return df, 0
    with np.load(BACKGROUND) as data:
        df[data["buckets"]] = data["counts"]
        return df, int(data["documents"][0])


def _bucket(term: str) -> int:
    return zlib.crc32(term.encode()) & (DF_BUCKETS - 1)


@dataclass
class Article:
    """What the clusterer needs of an article."""

    id: int
    published: datetime
    lang: str | None
    title: str
    text: str
    entities: frozenset[str] = frozenset()  # canonical entity ids (the enrichment's entity tags)
    doc_refs: frozenset[str] = frozenset()
    duplicate_of: int | None = None  # a reprint joins its original's story


@dataclass
class Story:
    id: int
    first_seen: datetime
    last_seen: datetime
    n: int = 0
    centroid: dict[int, float] = field(default_factory=dict)
    entities: Counter = field(default_factory=Counter)
    doc_refs: Counter = field(default_factory=Counter)
    langs: Counter = field(default_factory=Counter)
    anchors: Counter = field(default_factory=Counter)  # caunoi.stories.anchors, ANCHOR_KEEP at most
    leads: list[str] = field(default_factory=list)  # with an encoder: its first articles' leads…
    embedded: list[np.ndarray] = field(default_factory=list)  # …embedded when an article in another
    embedding: np.ndarray | None = None  # language needs them, and their normalised mean
    norm: float = 0.0

    def to_state(self) -> dict[str, Any]:
        state = {
            "n": self.n,
            "centroid": {str(k): round(v, 5) for k, v in self.centroid.items()},
            "entities": dict(self.entities),
            "doc_refs": dict(self.doc_refs),
            "langs": dict(self.langs),
            "anchors": dict(self.anchors),
        }
        if self.leads:
            state["leads"] = self.leads
        return state

    @classmethod
    def from_state(cls, story_id: int, first: datetime, last: datetime, state: dict[str, Any]) -> Story:
        story = cls(
            story_id,
            first,
            last,
            n=state.get("n", 0),
            centroid={int(k): v for k, v in state.get("centroid", {}).items()},
            entities=Counter(state.get("entities", {})),
            doc_refs=Counter(state.get("doc_refs", {})),
            langs=Counter(state.get("langs", {})),
            anchors=Counter(state.get("anchors", {})),
        )
        story.leads = list(state.get("leads", []))
        story.norm = math.sqrt(sum(v * v for v in story.centroid.values()))
        return story


@dataclass(frozen=True)
class Assignment:
    article_id: int
    story_id: int
    similarity: float  # the score it joined with; 1.0 for the article that opened the story
    new: bool


class Clusterer:
    """The online clusterer with its state: document frequencies and the active stories."""

    def __init__(
        self,
        df: np.ndarray | None = None,
        documents: int = 0,
        next_id: int = 1,
        encoder: Encoder | None = None,
    ):
        if df is None:  # a fresh clusterer starts from the background frequencies
            background, documents = _background()
            df = background.copy()
        self.df = df
        self.documents = documents
        self.next_id = next_id
        self.active: dict[int, Story] = {}
        self.stream_time: datetime | None = None
        self._swept: datetime | None = None  # stream time of the last look for stories to retire
        self._by_term: dict[int, set[int]] = {}
        self._by_entity: dict[str, set[int]] = {}
        self.story_of: dict[int, int] = {}  # article id -> story id, for reprints of recent articles
        self.retired: dict[int, Story] = {}  # stories that left the active set since `take_retired`
        self.encoder = encoder  # caunoi.stories.encoder: None = anchors alone across languages
        self._embedding: tuple[int, np.ndarray] | None = None  # the article being placed, embedded
        self._unsure: list[tuple[float, int]] = []  # its stories in other languages: (evidence, id)

    # -- state ---------------------------------------------------------------------------------

    def dump_df(self) -> bytes:
        return self.documents.to_bytes(8, "little") + zlib.compress(self.df.astype("<u4").tobytes(), 6)

    @classmethod
    def load(
        cls, blob: bytes | None, stories: Iterable[Story], next_id: int, encoder: Encoder | None = None
    ) -> Clusterer:
        if blob:
            documents = int.from_bytes(blob[:8], "little")
            df = np.frombuffer(zlib.decompress(blob[8:]), dtype="<u4").astype(np.uint32)
            out = cls(df.copy(), documents, next_id, encoder)
        else:
            out = cls(next_id=next_id, encoder=encoder)
        for story in stories:
            out._activate(story)
            if out.stream_time is None or story.last_seen > out.stream_time:
                out.stream_time = story.last_seen
        return out

    def _activate(self, story: Story) -> None:
        self.active[story.id] = story
        for term in story.centroid:
            self._by_term.setdefault(term, set()).add(story.id)
        for entity in (*story.entities, *story.anchors):
            self._by_entity.setdefault(entity, set()).add(story.id)

    def _deactivate(self, story: Story) -> None:
        for term in story.centroid:
            ids = self._by_term.get(term)
            if ids is not None:
                ids.discard(story.id)
                if not ids:
                    del self._by_term[term]
        for entity in (*story.entities, *story.anchors):
            ids = self._by_entity.get(entity)
            if ids is not None:
                ids.discard(story.id)
                if not ids:
                    del self._by_entity[entity]

    # -- features ------------------------------------------------------------------------------

    def _terms(self, article: Article) -> Counter:
        title = tokens(fold(article.title))
        body = tokens(fold(article.text))[:LEAD_WORDS]
        counts: Counter = Counter()
        for words, weight in ((title, 2), (body, 1)):
            for i, word in enumerate(words):
                counts[word] += weight
                if i + 1 < len(words):
                    counts[f"{word} {words[i + 1]}"] += weight
        return counts

    def _idf(self, bucket: int) -> float:
        return math.log((self.documents + 1) / (int(self.df[bucket]) + 1)) + 1.0

    def _entity_idf(self, entity: str) -> float:
        return self._idf(_bucket("\x00" + entity))

    def vector(
        self, article: Article, learn: bool = True, anchors: frozenset[str] = frozenset()
    ) -> dict[int, float]:
        """The article's l2-normalised TF-IDF vector over hashed terms (learning its document
        frequencies, and those of its entities and `anchors`, first when `learn`)."""
        counts = self._terms(article)
        buckets: Counter = Counter()
        for term, count in counts.items():
            buckets[_bucket(term)] += count
        if learn:
            self.documents += 1
            keys = np.fromiter(buckets.keys(), dtype=np.int64, count=len(buckets))
            self.df[keys] += 1
            for entity in article.entities | article.doc_refs | anchors:
                self.df[_bucket("\x00" + entity)] += 1
        vec = {b: (1.0 + math.log(c)) * self._idf(b) for b, c in buckets.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {b: v / norm for b, v in vec.items()}

    # -- scoring -------------------------------------------------------------------------------

    def _entity_overlap(
        self, article: Article, story: Story, weights: dict[str, float] | None = None
    ) -> tuple[float, int]:
        """Share of the article's entity information (IDF-weighted) the story has, and how many
        entities they share. `weights`: the article's entity IDFs, when already worked out."""
        weights = weights or {e: self._entity_idf(e) for e in article.entities}
        total = shared = 0.0
        count = 0
        for entity, weight in weights.items():
            total += weight
            seen = story.entities.get(entity, 0)
            if seen:
                shared += weight * min(1.0, 2.0 * seen / max(1, story.n))
                count += 1
        return (shared / total if total else 0.0), count

    def _anchor_evidence(self, story: Story, weights: dict[str, float]) -> tuple[float, float]:
        """The IDF weight of the article's anchors and entities (`weights`) that the story has (each
        counted as far as half the story's articles have it), and its share of the article's."""
        total = shared = 0.0
        for anchor, weight in weights.items():
            total += weight
            seen = story.entities.get(anchor, 0) or story.anchors.get(anchor, 0)
            if seen:
                shared += weight * min(1.0, 2.0 * seen / max(1, story.n))
        return shared, (shared / total if total else 0.0)

    def _ask_encoder(self, article: Article) -> tuple[float, int] | None:
        """For an article no story took: the stories in another language it shares the most anchors
        with (ENCODER_CANDIDATES of them, with ENCODER_EVIDENCE at least), the closest of them by
        the encoder when that is ENCODER_THRESHOLD close. Only these are embedded, so the encoder
        costs nothing within one language."""
        best: tuple[float, int] | None = None
        unsure = sorted((e, s) for e, s in self._unsure if e >= ENCODER_EVIDENCE)[::-1][:ENCODER_CANDIDATES]
        for _, story_id in unsure:
            similarity = self._encoder_similarity(article, self.active[story_id])
            if similarity >= ENCODER_THRESHOLD and (best is None or similarity > best[0]):
                best = (similarity, story_id)
        return best and (THRESHOLD + best[0] - ENCODER_THRESHOLD, best[1])

    def _encoder_similarity(self, article: Article, story: Story) -> float:
        """Cosine of the article's title-and-lead embedding with the mean of its story's first
        leads' (each lead embedded once)."""
        assert self.encoder is not None
        if self._embedding is None or self._embedding[0] != article.id:
            self._embedding = (article.id, self.encoder.embed([lead(article.title, article.text)])[0])
        if story.embedding is None or len(story.embedded) < len(story.leads):
            story.embedded.extend(self.encoder.embed(story.leads[len(story.embedded) :]))
            mean = np.mean(story.embedded, axis=0)
            story.embedding = mean / (float(np.linalg.norm(mean)) or 1.0)
        return float(self._embedding[1] @ story.embedding)

    def score(
        self,
        article: Article,
        vec: dict[int, float],
        story: Story,
        weights: dict[str, float] | None = None,
        anchor_weights: dict[str, float] | None = None,
    ) -> float:
        """How well the article fits the story; `anchor_weights`: the IDF of its anchors and
        entities, for a story in another language."""
        cosine = 0.0
        if story.norm:
            centroid = story.centroid
            cosine = sum(vec[b] * centroid[b] for b in vec.keys() & centroid.keys()) / story.norm
        cosine *= TEXT_WEIGHT
        overlap, shared = self._entity_overlap(article, story, weights)
        docref = DOCREF_BONUS if article.doc_refs & story.doc_refs.keys() else 0.0
        if article.lang and article.lang not in story.langs:
            joined = cosine + ENTITY_WEIGHT * overlap + docref
            if anchor_weights is None:  # entities alone: as before anchors (cluster.ANCHORS)
                if shared >= 2 and overlap + docref >= CROSS_THRESHOLD:
                    return max(THRESHOLD, joined)
            else:
                evidence, share = self._anchor_evidence(story, anchor_weights)
                if evidence >= ANCHOR_EVIDENCE and share >= ANCHOR_SHARE:
                    return max(THRESHOLD, joined) + share / 10  # the most shared of several wins
                self._unsure.append((evidence, story.id))
            return cosine  # in another language, words alone are only names
        return cosine + ENTITY_WEIGHT * overlap + docref

    def _candidates(
        self, article: Article, vec: dict[int, float], anchors: frozenset[str] = frozenset()
    ) -> list[int]:
        """The active stories sharing the most of the article's strongest terms, rarest entities and
        rarest anchors (every document it cites counts), at most MAX_CANDIDATES."""
        hits: Counter = Counter()
        for bucket, _ in sorted(vec.items(), key=lambda kv: (-kv[1], kv[0]))[:TERM_CANDIDATES]:
            hits.update(self._by_term.get(bucket, ()))
        rare = sorted(article.entities, key=lambda e: (-self._entity_idf(e), e))[:ENTITY_CANDIDATES]
        rare += sorted(anchors, key=lambda e: (-self._entity_idf(e), e))[:ENTITY_CANDIDATES]
        for entity in [*rare, *sorted(article.doc_refs)]:
            hits.update(self._by_entity.get(entity, ()))
        if len(hits) <= MAX_CANDIDATES:
            return sorted(hits)
        return sorted(s for s, _ in sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CANDIDATES])

    def _in_window(self, story: Story, when: datetime) -> bool:
        window = timedelta(days=WINDOW_DAYS)
        return story.first_seen - window <= when <= story.last_seen + window

    # -- the stream ----------------------------------------------------------------------------

    def add(self, article: Article) -> Assignment:
        """Put one article in a story; the caller stores the assignment and the touched story."""
        anchors = find_anchors(article.title, article.text) if ANCHORS else frozenset()
        vec = self.vector(article, anchors=anchors)
        self._advance(article.published)
        if article.duplicate_of is not None and article.duplicate_of in self.story_of:
            story = self.active.get(self.story_of[article.duplicate_of])
            if story is not None:
                self._update(story, article, vec, anchors)
                return Assignment(article.id, story.id, 1.0, False)
        best: tuple[float, int] | None = None
        weights = {e: self._entity_idf(e) for e in sorted(article.entities)}
        anchor_weights = weights | {a: self._entity_idf(a) for a in sorted(anchors)} if ANCHORS else None
        self._unsure = []
        for story_id in self._candidates(article, vec, anchors):
            story = self.active[story_id]
            if not self._in_window(story, article.published):
                continue
            s = self.score(article, vec, story, weights, anchor_weights)
            if s >= THRESHOLD and (best is None or s > best[0]):
                best = (s, story_id)
        if best is None and self.encoder is not None:
            best = self._ask_encoder(article)
        if best is None:
            story = Story(self.next_id, article.published, article.published)
            self.next_id += 1
            self._join(story, article, vec, anchors)
            self._activate(story)
            return Assignment(article.id, story.id, 1.0, True)
        self._update(self.active[best[1]], article, vec, anchors)
        return Assignment(article.id, best[1], round(best[0], 4), False)

    def _update(self, story: Story, article: Article, vec: dict[int, float], anchors: frozenset[str]) -> None:
        """An active story takes an article: its index entries follow its changed profile."""
        self._deactivate(story)
        self._join(story, article, vec, anchors)
        self._activate(story)

    def _join(self, story: Story, article: Article, vec: dict[int, float], anchors: frozenset[str]) -> None:
        story.n += 1
        story.first_seen = min(story.first_seen, article.published)
        story.last_seen = max(story.last_seen, article.published)
        for bucket, weight in vec.items():
            story.centroid[bucket] = story.centroid.get(bucket, 0.0) + weight
        if len(story.centroid) > CENTROID_TERMS:
            strongest = sorted(story.centroid.items(), key=lambda kv: (-kv[1], kv[0]))[:CENTROID_TERMS]
            story.centroid = dict(strongest)
        story.norm = math.sqrt(sum(v * v for v in story.centroid.values()))
        story.entities.update(article.entities)
        story.doc_refs.update(article.doc_refs)
        story.anchors.update(anchors)
        if len(story.anchors) > ANCHOR_KEEP:
            story.anchors = Counter(
                dict(sorted(story.anchors.items(), key=lambda kv: (-kv[1], kv[0]))[:ANCHOR_KEEP])
            )
        if self.encoder is not None and len(story.leads) < LEADS_KEPT:
            story.leads.append(lead(article.title, article.text))
        if article.lang:
            story.langs[article.lang] += 1
        self.story_of[article.id] = story.id

    def _advance(self, when: datetime) -> None:
        """Move stream time forward and retire the stories it has left behind."""
        if self.stream_time is not None and when <= self.stream_time:
            return
        self.stream_time = when
        if self._swept is not None and when - self._swept < SWEEP:
            return
        self._swept = when
        horizon = when - timedelta(days=RETIRE_DAYS)
        old = [s for s in self.active.values() if s.last_seen < horizon]
        for story in old:
            self._deactivate(story)
            del self.active[story.id]
            self.retired[story.id] = story
        if old:
            keep = set(self.active)
            self.story_of = {a: s for a, s in self.story_of.items() if s in keep}

    def take_retired(self) -> dict[int, Story]:
        out, self.retired = self.retired, {}
        return out


# -- through the store ---------------------------------------------------------------------------


def articles_to_cluster(store: StoryRepository, limit: int) -> list[Article]:
    """Signed articles not yet in a story, in publication order (then id), with their entities and
    document references."""
    rows, found = store.cluster_todo(limit, ("entity", "doc_ref"), ENTITY_SCORE)
    tags: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for t in found:
        tags[t.article_id][t.kind].add(t.value)
    return [
        Article(
            r.id,
            r.when,
            r.lang,
            r.title,
            r.text,
            frozenset(tags[r.id]["entity"]),
            frozenset(tags[r.id]["doc_ref"]),
            r.original_id,
        )
        for r in rows
    ]


def load_clusterer(store: StoryRepository, encoder: Encoder | None = None) -> Clusterer:
    """The clusterer as its last saved batch left it: frequencies, active stories, their articles."""
    state = store.clusterer_state()
    active = [Story.from_state(r.id, r.first_seen, r.last_seen, r.state) for r in state.active]
    clusterer = Clusterer.load(state.blob, active, state.next_id, encoder)
    clusterer.story_of.update(state.story_of)
    return clusterer


def save_clusterer(
    store: StoryRepository,
    clusterer: Clusterer,
    assigned: list[Assignment],
    describe: Describe,
    sample: tuple[int, int],
) -> None:
    """Store a batch's assignments, the stories they touched with their titles and summaries
    (`describe` over a `sample` of their members: caunoi.stories.summary), the retired ones and
    the clusterer's document frequencies, in one transaction."""
    retired = clusterer.take_retired()
    touched = []
    for story_id in sorted({a.story_id for a in assigned}):
        story = clusterer.active.get(story_id) or retired[story_id]
        touched.append(
            StoryRecord(
                story_id, story.first_seen, story.last_seen, story.to_state(), story_id in clusterer.active
            )
        )
    store.save(
        touched,
        [(a.article_id, a.story_id, a.similarity) for a in assigned],
        list(retired),
        clusterer.dump_df(),
        describe,
        sample,
    )
