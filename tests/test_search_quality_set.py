"""The judged search set (benchmarks/data/search_queries.tsv, search_qrels.tsv) that
benchmarks/search_quality.py scores search on. These tests keep it well formed: no search runs here,
but a query without a relevant article, or a judgment of an article that is not in the corpus,
would silently skew precision and nDCG."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

from caunoi.text.fold import fold, lower_exact, tokens

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data"


def rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def judged() -> dict[str, dict[str, str]]:
    """Per query id, its judged doc ids and their grades."""
    grades: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows("search_qrels.tsv"):
        assert row["doc_id"] not in grades[row["query_id"]], row  # one judgment per pair
        grades[row["query_id"]][row["doc_id"]] = row["grade"]
    return grades


def test_the_queries_are_at_least_40_half_typed_without_diacritics():
    queries = rows("search_queries.tsv")
    assert len(queries) >= 40
    assert len({q["id"] for q in queries}) == len(queries)
    typed = Counter(q["typed"] for q in queries)
    assert set(typed) == {"with", "without"} and typed["with"] == typed["without"]
    for q in queries:
        has_diacritics = fold(q["query"]) != lower_exact(q["query"])
        assert has_diacritics == (q["typed"] == "with"), q["id"]  # the column says what the text is
        assert q["intent"].strip(), q["id"]
        # the intended reading is a reading of what was typed
        assert tokens(fold(q["reading"])) == tokens(fold(q["query"])), q["id"]


def test_every_query_has_a_relevant_judged_article_and_pairs_agree():
    queries = rows("search_queries.tsv")
    grades = judged()
    assert set(grades) <= {q["id"] for q in queries}
    assert {g for by_doc in grades.values() for g in by_doc.values()} <= {"0", "1", "2"}
    for q in queries:
        assert any(g != "0" for g in grades[q["id"]].values()), f"{q['id']} {q['query']!r}"
    by_intent = defaultdict(list)
    for q in queries:
        by_intent[q["intent"]].append(q["id"])
    pairs = [ids for ids in by_intent.values() if len(ids) > 1]
    assert len(pairs) >= 10  # the same intent typed both ways
    for ids in pairs:
        assert all(grades[i] == grades[ids[0]] for i in ids), ids  # the intent is what is judged


def test_every_judged_article_is_a_file_of_the_corpus(vi_news_dir):
    """Skipped with the reason when ../shared/data/vi-news-unc is absent (conftest.shared_dataset)."""
    for doc in sorted({row["doc_id"] for row in rows("search_qrels.tsv")}):
        assert (vi_news_dir / f"{doc}.txt").is_file(), doc
