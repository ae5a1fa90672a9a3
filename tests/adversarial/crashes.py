"""Crashes: a real `caunoi ingest` (or `stories --update`) killed with SIGKILL at random moments, then
run again, must leave the store as an uninterrupted ingest would (issue 14, item 5).

A chain is a fresh SQLite store and one to three killed runs in a row, with 0 or 2 workers, each
killed at a seeded choice of moment: a random time, once the store holds a random number of articles,
once the pool's workers are up, or once the first story appears (clustering and retitling). Then a
run that completes: `ingest`, or `stories --update` when every article was already stored.

Each kill is a case. It holds when no process of the killed run survives it (after a short bounded
wait) and the completed run leaves a store that passes SQLite's integrity check, with every article
stored exactly once and enriched, the same articles as an uninterrupted ingest of the same files,
every article in exactly one story and every story with a title and a summary. The corpus: ARTICLES
articles of vi-news-unc (../shared/data, or the demo's copy under demo/ when it is absent) and a few
near-copies of them.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from support.processes import in_session, survivors

from adversarial import Budget, Tally

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CAUNOI_SHARED_DATA", REPO.parent / "shared" / "data")) / "vi-news-unc" / "docs"
DEMO = REPO / "demo" / "data" / "vi-news-unc" / "docs"
ARTICLES = 14
NEAR_COPIES = 3
BATCH = "3"  # articles per transaction: many transactions, so many moments to die between
RUN_TIMEOUT = 120.0  # seconds a run may take before it counts as hung
ORPHAN_WAIT = 5.0  # seconds the processes of a killed run have to go away


def _corpus(folder: Path, rng: random.Random) -> None:
    """ARTICLES articles and NEAR_COPIES reprints of some of them (a new title, a source line added)."""
    source = SHARED if SHARED.is_dir() else DEMO
    files = sorted(source.glob("*.txt"))
    chosen = rng.sample(files, min(ARTICLES, len(files)))
    folder.mkdir(parents=True)
    for path in chosen:
        shutil.copy(path, folder / path.name)
    for i, path in enumerate(chosen[:NEAR_COPIES]):
        lines = path.read_text(encoding="utf-8").split("\n")
        header = [ln.replace("# url = ", "# url = https://reprint.vn/") for ln in lines if ln.startswith("#")]
        body = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
        reprint = [*header, f"Đăng lại: {body[0]}", *body[1:], "Theo báo điện tử (đăng lại)"]
        (folder / f"reprint_{i}.txt").write_text("\n".join(reprint) + "\n", encoding="utf-8")


def _env(store: Path, workers: int) -> dict[str, str]:
    import caunoi

    env = {k: v for k, v in os.environ.items() if not k.startswith("CAUNOI_")}
    code = str(Path(caunoi.__file__).resolve().parent.parent)  # the code this process tests
    env["PYTHONPATH"] = os.pathsep.join(p for p in (code, os.environ.get("PYTHONPATH")) if p)
    env.update(CAUNOI_DATA=str(store), CAUNOI_BATCH_SIZE=BATCH, CAUNOI_WORKERS=str(workers))
    return env


def _count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.Error:  # not made yet, or mid-migration
        return 0


def _kill_at_random(args: list[str], env: dict[str, str], db: Path, rng: random.Random, est: float) -> str:
    """Run `caunoi ARGS`, kill it with SIGKILL at a random moment; '' when all of it died, else what
    survived or went wrong; 'finished' when it ended before the moment came."""
    errors = db.parent.parent / "stderr.txt"  # a file, not a pipe nobody reads while it runs
    with errors.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-P", "-m", "caunoi", *args],  # -P: the code of PYTHONPATH, not of the cwd
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,  # its session id is its pid: what it starts can be found after it dies
        )
    workers = int(env["CAUNOI_WORKERS"])
    moment = rng.choice(["time", "articles", "stories"] + (["pool"] if workers else []))
    target = rng.randint(1, ARTICLES)
    deadline = time.monotonic() + rng.uniform(0.3, est)
    while proc.poll() is None:
        if moment == "time" and time.monotonic() >= deadline:
            break
        if moment == "articles" and _count(db, "SELECT count(*) FROM articles") >= target:
            time.sleep(rng.uniform(0, 0.2))
            break
        if moment == "pool" and len(in_session(proc.pid)) >= workers + 2:  # its workers and tracker
            time.sleep(rng.uniform(0, 0.5))
            break
        if moment == "stories" and _count(db, "SELECT count(*) FROM stories") >= 1:
            time.sleep(rng.uniform(0, 0.4))
            break
        if time.monotonic() > deadline + RUN_TIMEOUT:
            break
        time.sleep(0.02)
    if proc.poll() is not None:
        said = errors.read_text(errors="replace")[-300:]
        return "finished" if proc.returncode == 0 else f"exit {proc.returncode} before the kill: {said}"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    left = survivors(proc.pid, ORPHAN_WAIT)
    return f"{len(left)} process(es) of the killed run still alive after {ORPHAN_WAIT:.0f} s" if left else ""


def _run(args: list[str], env: dict[str, str]) -> str:
    """Run `caunoi ARGS` to the end; '' when it succeeded, else why not."""
    try:
        proc = subprocess.run(
            [sys.executable, "-P", "-m", "caunoi", *args],  # -P: the code of PYTHONPATH, not of the cwd
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            start_new_session=True,
        )
    except subprocess.TimeoutExpired:
        return f"`caunoi {' '.join(args[:2])}` hung past {RUN_TIMEOUT:.0f} s"
    if proc.returncode != 0:
        return f"`caunoi {' '.join(args[:2])}` exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
    return ""


def _facts(db: Path) -> dict[str, object]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        summaries = conn.execute("SELECT summary FROM stories").fetchall()
        return {
            "integrity": one("PRAGMA integrity_check"),
            "hashes": sorted(r[0] for r in conn.execute("SELECT content_hash FROM articles")),
            "origins": sorted(r[0] for r in conn.execute("SELECT origin FROM origins")),
            "enriched": one("SELECT count(*) FROM enrichments"),
            "in_stories": one("SELECT count(*) FROM story_articles"),
            "untitled": one("SELECT count(*) FROM stories WHERE title = ''"),
            "unsummarised": sum(not json.loads(r[0] or "[]") for r in summaries),
            "miscounted": one(
                "SELECT count(*) FROM stories s WHERE s.articles + s.reprints !="
                " (SELECT count(*) FROM story_articles sa WHERE sa.story_id = s.id)"
            ),
        }


def _wrong(facts: dict[str, object], reference: dict[str, object]) -> str:
    """What differs from an uninterrupted run's store, '' when nothing."""
    hashes, origins = facts["hashes"], facts["origins"]
    problems = []
    if facts["integrity"] != "ok":
        problems.append(f"integrity check: {facts['integrity']}")
    if hashes != reference["hashes"]:
        problems.append(f"{len(hashes)} articles, an uninterrupted ingest: {len(reference['hashes'])}")
    twice = len(set(hashes)) != len(hashes) or len(set(origins)) != len(origins)
    if twice or origins != reference["origins"]:
        problems.append("an article or a file stored twice, or a file missing")
    if facts["enriched"] != len(hashes):
        problems.append(f"{facts['enriched']} of {len(hashes)} articles enriched")
    if facts["in_stories"] != len(hashes):
        problems.append(f"{facts['in_stories']} of {len(hashes)} articles in a story")
    if facts["untitled"]:
        problems.append(f"{facts['untitled']} stories without a title")
    if facts["unsummarised"] > reference["unsummarised"]:
        problems.append(f"{facts['unsummarised']} stories without a summary")
    if facts["miscounted"]:
        problems.append(f"{facts['miscounted']} stories whose counts are not their articles")
    return "; ".join(problems)


def run(budget_s: float, seed: int = 0) -> Tally:
    tally = Tally("crashes")
    budget = Budget(budget_s)
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="caunoi-crashes-") as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        _corpus(corpus, rng)
        started = time.monotonic()
        why = _run(["ingest", str(corpus), "--json"], _env(root / "reference", 0))
        if why:
            tally.case(False, f"the uninterrupted ingest failed: {why}")
            return tally
        est = time.monotonic() - started  # how long a whole run takes: kill moments are within it
        reference = _facts(root / "reference" / "caunoi.db")
        chain = 0
        while chain == 0 or budget:  # one chain at least, however long the reference took
            chain += 1
            store = root / f"store{chain}"
            workers = rng.choice([0, 2])
            env = _env(store, workers)
            db = store / "caunoi.db"
            killed: list[tuple[str, str]] = []  # (what was killed, what survived it)
            for k in range(rng.randint(1, 3) if budget_s >= 20 else 1):  # a short budget: one kill
                args = ["ingest", str(corpus), "--json"]
                if k and rng.random() < 0.3:
                    args = ["stories", "--update", "--json"]
                outcome = _kill_at_random(args, env, db, rng, est)
                what = f"chain {chain} (workers {workers}) kill {k + 1} of `{args[0]}`"
                if outcome == "finished":  # it ended first: the run after it must still find all well
                    what, outcome = what + " (it had ended)", ""
                killed.append((what, outcome))
            done = len(reference["hashes"])
            stored = _count(db, "SELECT count(*) FROM articles") == done
            if stored and _count(db, "SELECT count(*) FROM enrichments") == done and rng.random() < 0.5:
                finish = ["stories", "--update", "--json"]
            else:
                finish = ["ingest", str(corpus), "--json"]
            why = _run(finish, env) or _wrong(_facts(db), reference)
            for what, survived in killed:
                problem = "; ".join(p for p in (survived, why) if p)
                tally.case(not problem, f"{what}, then `{finish[0]}`: {problem}")
            shutil.rmtree(store, ignore_errors=True)
    return tally
