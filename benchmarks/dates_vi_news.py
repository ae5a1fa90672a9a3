"""How `caunoi.text.dates` does on vi-news-unc (dantri, 2020-2021): how often leads carry an event date,
how close it falls to the publication date, and a seeded sample of mentions to check by eye."""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from caunoi.models import DateMention
from caunoi.pipeline import lead_paragraph, split_txt
from caunoi.text.dates import event_date, find_dates

REPO = Path(__file__).resolve().parent.parent
_YEAR_WRITTEN = re.compile(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)")
DEFAULT_DATA = REPO.parent / "shared" / "data" / "vi-news-unc" / "docs"


@dataclass(frozen=True)
class Article:
    doc_id: str
    published: date
    title: str
    lead: str
    body: str  # sapo and paragraphs, one a line


def read_article(path: Path) -> Article:
    """One corpus file as ingest reads it: header, title (when line 4 is one), lead, body."""
    header, title, body = split_txt(path.read_text(encoding="utf-8"))
    published = datetime.strptime(header["date"], "%Y%m%d").date()
    return Article(path.stem, published, title or "", lead_paragraph(body), "\n".join(body))


def read_corpus(data: Path) -> list[Article]:
    return [read_article(path) for path in sorted(data.glob("*.txt"))]


def measure(articles: list[Article], sample_size: int = 20, seed: int = 0) -> dict[str, Any]:
    """The figures the script reports, as one JSON-ready object."""
    # Days from the lead's event date (its first date resolved to a day) to publication: negative = after.
    lags = [
        (a.published - found).days for a in articles if (found := event_date(a.lead, a.published)) is not None
    ]
    leads_with_date = sum(bool(find_dates(a.lead, a.published)) for a in articles)
    body_mentions = [(a, m) for a in articles for m in find_dates(a.body, a.published)]
    sample = random.Random(seed).sample(body_mentions, min(sample_size, len(body_mentions)))
    return {
        "articles": len(articles),
        "share_leads_with_date": _share(leads_with_date, len(articles)),
        "leads_with_event_date": len(lags),
        "share_leads_with_event_date": _share(len(lags), len(articles)),
        "event_within_60_days_before": _share(sum(0 <= d <= 60 for d in lags), len(lags)),
        "event_within_7_days_before": _share(sum(0 <= d <= 7 for d in lags), len(lags)),
        "event_after_publication": _share(sum(d < 0 for d in lags), len(lags)),
        "event_within_60_days_either_side": _share(sum(-60 <= d <= 60 for d in lags), len(lags)),
        "body_mentions": len(body_mentions),
        "body_mentions_by_precision": dict(Counter(m.precision for _, m in body_mentions).most_common()),
        **_without_publication_date(articles),
        "sample": [_sampled(a, m) for a, m in sample],
    }


def _without_publication_date(articles: list[Article]) -> dict[str, Any]:
    """How often a body day or month written without its year gets the same date when the publication
    date is not known (a scraped file without a dateline) as when it is: the year then comes from the
    dates the text writes in full, else from today."""
    same = partial = same_dated = partial_dated = 0
    for a in articles:
        known, unknown = find_dates(a.body, a.published), find_dates(a.body, None)
        dated = any(m.precision != "year" and _YEAR_WRITTEN.search(m.text) for m in known)
        for k, u in zip(known, unknown, strict=True):
            if k.precision == "year" or _YEAR_WRITTEN.search(k.text):
                continue
            partial += 1
            same += k.date == u.date
            partial_dated += dated
            same_dated += dated and k.date == u.date
    return {
        "partial_mentions": partial,
        "partial_same_without_publication_date": _share(same, partial),
        "partial_mentions_in_texts_with_a_full_date": partial_dated,
        "partial_same_without_publication_date_in_texts_with_a_full_date": _share(same_dated, partial_dated),
    }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _sampled(article: Article, mention: DateMention) -> dict[str, Any]:
    context = article.body[max(0, mention.start - 40) : mention.end + 30].replace("\n", " | ")
    return {
        "doc_id": article.doc_id,
        "published": article.published.isoformat(),
        "context": context,
        **mention.to_json(),
    }


def print_summary(figures: dict[str, Any]) -> None:
    print(f"articles                          {figures['articles']}")
    print(f"leads with a date of any kind     {figures['share_leads_with_date']:.1%}")
    print(
        f"leads with an event date          {figures['leads_with_event_date']}"
        f" ({figures['share_leads_with_event_date']:.1%})"
    )
    print(f"  within 60 days before published {figures['event_within_60_days_before']:.1%}")
    print(f"  within 7 days before published  {figures['event_within_7_days_before']:.1%}")
    print(f"  after published                 {figures['event_after_publication']:.1%}")
    print(f"  within 60 days either side      {figures['event_within_60_days_either_side']:.1%}")
    by_precision = ", ".join(f"{k} {v}" for k, v in figures["body_mentions_by_precision"].items())
    print(f"date mentions in bodies           {figures['body_mentions']} ({by_precision})")
    f = figures
    print(
        f"days/months without a year      {f['partial_mentions']}: same date without the publication date "
        f"{f['partial_same_without_publication_date']:.1%}, in the "
        f"{f['partial_mentions_in_texts_with_a_full_date']} of texts with a full date "
        f"{f['partial_same_without_publication_date_in_texts_with_a_full_date']:.1%}"
    )
    print("\nsampled mentions (published | mention -> resolved | context):")
    for s in figures["sample"]:
        resolved = s["date"] if s["date"] == s["date_end"] else f"{s['date']}..{s['date_end']}"
        print(f"  {s['published']} | {s['text']!r} -> {resolved} ({s['precision']}) | …{s['context']}…")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of vi-news-unc .txt files")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    parser.add_argument("--sample", type=int, default=20, help="how many mentions to sample for eyeballing")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"{args.data} is not a folder: pass --data with the vi-news-unc docs folder", file=sys.stderr)
        return 2
    figures = measure(read_corpus(args.data), args.sample, args.seed)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        print_summary(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
