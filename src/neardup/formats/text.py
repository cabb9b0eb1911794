"""The text report: a summary, then the clusters and the pairs with their longest shared
passage, for a person at a terminal.

Ids and titles stay on their line (:func:`~.untrusted.one_line`), so that none can forge a
line of the report; control characters are escaped (:func:`~.untrusted.safe_output`)
before lines are wrapped to ``width`` columns (:func:`wrap_line`: a continuation is
indented under the text of its item, Chinese breaks between any two characters, which
count two columns)."""

from __future__ import annotations

import re
import unicodedata

from ..report import DuplicateReport, Pair, set_apart_shown
from .set_apart import (
    SET_APART_NOTE,
    reasons_counted,
    shown_words,
)
from .shared import (
    NO_COPY_RATIOS,
    Headline,
    Texts,
    checked_lines,
    copies_not_computed,
    copy_line,
    judged_words,
    pair_numbers,
    pairs_shown,
    parameters_line,
    plural,
    report_summary_line,
    rewrite_words,
    share3,
    shorten,
    title_of,
)
from .untrusted import one_line, safe_output

WIDTH = 100
"""Columns of the text report when it does not go to a terminal."""


def render_text(report: DuplicateReport, texts: Texts | None = None, width: int = WIDTH) -> str:
    """The report as plain text, lines wrapped to ``width`` columns (``texts`` are not
    used); the pairs the most similar first (Jaccard), or for a containment search the
    largest share of one document in the other first."""
    lines = [f"neardup: {report_summary_line(report)}", f"parameters: {parameters_line(report)}"]
    if report.skipped:
        lines += ["", "Skipped"]
        lines += [f"  {one_line(s.id)}: {one_line(s.reason)}" for s in report.skipped]
    headline = Headline(report)
    shown = sorted(pairs_shown(report), key=lambda p: (-max(headline.shares(p)), -p.jaccard)
                   if report.parameters.containment is not None else -p.jaccard)
    number_of = pair_numbers(pairs_shown(report))  # the numbers the other formats give
    if report.checked:
        lines += ["", "Checked documents (the share of each found in the others)"]
        for k, page in enumerate(report.checked, start=1):
            if page.sources:
                first, *sources = checked_lines(page, number_of, one_line)
                lines += [f"  {k}. {first}", *(f"     {line}" for line in sources)]
        clean = [page.id for page in report.checked if not page.sources]
        if clean:
            named = ", ".join(one_line(i) for i in clean[:10])
            more = f" and {len(clean) - 10:,} more" if len(clean) > 10 else ""
            lines.append(f"  nothing found in the others for {plural(len(clean), 'document')}: "
                         f"{named}{more}")
    if copies_not_computed(report):
        lines += ["", NO_COPY_RATIOS]
    if report.copies:
        lines += ["", "Copy ratios (share of each document found in the others)"]
        lines += [f"  {copy_line(copied, name=one_line)}" for copied in report.copies]
    if report.identical:
        lines += ["", "Identical documents (after normalization; their pairs are not listed "
                  "below)"]
        for number, group in enumerate(report.identical, start=1):
            lines.append(
                f"  {number}. {plural(len(group.members), 'identical document')}: "
                + ", ".join(one_line(member) for member in group.members)
            )
    if report.clusters:
        lines += ["", "Clusters"]
        for number, cluster in enumerate(report.clusters, start=1):
            title = one_line(title_of(report, cluster.representative) or "")
            lines.append(
                f"  {number}. {plural(len(cluster.members), 'document')}, representative "
                f"{one_line(cluster.representative)}" + (f" ({title})" if title else "")
            )
            for member in cluster.members:
                note = "representative" if member.id == cluster.representative else (
                    f"Jaccard {share3(member.similarity)}"
                )
                lines.append(f"       {one_line(member.id)}  {note}")
    if shown:
        order = ("the largest share of one text in the other first"
                 if report.parameters.containment is not None else "most similar first")
        lines += ["", "Pairs" + (f" ({order}, numbered as on the HTML page)"
                                 if len(shown) > 1 else "")]
        for pair in shown:
            lines += _pair_lines(report, number_of[pair.a, pair.b], pair, headline)
    lines += _set_apart_lines(report)
    return "".join(f"{row}\n" for line in lines for row in wrap_line(safe_output(line), width))


def _pair_lines(
    report: DuplicateReport, number: int, pair: Pair, headline: Headline
) -> list[str]:
    in_b, in_a = headline.shares(pair)
    lines = [
        f"  {number}. {one_line(pair.a)}  <->  {one_line(pair.b)}",
        f"     {in_b:.1%} of a is in b, {in_a:.1%} of b is in a ({headline.basis(pair)})",
        f"     Jaccard {share3(pair.jaccard)}, containment {share3(pair.containment)}"
        + rewrite_words(pair)
        + (", identical after normalization" if pair.exact else ""),
    ]
    judged = judged_words(pair)
    if judged:
        lines.append(f"     copy: {judged}")
    for side, doc_id in (("a", pair.a), ("b", pair.b)):
        title = one_line(title_of(report, doc_id) or "")
        info = report.documents.get(doc_id)
        length = info.length if info is not None else None
        details = [] if length is None else [f"{length:,} chars"]
        if length is None and info is not None and info.normalized_length:
            details = [f"{info.normalized_length:,} chars normalized"]  # not re-read
        lines.append(
            f"     {side}: {one_line(doc_id)}" + (f"  {title}" if title else "")
            + (f"  ({', '.join(details)})" if details else "")
        )
    if pair.passages:
        first = pair.passages[0]
        lines.append(
            f"     {plural(len(pair.passages), 'shared passage')}; the longest, "
            f"a[{first.a_start}:{first.a_end}] = b[{first.b_start}:{first.b_end}] "
            f"({len(first.text):,} chars):"
        )
        lines.append(f"       “{shorten(first.text)}”")
    return lines


def _set_apart_lines(report: DuplicateReport) -> list[str]:
    """How many pairs were set apart and why, then those that share most text."""
    if not report.set_apart:
        return []
    lines = ["", f"Set apart: {plural(len(report.set_apart), 'pair')} {SET_APART_NOTE}; "
             "by reason:"]
    width = len(f"{max(count for _, count in reasons_counted(report)):,}")
    lines += [f"  {count:>{width},}  {kind}" for kind, count in reasons_counted(report)]
    shown = set_apart_shown(report)
    lines += ["", f"  Set apart, {shown_words(report, shown)}:"]
    for pair in shown:
        lines += [f"    {_named(report, pair.a)}  <->  {_named(report, pair.b)}",
                  f"      {pair.a_in_b:.1%} of a is in b, {pair.b_in_a:.1%} of b is in a "
                  f"(shingles): {pair.reason or 'no reason given'}"]
    return lines


def _named(report: DuplicateReport, doc_id: str) -> str:
    """A document's id and the start of its title."""
    title = one_line(title_of(report, doc_id) or "")
    return one_line(doc_id) + (f" {title[:24]}…" if len(title) > 24 else f" {title}" * bool(title))


_ITEM = re.compile(r" *(?:\d+\. +|[a-z]: )?")
"""What a continuation line is indented under: leading spaces and a number or a side."""
_TOKEN = re.compile(r" +|[^ ]")


def width_of(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters two, combining marks none.

    Example:
        >>> width_of("ab"), width_of("中文"), width_of("e\u0301")
        (2, 4, 1)
    """
    return sum(_char_width(ch) for ch in text)


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def wrap_line(line: str, width: int) -> list[str]:
    """``line`` cut into rows of at most ``width`` columns, continuations indented under
    the item's text (after its leading spaces and a ``12.`` or ``a:`` marker; two more
    spaces when there is no marker). Latin words are kept whole where they fit; wide
    characters may break anywhere.

    Example:
        >>> wrap_line("  1. alpha beta gamma delta", 14)
        ['  1. alpha', '     beta', '     gamma', '     delta']
        >>> wrap_line("     a: 一二三四五六七八", 16)
        ['     a: 一二三四', '        五六七八']
    """
    if width_of(line) <= width:
        return [line]
    marker = _ITEM.match(line)
    hang = len(marker.group(0)) if marker else 0
    if marker is None or hang == len(line) - len(line.lstrip(" ")):
        hang += 2
    hang = min(hang, width // 2)
    rows: list[str] = []
    row, used = "", 0
    for word in _words(line):
        size = width_of(word)
        if row.strip() and used + size > width and (word.isspace() or size <= width - hang):
            rows.append(row.rstrip(" "))
            row, used = " " * hang, hang
            if word.isspace():
                continue
        while used + size > width and len(word) > 1:  # a word longer than a row is cut
            cut = _fitting(word, width - used)
            if cut:
                rows.append(row + word[:cut])
                word = word[cut:]
            else:
                rows.append(row.rstrip(" "))
            row, used, size = " " * hang, hang, width_of(word)
        row += word
        used += size
    if row.strip():
        rows.append(row.rstrip(" "))
    return rows


_NO_LINE_START = frozenset("、。，．；：！？）］｝」』】〉》”’…%,.;:!?)]}")
"""Punctuation that never starts a row (it stays with the character before it)."""


_NAME = re.compile(r"[^ ]*(?:[/\\#]|\.[A-Za-z]{1,5}\b)[^ ]*")
"""A run without spaces that holds a path separator, a ``#`` or a file extension: a file
name or a document id, kept whole where it fits in a row."""


def _words(line: str) -> list[str]:
    """Runs of spaces, wide characters one by one, and other runs of non-spaces; closing
    punctuation stays with what it closes, so that no row starts with "、" or "。"; a file
    name or document id (:data:`_NAME`) is one word, even with wide characters in it.

    Example:
        >>> _words("做到入脑、入心。ok")
        ['做', '到', '入', '脑、', '入', '心。', 'ok']
        >>> _words("a: 法规/北京/条例.md  条例")
        ['a:', ' ', '法规/北京/条例.md', '  ', '条', '例']
    """
    words: list[str] = []
    at = 0
    for name in _NAME.finditer(line):
        words += _small_words(line[at:name.start()], words)
        words.append(name.group(0))
        at = name.end()
    return words + _small_words(line[at:], words)


def _small_words(text: str, before: list[str]) -> list[str]:
    """:func:`_words` of a stretch without names, joined to ``before`` where punctuation
    closes what comes before it."""
    words = before[-1:]
    for token in _TOKEN.findall(text):
        closing = token in _NO_LINE_START
        narrow = not token.isspace() and _char_width(token) < 2
        if words and not words[-1].isspace() and (
            closing or (narrow and _char_width(words[-1][-1]) < 2)
        ):
            words[-1] += token
        else:
            words.append(token)
    if before:
        before[-1] = words[0]
        return words[1:]
    return words


def _fitting(word: str, columns: int) -> int:
    """How many characters of ``word`` fit in ``columns``."""
    used = 0
    for k, ch in enumerate(word):
        used += _char_width(ch)
        if used > columns:
            return k
    return len(word)
