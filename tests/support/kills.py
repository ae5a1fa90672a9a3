"""kill -9 at random moments, then resume: the real `caunoi` command of a stage (ingest, watch,
enrich --all, stories --update) started as a process, killed with SIGKILL at a seeded random moment
of its run, started again, … and at last let finish; its store then compared with the same work done
once, never killed, and passed through `caunoi check`. Shared by tests/test_reliability.py (a few
kills) and benchmarks/reliability.py (a hundred per stage and backend).

A chain is one stage's work from its start (`Stage.reset`): runs killed at moments drawn from
[0, the uninterrupted run's wall time] until one finishes before its moment comes. Chains follow
each other until the asked number of kills has landed (a kill lands when the process was still
running). What is compared (`facts`): the articles by content hash and by URL (none twice), the
origins and fetched pages, the enrichment's tags, the stories as sets of their articles (every
article in one, every story titled), and `caunoi check`."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from caunoi.config import Settings
from caunoi.integrity import check
from caunoi.service import Service
from caunoi.store.database import create_store_engine
from support.processes import survivors

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "demo" / "data" / "vi-news-unc" / "docs"
RUN_TIMEOUT = 300.0  # seconds a run left to finish may take before it counts as hung
ORPHAN_WAIT = 5.0  # seconds what a killed run started has to go away


@dataclass
class Store:
    """A store the stages run on: its settings, given to the command as its environment, and an
    engine to read it (and to check it, as `caunoi check` does, without a process of its own)."""

    data_dir: Path
    database_url: str | None
    batch_size: int
    engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.engine = create_store_engine(self.database_url or f"sqlite:///{self.data_dir / 'caunoi.db'}")

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def service(self) -> Service:
        settings = Settings(
            data_dir=self.data_dir, database_url=self.database_url, batch_size=self.batch_size
        )
        return Service(settings)

    def env(self) -> dict[str, str]:
        import caunoi

        env = {k: v for k, v in os.environ.items() if not k.startswith("CAUNOI_")}
        code = str(Path(caunoi.__file__).resolve().parent.parent)  # the code this process runs
        env["PYTHONPATH"] = os.pathsep.join(p for p in (code, os.environ.get("PYTHONPATH")) if p)
        env.update(CAUNOI_DATA=str(self.data_dir), CAUNOI_BATCH_SIZE=str(self.batch_size), CAUNOI_WORKERS="0")
        env["CAUNOI_FETCH_PER_HOST_INTERVAL"] = "0.05"  # the outlet is local: no need to spare it
        if self.database_url:
            env["CAUNOI_DATABASE_URL"] = self.database_url
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-P", "-m", "caunoi", *args]  # -P: the code of PYTHONPATH, not the cwd's

    def run(self, *args: str) -> subprocess.CompletedProcess:
        """`caunoi ARGS` to its end (RuntimeError, with its stderr, when it fails)."""
        proc = subprocess.run(
            self.command(*args), env=self.env(), capture_output=True, text=True, timeout=RUN_TIMEOUT
        )
        if proc.returncode != 0:
            raise RuntimeError(f"caunoi {' '.join(args)}: exit {proc.returncode}: {proc.stderr[-2000:]}")
        return proc

    def sql(self, *statements: str) -> None:
        with self.engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))

    def close(self) -> None:
        self.engine.dispose()


# -- where each stage starts ------------------------------------------------------------------------

# Every table of the store's content, children first (PostgreSQL empties them in one TRUNCATE).
CONTENT = (
    "article_tags", "enrichments", "story_articles", "stories", "duplicates", "signature_bands",
    "signatures", "stage_state", "search_readings", "pages", "raw_pages", "listings", "sources", "origins",
    "articles",
)  # fmt: skip
STORY_TABLES = ("story_articles", "stories", "duplicates", "signature_bands", "signatures", "stage_state")


def empty(store: Store, tables: tuple[str, ...] = CONTENT) -> None:
    """The store's content (or these tables) deleted, the schema kept."""
    if store.backend == "postgresql":
        store.sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        return
    statements = [f"DELETE FROM {t}" for t in tables]
    if "articles" in tables:
        statements.append("INSERT INTO article_fts(article_fts) VALUES ('delete-all')")
    store.sql(*statements)


@dataclass
class Stage:
    """One stage's work: `args` of the command killed and re-run; `reset` brings the store back to
    where the work starts (before each chain and the uninterrupted run); `prepare` readies the store
    once before all that."""

    name: str
    args: list[str]
    reset: Callable[[Store], None]
    prepare: Callable[[Store], None] = lambda store: None


def corpus(folder: Path, articles: int) -> Path:
    """The first `articles` files of the demo corpus, copied into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(CORPUS.glob("*.txt"))[:articles]:
        shutil.copyfile(path, folder / path.name)
    return folder


def stages(folder: Path, outlet: str) -> dict[str, Stage]:
    """The four stages over the files of `folder` and the outlet at URL `outlet` (`local_outlet`)."""

    def ingested(store: Store) -> None:
        empty(store)
        with store.service() as service:
            service.ingest([folder])

    def with_source(store: Store) -> None:
        empty(store)
        raw = {"name": "Local outlet", "home": f"{outlet}/", "feeds": [f"{outlet}/rss.xml"],
               "sitemaps": [f"{outlet}/sitemap-news.xml"], "allow_private": True}  # fmt: skip
        with store.service() as service:
            service.sources.add_new(raw)

    return {
        "ingest": Stage("ingest", ["ingest", str(folder)], empty),
        "watch": Stage("watch", ["watch", "--once", "--now"], with_source),
        "enrich": Stage("enrich", ["enrich", "--all"], lambda store: None, prepare=ingested),
        "stories": Stage(
            "stories", ["stories", "--update"], lambda store: empty(store, STORY_TABLES), prepare=ingested
        ),
    }


@contextlib.contextmanager
def local_outlet(pages: int, folder: Path) -> Iterator[str]:
    """demo/site.py's outlet (a feed, a news sitemap, robots.txt) on 127.0.0.1 with its first `pages`
    article pages (copied into `folder`), half in the feed, half in the sitemap. Yields its base URL."""
    spec = importlib.util.spec_from_file_location("demo_site", REPO / "demo" / "site.py")
    assert spec and spec.loader
    demo_site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo_site)
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(demo_site.PAGES.glob("*.html.gz"))[:pages]:
        shutil.copyfile(path, folder / path.name)
    demo_site.PAGES = folder
    server, base = demo_site.serve(demo_site.build_site())
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


# -- what is compared --------------------------------------------------------------------------------


def facts(store: Store) -> dict[str, Any]:
    """What the work left in the store, independent of ids and times: equal for equal work."""
    with store.engine.connect() as conn:

        def rows(sql: str) -> list[tuple]:
            return sorted(tuple(r) for r in conn.execute(text(sql)))

        members: dict[int, set[str]] = {}
        for story_id, digest in conn.execute(
            text(
                "SELECT m.story_id, a.content_hash FROM story_articles m"
                " JOIN articles a ON a.id = m.article_id"
            )
        ):
            members.setdefault(story_id, set()).add(digest)
        return {
            "articles": rows("SELECT content_hash FROM articles"),
            "urls": rows("SELECT url FROM articles WHERE url IS NOT NULL"),
            "origins": rows(
                "SELECT o.origin, a.content_hash FROM origins o JOIN articles a ON a.id = o.article_id"
            ),
            "pages": rows("SELECT url, state FROM pages"),
            "tags": [
                (digest, kind, value, round(score, 6))
                for digest, kind, value, score in rows(
                    "SELECT a.content_hash, t.kind, t.value, t.score FROM article_tags t"
                    " JOIN articles a ON a.id = t.article_id"
                )
            ],
            "enriched": rows(
                "SELECT a.content_hash FROM enrichments e JOIN articles a ON a.id = e.article_id"
            ),
            "stories": sorted(sorted(m) for m in members.values()),
            "unclustered": conn.execute(
                text("SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM story_articles)")
            ).scalar_one(),
            "untitled": conn.execute(text("SELECT count(*) FROM stories WHERE title = ''")).scalar_one(),
        }


def differences(got: dict[str, Any], reference: dict[str, Any]) -> list[str]:
    """How the store differs from the uninterrupted run's, in words; [] when it does not."""
    said = []
    for key in ("articles", "urls", "origins", "pages", "enriched"):
        twice = [v for v, n in Counter(got[key]).items() if n > 1]
        if twice:
            said.append(f"{key}: {len(twice)} stored twice")
        lost, extra = set(reference[key]) - set(got[key]), set(got[key]) - set(reference[key])
        if lost or extra:
            said.append(f"{key}: {len(lost)} missing, {len(extra)} not in the uninterrupted run's")
    if got["tags"] != reference["tags"]:
        said.append(f"tags: {len(set(reference['tags']) ^ set(got['tags']))} differ")
    if got["unclustered"] or got["untitled"]:
        said.append(f"{got['unclustered']} articles in no story, {got['untitled']} stories untitled")
    if got["stories"] != reference["stories"]:
        said.append(
            f"stories: {len(got['stories'])} made, {len(reference['stories'])} uninterrupted, not the same"
        )
    return said


def checked(store: Store) -> list[str]:
    """`caunoi check`'s problems (caunoi.integrity, in this process), "check: count"; [] when whole."""
    return [f"check {p.check}: {p.count} (e.g. {p.examples[:3]})" for p in check(store.engine).problems]


# -- killing ------------------------------------------------------------------------------------------


@dataclass
class Tally:
    stage: str
    backend: str
    kills: int = 0  # landed: the process was running when it was killed
    runs: int = 0  # processes started, killed or not
    chains: int = 0
    reference_s: float = 0.0  # the uninterrupted run
    wall_s: float = 0.0
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "problems": self.problems[:20]}


def run_killed_at(store: Store, args: list[str], moment: float) -> int | None:
    """Run `caunoi ARGS`, SIGKILL it `moment` seconds after it starts: None when it was killed (and
    all it started is gone), else its exit code (it ended first)."""
    errors = store.data_dir / "stderr.txt"  # a file, not a pipe nobody reads while it runs
    with errors.open("wb") as err:
        proc = subprocess.Popen(
            store.command(*args), env=store.env(), stdout=subprocess.DEVNULL, stderr=err,
            start_new_session=True,  # its session id is its pid: what it starts can be found after it dies
        )  # fmt: skip
    try:
        code = proc.wait(timeout=moment)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        left = survivors(proc.pid, ORPHAN_WAIT)
        if left:
            raise RuntimeError(
                f"{len(left)} process(es) of a killed `caunoi {args[0]}` outlived it"
            ) from None
        return None
    if code != 0:
        raise RuntimeError(
            f"caunoi {' '.join(args)}: exit {code}: {errors.read_text(errors='replace')[-2000:]}"
        )
    return code


def kill_and_resume(store: Store, stage: Stage, kills: int, seed: int) -> Tally:
    """The stage run once uninterrupted (the reference), then chains of killed runs until `kills`
    kills landed, each chain finished and compared with the reference and checked."""
    tally = Tally(stage.name, store.backend)
    rng = random.Random(f"{seed}-{stage.name}-{store.backend}")
    started = time.monotonic()
    stage.prepare(store)
    stage.reset(store)
    began = time.monotonic()
    store.run(*stage.args)
    tally.reference_s = round(time.monotonic() - began, 2)
    reference = facts(store)
    if problems := checked(store):
        tally.problems.append(f"the uninterrupted run: {'; '.join(problems)}")
    while tally.kills < kills:
        tally.chains += 1
        stage.reset(store)
        while True:
            tally.runs += 1
            moment = rng.uniform(0.0, tally.reference_s) if tally.kills < kills else RUN_TIMEOUT
            if run_killed_at(store, stage.args, moment) is not None:
                break
            tally.kills += 1
        found = differences(facts(store), reference) + checked(store)
        tally.problems.extend(f"chain {tally.chains}: {p}" for p in found)
    tally.wall_s = round(time.monotonic() - started, 1)
    return tally
