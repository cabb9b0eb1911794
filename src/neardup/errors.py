"""The exception tree of neardup.

Every error neardup raises on purpose derives from :class:`NeardupError`::

    NeardupError
    ├── ParameterError (also ValueError)   a parameter is out of range or inconsistent
    ├── InputError (also ValueError)       a document or file cannot be used
    │   └── DuplicateIdError               two documents share an id
    ├── IndexError_ (also ValueError)      a persistent index is corrupt, foreign or mismatched
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
    """Two or more documents share an id."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        shown = ", ".join(repr(i) for i in ids[:10])
        more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
        super().__init__(f"duplicate document ids: {shown}{more}")


class IndexError_(NeardupError, ValueError):
    """A persistent index is corrupt, of another format, or made with other parameters."""


class MissingDependencyError(NeardupError, ImportError):
    """An optional dependency is missing; the message says which extra to install."""


def require(module: str, extra: str) -> None:
    """Raise :class:`MissingDependencyError` naming ``pip install 'neardup[extra]'``."""
    raise MissingDependencyError(
        f"{module} is required for this feature: pip install 'neardup[{extra}]'"
    )
