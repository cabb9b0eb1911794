"""The collection of ``partial_copies.py``: news items with planted partial copies and
boilerplate-only pairs, and their truth.

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
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
from edits import (
    CJK,
    as_sentence,
    content_sentences,
    heavy_edit,
    light_edit,
    split_paragraphs,
    split_sentences,
)
from exact import overlap

BOILERPLATE_MAX = 0.15
BOILERPLATE_SHARE_OF_COPIES = 0.25

I64 = npt.NDArray[np.int64]

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
    return "".join(sorted({ch for t in texts[:2000] for ch in t if CJK.match(ch)}))


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


def _choose(n: int, in_order: float, rng: np.random.Generator) -> tuple[list[int], str]:
    """Which of ``n`` pieces to copy (20-70 % of them, at least one and not all): a
    contiguous run or scattered ones, kept in order with probability ``in_order``, else
    shuffled; and how they were chosen (``contiguous/in-order`` ...)."""
    k = int(np.clip(round(rng.uniform(0.2, 0.7) * n), 1, n - 1))
    if rng.random() < 0.5:
        start = int(rng.integers(n - k + 1))
        chosen, selection = list(range(start, start + k)), "contiguous"
    else:
        chosen, selection = sorted(rng.choice(n, size=k, replace=False).tolist()), "scattered"
    kept = bool(rng.random() < in_order)
    if not kept:
        chosen = [chosen[i] for i in rng.permutation(k)]
    return chosen, f"{selection}/{'in-order' if kept else 'shuffled'}"


def _main_copy(
    source: str, host: str, rng: np.random.Generator, alphabet: str
) -> tuple[str, float, str]:
    """The main variant: (copy text, share of source sentences copied, how)."""
    sentences = content_sentences(source)
    chosen, chose = _choose(len(sentences), 0.5, rng)
    copied = [light_edit(as_sentence(sentences[i]), rng, alphabet) for i in chosen]
    pieces = split_sentences(host)
    if rng.random() < 0.5:
        out, placement = _insert_block(pieces, "".join(copied), rng), "block"
    else:
        out, placement = _spread(pieces, copied, True, rng), "spread"
    return "".join(out), len(chosen) / len(sentences), f"{chose}/{placement}"


def _heldout_copy(
    source: str, host: str, rng: np.random.Generator, alphabet: str
) -> tuple[str, float, str]:
    """The held-out variant: whole paragraphs, heavier edits (copy text, share, how)."""
    paragraphs = split_paragraphs(source)
    chosen, chose = _choose(len(paragraphs), 0.7, rng)
    copied = [
        "".join(
            heavy_edit(as_sentence(s), rng, alphabet) for s in content_sentences(paragraphs[i])
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
    return "\n".join(out), min(share, 1.0), f"paragraphs/{chose}/{placement}"


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


def write_truth(collection: Collection, path: Path) -> None:
    """Planted pairs and boilerplate pairs as JSON Lines (``kind``: planted or boilerplate)."""
    with open(path, "w", encoding="utf-8") as handle:
        for p in collection.planted:
            handle.write(json.dumps({"kind": "planted", **asdict(p)}, ensure_ascii=False) + "\n")
        for b in collection.boilerplate:
            handle.write(
                json.dumps({"kind": "boilerplate", **asdict(b)}, ensure_ascii=False) + "\n"
            )

