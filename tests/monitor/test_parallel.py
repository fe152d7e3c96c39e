"""``monitor.parallel.pool_map``: worker processes give the results of one process, in order;
a worker's error reaches the caller; small jobs and one core stay in this process."""

from __future__ import annotations

import os

import pytest

from monitor import parallel


def _square(state: dict[str, int], item: int) -> tuple[int, int]:
    return item * item + state["offset"], os.getpid()


def test_workers_give_the_results_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    items = list(range(40))
    out = list(parallel.pool_map(_square, items, {"offset": 7}))
    assert [r[0] for r in out] == [i * i + 7 for i in items]
    assert os.getpid() not in {r[1] for r in out}  # worked by other processes


def test_here_when_asked_for_one_item_or_on_one_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    assert {r[1] for r in parallel.pool_map(_square, [1, 2, 3], {"offset": 0}, parallel=False)} == {
        os.getpid()
    }
    assert [r[1] for r in parallel.pool_map(_square, [5], {"offset": 0})] == [os.getpid()]
    assert list(parallel.pool_map(_square, [], {"offset": 0})) == []
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    assert {r[1] for r in parallel.pool_map(_square, [1, 2, 3], {"offset": 0})} == {os.getpid()}


def test_workers_follow_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    for cores, expected in ((None, 1), (1, 1), (2, 2), (64, parallel.MAX_WORKERS)):
        monkeypatch.setattr(os, "cpu_count", lambda cores=cores: cores)
        assert parallel.workers() == expected


def _fails(_state: None, item: int) -> int:
    if item == 3:
        raise ValueError("第 3 项出错")
    return item


def test_an_error_in_a_worker_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    with pytest.raises(ValueError, match="第 3 项出错"):
        list(parallel.pool_map(_fails, list(range(6)), None))
