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

The per-character work is a table lookup over code points (numpy), filled lazily from
:mod:`unicodedata`; only texts whose result needs canonical composition (a base letter and a
combining mark) take a slower path.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from .._types import U32
from ..errors import ParameterError
from .arrays import starts_of
from .folding import fold_script, fold_synonyms, fold_synonyms_packed

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

_UNKNOWN = -3
_MULTI = -2
_REMOVED = -1
_table = np.full(0x110000, _UNKNOWN, dtype=np.int32)
_multi: dict[int, npt.NDArray[np.uint32]] = {}


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
        object.__setattr__(self, "markers", tuple(self.markers))
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
    cps, offsets = _map_chars(cps, offsets)
    if cps.size and not unicodedata.is_normalized("NFKC", from_codepoints(cps)):
        cps, offsets = _compose(cps, offsets)
    return cps, offsets


@lru_cache(maxsize=64)
def _strip_regex(html: bool, markers: Sequence[str]) -> re.Pattern[str] | None:
    parts = [f"(?:{m})" for m in markers]
    if html:
        parts += [_HTML_PATTERN, f"(?P<entity>{ENTITY_PATTERN})"]
    if not parts:
        return None
    return re.compile("|".join(parts), re.DOTALL | re.IGNORECASE)


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


def _fill_table(unknown: npt.NDArray[np.uint32]) -> None:
    for cp in np.unique(unknown).tolist():
        try:
            mapped = _map_one(chr(cp))
        except ValueError:  # a lone surrogate: keep as is
            mapped = chr(cp)
        if mapped == "":
            _table[cp] = _REMOVED
        elif len(mapped) == 1:
            _table[cp] = ord(mapped)
        else:
            _multi[cp] = codepoints(mapped)
            _table[cp] = _MULTI


def _through_table(cps: U32) -> tuple[U32, npt.NDArray[np.int64] | None]:
    """Map every code point through the table: the output code points and, unless the
    mapping kept every character as one character, the input index of each output one."""
    mapped = _table[cps]
    if not mapped.size or mapped.min() >= 0:
        return mapped.astype(np.uint32), None
    if (mapped == _UNKNOWN).any():
        _fill_table(cps[mapped == _UNKNOWN])
        mapped = _table[cps]
        if mapped.min() >= 0:
            return mapped.astype(np.uint32), None
    source = np.flatnonzero(mapped != _REMOVED)
    out = mapped[source]
    multi_at = np.flatnonzero(out == _MULTI)
    if multi_at.size:  # rare (℃, Ⅱ, ㈱ ...): splice the expansions in, one copy
        out_parts: list[npt.NDArray[np.int32]] = []
        source_parts: list[npt.NDArray[np.int64]] = []
        previous = 0
        for at, cp in zip(multi_at.tolist(), cps[source[multi_at]].tolist(), strict=True):
            expansion = _multi[cp]
            out_parts += [out[previous:at], expansion.astype(np.int32)]
            source_parts += [source[previous:at], np.full(expansion.size, source[at])]
            previous = at + 1
        out = np.concatenate([*out_parts, out[previous:]])
        source = np.concatenate([*source_parts, source[previous:]])
    return out.astype(np.uint32), source


def _map_chars(cps: U32, offsets: npt.NDArray[np.int64]) -> tuple[U32, npt.NDArray[np.int64]]:
    out, source = _through_table(cps)
    return out, offsets if source is None else offsets[source]


def normalize_many(
    texts: Sequence[str], options: NormalizeOptions | None = None
) -> tuple[U32, npt.NDArray[np.int64]]:
    """Normalize a batch of texts at once: the concatenated normalized code points and the
    normalized length of each text.

    The same result as :func:`normalize_codepoints` text by text, with the per-character
    work done once over the whole batch (no offsets are kept).
    """
    return normalize_packed(*packed_codepoints(texts), options)


def packed_codepoints(texts: Sequence[str]) -> tuple[U32, npt.NDArray[np.int64]]:
    """The texts' code points concatenated (one encode for the whole list) and each text's
    length."""
    sizes = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    return codepoints("".join(texts)), sizes


def normalize_packed(
    flat: U32, sizes: npt.NDArray[np.int64], options: NormalizeOptions | None = None
) -> tuple[U32, npt.NDArray[np.int64]]:
    """:func:`normalize_many` of texts given as their concatenated code points and lengths."""
    options = options or NormalizeOptions()
    regex = _strip_regex(options.html, options.markers)
    if regex is not None and regex.search(from_codepoints(flat)):
        # Some text has markup or markers (a match across two texts only costs this path).
        bounds = starts_of(sizes).tolist()
        pieces = [
            _strip(from_codepoints(flat[lo:hi]), regex, options.html)[0]
            for lo, hi in itertools.pairwise(bounds)
        ]
        sizes = np.fromiter((p.size for p in pieces), dtype=np.int64, count=len(pieces))
        flat = np.concatenate(pieces) if pieces else np.empty(0, dtype=np.uint32)
    out, source = _through_table(flat)
    if source is None:
        lengths = sizes
    else:
        bounds_arr = starts_of(sizes)
        lengths = np.diff(np.searchsorted(source, bounds_arr)).astype(np.int64)
    if out.size and not unicodedata.is_normalized("NFKC", from_codepoints(out)):
        out, lengths = _compose_many(out, lengths)
    if options.script is not None:
        out = fold_script(out)
    if options.synonyms:
        out, lengths = fold_synonyms_packed(out, lengths)
    return out, lengths


def _compose_many(flat: U32, lengths: npt.NDArray[np.int64]) -> tuple[U32, npt.NDArray[np.int64]]:
    """Compose the texts of a batch that need it (substrings of normalized text are normalized)."""
    bounds = starts_of(lengths).tolist()
    pieces = []
    for lo, hi in itertools.pairwise(bounds):
        piece = flat[lo:hi]
        if piece.size and not unicodedata.is_normalized("NFKC", from_codepoints(piece)):
            piece = _compose(piece, np.zeros(piece.size, dtype=np.int64))[0]
        pieces.append(piece)
    sizes = np.fromiter((p.size for p in pieces), dtype=np.int64, count=len(pieces))
    return np.concatenate(pieces), sizes


def _starts_segment(ch: str, previous: str | None) -> bool:
    if previous is None:
        return True
    if unicodedata.combining(ch):
        return False
    pair = previous + ch
    return unicodedata.normalize("NFKC", pair) == pair


def _compose(
    cps: npt.NDArray[np.uint32], offsets: npt.NDArray[np.int64]
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
        composed = _map_chars_str(unicodedata.normalize("NFKC", segment))
        out.append(composed)
        if len(composed) == end - begin:
            out_offsets.extend(offsets[begin:end].tolist())
        else:
            out_offsets.extend([int(offsets[begin])] * len(composed))
    return codepoints("".join(out)), np.array(out_offsets, dtype=np.int64)


def _map_chars_str(text: str) -> str:
    cps = codepoints(text)
    return from_codepoints(_map_chars(cps, np.zeros(cps.size, dtype=np.int64))[0])
