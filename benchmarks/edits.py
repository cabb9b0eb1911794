"""Planting copies: every edit the benchmarks make to a text to plant a copy of it.

Each benchmark's recorded figures depend on its generated data, so each keeps its own edits,
random stream and all (the same seed gives the same texts as before they were gathered here):

* ``generate_corpus.py`` (numpy ``Generator``): :func:`edit_text` with the kinds of
  :data:`EDITS`, :func:`mutate_text` (``--mutate-sentences``) and :func:`partial_copy`
  (``--partial-fraction``);
* ``partial_copies.py`` (numpy ``Generator``): :func:`light_edit` and :func:`heavy_edit` of a
  copied sentence, over the sentences of :func:`split_sentences`;
* ``index_scale.py`` (``random.Random``): :func:`donor_edit`, substitutions from a donor
  text, one short deletion and one short insertion;
* ``spark_compare.py`` (``random.Random``): :func:`span_edit`, short spans deleted,
  replaced or inserted until a share of the text changed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

U32 = npt.NDArray[np.uint32]

# --- the generated corpus (generate_corpus.py) ---

EDITS: tuple[tuple[str, float], ...] = (
    ("substitute", 0.01),
    ("substitute", 0.03),
    ("substitute", 0.05),
    ("substitute", 0.1),
    ("insert", 0.02),
    ("insert", 0.05),
    ("insert", 0.1),
    ("delete", 0.02),
    ("delete", 0.05),
    ("delete", 0.1),
    ("mixed", 0.03),
    ("mixed", 0.06),
    ("mixed", 0.15),
    ("move", 1),
    ("move", 3),
    ("html", 0),
)
PARTIAL_SHARES = (0.3, 0.7)
"""A partial copy takes this range of its source's sentences (uniform)."""
PARTIAL_EDIT = ("mixed", 0.025)
"""The light edit of every sentence a partial copy takes (about one character in 40)."""
SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n+")
"""Where the generated corpus cuts real text into sentences."""


def _codepoints(text: str) -> U32:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _text(cps: U32) -> str:
    return np.ascontiguousarray(cps, dtype=np.uint32).tobytes().decode("utf-32-le")


def edit_text(text: str, kind: str, rate: float, rng: np.random.Generator) -> str:
    """``text`` after one planted edit (see the module docstring)."""
    if kind == "move":
        paragraphs = text.split("\n")
        for _ in range(int(rate)):
            if len(paragraphs) < 2:
                break
            moved = paragraphs.pop(int(rng.integers(len(paragraphs))))
            paragraphs.insert(int(rng.integers(len(paragraphs) + 1)), moved)
        return "\n".join(paragraphs)
    if kind == "html":
        return _html(text, rng)
    cps = _codepoints(text)
    if not cps.size:
        return text
    if kind == "mixed":
        for sub in ("substitute", "insert", "delete"):
            cps = _char_edit(cps, sub, rate / 3, rng)
        return _text(cps)
    return _text(_char_edit(cps, kind, rate, rng))


def _char_edit(cps: U32, kind: str, rate: float, rng: np.random.Generator) -> U32:
    hit = rng.random(cps.size) < rate
    if kind == "substitute":
        out: U32 = cps.copy()
        out[hit] = cps[rng.integers(cps.size, size=int(hit.sum()))]
        return out
    if kind == "delete":
        kept: U32 = cps[~hit]
        return kept
    if kind == "insert":
        where = np.flatnonzero(hit) + 1
        grown: U32 = np.insert(cps, where, cps[rng.integers(cps.size, size=where.size)])
        return grown
    raise ValueError(f"unknown edit kind {kind!r}")


def _html(text: str, rng: np.random.Generator) -> str:
    paragraphs = text.split("\n")
    parts = [
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>新闻</title>'
        "<style>p{margin:0}</style></head><body>",
        f'<div class="article" id="a{int(rng.integers(1 << 20))}">',
    ]
    for paragraph in paragraphs:
        if rng.random() < 0.3:
            cut = int(rng.integers(len(paragraph) + 1))
            paragraph = paragraph[:cut] + "&nbsp;<br/>" + paragraph[cut:]
        style = ' style="text-indent:2em"' if rng.random() < 0.5 else ""
        parts.append(f"<p{style}>{paragraph}</p>")
    parts.append("<!-- end of article --></div></body></html>")
    return "\n".join(parts)


def mutate_text(text: str, rate: float, rng: np.random.Generator) -> str:
    """``text`` with every character but line breaks replaced with probability ``rate`` by a
    character of the text (line breaks aside), so paragraphs stay as they were."""
    cps = _codepoints(text)
    body = np.flatnonzero(cps != ord("\n"))
    if not body.size or rate <= 0:
        return text
    hit = body[rng.random(body.size) < rate]
    out: U32 = cps.copy()
    out[hit] = cps[body[rng.integers(body.size, size=hit.size)]]
    return _text(out)


def _sentences(text: str) -> list[str]:
    return [piece for piece in SENTENCE_END.split(text) if piece and not piece.isspace()]


def partial_copy(host: str, source: str, rng: np.random.Generator) -> tuple[str, dict[str, Any]]:
    """``host`` with a share (:data:`PARTIAL_SHARES`) of the sentences of ``source`` inserted,
    each lightly edited (:data:`PARTIAL_EDIT`); the text and the edit's description."""
    taken = _sentences(source)
    share = float(rng.uniform(*PARTIAL_SHARES))
    count = min(len(taken), max(1, round(share * len(taken))))
    picked = np.sort(rng.choice(len(taken), size=count, replace=False))
    shuffled = bool(rng.random() < 0.5)
    if shuffled:
        picked = rng.permutation(picked)
    kind, rate = PARTIAL_EDIT
    copied = [edit_text(taken[int(i)], kind, rate, rng) for i in picked]
    paragraphs = host.split("\n")
    spread = bool(rng.random() < 0.5)
    if spread:  # each copied sentence at a sentence break of the host, in the copied order
        own = _sentences(host)
        at = np.sort(rng.integers(len(own) + 1, size=count)).tolist()
        merged: list[str] = []
        start = 0
        for sentence, where in zip(copied, at, strict=True):
            merged += own[start:where]
            merged.append(sentence)
            start = where
        merged += own[start:]
        sizes = rng.integers(2, 7, size=len(merged)).tolist()
        paragraphs, start = [], 0
        for size in sizes:
            if start >= len(merged):
                break
            paragraphs.append("".join(merged[start : start + size]))
            start += size
    else:  # one block of paragraphs at a paragraph break of the host
        where = int(rng.integers(len(paragraphs) + 1))
        block = ["".join(copied[i : i + 4]) for i in range(0, count, 4)]
        paragraphs[where:where] = block
    edit = {
        "kind": "partial",
        "share": round(count / len(taken), 4),
        "order": "shuffled" if shuffled else "in order",
        "placement": "spread" if spread else "block",
    }
    return "\n".join(paragraphs), edit


# --- sentences of news items (partial_copies.py) ---

# A sentence: text up to a terminator (one or more of 。！？；!?;), closing quotes or
# brackets after it, and the line end if the line ends there. Joined, the pieces are the text.
_SENTENCE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)]*)?\n?")
CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"\w")
PUNCTUATION_SWAPS = {
    "，": "、,；",
    "。": "！；.",
    "、": "，,",
    "；": "，。",
    "：": ":，",
    "“": '「"',
    "”": '」"',
    "！": "。!",
    "？": "?。",
}


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``, each with its terminator and line end; joined they are ``text``.

    Example:
        >>> split_sentences("一是。二是！“三？”\\n四")
        ['一是。', '二是！', '“三？”\\n', '四']
    """
    return [piece for piece in _SENTENCE.findall(text) if piece]


def content_sentences(text: str) -> list[str]:
    """The sentences of ``text`` that hold at least two letters or digits (what is copied and
    counted; a lone space or bracket between line ends is not a sentence)."""
    return [piece for piece in split_sentences(text) if len(_WORD.findall(piece)) >= 2]


def split_paragraphs(text: str) -> list[str]:
    """Non-empty lines of ``text``, without their line ends."""
    return [line for line in text.split("\n") if line.strip()]


def _edit_chars(sentence: str, count: int, rng: np.random.Generator, alphabet: str) -> str:
    """``count`` character edits at Chinese characters: substitute, delete or insert one."""
    chars = list(sentence)
    for _ in range(count):
        spots = [i for i, ch in enumerate(chars) if CJK.match(ch)]
        if len(spots) < 2:
            break
        i = spots[int(rng.integers(len(spots)))]
        kind = int(rng.integers(3))
        new = alphabet[int(rng.integers(len(alphabet)))]
        if kind == 0:
            chars[i] = new
        elif kind == 1:
            del chars[i]
        else:
            chars.insert(i, new)
    return "".join(chars)


def _swap_punctuation(sentence: str, rate: float, rng: np.random.Generator) -> str:
    out = []
    for ch in sentence:
        options = PUNCTUATION_SWAPS.get(ch)
        if options and rng.random() < rate:
            ch = options[int(rng.integers(len(options)))]
        out.append(ch)
    return "".join(out)


def light_edit(sentence: str, rng: np.random.Generator, alphabet: str) -> str:
    """The main variant's edit: 0-3 character edits (at most one per 8 characters) and
    each punctuation mark changed with probability 0.3."""
    count = min(int(rng.integers(0, 4)), len(sentence) // 8)
    return _swap_punctuation(_edit_chars(sentence, count, rng, alphabet), 0.3, rng)


def heavy_edit(sentence: str, rng: np.random.Generator, alphabet: str) -> str:
    """The held-out variant's edit: two clauses (split at ，) swapped with probability 0.3,
    one clause of three or more dropped with probability 0.15, 1-5 character edits (at most
    one per 6 characters), each punctuation mark changed with probability 0.5."""
    body = sentence.rstrip("\n")
    end = ""
    while body and body[-1] in "。！？；!?;”’」』）)":
        end = body[-1] + end
        body = body[:-1]
    clauses = body.split("，")
    if len(clauses) >= 2 and rng.random() < 0.3:
        i = int(rng.integers(len(clauses) - 1))
        clauses[i], clauses[i + 1] = clauses[i + 1], clauses[i]
    if len(clauses) >= 3 and rng.random() < 0.15:
        del clauses[int(rng.integers(len(clauses)))]
    text = "，".join(clauses) + end
    count = min(int(rng.integers(1, 6)), len(text) // 6)
    return _swap_punctuation(_edit_chars(text, count, rng, alphabet), 0.5, rng)


def as_sentence(piece: str) -> str:
    """A copied sentence without its line end, ending with a terminator."""
    piece = piece.rstrip("\n")
    return piece if piece and piece[-1] in "。！？；!?;”’」』）)" else piece + "。"


# --- windows of the index's corpus (index_scale.py) ---


def donor_edit(rng: random.Random, chars: list[str], donors: Sequence[str], edits: int) -> str:
    """``chars`` after ``edits`` substitutions by characters of a random donor text, one
    deletion and one insertion of up to 20 characters (the insertion from the donor)."""
    if not chars:
        return ""
    donor = donors[rng.randrange(len(donors))]
    for _ in range(edits):
        chars[rng.randrange(len(chars))] = donor[rng.randrange(len(donor))] if donor else "的"
    cut = rng.randrange(len(chars))
    del chars[cut : cut + rng.randint(0, 20)]
    at = rng.randrange(len(chars) + 1)
    piece_start = rng.randrange(max(len(donor) - 20, 0) + 1)
    chars[at:at] = donor[piece_start : piece_start + rng.randint(0, 20)]
    return "".join(chars)


# --- laws of the Spark comparison (spark_compare.py) ---


def span_edit(text: str, rng: random.Random, rate: float) -> str:
    """Delete, replace or insert short spans until about ``rate`` of the text changed."""
    chars = list(text)
    budget = max(1, int(len(chars) * rate))
    while budget > 0 and chars:
        span = rng.randint(1, 8)
        at = rng.randrange(len(chars))
        op = rng.random()
        if op < 0.4:
            del chars[at : at + span]
        elif op < 0.7:
            chars[at : at + span] = rng.choices(chars, k=span)
        else:
            chars[at:at] = rng.choices(chars, k=span)
        budget -= span
    return "".join(chars)
