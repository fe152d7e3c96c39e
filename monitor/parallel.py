"""Work split over the machine's cores: a large check verifies its near-duplicate pairs and
judges its accounts in forked worker processes.

``fork_map(func, items, state)`` yields ``func(state, item)`` for each item, in order. With
more than one core, fork available and no other thread running, the items go to a pool of
forked processes that inherit ``state`` (the parent's data, not copied until written); each
opens its own database connection (``registry.db.forget_engines_after_fork``) and only reads.
Otherwise (one core, a small job, a threaded server) the items are worked here, one by one:
the results are the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

MAX_WORKERS = 4

_CALL: list[Any] = [None, None]  # (func, state), set before the fork: the workers inherit them


def workers() -> int:
    """The worker processes a large job uses: this machine's cores (at most ``MAX_WORKERS``),
    1 where fork is not available or another thread runs (forking it is unsafe)."""
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def fork_map(
    func: Callable[[Any, Any], Any], items: Sequence[Any], state: Any, *, parallel: bool = True
) -> Iterator[Any]:
    """``func(state, item)`` for each item, in order; in forked workers when ``parallel`` and
    the machine allows it (``workers``), otherwise here."""
    count = min(workers(), len(items)) if parallel else 1
    if count <= 1:
        for item in items:
            yield func(state, item)
        return
    _CALL[:] = [func, state]
    try:
        with multiprocessing.get_context("fork").Pool(count, initializer=_started) as pool:
            yield from pool.imap(_call, items)
    finally:
        _CALL[:] = [None, None]


def _started() -> None:
    from registry.db import forget_engines_after_fork

    forget_engines_after_fork()


def _call(item: Any) -> Any:
    func, state = _CALL
    return func(state, item)
