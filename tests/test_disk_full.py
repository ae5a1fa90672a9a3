"""A full disk under the store, on a real small volume (a tmpfs mounted for the test): `caunoi ingest`
and `caunoi watch --once` stop with an error that says what happened and what to do, the store opens
whole (integrity_check, every article with its full-text row, no batch half kept), and the same
command once space is freed stores the rest, nothing twice. Needs root to mount; skipped otherwise."""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from support.cli import caunoi_process, command_env
from support.disk import SmallVolume, VolumeRefused, store_state
from support.localweb import LocalWeb

from caunoi.config import Settings
from caunoi.store.database import DiskFullError, _disk_full

REPO = Path(__file__).resolve().parent.parent
DOCS = sorted((REPO / "demo" / "data" / "vi-news-unc" / "docs").glob("*.txt"))[:120]
PAGES = sorted((REPO / "demo" / "data" / "article-extraction-benchmark" / "html").glob("*.html.gz"))


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB volume (a tmpfs), and a function that grows it: space freed."""
    volume = SmallVolume(tmp_path / "small", "2m")
    try:
        where = volume.__enter__()
    except VolumeRefused as exc:
        pytest.skip(f"this machine does not let the test mount a small tmpfs volume: {exc}")
    try:
        yield where, volume.grow
    finally:
        volume.__exit__()


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

        # the watcher as it runs for weeks says it in one line each round and goes on trying
        log = where.parent / "watch.err"
        with open(log, "w") as err:
            watching = subprocess.Popen(
                [sys.executable, "-m", "caunoi", "watch"],
                env={**os.environ, **{k: v for k, v in command_env(settings, env).items() if v}},
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
            deadline = time.monotonic() + 60
            while "round failed" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
            watching.send_signal(signal.SIGTERM)
            assert watching.wait(timeout=60) == 0, log.read_text()
        said = log.read_text()
        assert "round failed the disk holding the store is full" in said.replace("\n", " "), said
        assert "Traceback" not in said

        grow()
        again = caunoi_process(settings, "watch", "--once", env=env, check=False)
        assert again.returncode == 0, again.stderr
        whole = store_state(where)
        assert whole["integrity"] == "ok" and whole["pages"] == {"done": len(PAGES)}
        assert whole["articles"] == whole["raw"] == len(PAGES)  # each page once
        assert web.hits["/news/0.html"] == 1


def test_a_full_disk_on_the_postgresql_server_is_said_as_such():
    """PostgreSQL's disk_full (SQLSTATE 53100), as the driver raises it, becomes the same refusal."""

    class Psycopg(Exception):
        sqlstate = "53100"

    with pytest.raises(DiskFullError) as refused:
        _disk_full(None)(SimpleNamespace(original_exception=Psycopg("could not extend file")))
    assert refused.value.code == "store_server_disk_full" and "run the command again" in str(refused.value)
    _disk_full(None)(SimpleNamespace(original_exception=Exception("syntax error")))  # others pass through
