"""The watcher soak (benchmarks/watch_soak.py) for 45 seconds instead of an hour: the real `caunoi
watch` against local outlets that drip, answer 5xx, reset the connection, never end their bodies,
loop their redirects, send huge pages and lie about their charset. Every bad page and feed fails
with its own error, the good articles are stored, the watcher stops cleanly on SIGTERM, and its
file descriptors and threads do not pile up. `make bench` runs it for an hour."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def load_soak(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # for its _harness and fetch_throughput
    spec = importlib.util.spec_from_file_location("benchmark_watch_soak", BENCHMARKS / "watch_soak.py")
    assert spec and spec.loader
    soak = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "benchmark_watch_soak", soak)
    spec.loader.exec_module(soak)
    return soak


def test_the_watcher_against_a_misbehaving_web_fails_bad_pages_cleanly_and_keeps_good_ones(
    monkeypatch, tmp_path
):
    soak = load_soak(monkeypatch)
    monkeypatch.setattr(soak, "VAR", tmp_path)
    r = soak.run_soak(argparse.Namespace(minutes=0.75, sample=1.0, fetch_deadline=4.0, keep=None))

    assert r["alive_at_end"] and r["exit_code"] == 0 and r["tracebacks_in_stderr"] == 0, r["stderr_tail"]
    assert r["rounds"] >= 1 and r["round_errors"] == []
    pages = r["store"]["pages"]
    assert pages["good"].get("done", 0) >= 6, pages
    assert pages["loop"] == {"failed: redirect loop": 1}
    assert pages["endless"] == {"failed: body too large": 1}
    assert pages["5xx"] == {"pending: HTTP 5xx": 1}  # tried again later
    assert pages["reset"] == {"pending: connection reset": 1}
    assert pages["drip"] == pages["endless-slow"] == {"pending: deadline (slow or endless)": 1}
    assert pages["huge"] == pages["charset"] == {"done": 1}
    assert r["store"]["vietnamese_titles"] >= 1  # the Windows-1258 page that said UTF-8, read right
    feeds = {name: f["last_error"] for name, f in r["store"]["feeds"].items()}
    assert feeds == {
        "Mixed outlet": None,
        "Sitemap outlet": None,
        "Flaky outlet": None,
        "Down outlet": "HTTP 5xx",
        "Reset outlet": "connection reset",
        "Loop outlet": "redirect loop",
        "Endless outlet": "body too large",
        "Slow outlet": "deadline (slow or endless)",
        "Garbled outlet": None,
    }
    memory = r["memory"]
    assert memory["fds"]["last_max"] <= memory["fds"]["first_max"] + 4  # sockets closed, not kept
    assert memory["threads"]["last_max"] <= 12
