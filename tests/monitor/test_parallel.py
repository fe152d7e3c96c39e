"""``monitor.parallel.fork_map``: forked workers give the results of one process, in order,
read the parent's data without copying it, and a threaded process works alone."""

from __future__ import annotations

import os
import threading

import pytest

from monitor import parallel


def _square(state: dict[str, int], item: int) -> tuple[int, int, int]:
    return item * item + state["offset"], os.getpid(), state["offset"]


def test_workers_give_the_results_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    items = list(range(40))
    out = list(parallel.fork_map(_square, items, {"offset": 7}))
    assert [r[0] for r in out] == [i * i + 7 for i in items]
    assert os.getpid() not in {r[1] for r in out}  # worked by forked processes
    assert parallel._CALL == [None, None]  # nothing of the job is kept after it


def test_alone_when_asked_or_for_one_item(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    assert {r[1] for r in parallel.fork_map(_square, [1, 2, 3], {"offset": 0}, parallel=False)} == {
        os.getpid()
    }
    assert [r[1] for r in parallel.fork_map(_square, [5], {"offset": 0})] == [os.getpid()]
    assert list(parallel.fork_map(_square, [], {"offset": 0})) == []


def test_a_process_with_other_threads_never_forks() -> None:
    before = parallel.workers()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert parallel.workers() == 1
        assert {r[1] for r in parallel.fork_map(_square, [1, 2, 3], {"offset": 0})} == {os.getpid()}
    finally:
        stop.set()
        thread.join()
    assert parallel.workers() == before


def _fails(_state: None, item: int) -> int:
    if item == 3:
        raise ValueError("第 3 项出错")
    return item


def test_an_error_in_a_worker_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    with pytest.raises(ValueError, match="第 3 项出错"):
        list(parallel.fork_map(_fails, list(range(6)), None))
    assert parallel._CALL == [None, None]
