"""Page weight of the web UI's main pages: the HTML and every asset it loads (CSS, JS, fonts,
Plotly), as bytes served and on the wire (gzip, as the app sends text), first visit (nothing
cached). The peer is the login page, measured in the same run: what every page pays (the CSS and
the fonts); each page's weight is also given as a multiple of it.

The store: the demo store `make demo` builds (var/demo), or --data DIR; an analyst logs in
through the form. Assets are found in the HTML (src, href of stylesheets and icons) and in the
CSS (url(...)), each counted once per page.

Run: .venv/bin/python benchmarks/page_weight.py [--json] [--data var/demo]
"""

from __future__ import annotations

import argparse
import contextlib
import posixpath
import re
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _harness import machine, print_table, publish  # noqa: E402

USER, PASSWORD = "weigher", "page-weight-bench-2026"
_ASSET = re.compile(r"""(?:src|href)=["'](/[^"']+)["']""")
_CSS_URL = re.compile(r"""url\(["']?([^"')]+)["']?\)""")


def weigh(client: Any, path: str) -> dict[str, Any]:
    """One page and its assets: bytes as served (decoded) and on the wire (gzip where the app uses it)."""
    page = client.get(path)
    sizes: dict[str, tuple[int, int]] = {}
    todo = sorted(set(_ASSET.findall(page.text)) - {path})
    while todo:
        url = todo.pop()
        if url in sizes or not url.startswith("/static/"):
            continue
        body = client.get(url)
        sizes[url] = (len(body.content), body.num_bytes_downloaded)
        if url.endswith(".css"):
            base = url.rsplit("/", 1)[0]
            todo += [u if u.startswith("/") else f"{base}/{u}" for u in _CSS_URL.findall(body.text)]
            todo = [posixpath.normpath(u) for u in todo]
    return {
        "status": page.status_code,
        "html_bytes": len(page.content),
        "assets": len(sizes),
        "asset_bytes": sum(a for a, _ in sizes.values()),
        "total_bytes": len(page.content) + sum(a for a, _ in sizes.values()),
        "wire_bytes": page.num_bytes_downloaded + sum(w for _, w in sizes.values()),
        "largest": max(sizes.items(), key=lambda kv: kv[1][0])[0] if sizes else None,
    }


def measure(data: Path) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from caunoi.app import create_app
    from caunoi.config import Settings
    from caunoi.users import UserError

    if not (data / "caunoi.db").exists():
        sys.exit(f"no store in {data}: run `make demo` first, or give --data")
    app = create_app(Settings(data_dir=data))
    service = app.state.service
    with contextlib.suppress(UserError):  # made by an earlier run
        service.users.add_user(USER, PASSWORD, "analyst", by="page_weight")
    story = next((s.id for s in service.story_list(limit=1)), 1)
    article = service.stats()["articles"] and 1
    pages = {
        "login": "/login",
        "dashboard": "/",
        "search": "/search?q=doi+ngoai",
        "article": f"/articles/{article}",
        "stories": "/stories",
        "story": f"/stories/{story}",
        "alerts": "/alerts",
        "cases": "/cases",
        "fact sheets": "/factsheets",
        "saved searches": "/searches",
    }
    out: dict[str, Any] = {"machine": machine(), "store": str(data), "pages": {}}
    with TestClient(app, base_url="https://127.0.0.1") as client:  # Secure cookies: as behind TLS
        out["pages"]["login"] = weigh(client, "/login")
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        client.post(
            "/login", data={"username": USER, "password": PASSWORD, "csrf_token": token[1] if token else ""}
        )
        for name, path in pages.items():
            if name != "login":
                out["pages"][name] = weigh(client, path)
    return out


def report(result: dict[str, Any]) -> None:
    floor = result["pages"]["login"]["wire_bytes"]
    rows = [
        [name, p["status"], f"{p['html_bytes'] / 1024:.1f}", p["assets"], f"{p['asset_bytes'] / 1024:.0f}",
         f"{p['total_bytes'] / 1024:.0f}", f"{p['wire_bytes'] / 1024:.0f}", f"{p['wire_bytes'] / floor:.2f}",
         p["largest"] or ""]
        for name, p in result["pages"].items()
    ]  # fmt: skip
    print_table(
        [
            "page",
            "status",
            "HTML KiB",
            "assets",
            "assets KiB",
            "total KiB",
            "on the wire KiB",
            "× login",
            "largest asset",
        ],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--data", type=Path, default=REPO / "var" / "demo")
    args = parser.parse_args()
    publish("page_weight", measure(args.data), as_json=args.json, report=report)


if __name__ == "__main__":
    main()
