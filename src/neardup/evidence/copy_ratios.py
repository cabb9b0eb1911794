"""The copy-ratio view (查重) of a report: for each document, how much of it is found in the
other documents, and where.

A document's share from one source is its coverage in their pair (the share of its
normalized characters inside the passages it shares with that source,
:func:`neardup.evidence.passages.shared_passages`). Its share found elsewhere is the union of
those passages over all its sources, counted in normalized characters, so text copied from
two sources at once counts once. With a copies judgement the passages marked formula (text
many documents of the collection hold, :mod:`neardup.core.formula`) are left out, as 查重
services leave out quotations: the shares count specific content only.

Example:
    >>> from neardup import find_duplicates, add_passages
    >>> copied = "今天天气很好，我们一起去人民公园散步，看看湖边新开的花。"
    >>> a = copied + "晚上一起吃饭。"
    >>> b = "明天要下雨了，记得带伞出门。" + copied + "路上小心，早点回家。"
    >>> report = find_duplicates({"a": a, "b": b}, containment=0.5, with_texts=True)
    >>> [(round(p.jaccard, 2), round(p.a_in_b, 2), round(p.b_in_a, 2)) for p in report.pairs]
    [(0.45, 0.78, 0.51)]
    >>> views = add_passages(report, report.texts).copies
    >>> [(c.id, round(c.share, 2), [s.id for s in c.sources]) for c in views]
    [('a', 0.81, ['b']), ('b', 0.56, ['a'])]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from ..core.normalize import NormalizeOptions, normalize
from ..report import CopiedDocument, CopySource, Pair, Passage


def copy_ratios(
    pairs: list[Pair], texts: Mapping[str, str], options: NormalizeOptions
) -> list[CopiedDocument]:
    """The copy-ratio view of every document in ``pairs`` (which carry their passages) that
    shares a passage, largest share first, then by id."""
    sources: dict[str, list[CopySource]] = {}
    for pair in pairs:
        specific = tuple(p for p in pair.passages if not p.formula)
        if not specific:
            continue
        judged = len(specific) < len(pair.passages) or pair.specific_a is not None
        share_a = _share(texts[pair.a], specific, options) if judged else pair.a_coverage
        sources.setdefault(pair.a, []).append(CopySource(pair.b, share_a or 0.0, specific))
        flipped = tuple(_flipped(p, texts[pair.b]) for p in specific)
        share_b = _share(texts[pair.b], flipped, options) if judged else pair.b_coverage
        sources.setdefault(pair.b, []).append(CopySource(pair.a, share_b or 0.0, flipped))
    copied = [
        CopiedDocument(
            doc_id,
            _union_share(texts[doc_id], found, options),
            tuple(sorted(found, key=lambda s: (-s.share, s.id))),
        )
        for doc_id, found in sources.items()
    ]
    copied.sort(key=lambda c: (-c.share, c.id))
    return copied


def _flipped(passage: Passage, text_b: str) -> Passage:
    """The passage seen from document b: b's span first, and b's text."""
    return replace(
        passage,
        a_start=passage.b_start,
        a_end=passage.b_end,
        b_start=passage.a_start,
        b_end=passage.a_end,
        text=text_b[passage.b_start : passage.b_end],
    )


def _share(text: str, passages: tuple[Passage, ...], options: NormalizeOptions) -> float:
    """The share of ``text``'s normalized characters inside the passages."""
    return _union_share(text, [CopySource("", 0.0, passages)], options)


def _union_share(text: str, found: list[CopySource], options: NormalizeOptions) -> float:
    """The share of ``text``'s normalized characters inside any of the passages."""
    normalized = normalize(text, options)
    if not normalized.offsets.size:
        return 0.0
    edges = np.zeros(len(text) + 1, dtype=np.int64)
    for source in found:
        for passage in source.passages:
            edges[passage.a_start] += 1
            edges[passage.a_end] -= 1
    inside = np.cumsum(edges[:-1]) > 0
    return float(np.count_nonzero(inside[normalized.offsets])) / normalized.offsets.size
