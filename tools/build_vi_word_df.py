"""Build caunoi/data/models/vi_word_df.tsv.gz: in how many vi-news-unc articles each Vietnamese word occurs.

Run: .venv/bin/python tools/build_vi_word_df.py [--data ../shared/data/vi-news-unc/docs]

Words are underthesea's word segmentation of the NFC, tone-normalised text, lower-cased; the table
keeps words found in at least 2 articles. caunoi.enrich.keywords reads it for inverse document
frequencies and to tell function words (in a quarter of all articles or more) from content words.
The corpus is GPL-3.0 (see its SOURCE.txt); this table is derived from it.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from caunoi.enrich.keywords import OUT_OF_WORDS, words_of  # noqa: E402
from caunoi.pipeline import split_txt  # noqa: E402
from caunoi.text.vietnamese import normalize  # noqa: E402

OUT = REPO / "caunoi" / "data" / "models" / "vi_word_df.tsv.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "vi-news-unc" / "docs")
    args = parser.parse_args()
    files = sorted(args.data.glob("*.txt"))
    if not files:
        sys.exit(f"no .txt articles under {args.data}")
    df: Counter[str] = Counter()
    for i, path in enumerate(files, 1):
        _, title, body = split_txt(normalize(path.read_text(encoding="utf-8")))
        df.update(set(words_of(" ".join([title or "", *body]), "vi")))
        if i % 500 == 0:
            print(f"{i}/{len(files)}", file=sys.stderr)
    lines = [f"# documents\t{len(files)}"] + [
        f"{w}\t{n}"
        for w, n in sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))
        if n >= 2 and w not in OUT_OF_WORDS
    ]
    OUT.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))
    print(f"{len(lines) - 1} words from {len(files)} articles -> {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
