"""The JSON report (the whole :meth:`~neardup.report.DuplicateReport.to_dict`, indented) and
JSON Lines (one pair object, as in the report's ``pairs``, per line).

The text is exactly ``json.dumps(report.to_dict(), ensure_ascii=False, indent=2)``, written
without building that dict of dicts: the standard library indents in pure Python (its C
encoder takes no ``indent``), one generator step per value, which cost seconds on a
million-document report. Here the pairs, clusters, groups and documents are written column
by column: the ids by the C string encoder (``json.encoder.encode_basestring``, the one
``ensure_ascii=False`` uses), numbers by ``int.__repr__`` and ``float.__repr__``, each record
joined by one f-string. The small sections (parameters, counts, notes, skipped, copies), and
the records of a section holding a value of another type, go through ``json.dumps`` itself,
re-indented (a JSON text holds no raw newline but its indentation).

The module is not called ``json`` so that it never stands in for the standard library's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import repeat
from json.encoder import encode_basestring
from math import isfinite
from typing import Any

from ..report import (
    Cluster,
    ClusterMember,
    DocumentInfo,
    DuplicateReport,
    ExactGroup,
    Pair,
    Passage,
    cluster_dict,
    flat_dict,
    group_dict,
    pair_dict,
    passage_dict,
)
from .shared import Texts

_INFINITY = float("inf")
_NONE = type(None)
_PAD = ["\n" + "  " * level for level in range(6)]
JUDGED = ("specific_a", "specific_b", "formula_a", "formula_b")
"""The figures the copies judgement records on a pair (before its ``reason``)."""
"""A new line and the indentation of each level."""


def render_json(report: DuplicateReport, texts: Texts | None = None) -> str:
    """The report as one JSON object (``texts`` are not used)."""
    return "".join(json_chunks(report)) + "\n"


def render_jsonl(report: DuplicateReport, texts: Texts | None = None) -> str:
    """The pairs of the report, one JSON object a line (``texts`` are not used)."""
    lines = _pairs(report.pairs, report.documents, compact=True)
    return "".join(line + "\n" for line in lines)


def json_chunks(report: DuplicateReport) -> Iterator[str]:
    """``json.dumps(report.to_dict(), ensure_ascii=False, indent=2)``, in chunks of a section
    each."""
    yield "{"
    for key, value in report.summary_dict().items():
        yield _PAD[1] + encode_basestring(key) + ": " + _dumps(value, _PAD[1]) + ","
    yield _PAD[1] + '"pairs": ' + _listed(_pairs(report.pairs, report.documents), 1)
    yield "," + _PAD[1] + '"clusters": ' + _listed(_clusters(report.clusters), 1)
    yield "," + _PAD[1] + '"identical": ' + _listed(_groups(report.identical), 1)
    if report.parameters.formula_df is not None:
        apart = _pairs(report.set_apart, report.documents)
        yield "," + _PAD[1] + '"set_apart": ' + _listed(apart, 1)
    yield "," + _PAD[1] + '"documents": ' + _documents(report.documents)
    for key, value in report.copies_dict().items():
        yield "," + _PAD[1] + encode_basestring(key) + ": " + _dumps(value, _PAD[1])
    yield "\n}"


class _Unusual(Exception):
    """A value of a type the fast paths do not write (the standard library will)."""


def _dumps(value: Any, pad: str) -> str:
    """``value`` as the standard library writes it, indented to the line ``pad`` starts."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", pad)


def _scalar(value: Any) -> str:
    """A string, number, boolean or None as the standard library writes it (its
    ``_iterencode``, same order of checks); :class:`_Unusual` for anything else."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is float:
        if value != value:
            return "NaN"
        if value == _INFINITY:
            return "Infinity"
        if value == -_INFINITY:
            return "-Infinity"
        return float.__repr__(value)
    if kind is int:
        return int.__repr__(value)
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _scalar(float.__float__(value))
    raise _Unusual


def _flat(record: dict[str, Any], pad: str) -> str:
    """A dict of scalars with str keys, its first line at ``pad``'s level."""
    if not record:
        return "{}"
    inner = pad + "  "
    return "{" + ",".join(
        [inner + _key(key) + ": " + _scalar(value) for key, value in record.items()]
    ) + pad + "}"


def _key(key: Any) -> str:
    if type(key) is not str:
        raise _Unusual  # the standard library turns numbers, booleans and None into keys
    return encode_basestring(key)


def _listed(items: list[str], level: int) -> str:
    """A JSON list at ``level`` of items already written at the next level."""
    if not items:
        return "[]"
    inner = _PAD[level + 1]
    return "[" + inner + ("," + inner).join(items) + _PAD[level] + "]"


def _column(values: list[Any]) -> list[str]:
    """Each value as :func:`_scalar` writes it; a column of one common type at C speed."""
    kinds = set(map(type, values))
    if _NONE in kinds:
        if len(kinds) == 1:
            return ["null"] * len(values)
        written = iter(_column([v for v in values if v is not None]))
        return ["null" if v is None else next(written) for v in values]
    if kinds == {str}:
        return list(map(encode_basestring, values))
    if kinds == {float} and all(map(isfinite, values)):
        return list(map(float.__repr__, values))
    if kinds == {int}:
        return list(map(int.__repr__, values))
    return [_scalar(v) for v in values]


def _rounded(values: Iterable[float]) -> list[str]:
    """Values rounded to 6 digits and written as ``pair_dict`` rounds them and ``json``
    writes them: ``"{:.6f}"``, which rounds as ``round(v, 6)`` does (both give the
    correctly rounded decimal digits), the shortest repr of that float being those digits
    without trailing zeros (it has fewer than 16 significant digits), unless repr writes it
    with an exponent."""
    values = list(values)
    if set(map(type, values)) != {float} or not all(map(isfinite, values)) or (
        values and max(map(abs, values)) >= 1e9
    ):
        return _column(list(map(round, values, repeat(6))))
    texts = [text.rstrip("0") for text in map("{:.6f}".format, values)]
    return [
        text + "0" if text[-1] == "." else
        float.__repr__(round(v, 6)) if text.startswith(("0.0000", "-0.0000")) else text
        for text, v in zip(texts, values, strict=True)
    ]


def _optional(head: str, values: list[Any], write: Callable[[list[Any]], list[str]]) -> list[str]:
    """``head`` and the value for each value that is not None, else ""."""
    given = [v for v in values if v is not None]
    if not given:
        return [""] * len(values)
    written = iter(write(given))
    return ["" if v is None else head + next(written) for v in values]


def _judged(head: str, values: list[Any], pairs: list[Pair]) -> list[str]:
    """``head`` and a judged figure for each judged pair (one with a ``reason``), ``null``
    where it was not measured; "" for a pair not judged."""
    written = _optional(head, values, _rounded)
    return [head + "null" if v is None and p.reason is not None else w
            for v, p, w in zip(values, pairs, written, strict=True)]


def _pairs(
    pairs: list[Pair], documents: dict[str, DocumentInfo], compact: bool = False
) -> list[str]:
    """Each pair as :func:`pair_dict` makes it: written at level 2, or ``compact`` on one
    line as ``json.dumps`` writes it without ``indent``."""
    if not pairs:
        return []
    if set(map(type, pairs)) != {Pair}:
        return [_record(pair_dict(p, documents), compact) for p in pairs]
    a = [p.a for p in pairs]
    b = [p.b for p in pairs]
    sep, start, end = (", ", "{", "}") if compact else ("," + _PAD[3], "{" + _PAD[3], _PAD[2] + "}")
    try:
        titles = {k: info.title for k, info in documents.items() if info.title is not None}
        flags = [p.exact for p in pairs]
        if set(map(type, flags)) - {bool}:
            raise _Unusual
        columns = [
            _column(a), _column(b),
            _rounded(p.jaccard for p in pairs), _rounded(p.containment for p in pairs),
            _rounded(p.a_in_b for p in pairs), _rounded(p.b_in_a for p in pairs),
            ["true" if flag else "false" for flag in flags],
            _optional(sep + '"rewrite": ', [p.rewrite for p in pairs], _rounded),
            _optional(sep + '"a_title": ', [titles.get(x) for x in a], _column),
            _optional(sep + '"b_title": ', [titles.get(x) for x in b], _column),
            _optional(sep + '"a_coverage": ', [p.a_coverage for p in pairs], _rounded),
            _optional(sep + '"b_coverage": ', [p.b_coverage for p in pairs], _rounded),
            *(_judged(f'{sep}"{name}": ', [getattr(p, name) for p in pairs], pairs)
              for name in JUDGED),
            _optional(sep + '"reason": ', [p.reason for p in pairs], _column),
            [_passages(p.passages, compact) for p in pairs],
        ]
    except (_Unusual, TypeError, AttributeError):  # values of other types: json's way
        return [_record(pair_dict(p, documents), compact) for p in pairs]
    return [
        f'{start}"a": {a_}{sep}"b": {b_}{sep}"jaccard": {jac}{sep}"containment": {con}'
        f'{sep}"a_in_b": {ab}{sep}"b_in_a": {ba}{sep}"exact": {ex}{rew}{at}{bt}{ac}{bc}'
        f'{"".join(judged)}{sep}"passages": {pas}{end}'
        for a_, b_, jac, con, ab, ba, ex, rew, at, bt, ac, bc, *judged, pas in zip(
            *columns, strict=True)
    ]


def _passages(passages: tuple[Passage, ...], compact: bool) -> str:
    """A pair's passages (each as ``flat_dict`` makes it) at level 3, or ``compact``."""
    if not passages:
        return "[]"
    if compact:
        return json.dumps([passage_dict(p) for p in passages], ensure_ascii=False)
    return _listed([_flat(passage_dict(p), _PAD[4]) for p in passages], 3)


def _clusters(clusters: list[Cluster]) -> list[str]:
    """Each cluster as :func:`cluster_dict` makes it, written at level 2."""
    if set(map(type, clusters)) != {Cluster}:
        return [_record(cluster_dict(c)) for c in clusters]
    members = [m for c in clusters for m in c.members]
    if set(map(type, members)) != {ClusterMember} and members:
        return [_record(cluster_dict(c)) for c in clusters]
    try:
        ids, similarities = _column([m.id for m in members]), _column(
            [m.similarity for m in members])
    except _Unusual:
        return [_record(cluster_dict(c)) for c in clusters]
    p5 = _PAD[5]
    written = [
        f'{{{p5}"id": {i},{p5}"similarity": {s}{_PAD[4]}}}'
        for i, s in zip(ids, similarities, strict=True)
    ]
    return _keyed_lists([c.representative for c in clusters],
                        [len(c.members) for c in clusters], written)


def _groups(groups: list[ExactGroup]) -> list[str]:
    """Each group of identical documents as :func:`group_dict` makes it, at level 2."""
    if set(map(type, groups)) != {ExactGroup}:
        return [_record(group_dict(g)) for g in groups]
    try:
        members = _column([m for g in groups for m in g.members])
    except _Unusual:
        return [_record(group_dict(g)) for g in groups]
    return _keyed_lists([g.representative for g in groups],
                        [len(g.members) for g in groups], members)


def _keyed_lists(representatives: list[Any], sizes: list[int], members: list[str]) -> list[str]:
    """``{"representative": r, "members": [...]}`` at level 2, the members of each record
    (written at level 4) in turn from ``members``."""
    try:
        firsts = _column(representatives)
    except _Unusual:
        firsts = [_dumps(r, _PAD[3]) for r in representatives]
    head, out, start = _PAD[3] + '"members": ', [], 0
    for first, size in zip(firsts, sizes, strict=True):
        out.append("{" + _PAD[3] + '"representative": ' + first + "," + head
                   + _listed(members[start : start + size], 3) + _PAD[2] + "}")
        start += size
    return out


def _record(record: dict[str, Any], compact: bool = False) -> str:
    """A record of a big section at level 2 (or ``compact``), as ``json.dumps`` writes it."""
    if compact:
        return json.dumps(record, ensure_ascii=False)
    try:
        return _nested(record)
    except _Unusual:
        return _dumps(record, _PAD[2])


def _nested(record: dict[str, Any]) -> str:
    """A record whose values are scalars or lists of scalars or flat dicts, at level 2."""
    fields = []
    for key, value in record.items():
        if isinstance(value, list):
            text = _listed([
                _flat(v, _PAD[4]) if isinstance(v, dict) else _scalar(v) for v in value
            ], 3)
        else:
            text = _scalar(value)
        fields.append(_PAD[3] + _key(key) + ": " + text)
    return "{" + ",".join(fields) + _PAD[2] + "}"


def _documents(documents: dict[str, DocumentInfo]) -> str:
    """The ``documents`` object at level 1."""
    if not documents:
        return "{}"
    infos = list(documents.values())
    unusual = (
        set(map(type, documents)) != {str} or set(map(type, infos)) != {DocumentInfo}
        or any(tuple(vars(info)) != _DOCUMENT_FIELDS for info in infos)
    )
    try:
        columns = [] if unusual else [
            list(map(encode_basestring, documents)),
            _column([d.title for d in infos]), _column([d.source for d in infos]),
            _column([d.length for d in infos]), _column([d.normalized_length for d in infos]),
        ]
    except _Unusual:
        unusual = True
    if unusual:
        return _dumps({k: flat_dict(v) for k, v in documents.items()}, _PAD[1])
    p3 = _PAD[3]
    entries = ",".join([
        f'{_PAD[2]}{key}: {{{p3}"title": {title},{p3}"source": {source},{p3}"length": {length},'
        f'{p3}"normalized_length": {normalized}{_PAD[2]}}}'
        for key, title, source, length, normalized in zip(*columns, strict=True)
    ])
    return "{" + entries + _PAD[1] + "}"


_DOCUMENT_FIELDS = ("title", "source", "length", "normalized_length")
