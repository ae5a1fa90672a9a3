"""Fetch throughput: the watcher fetching, extracting and storing pages from a local web, vs a plain loop.

Run: .venv/bin/python benchmarks/fetch_throughput.py [--pages N] [--hosts H] [--concurrency 1,8,32]
                                                      [--interval S] [--repeat N] [--data DIR] [--json]

The web is local and stays on loopback: a separate server process (so its Python does not compete
for our GIL) runs one ThreadingHTTPServer per address 127.0.0.1 … 127.0.0.H, each bound to its own
address only. It serves the article-extraction-benchmark pages (181 real gzipped news pages; the 60
of demo/data when the shared corpora are absent) replicated to N pages under distinct URLs, page i
on host i mod H, gzip-encoded as news sites send them. A copy k > 0 of a page has " r<k>" added
before every </p> and <br, so every copy extracts to a different text (a different article) rather
than a duplicate. Each host also serves a permissive robots.txt and one RSS feed listing its pages.

Variants, each in its own process, so wall time and peak memory are its own:
  watcher   a fresh SQLite store, one source per host (allow_private, its feed), settings with
            fetch_concurrency = c and fetch_per_host_interval = S, robots.txt obeyed; timed:
            Watcher.run_once(force=True): poll every feed, then fetch every page, run every stage
            of caunoi.pipeline (trafilatura extraction and the rest) and store article, raw bytes
            and page state. The pipeline's models are loaded once before the clock starts.
  plain     the peer: httpx.AsyncClient + asyncio.gather with c requests in flight, no robots.txt,
            no pacing, no store; then trafilatura.extract on each page.
  reference the watcher at the highest concurrency with fetch_per_host_interval = 0 (robots.txt
            still read): what politeness costs.

Where the watcher's time goes, measured without touching caunoi's code: a Watcher subclass times
poll, _fetch (a batch's fetching) and _write (a batch's store, in a worker thread); the pipeline
is run_stages as the watcher module calls it (in a worker thread), timed by a wrapper; both
overlap the next batch's fetching; ArticleRepository.write_batch is timed on its own; a Fetcher
subclass times each wait in the per-host pacer (summed over requests, so it can exceed wall time).
The server logs each request's arrival; the gaps between two page requests to one host show that
pacing held (the pacer spaces request starts in the client, so arrivals jitter by a few ms).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import ipaddress
import itertools
import json
import multiprocessing
import re
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from _harness import REPO, SHARED_DATA, VAR, child_rusage, print_table, publish, run_child

NAME = "fetch_throughput"
SHARED_HTML = SHARED_DATA / "article-extraction-benchmark" / "html"
DEMO_HTML = REPO / "demo" / "data" / "article-extraction-benchmark" / "html"
_MARK = re.compile(rb"(</p>|<br\b)", re.IGNORECASE)


# -- the local web, in its own process -------------------------------------------------------------


def page_path(i: int) -> str:
    return f"/news/{i:05d}.html"


def page_html(base: bytes, copy: int) -> bytes:
    """The copy-th copy of a page: the same page, a few characters different in every paragraph."""
    return _MARK.sub(b" r%d\\1" % copy, base) if copy else base


def feed_xml(base_url: str, numbers: list[int]) -> bytes:
    when = format_datetime(datetime.now(UTC))
    items = "".join(
        f"<item><title>Article {i}</title><link>{base_url}{page_path(i)}</link>"
        f"<guid>{base_url}{page_path(i)}</guid><pubDate>{when}</pubDate></item>"
        for i in numbers
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Host {base_url}</title><link>{base_url}/</link><description>bench</description>"
        f"{items}</channel></rss>"
    ).encode()


def serve(data: str, pages: int, hosts: int, conn) -> None:
    """The server process: build the site, report the ports, then answer control messages."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    files = sorted(Path(data).glob("*.html.gz"))
    bases = [gzip.decompress(f.read_bytes()) for f in files]
    bodies = [gzip.compress(page_html(bases[i % len(bases)], i // len(bases)), 6) for i in range(pages)]
    log: list[tuple[int, str, float]] = []  # (host, kind, arrival)
    lock = threading.Lock()

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256  # 32 connections opening at once must not overflow the backlog

    servers = []
    for h in range(hosts):

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            host = h
            routes: ClassVar[dict[str, tuple[bytes, str, bool]]] = {}

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                arrived = time.monotonic()
                route = self.routes.get(self.path)
                kind = "page" if self.path.startswith("/news/") else self.path.strip("/") or "home"
                with lock:
                    log.append((self.host, kind if route else "404", arrived))
                body, ctype, gz = route or (b"not here", "text/plain", False)
                self.send_response(200 if route else 404)
                self.send_header("Content-Type", ctype)
                if gz:
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

        server = Server((f"127.0.0.{h + 1}", 0), Handler)
        base_url = f"http://127.0.0.{h + 1}:{server.server_address[1]}"
        mine = list(range(h, pages, hosts))
        Handler.routes = {
            "/robots.txt": (b"User-agent: *\nAllow: /\n", "text/plain; charset=utf-8", False),
            "/": (b"<html><body><a href='/feed.rss'>feed</a></body></html>", "text/html", False),
            "/feed.rss": (feed_xml(base_url, mine), "application/rss+xml; charset=utf-8", False),
            **{page_path(i): (bodies[i], "text/html", True) for i in mine},
        }
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(base_url)
    conn.send({"hosts": servers, "page_bytes_gzip": sum(map(len, bodies)), "base_pages": len(files)})
    while True:
        message = conn.recv()
        if message == "stop":
            break
        with lock:
            taken = list(log)
            log.clear()
        if message == "stats":
            conn.send(request_stats(taken))


def request_stats(log: list[tuple[int, str, float]]) -> dict[str, Any]:
    """What the server saw: requests by kind, and the shortest gap between two requests to one host."""
    kinds: dict[str, int] = {}
    per_host: dict[int, list[tuple[float, str]]] = {}
    for host, kind, arrived in log:
        kinds[kind] = kinds.get(kind, 0) + 1
        per_host.setdefault(host, []).append((arrived, kind))
    gaps = []
    for seen in per_host.values():
        seen.sort()
        gaps += [(b[0] - a[0], a[1], b[1]) for a, b in itertools.pairwise(seen)]
    gaps.sort()
    page_gaps = [g for g, a, b in gaps if a == b == "page"]
    return {
        "requests": kinds,
        "hosts_seen": len(per_host),
        "min_gap_ms": round(gaps[0][0] * 1000, 1) if gaps else None,
        "min_page_gap_ms": round(min(page_gaps) * 1000, 1) if page_gaps else None,
        "p01_page_gap_ms": round(page_gaps[len(page_gaps) // 100] * 1000, 1) if page_gaps else None,
        "median_page_gap_ms": round(page_gaps[len(page_gaps) // 2] * 1000, 1) if page_gaps else None,
        "smallest_gaps": [(round(g * 1000, 1), a, b) for g, a, b in gaps[:8]],
    }


class LocalWeb:
    """The server process, started and stopped by the parent."""

    def __init__(self, data: Path, pages: int, hosts: int):
        ctx = multiprocessing.get_context("spawn")
        self.conn, theirs = ctx.Pipe()
        self.process = ctx.Process(target=serve, args=(str(data), pages, hosts, theirs), daemon=True)
        self.process.start()
        if not self.conn.poll(120):
            self.process.terminate()
            raise RuntimeError("the local web server did not start")
        self.info = self.conn.recv()
        for base in self.info["hosts"]:  # loopback only, by construction; checked all the same
            assert ipaddress.ip_address(base.split("//")[1].split(":")[0]).is_loopback, base

    def stats(self) -> dict[str, Any]:
        self.conn.send("stats")
        return self.conn.recv()

    def reset(self) -> None:
        self.conn.send("reset")

    def close(self) -> None:
        self.conn.send("stop")
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()


def site_plan(hosts: list[str], pages: int) -> list[str]:
    return [hosts[i % len(hosts)] + page_path(i) for i in range(pages)]


# -- what each child process does ---------------------------------------------------------------


def warm_page(data: Path) -> bytes:
    return gzip.decompress(sorted(data.glob("*.html.gz"))[0].read_bytes())


def child_watcher(
    site: dict, data: Path, folder: Path, concurrency: int, interval: float, workers: int = 0
) -> dict[str, Any]:
    from sqlalchemy import func, select

    from caunoi.config import Settings
    from caunoi.ingest import watch as watch_module
    from caunoi.ingest.sources import make_spec
    from caunoi.ingest.watch import Watcher, fetched_doc, policy_from
    from caunoi.net.http import Fetcher, _HostPacer
    from caunoi.pipeline import StageContext, run_stages
    from caunoi.service import Service
    from caunoi.store.schema import articles, pages

    keys = ("poll", "pending", "fetch", "store_call", "stages", "write_batch")
    timings: dict[str, float] = {f"{k}_s": 0.0 for k in (*keys, "pacer_wait")} | {"batches": 0}
    batch_hosts: list[int] = []  # distinct hosts in each batch fetch_pending claimed

    class TimedPacer(_HostPacer):
        async def wait(self, host: str, interval: float) -> None:
            t = time.perf_counter()
            try:
                await super().wait(host, interval)
            finally:
                timings["pacer_wait_s"] += time.perf_counter() - t

    class TimedFetcher(Fetcher):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pacer = TimedPacer()

    class TimedWatcher(Watcher):
        async def poll(self, source):
            t = time.perf_counter()
            try:
                return await super().poll(source)
            finally:
                timings["poll_s"] += time.perf_counter() - t  # polls run together: summed, not wall

        async def fetch_pending(self, *args, **kwargs):
            t = time.perf_counter()
            try:
                return await super().fetch_pending(*args, **kwargs)
            finally:
                timings["pending_s"] += time.perf_counter() - t

        async def _fetch(self, jobs):
            batch_hosts.append(len({urlsplit(j.url).netloc for j in jobs}))
            t = time.perf_counter()
            try:
                return await super()._fetch(jobs)
            finally:
                timings["fetch_s"] += time.perf_counter() - t
                timings["batches"] += 1

        def _write(self, *args):
            t = time.perf_counter()
            try:
                return super()._write(*args)
            finally:
                timings["store_call_s"] += time.perf_counter() - t

    def timed_stages(docs, ctx):
        t = time.perf_counter()
        try:
            return run_stages(docs, ctx)
        finally:
            timings["stages_s"] += time.perf_counter() - t

    if not workers:  # in a process pool the stages run elsewhere and are not timed here
        watch_module.run_stages = timed_stages  # what Watcher._run_stages calls, in its worker thread

    settings = Settings(
        data_dir=folder,
        fetch_concurrency=concurrency,
        fetch_per_host_interval=interval,
        obey_robots=True,
        workers=workers,
    )
    started = time.perf_counter()
    svc = Service(settings)
    opened = time.perf_counter()
    write_batch = svc.articles.write_batch

    def timed_write(docs, conn=None):
        t = time.perf_counter()
        try:
            return write_batch(docs, conn)
        finally:
            timings["write_batch_s"] += time.perf_counter() - t

    svc.articles.write_batch = timed_write
    for n, base in enumerate(site["hosts"]):
        spec = make_spec(
            {"name": f"host{n + 1}", "home": base + "/", "feeds": [base + "/feed.rss"], "allow_private": True}
        )
        svc.sources.add(spec)
    # Models and tables load on first use; pay that before timing, as a long-running watcher would.
    t = time.perf_counter()
    run_stages(
        [fetched_doc({"url": site["hosts"][0] + "/warm"}, warm_page(data), datetime.now())],
        StageContext(settings),
    )
    warm_s = time.perf_counter() - t

    async def go() -> tuple[dict, float, int, int]:
        fetcher = TimedFetcher(policy_from(settings))
        async with TimedWatcher(settings, svc.articles, svc.crawl, fetcher) as watcher:
            batch = max(1, min(settings.batch_size, 4 * fetcher.policy.concurrency))
            t0 = time.perf_counter()
            out = await watcher.run_once(force=True)
            return out, time.perf_counter() - t0, fetcher.requests, batch

    cpu0 = time.process_time()
    out, wall, requests, batch = asyncio.run(go())
    cpu = time.process_time() - cpu0
    fetched = out["fetched"]
    with svc.engine.connect() as conn:
        n_articles = conn.scalar(select(func.count()).select_from(articles))
        states = dict(conn.execute(select(pages.c.state, func.count()).group_by(pages.c.state)).all())
    store_bytes = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    svc.close()
    fetch_s = timings["fetch_s"]
    store_s = timings["store_call_s"]
    return {
        "pages": site["pages"],
        "concurrency": concurrency,
        "per_host_interval": interval,
        "batch_size": batch,
        "batches": timings["batches"],
        "hosts_per_batch": round(sum(batch_hosts) / max(1, len(batch_hosts)), 2),
        "http_requests": requests,
        "polled": len(out["polled"]),
        "poll_errors": sum(len(p["errors"]) for p in out["polled"]),
        "queued": sum(p["new"] for p in out["polled"]),
        "fetched": fetched["fetched"],
        "added": fetched["added"],
        "duplicates": fetched["duplicates"],
        "skipped": len(fetched["skipped"]),
        "failed": len(fetched["failed"]),
        "failures": fetched["failed"][:5],
        "articles_in_store": n_articles,
        "page_states": states,
        "open_migrate_s": round(opened - started, 3),
        "warm_s": round(warm_s, 3),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "poll_wall_s": round(wall - timings["pending_s"], 3),  # due_sources and the polls, together
        "poll_summed_s": round(timings["poll_s"], 3),
        "fetch_s": round(fetch_s, 3),
        "pacer_wait_summed_s": round(timings["pacer_wait_s"], 3),
        "stages_s": round(timings["stages_s"], 3),
        "store_s": round(store_s, 3),
        # fetch_pending outside fetching: claims, and waiting for the last batch's store to finish
        "claims_s": round(timings["pending_s"] - timings["fetch_s"], 3),
        "write_batch_s": round(timings["write_batch_s"], 3),
        "store_mib": round(store_bytes / 2**20, 1),
        **child_rusage(),
    }


def child_plain(site: dict, data: Path, concurrency: int) -> dict[str, Any]:
    import httpx
    import trafilatura

    trafilatura.extract(warm_page(data))  # first-use loading, as for the watcher
    urls = site["urls"]

    async def fetch_all() -> list[bytes]:
        slots = asyncio.Semaphore(concurrency)
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(limits=limits, trust_env=False, timeout=60) as client:

            async def one(url: str) -> bytes:
                async with slots:
                    response = await client.get(url)
                    response.raise_for_status()
                    return response.content

            return list(await asyncio.gather(*(one(u) for u in urls)))

    cpu0 = time.process_time()
    t0 = time.perf_counter()
    bodies = asyncio.run(fetch_all())
    fetched = time.perf_counter()
    fetch_cpu = time.process_time() - cpu0
    texts = [trafilatura.extract(body, url=url) for url, body in zip(urls, bodies, strict=True)]
    done = time.perf_counter()
    return {
        "pages": len(urls),
        "concurrency": concurrency,
        "fetched": len(bodies),
        "with_text": sum(1 for t in texts if t and t.strip()),
        "wall_s": round(done - t0, 3),
        "cpu_s": round(time.process_time() - cpu0, 3),
        "fetch_s": round(fetched - t0, 3),
        "fetch_cpu_s": round(fetch_cpu, 3),
        "extract_s": round(done - fetched, 3),
        **child_rusage(),
    }


# -- the parent ---------------------------------------------------------------------------------


def check_watcher(r: dict[str, Any]) -> list[str]:
    """What must hold for the figures to mean anything; empty when all does."""
    problems = []
    if r["poll_errors"] or r["polled"] != r["hosts"]:
        problems.append(f"{r['poll_errors']} poll errors, {r['polled']} of {r['hosts']} sources polled")
    if r["queued"] != r["pages"] or r["fetched"] != r["pages"]:
        problems.append(f"{r['queued']} queued and {r['fetched']} fetched of {r['pages']} pages")
    if r["failed"]:
        problems.append(f"{r['failed']} fetches failed, e.g. {r['failures']}")
    with_text = r["fetched"] - r["skipped"]
    if r["articles_in_store"] != with_text or r["added"] != with_text or r["duplicates"]:
        problems.append(
            f"{r['articles_in_store']} articles stored, {r['added']} added, {r['duplicates']} duplicates,"
            f" for {with_text} pages with text"
        )
    if r["page_states"].get("pending") or r["page_states"].get("failed"):
        problems.append(f"page states {r['page_states']}")
    return problems


def measure_watcher(
    site_file: Path, data: Path, web: LocalWeb, c: int, interval: float, workers: int = 0
) -> dict[str, Any]:
    VAR.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="fetch-", dir=VAR))
    try:
        web.reset()
        args = ["--child", "watcher", "--site", str(site_file), "--data", str(data), "--folder", str(folder)]
        result = run_child(
            [__file__, *args, "--c", str(c), "--interval", str(interval), "--workers", str(workers)]
        )
        result["server"] = web.stats()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result["hosts"] = len(json.loads(site_file.read_text())["hosts"])
    problems = check_watcher(result)
    if problems:
        raise SystemExit(f"watcher at concurrency {c}, interval {interval}: " + "; ".join(problems))
    result["pages_per_s"] = round(result["pages"] / result["wall_s"], 1)
    result["with_text"] = result["fetched"] - result["skipped"]
    return result


def measure_plain(site_file: Path, data: Path, web: LocalWeb, c: int) -> dict[str, Any]:
    web.reset()
    result = run_child(
        [__file__, "--child", "plain", "--site", str(site_file), "--data", str(data), "--c", str(c)]
    )
    result["server"] = web.stats()
    result["pages_per_s"] = round(result["pages"] / result["wall_s"], 1)
    return result


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2])
    out["runs_wall_s"] = [r["wall_s"] for r in runs]
    out["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
    return out


def measure(args: argparse.Namespace, data: Path) -> dict[str, Any]:
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    web = LocalWeb(data, args.pages, args.hosts)
    folder = Path(tempfile.mkdtemp(prefix="fetch-site-"))
    try:
        hosts = web.info["hosts"]
        site = {"hosts": hosts, "pages": args.pages, "urls": site_plan(hosts, args.pages)}
        site_file = folder / "site.json"
        site_file.write_text(json.dumps(site))
        result: dict[str, Any] = {
            "command": " ".join([".venv/bin/python", "benchmarks/fetch_throughput.py", *sys.argv[1:]]),
            "data": str(data),
            "base_pages": web.info["base_pages"],
            "pages": args.pages,
            "hosts": hosts,
            "page_mib_gzip": round(web.info["page_bytes_gzip"] / 2**20, 1),
            "per_host_interval": args.interval,
            "politeness_ceiling_pages_per_s": round(len(hosts) / args.interval, 1) if args.interval else None,
            "repeat": args.repeat,
            "concurrency": {},
        }
        for c in concurrencies:
            watcher_runs, plain_runs = [], []
            for n in range(args.repeat):
                print(f"concurrency {c}: watcher run {n + 1}/{args.repeat}", file=sys.stderr)
                watcher_runs.append(measure_watcher(site_file, data, web, c, args.interval))
                print(f"concurrency {c}: plain loop run {n + 1}/{args.repeat}", file=sys.stderr)
                plain_runs.append(measure_plain(site_file, data, web, c))
            watcher, plain = median_run(watcher_runs), median_run(plain_runs)
            watcher["vs_plain_throughput"] = round(plain["wall_s"] / watcher["wall_s"], 3)
            result["concurrency"][str(c)] = {"watcher": watcher, "plain": plain}
        if args.interval and not args.no_reference:
            c = max(concurrencies)
            print(f"reference: watcher at concurrency {c}, per-host interval 0", file=sys.stderr)
            ref = measure_watcher(site_file, data, web, c, 0.0)
            ref["vs_plain_throughput"] = round(
                result["concurrency"][str(c)]["plain"]["wall_s"] / ref["wall_s"], 3
            )
            result["reference_no_pacing"] = ref
        if not args.no_reference:
            c = max(concurrencies)
            print(f"reference: watcher at concurrency {c}, stages in 2 processes", file=sys.stderr)
            ref = measure_watcher(site_file, data, web, c, args.interval, workers=2)
            ref["vs_plain_throughput"] = round(
                result["concurrency"][str(c)]["plain"]["wall_s"] / ref["wall_s"], 3
            )
            result["reference_workers_2"] = ref
        return result
    finally:
        web.close()
        shutil.rmtree(folder, ignore_errors=True)


def print_report(r: dict[str, Any]) -> None:
    print(
        f"{r['pages']} pages ({r['base_pages']} real pages replicated, {r['page_mib_gzip']} MiB gzipped) on"
        f" {len(r['hosts'])} loopback hosts {r['hosts'][0]} … {r['hosts'][-1]}"
    )
    ceiling = r["politeness_ceiling_pages_per_s"]
    print(
        f"per-host interval {r['per_host_interval']} s (ceiling {ceiling} pages/s over all hosts),"
        f" robots.txt obeyed; runs per variant: {r['repeat']} (median by wall time shown)\n"
    )
    rows = []
    variants = [(c, v["watcher"], v["plain"]) for c, v in r["concurrency"].items()]
    if "reference_no_pacing" in r:
        ref = r["reference_no_pacing"]
        variants.append((f"{ref['concurrency']}, interval 0", ref, None))
    if "reference_workers_2" in r:
        ref = r["reference_workers_2"]
        variants.append((f"{ref['concurrency']}, stages in 2 processes", ref, None))
    for c, w, p in variants:
        rows.append(
            [
                c,
                f"{w['pages_per_s']:.1f}",
                f"{w['wall_s']:.1f}",
                f"{p['pages_per_s']:.1f}" if p else "",
                f"{w['vs_plain_throughput']:.2f}",
                f"{w['peak_rss_mib']:.0f}",
                f"{p['peak_rss_mib']:.0f}" if p else "",
                f"{w['with_text']}/{w['pages']}",
                f"{w['server']['min_page_gap_ms']} / {w['server']['p01_page_gap_ms']}",
            ]
        )
    print_table(
        [
            "concurrency",
            "watcher pages/s",
            "wall s",
            "plain pages/s",
            "watcher vs plain",
            "watcher peak RSS MiB",
            "plain peak RSS MiB",
            "articles",
            "page gap per host, min / 1st pct, ms",
        ],
        rows,
    )
    print(
        "\nwhere the watcher's wall time goes (seconds, share of wall; fetching overlaps the pipeline"
        " and store, which run in a worker thread, so shares add up to more than 100 %)\n"
    )
    rows = []
    for c, w, _ in variants:
        wall = w["wall_s"]

        def part(key: str, w=w, wall=wall) -> str:
            return f"{w[key]:.1f} ({w[key] / wall:.0%})"

        rows.append(
            [
                c,
                w["batch_size"],
                part("poll_wall_s"),
                part("fetch_s"),
                f"{w['pacer_wait_summed_s']:.0f}",
                part("stages_s"),
                part("store_s"),
                f"{w['write_batch_s']:.1f}",
                part("claims_s"),
                f"{w['cpu_s'] / wall:.0%}",
            ]
        )
    print_table(
        [
            "concurrency",
            "batch",
            "poll feeds",
            "fetch pages",
            "pacer wait (summed) s",
            "pipeline",
            "store",
            "of which write_batch",
            "rest of fetch_pending",
            "CPU / wall",
        ],
        rows,
    )
    print("\nthe plain loop (fetch all, then extract all)\n")
    rows = [
        [c, f"{p['fetch_s']:.2f}", f"{p['extract_s']:.1f}", f"{p['with_text']}/{p['pages']}"]
        for c, _, p in variants
        if p
    ]
    print_table(["concurrency", "fetch s", "trafilatura.extract s", "with text"], rows)
    print(f"\nreproduce: {r['command']}")


def default_data() -> Path:
    return SHARED_HTML if SHARED_HTML.exists() else DEMO_HTML


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=600, help="pages served (the real ones replicated)")
    parser.add_argument("--hosts", type=int, default=16, help="loopback hosts 127.0.0.1 … 127.0.0.H")
    parser.add_argument("--concurrency", default="1,8,32", help="comma-separated fetch_concurrency values")
    parser.add_argument("--interval", type=float, default=0.05, help="fetch_per_host_interval, seconds")
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant; the median is reported")
    parser.add_argument("--no-reference", action="store_true", help="skip the run without pacing")
    parser.add_argument("--data", type=Path, default=None, help="folder of .html.gz pages")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--site", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--c", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = (args.data or default_data()).resolve()
    if args.child:
        site = json.loads(args.site.read_text())
        if args.child == "watcher":
            out = child_watcher(site, data, args.folder, args.c, args.interval, args.workers)
        else:
            out = child_plain(site, data, args.c)
        print(json.dumps(out, ensure_ascii=False))
        return 0
    if not 1 <= args.hosts <= 254:
        sys.exit("--hosts must be between 1 and 254 (addresses 127.0.0.1 … 127.0.0.254)")
    if not any(data.glob("*.html.gz")):
        sys.exit(f"no .html.gz pages in {data}: put the shared corpora under {SHARED_DATA} or pass --data")
    result = measure(args, data)
    publish(NAME, result, as_json=args.json, report=print_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
