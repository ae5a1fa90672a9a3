"""The watcher for an hour against a misbehaving local web: does its memory, file descriptors or
thread count grow, do good articles keep arriving, do bad pages fail cleanly?

Run: .venv/bin/python benchmarks/watch_soak.py [--minutes 60] [--sample 5] [--fetch-deadline S]
                                                [--keep DIR] [--out NAME] [--json]

The web is local: one tests/support/localweb.py server per outlet, each on its own loopback address
(127.0.0.1 … 127.0.0.9), so per-host pacing applies per outlet as on the real web. Article pages
are the real pages of demo/site.py (demo/data/article-extraction-benchmark), each copy a few
characters different in every paragraph (fetch_throughput.page_html) so each is a new article.

  Mixed outlet   (.1) a feed that, on every poll, lists 3 new good articles and one new page of
                 each bad kind: slow drip (a byte every 0.5 s), 503, connection reset (TCP RST),
                 an endless fast body (no Content-Length, never ends), an endless slow body (a
                 64 KiB chunk a second, never ends), a redirect loop, a huge but real page (~4 MiB
                 of HTML), and a Vietnamese page in Windows-1258 that its header calls UTF-8
  Sitemap outlet (.2) a news sitemap listing 3 new good articles on every poll
  Flaky outlet   (.3) a feed answering 500 to every other request (the fetcher's retry gets the next)
  five dead feeds (.4–.8): 503, reset, a redirect loop, an endless body, a slow drip
  Garbled outlet (.9) an RSS feed whose XML says UTF-8 but is Windows-1258, linking good articles

Every source polls every minute (poll_minutes = 1, the least a source may ask), robots.txt obeyed,
every other setting the operator's default (fetch deadline 60 s, 10 MiB body limit, 3 retries).
`caunoi watch --json` runs as an operator runs it, a subprocess with a fresh SQLite store in
CAUNOI_DATA, until SIGTERM at the end. Every --sample seconds its RSS, open file descriptors and
threads are read from /proc. The report sets the first 10 minutes against the last 10 (a third of
the run each when shorter), counts rounds, articles stored per window, and the errors the store
recorded, per kind, for pages and for feeds.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from _harness import REPO, VAR, print_table, publish
from fetch_throughput import page_html

sys.path[:0] = [str(REPO), str(REPO / "tests")]
from support.localweb import LocalWeb, Route  # noqa: E402

from caunoi.text.encoding import encode_legacy  # noqa: E402
from demo.site import build_site  # noqa: E402

NAME = "watch_soak"
VI_DOCS = REPO / "demo" / "data" / "vi-news-unc" / "docs"
NEW_PER_POLL = 3
KEPT_POLLS = 5  # a feed lists the items of its last this many polls, as a real feed repeats itself
BAD_KINDS = ("drip", "5xx", "reset", "endless", "endless-slow", "loop", "huge", "charset")
DEAD_FEEDS = {
    "Down outlet": Route(status=503, body=b"busy"),
    "Reset outlet": Route(reset=True),
    "Loop outlet": Route(status=302, headers={"Location": "/rss.xml"}),
    "Endless outlet": Route(stream_bytes=-1, content_type="application/rss+xml"),
    "Slow outlet": Route(body=b"<?xml version='1.0'?><rss><channel>" + b" " * 4000, drip=0.5),
}


class Site:
    """The pages every outlet serves: /a/<n>.html is good article n; feeds hand out new numbers."""

    def __init__(self) -> None:
        self.pages = [
            body for path, (_, body) in sorted(build_site().items()) if path.startswith("/articles/")
        ]
        self.vi_docs = sorted(VI_DOCS.glob("*.txt"))
        self.numbers = itertools.count(1)
        self.lock = threading.Lock()
        self.polls: Counter[str] = Counter()

    def new_numbers(self, n: int) -> list[int]:
        with self.lock:
            return [next(self.numbers) for _ in range(n)]

    def article(self, req) -> Route:
        n = int(re.search(r"/a/(\d+)\.html", req.path).group(1))
        return Route(body=page_html(self.pages[n % len(self.pages)], n))

    def bad(self, req) -> Route:
        kind, n = re.search(r"/bad/([a-z0-9-]+)-(\d+)\.html", req.path).groups()
        n = int(n)
        page = self.pages[n % len(self.pages)]
        if kind == "drip":
            return Route(body=page, drip=0.5)
        if kind == "5xx":
            return Route(status=503, body=b"overloaded", content_type="text/plain")
        if kind == "reset":
            return Route(reset=True)
        if kind == "endless":
            return Route(stream_bytes=-1)
        if kind == "endless-slow":
            return Route(stream_bytes=-1, stream_pause=1.0)
        if kind == "loop":
            return Route(status=302, headers={"Location": f"/bad/loop-{n}.html?again"})
        if kind == "huge":  # a real article under 4 MiB of reader comments
            comments = (
                b"<div class='comments'>" + b"<p>Ban doc binh luan: dong y.</p>\n" * 120_000 + b"</div>"
            )
            return Route(body=page_html(page, n).replace(b"</body>", comments + b"</body>"))
        return Route(body=self.vi_page(n))  # charset: Windows-1258 bytes, the header says UTF-8

    def vi_page(self, n: int) -> bytes:
        lines = [ln for ln in self.vi_docs[n % len(self.vi_docs)].read_text(encoding="utf-8").splitlines()]
        text = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
        html = (
            f"<html><head><title>{text[0]}</title></head><body><article><h1>{text[0]}</h1>"
            + "".join(f"<p>{p} (bản {n})</p>" for p in text[1:])
            + "</article></body></html>"
        )
        return encode_legacy(html, "cp1258")


def rss(base: str, links: list[tuple[str, str]]) -> bytes:
    when = format_datetime(datetime.now(UTC))
    items = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><pubDate>{when}</pubDate></item>"
        for title, path in links
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{base}</title>'
        f"<link>{base}/</link>{items}</channel></rss>"
    ).encode()


def news_sitemap(base: str, paths: list[str]) -> bytes:
    when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    urls = "".join(
        f"<url><loc>{base}{p}</loc><news:news><news:publication_date>{when}</news:publication_date>"
        f"<news:title>Tin {p}</news:title></news:news></url>"
        for p in paths
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    ).encode()


class Listing:
    """A feed or sitemap that grows by NEW_PER_POLL good articles (and the bad pages) on each poll."""

    def __init__(
        self,
        site: Site,
        name: str,
        web: LocalWeb,
        *,
        bad: bool = False,
        flaky: bool = False,
        sitemap: bool = False,
        garbled: bool = False,
    ) -> None:
        self.site, self.name, self.web = site, name, web
        self.bad, self.flaky, self.sitemap, self.garbled = bad, flaky, sitemap, garbled
        self.history: list[list[tuple[str, str]]] = []

    def __call__(self, req) -> Route:
        self.site.polls[self.name] += 1
        if self.flaky and self.site.polls[self.name] % 2 == 0:
            return Route(status=500, body=b"oops", content_type="text/plain")
        numbers = self.site.new_numbers(NEW_PER_POLL)
        links = [(f"Tin {n}", f"/a/{n}.html") for n in numbers]
        if self.bad:
            links += [(f"Bad {kind}", f"/bad/{kind}-{numbers[0]}.html") for kind in BAD_KINDS]
        self.history = [*self.history, links][-KEPT_POLLS:]
        shown = [link for poll in reversed(self.history) for link in poll]
        if self.sitemap:
            return Route(
                body=news_sitemap(self.web.base, [p for _, p in shown]), content_type="application/xml"
            )
        body = rss(self.web.base, shown)
        if self.garbled:
            body = encode_legacy(body.decode().replace("Tin ", "Tin tức thời sự "), "cp1258")
        return Route(body=body, content_type="application/rss+xml")


def start_web(site: Site) -> tuple[list[LocalWeb], list[dict[str, Any]]]:
    """The outlets, each on its own loopback address, and the sources that watch them."""
    webs: list[LocalWeb] = []
    sources: list[dict[str, Any]] = []

    def outlet(name: str, listing: dict[str, Any] | Route, kind: str = "feeds") -> LocalWeb:
        web = LocalWeb(f"127.0.0.{len(webs) + 1}").__enter__()
        webs.append(web)
        web.add("/robots.txt", body=b"User-agent: *\nAllow: /\n", content_type="text/plain")
        web.add("/a/", handler=site.article)
        web.add("/bad/", handler=site.bad)
        path = "/sitemap-news.xml" if kind == "sitemaps" else "/rss.xml"
        web.add(
            path,
            listing if isinstance(listing, Route) else Route(handler=Listing(site, name, web, **listing)),
        )
        sources.append(
            {
                "name": name,
                "home": web.url("/"),
                kind: [web.url(path)],
                "poll_minutes": 1,
                "allow_private": True,
                "media_type": "online",
            }
        )
        return web

    outlet("Mixed outlet", {"bad": True})
    outlet("Sitemap outlet", {"sitemap": True}, "sitemaps")
    outlet("Flaky outlet", {"flaky": True})
    for name, route in DEAD_FEEDS.items():
        outlet(name, route)
    outlet("Garbled outlet", {"garbled": True})
    for web in webs:  # pages by prefix: LocalWeb matches whole paths, so route them by their start
        routes = web.routes
        web.routes = _Prefixed(routes)
    return webs, sources


class _Prefixed(dict):
    """LocalWeb's route table, where "/a/" and "/bad/" answer every path under them."""

    def get(self, path, default=None):
        plain = path.split("?", 1)[0]
        for prefix in ("/a/", "/bad/"):
            if plain.startswith(prefix):
                return super().get(prefix, default)
        return super().get(plain, default)


def read_rounds(stream, rounds: list[dict[str, Any]], started: float) -> None:
    """`caunoi watch --json` prints one indented JSON object per round; collect them, timed."""
    buf: list[str] = []
    for line in stream:
        buf.append(line)
        if line.rstrip() == "}":
            try:
                report = json.loads("".join(buf))
            except json.JSONDecodeError:
                continue
            buf = []
            report["t"] = time.monotonic() - started
            rounds.append(report)


def sample(pid: int) -> dict[str, float] | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {
        "rss_mib": int(fields["VmRSS"].split()[0]) / 1024,
        "threads": int(fields["Threads"]),
        "fds": fds,
    }


ERROR_KINDS = [
    ("HTTP 5xx", r"HTTP 5\d\d"),
    ("redirect loop", r"redirect loop|too many redirects"),
    ("body too large", r"too large"),
    ("deadline (slow or endless)", r"no complete answer|deadline|timed? ?out"),
    ("connection reset", r"reset|connection broken|closed|disconnect|RemoteProtocolError"),
    ("not a feed", r"not a feed|not an? (RSS|XML)|parse"),
    ("internal error", r"internal error"),
]


def error_kind(error: str) -> str:
    for kind, pattern in ERROR_KINDS:
        if re.search(pattern, error, re.IGNORECASE):
            return kind
    return "other: " + error[:60]


def store_figures(data: Path) -> dict[str, Any]:
    import sqlite3

    with sqlite3.connect(data / "caunoi.db") as db:
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        page_rows = db.execute("SELECT url, state, error FROM pages").fetchall()
        listing_rows = db.execute(
            "SELECT s.name, l.last_error, l.failures FROM listings l JOIN sources s ON s.id = l.source_id"
        ).fetchall()
        vi = db.execute(
            "SELECT count(*) FROM articles WHERE title LIKE '%ệ%' OR title LIKE '%ạ%'"
        ).fetchone()[0]
    by_kind: dict[str, Counter[str]] = {}
    for url, state, error in page_rows:
        match = re.search(r"/bad/([a-z0-9-]+?)-\d+\.html", url)
        kind = match.group(1) if match else "good"
        outcome = state if not error or state in ("done",) else f"{state}: {error_kind(error)}"
        by_kind.setdefault(kind, Counter())[outcome] += 1
    return {
        "articles": articles,
        "vietnamese_titles": vi,
        "pages": {k: dict(v) for k, v in sorted(by_kind.items())},
        "feeds": {
            name: {"last_error": error_kind(err) if err else None, "failures": failures}
            for name, err, failures in listing_rows
        },
    }


def window_figures(samples: list[dict[str, float]], seconds: float, window: float) -> dict[str, Any]:
    first = [s for s in samples if s["t"] < window]
    last = [s for s in samples if s["t"] >= seconds - window]
    out: dict[str, Any] = {"window_s": round(window)}
    for key in ("rss_mib", "fds", "threads"):
        a, b = [s[key] for s in first], [s[key] for s in last]
        out[key] = {
            "first_mean": round(statistics.fmean(a), 1),
            "first_max": round(max(a), 1),
            "last_mean": round(statistics.fmean(b), 1),
            "last_max": round(max(b), 1),
            "growth": round(statistics.fmean(b) - statistics.fmean(a), 1),
            "growth_pct": round(100 * (statistics.fmean(b) / statistics.fmean(a) - 1), 1),
        }
    half = [s for s in samples if s["t"] >= seconds / 2]
    if len(half) > 2:  # a least-squares slope over the second half, MiB per hour
        slope = statistics.linear_regression([s["t"] for s in half], [s["rss_mib"] for s in half]).slope
        out["rss_slope_second_half_mib_per_hour"] = round(slope * 3600, 1)
    return out


def run_soak(args: argparse.Namespace) -> dict[str, Any]:
    load_at_start = os.getloadavg()
    site = Site()
    webs, sources = start_web(site)
    data = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="soak-", dir=VAR))
    data.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CAUNOI_DATA": str(data), "PYTHONPATH": str(REPO)}
    env.pop("CAUNOI_DATABASE_URL", None)
    if args.fetch_deadline:
        env["CAUNOI_FETCH_DEADLINE"] = str(args.fetch_deadline)
        env["CAUNOI_FETCH_TIMEOUT"] = str(min(20.0, args.fetch_deadline))
    caunoi = [sys.executable, "-m", "caunoi"]
    try:
        yaml_path = data / "sources.yaml"
        import yaml

        yaml_path.write_text(yaml.safe_dump(sources, allow_unicode=True))
        subprocess.run(
            [*caunoi, "sources", "import", str(yaml_path)], env=env, check=True, capture_output=True
        )
        seconds = args.minutes * 60
        started = time.monotonic()
        proc = subprocess.Popen(
            [*caunoi, "watch", "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        rounds: list[dict[str, Any]] = []
        reader = threading.Thread(target=read_rounds, args=(proc.stdout, rounds, started), daemon=True)
        reader.start()
        stderr: list[str] = []
        err_reader = threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True)
        err_reader.start()
        samples = []
        while (elapsed := time.monotonic() - started) < seconds and proc.poll() is None:
            if (found := sample(proc.pid)) is not None:
                samples.append({"t": round(elapsed, 1), **found})
            time.sleep(min(args.sample, max(0.0, seconds - elapsed)))
        alive = proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        stopped_s = time.monotonic() - started - seconds
        reader.join(5)
        err_reader.join(5)
    finally:
        for web in webs:
            web.__exit__()
    window = min(600.0, seconds / 3)
    per_window = [
        sum(r["fetched"]["added"] for r in rounds if lo <= r["t"] < lo + window)
        for lo in (0, seconds - window)
    ]
    buckets = Counter(int(r["t"] // window) for r in rounds for _ in range(r["fetched"]["added"]))
    failures: Counter[str] = Counter()
    for r in rounds:
        for item in r["fetched"]["failed"]:
            failures[error_kind(item["error"])] += 1
        for poll in r["polled"]:
            for error in poll["errors"]:  # "<url>: <error>"
                failures["feed: " + error_kind(error.split(": ", 1)[-1])] += 1
    stderr_text = "".join(stderr)
    result = {
        "minutes": args.minutes,
        "sample_s": args.sample,
        "fetch_deadline_s": args.fetch_deadline or 60.0,
        "sources": len(sources),
        "alive_at_end": alive,
        "exit_code": code,
        "stop_s": round(stopped_s, 1),
        "rounds": len(rounds),
        "round_errors": [r["error"] for r in rounds if r.get("error")][:10],
        "feed_polls_served": dict(site.polls),
        "added": sum(r["fetched"]["added"] for r in rounds),
        "added_first_window": per_window[0],
        "added_last_window": per_window[1],
        "added_per_window": [buckets.get(i, 0) for i in range(int(seconds // window) + 1)],
        "round_times_s": [round(r["t"]) for r in rounds],
        "failures_seen": dict(failures.most_common()),
        "tracebacks_in_stderr": stderr_text.count("Traceback"),
        "stderr_tail": stderr_text[-2000:],
        "memory": window_figures(samples, seconds, window) if samples else None,
        "samples": samples,
        "store": store_figures(data),
        "load_at_start": [round(x, 2) for x in load_at_start],
        "load_at_end": [round(x, 2) for x in os.getloadavg()],
        "command": f"nice -n 5 .venv/bin/python benchmarks/watch_soak.py --minutes {args.minutes:g}"
        + (f" --fetch-deadline {args.fetch_deadline:g}" if args.fetch_deadline else "")
        + (f" --out {args.out}" if getattr(args, "out", NAME) != NAME else ""),
    }
    if not args.keep:
        shutil.rmtree(data, ignore_errors=True)
    return result


def print_report(r: dict[str, Any]) -> None:
    m = r["memory"]
    print(f"caunoi watch for {r['minutes']:g} min against {r['sources']} misbehaving and good local outlets")
    print(
        f"rounds {r['rounds']}, articles stored {r['added']} (per {r['memory']['window_s'] / 60:g} "
        f"minutes: {r['added_per_window']}), exit code {r['exit_code']} after SIGTERM "
        f"({r['stop_s']} s to stop), tracebacks {r['tracebacks_in_stderr']}"
    )
    print()
    rows = []
    for key, label in (("rss_mib", "RSS (MiB)"), ("fds", "open file descriptors"), ("threads", "threads")):
        f = m[key]
        rows.append(
            [
                label,
                f["first_mean"],
                f["first_max"],
                f["last_mean"],
                f["last_max"],
                f["growth"],
                f"{f['growth_pct']}%",
            ]
        )
    print(f"first and last {m['window_s'] / 60:g} minutes:")
    print_table(["", "first: mean", "first: max", "last: mean", "last: max", "growth", "growth %"], rows)
    if "rss_slope_second_half_mib_per_hour" in m:
        print(f"RSS slope over the second half: {m['rss_slope_second_half_mib_per_hour']} MiB/hour")
    print("\nfailures in the rounds' reports (each try counted):")
    print_table(["kind", "count"], [[k, v] for k, v in r["failures_seen"].items()])
    print("\npages in the store, by kind and outcome:")
    print_table(
        ["page", "outcomes"],
        [[k, ", ".join(f"{o} {n}" for o, n in v.items())] for k, v in r["store"]["pages"].items()],
    )
    print("\nfeeds in the store:")
    print_table(
        ["source", "last error", "failures in a row"],
        [[k, v["last_error"] or "-", v["failures"]] for k, v in r["store"]["feeds"].items()],
    )
    print(f"\nfeed polls the outlets served: {r['feed_polls_served']}")
    if r["round_errors"]:
        print(f"round errors: {r['round_errors']}")
    print(f"\nreproduce: {r['command']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="how long the watcher runs")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between two samples of /proc")
    parser.add_argument(
        "--fetch-deadline",
        type=float,
        default=None,
        help="CAUNOI_FETCH_DEADLINE for the watcher (default: the operator's, 60 s)",
    )
    parser.add_argument("--keep", help="keep the store in this folder (default: a temporary one, removed)")
    parser.add_argument(
        "--out", default=NAME, help="the result's name in benchmarks/results/ (default: %(default)s)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    VAR.mkdir(parents=True, exist_ok=True)
    result = run_soak(args)
    publish(args.out, result, as_json=args.json, report=print_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
