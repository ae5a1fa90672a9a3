"""benchmarks/run_all.py, what `make bench` runs: a benchmark of a store another one builds is skipped,
saying why, while that store is absent, not run to fail or to build for hours. No benchmark runs here:
run_all is run on stand-ins."""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def bench_copy(root: Path, stand_ins: dict[str, str]) -> Path:
    """run_all.py and its harness in root/benchmarks, beside stand-in scripts (name: source)."""
    folder = root / "benchmarks"
    folder.mkdir()
    for helper in ("run_all.py", "_harness.py"):
        shutil.copy(BENCHMARKS / helper, folder)
    for name, source in stand_ins.items():
        (folder / f"{name}.py").write_text(source, encoding="utf-8")
    return folder / "run_all.py"


def test_a_benchmark_whose_store_is_absent_is_skipped_saying_why_and_runs_once_it_is_there(tmp_path):
    run_all = bench_copy(
        tmp_path,
        {
            "large_store": "import sys; sys.exit('the following arguments are required: --store')",
            "page_weight": "print('{\"pages\": 3}')",  # its default store: var/demo, made by `make demo`
        },
    )
    first = subprocess.run([sys.executable, run_all], capture_output=True, text=True, encoding="utf-8")
    assert first.returncode == 0, first.stdout + first.stderr
    said = "needs --store: a store built by search_latency.py; run it as BENCHMARKS.md says"
    assert f"skipped: {said}" in first.stdout
    assert f"| large_store.py | skipped |  | {said} |" in first.stdout  # in the final table too
    assert "| page_weight.py | skipped |  | needs var/demo: the store `make demo` builds" in first.stdout
    results = tmp_path / "benchmarks" / "results"
    assert not list(results.iterdir())  # nothing written for a skipped one (a kept result stays)

    (tmp_path / "var" / "demo").mkdir(parents=True)
    (tmp_path / "var" / "demo" / "caunoi.db").touch()
    second = subprocess.run([sys.executable, run_all], capture_output=True, text=True, encoding="utf-8")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "| page_weight.py | ok |" in second.stdout and "| large_store.py | skipped |" in second.stdout
    assert (results / "page_weight.json").read_text(encoding="utf-8") == '{"pages": 3}\n'


def required_arguments(script: Path) -> list[str]:
    """The options a benchmark's own parser (not a subcommand's) requires."""
    calls = [
        node for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))) if isinstance(node, ast.Call)
    ]
    return [
        call.args[0].value
        for call in calls
        if isinstance(call.func, ast.Attribute) and call.func.attr == "add_argument"
        and isinstance(call.func.value, ast.Name) and call.func.value.id == "parser"
        and any(k.arg == "required" and getattr(k.value, "value", False) is True for k in call.keywords)
    ]  # fmt: skip


def test_every_benchmark_that_requires_an_argument_is_skipped(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # run_all imports _harness as the scripts do
    run_all = importlib.import_module("run_all")
    requiring = {s.stem for s in run_all.scripts() if required_arguments(s)}
    assert {"large_store", "read_pages", "search_rank_cap"} <= requiring
    for script in run_all.scripts():  # in a checkout with no stores built (tmp_path)
        reason = run_all.skip_reason(script, tmp_path)
        assert (reason is not None) == (script.stem in run_all.NEEDS), script.name
        if script.stem in requiring:
            assert reason.startswith("needs --store"), script.name
