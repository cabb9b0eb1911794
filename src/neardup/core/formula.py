"""What two documents share, told apart as *formula* and *specific* content: the pure
algorithm behind the copies mode's decision (:mod:`neardup.searches.copies`).

A collection's formulas are the phrases, sentences and whole paragraphs that recur across
many of its documents: the lead of a welcome ceremony, the closing of a daily bulletin, a
broadcast notice, a clause every city's regulation takes from one model. They are found by
document frequency: a winnowed fingerprint (:mod:`neardup.core.fingerprints`) held by more
than ``formula_df`` documents is a *formula fingerprint*, and the text from one formula
fingerprint to the next (:func:`~neardup.core.fingerprints.boilerplate_mask`) is formula.
Every other shared character is *specific*: text that few documents hold.

For a pair, :func:`specificity` tiles the passages the two normalized texts share
(:func:`~neardup.core.passages.normalized_passages`) and measures:

* the share of each text in specific and in formula shared text;
* the longest *specific passage*: a shared passage less than half of which is formula;
* the *ordered* share: the shared passages that follow each other in the same order in both
  texts (the heaviest such chain), as a share of the shorter text;
* *slots*: along that chain, how often both texts put something different between two
  passages (a date, a name, a figure: the slots of a template), per 100 characters of it.

Two texts filled from one template share formula between differing slots; a copy shares a
specific passage unbroken, or the whole of the shorter text in order (:class:`CopyRule`).

Example:
    >>> import numpy as np
    >>> from neardup.core.normalize import codepoints
    >>> shared = "今天天气很好我们一起去公园散步看看湖边新开的花"
    >>> a = codepoints("甲" * 30 + shared + "乙" * 30)
    >>> b = codepoints(shared + "晚上一起吃饭")
    >>> no_formula = np.empty(0, dtype=np.uint32)
    >>> found = specificity(profile(a, no_formula, 5), profile(b, no_formula, 5), 5)
    >>> found.longest_specific, round(found.specific_b, 2), found.slots
    (23, 0.79, 0.0)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from .._types import I64, U32
from . import kernels
from .arrays import members, sorted_unique, starts_of
from .passages import NEAREST, normalized_passages
from .shingles import ngram_hashes

NGRAM = 5
"""Character n-grams of the formula model, whatever the shingles of the searches."""

MIN_PASSAGE = 8
"""The shortest shared passage measured, in normalized characters."""

RARE_WEIGHT = 2
"""A passage is specific when at least one in (1 + this) of its sampled shingles is rare."""

SAMPLE = 4
"""One shingle in this many (by hash value) is counted for document frequencies."""

_NONE = np.empty(0, dtype=np.uint32)

_NUMERALS = np.array(sorted(map(ord, "0123456789零〇一二三四五六七八九十百千万亿两")),
                     dtype=np.uint32)

_NUMERAL_TABLE = np.zeros(int(_NUMERALS.max()) + 1, dtype=np.bool_)
_NUMERAL_TABLE[_NUMERALS] = True

UNCOUNTED = "punctuation and spaces not counted"
"""What a reason's lengths leave out: they count normalized characters, as the shares do, so
the passage a report shows, which runs through punctuation, is a little longer."""

SLOT_GAP = 16
"""A slot: both texts have something different, at most this many characters, between two
passages of the ordered chain."""


@dataclass(frozen=True)
class Specificity:
    """What a pair shares, by kind (shares are of each text's normalized characters)."""

    specific_a: float
    specific_b: float
    formula_a: float
    formula_b: float
    longest_specific: int
    """Characters of the longest shared passage less than half of which is formula."""
    ordered: float
    """The heaviest chain of passages in the same order in both texts, as a share of the
    shorter text."""
    slots: float
    """Slots (differing fills between two passages of the chain) per 100 characters of it."""
    facts: float
    """Slots that fill in a different number (a digit or a Chinese numeral on either side:
    a date, a count, an edition) per 100 characters of the chain: a copy keeps its source's
    figures, a template sibling has its own."""
    shorter: int
    """Normalized characters of the shorter text."""
    figures: int = 0
    """The shorter text's figures: distinct runs of digits (a date, a count, an amount)."""
    figures_kept: float = 1.0
    """The share of those figures that the other text holds too (1 when there are none): a
    rewrite keeps its source's figures, a template sibling has its own."""

    def chained(self) -> int:
        """Characters of the heaviest chain of passages in the same order."""
        return round(self.ordered * self.shorter)

    def slot_counts(self) -> tuple[int, int]:
        """How many slots the chain has, and how many of them are figure slots."""
        chained = max(self.chained(), 1)
        return round(self.slots * chained / 100), round(self.facts * chained / 100)


@dataclass(frozen=True)
class CopyRule:
    """When a pair is a copy (measured on labelled real pairs:
    ``benchmarks/data/labelled_pairs.md``). A *slot* is a short stretch that differs between
    two aligned passages (a name, a date); a *figure slot* one that fills in a different
    number.

    * **A version or a lightly edited copy of the whole**: the shorter text, at least
      ``whole_length`` characters long, is shared at ``whole`` or more in the same order, with
      fewer than ``figure_slots`` figure slots per 100 characters (a yearly report filled in
      with new figures is a template sibling, not a version), and it is not mostly formula
      with ``slots`` or more slots per 100 characters (a notice filled in with other names).
    * **A repost**: the shorter text, of any length, is shared at ``same`` or more in order,
      with no slot and every figure kept (text copied many times is held by many documents,
      but it is not formula when nothing in it was filled in).
    * **A rewritten copy**, when the rewrite search took it for one (short passages and many
      slots): it keeps ``figures_kept`` of the figures of the shorter text (which has
      ``figures`` or more), has fewer than ``rewrite_figure_slots`` figure slots per 100
      characters, and less than ``rewrite_formula`` of either text is shared formula.
    * **Much specific text**: ``specific_share`` or more of the shorter text is specific
      shared text, at least ``specific_over_formula`` times its shared formula, with fewer
      than ``figure_slots`` figure slots per 100 characters (sentences taken over and edited
      a little, in any order).
    * **A specific passage**: it shares a passage of at least ``passage`` characters that is
      not formula, which is at least ``share`` of the shorter text or runs ``quote``
      characters (a stock sentence quoted in a long article is not a copy); it is not a
      template filled in differently (fewer than ``figure_slots`` figure slots per 100
      characters of its ordered passages, and not ``slots`` or more slots around shared text
      that is mostly formula, unless its specific passage runs ``unbroken`` characters: an
      edited copy has slots too, around its source's own text); and what it shares is not
      mostly formula (its specific shared text is at least ``balance`` times its shared
      formula).
    """

    passage: int = 35
    share: float = 0.08
    quote: int = 60
    slots: float = 1.0
    unbroken: int = 80
    balance: float = 0.75
    whole: float = 0.7
    whole_length: int = 500
    figure_slots: float = 1.0
    same: float = 0.97
    figures: int = 2
    figures_kept: float = 0.7
    rewrite_figure_slots: float = 2.5
    rewrite_formula: float = 0.5
    specific_share: float = 0.3
    specific_over_formula: float = 2.0

    def reason(self, found: Specificity, rewritten: bool = False) -> tuple[bool, str]:
        """Whether ``found`` is a copy, and why (or why not) in a few words; ``rewritten``:
        the rewrite search took the pair for a rewritten copy."""
        specific = max(found.specific_a, found.specific_b)
        formula = max(found.formula_a, found.formula_b)
        filled = found.slots >= self.slots and formula > specific  # a template's formula
        if (found.ordered >= self.whole and found.shorter >= self.whole_length
                and found.facts < self.figure_slots and not filled):
            return True, f"{found.ordered:.0%} of the shorter text in the same order"
        if found.ordered >= self.same and found.slots == 0 and found.figures_kept == 1.0:
            return True, f"{found.ordered:.0%} of the shorter text, unchanged"
        passage = self._passage(found, specific, formula)
        if passage[0]:
            return passage
        if (specific >= self.specific_share and specific >= self.specific_over_formula * formula
                and found.facts < self.figure_slots):
            return True, f"{specific:.0%} of the shorter text is specific shared text"
        if rewritten and self._rewrite(found, formula):
            return True, (f"rewritten: {specific:.0%} specific shared text, "
                          f"{found.figures_kept:.0%} of {found.figures} figures kept")
        return passage

    def _passage(self, found: Specificity, specific: float, formula: float) -> tuple[bool, str]:
        longest = found.longest_specific
        if longest == 0:
            return False, "shares only formula (text many documents hold)"
        if longest < self.passage:
            return False, (f"no specific passage (the longest has {longest} characters, "
                           f"{self.passage} needed; {UNCOUNTED})")
        if specific < self.share and longest < self.quote:
            return False, (f"a quoted sentence: a specific passage of {longest} characters "
                           f"({UNCOUNTED}), {specific:.0%} of the shorter text")
        filled = found.slots >= self.slots and formula > specific
        if found.facts >= self.figure_slots or (filled and longest < self.unbroken):
            slots, figures = found.slot_counts()
            return False, (f"a template filled in differently: {slots} short places differ "
                           f"({figures} of them figures) in {found.chained():,} characters "
                           f"shared in order ({UNCOUNTED})")
        if specific < self.balance * formula:
            return False, (f"shares mostly formula ({formula:.0%} formula, {specific:.0%} "
                           "specific)")
        return True, f"a specific passage of {longest} characters ({UNCOUNTED})"

    def _rewrite(self, found: Specificity, formula: float) -> bool:
        return (found.figures >= self.figures and found.figures_kept >= self.figures_kept
                and found.facts < self.rewrite_figure_slots and formula < self.rewrite_formula)


def sampled_shingles(flat: U32, lengths: I64, ngram: int) -> tuple[U32, I64]:
    """Each normalized text's distinct sampled shingle hashes (:func:`sampled`), sorted,
    concatenated, and how many each has: what a collection's document frequencies are
    counted on. A text shorter than ``ngram`` has none.

    One pass over the whole batch: the n-gram hashes of ``flat`` (a window that runs over
    the end of its text is dropped), the sampled ones keyed ``text << 32 | hash`` (uint64),
    sorted and made distinct."""
    starts = starts_of(lengths)
    compiled = _compiled_pass(flat.size)
    if compiled is not None:
        counts = np.zeros(lengths.size, dtype=np.int64)
        values: U32 = compiled.distinct_sampled(flat, starts, ngram, SAMPLE, counts)
        return values, counts
    windows = ngram_hashes(flat, ngram) if flat.size >= ngram else _NONE
    return _distinct_sampled(windows, np.flatnonzero(sampled(windows)), starts, ngram)


def _distinct_sampled(windows: U32, at: I64, starts: I64, ngram: int) -> tuple[U32, I64]:
    """:func:`sampled_shingles` given the windows' hashes and the sampled ones ``at``."""
    owner = _owners(at, starts, ngram)
    whole = owner >= 0
    keys = sorted_unique((owner[whole].astype(np.uint64) << np.uint64(32))
                         | windows[at[whole]].astype(np.uint64))
    values = (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    counts = np.bincount((keys >> np.uint64(32)).astype(np.int64), minlength=starts.size - 1)
    return values, counts.astype(np.int64)


def _owners(at: I64, starts: I64, ngram: int) -> I64:
    """The text that each window ``at`` (window ``k`` starts at character ``k`` of the
    packed texts) lies in whole, -1 when it runs over the end of its text."""
    owner = np.searchsorted(starts, at, "right") - 1  # an empty text starts where the next does
    inside = at + ngram <= starts[np.minimum(owner + 1, starts.size - 1)]
    out: I64 = np.where(inside, owner, -1)
    return out


def sampled(hashes: U32) -> npt.NDArray[np.bool_]:
    """Which shingle hashes are sampled: one in :data:`SAMPLE`, by value, so that every text
    samples the same shingles and a sampled shingle's document frequency is exact."""
    out: npt.NDArray[np.bool_] = hashes % np.uint32(SAMPLE) == 0
    return out


@dataclass(frozen=True)
class Profile:
    """What measuring a pair needs of one normalized text, made once per text
    (:func:`profile`)."""

    cps: U32
    hashes: U32
    """Its n-gram hashes, in order."""
    formula_at: I64
    """How many of its first k shingles are sampled formula shingles, for each k."""
    rare_at: I64
    """How many of its first k shingles are sampled and not formula, for each k."""
    rare: U32
    """Its distinct sampled shingles that are not formula, sorted."""
    numerals_at: I64
    """How many of its first k characters are numerals (digits, Chinese numerals)."""
    figures: frozenset[bytes]
    """Its distinct runs of digits."""
    sampled: int
    """How many distinct sampled shingles it has."""


def profile(cps: U32, formula: U32, ngram: int) -> Profile:
    """The :class:`Profile` of a normalized text, given the collection's sorted ``formula``
    shingles."""
    hashes = ngram_hashes(cps, ngram) if cps.size >= ngram else _NONE
    sample = sampled(hashes)
    common = sample & members(hashes, formula)
    rare = hashes[sample & ~common]
    return Profile(cps, hashes, _cumulative(common), _cumulative(sample & ~common),
                   np.unique(rare), _cumulative(members(cps, _NUMERALS)), _figures(cps),
                   int(np.unique(hashes[sample]).size))


@dataclass(frozen=True)
class Profiles:
    """A batch of normalized texts packed for measuring many pairs at once
    (:func:`specificities`), with what the judge reads of every text beforehand: its rare
    and sampled shingles (:func:`profiles`). Nothing a character: the compiled measure
    hashes a pair's texts as it measures them, the numpy path makes each text's
    :class:`Profile` when asked."""

    flat: U32
    """The normalized texts' code points, one after another."""
    starts: I64
    """Where each text starts in ``flat``, and the end (one more value than texts)."""
    formula: U32
    """The collection's formula shingles, sorted."""
    rare: U32
    """Each text's distinct sampled shingles that are not formula, sorted, concatenated ..."""
    rare_counts: I64
    """... and how many each has."""
    sampled: I64
    """How many distinct sampled shingles each text has."""
    ngram: int

    def text(self, k: int) -> U32:
        """The code points of text ``k``."""
        out: U32 = self.flat[self.starts[k] : self.starts[k + 1]]
        return out

    def figures(self) -> list[frozenset[bytes]]:
        """Each text's distinct runs of ASCII digits (:attr:`Profile.figures`), found in
        one pass over the batch: the digits' positions, cut where one does not follow the
        last or a text begins."""
        at = np.flatnonzero((self.flat >= ord("0")) & (self.flat <= ord("9")))
        if not at.size:
            return [frozenset()] * (self.starts.size - 1)
        owners = np.searchsorted(self.starts, at, "right") - 1
        begins = np.flatnonzero(np.concatenate(
            ([True], (np.diff(at) != 1) | (np.diff(owners) != 0))))
        ends = np.append(begins[1:], at.size)
        raw = self.flat[at].tobytes()
        runs = [raw[4 * begin : 4 * end] for begin, end in zip(begins.tolist(), ends.tolist(),
                                                                strict=True)]
        bounds = starts_of(np.bincount(owners[begins], minlength=self.starts.size - 1))
        return [frozenset(runs[lo:hi]) for lo, hi in itertools.pairwise(bounds.tolist())]

    def profile(self, k: int) -> Profile:
        """The :class:`Profile` of text ``k`` (:func:`profile`)."""
        return profile(self.text(k), self.formula, self.ngram)


def profiles(texts: list[U32], formula: U32, ngram: int) -> Profiles:
    """The :class:`Profiles` of normalized texts, given the collection's sorted ``formula``
    shingles: their distinct sampled shingles in one pass (:func:`sampled_shingles`),
    those not formula kept as each text's rare ones."""
    lengths = np.fromiter((t.size for t in texts), dtype=np.int64, count=len(texts))
    flat = _joined(texts, int(lengths.sum()))
    values, counts = sampled_shingles(flat, lengths, ngram)
    compiled = _compiled_pass(values.size)
    if compiled is not None:
        rare_counts = np.zeros(lengths.size, dtype=np.int64)
        rare = compiled.rare_only(values, counts, formula, rare_counts)
    else:
        kept = ~members(values, formula)
        text_of = np.repeat(np.arange(lengths.size, dtype=np.int64), counts)
        rare = values[kept]
        rare_counts = np.bincount(text_of[kept], minlength=lengths.size).astype(np.int64)
    return Profiles(flat, starts_of(lengths), formula, rare, rare_counts, counts, ngram)


def _joined(texts: list[U32], size: int) -> U32:
    """The texts one after another: the array they are consecutive pieces of when they
    are (as verification's normalized texts are), else a copy."""
    if not texts:
        return _NONE
    base = texts[0].base
    if isinstance(base, np.ndarray) and base.dtype == np.uint32 and base.ndim == 1 and (
            base.flags.c_contiguous):
        at = texts[0].__array_interface__["data"][0]
        first = (at - base.__array_interface__["data"][0]) // 4
        follows = all(t.base is base and t.flags.c_contiguous
                      and t.__array_interface__["data"][0] == at + 4 * done
                      for t, done in zip(texts, itertools.accumulate(
                          (t.size for t in texts), initial=0), strict=False))
        if follows and first >= 0 and first + size <= base.size:
            out: U32 = base[first : first + size]
            return out
    return np.concatenate(texts)


NUMPY_SECONDS_PER_CHARACTER = 1e-7
"""About what the numpy path of :func:`sampled_shingles` and :func:`profiles` spends per
character: a large batch loads the numba kernel at once."""


def _compiled_pass(characters: int) -> ModuleType | None:
    """The compiled twin of the passes over a batch's characters, when it runs (32-bit
    positions)."""
    if not characters or characters >= 2**31 - 1:
        return None
    return kernels.formula(characters * NUMPY_SECONDS_PER_CHARACTER)


def is_formula(cps: U32, formula: U32, ngram: int) -> bool:
    """Whether a shared passage (its normalized code points) is formula: fewer of its
    sampled shingles are rare than :data:`RARE_WEIGHT` asks for (or none is sampled), as
    :func:`specificity` tells its passages apart."""
    hashes = ngram_hashes(cps, ngram) if cps.size >= ngram else _NONE
    sample = sampled(hashes)
    common = int((sample & members(hashes, formula)).sum())
    rare = int(sample.sum()) - common
    return not (rare * RARE_WEIGHT >= common and rare > 0)


def specificity(a: Profile, b: Profile, ngram: int) -> Specificity:
    """What two normalized texts share, told apart by the collection's formula shingles (see
    the module docstring)."""
    hashes = (a.hashes, b.hashes) if a.hashes.size and b.hashes.size else None
    tiles = normalized_passages(a.cps, b.cps, ngram, MIN_PASSAGE, hashes)
    if not tiles.size:
        return _measured(None, a.cps.size, b.cps.size, a.figures, b.figures)
    start, length = tiles[:, 0], tiles[:, 2]
    last = np.clip(start + length - ngram + 1, start, a.hashes.size)  # shingles inside
    formula_held = a.formula_at[last] - a.formula_at[start]
    rare_held = a.rare_at[last] - a.rare_at[start]
    specific = (rare_held * RARE_WEIGHT >= formula_held) & (rare_held > 0)
    chained = tiles[heaviest_chain(tiles)]
    slots, facts = _slots(chained, a.numerals_at, b.numerals_at)
    specific_chars = int(length[specific].sum())
    counts = (specific_chars, int(length.sum()) - specific_chars,
              int(length[specific].max(initial=0)), int(chained[:, 2].sum()), slots, facts)
    return _measured(counts, a.cps.size, b.cps.size, a.figures, b.figures)


Counts = tuple[int, int, int, int, int, int]
"""What :func:`specificity` counts of a pair's passages: specific and formula characters,
the longest specific passage, the characters of the heaviest chain, its slots and its
figure slots."""


def _measured(counts: Counts | None, size_a: int, size_b: int, figures_a: frozenset[bytes],
              figures_b: frozenset[bytes]) -> Specificity:
    """The :class:`Specificity` of a pair from what its passages count (None: it shares
    no passage)."""
    shorter = int(min(size_a, size_b))
    if counts is None:
        return Specificity(0.0, 0.0, 0.0, 0.0, 0, 0.0, 0.0, 0.0, shorter)
    specific_chars, formula_chars, longest, chain_length, slots, facts = counts
    return Specificity(
        specific_a=specific_chars / max(size_a, 1),
        specific_b=specific_chars / max(size_b, 1),
        formula_a=formula_chars / max(size_a, 1),
        formula_b=formula_chars / max(size_b, 1),
        longest_specific=longest,
        ordered=chain_length / max(shorter, 1),
        slots=100.0 * slots / max(chain_length, 1),
        facts=100.0 * facts / max(chain_length, 1),
        shorter=shorter,
        **_figures_kept(size_a, figures_a, size_b, figures_b),
    )


def specificities(texts: Profiles, pairs: I64) -> list[Specificity]:
    """:func:`specificity` of each pair ``(i, j)`` of ``texts`` (rows of ``pairs``): with
    the numba kernel, every pair measured in one compiled call
    (:mod:`neardup.core.formula_numba`: the passages, the formula and specific characters,
    the heaviest chain and its slots), else pair by pair; the same results."""
    compiled = _compiled(texts, pairs)
    if compiled is None:
        made: dict[int, Profile] = {}

        def of(k: int) -> Profile:
            found = made.get(k)
            if found is None:
                found = made[k] = texts.profile(k)
            return found

        return [specificity(of(i), of(j), texts.ngram) for i, j in pairs.tolist()]
    counted = np.zeros((pairs.shape[0], 7), dtype=np.int64)
    compiled.measure_pairs(
        texts.flat, texts.starts, pairs.astype(np.int64), texts.formula, SAMPLE,
        _NUMERAL_TABLE, texts.ngram, MIN_PASSAGE, RARE_WEIGHT, SLOT_GAP, NEAREST, counted)
    figures = texts.figures()
    sizes = np.diff(texts.starts).tolist()
    out = []
    for (i, j), row in zip(pairs.tolist(), counted.tolist(), strict=True):
        counts = None if not row[6] else (row[0], row[1], row[2], row[3], row[4], row[5])
        out.append(_measured(counts, sizes[i], sizes[j], figures[i], figures[j]))
    return out


NUMPY_SECONDS_PER_PAIR = 4e-4
"""About what the numpy path spends on a pair (news items; see
``benchmarks/copies_cost.py``): many pairs load the numba kernel at once."""


def _compiled(texts: Profiles, pairs: I64) -> ModuleType | None:
    """The compiled measure when it measures these pairs (numba is the kernel, and the
    kernel's passages read the texts' own n-gram hashes: ``ngram`` at most
    :data:`MIN_PASSAGE`, 32-bit positions)."""
    if not pairs.shape[0] or texts.ngram > MIN_PASSAGE or texts.flat.size >= 2**31 - 1:
        return None
    return kernels.formula(pairs.shape[0] * NUMPY_SECONDS_PER_PAIR)


def _cumulative(marked: npt.NDArray[np.bool_]) -> I64:
    """How many of the first k of ``marked`` are True, for each k (``marked.size + 1``
    values)."""
    out = np.zeros(marked.size + 1, dtype=np.int64)
    np.cumsum(marked, out=out[1:])
    return out


def heaviest_chain(tiles: I64) -> I64:
    """The rows of the passages that follow each other in both texts (start in A and in B
    ascending) with the most characters in all: a weighted longest increasing subsequence
    (passages never overlap, so ascending starts are enough), ``O(k log k)``."""
    order = np.argsort(tiles[:, 0], kind="stable")
    starts_b = tiles[order, 1]
    weights = tiles[order, 2].tolist()
    ranks = (np.searchsorted(np.unique(starts_b), starts_b) + 1).tolist()
    size = len(ranks)
    tree_best = [0] * (size + 1)  # Fenwick tree of (best weight, index) by rank of start in B
    tree_at = [-1] * (size + 1)
    before = [-1] * size
    best = [0] * size
    for k, rank in enumerate(ranks):
        top, at, r = 0, -1, rank - 1
        while r > 0:
            if tree_best[r] > top:
                top, at = tree_best[r], tree_at[r]
            r -= r & -r
        best[k], before[k] = top + weights[k], at
        r = rank
        while r <= size:
            if best[k] > tree_best[r]:
                tree_best[r], tree_at[r] = best[k], k
            r += r & -r
    k = int(np.argmax(best))
    chain = []
    while k >= 0:
        chain.append(k)
        k = before[k]
    return order[np.array(chain[::-1], dtype=np.int64)]


def _slots(chained: I64, numeral_a: I64, numeral_b: I64) -> tuple[int, int]:
    """How many gaps between consecutive passages of a chain are slots (both texts put
    something different, at most :data:`SLOT_GAP` characters, between them), and how many
    of those fill in a number on either side."""
    if len(chained) < 2:
        return 0, 0
    ends_a = chained[:-1, 0] + chained[:-1, 2]
    ends_b = chained[:-1, 1] + chained[:-1, 2]
    gap_a = chained[1:, 0] - ends_a
    gap_b = chained[1:, 1] - ends_b
    slot = (gap_a > 0) & (gap_a <= SLOT_GAP) & (gap_b > 0) & (gap_b <= SLOT_GAP)
    at = np.flatnonzero(slot)
    numbered = (numeral_a[ends_a[at] + gap_a[at]] > numeral_a[ends_a[at]]) | (
        numeral_b[ends_b[at] + gap_b[at]] > numeral_b[ends_b[at]]
    )
    return int(at.size), int(numbered.sum())


def _figures_kept(size_a: int, figures_a: frozenset[bytes], size_b: int,
                  figures_b: frozenset[bytes]) -> dict[str, Any]:
    """How many distinct digit runs the shorter text has, and the share found in the other."""
    mine, theirs = (figures_a, figures_b) if size_a <= size_b else (figures_b, figures_a)
    kept = len(mine & theirs) / len(mine) if mine else 1.0
    return {"figures": len(mine), "figures_kept": kept}


def _figures(cps: U32) -> frozenset[bytes]:
    """The distinct runs of ASCII digits of a normalized text."""
    digit = (cps >= ord("0")) & (cps <= ord("9"))
    edges = np.flatnonzero(np.diff(np.concatenate(([0], digit.view(np.int8), [0]))))
    return frozenset(cps[start:end].tobytes()
                     for start, end in zip(edges[::2], edges[1::2], strict=True))
