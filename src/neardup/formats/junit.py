"""JUnit XML for a check: one test case per checked document, failed when it is a
near-duplicate, and one skipped test case per input that could not be used.

Ids, titles and reasons keep to one line in the failure text and messages
(:func:`~.untrusted.one_line`), as in the text and GitHub formats: the XML is often printed to
a CI log, where a line of an id or title such as ``::add-mask::x`` would be read as a
workflow command."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..report import DuplicateReport, Pair
from .shared import Headline, relation, share3, title_of
from .untrusted import one_line

if TYPE_CHECKING:
    from ..io.documents import Document


def render_junit(report: DuplicateReport, checked: Sequence[Document]) -> str:
    """JUnit XML: a test case per document of ``checked`` (the documents the check looked
    at), failed when it is a near-duplicate; a skipped test case per unusable input; the
    parameters as properties."""
    partners = _partners(report, {d.id for d in checked})
    failures = sum(1 for d in checked if d.id in partners)
    skipped_ids = {s.id for s in report.skipped}
    cases = [d for d in checked if d.id not in skipped_ids]
    tests = len(cases) + len(report.skipped)
    suites = ET.Element("testsuites", name="neardup", tests=str(tests), failures=str(failures),
                        errors="0", skipped=str(len(report.skipped)),
                        time=f"{report.seconds:.3f}")
    suite = ET.SubElement(suites, "testsuite", name="neardup check", tests=str(tests),
                          failures=str(failures), errors="0", skipped=str(len(report.skipped)),
                          time=f"{report.seconds:.3f}")
    props = ET.SubElement(suite, "properties")
    for key, value in report.parameters.to_dict().items():
        ET.SubElement(props, "property", name=key, value=json.dumps(value, ensure_ascii=False))
    for doc in cases:
        attrs = {"classname": "neardup.check", "name": doc.id}
        if doc.source:
            attrs["file"] = doc.source
        case = ET.SubElement(suite, "testcase", attrs)
        found = partners.get(doc.id)
        if found:
            _add_failure(case, report, doc.id, found)
    for skipped in report.skipped:
        case = ET.SubElement(suite, "testcase", classname="neardup.check", name=skipped.id)
        ET.SubElement(case, "skipped", message=one_line(skipped.reason))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _partners(report: DuplicateReport, new: set[str]) -> dict[str, list[tuple[str, Pair]]]:
    """For each checked document in a pair, the documents it duplicates and the pairs, most
    similar first (identical ones, then by Jaccard; ties in report order)."""
    partners: dict[str, list[tuple[str, Pair]]] = {}
    for pair in report.pairs:
        partners.setdefault(pair.a, []).append((pair.b, pair))
        if pair.b in new:
            partners.setdefault(pair.b, []).append((pair.a, pair))
    for found in partners.values():
        found.sort(key=lambda other: (not other[1].exact, -other[1].jaccard))
    return partners


def _add_failure(
    case: ET.Element, report: DuplicateReport, doc_id: str, found: list[tuple[str, Pair]]
) -> None:
    """The ``<failure>`` of a near-duplicate: the first partner in the message, all of them
    (with similarities and titles) in the text."""
    first_id, first = found[0]
    more = f" and {len(found) - 1} more" if len(found) > 1 else ""
    kind, message = relation(report, first)
    if kind == "near-duplicate":  # named from the checked document's side
        message = f"{doc_id} duplicates {first_id} (Jaccard {share3(first.jaccard)})"
    failure = ET.SubElement(case, "failure", type=kind, message=one_line(message + more))
    headline = Headline(report)
    failure.text = "\n".join(
        one_line(
            f"{doc_id} ~ {other}: Jaccard {share3(p.jaccard)}, "
            f"containment {share3(p.containment)}"
            + (f" ({headline.words(p)})" if report.parameters.containment is not None else "")
            + (f"; copy: {p.reason}" if p.reason else "")
            + _title_note(report, other)
        )
        for other, p in found
    )


def _title_note(report: DuplicateReport, doc_id: str) -> str:
    title = title_of(report, doc_id)
    return f" ({title})" if title else ""
