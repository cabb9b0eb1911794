"""The scores of ``partial_copies.py``: detectors' pairs against the collection's truth.

**Scores**, for a containment level c in 0.2, 0.3, 0.4, 0.5:

* recall: share of the planted pairs with exact containment >= c that the detector reports
  (main and held-out separately; also by containment bin 0.2-0.3, 0.3-0.5, 0.5-0.7, >= 0.7);
* precision: among the reported pairs that involve a generated document, the share that are
  planted pairs or whose exact containment (or Jaccard) reaches what the detector was asked
  for (brute force on the exact shingle sets of each reported pair). A reported pair is a
  false positive only when it is below what was asked;
* precision of what is claimed, for a detector whose pairs also claim a shared passage (the
  copies preset: a specific passage of 35 characters): a pair below what was asked counts
  when the two normalized texts do share a run of that many characters, found by brute
  force (every run of that length of one text looked up among the other's), unless both
  carry generated boilerplate (their shared runs are that boilerplate). Whether the run is
  *specific* (not formula) is the detector's model, judged on real pairs by reading
  (``labelled.py``), not here;
* boilerplate pairs reported: reported pairs of two documents that carry generated
  boilerplate, not planted, and below what was asked (must be 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from common import markdown_table
from contenders import Pairs
from exact import intersections, shingle_sets
from partial_collection import Collection, Planted

BINS = ((0.2, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 1.01))

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Score:
    """One detector's result against the truth at containment level c."""

    recall: dict[str, float]  # by variant: planted pairs with containment >= c found
    truth: dict[str, int]  # by variant: planted pairs with containment >= c
    binned: dict[str, list[float | None]]  # by variant: recall in each of BINS
    reported: int  # reported pairs involving a generated document
    correct: int
    boilerplate: int  # boilerplate-only pairs reported
    background: int  # reported pairs of two background items (not scored)
    passages: int | None = None
    """Pairs below what was asked that share a run of the claimed passage length (None: the
    detector claims no passage)."""

    @property
    def precision(self) -> float:
        return self.correct / self.reported if self.reported else 1.0

    @property
    def claimed_precision(self) -> float | None:
        """Precision counting the pairs that share the passage their detector claims."""
        if self.passages is None:
            return None
        return (self.correct + self.passages) / self.reported if self.reported else 1.0


class Scorer:
    """Exact shingle sets of the collection, to judge reported pairs by brute force."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self.sets = shingle_sets(collection.texts)
        self.sizes = np.fromiter((s.size for s in self.sets), dtype=np.int64)
        where = collection.index()
        self.generated = np.zeros(len(collection.ids), dtype=bool)
        self.generated[[where[d] for d in collection.generated]] = True
        self.carrier = np.zeros(len(collection.ids), dtype=bool)
        self.carrier[[where[d] for d in collection.carriers]] = True
        self.planted: dict[tuple[int, int], Planted] = {}
        for p in collection.planted:
            i, j = where[p.copy_id], where[p.source_id]
            self.planted[(min(i, j), max(i, j))] = p

    def overlaps(self, pairs: I64) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Exact containment and Jaccard of each row (i, j) of ``pairs``."""
        if not pairs.shape[0]:
            return np.empty(0), np.empty(0)
        inter = intersections(self.sets, pairs)
        a, b = self.sizes[pairs[:, 0]], self.sizes[pairs[:, 1]]
        containment = inter / np.maximum(np.minimum(a, b), 1)
        jaccard = inter / np.maximum(a + b - inter, 1)
        return containment, jaccard

    def score(
        self,
        pairs: Pairs,
        level: float,
        asked_containment: float | None,
        asked_jaccard: float | None,
        asked_passage: int | None = None,
    ) -> Score:
        """Recall at ``level``; precision against what the detector was asked for, and of
        what it claims when its pairs claim a shared passage of ``asked_passage``
        characters."""
        recall, truth, binned = {}, {}, {}
        for variant in ("main", "heldout"):
            mine = [(k, p) for k, p in self.planted.items() if p.variant == variant]
            at = [k for k, p in mine if p.containment >= level]
            truth[variant] = len(at)
            recall[variant] = sum(k in pairs for k in at) / len(at) if at else 1.0
            binned[variant] = []
            for low, high in BINS:
                inside = [k for k, p in mine if low <= p.containment < high]
                binned[variant].append(
                    sum(k in pairs for k in inside) / len(inside) if inside else None
                )
        rows = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
        involved = self.generated[rows[:, 0]] | self.generated[rows[:, 1]]
        judged = rows[involved]
        containment, jaccard = self.overlaps(judged)
        ok = np.array([tuple(r) in self.planted for r in judged.tolist()], dtype=bool)
        if asked_containment is not None:
            ok |= containment >= asked_containment - 1e-9
        if asked_jaccard is not None:
            ok |= jaccard >= asked_jaccard - 1e-9
        boiler = ~ok & self.carrier[judged[:, 0]] & self.carrier[judged[:, 1]]
        passages = None
        if asked_passage is not None:
            below = judged[~ok & ~boiler]
            passages = sum(self.share_run(i, j, asked_passage) for i, j in below.tolist())
        return Score(
            recall=recall,
            truth=truth,
            binned=binned,
            reported=int(judged.shape[0]),
            correct=int(ok.sum()),
            boilerplate=int(boiler.sum()),
            background=int((~involved).sum()),
            passages=passages,
        )

    def share_run(self, i: int, j: int, length: int) -> bool:
        """Whether the normalized texts ``i`` and ``j`` share a run of ``length`` characters."""
        a, b = (self.normalized(k) for k in (i, j))
        if len(a) > len(b):
            a, b = b, a
        runs = {a[k : k + length] for k in range(len(a) - length + 1)}
        return any(b[k : k + length] in runs for k in range(len(b) - length + 1))

    def normalized(self, k: int) -> str:
        """Document ``k``'s text after neardup's default normalization (as the shingle
        sets)."""
        from neardup import normalize_text

        return normalize_text(self.collection.texts[k])


def truth_summary(collection: Collection) -> str:
    """Planted pairs by variant and containment bin, and the boilerplate pairs' containment."""
    rows = []
    for variant in ("main", "heldout"):
        mine = [p for p in collection.planted if p.variant == variant]
        cont = np.array([p.containment for p in mine])
        share = np.array([p.share for p in mine])
        jac = np.array([p.jaccard for p in mine])
        counts = [int(((cont >= low) & (cont < high)).sum()) for low, high in ((0.0, 0.2), *BINS)]
        rows.append(
            [
                variant,
                f"{len(mine):,}",
                f"{len({p.source_id for p in mine}):,}",
                f"{np.median(share):.2f}",
                f"{np.median(cont):.3f}",
                f"{np.median(jac):.3f}",
                *map(str, counts),
            ]
        )
    table = markdown_table(
        [
            "variant",
            "planted",
            "sources",
            "median share of sentences",
            "median containment",
            "median Jaccard",
            "< 0.2",
            "0.2-0.3",
            "0.3-0.5",
            "0.5-0.7",
            "≥ 0.7",
        ],
        rows,
    )
    boiler = np.array([b.containment for b in collection.boilerplate] or [0.0])
    return (
        f"{table}\n\nboilerplate-only pairs: {len(collection.boilerplate):,} (containment "
        f"median {np.median(boiler):.3f}, max {boiler.max():.3f}); documents carrying "
        f"generated boilerplate: {len(collection.carriers):,}"
    )
