"""The exception tree of neardup.

Every error neardup raises on purpose derives from :class:`NeardupError`::

    NeardupError
    ├── ParameterError (also ValueError)   a parameter is out of range or inconsistent
    ├── InputError (also ValueError)       a document or file cannot be used
    │   └── DuplicateIdError               two documents share an id
    │       └── AlreadyIndexedError        documents of a batch are already in an index
    ├── IndexFileError (also ValueError)   a persistent index is corrupt, foreign or mismatched
    ├── ConvergenceError (also RuntimeError)  a computation did not reach its fixed point
    │                                         (the connected components of the Spark engine)
    └── MissingDependencyError (also ImportError)  an optional extra is not installed
"""

from __future__ import annotations


class NeardupError(Exception):
    """Root of all errors raised by neardup."""


class ParameterError(NeardupError, ValueError):
    """A parameter is out of range or inconsistent with another one."""


class InputError(NeardupError, ValueError):
    """A document, file or line of input cannot be used; the message names it."""


class DuplicateIdError(InputError):
    """Two or more documents share an id: ``ids`` the repeated ids (sorted; the first of
    them only when ``count``, how many ids are repeated, is larger)."""

    def __init__(self, ids: list[str], count: int | None = None) -> None:
        self.ids = ids
        self.count = len(ids) if count is None else count
        super().__init__(f"duplicate document ids: {shown_ids(ids, total=self.count)}")


class AlreadyIndexedError(DuplicateIdError):
    """Documents of a batch are already in the index (and ``replace`` was not asked)."""

    def __init__(self, path: str, ids: list[str]) -> None:
        self.ids = ids
        self.path = path
        InputError.__init__(
            self,
            f"{path}: already indexed: {shown_ids(ids)} (add with replace=True to replace them)",
        )


class IndexFileError(NeardupError, ValueError):
    """A persistent index is corrupt, of another format, or made with other parameters."""


class ConvergenceError(NeardupError, RuntimeError):
    """An iterative computation did not reach its fixed point in the rounds it is given; the
    message says how many rounds ran and what to do."""


class MissingDependencyError(NeardupError, ImportError):
    """An optional dependency is missing; the message says which extra to install."""


def require(module: str, extra: str) -> None:
    """Raise :class:`MissingDependencyError` naming ``pip install 'neardup[extra]'``."""
    raise MissingDependencyError(
        f"{module} is required for this feature: pip install 'neardup[{extra}]'"
    )


def shown_ids(ids: list[str], limit: int = 10, total: int | None = None) -> str:
    """The first ``limit`` ids, quoted, and how many more there are of ``total`` (default:
    all of ``ids``; a caller that collected only the first gives the count).

    Example:
        >>> shown_ids(["a", "b", "c"], limit=2)
        "'a', 'b' and 1 more"
        >>> shown_ids(["a", "b"], limit=2, total=280)
        "'a', 'b' and 278 more"
    """
    total = len(ids) if total is None else total
    shown = min(limit, len(ids))
    listed = ", ".join(repr(i) for i in ids[:shown])
    return listed + (f" and {total - shown:,} more" if total > shown else "")
