"""Work split over the machine's cores: a large check verifies its near-duplicate pairs in
worker processes.

``pool_map(func, items, state)`` yields ``func(state, item)`` for each item, in order. With
more than one core the items go to a pool of fresh worker processes (``forkserver``: a new
interpreter, not a copy of this one, so a worker holds only what it works on; ``func`` and
``state`` are pickled to each worker once). A worker opens its own database connection and
only reads. With one core, or when asked, the items are worked here, one by one: the results
are the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

MAX_WORKERS = 4

_CALL: list[Any] = [None, None]  # in a worker: (func, state), given once when it starts


def workers() -> int:
    """The worker processes a large job uses: this machine's cores, at most ``MAX_WORKERS``."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def pool_map(
    func: Callable[[Any, Any], Any], items: Sequence[Any], state: Any, *, parallel: bool = True
) -> Iterator[Any]:
    """``func(state, item)`` for each item, in order; in worker processes when ``parallel``
    and the machine has more than one core, otherwise here."""
    count = min(workers(), len(items)) if parallel else 1
    if count <= 1:
        for item in items:
            yield func(state, item)
        return
    context = multiprocessing.get_context("forkserver" if "forkserver" in _methods() else "spawn")
    with context.Pool(count, initializer=_started, initargs=(func, state)) as pool:
        yield from pool.imap(_call, items)


def _methods() -> list[str]:
    return multiprocessing.get_all_start_methods()


def _started(func: Callable[[Any, Any], Any], state: Any) -> None:
    _CALL[:] = [func, state]


def _call(item: Any) -> Any:
    func, state = _CALL
    return func(state, item)
