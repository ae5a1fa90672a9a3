"""What the benchmark scripts share: where corpora and results live, PostgreSQL schemas, child processes.

Not a benchmark itself (run_all.py skips files whose name starts with "_").
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("CAUNOI_SHARED_DATA", REPO.parent / "shared" / "data"))
VI_DOCS = SHARED_DATA / "vi-news-unc" / "docs"
EXTRACTION_TRUTH = SHARED_DATA / "article-extraction-benchmark" / "ground-truth.json"
RESULTS = REPO / "benchmarks" / "results"
VAR = REPO / "var" / "bench"  # built stores and scratch space; var/ is gitignored

# The server the tests use (tests/conftest.py); benchmarks work in their own schemas of it.
PG_URL = os.environ.get("CAUNOI_BENCH_PG_URL", "postgresql+psycopg://127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


def require_corpus(path: Path, what: str) -> None:
    """Stop with a message that says how to get going when a shared corpus is missing."""
    if not path.exists():
        sys.exit(
            f"{path} is absent: this benchmark needs {what}. Put the shared corpora under "
            f"{SHARED_DATA} (or set CAUNOI_SHARED_DATA), or pass the path explicitly."
        )


def machine() -> dict[str, Any]:
    """What the figures were measured on: they mean little without it."""
    mem_gib = None
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 2**20, 1)
    cpu = platform.processor() or None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": mem_gib,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def source_fingerprint() -> str:
    """A digest of caunoi's Python sources: which code a result was measured on, without asking git."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "caunoi").rglob("*.py")):
        digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def write_result(name: str, result: dict[str, Any]) -> Path:
    """benchmarks/results/<name>.json, with the time, the machine and the code it was measured on."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    stamped = {
        "benchmark": name,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "caunoi_sources": source_fingerprint(),
        "machine": machine(),
    }
    path.write_text(json.dumps({**stamped, **result}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


# -- PostgreSQL -------------------------------------------------------------------------------


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def pg_reachable() -> str | None:
    """None when the server answers, else why not."""
    import psycopg

    try:
        psycopg.connect(_plain(PG_URL), connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        return f"PostgreSQL at {PG_URL} is not reachable ({exc}); set CAUNOI_BENCH_PG_URL"
    return None


def schema_url(schema: str) -> str:
    """A SQLAlchemy URL whose connections work in `schema` (as tests/conftest.py does)."""
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def pg_execute(sql: str, params: tuple = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(_plain(PG_URL), autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else []


def schema_exists(schema: str) -> bool:
    return bool(pg_execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)))


def _check_schema_name(schema: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", schema):
        raise ValueError(f"not a plain schema name: {schema!r}")
    return schema


def create_schema(schema: str) -> None:
    pg_execute(f"CREATE SCHEMA {_check_schema_name(schema)}")


def drop_schema(schema: str) -> None:
    pg_execute(f"DROP SCHEMA IF EXISTS {_check_schema_name(schema)} CASCADE")


@contextlib.contextmanager
def temporary_schema(prefix: str) -> Iterator[str]:
    """A fresh schema's URL, the schema dropped afterwards whatever happens."""
    schema = f"{prefix}_{os.getpid()}_{int(time.time())}"
    create_schema(schema)
    try:
        yield schema_url(schema)
    finally:
        drop_schema(schema)


def pg_schema_bytes(schema: str) -> dict[str, int]:
    """Bytes on disk per table (with its TOAST) and per index, in `schema`."""
    rows = pg_execute(
        "SELECT c.relname, c.relkind, pg_relation_size(c.oid),"
        " COALESCE(pg_total_relation_size(c.reltoastrelid), 0)"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relkind IN ('r', 'i')",
        (schema,),
    )
    return {name: main + toast for name, _kind, main, toast in rows}


# -- child processes --------------------------------------------------------------------------


def run_child(args: list[str], *, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `python <args>` and return the JSON object it prints last, with its own peak memory.

    The child's peak RSS comes from wait4 on that child alone (Linux counts the largest of the
    child and the grandchildren it waited for, e.g. process-pool workers), so no earlier variant
    inflates it. The child's stderr passes through, so its progress shows.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *args], stdout=subprocess.PIPE, env={**os.environ, **(env or {})}, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed with exit code {proc.returncode}")
    lines = [line for line in out.splitlines() if line.strip()]
    result = json.loads(lines[-1])
    result["process_wall_s"] = round(wall, 2)
    result["peak_rss_mib"] = round(usage.ru_maxrss / 1024, 1)  # Linux reports KiB
    return result


def child_rusage() -> dict[str, float]:
    """Peak RSS of this process and of the largest child it waited for (pool workers), in MiB."""
    import resource

    return {
        "self_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "children_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


def print_table(headers: list[str], rows: list[list[Any]], align: str | None = None) -> None:
    """A Markdown table; `align` is one character per column, "l" or "r" (default: first left)."""
    align = align or "l" + "r" * (len(headers) - 1)
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" if a == "l" else "---:" for a in align) + "|")
    for row in rows:
        print("| " + " | ".join("" if c is None else str(c) for c in row) + " |")


def publish(
    name: str, result: dict[str, Any], *, as_json: bool, report: Callable[[dict[str, Any]], None]
) -> None:
    """Write the result file, then print the result as JSON or as the readable report."""
    path = write_result(name, result)
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        report(result)
    print(f"\nwritten to {path}", file=sys.stderr)
