"""A SIGKILL halfway through an ingest loses nothing and duplicates nothing once it is re-run."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BACKENDS, DEMO, backend_settings
from sqlalchemy import text
from support.cli import caunoi

from caunoi.service import Service

CORPUS = DEMO / "vi-news-unc" / "docs"
SMALL_BATCHES = {"CAUNOI_BATCH_SIZE": "5"}


def _env(settings) -> dict[str, str]:
    env = {**os.environ, "CAUNOI_DATA": str(settings.data_dir), **SMALL_BATCHES}
    if settings.database_url:
        env["CAUNOI_DATABASE_URL"] = settings.database_url
    return env


def _count(service: Service) -> int:
    with service.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM articles")).scalar_one()


@pytest.mark.parametrize("backend", BACKENDS)
def test_killed_ingest_resumes_to_exactly_the_full_set(backend, tmp_path, demo_store):
    # a sixth of the corpus: killed after two of its ten batches, the rest stored by the re-run
    files = sorted(CORPUS.glob("*.txt"))[::6]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in files:
        (corpus / path.name).write_bytes(path.read_bytes())
    with contextlib.ExitStack() as stack:
        killed = backend_settings(backend, tmp_path / "killed", stack)
        watcher = stack.enter_context(Service(killed))
        cmd = [sys.executable, "-m", "caunoi", "ingest", str(corpus), "--json"]
        proc = subprocess.Popen(cmd, env=_env(killed), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while _count(watcher) < 10:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the ingest never got going"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        halfway = _count(watcher)
        assert 10 <= halfway < len(files), f"killed at {halfway} of {len(files)}: not halfway"

        rerun = caunoi(killed, "ingest", str(corpus), "--json", env=SMALL_BATCHES)
        assert '"added"' in rerun.stdout
        # a clean ingest of the whole corpus, to compare with (its content hashes do not depend on the
        # backend): the articles of these files there
        reference = stack.enter_context(Service(demo_store.settings))
        assert not demo_store.summary.skipped

        with watcher.engine.connect() as conn:
            hashes = [r[0] for r in conn.execute(text("SELECT content_hash FROM articles"))]
            origins = [r[0] for r in conn.execute(text("SELECT origin FROM origins"))]
            orphans = conn.execute(
                text(
                    "SELECT count(*) FROM origins o"
                    " LEFT JOIN articles a ON a.id = o.article_id WHERE a.id IS NULL"
                )
            ).scalar_one()
            if backend == "sqlite":
                indexed = conn.execute(text("SELECT count(*) FROM article_fts")).scalar_one()
            else:
                indexed = conn.execute(
                    text("SELECT count(*) FROM articles WHERE search_f IS NOT NULL")
                ).scalar_one()
        with reference.engine.connect() as conn:
            stored = conn.execute(
                text("SELECT a.content_hash, o.origin FROM articles a JOIN origins o ON o.article_id = a.id")
            )
            names = {path.name for path in files}
            expected = sorted({digest for digest, origin in stored if Path(origin).name in names})
        assert sorted(hashes) == expected and len(expected) > halfway
        assert len(origins) == len(set(origins)) == len(files)
        assert orphans == 0 and indexed == len(hashes)


@pytest.mark.parametrize("backend", BACKENDS)
def test_poison_files_read_first_stop_nothing_run_after_run(backend, tmp_path):
    """Articles with a poison file sorted first (a lone surrogate, JSON 1,000 deep, a NUL, a symlink
    to a FIFO) stored none of them, run after run: the real process now stores them all, says
    what it skipped, and a second run finds nothing new and skips the same."""
    import json

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "0-surrogate.json").write_text('{"title": "\\ud800", "text": "Tin về đối ngoại. \\ud83d"}')
    (folder / "0-deep.json").write_text("[" * 1000 + "]" * 1000)
    sentence = "Bộ Ngoại giao họp báo thường kỳ về tình hình đối ngoại và hợp tác quốc tế. "
    (folder / "0-nul.csv").write_text(f"title,text\nTin,NUL\x00. {sentence * 5}\n")
    os.mkfifo(tmp_path / "pipe")
    (folder / "0-pipe.txt").symlink_to(tmp_path / "pipe")
    good = sorted(CORPUS.glob("news_*.txt"))[:12]
    for path in good:
        (folder / path.name).write_bytes(path.read_bytes())
    with contextlib.ExitStack() as stack:
        settings = backend_settings(backend, tmp_path / "store", stack)
        cmd = [sys.executable, "-m", "caunoi", "ingest", str(folder), "--json"]
        runs = []
        for _ in range(2):
            proc = subprocess.run(cmd, env=_env(settings), capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, proc.stderr
            runs.append(json.loads(proc.stdout))
    first, second = runs
    assert first["added"] + first["duplicates"] == len(good) + 2, json.dumps(first)  # surrogate, NUL ones too
    assert {Path(s["origin"]).name: s["reason"] for s in first["skipped"]} == {
        "0-deep.json": "JSON nested too deep (RecursionError)",
        "0-pipe.txt": "not a regular file: a FIFO (named pipe)",
    }
    assert second["added"] == 0 and second["unchanged"] == len(good) + 2
    assert second["skipped"] == first["skipped"]


def _stories(service: Service) -> tuple[int, int, int]:
    """Stories, stories without a title or summary, articles not in a story."""
    with service.engine.connect() as conn:
        return (
            conn.execute(text("SELECT count(*) FROM stories")).scalar_one(),
            conn.execute(text("SELECT count(*) FROM stories WHERE title = ''")).scalar_one(),
            conn.execute(
                text("SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM story_articles)")
            ).scalar_one(),
        )


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_ingest_killed_while_clustering_leaves_no_story_half_made(backend, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(CORPUS.glob("*.txt"))[:60]:
        (corpus / path.name).write_bytes(path.read_bytes())
    with contextlib.ExitStack() as stack:
        killed = backend_settings(backend, tmp_path / "killed", stack)
        watcher = stack.enter_context(Service(killed))
        cmd = [sys.executable, "-m", "caunoi", "ingest", str(corpus)]
        env = {**_env(killed), "CAUNOI_BATCH_SIZE": "4"}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while _stories(watcher)[0] < 8:  # a few batches into clustering
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the ingest never got to its stories"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        made, untitled, unclustered = _stories(watcher)
        assert untitled == 0, f"{untitled} of {made} stories left without a title"
        assert unclustered > 0, "killed too late: clustering was over"

        caunoi(killed, "stories", "--update")
        assert _stories(watcher)[1:] == (0, 0)


def test_a_sqlite_write_that_read_first_waits_for_another_writer(tmp_path: Path) -> None:
    """A batch that reads, then writes, while another connection (the server, a watcher) commits in
    between: it takes the write lock when it begins, so the other writer waits and neither is
    refused ("database is locked" came at once, whatever the busy timeout, with a deferred BEGIN)."""
    import threading

    from caunoi.store.database import create_store_engine

    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    read, errors = threading.Event(), []

    def other_writer() -> None:
        read.wait(5)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        except Exception as exc:  # the test reports what the writer met
            errors.append(exc)

    thread = threading.Thread(target=other_writer)
    thread.start()
    with engine.begin() as conn:
        conn.exec_driver_sql("SELECT count(*) FROM t").all()
        read.set()
        time.sleep(0.3)  # the other writer tries now
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    thread.join(10)
    with engine.connect() as conn:
        assert sorted(x for (x,) in conn.exec_driver_sql("SELECT x FROM t")) == [1, 2]
    assert errors == []
    engine.dispose()
