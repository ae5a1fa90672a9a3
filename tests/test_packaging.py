"""A plain `pip install .` must give a working caunoi: every package the code imports is declared."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def imported_packages() -> dict[str, set[str]]:
    """Top-level third-party modules imported anywhere in caunoi/, with the files that import each."""
    found: dict[str, set[str]] = {}
    for path in (REPO / "caunoi").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "caunoi" and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(str(path.relative_to(REPO)))
    return found


def declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_normal(re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0]) for d in project["dependencies"]}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_package_is_a_declared_dependency():
    distributions = importlib.metadata.packages_distributions()
    wanted = declared()
    missing = {}
    for module, files in sorted(imported_packages().items()):
        names = {_normal(d) for d in distributions.get(module, [module])}
        if not names & wanted:
            missing[module] = sorted(files)[:3]
    assert not missing, f"imported but not in pyproject.toml [project] dependencies: {missing}"
