"""Progress bars (tqdm) on standard error, for a person watching a long scan."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sized
from typing import Any


class PipelineProgress:
    """tqdm bars on standard error for the pipeline's stages (``find_duplicates(progress=)``):
    documents read and hashed (rate), then candidate pairs verified (rate and ETA)."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self._tqdm = tqdm
        self._bars: dict[str, Any] = {}

    def __call__(self, stage: str, n: int) -> None:
        if stage == "read":
            self._bar("read", "reading and hashing", "doc", None).update(n)
        elif stage == "candidates":
            self.close("read")
            self._bar("verified", "verifying", "pair", n)
        elif stage == "verified":
            self._bar("verified", "verifying", "pair", None).update(n)

    def _bar(self, key: str, description: str, unit: str, total: int | None) -> Any:
        if key not in self._bars:
            self._bars[key] = self._tqdm(
                desc=description, unit=unit, total=total, file=sys.stderr, leave=False,
                dynamic_ncols=True,
            )
        return self._bars[key]

    def close(self, key: str | None = None) -> None:
        """Close one bar, or all of them."""
        for name in [key] if key else list(self._bars):
            bar = self._bars.pop(name, None)
            if bar is not None:
                bar.close()


def progress_bar(
    enabled: bool, description: str, unit: str
) -> Callable[[Iterable[Any]], Iterable[Any]]:
    """A wrapper that shows a tqdm progress bar on stderr over an iterable, when enabled."""

    def wrap(items: Iterable[Any]) -> Iterable[Any]:
        if not enabled:
            return items
        from tqdm import tqdm

        total = len(items) if isinstance(items, Sized) else None
        bar: Iterable[Any] = tqdm(items, desc=description, unit=unit, total=total,
                                  file=sys.stderr, leave=False, dynamic_ncols=True)
        return bar

    return wrap
