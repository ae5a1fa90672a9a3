"""Article body extraction on the Zyte article-extraction-benchmark (181 pages): trafilatura alone,
trafilatura as caunoi calls it, caunoi's whole text path, and newspaper4k when installed.

Usage: python benchmarks/extraction.py [--data DIR] [--json] [--top N]
The metric is upstream's evaluate.py (see SOURCE.txt in the data folder), so the figures compare with
the published ones; results go to benchmarks/results/extraction.json.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import random
import re
import socket
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks._harness import print_table, publish  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "article-extraction-benchmark"
SHINGLE = 4
BOOTSTRAP = 1000
SEED = 20240601

# Published on the same pages (upstream README, latest evaluation), quoted in SOURCE.txt.
PUBLISHED = {
    "rs_trafilatura": {"f1": 0.970, "precision": 0.951, "recall": 0.990},
    "trafilatura 2.0.0": {"f1": 0.958, "precision": 0.938, "recall": 0.978},
    "newspaper4k 0.9.3.1": {"f1": 0.949, "precision": 0.964, "recall": 0.934},
}

# -- the metric (upstream evaluate.py) --------------------------------------------------------

_TOKEN = re.compile(r"\w+")

Match = tuple[float, float, float]  # tp, fp, fn of one page, scaled so they sum to 1


def tokens(text: str | None) -> list[str]:
    """Runs of word characters, case kept: "U.S. job-cuts" -> ["U", "S", "job", "cuts"]."""
    return _TOKEN.findall(text or "")


def shingles(text: str | None, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """The multiset of n-token shingles; a text shorter than n tokens is one shingle, an empty one none."""
    words = tokens(text)
    return Counter(tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)) if words[i : i + n])


def shingle_match(pred: str | None, truth: str | None) -> Match:
    """Shingles shared, extra and missed, as shares of their sum so a long page weighs no more."""
    want, got = shingles(truth), shingles(pred)
    tp = float(sum((want & got).values()))
    fp = float(sum((got - want).values()))
    fn = float(sum((want - got).values()))
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def page_precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def page_recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def score(pred: str | None, truth: str | None) -> tuple[float, float, float]:
    """Precision, recall and F1 of one page; an empty prediction scores (0, 0, 0)."""
    match = shingle_match(pred, truth)
    precision, recall = page_precision(*match), page_recall(*match)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def summarise(matches: list[Match]) -> dict[str, float]:
    """Precision and recall averaged over pages, F1 their harmonic mean. A page with nothing predicted
    is left out of precision (and one with no truth out of recall), as upstream does."""
    predicted = [page_precision(*m) for m in matches if m[0] + m[1] > 0]
    expected = [page_recall(*m) for m in matches if m[0] + m[2] > 0]
    precision = statistics.fmean(predicted) if predicted else 0.0
    recall = statistics.fmean(expected) if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def same_tokens(pred: str | None, truth: str | None) -> bool:
    """The "accuracy" test: the prediction's token sequence is exactly the truth's."""
    return tokens(pred) == tokens(truth)


def bootstrap_std(matches: list[Match], rounds: int = BOOTSTRAP, seed: int = SEED) -> dict[str, float]:
    """Standard deviation of each summary figure over `rounds` resamples of the pages (seeded)."""
    rng = random.Random(seed)
    values: dict[str, list[float]] = {}
    for _ in range(rounds):
        sample = [matches[rng.randrange(len(matches))] for _ in matches]
        for key, value in summarise(sample).items():
            values.setdefault(key, []).append(value)
    return {key: statistics.stdev(found) for key, found in values.items()}


# -- the candidates ---------------------------------------------------------------------------


def trafilatura_defaults(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def caunoi_extract(html: str, url: str) -> str:
    from caunoi.text.extract import extract_html

    found = extract_html(html)
    return found.text if found else ""


def caunoi_stored(html: str, url: str) -> str:
    """The body as caunoi stores it: the pipeline's extract, normalise and cleanup stages, whose
    attribution and byline leave the body (they count as removed here)."""
    from caunoi.config import Settings
    from caunoi.models import Doc
    from caunoi.pipeline import StageContext, clean_chrome, extract_page, normalise, run_stages

    doc = Doc(origin=url, format="html", ingested_at=datetime.now(UTC), html=html)
    ctx = StageContext(Settings())
    [doc] = run_stages([doc], ctx, [extract_page, normalise, clean_chrome])
    return "" if doc.skipped else doc.text


def newspaper4k(html: str, url: str) -> str:
    import newspaper

    config = newspaper.Config()
    config.fetch_images = False  # it would fetch the lead image over the network otherwise
    article = newspaper.Article(url, config=config)
    article.download(input_html=html)
    article.parse()
    return article.text or ""


def newspaper_available() -> str | None:
    """The installed newspaper4k version, or None."""
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("newspaper4k")
    except PackageNotFoundError:
        return None


@contextlib.contextmanager
def no_network(attempts: list[str]) -> Iterator[None]:
    """Refuse every connection and name lookup, noting them: a peer must work on the HTML it is given."""
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def refuse_connect(self: socket.socket, address: Any) -> None:
        attempts.append(str(address))
        raise OSError("network refused by benchmarks/extraction.py")

    def refuse_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(str(host))
        raise OSError("network refused by benchmarks/extraction.py")

    socket.socket.connect, socket.getaddrinfo = refuse_connect, refuse_lookup  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect, socket.getaddrinfo = connect, getaddrinfo  # type: ignore[method-assign]


# -- the run ----------------------------------------------------------------------------------


def load_pages(data: Path) -> list[dict[str, str]]:
    """[{id, url, truth, html}] in id order; HTML read as UTF-8, as upstream's runners read it."""
    truth_path, html_dir = data / "ground-truth.json", data / "html"
    if not truth_path.is_file() or not html_dir.is_dir():
        sys.exit(
            f"{data} has no ground-truth.json and html/ folder: this benchmark needs the Zyte "
            "article-extraction-benchmark (github.com/scrapinghub/article-extraction-benchmark) "
            "there; pass its folder with --data."
        )
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        html = gzip.decompress((html_dir / f"{page_id}.html.gz").read_bytes()).decode("utf-8")
        pages.append(
            {
                "id": page_id,
                "url": truth[page_id]["url"],
                "truth": truth[page_id]["articleBody"],
                "html": html,
            }
        )
    return pages


def run_candidate(
    extract: Callable[[str, str], str], pages: list[dict[str, str]], offline: bool = False
) -> dict[str, Any]:
    """Every page through `extract`, timed; a page it fails on counts as nothing predicted."""
    predictions: list[str] = []
    failures: dict[str, str] = {}
    attempts: list[str] = []
    guard = no_network(attempts) if offline else contextlib.nullcontext()
    started = time.perf_counter()
    with guard:
        for page in pages:
            try:
                predictions.append(extract(page["html"], page["url"]))
            except Exception as exc:  # a peer's crash on one page is a miss, not the end of the run
                failures[page["id"]] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
                predictions.append("")
    seconds = time.perf_counter() - started
    matches = [shingle_match(pred, page["truth"]) for pred, page in zip(predictions, pages, strict=True)]
    summary = summarise(matches)
    std = bootstrap_std(matches)
    return {
        **{key: round(value, 4) for key, value in summary.items()},
        **{f"{key}_std": round(value, 4) for key, value in std.items()},
        "accuracy": round(
            statistics.fmean(
                same_tokens(p, page["truth"]) for p, page in zip(predictions, pages, strict=True)
            ),
            4,
        ),
        "empty_pages": sum(not tokens(p) for p in predictions),
        "failures": failures,
        "network_attempts": len(attempts),
        "seconds": round(seconds, 2),
        "pages_per_s": round(len(pages) / seconds, 1),
        "pages": {
            page["id"]: {"f1": round(score(pred, page["truth"])[2], 4), "text": pred}
            for pred, page in zip(predictions, pages, strict=True)
        },
    }


def measure(data: Path, top: int = 10) -> dict[str, Any]:
    pages = load_pages(data)
    import trafilatura

    candidates: dict[str, tuple[Callable[[str, str], str], bool]] = {
        f"trafilatura {trafilatura.__version__} defaults": (trafilatura_defaults, False),
        "caunoi extract_html": (caunoi_extract, False),
        "caunoi stored body (extract+normalise+cleanup)": (caunoi_stored, False),
    }
    newspaper_version = newspaper_available()
    if newspaper_version:
        candidates[f"newspaper4k {newspaper_version}"] = (newspaper4k, True)
    results = {}
    for name, (extract, offline) in candidates.items():
        print(f"{name}: {len(pages)} pages …", file=sys.stderr)
        results[name] = run_candidate(extract, pages, offline=offline)

    base_name, _, ours_name = list(candidates)[:3]
    base, ours = results[base_name]["pages"], results[ours_name]["pages"]
    losses = sorted(pages, key=lambda p: ours[p["id"]]["f1"] - base[p["id"]]["f1"])[:top]
    lowest = sorted(pages, key=lambda p: ours[p["id"]]["f1"])[:top]

    def row(p: dict[str, str]) -> dict[str, Any]:
        return {
            "id": p["id"],
            "url": p["url"],
            "f1_base": base[p["id"]]["f1"],
            "f1_caunoi": ours[p["id"]]["f1"],
            "truth_tokens": len(tokens(p["truth"])),
            "base_tokens": len(tokens(base[p["id"]]["text"])),
            "caunoi_tokens": len(tokens(ours[p["id"]]["text"])),
        }

    for found in results.values():
        found["pages"] = {page_id: row["f1"] for page_id, row in found["pages"].items()}
    return {
        "data": str(data),
        "pages": len(pages),
        "metric": "upstream evaluate.py: 4-token shingles, per-page scaled tp/fp/fn, macro P and R",
        "bootstrap": {"rounds": BOOTSTRAP, "seed": SEED},
        "candidates": results,
        "published": PUBLISHED,
        "against": base_name,
        "candidate": ours_name,
        "largest_losses": [row(p) for p in losses if ours[p["id"]]["f1"] < base[p["id"]]["f1"]],
        "lowest_f1": [row(p) for p in lowest],
    }


def report(result: dict[str, Any]) -> None:
    rows = []
    for name, found in result["candidates"].items():
        rows.append(
            [
                name,
                f"{found['precision']:.3f} ± {found['precision_std']:.3f}",
                f"{found['recall']:.3f} ± {found['recall_std']:.3f}",
                f"{found['f1']:.3f} ± {found['f1_std']:.3f}",
                f"{found['accuracy']:.3f}",
                found["empty_pages"],
                found["pages_per_s"],
            ]
        )
    for name, found in result["published"].items():
        rows.append([f"{name} (published)", found["precision"], found["recall"], found["f1"], "", "", ""])
    print(
        f"{result['pages']} pages of {result['data']}; ± is the std over {BOOTSTRAP} bootstrap resamples "
        "(upstream's evaluate.py prints 1.96 × std)\n"
    )
    print_table(["extractor", "precision", "recall", "F1", "accuracy", "empty", "pages/s"], rows)
    for name, found in result["candidates"].items():
        if found["failures"] or found["network_attempts"]:
            print(
                f"\n{name}: {len(found['failures'])} pages failed, "
                f"{found['network_attempts']} network attempts"
            )
            for page_id, why in found["failures"].items():
                print(f"  {page_id[:12]}  {why}")
    for key, title in [("largest_losses", "loses F1 against"), ("lowest_f1", "scores lowest; beside it")]:
        print(f"\nPages where {result['candidate']} {title} {result['against']}:\n")
        print_table(
            ["page", "url", "F1 base", "F1 caunoi", "tokens truth/base/caunoi"],
            [
                [
                    row["id"][:12],
                    row["url"][:70],
                    f"{row['f1_base']:.3f}",
                    f"{row['f1_caunoi']:.3f}",
                    f"{row['truth_tokens']}/{row['base_tokens']}/{row['caunoi_tokens']}",
                ]
                for row in result[key]
            ],
            "llrrr",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the benchmark folder")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--top", type=int, default=10, help="pages listed where caunoi loses most")
    args = parser.parse_args()
    result = measure(args.data, args.top)
    publish("extraction", result, as_json=args.json, report=report)


if __name__ == "__main__":
    main()
