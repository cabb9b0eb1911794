"""Partial copies of real news items: recall and precision of containment search (issue 12).

A planted *partial copy* is a real news item (the *host*) into which 20-70 % of another
item's sentences (the *source*) have been inserted, with light edits. The copy takes the
host's place in the corpus (the host itself is removed, so the copy is the only document
carrying its text); the source stays. The background is the whole news corpus
(``../shared/corpora/cctv_news.jsonl.gz``, 24,102 items) with the generated documents in
place of the items they were made from. Two generators, seeded and deterministic:

* **main** (the one to look at while building): sentences of the source (split after
  。！？；!?; and at line ends), a run of them (*contiguous*) or any of them (*scattered*),
  kept *in order* or *shuffled*, inserted as one *block* at a sentence boundary of the host
  or *spread* over its boundaries; every copied sentence gets 0-3 character edits
  (substitute, delete or insert a Chinese character) and some punctuation changed. Each
  source and each host is used once.
* **held-out** (reported separately, never to be tuned on): another seed and another
  procedure: whole *paragraphs* of the source (20-70 % of them) inserted at paragraph
  boundaries of the host (as a block, spread, or run into a host paragraph), heavier edits
  (1-5 character edits per sentence, clauses swapped or dropped, more punctuation changed),
  and each source copied into 2 or 3 hosts.

The two variants and the boilerplate pairs draw their items from three disjoint thirds of the
corpus, so no item plays two roles.

**Boilerplate-only pairs** (must never be reported): two unrelated items that receive the
same boilerplate at either end: a lead (``央视网消息（新闻联播）：`` ...), a closing
(``（责任编辑：…）`` ...) and/or a rights line (``根据…规定，…``). Their exact containment is
kept below 0.15 (items are redrawn otherwise), so no containment threshold we test makes
them a copy. A quarter of the planted copies get boilerplate too, so that these phrases are
frequent (high document frequency) as boilerplate is in real collections.

**Truth.** For every planted pair (copy A, source B), with neardup's normalization and
shingles (``neardup.shingle_set(neardup.normalize_text(text), 5)``): the exact containment
``|A∩B| / min(|A|,|B|)``, the directional shares ``copy_in_source = |A∩B|/|A|`` and
``source_in_copy = |A∩B|/|B|``, the Jaccard, and the share of the source's sentences copied.

**Scores**, for a containment level c in 0.2, 0.3, 0.4, 0.5:

* recall: share of the planted pairs with exact containment >= c that the detector reports
  (main and held-out separately; also by containment bin 0.2-0.3, 0.3-0.5, 0.5-0.7, >= 0.7);
* precision: among the reported pairs that involve a generated document, the share that are
  planted pairs or whose exact containment (or Jaccard) reaches what the detector was asked
  for (brute force on the exact shingle sets of each reported pair). A reported pair is a
  false positive only when it is below what was asked;
* boilerplate pairs reported: reported pairs of two documents that carry generated
  boilerplate, not planted, and below what was asked (must be 0).

**Detectors**, each in a fresh subprocess (peak RSS is that process's ``VmHWM``; see
``compare_end_to_end.py``), from texts in memory to pairs, after a warm-up on two tiny texts:

* ``neardup-jaccard``: ``find_duplicates(docs, threshold=c, workers=1)``, neardup as it is
  without containment search (the baseline);
* ``neardup-containment``: ``find_duplicates(docs, containment=c, workers=1)``;
* ``neardup-copies``: ``find_duplicates(docs, preset="copies", workers=1)`` (one run; its
  precision is judged against the preset's own containment and Jaccard);
* ``lshe-P``: datasketch ``MinHashLSHEnsemble(threshold=c, num_perm=128, num_part=P, m=8)``
  on ``MinHash(num_perm=128)`` (datasketch's default sha1 hash) of the UTF-8 character 5-gram
  shingles of ``neardup.normalize_text(text)``, indexed with each document's number of
  distinct shingles; every document is queried with its own MinHash and size, and the keys
  returned (other than itself) are its pairs, as-is (no verification). A query finds
  indexed sets X with ``|Q∩X|/|Q| >= c`` (estimated), so querying every document covers both
  directions, i.e. containment of the smaller.

neardup's ``containment`` and ``preset`` arguments are detected from the signature of
``find_duplicates``; where absent the script says "not available in this neardup" and runs
the rest.

Usage::

    PYTHONPATH=src python benchmarks/partial_copies.py
    PYTHONPATH=src python benchmarks/partial_copies.py --copies 200 --background 5000 \\
        --detectors neardup-jaccard lshe-16
    PYTHONPATH=src python benchmarks/partial_copies.py --write partial-out  # docs + truth
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from common import char_shingles, iter_jsonl, load_corpus, markdown_table

NGRAM = 5
NUM_PERM = 128
LEVELS = (0.2, 0.3, 0.4, 0.5)
BINS = ((0.2, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 1.01))
BOILERPLATE_MAX = 0.15
BOILERPLATE_SHARE_OF_COPIES = 0.25

I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]

# A sentence: text up to a terminator (one or more of 。！？；!?;), closing quotes or
# brackets after it, and the line end if the line ends there. Joined, the pieces are the text.
_SENTENCE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)]*)?\n?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
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

LEADS = (
    "央视网消息（新闻联播）：",
    "央视网消息：",
    "据中央广播电视总台中国之声《新闻和报纸摘要》报道，",
    "新华社北京电　",
    "本台消息：",
    "（央视新闻客户端）",
)
CLOSINGS = (
    "（责任编辑：{name}）",
    "（编辑：{name}　责任编辑：{other}）",
    "本文来源：央视新闻客户端，转载请注明出处。",
    "更多精彩内容，请关注央视新闻客户端。",
    "（来源：新闻联播）",
)
RULES = (
    "根据国家有关规定，未经授权不得转载、摘编或利用其他方式使用本网作品。",
    "根据《中华人民共和国著作权法》有关规定，转载请注明来源。",
    "根据相关法律法规规定，本网站所刊登的信息均为版权所有。",
)
EDITORS = ("王佳", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄敏")


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


def shingles(text: str) -> U32:
    """neardup's character 5-gram shingle set of ``text`` after its default normalization."""
    from neardup import normalize_text, shingle_set

    return shingle_set(normalize_text(text), NGRAM)


@dataclass(frozen=True)
class Overlap:
    """Exact overlap of two shingle sets A and B."""

    containment: float  # |A∩B| / min(|A|, |B|)
    a_in_b: float  # |A∩B| / |A|
    b_in_a: float  # |A∩B| / |B|
    jaccard: float


def overlap(a: str, b: str) -> Overlap:
    """Exact containment, directional shares and Jaccard of two texts' shingle sets.

    Example:
        >>> o = overlap("甲乙丙丁戊己庚辛", "丙丁戊己庚")
        >>> o.containment, round(o.a_in_b, 3), o.b_in_a, round(o.jaccard, 3)
        (1.0, 0.25, 1.0, 0.25)
    """
    return overlap_sets(shingles(a), shingles(b))


def overlap_sets(a: U32, b: U32) -> Overlap:
    """:func:`overlap` of two sorted unique shingle sets."""
    inter = np.intersect1d(a, b, assume_unique=True).size
    if not a.size or not b.size:
        return Overlap(0.0, 0.0, 0.0, 0.0)
    return Overlap(
        containment=inter / min(a.size, b.size),
        a_in_b=inter / a.size,
        b_in_a=inter / b.size,
        jaccard=inter / (a.size + b.size - inter),
    )


# --- edits ---


def _edit_chars(sentence: str, count: int, rng: np.random.Generator, alphabet: str) -> str:
    """``count`` character edits at Chinese characters: substitute, delete or insert one."""
    chars = list(sentence)
    for _ in range(count):
        spots = [i for i, ch in enumerate(chars) if _CJK.match(ch)]
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


def _as_sentence(piece: str) -> str:
    """A copied sentence without its line end, ending with a terminator."""
    piece = piece.rstrip("\n")
    return piece if piece and piece[-1] in "。！？；!?;”’」』）)" else piece + "。"


# --- the generated collection ---


@dataclass(frozen=True)
class Planted:
    """One planted partial copy and its truth (A = the copy, B = the source)."""

    variant: str
    copy_id: str
    source_id: str
    host_id: str
    share: float  # share of the source's sentences copied
    how: str
    containment: float
    copy_in_source: float  # |A∩B| / |A|
    source_in_copy: float  # |A∩B| / |B|
    jaccard: float


@dataclass(frozen=True)
class BoilerplatePair:
    """Two unrelated items given the same boilerplate; they must not be reported."""

    a_id: str
    b_id: str
    boilerplate: str
    containment: float
    jaccard: float


@dataclass
class Collection:
    """The documents (background with generated ones in place) and the truth."""

    ids: list[str]
    texts: list[str]
    planted: list[Planted]
    boilerplate: list[BoilerplatePair]
    carriers: set[str] = field(default_factory=set)  # ids of documents given boilerplate
    generated: set[str] = field(default_factory=set)  # ids of generated documents
    seed: int = 0

    def index(self) -> dict[str, int]:
        return {doc: i for i, doc in enumerate(self.ids)}


def _alphabet(texts: Sequence[str]) -> str:
    """The Chinese characters of the first 2,000 texts, sorted (edits draw from them)."""
    return "".join(sorted({ch for t in texts[:2000] for ch in t if _CJK.match(ch)}))


def _boilerplate(rng: np.random.Generator) -> tuple[str, str]:
    """A random (head, tail) of boilerplate: lead, closing and/or rules line, at least one."""
    names = rng.choice(len(EDITORS), size=2, replace=False)
    head = tail = ""
    while not head and not tail:
        if rng.random() < 0.7:
            head = LEADS[int(rng.integers(len(LEADS)))]
        if rng.random() < 0.7:
            closing = CLOSINGS[int(rng.integers(len(CLOSINGS)))]
            tail = "\n" + closing.format(name=EDITORS[names[0]], other=EDITORS[names[1]])
        if rng.random() < 0.5:
            rule = RULES[int(rng.integers(len(RULES)))]
            if rng.random() < 0.5:
                head = rule + "\n" + head
            else:
                tail = tail + "\n" + rule
    return head, tail


def _insert_block(host: list[str], block: str, rng: np.random.Generator) -> list[str]:
    at = int(rng.integers(len(host) + 1))
    if at == 0 or host[at - 1].endswith("\n"):
        block += "\n"  # a paragraph of its own
    elif at == len(host) and not host[-1].endswith("\n"):
        block = "\n" + block
    return [*host[:at], block, *host[at:]]


def _spread(
    host: list[str], pieces: list[str], keep_order: bool, rng: np.random.Generator
) -> list[str]:
    """Insert ``pieces`` at random boundaries of ``host`` (in their order when asked)."""
    spots = rng.integers(len(host) + 1, size=len(pieces))
    if keep_order:
        spots = np.sort(spots)
    out = list(host)
    # Last first, so earlier spots stay valid; at one spot the earlier piece ends up first.
    for number in sorted(range(len(pieces)), key=lambda n: (int(spots[n]), n), reverse=True):
        out.insert(int(spots[number]), pieces[number])
    return out


def _choose(n: int, in_order: float, rng: np.random.Generator) -> tuple[list[int], str, bool]:
    """Which of ``n`` pieces to copy (20-70 % of them, at least one and not all): a
    contiguous run or scattered ones, kept in order with probability ``in_order``, else
    shuffled; and how they were chosen."""
    k = int(np.clip(round(rng.uniform(0.2, 0.7) * n), 1, n - 1))
    if rng.random() < 0.5:
        start = int(rng.integers(n - k + 1))
        chosen, selection = list(range(start, start + k)), "contiguous"
    else:
        chosen, selection = sorted(rng.choice(n, size=k, replace=False).tolist()), "scattered"
    kept = bool(rng.random() < in_order)
    if not kept:
        chosen = [chosen[i] for i in rng.permutation(k)]
    return chosen, selection, kept


def _main_copy(
    source: str, host: str, rng: np.random.Generator, alphabet: str
) -> tuple[str, float, str]:
    """The main variant: (copy text, share of source sentences copied, how)."""
    sentences = content_sentences(source)
    n = len(sentences)
    chosen, selection, in_order = _choose(n, 0.5, rng)
    copied = [light_edit(_as_sentence(sentences[i]), rng, alphabet) for i in chosen]
    pieces = split_sentences(host)
    if rng.random() < 0.5:
        out, placement = _insert_block(pieces, "".join(copied), rng), "block"
    else:
        out, placement = _spread(pieces, copied, True, rng), "spread"
    how = f"{selection}/{'in-order' if in_order else 'shuffled'}/{placement}"
    return "".join(out), len(chosen) / n, how


def _heldout_copy(
    source: str, host: str, rng: np.random.Generator, alphabet: str
) -> tuple[str, float, str]:
    """The held-out variant: whole paragraphs, heavier edits (copy text, share, how)."""
    paragraphs = split_paragraphs(source)
    n = len(paragraphs)
    chosen, selection, in_order = _choose(n, 0.7, rng)
    copied = [
        "".join(
            heavy_edit(_as_sentence(s), rng, alphabet) for s in content_sentences(paragraphs[i])
        )
        for i in chosen
    ]
    share = sum(len(content_sentences(paragraphs[i])) for i in chosen) / max(
        len(content_sentences(source)), 1
    )
    host_paragraphs = split_paragraphs(host)
    mode = rng.random()
    if mode < 0.4:
        at = int(rng.integers(len(host_paragraphs) + 1))
        out, placement = [*host_paragraphs[:at], *copied, *host_paragraphs[at:]], "block"
    elif mode < 0.8:
        out, placement = _spread(host_paragraphs, copied, True, rng), "spread"
    else:  # the copied paragraphs run on from host paragraphs (no line end between)
        out = list(host_paragraphs)
        for piece in copied:
            at = int(rng.integers(len(out)))
            out[at] = out[at] + piece
        placement = "run-in"
    how = f"paragraphs/{selection}/{'in-order' if in_order else 'shuffled'}/{placement}"
    return "\n".join(out), min(share, 1.0), how


def _thirds(count: int, seed: int) -> tuple[I64, I64, I64]:
    order = np.random.default_rng([seed, 0]).permutation(count)
    return order[0::3], order[1::3], order[2::3]


def generate(
    ids: Sequence[str],
    texts: Sequence[str],
    copies: int = 1000,
    seed: int = 0,
    boilerplate_pairs: int | None = None,
) -> Collection:
    """The background ``(ids, texts)`` with ``copies`` planted copies per variant and
    ``boilerplate_pairs`` (default ``copies // 2``) boilerplate-only pairs in place.

    Raises:
        ValueError: the background has too few suitable items for what is asked.
    """
    if copies < 0:
        raise ValueError(f"copies must be >= 0 (got {copies})")
    if boilerplate_pairs is None:
        boilerplate_pairs = copies // 2
    out_ids, out_texts = list(ids), list(texts)
    alphabet = _alphabet(texts)
    main_pool, heldout_pool, boiler_pool = _thirds(len(texts), seed)
    planted: list[Planted] = []
    carriers: set[str] = set()
    generated: set[str] = set()

    def place(
        variant: str,
        number: int,
        src: int,
        host: int,
        made: tuple[str, float, str],
        rng: np.random.Generator,
    ) -> None:
        text, share, how = made
        copy_id = f"{variant}-copy-{number:05d}"
        if rng.random() < BOILERPLATE_SHARE_OF_COPIES:
            head, tail = _boilerplate(rng)
            text = head + text + tail
            carriers.add(copy_id)
        o = overlap(text, texts[src])
        planted.append(
            Planted(
                variant,
                copy_id,
                ids[src],
                ids[host],
                round(share, 4),
                how,
                o.containment,
                o.a_in_b,
                o.b_in_a,
                o.jaccard,
            )
        )
        out_ids[host], out_texts[host] = copy_id, text
        generated.add(copy_id)

    # main: one source, one host per copy (sources from the first half of the third, hosts
    # from the second half)
    rng = np.random.default_rng([seed, 1])
    half = len(main_pool) // 2
    sources = [
        int(i)
        for i in main_pool[:half]
        if len(content_sentences(texts[i])) >= 4 and len(texts[i]) >= 150
    ][:copies]
    hosts = [
        int(i)
        for i in main_pool[half:]
        if len(content_sentences(texts[i])) >= 2 and len(texts[i]) >= 100
    ][:copies]
    if len(sources) < copies or len(hosts) < copies:
        raise ValueError(
            f"the background has too few items for {copies} main copies "
            f"({len(sources)} sources, {len(hosts)} hosts): use fewer --copies"
        )
    for number, (src, host) in enumerate(zip(sources, hosts, strict=True)):
        place("main", number, src, host, _main_copy(texts[src], texts[host], rng, alphabet), rng)

    # held-out: another seed; each source pasted into 2 or 3 hosts, paragraph by paragraph
    rng = np.random.default_rng([seed, 2, 20261])
    half = len(heldout_pool) // 2
    sources = [
        int(i)
        for i in heldout_pool[:half]
        if len(split_paragraphs(texts[i])) >= 3 and len(texts[i]) >= 300
    ]
    hosts = [
        int(i)
        for i in heldout_pool[half:]
        if len(split_paragraphs(texts[i])) >= 2 and len(texts[i]) >= 150
    ][:copies]
    number = 0
    for src in sources:
        for _ in range(int(rng.integers(2, 4))):
            if number >= min(copies, len(hosts)):
                break
            host = hosts[number]
            made = _heldout_copy(texts[src], texts[host], rng, alphabet)
            place("heldout", number, src, host, made, rng)
            number += 1
    if number < copies:
        raise ValueError(
            f"the background has too few items for {copies} held-out copies "
            f"(made {number}): use fewer --copies"
        )

    # boilerplate-only pairs: two unrelated items, the same boilerplate
    rng = np.random.default_rng([seed, 3])
    from neardup import normalize_text

    pool = [int(i) for i in boiler_pool if len(normalize_text(texts[int(i)])) >= 300]
    pairs: list[BoilerplatePair] = []
    at = 0
    while len(pairs) < boilerplate_pairs:
        if at + 1 >= len(pool):
            raise ValueError(
                f"the background has too few long items for {boilerplate_pairs} boilerplate "
                f"pairs (made {len(pairs)}): use fewer --copies"
            )
        i, j = pool[at], pool[at + 1]
        head, tail = _boilerplate(rng)
        a, b = head + texts[i] + tail, head + texts[j] + tail
        o = overlap(a, b)
        if o.containment >= BOILERPLATE_MAX:
            at += 1  # too short for this boilerplate, or related items: try the next
            continue
        at += 2
        number = len(pairs)
        a_id, b_id = f"boiler-{number:05d}-a", f"boiler-{number:05d}-b"
        out_ids[i], out_texts[i], out_ids[j], out_texts[j] = a_id, a, b_id, b
        pairs.append(
            BoilerplatePair(a_id, b_id, (head + "…" + tail).strip(), o.containment, o.jaccard)
        )
        carriers.update((a_id, b_id))
        generated.update((a_id, b_id))
    return Collection(out_ids, out_texts, planted, pairs, carriers, generated, seed)


# --- detectors: texts -> pairs of document numbers (i < j), and what they were asked ---

Pairs = set[tuple[int, int]]


def neardup_supports(argument: str) -> bool:
    """Whether this neardup's ``find_duplicates`` takes the keyword ``argument``."""
    from neardup import find_duplicates

    return argument in inspect.signature(find_duplicates).parameters


def _neardup_pairs(texts: list[str], **options: Any) -> tuple[Pairs, dict[str, Any]]:
    from neardup import find_duplicates

    report = find_duplicates([(str(i), t) for i, t in enumerate(texts)], workers=1, **options)
    pairs = {(min(int(p.a), int(p.b)), max(int(p.a), int(p.b))) for p in report.pairs}
    params = report.parameters
    info = {
        "threshold": params.threshold,
        "containment": getattr(params, "containment", None),
        "candidates": report.counts.candidates,
    }
    return pairs, info


def run_neardup_jaccard(texts: list[str], level: float) -> tuple[Pairs, dict[str, Any]]:
    """neardup without containment: ``find_duplicates(threshold=level)``."""
    from quality import bands_for

    return _neardup_pairs(texts, threshold=level, bands=bands_for(level))


def run_neardup_containment(texts: list[str], level: float) -> tuple[Pairs, dict[str, Any]]:
    """``find_duplicates(containment=level)`` (TypeError where neardup lacks it)."""
    return _neardup_pairs(texts, containment=level)


def run_neardup_copies(texts: list[str], level: float) -> tuple[Pairs, dict[str, Any]]:
    """``find_duplicates(preset="copies")`` (``level`` unused; TypeError where absent)."""
    del level
    return _neardup_pairs(texts, preset="copies")


def run_lshe(texts: list[str], level: float, parts: int = 16) -> tuple[Pairs, dict[str, Any]]:
    """datasketch ``MinHashLSHEnsemble``: index every document, query every document."""
    from datasketch import MinHash, MinHashLSHEnsemble

    from neardup import normalize_text

    started = time.perf_counter()
    sketches, sizes = [], []
    for text in texts:
        grams = {s.encode("utf-8") for s in char_shingles(normalize_text(text), NGRAM)}
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch(list(grams))
        sketches.append(m)
        sizes.append(len(grams))
    hashed = time.perf_counter()
    ensemble = MinHashLSHEnsemble(threshold=level, num_perm=NUM_PERM, num_part=parts, m=8)
    ensemble.index([(i, m, n) for i, (m, n) in enumerate(zip(sketches, sizes, strict=True)) if n])
    built = time.perf_counter()
    pairs: Pairs = set()
    for i, (m, n) in enumerate(zip(sketches, sizes, strict=True)):
        if not n:
            continue
        for j in ensemble.query(m, n):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    queried = time.perf_counter()
    info = {
        "threshold": None,
        "containment": level,
        "minhash_s": hashed - started,
        "index_s": built - hashed,
        "query_s": queried - built,
    }
    return pairs, info


Runner = Callable[[list[str], float], tuple[Pairs, dict[str, Any]]]


def runner(detector: str) -> Runner:
    """The function behind a detector's name (``lshe-P``: LSH Ensemble with P partitions)."""
    if detector.startswith("lshe-"):
        parts = int(detector.split("-", 1)[1])
        return lambda texts, level: run_lshe(texts, level, parts)
    runners: dict[str, Runner] = {
        "neardup-jaccard": run_neardup_jaccard,
        "neardup-containment": run_neardup_containment,
        "neardup-copies": run_neardup_copies,
    }
    if detector not in runners:
        raise ValueError(f"detector must be one of {sorted(runners)} or lshe-P (got {detector!r})")
    return runners[detector]


REQUIRES = {"neardup-containment": "containment", "neardup-copies": "preset"}


def worker(detector: str, path: Path, level: float, pairs_out: Path) -> None:
    """In the subprocess: load, warm up, time the detector, write pairs; print a JSON summary."""
    from compare_end_to_end import _rss_mb

    texts = [r["text"] for r in iter_jsonl(path)]
    run = runner(detector)
    try:
        run(["今天天气很好我们去公园散步", "今天天气很好我们去公园散步了"], level)  # warm-up
    except TypeError as exc:
        print(json.dumps({"unavailable": str(exc)}))
        return
    loaded = _rss_mb()
    started = time.perf_counter()
    pairs, info = run(texts, level)
    seconds = time.perf_counter() - started
    np.save(pairs_out, np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2))
    summary = {"seconds": seconds, "rss_loaded_mb": loaded, "rss_peak_mb": _rss_mb()}
    print(json.dumps({**summary, "info": info}))


def run_detector(detector: str, path: Path, level: float, workdir: Path) -> dict[str, Any]:
    """Run ``detector`` at ``level`` in a fresh subprocess; its summary and pairs."""
    pairs_out = workdir / f"{detector}-{level}.npy"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        detector,
        "--input",
        str(path),
        "--level",
        str(level),
        "--pairs-out",
        str(pairs_out),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, env=dict(os.environ)
    )
    if done.returncode != 0:
        raise RuntimeError(f"{detector} worker failed ({done.returncode}):\n{done.stderr[-3000:]}")
    summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if "unavailable" not in summary:
        summary["pairs"] = {tuple(p) for p in np.load(pairs_out).tolist()}
    return summary


# --- scoring ---


@dataclass(frozen=True)
class Score:
    """One detector's result against the truth at containment level c."""

    recall: dict[str, float]  # by variant: planted pairs with containment >= c found
    truth: dict[str, int]  # by variant: planted pairs with containment >= c
    binned: dict[str, list[float | None]]  # by variant: recall in each of BINS
    reported: int  # reported pairs involving a generated document
    correct: int
    boilerplate: int  # boilerplate-only pairs reported
    background: int  # reported pairs of two background items (not scored)

    @property
    def precision(self) -> float:
        return self.correct / self.reported if self.reported else 1.0


class Scorer:
    """Exact shingle sets of the collection, to judge reported pairs by brute force."""

    def __init__(self, collection: Collection) -> None:
        from exact import shingle_sets

        self.collection = collection
        self.sets = shingle_sets(collection.texts)
        self.sizes = np.fromiter((s.size for s in self.sets), dtype=np.int64)
        where = collection.index()
        self.generated = np.zeros(len(collection.ids), dtype=bool)
        self.generated[[where[d] for d in collection.generated]] = True
        self.carrier = np.zeros(len(collection.ids), dtype=bool)
        self.carrier[[where[d] for d in collection.carriers]] = True
        self.planted: dict[tuple[int, int], Planted] = {}
        for p in collection.planted:
            i, j = where[p.copy_id], where[p.source_id]
            self.planted[(min(i, j), max(i, j))] = p

    def overlaps(self, pairs: I64) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Exact containment and Jaccard of each row (i, j) of ``pairs``."""
        from exact import intersections

        if not pairs.shape[0]:
            return np.empty(0), np.empty(0)
        inter = intersections(self.sets, pairs)
        a, b = self.sizes[pairs[:, 0]], self.sizes[pairs[:, 1]]
        containment = inter / np.maximum(np.minimum(a, b), 1)
        jaccard = inter / np.maximum(a + b - inter, 1)
        return containment, jaccard

    def score(
        self,
        pairs: Pairs,
        level: float,
        asked_containment: float | None,
        asked_jaccard: float | None,
    ) -> Score:
        """Recall at ``level``; precision against what the detector was asked for."""
        recall, truth, binned = {}, {}, {}
        for variant in ("main", "heldout"):
            mine = [(k, p) for k, p in self.planted.items() if p.variant == variant]
            at = [k for k, p in mine if p.containment >= level]
            truth[variant] = len(at)
            recall[variant] = sum(k in pairs for k in at) / len(at) if at else 1.0
            binned[variant] = []
            for low, high in BINS:
                inside = [k for k, p in mine if low <= p.containment < high]
                binned[variant].append(
                    sum(k in pairs for k in inside) / len(inside) if inside else None
                )
        rows = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
        involved = self.generated[rows[:, 0]] | self.generated[rows[:, 1]]
        judged = rows[involved]
        containment, jaccard = self.overlaps(judged)
        ok = np.array([tuple(r) in self.planted for r in judged.tolist()], dtype=bool)
        if asked_containment is not None:
            ok |= containment >= asked_containment - 1e-9
        if asked_jaccard is not None:
            ok |= jaccard >= asked_jaccard - 1e-9
        boiler = ~ok & self.carrier[judged[:, 0]] & self.carrier[judged[:, 1]]
        return Score(
            recall=recall,
            truth=truth,
            binned=binned,
            reported=int(judged.shape[0]),
            correct=int(ok.sum()),
            boilerplate=int(boiler.sum()),
            background=int((~involved).sum()),
        )


# --- the command line ---


def truth_summary(collection: Collection) -> str:
    """Planted pairs by variant and containment bin, and the boilerplate pairs' containment."""
    rows = []
    for variant in ("main", "heldout"):
        mine = [p for p in collection.planted if p.variant == variant]
        cont = np.array([p.containment for p in mine])
        share = np.array([p.share for p in mine])
        jac = np.array([p.jaccard for p in mine])
        counts = [int(((cont >= low) & (cont < high)).sum()) for low, high in ((0.0, 0.2), *BINS)]
        rows.append(
            [
                variant,
                f"{len(mine):,}",
                f"{len({p.source_id for p in mine}):,}",
                f"{np.median(share):.2f}",
                f"{np.median(cont):.3f}",
                f"{np.median(jac):.3f}",
                *map(str, counts),
            ]
        )
    table = markdown_table(
        [
            "variant",
            "planted",
            "sources",
            "median share of sentences",
            "median containment",
            "median Jaccard",
            "< 0.2",
            "0.2-0.3",
            "0.3-0.5",
            "0.5-0.7",
            "≥ 0.7",
        ],
        rows,
    )
    boiler = np.array([b.containment for b in collection.boilerplate] or [0.0])
    return (
        f"{table}\n\nboilerplate-only pairs: {len(collection.boilerplate):,} (containment "
        f"median {np.median(boiler):.3f}, max {boiler.max():.3f}); documents carrying "
        f"generated boilerplate: {len(collection.carriers):,}"
    )


def asked(detector: str, result: dict[str, Any], level: float) -> str:
    info = result["info"]
    if detector == "neardup-copies":
        return f"preset copies (containment {info['containment']}, J {info['threshold']})"
    if detector == "neardup-jaccard":
        return f"J ≥ {level}"
    if detector == "neardup-containment":
        return f"containment ≥ {level} (or J ≥ {info['threshold']})"
    return f"LSHE t={level}, {detector.split('-')[1]} parts (as-is)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=1000, help="planted copies per variant")
    parser.add_argument("--background", type=int, help="news items (default: all)")
    parser.add_argument("--boilerplate-pairs", type=int, help="default: copies / 2")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--levels", nargs="+", type=float, default=list(LEVELS))
    parser.add_argument(
        "--detectors",
        nargs="+",
        default=["neardup-jaccard", "neardup-containment", "neardup-copies", "lshe-16"],
    )
    parser.add_argument(
        "--more-parts",
        nargs="*",
        type=int,
        default=[8, 32],
        help="LSH Ensemble partitions also tried, at level 0.3 only",
    )
    parser.add_argument("--write", type=Path, help="write documents.jsonl and truth.jsonl here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--level", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--pairs-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.input, args.level, args.pairs_out)
        return 0
    if any(not 0.0 < c <= 1.0 for c in args.levels):
        parser.error("--levels must be in (0, 1]")
    for name in args.detectors:
        try:
            runner(name)
        except ValueError as exc:
            parser.error(str(exc))

    ids, texts, label = load_corpus("news", args.background)
    started = time.perf_counter()
    try:
        collection = generate(ids, texts, args.copies, args.seed, args.boilerplate_pairs)
    except ValueError as exc:
        parser.error(str(exc))
    made = time.perf_counter() - started
    print(
        f"background: {label}, {len(texts):,} items ({sum(map(len, texts)) / len(texts):,.0f} "
        f"characters on average); seed {args.seed}; generated in {made:.1f} s: "
        f"{len(collection.generated):,} documents in place of items; machine: "
        f"{os.cpu_count()} cores\n"
    )
    print(truth_summary(collection) + "\n")

    jobs: list[tuple[str, float]] = []
    for name in args.detectors:
        if name in REQUIRES and not neardup_supports(REQUIRES[name]):
            print(
                f"{name}: not available in this neardup (find_duplicates has no "
                f"{REQUIRES[name]!r} argument)"
            )
            continue
        if name == "neardup-copies":
            jobs.append((name, min(args.levels)))
        else:
            jobs += [(name, level) for level in args.levels]
    extra_level = 0.3 if 0.3 in args.levels else args.levels[0]
    if any(d.startswith("lshe-") for d in args.detectors):
        jobs += [
            (f"lshe-{p}", extra_level) for p in args.more_parts if f"lshe-{p}" not in args.detectors
        ]

    scorer = Scorer(collection)
    rows, bins = [], []
    with tempfile.TemporaryDirectory(prefix="neardup-partial-") as tmp:
        workdir = Path(tmp)
        path = workdir / "documents.jsonl"
        write_documents(collection, path)
        if args.write:
            args.write.mkdir(parents=True, exist_ok=True)
            write_documents(collection, args.write / "documents.jsonl")
            write_truth(collection, args.write / "truth.jsonl")
        for name, level in jobs:
            result = run_detector(name, path, level, workdir)
            if "unavailable" in result:
                print(f"{name}: not available in this neardup ({result['unavailable']})")
                continue
            info = result["info"]
            levels = args.levels if name == "neardup-copies" else [level]
            for c in levels:
                s = scorer.score(result["pairs"], c, info["containment"], info["threshold"])
                rows.append(
                    [
                        name,
                        asked(name, result, level),
                        f"{c}",
                        f"{s.recall['main']:.3f} ({s.truth['main']})",
                        f"{s.recall['heldout']:.3f} ({s.truth['heldout']})",
                        f"{s.precision:.3f}",
                        f"{s.reported:,}",
                        f"{s.boilerplate:,}",
                        f"{result['seconds']:.1f}",
                        f"{result['rss_peak_mb']:,.0f} ({result['rss_loaded_mb']:,.0f})",
                    ]
                )
                bins.append(
                    [name, f"{c}"]
                    + [
                        f"{m if m is not None else '-'} / {h if h is not None else '-'}"
                        for m, h in zip(
                            [_fmt(x) for x in s.binned["main"]],
                            [_fmt(x) for x in s.binned["heldout"]],
                            strict=True,
                        )
                    ]
                )
            extra = {k: v for k, v in info.items() if k.endswith("_s") or k == "candidates"}
            if extra:
                shown = [
                    f"{k} {v:,.0f}" if k == "candidates" else f"{k} {v:.1f}"
                    for k, v in extra.items()
                ]
                print(f"{name} at {level}: " + ", ".join(shown))
    print()
    print(
        markdown_table(
            [
                "detector",
                "asked",
                "c",
                "recall main (pairs ≥ c)",
                "recall held-out (pairs ≥ c)",
                "precision",
                "reported (with a generated doc)",
                "boilerplate pairs reported",
                "seconds",
                "peak RSS MB (after load)",
            ],
            rows,
        )
    )
    print("\nRecall by exact containment of the planted pair, main / held-out:\n")
    print(
        markdown_table(
            ["detector", "c", *[f"{a}-{b}" if b <= 1 else f"≥ {a}" for a, b in BINS]], bins
        )
    )
    return 0


def _fmt(value: float | None) -> str | None:
    return None if value is None else f"{value:.3f}"


def write_documents(collection: Collection, path: Path) -> None:
    """The collection as JSON Lines ``{"id", "text"}``."""
    with open(path, "w", encoding="utf-8") as handle:
        for doc, text in zip(collection.ids, collection.texts, strict=True):
            handle.write(json.dumps({"id": doc, "text": text}, ensure_ascii=False) + "\n")


def write_truth(collection: Collection, path: Path) -> None:
    """Planted pairs and boilerplate pairs as JSON Lines (``kind``: planted or boilerplate)."""
    with open(path, "w", encoding="utf-8") as handle:
        for p in collection.planted:
            handle.write(json.dumps({"kind": "planted", **asdict(p)}, ensure_ascii=False) + "\n")
        for b in collection.boilerplate:
            handle.write(
                json.dumps({"kind": "boilerplate", **asdict(b)}, ensure_ascii=False) + "\n"
            )


if __name__ == "__main__":
    sys.exit(main())
