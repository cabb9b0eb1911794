"""The kernel choice, numpy or numba, made here and nowhere else; and the compiled twins.

Some algorithms of :mod:`neardup.core` have two implementations that give the same result:
whole-array numpy code in the algorithm's module, and a compiled twin (numba, extra
``neardup[fast]``). One entry per algorithm returns its twin when numba is the kernel, else
None, and the twins are imported only here (and by each other, for the loops they share):

- :func:`minhash`: :mod:`neardup.core.minhash_numba`, signatures and shingle sets;
- :func:`normalize`: :mod:`neardup.core.normalize_numba`, normalization fused with MinHash;
- :func:`fingerprints`: :mod:`neardup.core.fingerprints_numba`, winnowing;
- :func:`rewrites`: :mod:`neardup.core.rewrites_numba`, the aligned sentence shares;
- :func:`overlap`: :mod:`neardup.core.overlap_numba`, intersection sizes of set pairs;
- :func:`formula`: :mod:`neardup.core.formula_numba`, what pairs share of specific and
  formula text (the copies judgement), many pairs in one call.

Modules above core with a twin of their own (the passage search, the JSON Lines reader) ask
:func:`kernel_name` which one runs.

The choice: ``NEARDUP_KERNEL=numpy|numba`` forces one. Otherwise numba when it is installed,
loaded when it pays: numba and its cached kernels take about 1-2 s to load, which a small
job (``neardup check`` of a few documents) never gets back, so a process uses the numpy
kernels until it has spent :data:`NUMBA_LOAD_SECONDS` in them (see
:func:`add_numpy_seconds`), then loads numba: at most about twice the time of the better
choice made in advance, as in the ski-rental problem. :func:`load_numba` loads it at once
(:func:`neardup.core.minhash.warm_up` does, before forking workers for a large job). numba
is never imported by importing this module.

Example:
    >>> kernel_name() in KERNELS
    True
    >>> (minhash() is None) == (kernel_name() == "numpy")
    True
"""

from __future__ import annotations

import importlib.util
import os
import sys
from functools import lru_cache
from types import ModuleType
from typing import Literal

from ..errors import MissingDependencyError, ParameterError

Kernel = Literal["numpy", "numba"]
"""Which implementation of an algorithm runs: whole-array numpy, or compiled by numba."""
KERNELS: tuple[Kernel, ...] = ("numpy", "numba")
NUMBA_LOAD_SECONDS = 1.0
"""Seconds a process spends in the numpy kernels before it loads numba (what loading numba
and its cached kernels costs, about: 1-2 s on a 2-core VM, see benchmarks/README.md)."""
_LOADED = f"{__package__}.minhash_numba"
"""The twin whose import tells that numba and the compiled kernels load."""


class _Rent:
    """Seconds this process has spent in the numpy kernels (the rent paid so far)."""

    seconds = 0.0


def add_numpy_seconds(seconds: float) -> None:
    """Count ``seconds`` spent in a numpy kernel towards :data:`NUMBA_LOAD_SECONDS`."""
    _Rent.seconds += seconds


def kernel_name(numpy_seconds_ahead: float = 0.0) -> Kernel:
    """The kernel for the next call: ``NEARDUP_KERNEL`` if set, else numba when it is
    installed and either loaded already or worth loading (the process has spent, or the
    caller's next call would spend, ``numpy_seconds_ahead``, :data:`NUMBA_LOAD_SECONDS` in
    numpy), else numpy.

    Raises:
        ParameterError: ``NEARDUP_KERNEL`` is set to something else than numpy or numba.
        MissingDependencyError: ``NEARDUP_KERNEL=numba`` and numba cannot be imported.
    """
    forced = _forced()
    if forced and forced not in KERNELS:
        raise ParameterError(f"NEARDUP_KERNEL must be one of {KERNELS} (got {forced!r})")
    if forced == "numpy":
        return "numpy"
    if not forced and "numba" not in sys.modules and (
        _Rent.seconds + numpy_seconds_ahead < NUMBA_LOAD_SECONDS or not _numba_installed()
    ):
        return "numpy"
    return _load(forced == "numba")


def load_numba() -> bool:
    """Load numba and the compiled kernels now, unless ``NEARDUP_KERNEL=numpy``; whether
    they are loaded (False when numba is not installed)."""
    forced = _forced()
    return forced != "numpy" and _load(forced == "numba") == "numba"


def numba_loaded() -> bool:
    """Whether this process has loaded the compiled kernels already (so that using one
    costs no load)."""
    return _LOADED in sys.modules


def minhash() -> ModuleType | None:
    """The compiled MinHash loops and shingle sets, or None with the numpy kernel."""
    if kernel_name() != "numba":
        return None
    from . import minhash_numba

    return minhash_numba


def normalize() -> ModuleType | None:
    """The compiled normalization (fused with MinHash), or None with the numpy kernel."""
    if kernel_name() != "numba":
        return None
    from . import normalize_numba

    return normalize_numba


def fingerprints() -> ModuleType | None:
    """The compiled winnowing, or None with the numpy kernel."""
    if kernel_name() != "numba":
        return None
    from . import fingerprints_numba

    return fingerprints_numba


def rewrites() -> ModuleType | None:
    """The compiled aligned shares of the rewrite resemblance, or None with the numpy
    kernel."""
    if kernel_name() != "numba":
        return None
    from . import rewrites_numba

    return rewrites_numba


def overlap() -> ModuleType | None:
    """The compiled intersection sizes of pairs of sets, or None with the numpy kernel."""
    if kernel_name() != "numba":
        return None
    from . import overlap_numba

    return overlap_numba


def formula(numpy_seconds_ahead: float = 0.0) -> ModuleType | None:
    """The compiled measure of what pairs share, or None with the numpy kernel (or when
    numba is not loaded yet and the caller's ``numpy_seconds_ahead`` do not pay for
    loading it: :func:`kernel_name`)."""
    if kernel_name(numpy_seconds_ahead) != "numba":
        return None
    from . import formula_numba

    return formula_numba


def _forced() -> str:
    return os.environ.get("NEARDUP_KERNEL", "").strip().lower()


@lru_cache(maxsize=1)
def _numba_installed() -> bool:
    """Whether numba can be found (without importing it)."""
    return importlib.util.find_spec("numba") is not None


def _load(forced: bool) -> Kernel:
    """``"numba"`` when the compiled kernels import, else ``"numpy"`` (or, when numba is
    ``forced``, an error saying what to install)."""
    try:
        from . import minhash_numba  # noqa: F401
    except ImportError as exc:
        if forced:
            raise MissingDependencyError(
                f"NEARDUP_KERNEL=numba but numba cannot be imported ({exc}): "
                "pip install 'neardup[fast]'"
            ) from exc
        return "numpy"
    return "numba"
