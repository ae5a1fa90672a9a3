"""How much caunoi.text.cleanup takes out of the (already clean) vi-news-unc corpus, and what.

Usage: python benchmarks/cleanup_vi_news.py [--data PATH] [--json] [--top N]
Every removed line is a suspect here, since upstream stripped page chrome; read the list.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from caunoi.pipeline import split_txt  # noqa: E402
from caunoi.text.cleanup import classify_lines, clean, split_lines  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "vi-news-unc" / "docs"


def read_body(path: Path) -> str:
    """The body as ingest reads it: after the header and the title line, when there is one."""
    return "\n".join(split_txt(path.read_text(encoding="utf-8"))[2])


def measure(data: Path, top: int = 30) -> dict[str, Any]:
    """Totals over every *.txt under `data`: characters in, removed as chrome, moved to metadata."""
    paths = sorted(data.glob("*.txt"))
    if not paths:
        raise SystemExit(f"no *.txt files in {data}: pass --data with the vi-news-unc docs folder")
    chars_in = chars_removed = chars_attribution = chars_byline = 0
    with_removal = with_attribution = with_byline = 0
    lines: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    attributions: Counter[str] = Counter()
    for path in paths:
        body = read_body(path)
        result = clean(body)
        chars_in += len(body)
        chars_removed += sum(map(len, result.removed))
        with_removal += bool(result.removed)
        lines.update(result.removed)
        kinds.update(kind for kind in classify_lines(split_lines(body)) if kind)
        if result.attribution:
            with_attribution += 1
            chars_attribution += len(result.attribution)
            attributions[result.attribution] += 1
        if result.byline:
            with_byline += 1
            chars_byline += len(result.byline)
    return {
        "data": str(data),
        "articles": len(paths),
        "chars_in": chars_in,
        "chars_removed": chars_removed,
        "removed_share": chars_removed / chars_in,
        "articles_with_removal": with_removal,
        "chars_attribution": chars_attribution,
        "attribution_share": chars_attribution / chars_in,
        "articles_with_attribution": with_attribution,
        "chars_byline": chars_byline,
        "byline_share": chars_byline / chars_in,
        "articles_with_byline": with_byline,
        "removed_kinds": dict(kinds.most_common()),
        "top_removed_lines": lines.most_common(top),
        "top_attributions": attributions.most_common(10),
    }


def print_report(report: dict[str, Any]) -> None:
    r = report
    print(f"corpus            {r['data']}")
    print(f"articles          {r['articles']}")
    print(f"characters in     {r['chars_in']:,}")
    print(
        f"removed as chrome {r['chars_removed']:,} ({r['removed_share']:.3%}) "
        f"in {r['articles_with_removal']} articles"
    )
    print(
        f"attribution       {r['chars_attribution']:,} ({r['attribution_share']:.3%}) "
        f"in {r['articles_with_attribution']} articles"
    )
    print(
        f"byline            {r['chars_byline']:,} ({r['byline_share']:.3%}) "
        f"in {r['articles_with_byline']} articles"
    )
    print("\nremoved lines by kind")
    for kind, count in r["removed_kinds"].items():
        print(f"  {count:6}  {kind}")
    print(f"\n{len(r['top_removed_lines'])} most frequent removed lines")
    for line, count in r["top_removed_lines"]:
        print(f"  {count:6}  {line[:100]}")
    print("\nmost frequent attributions")
    for line, count in r["top_attributions"]:
        print(f"  {count:6}  {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of vi-news-unc *.txt files")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--top", type=int, default=30, help="how many removed lines to list")
    args = parser.parse_args()
    report = measure(args.data, args.top)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_report(report)


if __name__ == "__main__":
    main()
