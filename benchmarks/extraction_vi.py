"""Article extraction on real Vietnamese news pages (tests/data/vi-pages): trafilatura alone against
caunoi's whole text path (the ingest pipeline on the raw bytes), per outlet and overall.

Usage: python benchmarks/extraction_vi.py [--data DIR] [--json]
Measured per page against the hand-written expected text (see tests/data/vi-pages/SOURCE.txt):
  sapo first    the expected lead paragraph is the first paragraph of the text
  sapo kept     the expected lead paragraph is somewhere in the text
  chrome left   one of the page's listed chrome strings (comment box, app banner, related headlines…)
                is still in the text
  P / R / F1    4-token shingles, upstream evaluate.py's metric (benchmarks/extraction.py)
  title         the headline as the page prints it
  attribution   the reprint source ("Theo TTXVN") found, on the pages that have one
Texts are compared after caunoi's tone-mark normalisation (both sides), so "Ủy" and "Uỷ" are one word;
sapo, chrome and title tests compare words only (no case, diacritics or punctuation).
Results go to benchmarks/results/extraction_vi.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple
from unittest import mock

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks._harness import print_table, publish  # noqa: E402
from benchmarks.extraction import Match, score, shingle_match, summarise  # noqa: E402
from caunoi.config import Settings  # noqa: E402
from caunoi.text import vietnamese  # noqa: E402
from caunoi.text.fold import fold, tokens  # noqa: E402

DEFAULT_DATA = REPO / "tests" / "data" / "vi-pages"


class Output(NamedTuple):
    title: str
    text: str
    attribution: str | None


# -- the candidates ---------------------------------------------------------------------------


def trafilatura_alone(raw: bytes, url: str) -> Output:
    """trafilatura's defaults (comments left out, metadata on for the title), on the page's bytes."""
    import trafilatura

    doc = trafilatura.bare_extraction(raw, url=url, include_comments=False, with_metadata=True)
    if doc is None:
        return Output("", "", None)
    return Output(doc.title or "", doc.text or "", None)


def caunoi_pipeline(raw: bytes, url: str) -> Output:
    """The stored article: every ingest stage (decode, extract, normalise, cleanup, …) on the bytes."""
    from caunoi.models import Doc
    from caunoi.pipeline import StageContext, run_stages

    doc = Doc(origin=url, format="html", ingested_at=datetime.now(UTC), raw=raw, url=url)
    [doc] = run_stages([doc], StageContext(Settings()))
    if doc.skipped:
        return Output("", "", None)
    return Output(doc.title, doc.text, doc.attribution)


def caunoi_generic_only(raw: bytes, url: str) -> Output:
    """The same path with the per-site rows of caunoi/data/sapo_selectors.tsv ignored: what the generic
    fallback (sapo-like classes, og:description) finds on an outlet nobody wrote rules for."""
    from caunoi.text import extract

    table = extract.load_selectors()
    generic = {"*": table["*"]} if "*" in table else {}
    with mock.patch.object(extract, "load_selectors", lambda: generic):
        return caunoi_pipeline(raw, url)


# -- the checks -------------------------------------------------------------------------------


def key(text: str | None) -> str:
    """Words only, folded: "Bình luận (0)" -> "binh luan 0"."""
    return " ".join(tokens(fold(vietnamese.normalize(text or ""))))


def normal(text: str | None) -> str:
    """The form both sides are scored in: NFC with caunoi's tone-mark placement."""
    return vietnamese.normalize(text or "", Settings().tone_style)


def contains(text_key: str, part: str) -> bool:
    want = key(part)
    return bool(want) and f" {want} " in f" {text_key} "


def check_page(page: dict[str, Any], out: Output) -> dict[str, Any]:
    lines = [line for line in out.text.split("\n") if line.strip()]
    body_key = key(out.text)
    left = [c for c in page["chrome"] if contains(body_key, c)]
    want_attribution = page.get("attribution")
    match = shingle_match(normal(out.text), normal(page["body"]))
    precision, recall, f1 = score(normal(out.text), normal(page["body"]))
    return {
        "sapo_first": bool(lines) and key(lines[0]) == key(page["sapo"]),
        "sapo_kept": contains(body_key, page["sapo"]),
        "chrome_left": left,
        "title": key(out.title) == key(page["title"]),
        "attribution": (
            None if not want_attribution else key(out.attribution or "").endswith(key(want_attribution))
        ),
        "spurious_attribution": bool(out.attribution) and not want_attribution,
        "match": match,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def summary(checks: list[dict[str, Any]]) -> dict[str, Any]:
    matches: list[Match] = [c["match"] for c in checks]
    with_attribution = [c["attribution"] for c in checks if c["attribution"] is not None]
    return {
        "pages": len(checks),
        "sapo_first": round(statistics.fmean(c["sapo_first"] for c in checks), 3),
        "sapo_kept": round(statistics.fmean(c["sapo_kept"] for c in checks), 3),
        "chrome_left": round(statistics.fmean(bool(c["chrome_left"]) for c in checks), 3),
        "title": round(statistics.fmean(c["title"] for c in checks), 3),
        "attribution_found": f"{sum(with_attribution)}/{len(with_attribution)}",
        "spurious_attribution": sum(c["spurious_attribution"] for c in checks),
        **{k: round(v, 4) for k, v in summarise(matches).items()},
    }


# -- the run ----------------------------------------------------------------------------------


def load_pages(data: Path) -> list[dict[str, Any]]:
    """Every <outlet>/<name>.json with its <name>.html.gz, in name order."""
    pages = []
    for path in sorted(data.glob("*/*.json")):
        page = json.loads(path.read_text(encoding="utf-8"))
        page["id"] = f"{path.parent.name}/{path.stem}"
        page["outlet"] = path.parent.name
        page["raw"] = gzip.decompress(path.with_suffix(".html.gz").read_bytes())
        pages.append(page)
    if not pages:
        sys.exit(f"no pages under {data}: expected <outlet>/<name>.json next to <name>.html.gz")
    return pages


def run_candidate(extract: Callable[[bytes, str], Output], pages: list[dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    outputs = [extract(page["raw"], page["url"]) for page in pages]
    seconds = time.perf_counter() - started
    checks = [check_page(page, out) for page, out in zip(pages, outputs, strict=True)]
    outlets = sorted({page["outlet"] for page in pages})
    return {
        "overall": summary(checks),
        "outlets": {
            outlet: summary([c for c, p in zip(checks, pages, strict=True) if p["outlet"] == outlet])
            for outlet in outlets
        },
        "pages": {
            page["id"]: {k: v for k, v in check.items() if k != "match"}
            for page, check in zip(pages, checks, strict=True)
        },
        "seconds": round(seconds, 2),
    }


def measure(data: Path) -> dict[str, Any]:
    import trafilatura

    pages = load_pages(data)
    candidates: dict[str, Callable[[bytes, str], Output]] = {
        f"trafilatura {trafilatura.__version__} alone": trafilatura_alone,
        "caunoi text path (pipeline)": caunoi_pipeline,
        "caunoi, generic rules only": caunoi_generic_only,
    }
    results = {}
    for name, extract in candidates.items():
        print(f"{name}: {len(pages)} pages …", file=sys.stderr)
        results[name] = run_candidate(extract, pages)
    return {
        "data": str(data.relative_to(REPO) if data.is_relative_to(REPO) else data),
        "pages": len(pages),
        "outlets": {o: sum(p["outlet"] == o for p in pages) for o in sorted({p["outlet"] for p in pages})},
        "metric": "4-token shingles (benchmarks/extraction.py), macro P and R over pages, F1 of the two",
        "candidates": results,
    }


def report(result: dict[str, Any]) -> None:
    print(f"{result['pages']} pages of {result['data']} ({len(result['outlets'])} outlets)\n")
    headers = ["extractor", "outlet", "pages", "sapo first", "sapo kept", "chrome left", "P", "R", "F1"]
    headers += ["title", "attribution"]
    rows = []
    for name, found in result["candidates"].items():
        for outlet, s in [*found["outlets"].items(), ("all", found["overall"])]:
            rows.append(
                [
                    name,
                    outlet,
                    s["pages"],
                    f"{s['sapo_first']:.2f}",
                    f"{s['sapo_kept']:.2f}",
                    f"{s['chrome_left']:.2f}",
                    f"{s['precision']:.3f}",
                    f"{s['recall']:.3f}",
                    f"{s['f1']:.3f}",
                    f"{s['title']:.2f}",
                    s["attribution_found"],
                ]
            )
    print_table(headers, rows, "llrrrrrrrrr")
    for name, found in result["candidates"].items():
        left = {page: c["chrome_left"] for page, c in found["pages"].items() if c["chrome_left"]}
        if left:
            print(f"\n{name}: chrome left in the text")
            for page, strings in left.items():
                print(f"  {page}: {'; '.join(s[:60] for s in strings)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the vi-pages folder")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    result = measure(args.data.resolve())
    publish("extraction_vi", result, as_json=args.json, report=report)


if __name__ == "__main__":
    main()
