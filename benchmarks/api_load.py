"""API and web UI under load: p50 / p95 / p99 latency and throughput of search and the dashboard at
1, 10 and 50 concurrent users, from a second process, SQLite against PostgreSQL in the same run.

Run: .venv/bin/python benchmarks/api_load.py [--json] [--users 1,10,50] [--seconds 20] [--warmup 5]
         [--backends sqlite,postgresql] [--size 100000] [--seed 1] [--think 0,5] [--ingest]
         [--endpoints floor,search,dashboard] [--before] [--out api_load]

The store is benchmarks/search_latency.py's store of generated articles (its Store and build: real
text, 100k articles by default, in var/bench/ and PostgreSQL schema bench_search_<size>_s<seed>_g<n>
on CAUNOI_BENCH_PG_URL), reused when present, built (minutes) when not.

The dashboard reads enrichment tags (article_tags: tone, countries, entities, documents cited), which
generated articles do not have. Enriching all 100k would take 25-50 minutes on two cores (2,653 articles
take 40-80 s, benchmarks/results/enrich_throughput.json), so instead, once per store, recorded under
"article_tags" in the store's manifest (var/bench/<store>.<backend>.json):
  - SAMPLE_VI vi-news-unc articles and SAMPLE_EN English pages of the extraction benchmark, drawn
    with random.Random(seed), go through caunoi.enrich.stage.enrich (every stage, in this process, once
    for both backends);
  - each result is written through the real write path (EnrichmentRepository.write) onto a
    generated article of the same language (the first ones by id), the "sources";
  - every other generated article is given the enrichment (enrichments row and all its article_tags)
    of a source of its language drawn at random, by two INSERT … SELECT over a temporary table of
    (article, source) pairs; then VACUUM ANALYZE (PostgreSQL) or a WAL checkpoint (SQLite).
So tags and tone are real enrichment output with a realistic distribution, but not of the article's
own text. The search_latency benchmark's store then carries them too (they change none of its queries).

For each backend, a server runs in its own process, as `python -m caunoi serve` with CAUNOI_DATA /
CAUNOI_DATABASE_URL and CAUNOI_API_RATE_PER_MINUTE raised to RATE_PER_MINUTE so the limiter never
throttles the load. Before it starts, users bench00… (analysts, added once) and a new API token each
are added to the store (caunoi.users). This process is the load generator: asyncio + httpx, one client (own
connection, own cookies) per user, each from its own loopback address (127.0.1.<n>, so the login
limit of 20 attempts per address in 10 minutes is not hit), logged in once through the /login form
(its CSRF cookie and field). For each number of users and each endpoint:
  - floor:     GET /static/css/app.css, a static file of the same server: the peer, what the server,
               the network stack and this load generator manage with no work behind them;
  - search:    GET /api/v1/search with the Bearer token, cycling through SEARCHES;
  - dashboard: GET / (the HTML page only, not its scripts) with the session cookie;
every user loops on it for --warmup + --seconds; the requests that end after the warm-up count (a
user that has had none by the end goes on until it has one, so requests slower than the phase are
measured, not cut off). Throughput is those requests / the time from the end of the warm-up to the
last of them; an error is any answer but 200, or a failure. Before the load, one request of each
kind checks the answers (items per search, the dashboard's charts); the first dashboard request is
timed apart: the server computes its figures then (caunoi.reports.figures.OverviewCache), and the
load's requests are served from memory until the store changes (an ingest changes it).
Two user models (--think, comma-separated: one phase each):
  - 0, back to back: each user sends its next request the moment the last one is answered, so 50
    users keep 50 requests in flight: the server's saturated throughput, and the latency of a queue;
  - S > 0, think time: before each request (the first too, so the users do not start in step) a user
    waits a pause drawn from an exponential distribution of mean S seconds (random.Random seeded by
    --seed and the user's number), as an analyst reads a page before the next search: the offered
    load is about users / (S + latency) requests/s, and the latency is what one of them sees. A user
    whose next pause would end after the phase stops there.
With --ingest, while each search phase runs (warm-up included), a separate process ingests articles
that are not yet in the store through the real ingest path: `python -m caunoi ingest <file>.jsonl`
(the server's store and environment; its default in-process pipeline: read, clean, date, language,
write in batches of 200). The phase begins once the ingest has stored its first batch (its start-up,
imports and all, is not part of it). The file holds the same generator's next articles
(search_latency.generate with skip: numbers from the store's size on, past those an earlier run
ingested, kept in the manifest as "ingest_next"), as JSON lines with title, text, url, source,
published, category and language; INGEST_RATE_BOUND per second of the phase, more than the process
can store in that time, so it is still writing when the phase ends and is stopped (SIGTERM) then:
its enrichment of the new articles, which comes after the whole file, is not part of the phase. The
store grows with each such phase (the articles it had when the phase began are recorded). Stored
articles/s = the store's article count at the end of the phase less at the end of the warm-up, over
that time.
--before (SQLite) serves the same store a second time in the same run with CAUNOI_RANK_CAP=0 in the
server's environment: search as before the top-k path (every match of a common word ranked).
--search-index serves it once more with the search index beside the store (built first if absent;
the other variants run with CAUNOI_SEARCH_INDEX=false, the store's own index answering); the server's
drainer thread takes the ingest's articles into it as they are stored.
The load generator shares the machine's cores with the server: the floor shows its ceiling. Each
phase records the machine's 1-minute load average at its end (other jobs on it show there).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from _harness import (
    BACKENDS,
    EXTRACTION_TRUTH,
    VAR,
    VI_DOCS,
    pg_reachable,
    print_table,
    publish,
    require_corpus,
)
from search_latency import Pools, Store, build, load_pools, percentile, store_format

NAME = "api_load"
TAGGING_VERSION = 1  # bump when tag_store changes what it writes
SAMPLE_VI, SAMPLE_EN = 400, 40
RATE_PER_MINUTE = 100_000_000
PASSWORD = "tải thử nghiệm đủ dài, 2024!"
ENDPOINTS = ("floor", "search", "dashboard")
FLOOR_PATH = "/static/css/app.css"
INGEST_RATE_BOUND = 250  # articles per second of a phase written to the ingest file (in-process: ~150/s)

# (label, query string): Vietnamese with and without diacritics, a phrase, filters (one on a tag).
SEARCHES: list[tuple[str, dict[str, str]]] = [
    ("no diacritics", {"q": "doi ngoai"}),
    ("with diacritics", {"q": "đối ngoại"}),
    ("phrase", {"q": '"biển Đông"'}),
    ("very common, sort by date", {"q": "Việt Nam", "sort": "date"}),
    ("--source", {"q": "giáo dục", "source": "vnexpress.net"}),
    ("date range (a quarter)", {"q": "bóng đá", "from": "2023-01-01", "to": "2023-03-31"}),
    ("--country (a tag)", {"q": "hợp tác", "country": "CN"}),
]

log = logging.getLogger("benchmarks.api_load")


# -- the store: articles, tags, users ----------------------------------------------------------------


def sample_enrichments(seed: int) -> dict[str, list]:
    """Enrichment results of real articles, per language: SAMPLE_VI vi-news-unc, SAMPLE_EN English."""
    sys.path.insert(0, str(Path(__file__).parent))
    from language_id import NOT_ENGLISH, title_of
    from search_latency import _normalised

    from caunoi.enrich.stage import enrich

    rng = random.Random(seed)
    files = rng.sample(sorted(VI_DOCS.glob("*.txt")), SAMPLE_VI)
    vi = []
    for path in files:
        lines = path.read_text(encoding="utf-8").split("\n")
        vi.append((lines[3], "\n".join(lines[4:])))  # 3 header lines, the title, the body
    pages = json.loads(EXTRACTION_TRUTH.read_text(encoding="utf-8"))
    bodies = [p["articleBody"] for key, p in sorted(pages.items()) if key[:10] not in NOT_ENGLISH]
    en = [(title_of(body), body) for body in rng.sample(bodies, SAMPLE_EN)]
    out: dict[str, list] = {}
    for lang, items in (("vi", vi), ("en", en)):
        out[lang] = [enrich(title, text, None, lang) for title, text in _normalised(items)]
    return out


def tag_store(store: Store, samples_loader) -> dict[str, Any]:
    """Give the store's generated articles enrichment tags (see the module docstring), once."""
    from sqlalchemy import select, text

    from caunoi.enrich.stage import ENRICH_VERSION
    from caunoi.service import Service
    from caunoi.store.schema import article_tags, articles, enrichments

    manifest = store.manifest() or {}
    done = manifest.get("article_tags")
    if done and done.get("version") == TAGGING_VERSION:
        return {**done, "reused": True}
    t = time.perf_counter()
    samples = samples_loader()
    enrich_s = time.perf_counter() - t
    started = time.perf_counter()
    rng = random.Random(store.seed)
    with Service(store.settings()) as svc:
        with svc.engine.begin() as conn:  # tags of an earlier, unfinished run
            conn.execute(article_tags.delete())
            conn.execute(enrichments.delete())
            ids = {"vi": [], "en": []}
            for article_id, lang in conn.execute(
                select(articles.c.id, articles.c.lang).order_by(articles.c.id)
            ):
                ids[lang].append(article_id)
        sources = {lang: ids[lang][: len(samples[lang])] for lang in ids}
        for lang, found in samples.items():
            svc.enrichments.write(zip(sources[lang], found, strict=True), ENRICH_VERSION)
        pairs = [
            {"a": article_id, "s": rng.choice(sources[lang])}
            for lang in ids
            for article_id in ids[lang][len(sources[lang]) :]
        ]
        with svc.engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE TEMPORARY TABLE bench_pick"
                " (article_id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL)"
            )
            conn.execute(text("INSERT INTO bench_pick (article_id, source_id) VALUES (:a, :s)"), pairs)
            conn.exec_driver_sql(
                "INSERT INTO enrichments (article_id, version, enriched_at, data)"
                " SELECT p.article_id, e.version, e.enriched_at, e.data"
                " FROM bench_pick p JOIN enrichments e ON e.article_id = p.source_id"
            )
            conn.exec_driver_sql(
                "INSERT INTO article_tags (article_id, kind, value, score)"
                " SELECT p.article_id, t.kind, t.value, t.score"
                " FROM bench_pick p JOIN article_tags t ON t.article_id = p.source_id"
            )
            conn.exec_driver_sql("DROP TABLE bench_pick")
        copy_s = time.perf_counter() - started
        t = time.perf_counter()
        with svc.engine.connect() as conn:
            if store.backend == "postgresql":
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.exec_driver_sql("VACUUM ANALYZE enrichments")
                conn.exec_driver_sql("VACUUM ANALYZE article_tags")
            else:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        with svc.engine.connect() as conn:
            kinds = dict(
                conn.execute(
                    select(article_tags.c.kind, text("count(*)")).group_by(article_tags.c.kind)
                ).all()
            )
    done = {
        "version": TAGGING_VERSION,
        "enrich_version": ENRICH_VERSION,
        "samples": {lang: len(found) for lang, found in samples.items()},
        "sample_enrich_s": round(enrich_s, 1),  # 0 when the samples were already made for a backend
        "copy_s": round(copy_s, 1),
        "vacuum_or_checkpoint_s": round(time.perf_counter() - t, 1),
        "tags_by_kind": kinds,
        "tags": sum(kinds.values()),
        "at": datetime.now().isoformat(timespec="seconds"),
    }
    manifest = store.manifest() or manifest
    manifest["article_tags"] = done
    manifest["disk_bytes"] = store.disk_bytes()
    store.save_manifest(manifest)
    log.info("[%s] tagged: %d tags in %.0f s", store.backend, done["tags"], copy_s)
    return {**done, "reused": False}


def add_users(store: Store, count: int) -> list[tuple[str, str]]:
    """(username, API token) of `count` analysts in the store (added once; a new token each run)."""
    from caunoi.service import Service
    from caunoi.users import UserError

    out = []
    with Service(store.settings()) as svc:
        for n in range(count):
            name = f"bench{n:02d}"
            with contextlib.suppress(UserError):  # there already, from an earlier run
                svc.users.add_user(name, PASSWORD, "analyst", by="benchmark")
            out.append(
                (
                    name,
                    svc.users.create_token(name, f"api_load {datetime.now():%Y-%m-%d %H:%M}", by="benchmark"),
                )
            )
    return out


# -- the server ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def store_env(store: Store, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a caunoi process over the store (the server, the ingest)."""
    return {
        **os.environ,
        "CAUNOI_DATA": str(store.folder),
        "CAUNOI_DATABASE_URL": store.settings().database_url,
        "CAUNOI_API_RATE_PER_MINUTE": str(RATE_PER_MINUTE),
        **(extra or {}),
    }


@contextlib.contextmanager
def server(store: Store, port: int, extra_env: dict[str, str] | None = None):
    """`caunoi serve` over the store in its own process, until the block ends."""
    env = store_env(store, extra_env)
    proc = subprocess.Popen(
        [sys.executable, "-m", "caunoi", "serve", "--host", "127.0.0.1", "--port", str(port)], env=env
    )
    try:
        import httpx

        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with code {proc.returncode}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{port}{FLOOR_PATH}", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer within 120 s")
            time.sleep(0.3)
        yield proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM, and SIGKILL when the process has not ended `timeout` seconds later."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the ingest that runs beside the search load --------------------------------------------------------


class Ingest:
    """`caunoi ingest` of the generator's next articles (not yet in the store) in its own process,
    started and stopped around a search phase (see the module docstring)."""

    def __init__(self, store: Store, pools_loader, folder: Path):
        from sqlalchemy import create_engine

        self.store, self.pools_loader, self.folder = store, pools_loader, folder
        self.engine = create_engine(store.settings().sqlalchemy_url)
        self.proc: subprocess.Popen | None = None

    def articles(self) -> int:
        from search_latency import count_articles

        return count_articles(self.engine)

    def write_file(self, count: int) -> tuple[Path, int]:
        """A JSON-lines file of the generator's next `count` articles; the first one's number."""
        from search_latency import generate

        manifest = self.store.manifest() or {}
        first = manifest.get("ingest_next", self.store.size)
        path = self.folder / f"ingest_{first}.jsonl"
        self.folder.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as out:
            for doc in generate(self.pools_loader(), self.store.seed, first + count, skip=first):
                record = {
                    "title": doc.title, "text": doc.text, "url": doc.url, "source": doc.source,
                    "published": doc.published.isoformat(), "category": doc.category, "lang": doc.lang,
                }  # fmt: skip
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        # taken whether stored or not: the next run's articles are new ones either way
        self.store.save_manifest({**(self.store.manifest() or manifest), "ingest_next": first + count})
        return path, first

    def prepare(self, count: int) -> dict[str, Any]:
        """The file of the next run (written before the phase: its time and CPU are not the phase's)."""
        self.path, first = self.write_file(count)
        return {"file_articles": count, "first_generated": first, "store_articles_before": self.articles()}

    def start(self, wait_s: float = 600) -> float:
        """Start the ingest; back once it has stored its first batch (it is then under way, past
        its start-up), with the seconds that took."""
        started, before = time.perf_counter(), self.articles()
        with self.path.with_suffix(".log").open("w") as errors:  # a file: a full pipe would stall it
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "caunoi", "ingest", "--json", str(self.path)],
                env=store_env(self.store),
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
        while self.articles() == before:
            if self.proc.poll() is not None or time.perf_counter() - started > wait_s:
                raise RuntimeError(f"the ingest stored nothing in {wait_s:.0f} s: see {errors.name}")
            time.sleep(0.5)
        return round(time.perf_counter() - started, 1)

    def stop(self) -> dict[str, Any]:
        """Stop the ingest (SIGTERM): its CPU seconds, and whether it had ended by itself (then logged)."""
        proc, self.proc = self.proc, None
        cpu = cpu_seconds(proc.pid) if proc.poll() is None else None
        ended = proc.poll() is not None
        stop(proc, timeout=30)
        self.path.unlink(missing_ok=True)
        errors = self.path.with_suffix(".log")
        if not ended:
            errors.unlink(missing_ok=True)
            return {"cpu_s": None if cpu is None else round(cpu, 1), "ended_early": False}
        # kept; its exception's own line, not the statement's parameters that SQLAlchemy prints after it
        lines = errors.read_text(errors="replace").splitlines()
        error = next((line for line in reversed(lines) if re.match(r"[\w.]+(Error|Exception): ", line)), "")
        log.warning("the ingest ended before the phase did (exit %s, %s): %s", proc.returncode, errors, error)
        return {"cpu_s": None, "ended_early": True, "exit": proc.returncode, "error": error[:500]}

    def close(self) -> None:
        if self.proc is not None:
            self.stop()
        self.engine.dispose()


# -- the load ------------------------------------------------------------------------------------------


class User:
    """One browser / API client: its own connection, address, cookies and token."""

    def __init__(self, base: str, n: int, username: str, token: str):
        import httpx

        self.username, self.token = username, token
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.1.{n + 1}")
        self.client = httpx.AsyncClient(base_url=base, transport=transport, timeout=120)

    async def log_in(self) -> None:
        page = await self.client.get("/login")
        field = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        if page.status_code != 200 or not field:
            raise RuntimeError(f"GET /login answered {page.status_code} without a CSRF field")
        form = {"csrf_token": field.group(1), "next": "/", "username": self.username, "password": PASSWORD}
        answer = await self.client.post("/login", data=form)
        if answer.status_code != 303 or "caunoi_session" not in self.client.cookies:
            raise RuntimeError(
                f"logging in {self.username} answered {answer.status_code}: {answer.text[:200]}"
            )

    def request(self, endpoint: str, i: int):
        if endpoint == "floor":
            return self.client.get(FLOOR_PATH)
        if endpoint == "dashboard":
            return self.client.get("/")
        params = SEARCHES[i % len(SEARCHES)][1]
        return self.client.get(
            "/api/v1/search", params=params, headers={"Authorization": f"Bearer {self.token}"}
        )


async def run_phase(
    users: list[User],
    endpoint: str,
    warmup: float,
    seconds: float,
    think: float = 0,
    seed: int = 1,
    on_counting=None,
) -> dict[str, Any]:
    """Every user requests `endpoint`, back to back (`think` 0) or after an exponential pause of
    mean `think` seconds before each request. Counted: the requests that end after the warm-up;
    a user stops once the measured time is over and it has had one counted request, so a request
    slower than the whole phase is waited for (and counted) rather than cut off. `on_counting`, a
    coroutine function, is awaited once, at the end of the warm-up."""
    start = time.perf_counter()
    counted_from, end = start + warmup, start + warmup + seconds
    latencies: list[float] = []
    statuses: Counter = Counter()
    last_end = counted_from

    async def loop(n: int, user: User) -> None:
        nonlocal last_end
        i, counted = n, 0  # users start at different queries
        pauses = random.Random(f"{seed}:{n}")
        while True:
            if think:
                pause = pauses.expovariate(1 / think)
                if counted and time.perf_counter() + pause >= end:
                    break
                await asyncio.sleep(pause)
            if (t := time.perf_counter()) >= end and counted:
                break
            try:
                status = (await user.request(endpoint, i)).status_code
            except Exception as exc:  # a failure is counted, and the user goes on
                status = type(exc).__name__
            i += 1
            if (done := time.perf_counter()) >= counted_from:
                latencies.append((done - t) * 1000)
                statuses[status] += 1
                counted += 1
                last_end = max(last_end, done)

    async def mark() -> None:
        await asyncio.sleep(max(0.0, counted_from - time.perf_counter()))
        if on_counting:
            await on_counting()

    await asyncio.gather(mark(), *(loop(n, user) for n, user in enumerate(users)))
    window = last_end - counted_from
    return {
        "requests": len(latencies),
        "errors": sum(v for k, v in statuses.items() if k != 200),
        "statuses": {str(k): v for k, v in statuses.items()},
        "window_s": round(window, 1),
        "rps": round(len(latencies) / window, 2),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
    }


async def check_answers(user: User) -> dict[str, Any]:
    """One request of each kind before the load: what they answer (items per search, dashboard size)."""
    out: dict[str, Any] = {"searches": []}
    for i, (label, params) in enumerate(SEARCHES):
        answer = await user.request("search", i)
        items = len(answer.json().get("items", [])) if answer.status_code == 200 else None
        out["searches"].append(
            {"label": label, "params": params, "status": answer.status_code, "items": items}
        )
    started = time.perf_counter()
    page = await user.request("dashboard", 0)  # the server's first: its figures are computed now
    out["dashboard_cold_ms"] = round((time.perf_counter() - started) * 1000, 1)
    if page.status_code != 200 or "chart-per-day" not in page.text:
        raise RuntimeError(f"the dashboard answered {page.status_code} without its charts")
    out["dashboard_bytes"] = len(page.content)
    out["floor_bytes"] = len((await user.request("floor", 0)).content)
    return out


async def load_backend(
    port: int,
    pid: int,
    accounts,
    args,
    *,
    endpoints=ENDPOINTS,
    user_class=User,
    check=check_answers,
    ingest: Ingest | None = None,
) -> dict[str, Any]:
    """Log every user in, `check` the answers, then each of `endpoints` for each number of users and
    user model (args.think; back to back when absent), the search phases with `ingest` running.
    (benchmarks/outreach.py measures its own endpoints with its own User subclass and check.)"""
    base = f"http://127.0.0.1:{port}"
    users = [user_class(base, n, name, token) for n, (name, token) in enumerate(accounts)]
    try:
        for user in users:
            await user.log_in()
        result: dict[str, Any] = {"answers": await check(users[0]), "phases": []}
        for count in args.users:
            for think in getattr(args, "think", [0]):
                for endpoint in endpoints:
                    with_ingest = ingest if endpoint == "search" else None
                    phase = await measure_phase(users[:count], endpoint, think, pid, args, with_ingest)
                    result["phases"].append(phase)
                    log.info(
                        "%-9s %2d users, think %g s: %7.1f req/s  p50 %7.1f ms  p95 %7.1f ms  errors %d%s",
                        endpoint, count, think, phase["rps"], phase["p50_ms"], phase["p95_ms"],
                        phase["errors"],
                        f"; ingest {phase['ingest']['per_s']:.0f} articles/s" if "ingest" in phase else "",
                    )  # fmt: skip
        return result
    finally:
        for user in users:
            await user.client.aclose()


async def measure_phase(
    users: list[User], endpoint: str, think: float, pid: int, args, ingest: Ingest | None
) -> dict[str, Any]:
    """One phase with its CPU times and load average; with `ingest`, what it stored meanwhile."""
    marks: dict[str, Any] = {}
    if ingest:
        marks.update(ingest.prepare(round(INGEST_RATE_BOUND * (args.warmup + args.seconds))))
        marks["started_s"] = await asyncio.to_thread(ingest.start)
    cpu, client_cpu = cpu_seconds(pid), time.process_time()

    async def counting() -> None:
        if ingest:
            marks["from"] = (time.perf_counter(), await asyncio.to_thread(ingest.articles))

    try:
        phase = await run_phase(
            users, endpoint, args.warmup, args.seconds, think, args.seed, on_counting=counting
        )
        if ingest:
            now, stored = time.perf_counter(), await asyncio.to_thread(ingest.articles)
    finally:
        if ingest:
            marks.update(ingest.stop())
    phase.update(
        endpoint=endpoint,
        users=len(users),
        think_s=think,
        server_cpu_s=round(cpu_seconds(pid) - cpu, 1),  # warm-up included
        client_cpu_s=round(time.process_time() - client_cpu, 1),
        load_avg_1m=round(os.getloadavg()[0], 2),
    )
    if ingest:
        at, before = marks.pop("from")
        phase["ingest"] = {
            **marks,
            "stored": stored - before,
            "stored_in_phase": stored - marks["store_articles_before"],
            "per_s": round((stored - before) / (now - at), 1),
        }
    return phase


# -- the run -------------------------------------------------------------------------------------------


def ratios(backends: dict[str, Any]) -> None:
    """Throughput against the floor of the same server and users; PostgreSQL against SQLite."""
    for entry in backends.values():
        floors = {(p["users"], p.get("think_s", 0)): p for p in entry["phases"] if p["endpoint"] == "floor"}
        for p in entry["phases"]:
            floor = floors.get((p["users"], p.get("think_s", 0)))
            p["rps_vs_floor"] = round(p["rps"] / floor["rps"], 3) if floor and floor["rps"] else None
            p["p95_vs_floor"] = round(p["p95_ms"] / floor["p95_ms"], 1) if floor and floor["p95_ms"] else None
    if {"sqlite", "postgresql"} <= set(backends):
        lite = {(p["endpoint"], p["users"], p.get("think_s", 0)): p for p in backends["sqlite"]["phases"]}
        for p in backends["postgresql"]["phases"]:
            other = lite.get((p["endpoint"], p["users"], p.get("think_s", 0)))
            if other and other["rps"] and other["p50_ms"]:
                p["rps_vs_sqlite"] = round(p["rps"] / other["rps"], 2)
                p["p50_vs_sqlite"] = round(p["p50_ms"] / other["p50_ms"], 2)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    pools: list[Pools] = []
    samples: list[dict[str, list]] = []

    def pools_loader() -> Pools:
        if not pools:
            pools.append(load_pools(VI_DOCS, EXTRACTION_TRUTH))
        return pools[0]

    def samples_loader() -> dict[str, list]:
        if not samples:
            log.info("enriching %d + %d real articles for the tags", SAMPLE_VI, SAMPLE_EN)
            samples.append(sample_enrichments(args.seed))
        return samples[0]

    result: dict[str, Any] = {
        "size": args.size,
        "seed": args.seed,
        "users": args.users,
        "think_s": args.think,
        "ingest": args.ingest,
        "seconds": args.seconds,
        "warmup_s": args.warmup,
        "searches": [{"label": label, "params": params} for label, params in SEARCHES],
        "floor": f"GET {FLOOR_PATH}",
        "backends": {},
    }
    for backend in args.backends:
        store = Store(backend, args.size, args.seed)
        manifest = store.manifest()
        if not (manifest and manifest.get("complete") and manifest.get("store_format") == store_format()):
            if manifest or store.exists():
                log.info("[%s] the store is partial or of another format: building it again", backend)
                store.remove()
            manifest = build(store, pools_loader, None)
        tags = tag_store(store, samples_loader)
        accounts = add_users(store, max(args.users))
        variants = [(backend, {"CAUNOI_SEARCH_INDEX": "false"})]  # the store's own index answers
        if args.before and backend == "sqlite":
            variants.append((f"{backend}, CAUNOI_RANK_CAP=0", {**variants[0][1], "CAUNOI_RANK_CAP": "0"}))
        if args.search_index:  # and the search index beside the store, built first when it is not there
            from caunoi.service import Service

            with Service(store.settings()) as svc:
                if not svc.search_index.status()["usable"]:
                    log.info("[%s] building the search index beside the store", backend)
                    svc.search_index.build(store.folder / "search-index")
            variants.append((f"{backend}, search index", {"CAUNOI_SEARCH_INDEX": "true"}))
        for name, extra_env in variants:
            port = free_port()
            log.info("[%s] serving %s on port %d", name, describe_store(store), port)
            ingest = Ingest(store, pools_loader, VAR / "ingest") if args.ingest else None
            try:
                with server(store, port, extra_env) as proc:
                    entry = asyncio.run(
                        load_backend(port, proc.pid, accounts, args, endpoints=args.endpoints, ingest=ingest)
                    )
            finally:
                if ingest:
                    ingest.close()
            entry["store"] = {
                "name": store.name,
                "articles": manifest.get("built", manifest["articles"]),
                "disk_mib": round((store.manifest() or manifest)["disk_bytes"]["total"] / 2**20),
                "article_tags": tags,
            }
            entry["server_env"] = extra_env
            result["backends"][name] = entry
    ratios(result["backends"])
    return result


def describe_store(store: Store) -> str:
    return store.schema if store.backend == "postgresql" else str(store.folder / "caunoi.db")


# -- reporting -----------------------------------------------------------------------------------------


def print_report(r: dict[str, Any]) -> None:
    thinks = r.get("think_s", [0])
    models = ", ".join(
        "back to back" if t == 0 else f"think time (exponential, mean {t:g} s)" for t in thinks
    )
    print(
        f"{r['size']:,} generated articles (seed {r['seed']}); users: {models};"
        f" {r['seconds']} s measured after {r['warmup_s']} s warm-up; floor = {r['floor']}"
        + ("; search phases with `caunoi ingest` running" if r.get("ingest") else "")
    )
    print("searches: " + "; ".join(describe_search(s["params"]) for s in r["searches"]))
    rows = []
    for backend, entry in r["backends"].items():
        for p in entry["phases"]:
            ingest, floor_row = p.get("ingest"), p["endpoint"] == "floor"
            rows.append(
                [
                    backend, p["endpoint"], p["users"], f"{p.get('think_s', 0):g}", f"{p['requests']:,}",
                    p["errors"], f"{p['window_s']:.0f}",
                    f"{p['rps']:,.1f}" if p["rps"] >= 10 else f"{p['rps']:.2f}",
                    f"{p['p50_ms']:,.1f}", f"{p['p95_ms']:,.1f}", f"{p['p99_ms']:,.1f}",
                    "" if floor_row or p.get("rps_vs_floor") is None else f"{p['rps_vs_floor']:.3f}",
                    "" if floor_row or p.get("p95_vs_floor") is None else f"{p['p95_vs_floor']:,.1f}",
                    f"{ingest['per_s']:.0f}" if ingest else "",
                    f"{p['server_cpu_s']:.0f} / {p['client_cpu_s']:.0f}", f"{p.get('load_avg_1m', 0):.1f}",
                ]
            )  # fmt: skip
    print()
    print_table(
        ["backend", "endpoint", "users", "think s", "requests", "errors", "window s", "req/s", "p50 ms",
         "p95 ms", "p99 ms", "req/s ÷ floor", "p95 ÷ floor", "ingest articles/s", "CPU s caunoi / load",
         "load avg"],
        rows,
        "llrrrrrrrrrrrrrr",
    )  # fmt: skip
    print(
        "\nCPU s: of the caunoi server process and of this load generator over the phase, warm-up"
        " included (PostgreSQL's own processes are not counted). load avg: the machine's, 1 minute,"
        " at the end of the phase. ingest: articles stored per second by `caunoi ingest` after the"
        " warm-up."
    )
    pg = r["backends"].get("postgresql", {}).get("phases", [])
    if pg and "sqlite" in r["backends"]:
        print("\nPostgreSQL ÷ SQLite\n")
        print_table(
            ["endpoint", "users", "think s", "req/s ratio", "p50 ratio"],
            [
                [p["endpoint"], p["users"], f"{p.get('think_s', 0):g}", f"{p['rps_vs_sqlite']:.2f}",
                 f"{p['p50_vs_sqlite']:.2f}"]
                for p in pg
                if "rps_vs_sqlite" in p
            ],
            "lrrrr",
        )  # fmt: skip
    for backend, entry in r["backends"].items():
        s, a = entry["store"], entry["answers"]
        items = ", ".join(str(x["items"]) for x in a["searches"])
        print(
            f"\n{backend}: {s['articles']:,} articles, {s['article_tags']['tags']:,} tags,"
            f" {s['disk_mib']:,} MiB on disk;"
            f" dashboard page {a['dashboard_bytes'] / 1024:,.0f} KiB, its first request (figures computed,"
            f" not cached) {a.get('dashboard_cold_ms', '?')} ms; items per search (limit 20): {items}"
        )


def describe_search(params: dict[str, str]) -> str:
    q = params.get("q", "")
    return " ".join([q, *(f"{k}={v}" for k, v in params.items() if k != "q")])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="1,10,50", help="concurrent users, comma-separated")
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds per endpoint and users")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of load not counted, before that")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--size", type=int, default=100_000, help="articles in the store")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--think", default="0", help="mean think time of a user in seconds, comma-separated; 0 = back to back"
    )
    parser.add_argument("--ingest", action="store_true", help="run `caunoi ingest` while search is measured")
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS), help="of floor, search, dashboard")
    parser.add_argument(
        "--before", action="store_true", help="SQLite: also serve the store with CAUNOI_RANK_CAP=0"
    )
    parser.add_argument(
        "--search-index",
        action="store_true",
        help="also serve the store with its search index beside it (`caunoi search-index build`, made here"
        " when absent)",
    )
    parser.add_argument("--out", default=NAME, help="name of the result file in benchmarks/results")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    args.users = [int(n) for n in args.users.split(",") if n]
    args.think = [float(t) for t in args.think.split(",") if t.strip()] or [0.0]
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    args.endpoints = [e.strip() for e in args.endpoints.split(",") if e.strip()]
    if unknown := set(args.backends) - set(BACKENDS):
        sys.exit(f"unknown backend(s) {sorted(unknown)}: use {', '.join(BACKENDS)}")
    if unknown := set(args.endpoints) - set(ENDPOINTS):
        sys.exit(f"unknown endpoint(s) {sorted(unknown)}: use {', '.join(ENDPOINTS)}")
    if min(args.think) < 0:
        sys.exit("--think: a mean pause of 0 seconds (back to back) or more")
    if max(args.users) > 250:
        sys.exit("at most 250 users: each has its own loopback address 127.0.1.<n>")
    require_corpus(VI_DOCS, "the vi-news-unc corpus (its docs/ folder)")
    require_corpus(EXTRACTION_TRUTH, "the article-extraction-benchmark ground-truth.json")
    if "postgresql" in args.backends and (why := pg_reachable()):
        sys.exit(f"{why} (or pass --backends sqlite)")
    result = measure(args)
    publish(args.out, result, as_json=args.json, report=print_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
