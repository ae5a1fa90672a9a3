"""The labelled set of earned coverage (benchmarks/data/coverage-vi/): real activities and the
vi-news-unc articles that covered them, which benchmarks/coverage_quality.py scores the matcher on.
These tests keep it well formed: a broken row would silently skew precision and recall."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from caunoi.outreach.activities import ACTIVITY_TYPES, IMPORT_COLUMNS, OPTIONAL_COLUMNS
from caunoi.units import SAMPLE

SET = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "coverage-vi"


def rows(name: str | Path, delimiter: str = ",") -> list[dict[str, str]]:
    """The rows of a CSV (or TSV) of the set, or of the file at a path."""
    with open(SET / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def test_activities_have_the_import_templates_columns_and_unique_keys():
    with open(SET / "activities.csv", encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert set(header) <= set(IMPORT_COLUMNS + OPTIONAL_COLUMNS)
    assert set(IMPORT_COLUMNS) <= set(header) and "release" in header
    keys = Counter(a["key"] for a in rows("activities.csv"))
    assert [k for k, n in keys.items() if n > 1] == []
    assert len(keys) >= 40


def test_every_activity_is_of_a_known_type_and_a_shipped_unit():
    shipped = {u["code"] for u in rows(SAMPLE)}
    for activity in rows("activities.csv"):
        assert activity["unit"] in shipped, activity["key"]
        assert activity["type"] in ACTIVITY_TYPES, activity["key"]
        assert activity["title"] and activity["date"], activity["key"]


def test_every_activity_has_a_relevant_article_and_labels_name_known_activities():
    keys = {a["key"] for a in rows("activities.csv")}
    labels = rows("labels.csv")
    assert {label["activity_key"] for label in labels} <= keys
    assert {label["relevant"] for label in labels} <= {"0", "1"}
    relevant = {label["activity_key"] for label in labels if label["relevant"] == "1"}
    assert keys - relevant == set()
    pairs = Counter((label["activity_key"], label["doc_id"]) for label in labels)
    assert [p for p, n in pairs.items() if n > 1] == []  # one judgement per pair
    assert {s["activity_key"] for s in rows("searches.tsv", "\t")} == keys  # how recall was sought


def test_every_labelled_article_is_a_file_of_the_corpus(vi_news_dir):
    """Skipped with the reason when ../shared/data/vi-news-unc is absent (conftest.shared_dataset)."""
    published = {}
    for label in rows("labels.csv"):
        path = vi_news_dir / f"{label['doc_id']}.txt"
        assert path.is_file(), label["doc_id"]
        head = path.read_text(encoding="utf-8").splitlines()[:3]
        assert head[0] == f"# doc_id = {label['doc_id']}"
        published[label["doc_id"]] = head[2].removeprefix("# date = ")
    assert all(len(day) == 8 and day.isdigit() for day in published.values())
