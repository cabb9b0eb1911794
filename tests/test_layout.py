"""The dependency rules of the package, checked on its source.

The package is layered, and imports run down the layers only::

    cli                   the command line
    engine, index, spark  the three engines (none imports another)
    stages                what every engine runs the same way
    searches              one module per search mode, behind one protocol
    io, parameters        documents and corpora; the validated parameters
    core                  the pure algorithms
    report, formats       the output model and its formats
    errors, _types, _version

(imports made for type checkers only are not counted); see docs/architecture.md.

and no module imports a private name of another module, or the package's ``__init__``.
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
    "report": LEAVES,
    "core": LEAVES | {"core", "report"},
    "io": LEAVES | {"io", "report"},
    "parameters": LEAVES | {"core"},
    "searches": LEAVES | {"core", "parameters", "searches"},
    "stages": LEAVES | {"core", "io", "parameters", "report", "searches", "stages"},
    "engine": LEAVES | {"core", "io", "parameters", "report", "searches", "stages", "engine"},
    "index": LEAVES | {"core", "io", "parameters", "report", "searches", "stages", "index"},
    "spark": LEAVES | {"core", "io", "parameters", "report", "searches", "stages", "spark"},
    "formats": LEAVES | {"report", "formats"},
    "cli": LEAVES
    | {"core", "io", "parameters", "report", "searches", "stages", "engine", "index", "spark",
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
