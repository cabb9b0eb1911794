"""Text normalization with a map back to the original text.

The normalized form of a text is, character by character: NFKC (full-width to half-width,
compatibility forms folded), lower case, then removal of whitespace, punctuation and
control/format characters (Unicode categories ``Z*``, ``P*``, ``Cc``, ``Cf``). Before that,
scraper markers (regular expressions, ``##paidbegin##`` and ``##paidend##`` by default) and,
on request, HTML tags, comments, ``<script>``/``<style>`` blocks and entities are removed.

On request (``script``, ``synonyms``), the normalized text is then folded: traditional
characters to simplified ones, words to the representative of their synonym class
(:mod:`neardup.core.folding`).

Every normalized character remembers the offset of the original character it came from, so
a passage found in normalized text can be shown in the original.

The per-character work is a table lookup over code points (:class:`CharacterTable`, made
on first use and filled lazily from :mod:`unicodedata`); only texts whose result needs
canonical composition (a base letter and a combining mark) take a slower path. With the
numba kernel (:mod:`neardup.core.kernels`), :func:`map_packed` runs the lookup compiled
(:mod:`neardup.core.normalize_numba`) and can sign the texts in the same pass
(:mod:`neardup.core.minhash`).

Example:
    >>> normalize_text("ＡＢＣ，　中文！ ##paidbegin##")
    'abc中文'
    >>> n = normalize("Hi, 你好")
    >>> n.text, n.offsets.tolist()
    ('hi你好', [0, 1, 4, 5])
"""

from __future__ import annotations

import html as html_lib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import ModuleType
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from .._types import U32
from ..errors import ParameterError
from . import kernels
from .arrays import starts_of
from .folding import fold_script, fold_synonyms, fold_synonyms_packed
from .minhash import minhash_flat, permutations

DEFAULT_MARKERS: tuple[str, ...] = (r"##paidbegin##", r"##paidend##")
"""Scraper markers removed by default (regular expressions)."""

SCRIPTS: tuple[str | None, ...] = (None, "simplified")
"""The values of ``script``: no script folding, or traditional folded to simplified."""

_HTML_PATTERN = (
    r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<!\[CDATA\[.*?\]\]>"
    r"|</?[a-zA-Z!?][^<>]*>"
)
ENTITY_PATTERN = r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});"
"""An HTML character reference (numeric or named), as removed or decoded with ``html=True``."""



@dataclass(frozen=True)
class NormalizeOptions:
    """How texts are normalized; recorded in every report and index.

    Attributes:
        html: remove HTML tags, comments, script/style blocks and entities first.
        markers: regular expressions whose matches are removed (scraper markers).
        script: ``"simplified"`` folds traditional characters to simplified ones
            (:mod:`neardup.core.folding`); None leaves the script alone.
        synonyms: replace words of a synonym class by the class's representative.
    """

    html: bool = False
    markers: tuple[str, ...] = DEFAULT_MARKERS
    script: str | None = None
    synonyms: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "markers", marker_patterns(self.markers))
        for pattern in self.markers:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ParameterError(
                    f"marker {pattern!r} is not a valid regular expression: {exc}"
                ) from None
            if re.fullmatch(pattern, ""):
                raise ParameterError(f"marker {pattern!r} matches the empty string")
        if self.script not in SCRIPTS:
            raise ParameterError(f"script must be one of {SCRIPTS} (got {self.script!r})")
        if not isinstance(self.synonyms, bool):
            raise ParameterError(f"synonyms must be True or False (got {self.synonyms!r})")


@dataclass(frozen=True)
class Normalized:
    """A normalized text and, for each of its characters, the offset in the original text.

    With synonym folding, the characters of a replacement word all have the offset of the
    word they replaced, and ``ends`` holds, for each character, the end (exclusive) of the
    original text it stands for; None when that is always ``offsets + 1`` (less markup).
    """

    text: str
    offsets: npt.NDArray[np.int64] = field(repr=False)
    ends: npt.NDArray[np.int64] | None = field(default=None, repr=False)


def marker_patterns(markers: object) -> tuple[str, ...]:
    """The markers as a tuple of regular expressions (ParameterError: one not a string):
    one string is one expression, not its characters (each removed from every text).
    >>> marker_patterns("【广告】"), marker_patterns(["a", "b"])
    (('【广告】',), ('a', 'b'))
    """
    one = isinstance(markers, str) or not isinstance(markers, Iterable)
    patterns = (markers,) if one else tuple(markers)  # type: ignore[arg-type]
    if not all(isinstance(pattern, str) for pattern in patterns):
        raise ParameterError(f"markers must be regular expressions (strings); got {markers!r}")
    return patterns  # type: ignore[return-value]


def codepoints(text: str) -> npt.NDArray[np.uint32]:
    """The code points of ``text`` as a uint32 array (UTF-32, surrogates passed through)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def from_codepoints(cps: npt.NDArray[np.uint32]) -> str:
    """The inverse of :func:`codepoints`."""
    return np.ascontiguousarray(cps, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


def normalize(text: str, options: NormalizeOptions | None = None) -> Normalized:
    """Normalize ``text`` and keep the offset of every resulting character.

    Args:
        text: the original text.
        options: markup and marker handling; the defaults when omitted.

    Returns:
        The normalized text with ``offsets[i]`` = index in ``text`` of the character that
        produced normalized character ``i``.
    """
    options = options or NormalizeOptions()
    cps, offsets = _normalize_unfolded(text, options)
    if options.script is not None:
        cps = fold_script(cps)
    if not options.synonyms:
        return Normalized(from_codepoints(cps), offsets)
    folded = fold_synonyms(from_codepoints(cps))
    if not offsets.size:
        return Normalized(folded.text, offsets, offsets.copy())
    return Normalized(folded.text, offsets[folded.starts], offsets[folded.ends - 1] + 1)


def normalize_text(text: str, options: NormalizeOptions | None = None) -> str:
    """Only the normalized text of :func:`normalize`."""
    return from_codepoints(normalize_codepoints(text, options)[0])


def normalize_codepoints(
    text: str, options: NormalizeOptions | None = None
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """Normalized code points (uint32) and their offsets (int64) into ``text``."""
    options = options or NormalizeOptions()
    if options.synonyms:
        norm = normalize(text, options)
        return codepoints(norm.text), norm.offsets
    cps, offsets = _normalize_unfolded(text, options)
    if options.script is not None:
        cps = fold_script(cps)
    return cps, offsets


def _normalize_unfolded(
    text: str, options: NormalizeOptions
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """:func:`normalize_codepoints` before any folding."""
    cps, offsets = _strip(text, _strip_regex(options.html, options.markers), options.html)
    table = character_table()
    cps, offsets = _map_chars(cps, offsets, table)
    if cps.size and not unicodedata.is_normalized("NFKC", from_codepoints(cps)):
        cps, offsets = _compose(cps, offsets, table)
    return cps, offsets


@lru_cache(maxsize=64)
def _strip_regex(html: bool, markers: Sequence[str]) -> re.Pattern[str] | None:
    parts = [f"(?:{m})" for m in markers]
    if html:
        parts += [_HTML_PATTERN, f"(?P<entity>{ENTITY_PATTERN})"]
    if not parts:
        return None
    return re.compile("|".join(parts), re.DOTALL | re.IGNORECASE)


def _may_match(flat: U32, html: bool, markers: Sequence[str]) -> bool:
    """Whether the markup or a marker may be in the texts: False only when none of the
    characters every match starts with is there (found without decoding the texts)."""
    starts = _match_starts(html, tuple(markers))
    if starts is None:
        return True
    return any(bool((flat == start).any()) for start in starts)


@lru_cache(maxsize=64)
def _match_starts(html: bool, markers: tuple[str, ...]) -> tuple[int, ...] | None:
    """The code points every match of the markup and markers starts with, or None when a
    marker's first character is not known from its text: it is not a plain character that
    case does not change, is optional (``*``, ``?``, ``{``), or the pattern has an ``|``."""
    starts = {ord("<"), ord("&")} if html else set()
    for marker in markers:
        first = marker[:1]
        plain = bool(first) and first not in _REGEX_SYNTAX and not first.isalnum()
        if not plain or first.lower() != first.upper() or "|" in marker:
            return None
        if marker[1:2] in ("*", "?", "{"):
            return None
        starts.add(ord(first))
    return tuple(sorted(starts))


_REGEX_SYNTAX = frozenset(".^$*+?{}[]\\|()")


def _strip(
    text: str, regex: re.Pattern[str] | None, html: bool
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """Remove the regex's matches; decoded entities take the offset of their ``&``."""
    cps = codepoints(text)
    matches = list(regex.finditer(text)) if regex is not None else []
    if not matches:
        return cps, np.arange(cps.size, dtype=np.int64)
    cp_parts: list[npt.NDArray[np.uint32]] = []
    off_parts: list[npt.NDArray[np.int64]] = []
    pos = 0
    for m in matches:
        start, end = m.span()
        cp_parts.append(cps[pos:start])
        off_parts.append(np.arange(pos, start, dtype=np.int64))
        if html and m.lastgroup == "entity":
            decoded = codepoints(html_lib.unescape(m.group()))
            cp_parts.append(decoded)
            off_parts.append(np.full(decoded.size, start, dtype=np.int64))
        pos = end
    cp_parts.append(cps[pos:])
    off_parts.append(np.arange(pos, cps.size, dtype=np.int64))
    return np.concatenate(cp_parts), np.concatenate(off_parts)


def _removable(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] in "PZ" or category in ("Cc", "Cf")


def _map_one(ch: str) -> str:
    """NFKC, lower case, NFKC again until stable; then drop removable characters."""
    previous, current = None, ch
    for _ in range(4):
        if current == previous:
            break
        previous = current
        current = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", current).lower())
    return "".join(c for c in current if not _removable(c))


class CharacterTable:
    """What each code point becomes: one code point, nothing, or an expansion (``℃`` ->
    ``°c``), filled from :mod:`unicodedata` as code points are met (:meth:`fill`).

    The module's functions share the one of :func:`character_table` (5.5 MB, and 4.5 MB
    more for the numba kernel's copy, each made on first use); a new table starts empty,
    e.g. to pass to :func:`map_packed`.

    Attributes:
        entries: int32 per code point: the code point it becomes, or ``REMOVED``, ``MULTI``
            (an expansion, in ``expansions``) or ``UNKNOWN`` (not filled yet).
        expansions: code point -> the code points it becomes, when more than one.
        checked: per code point, whether its mapping holds a code point that may need
            composition with its neighbours (:func:`_needs_check`).
        kernel: the numba kernel's copy, kept up to date by
            :func:`neardup.core.normalize_numba.kernel_tables`.
    """

    UNKNOWN: ClassVar[int] = -3
    MULTI: ClassVar[int] = -2
    REMOVED: ClassVar[int] = -1

    def __init__(self) -> None:
        self.entries = np.full(0x110000, self.UNKNOWN, dtype=np.int32)
        self.expansions: dict[int, U32] = {}
        self.checked = np.zeros(0x110000, dtype=np.bool_)
        self.kernel: dict[str, npt.NDArray[Any]] = {}

    def fill(self, unknown: U32) -> None:
        """Fill the entries of these code points."""
        for cp in np.unique(unknown).tolist():
            try:
                mapped = _map_one(chr(cp))
            except ValueError:  # a lone surrogate: keep as is
                mapped = chr(cp)
            if mapped == "":
                self.entries[cp] = self.REMOVED
            elif len(mapped) == 1:
                self.entries[cp] = ord(mapped)
            else:
                self.expansions[cp] = codepoints(mapped)
                self.entries[cp] = self.MULTI
            self.checked[cp] = bool(_needs_check(codepoints(mapped)).any())

    def apply(self, cps: U32) -> tuple[U32, npt.NDArray[np.int64] | None]:
        """Map every code point (filling the unknown ones): the output code points and,
        unless every character stayed one character, the input index of each output one."""
        mapped = self.entries[cps]
        if not mapped.size or mapped.min() >= 0:
            return mapped.astype(np.uint32), None
        if (mapped == self.UNKNOWN).any():
            self.fill(cps[mapped == self.UNKNOWN])
            mapped = self.entries[cps]
            if mapped.min() >= 0:
                return mapped.astype(np.uint32), None
        source = np.flatnonzero(mapped != self.REMOVED)
        out = mapped[source]
        multi_at = np.flatnonzero(out == self.MULTI)
        if multi_at.size:  # rare (℃, Ⅱ, ㈱ ...): splice the expansions in, one copy
            out_parts: list[npt.NDArray[np.int32]] = []
            source_parts: list[npt.NDArray[np.int64]] = []
            previous = 0
            for at, cp in zip(multi_at.tolist(), cps[source[multi_at]].tolist(), strict=True):
                expansion = self.expansions[cp]
                out_parts += [out[previous:at], expansion.astype(np.int32)]
                source_parts += [source[previous:at], np.full(expansion.size, source[at])]
                previous = at + 1
            out = np.concatenate([*out_parts, out[previous:]])
            source = np.concatenate([*source_parts, source[previous:]])
        return out.astype(np.uint32), source


@lru_cache(maxsize=1)
def character_table() -> CharacterTable:
    """The table the module's functions share, made on first use."""
    return CharacterTable()


def _map_chars(
    cps: U32, offsets: npt.NDArray[np.int64], table: CharacterTable
) -> tuple[U32, npt.NDArray[np.int64]]:
    out, source = table.apply(cps)
    return out, offsets if source is None else offsets[source]


def normalize_many(
    texts: Sequence[str], options: NormalizeOptions | None = None
) -> tuple[U32, npt.NDArray[np.int64]]:
    """Normalize a batch of texts at once: the concatenated normalized code points and the
    normalized length of each text.

    The same result as :func:`normalize_codepoints` text by text, with the per-character
    work done once over the whole batch (no offsets are kept).
    """
    joined = "".join(texts)
    sizes = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    return normalize_packed(codepoints(joined), sizes, options, joined=joined)


def packed_codepoints(texts: Sequence[str]) -> tuple[U32, npt.NDArray[np.int64]]:
    """The texts' code points concatenated (one encode for the whole list) and each text's
    length."""
    sizes = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    return codepoints("".join(texts)), sizes


def normalize_packed(
    flat: U32,
    sizes: npt.NDArray[np.int64],
    options: NormalizeOptions | None = None,
    *,
    joined: str | None = None,
) -> tuple[U32, npt.NDArray[np.int64]]:
    """:func:`normalize_many` of texts given as their concatenated code points and lengths
    (``joined``: the same texts as one string, when the caller has it)."""
    options = options or NormalizeOptions()
    flat, sizes = strip_packed(flat, sizes, options, joined)
    out, lengths, _ = map_packed(flat, sizes)
    return fold_packed(out, lengths, options)


def strip_packed(
    flat: U32, sizes: npt.NDArray[np.int64], options: NormalizeOptions, joined: str | None = None
) -> tuple[U32, npt.NDArray[np.int64]]:
    """The texts without markup and markers (as ``options`` ask); ``joined``: the texts as one
    string, when the caller has it (it saves decoding them)."""
    regex = _strip_regex(options.html, options.markers)
    if regex is None:
        return flat, sizes
    if joined is None:
        if not _may_match(flat, options.html, options.markers):
            return flat, sizes
        joined = from_codepoints(flat)
    if regex.search(joined) is None:
        return flat, sizes
    # Some text has markup or markers (a match across two texts only costs this path).
    bounds = starts_of(sizes).tolist()
    pieces = [
        _strip(joined[lo:hi], regex, options.html)[0] for lo, hi in itertools.pairwise(bounds)
    ]
    sizes = np.fromiter((p.size for p in pieces), dtype=np.int64, count=len(pieces))
    return (np.concatenate(pieces) if pieces else np.empty(0, dtype=np.uint32)), sizes


def fold_packed(
    flat: U32, lengths: npt.NDArray[np.int64], options: NormalizeOptions
) -> tuple[U32, npt.NDArray[np.int64]]:
    """Script and synonym folding of normalized texts, as ``options`` ask."""
    if options.script is not None:
        flat = fold_script(flat)
    if options.synonyms:
        flat, lengths = fold_synonyms_packed(flat, lengths)
    return flat, lengths


def map_packed(
    flat: U32,
    sizes: npt.NDArray[np.int64],
    sign: tuple[int, int, int] | None = None,
    *,
    table: CharacterTable | None = None,
) -> tuple[U32, npt.NDArray[np.int64], U32 | None]:
    """The character mapping of :func:`normalize_packed` (NFKC, case, removal, composition)
    of stripped texts; with ``sign`` = ``(ngram, num_perm, seed)`` and the numba kernel, also
    the character n-gram signatures of the results (else None), computed in the same pass.
    ``table``: the :class:`CharacterTable` to use (default: :func:`character_table`).
    """
    table = character_table() if table is None else table
    compiled = kernels.normalize()
    if compiled is not None:
        return _map_numba(compiled, flat, sizes, sign, table)
    out, source = table.apply(flat)
    bounds = starts_of(sizes)
    lengths = sizes if source is None else np.diff(np.searchsorted(source, bounds))
    flagged = np.flatnonzero(table.checked[flat])  # filled for every code point now
    if flagged.size:  # only texts with such a code point can need composition
        texts = np.unique(np.searchsorted(bounds, flagged, side="right") - 1)
        out, lengths, _ = _compose_checked(out, lengths, texts, table)
    return out, lengths, None


def _starts_segment(ch: str, previous: str | None) -> bool:
    if previous is None:
        return True
    if unicodedata.combining(ch):
        return False
    pair = previous + ch
    return unicodedata.normalize("NFKC", pair) == pair


def _compose(
    cps: npt.NDArray[np.uint32], offsets: npt.NDArray[np.int64], table: CharacterTable
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """Canonical composition, segment by segment, for texts with combining sequences.

    A segment starts at a character that neither combines nor composes with the one before.
    A segment whose NFKC form keeps its length keeps its characters' offsets; otherwise all
    its characters take the offset of the segment's first character.
    """
    text = from_codepoints(cps)
    out: list[str] = []
    out_offsets: list[int] = []
    starts = [i for i, ch in enumerate(text) if _starts_segment(ch, text[i - 1] if i else None)]
    starts.append(len(text))
    for begin, end in itertools.pairwise(starts):
        segment = text[begin:end]
        composed = _map_chars_str(unicodedata.normalize("NFKC", segment), table)
        out.append(composed)
        if len(composed) == end - begin:
            out_offsets.extend(offsets[begin:end].tolist())
        else:
            out_offsets.extend([int(offsets[begin])] * len(composed))
    return codepoints("".join(out)), np.array(out_offsets, dtype=np.int64)


def _map_chars_str(text: str, table: CharacterTable) -> str:
    cps = codepoints(text)
    return from_codepoints(_map_chars(cps, np.zeros(cps.size, dtype=np.int64), table)[0])


def _map_numba(
    nb: ModuleType,
    flat: U32,
    sizes: npt.NDArray[np.int64],
    sign: tuple[int, int, int] | None,
    table: CharacterTable,
) -> tuple[U32, npt.NDArray[np.int64], U32 | None]:
    """:func:`map_packed` with the numba kernel ``nb``: one compiled pass per document, the few
    documents that may need composition then checked (and composed) as the numpy path does."""
    flat = np.ascontiguousarray(flat, dtype=np.uint32)
    sizes = np.ascontiguousarray(sizes, dtype=np.int64)
    n = sizes.size
    if sign is None:
        ngram, a, b = 0, np.zeros(0, np.uint32), np.zeros(0, np.uint32)
        sigs = np.empty((0, 0), dtype=np.uint32)
    else:
        ngram, num_perm, seed = sign
        a, b = permutations(num_perm, seed)
        sigs = np.empty((n, num_perm), dtype=np.uint32)
    lengths = np.empty(n, dtype=np.int64)
    check = np.empty(n, dtype=np.bool_)
    unknown = np.empty(4096, dtype=np.uint32)
    capacity = flat.size + 64
    parts = table.kernel, table.entries, table.expansions, table.checked
    tables = nb.kernel_tables(*parts)
    while True:
        out = np.empty(capacity, dtype=np.uint32)
        written, missing = nb.normalize_sign(
            flat, sizes, *tables, out, lengths, check, unknown, (ngram, a, b, sigs)
        )
        if missing:
            fresh = np.unique(unknown[: min(missing, unknown.size)])
            table.fill(fresh)
            tables = nb.kernel_tables(*parts, fresh)
        elif written > capacity:
            capacity = written
        else:
            break
    out = out[:written]
    if check.any():
        out, lengths, changed = _compose_checked(out, lengths, np.flatnonzero(check), table)
        if sign is not None and changed.size:
            bounds = starts_of(lengths)
            pieces = [out[bounds[d] : bounds[d + 1]] for d in changed.tolist()]
            piece_lengths = np.fromiter((p.size for p in pieces), np.int64, len(pieces))
            sigs[changed] = minhash_flat(np.concatenate(pieces), piece_lengths, *sign)
    return out, lengths, (sigs if sign is not None else None)


def _compose_checked(
    flat: U32, lengths: npt.NDArray[np.int64], checked: npt.NDArray[np.int64],
    table: CharacterTable,
) -> tuple[U32, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Compose the texts at ``checked`` that need it (not NFKC-normalized: a substring of
    normalized text is normalized, so each text is composed on its own); the texts, their
    lengths, and which texts changed."""
    bounds = starts_of(lengths).tolist()
    changed: dict[int, U32] = {}
    for d in checked.tolist():
        piece = flat[bounds[d] : bounds[d + 1]]
        if piece.size and not unicodedata.is_normalized("NFKC", from_codepoints(piece)):
            changed[d] = _compose(piece, np.zeros(piece.size, dtype=np.int64), table)[0]
    if not changed:
        return flat, lengths, np.zeros(0, dtype=np.int64)
    lengths = lengths.copy()
    parts: list[U32] = []
    previous = 0
    for d, piece in changed.items():
        parts += [flat[bounds[previous] : bounds[d]], piece]
        lengths[d] = piece.size
        previous = d + 1
    parts.append(flat[bounds[previous] :])
    return np.concatenate(parts), lengths, np.fromiter(changed, np.int64, len(changed))


def _needs_check(cps: npt.NDArray[np.integer]) -> npt.NDArray[np.bool_]:
    """Which of these (mapped) code points may make a text not NFKC-normalized next to its
    neighbours: combining marks, characters that NFKC changes, and characters that compose
    with the one before (the second of a canonical pair, Hangul vowels and final jamo).
    A text with none of them passes Unicode's quick check, so it is normalized."""
    composing = _composing()
    out = np.zeros(cps.size, dtype=np.bool_)
    for i, cp in enumerate(cps.tolist()):
        ch = chr(cp)
        if cp in composing or unicodedata.combining(ch):
            out[i] = True
            continue
        try:
            out[i] = not unicodedata.is_normalized("NFKC", ch)
        except ValueError:  # pragma: no cover - a lone surrogate is normalized
            out[i] = False
    return out


COMPOSING_LIMIT = 0x30000
"""No code point from here on has a canonical decomposition (checked by a test)."""


@lru_cache(maxsize=1)
def _composing() -> frozenset[int]:
    """Code points that can compose with a character before them (the second of a two-code
    point canonical decomposition; Hangul medial vowels and final consonants)."""
    found = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))
    for cp in range(COMPOSING_LIMIT):
        parts = unicodedata.decomposition(chr(cp)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            found.add(int(parts[1], 16))
    return frozenset(found)
