"""Search latency of Service.search on stores of 100k and 1M generated articles, SQLite against PostgreSQL.

Run: .venv/bin/python benchmarks/search_latency.py [--json] [--sizes 100000,1000000]
         [--backends sqlite,postgresql] [--seed 1] [--runs 10] [--rebuild] [--keep] [--build-limit-min M]
         [--rank-caps 5000,0] [--rum on,off] [--migrate]

The articles are generated from real text (GENERATOR_VERSION 1), with random.Random(seed):
  - 90% Vietnamese: title = the title of a random vi-news-unc article, category = that article's
    section (the 10 corpus categories); body = 4-10 paragraphs (lines of at least 40 characters
    after the title) drawn without replacement from all vi-news-unc articles; source = one of
    VI_SOURCES; lang "vi".
  - 10% English: the same from the article-extraction-benchmark ground-truth bodies (the 161
    English pages; title = the body's first sentence, as benchmarks/language_id.py makes it),
    category drawn from the 10 sections, source one of EN_SOURCES, lang "en".
  - published uniformly over 2020-01-01 .. 2024-12-31 (to the second); url https://<source>/gen/<n>.
  - Paragraphs and titles go through caunoi.pipeline.normalise first, so the stored text is in the
    form an ingest would store. origin "gen:<n>", content_hash unique per article.
They are written through ArticleRepository.write_batch in batches of 2000: the real write path,
full-text index included, except PostgreSQL's RUM index (migration 0019), which is dropped while the
articles load and made once they are in, as for any bulk load (timed). PostgreSQL then gets VACUUM
ANALYZE (timed; this server runs with autovacuum off), SQLite a WAL checkpoint. Sizes on disk are
measured after that.

Stores live in var/bench/ (SQLite files, and a manifest per store) and are reused when one with the
same size, seed and generator is there; a build cut short (--build-limit-min, or killed) is resumed.
PostgreSQL schemas this run creates are dropped at the end unless --keep.

Each query in QUERIES runs once to warm up, then --runs times; the latency is Service.search end to
end (query normalisation, parsing, SQL, 20 snippets), with the share spent making snippets. Variants
of one store (--rank-caps, --rum, --search-index) take turns run by run, query by query. The search
index beside a store is built beforehand with `caunoi search-index build` (CAUNOI_DATA=the store's
folder, or CAUNOI_DATABASE_URL its schema's URL); `--search-index on,off` asks it and the store's own
index in turns.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
import logging
import random
import sqlite3
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from _harness import (
    BACKENDS,
    EXTRACTION_TRUTH,
    VAR,
    VI_DOCS,
    create_schema,
    drop_schema,
    pg_reachable,
    pg_schema_bytes,
    print_table,
    publish,
    require_corpus,
    schema_exists,
    schema_url,
)

NAME = "search_latency"
GENERATOR_VERSION = 1
BATCH = 2000
ENGLISH_SHARE = 0.10
PARAGRAPHS = (4, 10)
MIN_PARAGRAPH_CHARS = 40
FIRST_DAY, LAST_DAY = datetime(2020, 1, 1), datetime(2024, 12, 31, 23, 59, 59)

VI_SOURCES = (
    "vnexpress.net", "dantri.com.vn", "tuoitre.vn", "thanhnien.vn", "vietnamnet.vn", "nhandan.vn",
    "baoquocte.vn", "vov.vn", "vtv.vn", "qdnd.vn", "tienphong.vn", "laodong.vn", "znews.vn",
    "cand.com.vn", "baochinhphu.vn", "plo.vn", "nld.com.vn", "sggp.org.vn", "vietnamplus.vn",
    "baotintuc.vn", "bbc.com", "rfa.org", "voatiengviet.com",
)  # fmt: skip
EN_SOURCES = (
    "reuters.com", "apnews.com", "nytimes.com", "theguardian.com", "scmp.com", "thediplomat.com",
    "asia.nikkei.com", "aljazeera.com", "straitstimes.com", "channelnewsasia.com", "bbc.com",
    "vietnamnews.vn", "e.vnexpress.net",
)  # fmt: skip

log = logging.getLogger("benchmarks.search_latency")


# -- the queries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    label: str
    query: str
    options: dict[str, Any] = field(default_factory=dict)  # SearchRequest fields besides the query


QUERIES: list[Query] = [
    Query("no diacritics, two syllables", "doi ngoai"),
    Query("with diacritics", "đối ngoại"),
    Query("phrase", '"biển Đông"'),
    Query("OR, two common terms", "Trung Quốc OR Mỹ"),
    Query("NOT", "covid NOT vaccine"),
    Query("prefix", "kinh te*"),
    Query("--lang en", "ASEAN", {"lang": "en"}),
    Query("short prefix, sort by date", "cong ngh*", {"sort": "date"}),
    Query("very common, relevance", "Việt Nam"),
    Query("very common, sort by date", "Việt Nam", {"sort": "date"}),
    Query("date range (a quarter)", "bóng đá", {"date_from": date(2023, 1, 1), "date_to": date(2023, 3, 31)}),
    Query("--source", "giáo dục", {"source": "vnexpress.net"}),
    Query("phrase + word, sort by date", '"thủ tướng" chính phủ', {"sort": "date"}),
    Query("NOT a group", "du lịch NOT (covid OR dịch)"),
    Query("three words, --category", "tăng trưởng kinh tế", {"category": "business"}),
    Query(
        "a month, sort by date",
        "Hà Nội",
        {"date_from": date(2024, 6, 1), "date_to": date(2024, 6, 30), "sort": "date"},
    ),
    Query("OR with a phrase, --lang vi", 'vaccine OR "vắc xin"', {"lang": "vi"}),
    Query("--exact phrase", '"hòa bình"', {"exact": True}),
    Query(
        "English OR, --lang en, a year",
        "president OR election",
        {"lang": "en", "date_from": date(2022, 1, 1), "date_to": date(2022, 12, 31)},
    ),
    Query("rare name", "Vinamilk"),
]


def describe(q: Query) -> str:
    opts = " ".join(
        f"--{k.replace('_', '-')}" if v is True else f"--{k.replace('_', '-')} {v}"
        for k, v in q.options.items()
    )
    return f"{q.query} {opts}".strip()


# -- the generator ---------------------------------------------------------------------------------


@dataclass
class Pools:
    vi_titles: list[tuple[str, str]]  # (title, category)
    vi_paragraphs: list[str]
    en_titles: list[str]
    en_paragraphs: list[str]
    categories: list[str]


def _normalised(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(title, text) pairs as the ingest pipeline's normalise stage leaves them."""
    from caunoi.config import Settings
    from caunoi.models import Doc
    from caunoi.pipeline import StageContext, normalise

    now = datetime.now()
    docs = [Doc(origin="gen", format="txt", ingested_at=now, title=t, text=b) for t, b in items]
    return [(d.title, d.text) for d in normalise(docs, StageContext(Settings()))]


def load_pools(vi_docs: Path, truth: Path) -> Pools:
    sys.path.insert(0, str(Path(__file__).parent))
    from language_id import NOT_ENGLISH, title_of  # the English pages, and how titles are made

    files = sorted(vi_docs.glob("*.txt"))
    raw = []
    categories = []
    for path in files:
        lines = path.read_text(encoding="utf-8").split("\n")
        raw.append((lines[3], "\n".join(lines[4:])))  # 3 header lines, the title, the body
        categories.append(path.stem.split("_")[1])  # news_<category>_<nnn>
    vi = _normalised(raw)
    pages = json.loads(truth.read_text(encoding="utf-8"))
    en_bodies = [p["articleBody"] for key, p in sorted(pages.items()) if key[:10] not in NOT_ENGLISH]
    en = _normalised([(title_of(body), body) for body in en_bodies])

    def paragraphs(texts: list[str]) -> list[str]:
        return [line for text in texts for line in text.split("\n") if len(line) >= MIN_PARAGRAPH_CHARS]

    return Pools(
        vi_titles=[(title, cat) for (title, _), cat in zip(vi, categories, strict=True)],
        vi_paragraphs=paragraphs([text for _, text in vi]),
        en_titles=[title for title, _ in en],
        en_paragraphs=paragraphs([text for _, text in en]),
        categories=sorted(set(categories)),
    )


def generate(pools: Pools, seed: int, count: int, skip: int = 0):
    """Docs 0..count-1 of the seeded stream, the first `skip` drawn but not made (to resume a build)."""
    from caunoi.models import Doc

    rng = random.Random(seed)
    span = int((LAST_DAY - FIRST_DAY).total_seconds())
    now = datetime.now()
    for n in range(count):
        english = rng.random() < ENGLISH_SHARE
        if english:
            title, category = rng.choice(pools.en_titles), rng.choice(pools.categories)
            pool, source, lang = pools.en_paragraphs, rng.choice(EN_SOURCES), "en"
        else:
            title, category = rng.choice(pools.vi_titles)
            pool, source, lang = pools.vi_paragraphs, rng.choice(VI_SOURCES), "vi"
        body = rng.sample(pool, rng.randint(*PARAGRAPHS))
        published = FIRST_DAY + timedelta(seconds=rng.randrange(span))
        if n < skip:
            continue
        text = "\n".join(body)
        yield Doc(
            origin=f"gen:{n}",
            format="txt",
            ingested_at=now,
            raw_hash=hashlib.sha256(f"gen:{seed}:{n}".encode()).hexdigest(),
            url=f"https://{source}/gen/{n}",
            title=title,
            text=text,
            published=published,
            published_from="meta",
            source=source,
            category=category,
            lang=lang,
            lang_confidence=1.0,
            content_hash=hashlib.sha256(f"{seed}:{n}\n{text}".encode()).hexdigest(),
        )


# -- stores ------------------------------------------------------------------------------------------


@dataclass
class Store:
    backend: str
    size: int
    seed: int

    @property
    def name(self) -> str:
        return f"search_{self.size}_s{self.seed}_g{GENERATOR_VERSION}"

    @property
    def schema(self) -> str:
        return f"bench_{self.name}"

    @property
    def folder(self) -> Path:
        return VAR / self.name

    @property
    def manifest_path(self) -> Path:
        return VAR / f"{self.name}.{self.backend}.json"

    def settings(self):
        from caunoi.config import Settings

        if self.backend == "sqlite":
            return Settings(data_dir=self.folder)
        return Settings(data_dir=self.folder, database_url=schema_url(self.schema))

    def exists(self) -> bool:
        if self.backend == "sqlite":
            return (self.folder / "caunoi.db").exists()
        return schema_exists(self.schema)

    def manifest(self) -> dict[str, Any] | None:
        if not self.manifest_path.exists() or not self.exists():
            return None
        return json.loads(self.manifest_path.read_text())

    def save_manifest(self, manifest: dict[str, Any]) -> None:
        VAR.mkdir(parents=True, exist_ok=True)
        self.manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")

    def remove(self) -> None:
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                (self.folder / f"caunoi.db{suffix}").unlink(missing_ok=True)
        else:
            drop_schema(self.schema)
        self.manifest_path.unlink(missing_ok=True)

    def create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.backend == "postgresql":
            create_schema(self.schema)

    def disk_bytes(self) -> dict[str, int]:
        """Bytes on disk, total and per table or index (FTS5 shadow tables, TOAST counted in)."""
        if self.backend == "postgresql":
            parts = pg_schema_bytes(self.schema)
            return {"total": sum(parts.values()), **dict(sorted(parts.items(), key=lambda kv: -kv[1]))}
        db = self.folder / "caunoi.db"
        total = sum(p.stat().st_size for p in self.folder.glob("caunoi.db*"))
        parts: dict[str, int] = {}
        with contextlib.closing(sqlite3.connect(db)) as conn, contextlib.suppress(sqlite3.OperationalError):
            rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
            parts = {name: size for name, size in rows}
        return {"total": total, **parts}


def store_format() -> str:
    """A digest of what decides a store's contents: migrations, tables, and the write path with its
    index forms. A store built under another one is rebuilt; search code may change freely."""
    import inspect

    from caunoi.store import database, schema
    from caunoi.store.articles import ArticleRepository
    from caunoi.text import fold

    digest = hashlib.sha256()
    versions = Path(database.MIGRATIONS) / "versions"
    for path in sorted(versions.glob("*.py")):
        digest.update(path.read_bytes())
    for obj in (schema, fold, ArticleRepository.write_batch, ArticleRepository._article_row):
        digest.update(inspect.getsource(obj).encode())
    if hasattr(ArticleRepository, "_index"):
        digest.update(inspect.getsource(ArticleRepository._index).encode())
    return digest.hexdigest()[:12]


def write_path_format() -> str:
    """A digest of the write path alone (the stored text's and the index's forms): what --migrate
    requires unchanged to migrate a store instead of building it again."""
    import inspect

    from caunoi.store.articles import ArticleRepository
    from caunoi.text import fold

    digest = hashlib.sha256()
    for obj in (
        fold,
        ArticleRepository.write_batch,
        ArticleRepository._article_row,
        ArticleRepository._index,
    ):
        digest.update(inspect.getsource(obj).encode())
    return digest.hexdigest()[:12]


def migrate_store(store: Store, manifest: dict[str, Any]) -> dict[str, Any]:
    """Open the store with this code (Alembic upgrades it to the newest migration); the manifest
    records the format it was built under."""
    from caunoi.service import Service

    started = time.perf_counter()
    with Service(store.settings()):
        pass
    manifest = {
        **manifest,
        "migrated_from": [*manifest.get("migrated_from", []), manifest["store_format"]],
        "migrate_s": round(time.perf_counter() - started, 1),
        "store_format": store_format(),
        "write_path": write_path_format(),
    }
    store.save_manifest(manifest)
    return manifest


def count_articles(engine) -> int:
    from sqlalchemy import func, select

    from caunoi.store.schema import articles

    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(articles))


def build(store: Store, pools_loader, limit_s: float | None) -> dict[str, Any]:
    """Write the store's articles (resuming a partial build); the manifest records how it went."""
    from caunoi.service import Service
    from caunoi.store import rum

    manifest = store.manifest() or {
        "backend": store.backend,
        "articles": store.size,
        "seed": store.seed,
        "generator": GENERATOR_VERSION,
        "store_format": store_format(),
        "write_path": write_path_format(),
        "complete": False,
        "build_s": 0.0,
        "write_batch_s": 0.0,
        "runs": [],
    }
    if not store.exists():
        store.create()
    pools = pools_loader()
    started = time.perf_counter()
    with Service(store.settings()) as svc:
        done = count_articles(svc.engine)
        if store.backend == "postgresql":
            # bulk loading: the RUM index is made once the articles are in (finish), as one would
            # for any large load, instead of being kept up at each of a million writes
            with svc.engine.begin() as conn:
                conn.exec_driver_sql(f"DROP INDEX IF EXISTS {rum.INDEX}")
        log.info("[%s %s] building from %d of %d articles", store.backend, store.size, done, store.size)
        write_s = 0.0
        batch = []
        stopped = False
        last_log = done

        def flush() -> None:
            nonlocal write_s, done, last_log
            t = time.perf_counter()
            done += svc.articles.write_batch(batch).added
            write_s += time.perf_counter() - t
            batch.clear()
            if done - last_log >= 50_000 or done == store.size:
                last_log = done
                elapsed = manifest["build_s"] + time.perf_counter() - started
                log.info("[%s %s] %d articles, %.0f s so far", store.backend, store.size, done, elapsed)
                # kept current, so a build that is killed resumes with its time so far
                store.save_manifest({**manifest, "build_s": round(elapsed, 1), "built": done})

        for doc in generate(pools, store.seed, store.size, skip=done):
            batch.append(doc)
            if len(batch) >= BATCH:
                flush()
                if limit_s is not None and manifest["build_s"] + time.perf_counter() - started > limit_s:
                    stopped = True
                    break
        if batch and not stopped:
            flush()
        elapsed = time.perf_counter() - started
        manifest["build_s"] = round(manifest["build_s"] + elapsed, 1)
        manifest["write_batch_s"] = round(manifest["write_batch_s"] + write_s, 1)
        manifest["runs"].append({"until": done, "seconds": round(elapsed, 1)})
        manifest["built"] = done
        manifest["complete"] = done >= store.size
        if manifest["complete"]:
            manifest.update(finish(store, svc.engine))
    manifest["disk_bytes"] = store.disk_bytes()
    store.save_manifest(manifest)
    return manifest


def finish(store: Store, engine) -> dict[str, Any]:
    """What a store gets once its articles are in: statistics (PostgreSQL), the WAL folded in (SQLite)."""
    from caunoi.store import rum

    t = time.perf_counter()
    if store.backend == "postgresql":
        made: dict[str, Any] = {}
        with engine.begin() as conn:
            if rum.create_index(conn):
                made["rum_index_s"] = round(time.perf_counter() - t, 1)
        rum.forget(engine)
        t = time.perf_counter()
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("VACUUM ANALYZE articles")
            conn.exec_driver_sql("VACUUM ANALYZE origins")
        return {**made, "vacuum_analyze_s": round(time.perf_counter() - t, 1)}
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"checkpoint_s": round(time.perf_counter() - t, 1)}


# -- measuring ---------------------------------------------------------------------------------------


def percentile(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def match_count(svc, q: Query) -> int | None:
    """How many articles the query matches (its filters included), counted: what the store has to rank."""
    from caunoi.models import SearchRequest

    return svc.articles.count(svc._as_stored(SearchRequest(query=q.query, **q.options)), cap=10**12)[0]


@dataclass(frozen=True)
class Variant:
    """One way of searching the same store: a rank_cap setting (None: the default) and, on
    PostgreSQL, the RUM index path off (every match ranked, as a server without the extension)."""

    key: str
    rank_cap: int | None = None
    rum_off: bool = False
    search_index: bool | None = None  # answered by the search index beside the store, or not


def variant_key(backend: str, cap: int | None, rum: str | None, index: str | None = None) -> str:
    """The name of a variant in the report: "postgresql cap 5000 rum off", "sqlite index on"."""
    return " ".join(
        [
            backend,
            *([] if cap is None else [f"cap {cap}"]),
            *([] if rum is None else [f"rum {rum}"]),
            *([] if index is None else [f"index {index}"]),
        ]
    )


def run_queries(store: Store, runs: int, variants: list[Variant]) -> dict[str, list[dict[str, Any]]]:
    """Each variant's latencies per query. The variants take turns run by run (the first of each
    round moving along), so a machine whose load changes during the run weighs on each alike."""
    import caunoi.store.articles as repository
    from caunoi.models import SearchRequest
    from caunoi.service import Service

    snippet_s: dict[str, float] = {}
    current = [variants[0].key]
    make_snippet = repository.make_snippet

    def timed_snippet(*args, **kwargs):
        t = time.perf_counter()
        try:
            return make_snippet(*args, **kwargs)
        finally:
            snippet_s[current[0]] = snippet_s.get(current[0], 0.0) + time.perf_counter() - t

    repository.make_snippet = timed_snippet
    by_index = repository.ranked_by_index
    out: dict[str, list[dict[str, Any]]] = {v.key: [] for v in variants}
    try:
        with contextlib.ExitStack() as stack:
            services = {}
            for v in variants:
                settings = store.settings()
                if v.rank_cap is not None:
                    settings = dataclasses.replace(settings, rank_cap=v.rank_cap)
                if v.search_index is not None:
                    settings = dataclasses.replace(settings, search_index=v.search_index)
                services[v.key] = svc = stack.enter_context(Service(settings))
                if v.search_index and not (state := svc.search_index.status())["usable"]:
                    sys.exit(
                        f"[{store.backend} {store.size}] the search index is {state['why_not'] or 'off'}: "
                        "build it with "
                        f"`caunoi search-index build` on the store ({store.settings().sqlalchemy_url})"
                    )

            def search(v: Variant, request: SearchRequest, *, results: bool = False) -> Any:
                current[0] = v.key
                repository.ranked_by_index = (lambda engine: None) if v.rum_off else by_index
                svc = services[v.key]
                return svc.search_results(request, count=False) if results else svc.search(request)

            for q in QUERIES:
                request = SearchRequest(query=q.query, limit=20, **q.options)
                found = {v.key: search(v, request, results=True) for v in variants}  # warm-up
                latencies: dict[str, list[float]] = {v.key: [] for v in variants}
                hits: dict[str, list] = {}
                snippet_s.clear()
                for run in range(runs):
                    for v in variants[run % len(variants) :] + variants[: run % len(variants)]:
                        t = time.perf_counter()
                        hits[v.key] = search(v, request)
                        latencies[v.key].append((time.perf_counter() - t) * 1000)
                matches = match_count(services[variants[0].key], q)
                for v in variants:
                    ms = latencies[v.key]
                    out[v.key].append(
                        {
                            "label": q.label,
                            "query": describe(q),
                            "hits": len(hits[v.key]),
                            "ids": [h.id for h in hits[v.key]],
                            "ranked_among": getattr(found[v.key], "ranked_among", None),
                            "matches": matches,
                            "ms": [round(x, 2) for x in ms],
                            "p50_ms": round(percentile(ms, 50), 2),
                            "p95_ms": round(percentile(ms, 95), 2),
                            "snippet_share": round(snippet_s.get(v.key, 0.0) * 1000 / sum(ms), 3),
                        }
                    )
                log.info(
                    "[%s %s] %-40s p50 %s ms  matches %s",
                    store.backend,
                    store.size,
                    describe(q),
                    "  ".join(f"{v.key} {out[v.key][-1]['p50_ms']:.1f}" for v in variants),
                    matches,
                )
    finally:
        repository.make_snippet = make_snippet
        repository.ranked_by_index = by_index
    return out


def measure(args: argparse.Namespace) -> dict[str, Any]:
    pools: list[Pools] = []

    def pools_loader() -> Pools:  # read the corpora only when a store has to be built
        if not pools:
            log.info("reading and normalising the corpora for the generator")
            pools.append(load_pools(args.vi_data, args.truth))
        return pools[0]

    result: dict[str, Any] = {
        "generator": GENERATOR_VERSION,
        "seed": args.seed,
        "runs_per_query": args.runs,
        "rank_caps": args.rank_caps,
        "queries": [{"label": q.label, "query": describe(q)} for q in QUERIES],
        "sizes": {},
    }
    created: list[Store] = []
    try:
        for size in args.sizes:
            per_size: dict[str, Any] = {}
            for backend in args.backends:
                store = Store(backend, size, args.seed)
                if args.rebuild and store.exists():
                    store.remove()
                manifest = store.manifest()
                if manifest and manifest.get("store_format") != store_format():
                    same_writes = manifest.get("write_path", write_path_format()) == write_path_format()
                    if args.migrate and same_writes:
                        log.info("[%s %s] built by another version: migrating (--migrate)", backend, size)
                        manifest = migrate_store(store, manifest)
                    else:
                        log.info(
                            "[%s %s] built by another version of the write path: rebuilding", backend, size
                        )
                        store.remove()
                        manifest = None
                reused = bool(manifest and manifest.get("complete"))
                if not reused:
                    if not store.exists():
                        created.append(store)
                    elif store.backend == "postgresql" and not manifest:
                        store.remove()  # a schema without a manifest: its state is unknown
                        created.append(store)
                    manifest = build(
                        store, pools_loader, args.build_limit_min * 60 if args.build_limit_min else None
                    )
                built = manifest.get("built", manifest["articles"])
                entry = {"store": {**manifest, "reused": reused}}
                entry["store"]["articles_per_s"] = (
                    round(built / manifest["build_s"], 1) if manifest["build_s"] else None
                )
                if not manifest["complete"]:
                    log.warning(
                        "[%s %s] build stopped at %d articles after %.0f s; querying that",
                        backend,
                        size,
                        built,
                        manifest["build_s"],
                    )
                caps = [None] if not args.rank_caps else args.rank_caps
                modes = args.rum if backend == "postgresql" and args.rum else [None]
                indexes = args.search_index or [None]
                variants = [
                    Variant(
                        variant_key(backend, cap, mode, index),
                        cap,
                        mode == "off",
                        None if index is None else index == "on",
                    )
                    for cap in caps
                    for mode in modes
                    for index in indexes
                ]
                for key, queries in run_queries(store, args.runs, variants).items():
                    variant = next(v for v in variants if v.key == key)
                    ranked = {**entry, "rank_cap": variant.rank_cap, "rum_off": variant.rum_off}
                    ranked["search_index"] = variant.search_index
                    ranked["queries"] = queries
                    all_ms = [x for q in queries for x in q["ms"]]
                    ranked["overall"] = {
                        "p50_ms": round(percentile(all_ms, 50), 2),
                        "p95_ms": round(percentile(all_ms, 95), 2),
                        "mean_ms": round(statistics.fmean(all_ms), 2),
                    }
                    per_size[key] = ranked
            result["sizes"][str(size)] = per_size
    finally:
        if not args.keep:
            for store in created:
                if store.backend == "postgresql":
                    log.info("dropping schema %s (pass --keep to keep it)", store.schema)
                    store.remove()
    return result


# -- reporting ---------------------------------------------------------------------------------------


def mib(n: int | None) -> str:
    return "" if n is None else f"{n / 2**20:,.0f}"


def print_report(r: dict[str, Any]) -> None:
    print(
        f"generator v{r['generator']}, seed {r['seed']},"
        f" {r['runs_per_query']} timed runs per query after 1 warm-up"
    )
    rows = []
    for size, per_backend in r["sizes"].items():
        for backend, e in per_backend.items():
            s = e["store"]
            extra = s.get("vacuum_analyze_s", s.get("checkpoint_s"))
            rows.append(
                [
                    f"{int(size):,}",
                    backend,
                    f"{s.get('built', s['articles']):,}" + ("" if s["complete"] else " (partial)"),
                    f"{s['build_s']:,.0f}",
                    f"{s['write_batch_s']:,.0f}",
                    f"{s['articles_per_s']:,.0f}" if s["articles_per_s"] else "",
                    "" if extra is None else f"{extra:,.0f}",
                    mib(s["disk_bytes"]["total"]),
                    "yes" if s["reused"] else "no",
                ]
            )
    print("\nStores\n")
    print_table(
        [
            "size",
            "backend",
            "articles",
            "build s",
            "write_batch s",
            "articles/s",
            "vacuum/checkpoint s",
            "on disk MiB",
            "reused",
        ],
        rows,
        "llrrrrrrl",
    )
    for size, per_backend in r["sizes"].items():
        for backend, e in per_backend.items():
            parts = {k: v for k, v in e["store"]["disk_bytes"].items() if k != "total"}
            if parts:
                top = ", ".join(f"{k} {mib(v)}" for k, v in list(parts.items())[:8])
                print(f"\n{backend} {int(size):,} on disk (MiB): {top}")
    for size, per_backend in r["sizes"].items():
        backends = list(per_backend)
        print(f"\nLatency at {int(size):,} articles, ms (limit 20, snippets included)\n")
        headers = ["#", "query"]
        for b in backends:
            headers += [f"{b} matches", f"{b} p50", f"{b} p95", f"{b} snippets"]
        rows = []
        for i, q in enumerate(r["queries"]):
            row = [str(i + 1), q["query"]]
            for b in backends:
                m = per_backend[b]["queries"][i]
                row += [
                    f"{m['matches']:,}" + (" *" if m.get("ranked_among") else ""),
                    f"{m['p50_ms']:.1f}",
                    f"{m['p95_ms']:.1f}",
                    f"{m['snippet_share']:.0%}",
                ]
            rows.append(row)
        row = ["", "all queries"]
        for b in backends:
            o = per_backend[b]["overall"]
            row += ["", f"{o['p50_ms']:.1f}", f"{o['p95_ms']:.1f}", ""]
        rows.append(row)
        print_table(headers, rows, "rl" + "rrrr" * len(backends))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="store sizes, comma-separated")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=10, help="timed runs per query (after one warm-up)")
    parser.add_argument("--rebuild", action="store_true", help="build the stores again even if present")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schemas this run creates")
    parser.add_argument(
        "--build-limit-min", type=float, help="stop a build after this many minutes (resumed next run)"
    )
    parser.add_argument("--vi-data", type=Path, default=VI_DOCS, help="folder of vi-news-unc .txt files")
    parser.add_argument(
        "--truth", type=Path, default=EXTRACTION_TRUTH, help="extraction benchmark ground truth"
    )
    parser.add_argument(
        "--rank-caps",
        default="",
        help="run the queries with each rank_cap setting, comma-separated (0 = rank every match),"
        " taking turns",
    )
    parser.add_argument(
        "--migrate",
        action="store_true",
        help="migrate a store built by an older version instead of rebuilding it, when its write path"
        " is the same (recorded in its manifest; a manifest from before that record is trusted)",
    )
    parser.add_argument(
        "--rum",
        default="",
        help="PostgreSQL: the RUM index path on, off or both (on,off), same store, taking turns"
        " (with each rank cap)",
    )
    parser.add_argument(
        "--search-index",
        default="",
        help="the search index beside the store (`caunoi search-index build`, made beforehand) on, off or"
        " both (on,off), same store, taking turns",
    )
    parser.add_argument("--out", default=NAME, help="name of the result files in benchmarks/results")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    args.rank_caps = [int(c) for c in args.rank_caps.split(",") if c.strip()]
    args.rum = [m.strip() for m in args.rum.split(",") if m.strip()]
    args.search_index = [m.strip() for m in args.search_index.split(",") if m.strip()]
    if bad := (set(args.rum) | set(args.search_index)) - {"on", "off"}:
        sys.exit(f"--rum and --search-index take on, off or both, not {sorted(bad)}")
    if unknown := set(args.backends) - set(BACKENDS):
        sys.exit(f"unknown backend(s) {sorted(unknown)}: use {', '.join(BACKENDS)}")
    require_corpus(args.vi_data, "the vi-news-unc corpus (its docs/ folder)")
    require_corpus(args.truth, "the article-extraction-benchmark ground-truth.json")
    if "postgresql" in args.backends and (why := pg_reachable()):
        sys.exit(f"{why} (or pass --backends sqlite)")
    result = measure(args)
    publish(args.out, result, as_json=args.json, report=print_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
