"""Near-duplicates: reprints and syndicated copies of an article, found with MinHash LSH.

Exact copies (the same normalised body) are already stored once, with each place they came from
(`origins`). This stage finds the copies that differ: a changed title, a trimmed tail, added page
chrome, an attribution line ("Theo TTXVN"), a reworded lead.

- Shingles: overlapping runs of SHINGLE words of the folded body (lower case, no diacritics, đ→d;
  see caunoi.text.fold). The title is left out: reprints change it more than anything else.
- Signature: datasketch MinHash, NUM_PERM permutations, fixed seed, so signatures stored today
  compare with signatures made tomorrow.
- Candidates: LSH with BANDS bands of ROWS rows: two bodies sharing any band are compared. With
  3 rows × 42 bands the chance of being compared is 0.68 at Jaccard 0.3, 0.94 at 0.4, 0.999 at 0.5,
  and 0.0003 at 0.02 (unrelated articles).
- Bounded work: a flood of near-copies (one article under thousands of URLs, each page a little
  different) puts every copy in the same buckets, and comparing each with all the ones before is
  quadratic (2,000 copies: 100 s). A bucket indexes its first BUCKET_CAP articles only, and an
  article is compared with at most MAX_COMPARED candidates, those sharing the most bands with it;
  the first copies of a text stand for the rest, since a copy is linked to the group's original
  whichever of its copies it matched (benchmarks/story_near_copies.py).
- Verdict: a candidate is a copy when the estimated Jaccard similarity is at least JACCARD, or when
  the smaller body is at least CONTAINMENT contained in the larger (a trimmed copy) and is not
  tiny next to it (at least MIN_SIZE_RATIO of its shingles): a short brief quoted inside a long
  feature is not a reprint of it.

The copies of one text form a group linked to its earliest copy (by publication time, then by
id): the original. A copy found before its original (a backfill) makes the original the new
earliest, and the group is relinked to it. A batch is signed in publication order, so a flood of
copies stored newest first relinks the group once a batch, not once a copy.

`dedupe` runs this over a batch of stored articles; it reads and writes through the store
(caunoi.store.stories), which holds no part of the algorithm.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from datasketch import MinHash

from caunoi.store.stories import StoryRepository
from caunoi.text.fold import fold, tokens

SHINGLE = 4  # words per shingle
NUM_PERM = 128
ROWS = 3
BANDS = 42  # ROWS * BANDS <= NUM_PERM
SEED = 1
JACCARD = 0.6
CONTAINMENT = 0.8
MIN_SIZE_RATIO = 0.35
MIN_SHINGLES = 8  # a body shorter than this is too short to call a copy of anything
BUCKET_CAP = 20  # articles an LSH bucket indexes at most…
MAX_COMPARED = 50  # …and candidates an article is compared with at most


@dataclass(frozen=True)
class Signature:
    hashes: np.ndarray  # NUM_PERM uint32 values
    shingles: int  # size of the shingle set

    def to_bytes(self) -> bytes:
        return self.hashes.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, shingles: int) -> Signature:
        return cls(np.frombuffer(data, dtype="<u4").astype(np.uint64), shingles)

    def band_keys(self) -> list[tuple[int, str]]:
        """(band, key): the LSH buckets this signature falls in."""
        raw = self.hashes.astype("<u4")
        return [
            (band, hashlib.blake2b(raw[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8).hexdigest())
            for band in range(BANDS)
        ]

    def jaccard(self, other: Signature) -> float:
        return float(np.count_nonzero(self.hashes == other.hashes)) / NUM_PERM


def shingles(text: str) -> set[bytes]:
    words = tokens(fold(text))
    if len(words) < SHINGLE:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


def signature(text: str) -> Signature | None:
    """The body's signature; None for a body too short to compare."""
    found = shingles(text)
    if len(found) < MIN_SHINGLES:
        return None
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update_batch(sorted(found))
    return Signature(minhash.hashvalues.astype(np.uint64), len(found))


@dataclass(frozen=True)
class Match:
    jaccard: float
    containment: float  # share of the smaller body found in the larger

    @property
    def is_copy(self) -> bool:
        return self.jaccard >= JACCARD or self.containment >= CONTAINMENT


def compare(a: Signature, b: Signature) -> Match | None:
    """How much of one body the other repeats; None when the smaller is tiny next to the larger."""
    small, large = sorted((a.shingles, b.shingles))
    if small < MIN_SIZE_RATIO * large:
        return None
    j = a.jaccard(b)
    shared = j * (a.shingles + b.shingles) / (1 + j)  # |A ∩ B| from J = |A ∩ B| / |A ∪ B|
    return Match(round(j, 4), round(min(1.0, shared / small), 4))


def best_copy(sig: Signature, candidates: Iterable[tuple[int, Signature]]) -> tuple[int, Match] | None:
    """The candidate this body is closest to among those it is a copy of (ties: the lowest id)."""
    best: tuple[int, Match] | None = None
    for other_id, other in candidates:
        match = compare(sig, other)
        if match is None or not match.is_copy:
            continue
        if best is None or (match.jaccard, -other_id) > (best[1].jaccard, -best[0]):
            best = (other_id, match)
    return best


@dataclass(frozen=True)
class DedupeResult:
    checked: int
    copies: int


def dedupe(store: StoryRepository, rows: list[Any]) -> DedupeResult:
    """Sign these articles (rows of id, text, published, created_at) and link each copy to the
    earliest copy of its text, in one transaction (each article sees the ones signed before it, in
    this batch too)."""
    # earliest first: a batch stored newest first (as sitemaps list) relinks its group once, when its
    # earliest copy is signed, instead of once for each copy older than the ones before it
    in_time = sorted(rows, key=lambda r: (r.published or r.created_at, r.id))
    signed = [(row, signature(row.text)) for row in in_time]
    copies = 0
    with store.signing() as batch:
        for row, sig in signed:
            if sig is None:  # too short to compare: recorded as checked, never a candidate
                batch.add(row.id, b"", 0, [], BUCKET_CAP)
                continue
            keys = sig.band_keys()
            found = [
                (c.article_id, Signature.from_bytes(c.hashes, c.shingles))
                for c in batch.candidates(keys, row.id, MAX_COMPARED)
            ]
            best = best_copy(sig, found)
            batch.add(row.id, sig.to_bytes(), sig.shingles, keys, BUCKET_CAP)
            if best is not None:
                copy_of, match = best
                batch.link(row, copy_of, match.jaccard, match.containment)
                copies += 1
    return DedupeResult(len(rows), copies)
