"""The package's import graph: no cycles, and each stage imports only the stages before it
(the rule each subpackage's docstring states)."""

from __future__ import annotations

import ast
from pathlib import Path

import planner

PKG = Path(planner.__file__).parent

# stage -> the stages it may import (itself included); top-level modules are the API and CLI
ALLOWED = {
    "io": {"io"},
    "model": {"io", "model"},
    "solver": {"io", "model", "solver"},
    "reporting": {"io", "model", "solver", "reporting"},
    "prep": {"io", "prep"},
    "api": {"io", "model", "solver", "reporting", "api"},
    "futures": {"io", "model", "solver", "reporting", "api", "futures"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PKG.rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every planner module ``name`` imports, at module level or inside a function."""
    is_pkg = path.name == "__init__.py"
    package = name if is_pkg else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            # "from . import x" names a module when x is one
            targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in known else mod for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name and t.startswith("planner"):
                out.add(t)
    return out


def graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {n: _imports(n, p, known) for n, p in mods.items()}


def _cycle(g: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for t in sorted(g.get(n, ())):
            if t == "planner":  # the package root's API imports everything; nothing below may import it
                continue
            if state.get(t) == 1:
                return stack[stack.index(t) :] + [t]
            if t not in state and (c := visit(t)):
                return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(g):
        if n not in state and (c := visit(n)):
            return c
    return None


def test_no_import_cycle():
    c = _cycle(graph())
    assert c is None, "import cycle: " + " -> ".join(c)


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def _stage(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else None


def test_stages_import_only_earlier_stages():
    bad = []
    for n, targets in graph().items():
        s = _stage(n)
        if s is None:
            continue
        for t in targets:
            ts = _stage(t)
            if ts is None or ts not in ALLOWED[s]:
                bad.append(f"{n} imports {t}")
    assert not bad, "; ".join(sorted(bad))


# import name -> distribution, for the third-party packages planner imports
DIST = {"pyomo": "pyomo", "highspy": "highspy", "pandas": "pandas", "numpy": "numpy", "click": "click"}
DIST |= {"rich": "rich", "matplotlib": "matplotlib", "jsonschema": "jsonschema", "adjustText": "adjusttext"}
DIST |= {"dask": "dask"}  # planner sweep --dask (planner.futures.runner)
DIST |= {"scipy": "scipy"}  # planner.solver.benders: the split of the compiled matrix
# used without an import of their own: the xlsx engine pandas loads by name, the sparse
# arrays Pyomo's standard-form compiler returns
INDIRECT = {"xlsxwriter", "scipy"}
# imported only by a tool that needs an optional extra (import name -> the extra)
OPTIONAL = {"tsam": "prep"}


def _third_party_imports() -> set[str]:
    import sys

    out = set()
    for path in PKG.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for n in names:
                top = n.split(".")[0]
                if top != "planner" and top not in sys.stdlib_module_names:
                    out.add(top)
    return out


def test_runtime_dependencies_are_what_the_package_imports():
    import re
    import tomllib

    project = tomllib.loads((PKG.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {re.split(r"[<>=!~\[ ;]", d)[0].lower() for d in project["dependencies"]}
    imported = _third_party_imports()
    for name, extra in OPTIONAL.items():
        assert any(d.lower().startswith(name) for d in project["optional-dependencies"][extra])
    imported -= set(OPTIONAL)
    assert imported <= set(DIST), f"imported but not mapped to a distribution: {imported - set(DIST)}"
    needed = {DIST[i] for i in imported} | INDIRECT
    assert declared == needed, f"declared only: {declared - needed}; imported only: {needed - declared}"
