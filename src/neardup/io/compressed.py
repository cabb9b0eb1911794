"""Input files read through gzip when their name ends in ``.gz``: with ISA-L's decompressor
(``isal``, in the ``fast`` extra) when it is installed, about 2.6 times as fast as the
standard library's, and from the first error on with the standard library, so that a
damaged file gives the same lines and the same error either way (ISA-L raises before it
hands out what it decompressed ahead of a damaged part; gzip hands it out first)."""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, cast

_open_gzip: Callable[[Path, str], Any] | None
try:  # the fast extra
    from isal import igzip

    _open_gzip = igzip.open
except ImportError:  # pragma: no cover - depends on the installation
    _open_gzip = None

READ_BUFFER = 1 << 17
"""Bytes read from the decompressor at a time."""


def compressed(path: Path) -> bool:
    """Whether ``path`` names a gzip file (``.gz``, in any case)."""
    return path.name.lower().endswith(".gz")


def open_input(path: Path) -> IO[bytes]:
    """``path`` opened for reading its bytes, decompressed when it is :func:`compressed`."""
    if not compressed(path):
        return open(path, "rb")
    if _open_gzip is None:
        return cast(IO[bytes], gzip.open(path, "rb"))
    return io.BufferedReader(_FastGzip(path, _open_gzip), READ_BUFFER)


class _FastGzip(io.RawIOBase):
    """The decompressed bytes of a gzip file, read by ``fast`` until it fails, then by the
    standard library from the last byte handed out: what gzip alone would give."""

    def __init__(self, path: Path, fast: Callable[[Path, str], Any]) -> None:
        super().__init__()
        self._path = path
        self._reader: Any = fast(path, "rb")
        self._fast = True
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._fast:
            try:
                count = int(self._reader.readinto(buffer))
            except (EOFError, OSError, ValueError):
                self._slow_down()
            else:
                self._position += count
                return count
        # one decompressed chunk at a time, as gzip's own reader hands them out: what comes
        # before a damaged part is read before its error is raised
        data = self._reader.read1(len(buffer))
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if self._fast:
            try:
                self._position = int(self._reader.seek(offset, whence))
            except (EOFError, OSError, ValueError):
                self._slow_down()
            else:
                return self._position
        self._position = int(self._reader.seek(offset, whence))
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        if not self.closed:
            self._reader.close()
        super().close()

    def _slow_down(self) -> None:
        """Go on with the standard library from the last byte handed out."""
        self._reader.close()
        self._reader = gzip.open(self._path, "rb")  # noqa: SIM115 - closed by close()
        self._fast = False
        self._reader.seek(self._position)
