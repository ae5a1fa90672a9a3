"""The article-extraction-benchmark metric of benchmarks/extraction.py, on texts small enough to count
the 4-token shingles by hand."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "extraction.py"
_SPEC = importlib.util.spec_from_file_location("benchmark_extraction", _PATH)
assert _SPEC and _SPEC.loader
bench = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench)

TRUTH = "Three people have died during protests in Bolivia against the interim government."


def test_tokens_are_word_runs_with_case_kept():
    assert bench.tokens("U.S. job-cuts, Hà Nội's 2019") == ["U", "S", "job", "cuts", "Hà", "Nội", "s", "2019"]


def test_identical_texts_score_one():
    assert bench.score(TRUTH, TRUTH) == (1.0, 1.0, 1.0)
    # Punctuation and line breaks are not tokens: they do not count against a prediction.
    assert bench.score(TRUTH.replace(" in ", "\nin ").rstrip("."), TRUTH) == (1.0, 1.0, 1.0)
    assert bench.same_tokens(TRUTH.upper(), TRUTH) is False  # case is kept


def test_empty_prediction_scores_nothing_and_is_left_out_of_precision():
    assert bench.shingle_match("", TRUTH) == (0.0, 0.0, 1.0)
    assert bench.score("", TRUTH) == (0.0, 0.0, 0.0)
    full, empty = bench.shingle_match(TRUTH, TRUTH), bench.shingle_match(None, TRUTH)
    summary = bench.summarise([full, empty])
    assert summary["precision"] == 1.0  # only the page with a prediction
    assert summary["recall"] == 0.5
    assert summary["f1"] == pytest.approx(2 / 3)


def test_disjoint_texts_score_zero():
    assert bench.shingle_match("Share this story with a friend", TRUTH) == pytest.approx((0, 3 / 12, 9 / 12))
    assert bench.score("Share this story with a friend", TRUTH) == (0.0, 0.0, 0.0)


def test_partial_overlap_worked_out():
    # Truth: 10 tokens, 7 shingles. Prediction: a 2-token headline, then the first 6 truth tokens,
    # 8 tokens and 5 shingles, of which the last 3 (Three..died .. have..during) are in the truth.
    truth = "Three people have died during protests in Bolivia this week"
    pred = "Bolivia unrest\nThree people have died during protests"
    tp, fp, fn = 3, 2, 4
    assert bench.shingle_match(pred, truth) == pytest.approx((tp / 9, fp / 9, fn / 9))
    precision, recall, f1 = bench.score(pred, truth)
    assert (precision, recall) == pytest.approx((3 / 5, 3 / 7))
    assert f1 == pytest.approx(2 * (3 / 5) * (3 / 7) / (3 / 5 + 3 / 7))  # 0.5


def test_repeated_text_counts_as_extra_shingles():
    # Shingles are a multiset: a caption printed twice is extra text the second time.
    truth = "a b c d"
    assert bench.shingle_match("a b c d a b c d", truth) == pytest.approx((1 / 5, 4 / 5, 0))


def test_short_texts_are_one_shingle():
    assert bench.shingles("Hello world") == {("Hello", "world"): 1}
    assert bench.shingles("") == {}


def test_summary_is_harmonic_mean_of_averages_not_average_of_f1():
    pages = [bench.shingle_match("a b c d e", "a b c d"), bench.shingle_match("a b c d", "a b c d e f")]
    summary = bench.summarise(pages)
    # Page 1: 1 shingle matched, 1 extra -> P 1/2, R 1. Page 2: 1 matched, 2 missed -> P 1, R 1/3.
    assert summary["precision"] == pytest.approx(0.75)
    assert summary["recall"] == pytest.approx(2 / 3)
    assert summary["f1"] == pytest.approx(2 * 0.75 * (2 / 3) / (0.75 + 2 / 3))


def test_bootstrap_is_seeded():
    pages = [bench.shingle_match(p, TRUTH) for p in (TRUTH, "", "Three people have died", TRUTH + " Share")]
    assert bench.bootstrap_std(pages, rounds=50) == bench.bootstrap_std(pages, rounds=50)
    assert bench.bootstrap_std(pages, rounds=50)["recall"] > 0
