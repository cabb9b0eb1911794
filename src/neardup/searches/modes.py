"""The search modes a run makes: near-duplicates always, containment, rewrites and the
copies judgement when the parameters ask for them (the order in which their candidates,
notes and rules are taken)."""

from __future__ import annotations

from ..parameters import Parameters
from .containment import Containment
from .copies import SpecificCopies
from .near_duplicates import NearDuplicates
from .protocol import SearchMode
from .rewritten_copies import RewrittenCopies


def modes_for(params: Parameters) -> list[SearchMode]:
    """The modes ``params`` ask for, near-duplicates first."""
    modes: list[SearchMode] = [NearDuplicates()]
    if params.containment is not None:
        modes.append(Containment())
    if params.rewrite is not None:
        modes.append(RewrittenCopies())
    if params.formula_df is not None:
        modes.append(SpecificCopies())
    return modes
