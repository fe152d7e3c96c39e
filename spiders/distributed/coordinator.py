"""The coordinator's side of a distributed crawl: ``govmedia crawl --distributed [--wait]`` and
``govmedia crawl status``.

``enqueue`` selects the accounts as ``govmedia crawl`` does (every filed account, or the named
ones, or those of a platform / unit), opens a cycle of those not already pending in an earlier
open cycle, and pushes one message per account. ``wait`` follows the cycle in the database
until every account has its outcome, handing expired leases back to the queue meanwhile (so a
cycle finishes even when the last worker standing is idle). ``status`` reads the queue length
in Redis and the cycles, leases and workers in the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from spiders.distributed import queue as q


@dataclass
class Waited:
    """The outcome of each account of a cycle (``{account_id, outcome, new_posts, detail}``),
    and whether the wait stopped at its timeout before every account had one."""

    results: list[dict[str, Any]] = field(default_factory=list)
    timed_out: bool = False
    left: int = 0


def selection_text(account_ids: Sequence[int], platform: str | None, unit: str | None) -> str:
    from registry import validation as v
    from registry.vocab import PLATFORM

    parts = []
    if account_ids:
        shown = "、".join(str(a) for a in account_ids[:20]) + ("…" if len(account_ids) > 20 else "")
        parts.append(f"账号 {shown}")
    if platform:
        parts.append(f"平台 {PLATFORM.label(v.platform(platform))}")
    if unit:
        parts.append(f"单位 {unit}")
    return "；".join(parts) or "全部已备案账号"


def enqueue(
    db: str | None,
    queue: q.QueueSettings,
    *,
    account_ids: Sequence[int] = (),
    platform: str | None = None,
    unit: str | None = None,
) -> Any:
    """Open a cycle of the selected accounts and push their messages; returns the
    ``registry.collection.cycles.Enqueued`` (raises NotFound / InvalidValue on bad filters,
    ``QueueUnavailable`` before writing anything when Redis does not answer)."""
    from registry.collection.cycles import open_cycle
    from registry.collection.jobs import crawl_jobs
    from registry.db import session_scope
    from registry.ops.jobs import new_holder

    client = q.connect(queue)
    with session_scope(db) as session:
        jobs = crawl_jobs(session, account_ids=account_ids, platform=platform, unit=unit)
        enqueued = open_cycle(
            session,
            account_ids=[j["account_id"] for j in jobs],
            holder=new_holder(),
            selection=selection_text(account_ids, platform, unit),
        )
    q.push(client, queue, enqueued.keys)
    return enqueued


def wait(
    db: str | None,
    queue: q.QueueSettings,
    cycle_id: int,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    on_no_worker: Callable[[], None] | None = None,
    timeout: float | None = None,
    poll: float = 1.0,
) -> Waited:
    """Wait until every account of the cycle has its outcome (or ``timeout`` seconds);
    ``on_no_worker`` is called once if no worker is running while accounts wait."""
    from registry.collection.cycles import reap
    from registry.collection.workers import cycle_progress, cycle_results, live_workers
    from registry.db import session_scope

    client = q.connect(queue)
    started = last_reap = time.monotonic()
    warned = False
    while True:
        with session_scope(db) as session:
            progress = cycle_progress(session, cycle_id)
        if on_progress:
            on_progress(progress["done"], progress["total"])
        left = progress["total"] - progress["done"]
        if not left or (timeout is not None and time.monotonic() - started >= timeout):
            break
        if time.monotonic() - last_reap >= queue.heartbeat_seconds:
            last_reap = time.monotonic()
            empty = q.length(client, queue) == 0
            with session_scope(db) as session:
                reaped = reap(session, queue_empty=empty, grace=max(5.0, 2 * queue.heartbeat_seconds))
                idle = not live_workers(session)
            q.push(client, queue, reaped.requeue)
            if idle and on_no_worker and not warned:
                warned = True
                on_no_worker()
        time.sleep(poll)
    with session_scope(db) as session:
        results = cycle_results(session, cycle_id)
    return Waited(results, timed_out=bool(left), left=left)


def status(db: str | None, queue: q.QueueSettings) -> dict[str, Any]:
    """The queue (its key and length in Redis), the cycles, the leases and the workers."""
    from registry.collection.workers import crawl_status
    from registry.db import session_scope
    from registry.masking import mask_url

    client = q.connect(queue)
    with session_scope(db) as session:
        data = crawl_status(session)
    queued = q.length(client, queue)
    return {"queue": {"redis": mask_url(queue.url), "key": queue.queue_key, "length": queued}, **data}
