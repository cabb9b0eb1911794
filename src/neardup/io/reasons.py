"""Why a file or a record was not read: what a path that is no file is, a file read in part,
a damaged file."""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path


def what_is(path: Path) -> str:
    """What a path that is neither a file nor a directory is, for messages: ``no such file
    or directory``, ``a symbolic link that loops``, ``a broken symbolic link to ...``, ``a
    named pipe (FIFO), not a file``, ...

    Example:
        >>> what_is(Path("/no/such/thing"))
        'no such file or directory'
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link that loops (it leads back to itself)"
        if os.path.islink(path):
            return f"a broken symbolic link (to {os.readlink(path)!r}, which does not exist)"
        return "no such file or directory" if exc.errno == errno.ENOENT else (
            f"cannot be read: {exc.strerror}"
        )
    kinds = (
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    )
    kind = next((name for test, name in kinds if test(mode)), "not a regular file")
    return f"{kind}, not a file or directory: give a file (or '-' for standard input)"


def partly_read(records: int, reason: str) -> str:
    """Why the rest of a file was not read, when its first ``records`` were.

    Example:
        >>> partly_read(62, "cannot read: Compressed file ended")
        'read 62 records, then: cannot read: Compressed file ended'
    """
    return f"read {plural_records(records)}, then: {reason}"


def plural_records(count: int) -> str:
    """``1 record``, ``62 records``."""
    return f"{count:,} record" + ("" if count == 1 else "s")


CANNOT_READ = "cannot read"
"""How the reason of a file that could not be read (damaged, truncated) begins."""


def is_damage(reason: str) -> bool:
    """Whether a reason is that of a file that could not be read whole (an I/O error, a
    truncated or foreign compressed file, a damaged Parquet file), not of one that was read
    and holds no text.

    Example:
        >>> [is_damage(r) for r in (partly_read(3, "cannot read line 4: ..."),
        ...  "binary file (contains NUL bytes), not text")]
        [True, False]
    """
    return (reason.startswith((CANNOT_READ, "not a readable Parquet file"))
            or is_partly_read(reason))


def is_partly_read(reason: str) -> bool:
    """Whether a reason is one of :func:`partly_read` (the file was used in part)."""
    return _PARTLY.match(reason) is not None


_PARTLY = re.compile(r"read [0-9,]+ records?, then: ")
