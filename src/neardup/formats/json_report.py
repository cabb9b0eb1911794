"""The JSON report (the whole :meth:`~neardup.report.DuplicateReport.to_dict`, indented) and
JSON Lines (one pair object, as in the report's ``pairs``, per line).

The module is not called ``json`` so that it never stands in for the standard library's.
"""

from __future__ import annotations

import json

from ..report import DuplicateReport, pair_dict
from .shared import Texts


def render_json(report: DuplicateReport, texts: Texts | None = None) -> str:
    """The report as one JSON object (``texts`` are not used)."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


def render_jsonl(report: DuplicateReport, texts: Texts | None = None) -> str:
    """The pairs of the report, one JSON object a line (``texts`` are not used)."""
    pairs = (pair_dict(p, report.documents) for p in report.pairs)
    return "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs)
