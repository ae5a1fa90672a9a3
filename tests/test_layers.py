"""Imports go one way (LAYOUT.md): interfaces → service → domain → pipeline and store → base.

The interfaces (cli/, app/) are thin shells: they never import the store. SQL lives in store/, which
imports nothing above it. The pipeline stages (pipeline, enrich/, text/, net/) know nothing of the
store or of the domain. And no two modules import each other, directly or through others. Each
failure names the importing file and line, what it imports and the rule it breaks.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util

from support.imports import BASE_PACKAGE, ROOT, all_imports, module_name

# the layer of a module, by the longest matching prefix
LAYERS = {
    "caunoi.cli": "interface",
    "caunoi.app": "interface",
    "caunoi.__main__": "interface",
    "caunoi.service": "service",
    "caunoi.executors": "pipeline",
    "caunoi.ray_executor": "pipeline",  # the Ray executor, imported by caunoi.executors only
    "caunoi.pipeline": "pipeline",
    "caunoi.enrich": "pipeline",
    "caunoi.text": "pipeline",
    "caunoi.net": "pipeline",
    "caunoi.store": "store",
    "caunoi.models": "base",
    "caunoi.errors": "base",
    "caunoi.config": "base",
    "caunoi.timezones": "base",  # the store's clock and zone arithmetic: every layer shows times
    "caunoi": "domain",  # caunoi.search, cases, units, users, alerts/, reports/, stories/, ingest/, i18n …
}
ALLOWED = {
    "interface": {"interface", "service", "domain", "pipeline", "base"},
    "service": {"service", "domain", "pipeline", "store", "base"},
    "domain": {"domain", "pipeline", "store", "base"},
    "pipeline": {"pipeline", "base"},
    "store": {"store", "base"},
    "base": {"base"},
}
# below its layer, the store may still fold text as the stored text is folded
EXCEPTIONS = {("store", "caunoi.text.fold"), ("store", "caunoi.text")}


def layer_of(module: str) -> str:
    if module == BASE_PACKAGE:
        return "base"
    best = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return LAYERS[best]


def test_each_layer_imports_only_the_layers_below_it():
    broken = []
    for file, found in all_imports().items():
        here = layer_of(module_name(ROOT.parent / file))
        for line, target, _ in found:
            there = layer_of(target)
            if there in ALLOWED[here] or (here, target) in EXCEPTIONS:
                continue
            broken.append(
                f"{file}:{line} imports {target}: the {here} layer may not import the {there} layer"
            )
    assert not broken, "\n".join(broken)


def test_no_import_cycles():
    """A cycle among module-level imports: the modules of it cannot be loaded one without the other."""
    graph: dict[str, set[str]] = {}
    where: dict[tuple[str, str], str] = {}
    for file, found in all_imports().items():
        here = module_name(ROOT.parent / file)
        for line, target, top in found:
            if top and target != here and not here.startswith(target + "."):
                graph.setdefault(here, set()).add(target)
                where[(here, target)] = f"{file}:{line}"
    cycles = [c for c in _strongly_connected(graph) if len(c) > 1]
    described = []
    for cycle in cycles:
        edges = [
            f"{where[(a, b)]} {a} → {b}"
            for a in sorted(cycle)
            for b in sorted(graph.get(a, ()))
            if b in cycle
        ]
        described.append("cycle: " + "; ".join(edges))
    assert not cycles, "\n".join(described)


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    found.append(component)
    return found


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert sorted(map(sorted, _strongly_connected(graph))) == [["a", "b", "c"], ["d"], ["e"]]


def test_every_import_of_caunoi_names_something_that_exists():
    """Imports inside functions run only when the function does: a stale one (a module moved, a name
    renamed) would fail in front of a user, not at start-up."""
    missing = []
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                not isinstance(node, ast.ImportFrom)
                or node.level
                or not (node.module or "").startswith("caunoi")
            ):
                continue
            try:
                module = importlib.import_module(node.module)
            except ImportError as exc:
                missing.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: {exc}")
                continue
            for alias in node.names:
                if (
                    not hasattr(module, alias.name)
                    and importlib.util.find_spec(f"{node.module}.{alias.name}") is None
                ):
                    missing.append(
                        f"{path.relative_to(ROOT.parent)}:{node.lineno}: {node.module} has no {alias.name}"
                    )
    assert not missing, "\n".join(missing)
