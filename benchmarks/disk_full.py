"""A full disk under the store: `caunoi ingest` and `caunoi watch --once` on a small real volume,
what they say, what the store holds after, and the re-run once space is freed.

Run: .venv/bin/python benchmarks/disk_full.py [--ingest-size 3m] [--watch-size 2m] [--json]

Needs root: each part mounts a tmpfs of the given size (tests/support/disk.py) and puts CAUNOI_DATA
(a fresh SQLite store) on it.
  ingest  `caunoi ingest --json` of the 297 demo documents (demo/data/vi-news-unc/docs) until the disk
          fills; the store is checked (PRAGMA integrity_check, every article with its full-text row
          and its origin); the volume is grown to 256 MiB (space freed) and the same command run again.
  watch   demo/site.py's outlet (60 real article pages, an RSS feed and a news sitemap) on 127.0.0.1,
          registered as a source; `caunoi watch --once --now` until the disk fills; checked; grown;
          `caunoi watch --once` again.
Each command is timed as a process; its exit code and the first line of its error are kept.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _harness import REPO, VAR, print_table, publish

sys.path[:0] = [str(REPO), str(REPO / "tests")]
from support.disk import SmallVolume, VolumeRefused, store_state  # noqa: E402

from demo.site import build_site, serve  # noqa: E402

NAME = "disk_full"
DOCS = REPO / "demo" / "data" / "vi-news-unc" / "docs"


def caunoi(data: Path, *args: str) -> dict[str, Any]:
    env = {**os.environ, "CAUNOI_DATA": str(data), "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    env.pop("CAUNOI_DATABASE_URL", None)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "caunoi", *args], env=env, capture_output=True, text=True)
    said = " ".join(proc.stderr.split())  # Rich wraps a long line
    out: dict[str, Any] = {
        "command": "caunoi " + " ".join(a if a != str(DOCS) else "demo/data/vi-news-unc/docs" for a in args),
        "exit_code": proc.returncode,
        "seconds": round(time.perf_counter() - started, 1),
        "error": said[said.find("error:") :] if "error:" in said else None,
        "traceback": "Traceback" in proc.stderr,
    }
    if "--json" in args and proc.returncode == 0:
        summary = json.loads(proc.stdout)
        out["summary"] = {k: v for k, v in summary.items() if isinstance(v, int)}
    return out


def fill_and_rerun(volume: SmallVolume, first: list[str], again: list[str]) -> dict[str, Any]:
    with volume as data:
        full = caunoi(data, *first)
        full["store"] = store_state(data)
        volume.grow("256m")
        rerun = caunoi(data, *again)
        rerun["store"] = store_state(data)
    return {"size": volume.size, "full": full, "rerun": rerun}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="disk-full-", dir=VAR))
    ingest = ["ingest", "--json", str(DOCS)]
    result = {"load_at_start": [round(x, 2) for x in os.getloadavg()], "volume": "tmpfs"}
    result["ingest"] = fill_and_rerun(SmallVolume(scratch / "ingest", args.ingest_size), ingest, ingest)
    server, base = serve(build_site())
    try:
        volume = SmallVolume(scratch / "watch", args.watch_size)
        with volume as data:
            caunoi(data, "sources", "add", "Demo outlet", "--home", f"{base}/", "--feed", f"{base}/rss.xml",
                   "--sitemap", f"{base}/sitemap-news.xml", "--allow-private")  # fmt: skip
            full = caunoi(data, "watch", "--once", "--now")
            full["store"] = store_state(data)
            volume.grow("256m")
            rerun = caunoi(data, "watch", "--once")
            rerun["store"] = store_state(data)
        result["watch"] = {"size": volume.size, "full": full, "rerun": rerun}
    finally:
        server.shutdown()
    result["command"] = (
        f"sudo .venv/bin/python benchmarks/disk_full.py --ingest-size {args.ingest_size} "
        f"--watch-size {args.watch_size}"
    )
    return result


def print_report(r: dict[str, Any]) -> None:
    if "skipped" in r:
        print(f"skipped: {r['skipped']}")
        return
    rows = []
    for part in ("ingest", "watch"):
        for step in ("full", "rerun"):
            run, s = r[part][step], r[part][step]["store"]
            pages = ", ".join(f"{k} {v}" for k, v in sorted(s["pages"].items())) or "-"
            rows.append([
                f"{run['command']}" + (f" (on {r[part]['size']})" if step == "full" else " (space freed)"),
                run["exit_code"], run["seconds"], "yes" if run["traceback"] else "no", s["integrity"],
                s["articles"], s["origins"], s["without_fts"], s["enriched"], pages,
            ])  # fmt: skip
    print_table(
        ["command", "exit", "s", "traceback", "integrity", "articles", "origins", "no FTS row", "enriched",
         "pages"],
        rows,
        "lrrlrrrrrl",
    )  # fmt: skip
    print()
    for part in ("ingest", "watch"):
        print(f"{part} on a full disk says: {r[part]['full']['error']}")
    print(f"\nreproduce: {r['command']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ingest-size", default="3m", help="the volume under `caunoi ingest` (tmpfs size=)")
    parser.add_argument("--watch-size", default="2m", help="the volume under `caunoi watch --once`")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    VAR.mkdir(parents=True, exist_ok=True)
    try:
        result = measure(args)
    except VolumeRefused as exc:  # not a failure of caunoi: said, and `make bench` goes on
        result = {"skipped": f"cannot mount a small tmpfs volume here ({exc}): this benchmark needs root"}
    publish(NAME, result, as_json=args.json, report=print_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
