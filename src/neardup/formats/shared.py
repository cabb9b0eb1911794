"""What several report formats share: a document's title, counted words, the one-line summary
and parameters of a report, and long text shortened to one line."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from ..report import CheckedDocument, Cluster, CopiedDocument, DuplicateReport, Pair

Texts = Mapping[str, str]
"""Original texts by document id."""


def pairs_shown(report: DuplicateReport) -> list[Pair]:
    """The pairs a report meant to be read lists one by one: all but the ``exact`` pairs
    within its groups of identical documents, which it shows once, as a group."""
    if not report.identical:
        return report.pairs
    grouped = {(g.members[0], m) for g in report.identical for m in g.members[1:]}
    return [p for p in report.pairs if not (p.exact and (p.a, p.b) in grouped)]


def title_of(report: DuplicateReport, doc_id: str) -> str | None:
    """The title of a document of the report, when it has one."""
    info = report.documents.get(doc_id)
    return info.title if info is not None else None


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and ``word``, in the plural (``many``, else word + "s") unless the count is one.

    Example:
        >>> plural(1, "pair"), plural(1200, "document"), plural(2, "copy", "copies")
        ('1 pair', '1,200 documents', '2 copies')
    """
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def shorten(text: str, width: int = 120) -> str:
    """``text`` on one line (whitespace runs become one space), at most about ``width``
    characters: its beginning and end around an ellipsis when longer.

    Example:
        >>> shorten("一二三四五六七八九十" * 3, 12)
        '一二三四五六七八 … 九十 (+20 chars)'
    """
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= width:
        return flat
    head = max(width * 2 // 3, 1)
    tail = max(width // 6, 1)
    return f"{flat[:head]} … {flat[-tail:]} (+{len(flat) - head - tail:,} chars)"


def parameters_line(report: DuplicateReport) -> str:
    """The parameters of the report in words, e.g. ``5-grams of characters, threshold 0.7,
    ...``."""
    p = report.parameters
    unit = "characters" if p.unit == "char" else "words"
    return (
        f"{p.ngram}-grams of {unit}, threshold {p.threshold:g}, {p.num_perm} permutations "
        f"in {p.bands} bands of {p.rows}, seed {p.seed}, {report.verification} verification"
        + (", HTML markup removed" if p.html else "")
        + (", traditional characters folded to simplified" if p.script == "simplified" else "")
        + (", words folded to their synonym class" if p.synonyms else "")
        + (
            f", containment {p.containment:g} (fingerprints in more than {p.max_df} documents "
            f"ignored: {report.counts.common_fingerprints:,})"
            if p.containment is not None else ""
        )
        + (
            f", rewrite {p.rewrite:g} (common 4-grams ignored: "
            f"{report.counts.common_rewrite_shingles:,})"
            if p.rewrite is not None else ""
        )
        + (
            f", copies judged by what they share (formula-df {p.formula_df})"
            if p.formula_df is not None else ""
        )
    )


def judged_words(pair: Pair) -> str:
    """Why the copies judgement took a pair for a copy (or set it apart), and its specific
    and formula shares, e.g. ``a specific passage of 68 characters; the judgement's own
    measure, on normalized text (…): specific 21% of a, 4% of b; formula 3% / 1%``: they
    differ from the headline share, which counts the shared passages of the original texts;
    nothing for a pair that was not judged."""
    if pair.reason is None:
        return ""
    shares = judged_shares(pair)
    return f"{pair.reason}; {shares}" if shares else pair.reason


def judged_shares(pair: Pair) -> str:
    """The specific and formula shares the copies judgement measured on a pair, in words
    (``the judgement's own measure, …: specific 21% of a, 4% of b; formula 3% / 1%``), or
    nothing when it did not measure them."""
    if pair.specific_a is None or pair.specific_b is None:
        return ""
    return (f"the judgement's own measure, on normalized text (no punctuation or spaces): "
            f"specific {pair.specific_a:.0%} of a, {pair.specific_b:.0%} of b; "
            f"formula {pair.formula_a or 0:.0%} / {pair.formula_b or 0:.0%}")


def rewrite_words(pair: Pair) -> str:
    """``, rewrite resemblance 0.091`` for a pair of a rewrite search, else nothing."""
    return "" if pair.rewrite is None else f", rewrite resemblance {share3(pair.rewrite)}"


def copy_line(
    copied: CopiedDocument, most: int = 5, name: Callable[[str], str] = str
) -> str:
    """One document's copy ratio, e.g. ``report.txt: 37.2% found elsewhere — 21.5% in
    a.txt#3, 9.8% in b.txt``, naming its ``most`` largest sources (ids shown as ``name``
    writes them).

    Example:
        >>> from neardup.report import CopiedDocument, CopySource
        >>> line = copy_line(CopiedDocument("r.txt", 0.372, (CopySource("a.txt#3", 0.215, ()),
        ...                                                  CopySource("b.txt", 0.098, ()))))
        >>> line
        'r.txt: 37.2% found elsewhere — 21.5% in a.txt#3, 9.8% in b.txt'
    """
    named = [f"{source.share:.1%} in {name(source.id)}" for source in copied.sources[:most]]
    more = len(copied.sources) - most
    if more > 0:
        named.append(f"and {plural(more, 'more source')}")
    return f"{name(copied.id)}: {copied.share:.1%} found elsewhere — " + ", ".join(named)


def report_summary_line(report: DuplicateReport) -> str:
    """What was read and found, e.g. ``11 documents read, 0 skipped, 1 pair in 1 cluster
    (0.12 s)``; the pairs of identical documents are counted among the pairs and said, e.g.
    ``3 pairs (1 of identical documents)``."""
    c = report.counts
    exact = sum(1 for p in report.pairs if p.exact)
    of_identical = f" ({exact:,} of identical documents)" if exact else ""
    return (
        f"{plural(c.documents, 'document')} read, {c.skipped:,} skipped, "
        f"{plural(c.pairs, 'pair')}{of_identical} in {plural(c.clusters, 'cluster')} "
        f"({report.seconds:.2f} s)"
    )


def share3(value: float) -> str:
    """A similarity or share with 3 decimals, never shown as 1 (or 0) when it is not:
    0.9996 is ``0.999``, not ``1.000``.

    Example:
        >>> share3(0.995), share3(0.99996), share3(1.0), share3(0.8426), share3(0.0004)
        ('0.995', '0.999', '1.000', '0.843', '0.001')
    """
    shown = f"{value:.3f}"
    if shown == "1.000" and value < 1:
        return "0.999"
    if shown == "0.000" and value > 0:
        return "0.001"
    return shown


def coverage(value: float | None) -> str:
    """A share of a document as a percentage, ``?`` when unknown."""
    return "?" if value is None else f"{value:.1%}"


def relation(report: DuplicateReport, pair: Pair) -> tuple[str, str]:
    """What a pair is, as a short title and one sentence: identical (after normalization),
    a near-duplicate (Jaccard at or above the threshold) or a partial copy, with the
    report's headline shares (:class:`Headline`) and the judgement's reason, if any, e.g.
    ``("partial copy", "mix.txt and a.txt share text: 66.8% of mix.txt is in a.txt, 51.7%
    of a.txt is in mix.txt (counted in shingles) (Jaccard 0.420)")``."""
    if pair.exact:
        return "identical", f"{pair.a} duplicates {pair.b} (identical after normalization)"
    if pair.jaccard >= report.parameters.threshold:
        return "near-duplicate", f"{pair.a} duplicates {pair.b} (Jaccard {share3(pair.jaccard)})"
    why = f"; copy: {pair.reason}" if pair.reason else ""
    return "partial copy", (
        f"{pair.a} and {pair.b} share text: {Headline(report).words(pair)} (Jaccard "
        f"{share3(pair.jaccard)}){why}"
    )


def checked_lines(
    page: CheckedDocument, number_of: Mapping[tuple[str, str], int],
    name: Callable[[str], str] = str,
) -> list[str]:
    """A checked document's page in lines of text: its share found, the largest source and
    each source with its number, share and pair (``number_of``: the pairs' numbers).

    Example:
        >>> from neardup.report import CheckedDocument, CheckedSource
        >>> page = CheckedDocument("e.txt", 0.42, 0.05, (CheckedSource("a", 0.3, 0.3),
        ...                        CheckedSource("b", 0.12, 0.12)), ())
        >>> first, *sources = checked_lines(page, {("e.txt", "a"): 2})
        >>> print(first.replace("; ", ";\\n"))
        e.txt: 42.0% found in other documents (specific text;
        formula, 5.0%, not counted);
        largest source: 30.0% in a
        >>> print("\\n".join(sources))
        [1] 30.0% of e.txt is in a (pair 2)
        [2] 12.0% of e.txt is in b
    """
    if page.measured != "passages":
        found = (f"at least {page.share:.1%} found in other documents (shingles: passages "
                 "not computed: --no-passages, or add_passages not run)")
    else:
        found = (f"{page.share:.1%} found in other documents (specific text; formula, "
                 f"{page.formula:.1%}, not counted)")
    largest = (f"; largest source: {page.sources[0].share:.1%} in {name(page.sources[0].id)}"
               if page.sources else "; nothing found in the others")
    lines = [f"{name(page.id)}: {found}{largest}"]
    for k, source in enumerate(page.sources, start=1):
        pair = number_of.get((page.id, source.id))
        lines.append(f"[{k}] {source.share:.1%} of {name(page.id)} is in {name(source.id)}"
                     + (f" (pair {pair})" if pair else ""))
    return lines


def pair_numbers(pairs: list[Pair]) -> dict[tuple[str, str], int]:
    """The number of each pair (from 1, in list order), by its two ids in either order."""
    number_of: dict[tuple[str, str], int] = {}
    for number, pair in enumerate(pairs, start=1):
        number_of[pair.a, pair.b] = number_of[pair.b, pair.a] = number
    return number_of


class Headline:
    """The one figure a report gives for how much of each side of a pair is in the other
    ("48.9% of a is in b"), the same in every format and in the copy ratios.

    With passages (:func:`neardup.add_passages`): the share of a document's normalized
    characters inside the passages it shares with the other — for a containment search the
    *specific* ones (formula left out, the copy ratios' share, JSON ``copies[].sources[]
    .share``), else all of them (JSON ``a_coverage``, ``b_coverage``). Without passages: the
    share of its shingles found in the other (JSON ``a_in_b``, ``b_in_a``).

    Example:
        >>> from neardup import find_duplicates
        >>> report = find_duplicates({"x": "今天天气很好我们去公园", "y": "今天天气很好我们去公园"
        ...                                                      "吧"})
        >>> Headline(report).words(report.pairs[0])
        '100.0% of x is in y, 87.5% of y is in x (counted in shingles)'
    """

    def __init__(self, report: DuplicateReport) -> None:
        self.containment = report.parameters.containment is not None
        self.judged = report.parameters.formula_df is not None
        self.found = {(c.id, s.id): s.share for c in report.copies for s in c.sources}

    def shares(self, pair: Pair) -> tuple[float, float]:
        """The share of a found in b and of b in a."""
        if pair.a_coverage is None or pair.b_coverage is None:
            return pair.a_in_b, pair.b_in_a
        if self.containment:
            return self.found.get((pair.a, pair.b), 0.0), self.found.get((pair.b, pair.a), 0.0)
        return pair.a_coverage, pair.b_coverage

    def basis(self, pair: Pair) -> str:
        """What the shares count: ``counted in shared passages`` (``..., formula apart``
        with a copies judgement) or ``counted in shingles``."""
        if pair.a_coverage is None:
            return "counted in shingles"
        return "counted in shared passages" + (", formula apart" if self.judged else "")

    def words(self, pair: Pair, name: Callable[[str], str] = str) -> str:
        """``48.9% of a.txt is in b.txt, 12.0% of b.txt is in a.txt (counted in ...)``."""
        in_b, in_a = self.shares(pair)
        return (f"{in_b:.1%} of {name(pair.a)} is in {name(pair.b)}, {in_a:.1%} of "
                f"{name(pair.b)} is in {name(pair.a)} ({self.basis(pair)})")


def copies_not_computed(report: DuplicateReport) -> bool:
    """Whether a containment search's copy ratios are missing because no passages were
    computed (``--no-passages``): a report must say so, not show nothing."""
    return (report.parameters.containment is not None and not report.copies
            and any(p.a_coverage is None for p in report.pairs))


NO_COPY_RATIOS = ("Copy ratios not computed (--no-passages, or add_passages not run): they "
                  "count the text of the passages each document shares with the others.")


FOUND_BY = (
    ("near", "near-duplicates (Jaccard at or above the threshold)"),
    ("containment", "partial copies (containment: a share of the smaller document)"),
    ("rewrite", "the rewrite search (distinctive words in common: rewritten, or copied in "
                "part below the containment cut)"),
    ("other", "copies found otherwise (shared rare text)"),
)
"""What found a pair, as the histogram colours it, in the order it is decided."""


def found_by(report: DuplicateReport) -> list[str]:
    """For each pair, the search that reports it (a key of :data:`FOUND_BY`): Jaccard at or
    above the threshold, else containment at or above its cut, else a rewrite resemblance at
    or above its, else another rule of the copies judgement."""
    p = report.parameters
    kinds = []
    for pair in report.pairs:
        if pair.jaccard >= p.threshold or pair.exact:
            kinds.append("near")
        elif p.containment is not None and pair.containment >= p.containment:
            kinds.append("containment")
        elif p.rewrite is not None and pair.rewrite is not None and pair.rewrite >= p.rewrite:
            kinds.append("rewrite")
        else:
            kinds.append("other")
    return kinds


CLUSTERS_SHOWN = 200
"""The HTML page lists this many clusters (the largest); the pairs table holds every pair."""


def shown_clusters(report: DuplicateReport) -> list[tuple[int, Cluster]]:
    """The clusters the HTML page shows, with their numbers (in report order): the
    :data:`CLUSTERS_SHOWN` largest, largest first."""
    ordered = sorted(enumerate(report.clusters, start=1), key=lambda nc: -len(nc[1].members))
    return ordered[:CLUSTERS_SHOWN]
