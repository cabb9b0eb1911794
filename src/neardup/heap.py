"""Heap settings for neardup's own processes (worker processes and the command line).

numpy allocates each batch's temporaries (tens of megabytes) afresh; with glibc's defaults
large blocks are mapped from the system for every batch and unmapped when freed, and
zeroing the new pages cost about a fifth of a run's CPU time (system time). Keeping freed
memory in the heap lets the next batch reuse it. Nothing is changed in a program that
merely imports neardup: only processes neardup starts, and its command line, call this.
"""

from __future__ import annotations

import ctypes
import sys

_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to serve large blocks from the heap and keep freed memory for
    reuse (up to 1 GiB); returns whether it took effect (False off glibc)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    settings = (
        (_M_MMAP_THRESHOLD, 256 << 20),
        (_M_TRIM_THRESHOLD, 1 << 30),
        (_M_TOP_PAD, 64 << 20),
    )
    return all(mallopt(option, value) == 1 for option, value in settings)
