"""A full disk under the store, on a real small volume (a tmpfs mounted for the test): `caunoi ingest`
and `caunoi watch --once` stop with an error that says what happened and what to do, the store opens
whole (integrity_check, every article with its full-text row, no batch half kept), and the same
command once space is freed stores the rest, nothing twice. Needs root to mount; skipped otherwise."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from support.cli import caunoi_process
from support.localweb import LocalWeb

from caunoi.config import Settings

REPO = Path(__file__).resolve().parent.parent
DOCS = sorted((REPO / "demo" / "data" / "vi-news-unc" / "docs").glob("*.txt"))[:120]
PAGES = sorted((REPO / "demo" / "data" / "article-extraction-benchmark" / "html").glob("*.html.gz"))


def mount_small(where: Path, size: str) -> None:
    where.mkdir(exist_ok=True)
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True, text=True
    )
    if proc.returncode:
        pytest.skip(f"this machine does not let the test mount a small tmpfs volume: {proc.stderr.strip()}")


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB volume, and a function that grows it (space freed)."""
    if shutil.which("mount") is None:
        pytest.skip("no mount command to make a small volume with")
    where = tmp_path / "small"
    mount_small(where, "2m")

    def grow(size: str = "64m") -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(where)], check=True)

    try:
        yield where, grow
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def store_state(folder: Path) -> dict[str, object]:
    with sqlite3.connect(folder / "caunoi.db") as db:
        one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "integrity": one("PRAGMA integrity_check"),
            "articles": one("SELECT count(*) FROM articles"),
            "origins": one("SELECT count(DISTINCT origin) FROM origins"),
            "without_fts": one(
                "SELECT count(*) FROM articles a WHERE NOT EXISTS"
                " (SELECT 1 FROM article_fts_docsize d WHERE d.id = a.id)"
            ),
            "without_origin": one(
                "SELECT count(*) FROM articles a WHERE NOT EXISTS"
                " (SELECT 1 FROM origins o WHERE o.article_id = a.id)"
            ),
            "enriched": one("SELECT count(*) FROM enrichments"),
            "pages": dict(db.execute("SELECT state, count(*) FROM pages GROUP BY state").fetchall()),
            "raw": one("SELECT count(*) FROM raw_pages"),
        }


def said_disk_full(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "disk holding the store is full" in proc.stderr
    assert "CAUNOI_DATA" in proc.stderr and "run the command again" in proc.stderr


def test_ingest_on_a_full_disk_stops_clearly_and_the_rerun_stores_the_rest(small_disk, tmp_path):
    where, grow = small_disk
    docs = tmp_path / "docs"
    docs.mkdir()
    for path in DOCS:
        shutil.copy(path, docs)
    settings = Settings(data_dir=where)

    full = caunoi_process(settings, "ingest", "--batch-size", "20", str(docs), check=False)
    said_disk_full(full)
    kept = store_state(where)
    assert kept["integrity"] == "ok"
    assert 0 < kept["articles"] < len(DOCS)  # the disk filled half way, batches of 20 were kept whole
    assert kept["articles"] % 20 == 0
    assert kept["without_fts"] == 0 and kept["without_origin"] == 0

    grow()
    again = caunoi_process(settings, "ingest", "--batch-size", "20", str(docs), check=False)
    assert again.returncode == 0, again.stderr
    whole = store_state(where)
    assert whole["integrity"] == "ok"
    assert whole["articles"] == whole["origins"] == len(DOCS)  # the rest stored, nothing twice
    assert whole["without_fts"] == 0 and whole["enriched"] == len(DOCS)


def test_watch_on_a_full_disk_stops_clearly_and_the_next_round_fetches_the_rest(small_disk):
    where, grow = small_disk
    settings = Settings(data_dir=where)
    with LocalWeb() as web:
        items = []
        for i, path in enumerate(PAGES):
            web.add(f"/news/{i}.html", body=gzip.decompress(path.read_bytes()))
            items.append(f"<item><title>Tin {i}</title><link>{web.url(f'/news/{i}.html')}</link></item>")
        feed = f'<rss version="2.0"><channel><title>t</title>{"".join(items)}</channel></rss>'
        web.add("/feed.xml", body=feed.encode(), content_type="application/rss+xml")
        caunoi_process(
            settings, "sources", "add", "Local", "--home", web.url("/"), "--feed", web.url("/feed.xml"),
            "--allow-private",
        )  # fmt: skip
        env = {"CAUNOI_FETCH_PER_HOST_INTERVAL": "0", "CAUNOI_BATCH_SIZE": "8"}

        full = caunoi_process(settings, "watch", "--once", "--now", env=env, check=False)
        said_disk_full(full)
        kept = store_state(where)
        assert kept["integrity"] == "ok"
        assert 0 < kept["pages"].get("done", 0) < len(PAGES), kept
        assert kept["articles"] == kept["pages"]["done"] == kept["raw"]  # no page marked without its article
        assert kept["pages"]["done"] + kept["pages"].get("pending", 0) == len(PAGES)  # the rest still queued
        assert kept["without_fts"] == 0

        grow()
        again = caunoi_process(settings, "watch", "--once", env=env, check=False)
        assert again.returncode == 0, again.stderr
        whole = store_state(where)
        assert whole["integrity"] == "ok" and whole["pages"] == {"done": len(PAGES)}
        assert whole["articles"] == whole["raw"] == len(PAGES)  # each page once
        assert web.hits["/news/0.html"] == 1
