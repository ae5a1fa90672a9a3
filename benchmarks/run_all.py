"""Run every benchmark under benchmarks/, one after another, each in its own process (what `make bench` runs).

Run: .venv/bin/python benchmarks/run_all.py [--quick] [--only NAME[,NAME]]

Each script's readable report is shown and kept in benchmarks/results/<name>.txt. Its JSON result is
benchmarks/results/<name>.json: written by the script itself where it does so, otherwise captured
from a second run with --json. --quick measures search latency at 100k articles only (no 1M store),
fetch throughput on 200 pages and reliability with 5 kills a stage (not 100).
Files whose name starts with "_" are helpers, not benchmarks. A benchmark that measures a store another
one builds (NEEDS) is skipped, saying why, when run with no arguments it could not find that store.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from _harness import REPO, RESULTS, print_table

HERE = Path(__file__).resolve().parent
QUICK_ARGS = {
    "search_latency": ["--sizes", "100000"],
    "fetch_throughput": ["--pages", "200"],
    "watch_soak": ["--minutes", "2"],
    "reliability": ["--kills", "5", "--articles", "6"],  # a hundred kills a stage: an hour and more
}


# Benchmarks of a store another one builds: with no arguments each would stop at once, or find nothing
# to measure. A path (from the checkout) is the store a script looks for by default, and it runs when
# that is there; None: the store is an argument it requires, so run_all, which passes none, skips it.
NEEDS: dict[str, tuple[str | None, str]] = {
    "large_store": (None, "--store: a store built by search_latency.py"),
    "read_pages": (None, "--store: a 1M store built by search_latency.py, and root"),
    "search_keys": (None, "--store (or --schema): a store built by search_latency.py"),
    "search_rank_cap": (None, "--store: a store kept by search_quality.py --keep"),
    "search_index_drain": (None, "--store: a store built by search_latency.py, its search index built"),
    "page_weight": ("var/demo/caunoi.db", "var/demo: the store `make demo` builds"),  # its default --data
}


def skip_reason(script: Path, repo: Path = REPO) -> str | None:
    """Why run_all cannot run `script` as it stands (a store it needs is absent), or None."""
    if script.stem not in NEEDS:
        return None
    store, needed = NEEDS[script.stem]
    if store is not None and (repo / store).exists():
        return None
    return f"needs {needed}; run it as BENCHMARKS.md says"


def scripts() -> list[Path]:
    return [p for p in sorted(HERE.glob("*.py")) if not p.name.startswith("_") and p.name != "run_all.py"]


def run(script: Path, args: list[str]) -> tuple[int, float]:
    """Run one benchmark, its report shown live and kept in results/<name>.txt; (exit code, seconds)."""
    report = RESULTS / f"{script.stem}.txt"
    started = time.perf_counter()
    with open(report, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, str(script), *args], stdout=subprocess.PIPE, text=True, encoding="utf-8"
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            sys.stdout.write(line)
            out.write(line)
        code = proc.wait()
    return code, time.perf_counter() - started


def capture_json(script: Path, args: list[str]) -> int:
    """For a script that writes no JSON file itself: its --json output, kept in results/<name>.json."""
    proc = subprocess.run(
        [sys.executable, str(script), *args, "--json"], capture_output=True, text=True, encoding="utf-8"
    )
    if proc.returncode == 0:
        (RESULTS / f"{script.stem}.json").write_text(proc.stdout, encoding="utf-8")
    else:
        sys.stderr.write(proc.stderr)
    return proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="search latency at 100k only, fetch throughput on 200 pages, the watcher soaked 2 min,"
        " reliability with 5 kills a stage",
    )
    parser.add_argument("--only", help="comma-separated script names (without .py) to run")
    args = parser.parse_args()
    chosen = scripts()
    if args.only:
        wanted = {name.strip().removesuffix(".py") for name in args.only.split(",")}
        if unknown := wanted - {s.stem for s in chosen}:
            sys.exit(f"no benchmark named {', '.join(sorted(unknown))}: see {HERE}")
        chosen = [s for s in chosen if s.stem in wanted]
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = []
    failed = 0
    for script in chosen:
        extra = QUICK_ARGS.get(script.stem, []) if args.quick else []
        print(f"\n===== {script.name} {' '.join(extra)}".rstrip() + " =====\n", flush=True)
        if reason := skip_reason(script):
            print(f"skipped: {reason}", flush=True)
            rows.append([script.name, "skipped", "", reason])
            continue
        json_path = RESULTS / f"{script.stem}.json"
        before = json_path.stat().st_mtime if json_path.exists() else None
        code, seconds = run(script, extra)
        wrote_json = json_path.exists() and json_path.stat().st_mtime != before
        if code == 0 and not wrote_json:
            code = capture_json(script, extra)
        failed += code != 0
        outputs = f"{RESULTS.name}/{script.stem}.txt" + (
            f", {RESULTS.name}/{script.stem}.json" if code == 0 else ""
        )
        rows.append([script.name, "ok" if code == 0 else f"failed ({code})", f"{seconds:,.0f}", outputs])
    print(f"\nResults in {RESULTS}\n")
    print_table(["benchmark", "status", "seconds", "results"], rows, "llrl")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
