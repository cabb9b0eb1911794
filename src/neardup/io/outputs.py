"""Where neardup writes: never over one of its inputs, and whole or not at all.

* :func:`refuse_input_as_output`: the one check of every command that an output file (a
  report, a baseline, a deduplicated corpus) is not one of the files it reads: the same path,
  spelt otherwise (``./data.jsonl``), through a symbolic link or a hard link, or a file found
  in a directory given as input.
* :func:`temporary_beside`: an output is written under a temporary name beside its final one
  and renamed when complete. The temporary name holds the writing process's id
  (``.NAME.partial-PID-XXXX``), so that the leftovers of a run killed outright
  (``kill -9``, a power cut) are recognized as neardup's own and removed by the next run
  that writes the same output (:func:`remove_leftovers`), while a run still writing keeps
  its file.
* :func:`neardup_output`: whether a file found in a directory is a report neardup wrote,
  or a Parquet part of what ``scan --engine spark`` wrote (a scan leaves it out: a result
  written into the scanned directory is no document of the next scan).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError

PARTIAL = ".partial-"
"""What the temporary name of an output holds after its final name: ``.NAME.partial-PID-``."""


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name the same file: the same inode when both exist (symbolic and
    hard links, ``./`` prefixes), else the same resolved path.

    Example:
        >>> same_file("/", "/./"), same_file("/no/such/a", "/no/such/b")
        (True, False)
    """
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def refuse_input_as_output(
    output: str | os.PathLike[str] | None,
    inputs: Iterable[str | os.PathLike[str]],
    what: str = "output",
) -> None:
    """Refuse to write ``output`` when it is one of the files ``inputs`` (every file read,
    those found in directories included).

    Raises:
        InputError: naming the output and the input it is.
    """
    if output is None or not os.path.isfile(output):
        return  # a new file is no input; a device or a pipe (/dev/stdout) is never replaced
    clash = next((raw for raw in inputs if same_file(raw, output)), None)
    if clash is not None:
        raise InputError(
            f"{output}: the {what} is the input {clash}: it would be overwritten; write the "
            f"{what} elsewhere"
        )


def temporary_beside(final: Path, directory: bool) -> Path:
    """A new empty file (or directory) beside ``final`` to write it under, named
    ``.NAME.partial-PID-XXXX``, after removing the leftovers of earlier runs
    (:func:`remove_leftovers`); with the permissions a new file or directory gets.

    Raises:
        OSError: the directory of ``final`` cannot be written (the error names the temporary
            file: a message for people names ``final``).
    """
    remove_leftovers(final)
    prefix = f"{_partial_prefix(final)}{os.getpid()}-"
    if directory:
        temporary = Path(tempfile.mkdtemp(prefix=prefix, dir=final.parent))
    else:
        handle, name = tempfile.mkstemp(prefix=prefix, dir=final.parent)
        os.close(handle)
        temporary = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, (0o777 if directory else 0o666) & ~umask)  # not mkstemp's 0600
    return temporary


def remove_leftovers(final: Path) -> list[Path]:
    """Remove the temporary files and directories left beside ``final`` by neardup runs
    that ended without cleaning up (killed): those named ``.NAME.partial-PID-...`` whose
    process no longer runs. What was removed."""
    pattern = re.compile(re.escape(_partial_prefix(final)) + r"([0-9]+)-")
    removed: list[Path] = []
    try:
        names = os.listdir(final.parent)
    except OSError:
        return removed
    for name in names:
        match = pattern.match(name)
        if match is None or _running(int(match.group(1))):
            continue
        path = final.parent / name
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    return removed


def _partial_prefix(final: Path) -> str:
    """``.NAME.partial-``, the name cut so that the temporary name stays within the 255
    bytes a file name may have."""
    name = final.name
    while len(name.encode()) > 200:
        name = name[:-1]
    return f".{name}{PARTIAL}"


def _running(pid: int) -> bool:
    """Whether a process of this id runs (one of another user counts as running)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


_TEXT_REPORT = re.compile(rb"neardup: [0-9,]+ documents? read, ")
_GITHUB_REPORT = re.compile(rb"::(error|warning|notice) [^\n]*title=")
_JSON_REPORTS = (
    ("a", "b", "jaccard"),  # a pair of scan's or check's JSON Lines report
    ("id", "kept", "similarity", "exact"),  # a line of dedup --removed
    ("id", "cluster", "kept", "similarity"),  # a line of dedup --clusters
)
HEAD_BYTES = 1 << 16
"""Bytes of a file read to tell whether neardup wrote it."""


SPARK_OUTPUTS = {
    "pairs": ("a", "b", "jaccard"),
    "clusters": ("id", "cluster_id", "representative"),
    "skipped": ("id", "reason"),
    "set_apart": ("a", "b", "jaccard"),
    "copies": ("id", "share", "sources"),
}
"""The directories ``scan --engine spark`` writes under its output, and the first columns of
their Parquet files."""


def neardup_output(path: Path) -> str | None:
    """What neardup output the file ``path`` is, or None (any other file, and one that
    cannot be read). A Parquet file is a part of a Spark scan's output (:func:`spark_part`);
    a text or JSON Lines file is told by the first line neardup writes in it.

    Each report that a scan could read as documents begins so: the text report with
    ``neardup: N documents read, ...``, the Markdown report with ``# neardup report``, the
    GitHub report with a workflow command (``::error ...title=``), the JSON Lines report with
    a pair's ``{"a": ..., "b": ..., "jaccard": ...}``, and ``dedup``'s ``--removed`` and
    ``--clusters`` files with their fields, in their order. A deduplicated corpus is not a
    report: it is read as the documents it holds.
    """
    if path.name.lower().endswith(".parquet"):
        return spark_part(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError:
        return None
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    if _TEXT_REPORT.match(first):
        return "a neardup text report"
    if first == b"# neardup report":
        return "a neardup Markdown report"
    if _GITHUB_REPORT.match(first):
        return "a neardup GitHub report"
    if _PAIR_LINE.match(first):  # also a line longer than what was read
        return "a neardup JSON Lines report"
    if first.startswith(b"{"):
        try:
            record = json.loads(first)
        except ValueError:
            return None
        keys = tuple(record)[:4] if isinstance(record, dict) else ()
        if any(keys[: len(fields)] == fields for fields in _JSON_REPORTS):
            return "a neardup JSON Lines output"
    return None


def spark_part(path: Path) -> str | None:
    """What a Parquet file is when ``scan --engine spark`` wrote it: a part file
    (``part-*``) in a directory named as one of :data:`SPARK_OUTPUTS`, whose columns begin
    as that output's (read from the file's footer); else None (and when pyarrow is absent:
    the file is then refused as data, naming pyarrow)."""
    folder = path.parent.name
    if folder not in SPARK_OUTPUTS or not path.name.startswith("part-"):
        return None
    try:
        import pyarrow.parquet as pq

        names = tuple(pq.read_schema(path).names)
    except Exception:
        return None
    lead = SPARK_OUTPUTS[folder]
    return f"the {folder}/ of a neardup Spark scan" if names[: len(lead)] == lead else None


_STRING = rb'"(?:[^"\\]|\\.)*"'
_PAIR_LINE = re.compile(rb'\{"a": ' + _STRING + rb', "b": ' + _STRING + rb', "jaccard": [0-9]')
