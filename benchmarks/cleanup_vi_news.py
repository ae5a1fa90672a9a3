"""How much caunoi.text.cleanup takes out of the (already clean) vi-news-unc corpus, and what; and, with
--scraped, how well it cleans scraped text whose every line is labelled (benchmarks/data/cleanup-vi).

Usage: python benchmarks/cleanup_vi_news.py [--data PATH] [--json] [--top N]
       python benchmarks/cleanup_vi_news.py --scraped [--data PATH] [--json]
On vi-news-unc every removed line is a suspect, since upstream stripped page chrome; read the list.
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
from caunoi.text.cleanup import Cleaned, classify_lines, clean, split_lines, take_credits  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "vi-news-unc" / "docs"
SCRAPED_DATA = REPO / "benchmarks" / "data" / "cleanup-vi"
NEUTRAL = ("caption", "byline", "dateline")  # neither body nor chrome: reported, not scored


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


def read_labelled(path: Path) -> list[tuple[str, str]]:
    """(label, line) rows of one labelled scraped article."""
    rows = []
    for row in path.read_text(encoding="utf-8").splitlines():
        if row and not row.startswith("#") and row != "label\tline":
            label, line = row.split("\t", 1)
            rows.append((label, line))
    return rows


def line_fates(lines: list[str]) -> tuple[str | None, list[str], Cleaned]:
    """What ingest does with a scraped .txt: its title, and the fate of each line — "title", "removed"
    (page chrome), "credit" (taken out as attribution or byline) or "kept" — and the cleaned result."""
    _header, title, body = split_txt("\n".join(lines))
    fates = ["kept"] * len(lines)
    at = {}  # body line -> its index among `lines`
    taken = None  # where the title line was
    for i, line in enumerate(lines):
        if taken is None and title is not None and line.strip() == title:
            fates[i], taken = "title", i
        elif taken is not None and all(lines[k].strip() == title for k in range(taken, i + 1)):
            fates[i] = "removed"  # the headline printed again right under itself, dropped with it
        else:
            at[len(at)] = i
    kinds = classify_lines(body)
    kept = [n for n, kind in enumerate(kinds) if not kind]
    for n, kind in enumerate(kinds):
        if kind:
            fates[at[n]] = "removed"
    remaining, _attribution, _byline = take_credits([body[n] for n in kept])
    start = next(s for s in (0, 1) if [body[n] for n in kept[s : s + len(remaining)]] == remaining)
    for n in kept[:start] + kept[start + len(remaining) :]:
        fates[at[n]] = "credit"
    return title, fates, clean("\n".join(body))


def measure_scraped(data: Path, *, without_datelines: bool = False) -> dict[str, Any]:
    """Line-level scores over every labelled article in `data` (see its README for the labels); with
    `without_datelines`, as if the pages had printed no dateline (the title rule's other half)."""
    paths = sorted(data.glob("*.tsv"))
    if not paths:
        raise SystemExit(f"no *.tsv files in {data}: pass --data with the labelled scraped set")
    titles_right = attributions = attributions_right = 0
    counts: Counter[tuple[str, str, str]] = Counter()  # (label, region, fate)
    wrong_titles = []
    for path in paths:
        rows = [r for r in read_labelled(path) if not (without_datelines and r[0] == "dateline")]
        labels, lines = [r[0] for r in rows], [r[1] for r in rows]
        title, fates, result = line_fates(lines)
        gold_title = next(line for label, line in rows if label == "title")
        titles_right += title == gold_title
        if title != gold_title:
            wrong_titles.append((path.stem, title))
        body_at = [i for i, label in enumerate(labels) if label == "body"]
        for i, (label, fate) in enumerate(zip(labels, fates, strict=True)):
            region = "above" if i < body_at[0] else "below" if i > body_at[-1] else "inside"
            counts[label, region, fate] += 1
        gold_sources = [line for label, line in rows if label == "attribution"]
        if gold_sources:
            attributions += 1
            attributions_right += bool(result.attribution) and gold_sources[-1] in result.attribution

    def total(label: str, fate: str | None = None, region: str | None = None) -> int:
        return sum(
            n for (lab, reg, fat), n in counts.items()
            if lab == label and fate in (None, fat) and region in (None, reg)
        )  # fmt: skip

    removed = sum(n for (_, _, fate), n in counts.items() if fate in ("removed", "credit", "title"))
    body_lost = total("body") - total("body", "kept")
    chrome_gone = total("chrome", "removed")
    return {
        "data": str(data),
        "articles": len(paths),
        "lines": sum(counts.values()),
        "title_right": titles_right,
        "wrong_titles": wrong_titles,
        "body_lines": total("body"),
        "body_lines_lost": body_lost,
        "chrome_lines": total("chrome"),
        "chrome_removed": chrome_gone,
        "chrome_recall": chrome_gone / total("chrome"),
        "chrome_recall_by_region": {
            region: [total("chrome", "removed", region), total("chrome", None, region)]
            for region in ("above", "inside", "below")
        },
        "chrome_taken_as_title_or_credit": total("chrome", "title") + total("chrome", "credit"),
        "removal_precision": 1 - body_lost / removed if removed else 1.0,
        "attribution_right": [attributions_right, attributions],
        "neutral_lines": {
            label: {f: total(label, f) for f in ("kept", "removed", "credit", "title")} for label in NEUTRAL
        },
    }


def print_scraped_report(r: dict[str, Any]) -> None:
    print(f"set               {r['data']}")
    print(f"articles          {r['articles']} ({r['lines']} lines)")
    print(f"title right       {r['title_right']} of {r['articles']}")
    for name, title in r["wrong_titles"]:
        print(f"  {name}: {title!r}")
    print(f"body lines lost   {r['body_lines_lost']} of {r['body_lines']}")
    print(f"chrome removed    {r['chrome_removed']} of {r['chrome_lines']} ({r['chrome_recall']:.1%})")
    for region, (gone, all_) in r["chrome_recall_by_region"].items():
        print(f"  {region:6} article {gone:4} of {all_}")
    print(f"chrome taken as title or credit {r['chrome_taken_as_title_or_credit']}")
    print(f"removal precision {r['removal_precision']:.1%} (lines taken out that were not body)")
    print(f"source line right {r['attribution_right'][0]} of {r['attribution_right'][1]}")
    for label, fates in r["neutral_lines"].items():
        print(f"  {label:9} " + ", ".join(f"{fate} {n}" for fate, n in fates.items()))


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
    parser.add_argument(
        "--data", type=Path, help="folder of vi-news-unc *.txt files (or of the labelled set)"
    )
    parser.add_argument("--scraped", action="store_true", help="score the labelled scraped set instead")
    parser.add_argument(
        "--without-datelines", action="store_true", help="--scraped with dateline lines left out"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--top", type=int, default=30, help="how many removed lines to list")
    args = parser.parse_args()
    if args.scraped:
        report = measure_scraped(args.data or SCRAPED_DATA, without_datelines=args.without_datelines)
    else:
        report = measure(args.data or DEFAULT_DATA, args.top)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        (print_scraped_report if args.scraped else print_report)(report)


if __name__ == "__main__":
    main()
