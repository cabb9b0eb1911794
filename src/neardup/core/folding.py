"""Script and synonym folding: normalized text made the same where copies differ only in
script (traditional and simplified Chinese) or in words of one synonym class.

*Script folding* maps every traditional (or variant) character to its simplified form, one
code point to one code point, through a table made from OpenCC's character dictionaries
(``data/t2s.tsv.gz``, built by ``tools/build_folding_data.py``; the package's data files are
read by :mod:`neardup._data`). Character by character, not phrase by phrase: the length
never changes, so every offset stays where it was, and a lone ambiguous character (乾 in 乾隆
and in 乾净) folds the same way in every document, which is all a comparison needs.

*Synonym folding* segments the text into words (:func:`segment`: jieba's dictionary and
algorithm, without its HMM for unknown words) and replaces each word found in the synonym
table by the representative of its class. The table is the extended HIT Tongyici Cilin
(同义词词林扩展版, ``data/cilin.txt.gz``); a class is one fifth-level code whose flag is
``=`` (synonyms), see :data:`SYNONYM_CLASSES`. A word in several classes (polysemy) belongs
to the first in code order; a class's representative is its first word that belongs to it.

Each folded character keeps a span ``[start, end)`` of the text it came from: a character
of an unchanged word its own position, every character of a replacement the whole word it
replaced. So passages found in folded text map back to whole original words.

Example:
    >>> fold_script_text("國際經濟會議")
    '国际经济会议'
    >>> folded = fold_synonyms("他们马上召开会议")
    >>> folded.text
    '他们立刻举行会议'
    >>> folded.starts.tolist(), folded.ends.tolist()
    ([0, 1, 2, 2, 4, 4, 6, 7], [1, 2, 4, 4, 6, 6, 7, 8])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from .._data import cilin_entries, script_pairs
from .._types import I64, U32

SYNONYM_CLASSES = "5="
"""Which Cilin entries make one class: ``"5="`` the fifth-level synonym sets (flag ``=``);
``"5=#"`` also the sets of related words (``#``); ``"4"`` every word under one fourth-level
code. Chosen by measurement (``benchmarks/rewrites.py``; see the benchmarks README)."""

MIN_WORD_CHARS = 1
"""Words shorter than this are never replaced."""

SENSE = "first"
"""Which class a word in several classes belongs to (see :func:`synonym_table`)."""


@lru_cache(maxsize=1)
def script_table() -> U32:
    """Code point → code point, traditional to simplified (identity elsewhere); 4.4 MB,
    loaded on first use."""
    table = np.arange(0x110000, dtype=np.uint32)
    pairs = script_pairs()
    table[np.array([ord(a) for a, _ in pairs])] = np.array([ord(b) for _, b in pairs])
    return table


def fold_script(cps: U32) -> U32:
    """Traditional characters of ``cps`` (code points) replaced by simplified ones; same
    length."""
    out: U32 = script_table()[cps]
    return out


def fold_script_text(text: str) -> str:
    """:func:`fold_script` of a string."""
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return fold_script(cps).tobytes().decode("utf-32-le", "surrogatepass")


def cilin_classes(classes: str = SYNONYM_CLASSES) -> list[tuple[str, list[str]]]:
    """The Cilin classes as (code, words), in code order, grouped as ``classes`` says."""
    groups: dict[str, list[str]] = {}
    for code, words in cilin_entries():
        flag = code[-1]
        if classes == "5=":
            if flag != "=":
                continue
            key = code
        elif classes == "5=#":
            if flag == "@":
                continue
            key = code
        elif classes == "4":
            key = code[:5]
        else:
            raise ValueError(f"classes must be '5=', '5=#' or '4' (got {classes!r})")
        members = groups.setdefault(key, [])
        members.extend(w for w in words if w not in members)
    return sorted(groups.items())


@lru_cache(maxsize=4)
def synonym_table(
    classes: str = SYNONYM_CLASSES, min_chars: int = MIN_WORD_CHARS, sense: str = SENSE
) -> dict[str, str]:
    """Word → representative of its class, for the words that change (loaded on first use).

    A word in several classes belongs to one: the first in code order (``sense="first"``),
    or the one that lists it nearest the front, then the first in code order (``"front"``).
    """
    first_class: dict[str, str] = {}
    grouped = cilin_classes(classes)
    rank: dict[str, tuple[int, int]] = {}
    for number, (code, words) in enumerate(grouped):
        for position, w in enumerate(words):
            key = (position, number) if sense == "front" else (0, number)
            if w not in rank or key < rank[w]:
                rank[w] = key
                first_class[w] = code
    representative: dict[str, str] = {}
    for code, words in grouped:
        own = [w for w in words if first_class[w] == code]
        representative[code] = own[0] if own else words[0]
    return {
        w: representative[code]
        for w, code in first_class.items()
        if len(w) >= min_chars and representative[code] != w
    }


def segment(text: str, hmm: bool = False) -> list[str]:
    """jieba's words of ``text``: the words of its dictionary and, with ``hmm``, words
    outside it found by its HMM (word shingles want those; synonym folding does not, as only
    dictionary words have a synonym class). rjieba loads on first use.

    The one segmenter of neardup is rjieba (jieba's dictionary and algorithm in Rust), for
    word shingles (HMM on) and synonym folding (HMM off) alike. It gives jieba's words: on
    the normalized texts of the laws (3,475 documents, 17.5 M characters) and of 6,000 news
    items, no document segments differently with the HMM or without it, and it is 12-18
    times faster than jieba.
    """
    import rjieba

    words: list[str] = rjieba.cut(text, hmm=hmm)
    return words


@dataclass(frozen=True)
class Folded:
    """A folded text and, for each of its characters, the span ``[starts[i], ends[i])`` of
    the text it was folded from."""

    text: str
    starts: npt.NDArray[np.int64] = field(repr=False)
    ends: npt.NDArray[np.int64] = field(repr=False)


def fold_synonyms(text: str) -> Folded:
    """Replace every word of ``text`` that has a synonym class by its class's representative.

    Returns:
        The folded text, with the span of ``text`` each of its characters comes from.
    """
    table = synonym_table()
    words = segment(text) if text else []
    folded = [table.get(w, w) for w in words]
    in_len = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
    out_len = np.fromiter((len(w) for w in folded), dtype=np.int64, count=len(folded))
    in_start = np.cumsum(in_len) - in_len
    out_start = np.cumsum(out_len) - out_len
    word = np.repeat(np.arange(len(words), dtype=np.int64), out_len)
    within = np.arange(int(out_len.sum()), dtype=np.int64) - out_start[word]
    changed = np.fromiter(
        (a is not b for a, b in zip(words, folded, strict=True)), dtype=bool, count=len(words)
    )[word]
    starts = np.where(changed, in_start[word], in_start[word] + within)
    ends = np.where(changed, in_start[word] + in_len[word], starts + 1)
    return Folded("".join(folded), starts, ends)


def fold_synonyms_many(texts: Sequence[str]) -> list[str]:
    """:func:`fold_synonyms` of a batch (texts without line breaks, as normalized texts
    are), only the folded texts: one segmentation of the whole batch."""
    joined = "\n".join(texts)
    if not joined:
        return list(texts)
    return _fold_joined(joined).split("\n")


def _fold_joined(text: str) -> str:
    """The words of ``text`` folded (``map`` with the table's ``get``: no Python frame per
    word)."""
    words = segment(text)
    table = synonym_table()
    return "".join(map(table.get, words, words))


def fold_synonyms_packed(flat: U32, lengths: I64) -> tuple[U32, I64]:
    """:func:`fold_synonyms_many` of texts given as concatenated code points and lengths.

    The texts are joined with line breaks (one segmentation for the batch; no word crosses
    a line break), folded, and cut at the line breaks again.
    """
    if not flat.size:
        return flat, lengths
    ends = np.cumsum(lengths)
    joined = np.insert(flat, ends[:-1], np.uint32(0x0A))
    text = joined.tobytes().decode("utf-32-le", "surrogatepass")
    out = np.frombuffer(_fold_joined(text).encode("utf-32-le", "surrogatepass"), np.uint32)
    breaks = np.flatnonzero(out == 0x0A)
    sizes = np.diff(np.concatenate(([-1], breaks, [out.size]))) - 1
    return out[out != 0x0A], sizes.astype(np.int64)
