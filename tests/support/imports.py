"""Reading caunoi's imports with `ast`: which caunoi modules a file imports, where, and whether at
module level (for tests/test_layers.py and the tests that keep one module free of another)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent / "caunoi"
BASE_PACKAGE = "caunoi"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[int, str, bool]]:
    """(line, caunoi module imported, at module level?) for every import in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    top_level |= {id(n) for node in tree.body if isinstance(node, ast.If) for n in node.body}
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                above = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(above + ([base] if base else []))
            names = [base]
            if base in {BASE_PACKAGE} or (node.module is None):
                names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        guarded = _under_type_checking(tree, node)
        for name in names:
            if (name == BASE_PACKAGE or name.startswith(BASE_PACKAGE + ".")) and not guarded:
                found.append((node.lineno, _existing(name), id(node) in top_level))
    return found


def _under_type_checking(tree: ast.Module, target: ast.AST) -> bool:
    return any(
        isinstance(node, ast.If)
        and getattr(node.test, "id", None) == "TYPE_CHECKING"
        and any(target is n for n in ast.walk(node))
        for node in tree.body
    )


def _existing(name: str) -> str:
    """`caunoi.reports.brief` for `from caunoi.reports import brief`; `caunoi` for `__version__`."""
    parts = name.split(".")
    while len(parts) > 1:
        candidate = ROOT.parent.joinpath(*parts)
        if candidate.with_suffix(".py").exists() or (candidate / "__init__.py").exists():
            return ".".join(parts)
        parts.pop()
    return parts[0]


def all_imports() -> dict[str, list[tuple[int, str, bool]]]:
    return {str(p.relative_to(ROOT.parent)): imports_of(p) for p in sorted(ROOT.rglob("*.py"))}
