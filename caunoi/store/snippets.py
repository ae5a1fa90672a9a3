"""Search snippets: the passage of the body where the query matched, with the matches marked."""

from __future__ import annotations

from dataclasses import dataclass

from caunoi.store.query import Term
from caunoi.text.fold import TOKEN_RE, fold, lower_exact


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: list[tuple[int, int]]  # [start, end) offsets in `text`


def _matches(spans: list[tuple[int, int, str]], lowered: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Where each term matches: its words folded (the `spans` of the folded text's tokens), the ones
    it wants as typed in `lowered` (the text lower-cased, diacritics kept, at the same offsets)."""
    found: list[tuple[int, int]] = []
    for term in terms:
        n = len(term.tokens)
        exact = term.exact or (False,) * n
        wanted = [term.typed[k] if exact[k] else term.tokens[k] for k in range(n)]
        head, head_prefix = term.tokens[0], term.prefix and n == 1
        for i in range(len(spans) - n + 1):
            word = spans[i][2]  # folded: a word that does not fold to the term's cannot match it
            if word != head and not (head_prefix and word.startswith(head)):
                continue
            for k in range(n):
                start, end, word = spans[i + k]
                if exact[k]:
                    word = lowered[start:end]
                if not (word.startswith(wanted[k]) if term.prefix and k == n - 1 else word == wanted[k]):
                    break
            else:
                found.append((spans[i][0], spans[i + n - 1][1]))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(set(found)):
        # words matched side by side read as one highlight: "đối ngoại", not "đối" "ngoại"
        if merged and (start <= merged[-1][1] or not lowered[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def make_snippet(
    text: str, terms: list[Term], *, first: list[Term] | None = None, width: int = 220
) -> Snippet:
    """The `width`-character window of `text` holding the most matches, matches marked by offsets:
    of the `first` terms (the query as read) where they match, else of `terms`.

    Matching runs on the folded text, whose offsets equal the original's (see text.fold), and on
    the lower-cased one for the words a term wants with their diacritics.
    """
    norm, lowered = fold(text), lower_exact(text)
    matches = []
    if len(norm) == len(text) == len(lowered):
        spans = [(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(norm)]
        matches = (_matches(spans, lowered, first) if first else []) or _matches(spans, lowered, terms)
    if not matches:
        cut = text[:width]
        return Snippet(cut + ("…" if len(text) > width else ""), [])
    # The window covering the most different query words, then the most matches.
    matches = matches[:500]
    best_start, best = matches[0][0], (0, 0)
    j = 0
    for i, (start, _end) in enumerate(matches):
        while j < len(matches) and matches[j][1] <= start + width:
            j += 1
        covered = {tok for s, e in matches[i:j] for tok in TOKEN_RE.findall(norm[s:e])}
        score = (len(covered), j - i)
        if score > best:
            best_start, best = start, score
    # Some context before the first match, starting on a word boundary.
    begin = max(0, best_start - width // 4)
    if begin > 0:
        space = text.find(" ", begin, best_start)
        begin = space + 1 if space != -1 else begin
    end = min(len(text), begin + width)
    if end < len(text):
        space = text.rfind(" ", best_start, end)
        end = space if space > best_start else end
    prefix = "…" if begin > 0 else ""
    body = text[begin:end].replace("\n", " ")
    shift = len(prefix) - begin
    highlights = [(s + shift, e + shift) for s, e in matches if s >= begin and e <= end]
    return Snippet(prefix + body + ("…" if end < len(text) else ""), highlights)
