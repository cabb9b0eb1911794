"""Start-up (issue 17, item 3): what a command imports before it does its work.

``neardup --help`` and ``--version`` import neither numpy nor the engines; numba is loaded
only when a job is large enough to pay for it, never by ``index info`` or a small ``check``.
Each case runs in a fresh interpreter (``sys.modules`` of this one holds everything). The
times themselves are measured by ``benchmarks/startup.py``, not here.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

import neardup
from neardup import DuplicateIndex
from neardup.cli import COMMANDS, main

SRC = Path(neardup.__file__).resolve().parents[1]
HEAVY = ("numpy", "numba", "sqlite3", "neardup.engine", "neardup.index", "neardup.core")


def loaded_after(code: str, *, env: dict[str, str] | None = None) -> dict[str, bool]:
    """Which of :data:`HEAVY` a fresh interpreter has imported after running ``code``."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps({{m: any(k == m or k.startswith(m + '.') for k in sys.modules) "
        f"for m in {HEAVY!r}}}))"
    )
    environment = {k: v for k, v in os.environ.items() if k != "NEARDUP_KERNEL"}
    environment.update({"PYTHONPATH": str(SRC), **(env or {})})
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=environment,
        check=True,
    )
    loaded: dict[str, bool] = json.loads(done.stdout.splitlines()[-1])
    return loaded


def run_cli(*args: str) -> str:
    """Python code running the command line with ``args``, as the ``neardup`` script does."""
    return (
        "from neardup.cli import main\n"
        f"try:\n    main({list(args)!r})\nexcept SystemExit as exc:\n"
        "    assert exc.code in (0, 1, None), exc.code\n"
    )


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["-h"]])
def test_help_and_version_import_no_engine(args: list[str]) -> None:
    loaded = loaded_after(run_cli(*args))
    assert not any(loaded.values()), loaded


def test_importing_the_package_and_the_cli_loads_nothing_heavy() -> None:
    assert not any(loaded_after("import neardup, neardup.cli").values())


def test_every_public_name_resolves_from_its_module() -> None:
    """The lazy names of ``neardup``: each in ``__all__``, each imported by the module the
    table names, the same as in the static imports type checkers read."""
    lazy = {name: module for module, names in neardup._MODULES.items() for name in names}
    assert set(lazy) | {"__version__"} == set(neardup.__all__)
    tree = ast.parse(Path(neardup.__file__).read_text(encoding="utf-8"))
    guarded = next(n for n in tree.body if isinstance(n, ast.If))
    static = {
        alias.name: node.module
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert static == lazy
    for name, module in lazy.items():
        assert getattr(neardup, name) is getattr(
            __import__(f"neardup.{module}", fromlist=[name]), name
        )
    assert set(neardup.__all__) <= set(dir(neardup))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = neardup.nothing  # type: ignore[attr-defined]


def test_the_command_list_says_what_each_command_says() -> None:
    """``neardup --help`` lists the commands from :data:`neardup.cli.COMMANDS` without
    importing them; each summary is the command's own ``short_help``."""
    context = click.Context(main, **main.context_settings)
    for name, summary in COMMANDS.items():
        command = main.get_command(context, name)
        assert command is not None
        assert command.short_help == summary, name
    imported = click.Group(commands={n: main.get_command(context, n) for n in COMMANDS})
    listed = main.get_help(context).split("Commands:")[1].split("\n\n")[0]
    assert listed == imported.get_help(click.Context(imported)).split("Commands:")[1].rstrip()
    assert main.get_command(context, "nothing") is None


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An index of 20 documents, and a batch of two documents to check against it."""
    folder = tmp_path_factory.mktemp("startup")
    path = folder / "small.ndx"
    base = "我们今天去北京天安门看升旗仪式，然后去故宫博物院参观。"
    with DuplicateIndex.create(path) as idx:
        idx.add({f"d{i}": base * (i % 3 + 1) + str(i) * 30 for i in range(20)})
    batch = folder / "batch.jsonl"
    batch.write_text(
        json.dumps({"id": "new", "text": base * 2 + "1" * 30}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "other", "text": "今天天气很好我们去公园玩" * 4}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    return path, batch


@pytest.mark.slow  # fresh interpreters: keeps -m "not slow" within its minute
def test_index_info_and_a_small_check_do_not_load_numba(small_index: tuple[Path, Path]) -> None:
    """numba and its cached kernels take 1-2 s to load; ``index info`` needs no kernel, and
    the numpy kernel hashes a few documents in a millisecond."""
    path, batch = small_index
    info = loaded_after(run_cli("index", "info", str(path)))
    assert not info["numba"]
    checked = loaded_after(run_cli("check", str(batch), "--index", str(path), "-q"))
    assert checked["numpy"] and not checked["numba"]
    copies = loaded_after(
        run_cli("check", str(batch), "--index", str(path), "-q", "--containment", "0.5")
    )
    assert not copies["numba"]


@pytest.mark.slow  # fresh interpreters: keeps -m "not slow" within its minute
def test_numba_is_loaded_once_the_numpy_kernel_has_paid_for_it() -> None:
    pytest.importorskip("numba")
    code = (
        "import numpy as np\n"
        "from neardup.core import kernels, minhash\n"
        "docs = [np.arange(300, dtype=np.uint32)]\n"
        "first = kernels.kernel_name()\n"
        "a = minhash.minhash_codepoints(docs, 5)\n"
        "kernels.add_numpy_seconds(kernels.NUMBA_LOAD_SECONDS)\n"
        "assert (first, kernels.kernel_name()) == ('numpy', 'numba')\n"
        "assert (minhash.minhash_codepoints(docs, 5) == a).all()\n"
    )
    assert loaded_after(code)["numba"]
    forced = loaded_after("from neardup.core import kernels\nkernels.kernel_name()",
                          env={"NEARDUP_KERNEL": "numba"})
    assert forced["numba"]


@pytest.mark.slow  # fresh interpreters: keeps -m "not slow" within its minute
def test_a_pair_of_huge_texts_loads_numba_for_its_passages() -> None:
    """Two documents never spend a second in signatures, but their passages would spend
    minutes in numpy: the passage search loads numba for a large pair, not for a small one."""
    pytest.importorskip("numba")
    small = loaded_after("from neardup.core import passages\nassert not passages._compiled(500, 500)")
    assert not small["numba"]
    large = loaded_after(
        "from neardup.core import passages\nassert passages._compiled(1_000_000, 1_000_000)"
    )
    assert large["numba"]
