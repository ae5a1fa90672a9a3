"""Start-up: how long a short command takes from the shell, most of it imports. `caunoi --help`,
`caunoi version` and `caunoi search` on a small store (20 demo articles), each run --runs times in
a fresh process; the median wall time is reported, and the modules each one imports. The peers,
measured in the same run: the bare interpreter (`python -c pass`) and `python -c "import
sqlalchemy"`, the one library every command that opens the store needs. Bytecode is cached as in
a user's shell (PYTHONDONTWRITEBYTECODE is unset for the runs; the warm-up run writes it).

--python names another checkout's interpreter (e.g. one of an older commit, with caunoi installed in
its venv) to measure the same commands there: the before/after of a change, on one machine, in one run.

Run: .venv/bin/python benchmarks/startup.py [--json] [--runs 15] [--python OTHER/.venv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _harness import machine, print_table, publish  # noqa: E402

DEMO = REPO / "demo" / "data" / "vi-news-unc" / "docs"
# what a short command should not pay for: NLP and ML libraries, the web stack, the migration tool
HEAVY = (
    "sklearn", "scipy", "numpy", "underthesea", "trafilatura", "lxml", "datasketch", "py3langid",
    "fastapi", "uvicorn", "httpx", "alembic", "jinja2", "argon2", "openpyxl", "feedparser", "warcio",
)  # fmt: skip
_LIST = (
    "import json, os, runpy, sys\n"
    "sys.argv = ['caunoi', *json.loads(os.environ['CAUNOI_BENCH_ARGS'])]\n"
    "try:\n    runpy.run_module('caunoi', run_name='__main__')\n"
    "except SystemExit:\n    pass\n"
    "open(os.environ['CAUNOI_BENCH_MODULES'], 'w').write(json.dumps(sorted(sys.modules)))\n"
)


def timed(argv: list[str], env: dict[str, str], runs: int, cwd: Path) -> dict[str, Any]:
    """Median, fastest and slowest wall time of `argv` over `runs` fresh processes (one warm-up), run
    in `cwd`: never in a checkout, whose caunoi/ would be imported instead of the interpreter's own."""
    subprocess.run(argv, env=env, capture_output=True, check=True, cwd=cwd)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True, cwd=cwd)
        times.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
            "max_s": round(max(times), 3)}  # fmt: skip


def heavy_imports(python: str, args: list[str], env: dict[str, str], folder: Path) -> list[str]:
    """The HEAVY libraries `caunoi ARGS` imports."""
    out = folder / "modules.json"
    run_env = {**env, "CAUNOI_BENCH_ARGS": json.dumps(args), "CAUNOI_BENCH_MODULES": str(out)}
    subprocess.run([python, "-c", _LIST], env=run_env, capture_output=True, check=True, cwd=folder)
    loaded = {name.split(".")[0] for name in json.loads(out.read_text())}
    return sorted(loaded & set(HEAVY))


def measure(pythons: dict[str, str], runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {**os.environ, "CAUNOI_DATA": str(folder / "store"), "COLUMNS": "100"}
        # as a user's shell has it: bytecode cached (the warm-up run writes it), the embedded store
        for name in ("CAUNOI_DATABASE_URL", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        first = next(iter(pythons.values()))
        docs = sorted(DEMO.glob("*.txt"))[:20]
        subprocess.run(
            [first, "-m", "caunoi", "ingest", *map(str, docs)], env=env, capture_output=True, check=True
        )
        peers = {
            "python -c pass": timed([sys.executable, "-c", "pass"], env, runs, folder),
            "python -c 'import sqlalchemy'": timed(
                [sys.executable, "-c", "import sqlalchemy"], env, runs, folder
            ),
        }
        commands = [["--help"], ["version"], ["search", "doi ngoai", "--limit", "5"]]
        measured = {}
        for label, python in pythons.items():
            for args in commands:
                # the store is migrated by the first code that opens it; later runs only read it
                row = timed([python, "-m", "caunoi", *args], env, runs, folder)
                row["heavy_imports"] = heavy_imports(python, args, env, folder)
                measured[f"{label}: caunoi {' '.join(args)}"] = row
    floor = peers["python -c pass"]["median_s"]
    for row in [*peers.values(), *measured.values()]:
        row["x_interpreter"] = round(row["median_s"] / floor, 1)
    return {"runs": runs, "peers": peers, "commands": measured, "machine": machine()}


def report(result: dict[str, Any]) -> None:
    rows = [
        [name, r["median_s"], r["min_s"], r["max_s"], r["x_interpreter"], ""]
        for name, r in result["peers"].items()
    ]
    rows += [
        [
            name,
            r["median_s"],
            r["min_s"],
            r["max_s"],
            r["x_interpreter"],
            ", ".join(r["heavy_imports"]) or "none",
        ]
        for name, r in result["commands"].items()
    ]
    print(f"Start-up, median of {result['runs']} fresh processes (seconds):")
    print_table(["command", "median", "min", "max", "× interpreter", "heavy libraries imported"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--python", help="another checkout's interpreter, measured beside this one")
    parser.add_argument("--json", action="store_true", dest="as_json")
    args = parser.parse_args()
    pythons = {"this": sys.executable}
    if args.python:
        pythons["other"] = args.python
    publish("startup", measure(pythons, args.runs), as_json=args.as_json, report=report)


if __name__ == "__main__":
    main()
