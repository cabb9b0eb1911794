"""The local engine's worker processes, shared by its stages (hashing, candidates,
verification)."""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from ..core.minhash import warm_up
from .memory import keep_freed_memory

_R = TypeVar("_R")


class Workers:
    """``count`` worker processes, started when first needed and shared by the stages of a
    run (started early, they are forked from a small process, and only once)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._pool: ProcessPoolExecutor | None = None

    @property
    def started(self) -> bool:
        return self._pool is not None

    def pool(self) -> ProcessPoolExecutor:
        """The processes (forked where possible, after loading the kernel they inherit)."""
        if self._pool is None:
            warm_up()
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self.count, mp_context=context, initializer=_start_worker
            )
        return self._pool

    def map(
        self, function: Callable[..., _R], calls: Iterable[tuple[Any, ...]], here: bool = False
    ) -> Iterator[_R]:
        """``function(*arguments)`` for each of ``calls``, the results in order: in the worker
        processes, at most two calls per worker in flight (so that ``calls`` can make each
        call's arguments as it comes), or in this process with ``here``."""
        if here:
            for arguments in calls:
                yield function(*arguments)
            return
        pool = self.pool()
        pending: deque[Future[_R]] = deque()
        try:
            for arguments in calls:
                pending.append(pool.submit(function, *arguments))
                if len(pending) > 2 * self.count:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:  # an error, here or in the caller: drop what has not started
            for future in pending:
                future.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def _start_worker() -> None:
    """Set up a worker process: keep freed heap memory, and collect garbage cycles (the
    command line pauses the collector in its process, and forked workers would inherit
    that)."""
    keep_freed_memory()
    gc.enable()
