"""The layout is the architecture: which package may import which, read from the source.

`api/` and `indexer/` stand side by side on `search/` and never import each other;
`search/` imports neither; an engine (`search/engine/<name>/`) is the only place that
imports its library, and no engine imports the parser or the search policy; module-level
imports form no cycle (an import inside a function, made to break one, is not counted).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("api", "indexer", "search")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, top_level_only: bool) -> set[str]:
    """Absolute names of the modules `path` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else \
        _module_name(path).rpartition(".")[0]
    nodes = tree.body if top_level_only else ast.walk(tree)
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return out


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _first_party(names: set[str], modules: set[str]) -> set[str]:
    return {name for name in names if name in modules}


MODULES = {_module_name(p) for package in PACKAGES for p in _sources(package)}


@pytest.mark.parametrize(("package", "forbidden"), [
    ("api", ("indexer",)),
    ("indexer", ("api",)),
    ("search", ("api", "indexer")),
])
def test_packages_import_only_what_they_stand_on(package, forbidden):
    wrong = [(p.relative_to(ROOT).as_posix(), name) for p in _sources(package)
             for name in _imports(p, top_level_only=False)
             if name.split(".")[0] in forbidden]
    assert wrong == []


def test_engine_libraries_are_imported_by_their_engine_only():
    libraries = {"whoosh": "search/engine/whoosh/", "opensearchpy": "search/engine/opensearch/"}
    wrong = []
    for package in PACKAGES:
        for path in _sources(package):
            where = path.relative_to(ROOT).as_posix()
            for name in _imports(path, top_level_only=False):
                home = libraries.get(name.split(".")[0])
                if home is not None and not where.startswith(home):
                    wrong.append((where, name))
    assert wrong == []


def test_engines_never_import_the_parser_or_the_policy():
    wrong = [(p.relative_to(ROOT).as_posix(), name) for p in _sources("search/engine")
             for name in _imports(p, top_level_only=False)
             if name in ("search.query", "search.searcher") or name.startswith(
                 ("search.query.", "search.searcher."))]
    assert wrong == []


def test_module_level_imports_form_no_cycle():
    graph = {}
    for package in PACKAGES:
        for path in _sources(package):
            graph[_module_name(path)] = _first_party(_imports(path, top_level_only=True),
                                                     MODULES) - {_module_name(path)}
    # a package's __init__ imported on the way to its modules is no edge of a cycle
    for name, edges in graph.items():
        graph[name] = {e for e in edges if not name.startswith(e + ".")}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_layer_checks_see_the_modules():
    """The checks above read real sources: an empty walk would pass them all."""
    assert {"api.app", "indexer.cli", "search.searcher", "search.engine.whoosh.engine",
            "search.engine.opensearch.engine"} <= MODULES
    assert "search.engine" in _imports(ROOT / "search/engine/whoosh/ranking.py", True)
