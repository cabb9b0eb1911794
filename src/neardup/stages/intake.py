"""Documents as an engine reads them: counted, their ids checked for repeats, and the ones
that go no further set aside with the reason (the reasons of empty documents are here too).

Every engine that reads documents one by one takes them through an :class:`Intake`: the
local engine's hashing stage (:mod:`neardup.engine.hashing_stage`, which meets the ids of JSON
lines only once a worker has parsed them) and the index (:mod:`neardup.index`, adding and
querying). A repeated id does not stop the reading: the caller reads on and then raises one
:class:`~neardup.errors.DuplicateIdError` naming every repeated id (:meth:`Intake.check`).
"""

from __future__ import annotations

from ..errors import DuplicateIdError
from ..io.documents import Document
from ..report import Skipped

EMPTY_DOCUMENT = "empty document"
"""Why a document whose text is only whitespace is skipped."""
EMPTY_AFTER_NORMALIZATION = "empty after normalization"
"""Why a document with nothing left after normalization (markup, punctuation) is skipped."""


def skip_reason(text: str | None) -> str:
    """Why a document with nothing left after normalization is skipped (``None``: a null
    text, as a DataFrame may hold)."""
    if text is None:
        return "text is null"
    return EMPTY_DOCUMENT if not text.strip() else EMPTY_AFTER_NORMALIZATION


class Intake:
    """The documents read so far: how many, their ids, and those set aside.

    Args:
        skip_blank: set aside documents whose text is only whitespace as soon as they are
            read (otherwise they go on, and normalization finds them empty).
    """

    def __init__(self, skip_blank: bool = True) -> None:
        self.read = 0
        """Items read: documents, and records that hold none."""
        self.repeated: list[str] = []
        """Ids met again, once per repeat."""
        self._skip_blank = skip_blank
        self._seen: set[str] = set()
        self._skipped: list[tuple[int, Skipped]] = []

    def take(self, item: Document | Skipped) -> Document | None:
        """Count an item read; the document when it goes on, None when it does not (a
        record that holds no document, a repeated id, a blank text)."""
        self.read += 1
        if isinstance(item, Skipped):
            self.set_aside(self.read, item)
            return None
        blank = self._skip_blank and not item.text.strip()
        return item if self.admit(item.id, self.read, blank=blank) else None

    def count(self, items: int = 1) -> int:
        """Count items read whose ids are checked later (:meth:`admit`); the read number of
        the first."""
        first = self.read + 1
        self.read += items
        return first

    def admit(self, doc_id: str, order: int, *, blank: bool = False) -> bool:
        """Check a document's id for repeats and set it aside when ``blank``; whether it goes
        on. ``order`` is its read number (see :meth:`skipped_in_read_order`)."""
        if doc_id in self._seen:
            self.repeated.append(doc_id)
            return False
        self._seen.add(doc_id)
        if blank:
            self.set_aside(order, Skipped(doc_id, EMPTY_DOCUMENT))
            return False
        return True

    def admit_all(self, ids: list[str]) -> bool:
        """Admit documents at once when their ids are all distinct and new (the usual
        batch); False, with nothing admitted, otherwise."""
        fresh = set(ids)
        if len(fresh) != len(ids) or not self._seen.isdisjoint(fresh):
            return False
        self._seen |= fresh
        return True

    def set_aside(self, order: int, skipped: Skipped) -> None:
        """Record a document or record that goes no further, with its read number."""
        self._skipped.append((order, skipped))

    def skipped(self) -> list[Skipped]:
        """What was set aside, in the order it was."""
        return [s for _, s in self._skipped]

    def skipped_in_read_order(self) -> list[Skipped]:
        """What was set aside, in the order it was read."""
        return [s for _, s in sorted(self._skipped, key=lambda entry: entry[0])]

    def check(self) -> None:
        """Raise :class:`~neardup.errors.DuplicateIdError` naming every repeated id."""
        if self.repeated:
            raise DuplicateIdError(sorted(set(self.repeated)))
