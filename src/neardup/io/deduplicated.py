"""The deduplicated corpus: the files of a :class:`~neardup.io.corpus.Corpus` written again
without the records removed, every other byte as it was.

* JSON Lines: each kept line is copied byte for byte, in input order, by byte offset (the
  removed lines are cut out of the stream; nothing is parsed or re-serialized). A line that
  holds no document (malformed JSON) is never removed, so it is copied too.
* Text files: a file whose one document is removed is not written; a multi-article file is
  written with its kept articles only, each with its heading, in the file's own encoding.
* Parquet: the kept rows, every column, the same schema, row group by row group.

The output is a directory that mirrors the inputs' relative paths (the names
:class:`~neardup.io.corpus.Corpus` gives them), one JSON Lines file (``.jsonl``,
``.jsonl.gz``) holding the kept lines of every input, or for one Parquet input one Parquet
file. It is written under a temporary name beside the target and renamed when complete and
checked, so an interrupted or failed run leaves nothing under the final name (and a run
killed outright leaves a temporary that the next run removes, see
:mod:`neardup.io.outputs`).
"""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import numpy as np

from ..errors import InputError
from .compressed import compressed, open_input
from .corpus import Corpus
from .documents import article_spans, decode_text_file, file_kind
from .outputs import same_file, temporary_beside
from .parquet import parquet_rows, write_rows_without

CHUNK = 1 << 20
"""Bytes copied at a time."""


@dataclass
class Written:
    """What the writer wrote: records kept and left out, files written, and where."""

    kept: int = 0
    """Records written (documents kept, and records passed through)."""
    removed: int = 0
    files: int = 0
    path: str = ""


FILE_SUFFIXES = (".txt", ".md", ".json", ".csv", ".tsv", ".html", ".htm", ".xml")
"""Names of files, which a dedup output directory is not given (``-o o.txt`` made a directory
``o.txt/``)."""


def single_file_output(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names one JSON Lines file (``.jsonl``, ``.jsonl.gz``) rather than a
    directory."""
    return file_kind(Path(path)) == "jsonl"


def single_parquet(
    output: str | os.PathLike[str], inputs: Sequence[str | os.PathLike[str]]
) -> bool:
    """Whether ``output`` names one Parquet file for the rows of one Parquet file input."""
    return (
        file_kind(Path(output)) == "parquet" and len(inputs) == 1
        and file_kind(Path(inputs[0])) == "parquet" and os.path.isfile(inputs[0])
    )


def check_output(output: str | os.PathLike[str], inputs: Sequence[str | os.PathLike[str]]) -> None:
    """Refuse an output that is one of the inputs, inside one, or holds one, and a directory
    output that exists and is not empty.

    Raises:
        InputError: naming the output and why.
    """
    target = Path(output).resolve()
    if target.suffix.lower() in FILE_SUFFIXES and not target.is_dir():
        raise InputError(
            f"{output}: dedup writes a directory here, not a {target.suffix} file (the "
            "inputs mirrored; one .jsonl file for JSON Lines inputs, one .parquet for one "
            "Parquet file): give a directory name"
        )
    if file_kind(target) == "parquet" and not single_parquet(output, inputs):
        raise InputError(
            f"{output}: a Parquet output holds the rows of one Parquet input; for several "
            "inputs, name a directory (each is written there under its own name)"
        )
    for raw in inputs:
        source = Path(raw).resolve()
        if same_file(raw, output) or target == source:
            raise InputError(f"{output}: the output is the input {raw}")
        if source in target.parents or target in source.parents:
            relation = "is inside" if source in target.parents else "holds"
            raise InputError(f"{output}: the output {relation} the input {raw}")
    if not single_file_output(output) and target.is_dir() and any(target.iterdir()):
        raise InputError(f"{output}: the output directory exists and is not empty")
    one_file = single_file_output(output) or single_parquet(output, inputs)
    if target.exists() and not target.is_dir() and not one_file:
        raise InputError(f"{output}: exists and is not a directory")


def write_deduplicated(
    corpus: Corpus,
    removed_positions: Sequence[int],
    output: str | os.PathLike[str],
    skipped_files: set[str] | frozenset[str] = frozenset(),
    expected: tuple[int, int] | None = None,
) -> Written:
    """Write the corpus without the records at ``removed_positions`` (positions of the
    corpus's last :meth:`~neardup.io.corpus.Corpus.records` iteration) to ``output``: a
    directory, one ``.jsonl``/``.jsonl.gz`` file, or one ``.parquet`` file for one Parquet
    input. ``skipped_files`` (paths) could not be read and are not written. With
    ``expected`` (records to keep, records to remove), what was written is compared with it
    before the output gets its final name.

    Raises:
        InputError: a JSON Lines output for inputs that are not all JSON Lines, two inputs
            with the same name, an input that changed since it was read, or counts other
            than ``expected`` (nothing is then written under the output's name).
    """
    file_of, key_of = corpus.record_locations()
    removed = np.zeros(file_of.size, dtype=bool)
    removed[np.asarray(removed_positions, dtype=np.int64)] = True
    files = [(path, name) for path, name in corpus.files if str(path) not in skipped_files]
    if single_file_output(output):
        others = [name for path, name in files if file_kind(path) != "jsonl"]
        if others:
            raise InputError(
                f"{output}: a JSON Lines output holds JSON Lines inputs only ({others[0]} is "
                "not one): name a directory to write to instead"
            )
    elif len({name for _, name in files}) < len(files):
        raise InputError(f"{output}: two inputs have the same name; they cannot be mirrored")
    index_of = {str(path): k for k, (path, _) in enumerate(corpus.files)}
    written = Written(path=str(output))
    one_parquet = single_parquet(output, [str(path) for path, _ in corpus.files])
    directory = not (single_file_output(output) or one_parquet)
    with _replaced(Path(output), directory=directory) as target:
        shared: IO[bytes] | None = None
        ended = True
        if single_file_output(output):
            shared = _open_out(target, compressed=compressed(Path(output)))
        try:
            for path, name in files:
                mine = np.flatnonzero(file_of == index_of[str(path)])
                cut = mine[removed[mine]]
                records = parquet_rows(path) if file_kind(path) == "parquet" else mine.size
                written.kept += int(records - cut.size)  # a Parquet file's null texts too
                written.removed += int(cut.size)
                if shared is not None:
                    if not ended:
                        shared.write(b"\n")  # the previous file's last line had none
                    ended = _copy_lines(path, shared, _cuts(mine, cut, key_of))
                    written.files = 1
                elif one_parquet:
                    write_rows_without(path, target, key_of[cut].tolist())
                    written.files = 1
                elif _write_file(path, target / name, mine, cut, key_of):
                    written.files += 1
        finally:
            if shared is not None:
                shared.close()
        if expected is not None and (written.kept, written.removed) != expected:
            raise InputError(
                f"{output}: {written.kept:,} records would be written and {written.removed:,} "
                f"left out, but {expected[0]:,} were to be kept and {expected[1]:,} removed "
                "(did an input change while running?); nothing written"
            )
    return written


def _cuts(
    mine: np.ndarray, cut: np.ndarray, key_of: np.ndarray
) -> list[tuple[int, int | None]]:
    """The byte ranges of the removed lines of one file: ``(start, end)``, end None for the
    last line (up to the end of the file)."""
    after = {int(p): int(q) for p, q in zip(mine[:-1].tolist(), mine[1:].tolist(), strict=True)}
    return [
        (int(key_of[p]), int(key_of[after[p]]) if p in after else None) for p in cut.tolist()
    ]


def _write_file(
    path: Path, target: Path, mine: np.ndarray, cut: np.ndarray, key_of: np.ndarray
) -> bool:
    """Write one input file without its removed records; whether anything was written."""
    if mine.size and mine.size == cut.size and file_kind(path) != "jsonl":
        return False  # every document of a text file or a Parquet file removed
    target.parent.mkdir(parents=True, exist_ok=True)
    kind = file_kind(path)
    if not cut.size:
        shutil.copyfile(path, target)
    elif kind == "jsonl":
        with _open_out(target, compressed=compressed(path)) as out:
            _copy_lines(path, out, _cuts(mine, cut, key_of))
    elif kind == "parquet":
        write_rows_without(path, target, key_of[cut].tolist())
    else:
        _write_articles(path, target, set(key_of[cut].tolist()))
    return True


def _copy_lines(path: Path, out: IO[bytes], cuts: list[tuple[int, int | None]]) -> bool:
    """Copy a JSON Lines file to ``out`` without the byte ranges ``cuts`` (each a whole line;
    ascending); whether what was copied ends with a newline (or nothing was copied)."""
    last = b"\n"
    with open_input(path) as source:
        at = 0
        for start, end in cuts:
            last = _copy(source, out, start - at) or last
            if end is None:
                at = -1
                break
            line = _read_exactly(source, end - start, path)
            if not line.endswith(b"\n"):
                raise InputError(f"{path}: changed while being deduplicated (a line moved)")
            at = end
        if at >= 0:
            last = _copy(source, out, None) or last
    return last.endswith(b"\n")


def _copy(source: IO[bytes], out: IO[bytes], count: int | None) -> bytes:
    """Copy ``count`` bytes (None: the rest); the last chunk copied (b"" when none)."""
    last = b""
    while count is None or count > 0:
        chunk = source.read(CHUNK if count is None else min(CHUNK, count))
        if not chunk:
            if count:
                raise InputError(f"{getattr(source, 'name', 'input')}: shorter than when read")
            break
        out.write(chunk)
        last = chunk
        if count is not None:
            count -= len(chunk)
    return last


def _read_exactly(source: IO[bytes], count: int, path: Path) -> bytes:
    data = source.read(count)
    if len(data) != count:
        raise InputError(f"{path}: changed while being deduplicated (shorter than before)")
    return data


def _write_articles(path: Path, target: Path, removed: set[int]) -> None:
    """A text file with the documents whose ordinals are ``removed`` cut out (headings and
    all), encoded as it was."""
    text, encoding, bom = decode_text_file(path.read_bytes(), str(path))
    spans = article_spans(text) or [(0, len(text))]
    kept, at = [], 0
    for ordinal, (start, end) in enumerate(spans):
        if ordinal in removed:
            kept.append(text[at:start])
            at = end
    kept.append(text[at:])
    target.write_bytes(bom + "".join(kept).encode(encoding))


def _open_out(path: Path, compressed: bool) -> IO[bytes]:
    if compressed:
        return cast(IO[bytes], gzip.open(path, "wb", compresslevel=6))
    return open(path, "wb")


@contextmanager
def _replaced(final: Path, directory: bool) -> Iterator[Path]:
    """A temporary path beside ``final`` to write to (see
    :func:`~neardup.io.outputs.temporary_beside`), renamed to ``final`` when the block
    completes (and removed when it does not).

    Raises:
        InputError: ``final``'s directory cannot be made or written (naming ``final``).
    """
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        temporary = temporary_beside(final, directory)
    except OSError as exc:
        raise InputError(f"{final}: cannot write: {exc.strerror or exc}") from None
    try:
        yield temporary
        if directory and final.is_dir():
            final.rmdir()  # empty (checked): replaced by the complete output
        os.replace(temporary, final)
    except BaseException:
        if temporary.is_dir():
            shutil.rmtree(temporary, ignore_errors=True)
        else:
            temporary.unlink(missing_ok=True)
        raise
