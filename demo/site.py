"""A news site on 127.0.0.1 for the demo: the 60 real article pages of demo/data served as a small
outlet with an RSS feed, a news sitemap and robots.txt, so `caunoi watch` can be shown offline.

    python demo/site.py                 # serve until Ctrl-C, printing the URL
    python demo/site.py --watch         # serve, register it as a source, run one watch round, stop

With --watch it runs `caunoi sources add` and `caunoi watch --once --now` against the store in
CAUNOI_DATA, exactly as a user would against a real outlet.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGES = HERE / "data" / "article-extraction-benchmark" / "html"
TRUTH = HERE / "data" / "article-extraction-benchmark" / "ground-truth.json"
PORT = 8377  # a fixed port keeps the pages' URLs the same between runs; any free one if taken


def build_site() -> dict[str, tuple[str, bytes]]:
    """path -> (content type, body)."""
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    files = sorted(PAGES.glob("*.html.gz"))
    site: dict[str, tuple[str, bytes]] = {
        "/robots.txt": ("text/plain", b"User-agent: *\nDisallow: /private/\n"),
        "/": ("text/html; charset=utf-8", b"<html><body><h1>Demo outlet</h1></body></html>"),
    }
    now = datetime.now().replace(microsecond=0)
    feed_items, sitemap_urls = [], []
    for i, path in enumerate(files):
        name = path.name.removesuffix(".html.gz")
        url_path = f"/articles/{name[:16]}.html"
        site[url_path] = ("text/html; charset=utf-8", gzip.decompress(path.read_bytes()))
        title = escape((truth.get(name) or {}).get("headline") or f"Article {i + 1}")
        when = now - timedelta(minutes=7 * i)
        if i % 2 == 0:  # half announced by the feed, half by the sitemap, as outlets do
            feed_items.append(
                f"<item><title>{title}</title><link>{{base}}{url_path}?utm_source=rss</link>"
                f"<pubDate>{when:%a, %d %b %Y %H:%M:%S} +0700</pubDate></item>"
            )
        else:
            sitemap_urls.append(
                f"<url><loc>{{base}}{url_path}</loc><news:news><news:publication_date>"
                f"{when:%Y-%m-%dT%H:%M:%S}+07:00</news:publication_date><news:title>{title}</news:title>"
                "</news:news></url>"
            )
    site["/rss.xml"] = (
        "application/rss+xml; charset=utf-8",
        (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Demo outlet</title>'
            f"<link>{{base}}/</link>{''.join(feed_items)}</channel></rss>"
        ).encode(),
    )
    site["/sitemap-news.xml"] = (
        "application/xml",
        (
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f"{''.join(sitemap_urls)}</urlset>"
        ).encode(),
    )
    return site


def serve(site: dict[str, tuple[str, bytes]]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            found = site.get(self.path.split("?", 1)[0])
            if found is None:
                self.send_error(404)
                return
            kind, body = found
            body = body.replace(b"{base}", base.encode())
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    try:
        server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    except OSError:
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base


def caunoi(*args: str) -> None:
    print("$ caunoi " + " ".join(args), flush=True)
    subprocess.run([sys.executable, "-m", "caunoi", *args], check=True, env=os.environ)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--watch", action="store_true", help="register the site and run one watch round")
    args = parser.parse_args()
    server, base = serve(build_site())
    print(f"demo outlet at {base}/ (feed {base}/rss.xml, sitemap {base}/sitemap-news.xml)", flush=True)
    if not args.watch:
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        return
    try:
        caunoi(
            "sources", "add", "Demo outlet", "--home", f"{base}/", "--feed", f"{base}/rss.xml",
            "--sitemap", f"{base}/sitemap-news.xml", "--media-type", "online", "--poll-minutes", "15",
            "--allow-private",  # it lives on 127.0.0.1; real outlets never need this
        )  # fmt: skip
        # no country, origin or language: its pages are real articles of many outlets, in several
        # languages (the Zyte benchmark's), so its origin is honestly "unknown"
        caunoi("watch", "--once", "--now")
        caunoi("sources", "status")
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
