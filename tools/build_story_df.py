"""Build caunoi/data/models/story_df.npz: the background document frequencies the story clusterer
starts from, so its first articles are not weighed with a flat IDF (every word equally rare).

Run: .venv/bin/python tools/build_story_df.py [--data ../shared/data/vi-news-unc/docs]

Terms are the clusterer's own (folded words and word pairs of title and lead, hashed into
caunoi.stories.cluster.DF_BUCKETS buckets), and the anchors an article in another language is
matched on (caunoi.stories.anchors: names, figures, key terms); a bucket is kept when at least 2
articles have it.
The articles are vi-news-unc's (GPL-3.0, see its SOURCE.txt) published BEFORE the window of the
labelled story set (benchmarks/data/stories/, 22 April - 2 May 2021), so the background holds
nothing of the articles the clustering is measured on.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from caunoi.pipeline import split_txt  # noqa: E402
from caunoi.stories import cluster  # noqa: E402
from caunoi.stories.anchors import anchors  # noqa: E402
from caunoi.text.vietnamese import normalize  # noqa: E402

BEFORE = "20210422"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "vi-news-unc" / "docs")
    args = parser.parse_args()
    files = sorted(args.data.glob("*.txt"))
    if not files:
        sys.exit(f"no .txt articles under {args.data}")
    clusterer = cluster.Clusterer(df=np.zeros(cluster.DF_BUCKETS, dtype=np.uint32), documents=0)
    used = 0
    for path in files:
        text = normalize(path.read_text(encoding="utf-8"))
        date = next(
            (ln.split("=", 1)[1].strip() for ln in text.splitlines()[:4] if ln.startswith("# date")), ""
        )
        if not date or date >= BEFORE:
            continue
        _, title, body = split_txt(text)
        article = cluster.Article(0, datetime(2021, 1, 1), "vi", title or "", "\n".join(body))
        clusterer.vector(article, anchors=anchors(article.title, article.text))
        used += 1
    buckets = np.flatnonzero(clusterer.df >= 2).astype(np.uint32)
    counts = clusterer.df[buckets].astype(np.uint16)
    with cluster.BACKGROUND.open("wb") as out:
        np.savez_compressed(out, buckets=buckets, counts=counts, documents=np.array([used]))
    size = cluster.BACKGROUND.stat().st_size
    print(
        f"{len(buckets)} buckets from {used} articles before {BEFORE}"
        f" -> {cluster.BACKGROUND} ({size:,} bytes)"
    )


if __name__ == "__main__":
    main()
