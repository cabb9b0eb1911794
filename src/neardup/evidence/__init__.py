"""Evidence on a report: what the reported pairs share, shown in the original texts.

- :mod:`~neardup.evidence.passages`: each pair's shared passages and coverage
  (``add_passages``), built from the spans of :mod:`neardup.core.passages`;
- :mod:`~neardup.evidence.copy_ratios`: for a containment search, how much of each document
  is found in the others.

A floor above ``core`` (the algorithms) and the output model (``report``); the command line
puts the evidence on a report before a format renders it.
"""
