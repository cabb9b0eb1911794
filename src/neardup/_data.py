"""The data files shipped inside the package (``src/neardup/data/``, described in its
README.md), read when asked for, never at import, and never fetched at run time.

- ``t2s.tsv.gz``: traditional to simplified characters (OpenCC), ``traditional<TAB>simplified``
  a line;
- ``cilin.txt.gz``: the extended HIT Tongyici Cilin, ``code word word ...`` a line.

:mod:`neardup.core.folding` makes its folding tables from them.
"""

from __future__ import annotations

import gzip
from importlib import resources


def script_pairs() -> list[tuple[str, str]]:
    """The (traditional, simplified) character pairs of ``t2s.tsv.gz``."""
    pairs = (line.split("\t") for line in _text("t2s.tsv.gz").splitlines())
    return [(traditional, simplified) for traditional, simplified in pairs]


def cilin_entries() -> list[tuple[str, list[str]]]:
    """The entries of ``cilin.txt.gz`` in file order: (code, ending in its flag ``=``, ``#``
    or ``@``; words)."""
    entries = []
    for line in _text("cilin.txt.gz").splitlines():
        code, *words = line.split(" ")
        entries.append((code, words))
    return entries


def _text(name: str) -> str:
    data = resources.files("neardup").joinpath("data").joinpath(name).read_bytes()
    return gzip.decompress(data).decode("utf-8")
