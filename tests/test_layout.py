"""The dependency rules of the package, checked on its source.

The package is layered, and imports run down the layers only::

    cli                   the command line
    engine, index, spark  the three engines (none imports another)
    stages                what every engine runs the same way
    searches              one module per search mode, behind one protocol
    evidence              passages and copy ratios put on a report
    io, parameters        documents and corpora; the validated parameters
    core                  the pure algorithms (never the output model)
    report, formats       the output model and its formats
    errors, _types, _version, _data   (_data: the package's data files, for core)

(imports made for type checkers only are not counted); see docs/architecture.md.

No module imports a private name of another module, or the package's ``__init__``; no
modules import each other in a circle (imports inside functions count); Spark never imports
the local engine; no module is over 600 lines.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "neardup"

LEAVES = {"errors", "_types", "_version"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "_types": set(),
    "_version": set(),
    "_data": set(),
    "report": LEAVES,
    "core": LEAVES | {"core", "_data"},
    "io": LEAVES | {"core", "io", "report"},
    "parameters": LEAVES | {"core"},
    "evidence": LEAVES | {"core", "io", "parameters", "report", "evidence"},
    "searches": LEAVES | {"core", "parameters", "searches"},
    "stages": LEAVES
    | {"core", "io", "parameters", "report", "evidence", "searches", "stages"},
    "engine": LEAVES
    | {"core", "io", "parameters", "report", "evidence", "searches", "stages", "engine"},
    "index": LEAVES
    | {"core", "io", "parameters", "report", "evidence", "searches", "stages", "index"},
    "spark": LEAVES
    | {"core", "io", "parameters", "report", "evidence", "searches", "stages", "spark"},
    "formats": LEAVES | {"report", "formats"},
    "cli": LEAVES
    | {"core", "io", "parameters", "report", "evidence", "searches", "stages", "engine", "index",
       "spark",
       "formats", "cli"},
    "__main__": {"cli"},
}


@dataclass(frozen=True)
class Import:
    """One ``from X import name`` (or ``import X``) of a module of the package."""

    module: str
    """The importing module, dotted, without ``neardup.``."""
    target: str
    """The imported module, dotted, without ``neardup.`` ("" for the package itself)."""
    names: tuple[str, ...]
    type_checking: bool


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append((".".join(parts), path))
    return out


def _imports() -> list[Import]:
    found = []
    for module, path in _modules():
        here = module.split(".") if module else []  # the package a relative import starts in
        if path.name != "__init__.py":
            here.pop()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guarded = {
            id(child)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for child in ast.walk(node)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
                    target = ".".join([*base, *(node.module or "").split(".")]).strip(".")
                elif (node.module or "").split(".")[0] == "neardup":
                    target = (node.module or "").removeprefix("neardup").strip(".")
                else:
                    continue
                names = tuple(alias.name for alias in node.names)
                found.append(Import(module, target, names, id(node) in guarded))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "neardup":
                        target = alias.name.removeprefix("neardup").strip(".")
                        found.append(Import(module, target, (), id(node) in guarded))
    return found


IMPORTS = _imports()
SUBMODULES = {module for module, _ in _modules()}


def _top(name: str) -> str:
    return name.split(".")[0]


def test_the_rules_know_every_part_of_the_package() -> None:
    assert {_top(m) for m in SUBMODULES if m} <= set(ALLOWED)


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_imports_run_down_the_layers(layer: str) -> None:
    wrong = [
        f"{i.module} imports {i.target or 'neardup'}"
        for i in IMPORTS
        if _top(i.module) == layer and i.module and not i.type_checking
        and _top(i.target) not in ALLOWED[layer]
    ]
    assert wrong == []


def test_no_module_imports_the_package_init() -> None:
    assert [i.module for i in IMPORTS if i.target == "" and i.module] == []


def test_no_module_imports_a_private_name_of_another() -> None:
    private = [
        f"{i.module} imports {name} from {i.target}"
        for i in IMPORTS
        for name in i.names
        if name.startswith("_") and not name.startswith("__")
        and f"{i.target}.{name}".strip(".") not in SUBMODULES  # a module is no private name
    ]
    assert private == []


def test_the_engines_do_not_import_each_other() -> None:
    engines = {"engine", "index", "spark"}
    crossing = [
        f"{i.module} imports {i.target}"
        for i in IMPORTS
        if _top(i.module) in engines and _top(i.target) in engines - {_top(i.module)}
    ]
    assert crossing == []


def _import_graph() -> dict[str, set[str]]:
    """The modules each module imports when it runs, at module level or inside a function
    (``from . import x`` counts as importing the module ``x``; type-checking imports do
    not count)."""
    graph: dict[str, set[str]] = {module: set() for module in SUBMODULES}
    for i in IMPORTS:
        if i.type_checking:
            continue
        for name in i.names or ("",):
            submodule = f"{i.target}.{name}".strip(".")
            target = submodule if name and submodule in SUBMODULES else i.target
            if target in SUBMODULES and target != i.module:
                graph[i.module].add(target)
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: every set of two or more modules that import each other,
    directly or through the others (strongly connected components, Tarjan), each sorted."""
    order: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = lowest[module] = len(order)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in order:
                visit(target)
                lowest[module] = min(lowest[module], lowest[target])
            elif target in stack:
                lowest[module] = min(lowest[module], order[target])
        if lowest[module] == order[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in order:
            visit(module)
    return sorted(found)



def test_the_circle_finder_finds_circles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": set()}
    assert _circles(graph) == [["a", "b", "c"], ["d", "e"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle() -> None:
    graph = _import_graph()
    circles = [
        " <-> ".join(circle)
        + ": "
        + "; ".join(f"{m} imports {t}" for m in circle for t in sorted(graph[m] & set(circle)))
        for circle in _circles(graph)
    ]
    assert circles == []


def test_spark_does_not_import_the_local_engine() -> None:
    """Spark shares with the local engine through the floors below (``stages``), whether
    it is one module (``spark.py``) or a package (``spark/``)."""
    assert any(_top(m) == "spark" for m in SUBMODULES)
    wrong = [
        f"{i.module} imports {i.target}"
        for i in IMPORTS
        if _top(i.module) == "spark" and _top(i.target) == "engine"
    ]
    assert wrong == []


MAX_LINES = 600


def test_no_module_is_over_600_lines() -> None:
    long = {
        module or "__init__": lines
        for module, path in _modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
