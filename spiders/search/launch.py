"""A search run as a library function: search the given queries in a Scrapy subprocess and
report one outcome per query.

The subprocess (``spiders.search.run``) searches, stores each search and the accounts found
through ``registry.discovery.store``, and reports each query on its stdout. A query it never
reported (it crashed, or was stopped after ``timeout`` seconds) is recorded here as ``error``
with the reason: every query of a run has an outcome, and none reads as "nothing found".
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from registry.db import resolve_url, session_scope
from registry.discovery.store import record_search
from spiders.crawl import _crash_reason, _drain, _event, _Watchdog
from spiders.outcomes import redact, register_secrets
from spiders.settings import secrets_of

Progress = Callable[[dict[str, Any]], None]
RESULT_KEYS = ("query_id", "platform", "outcome", "found", "candidates", "new", "detail")


@dataclass
class SearchReport:
    run_id: str
    results: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    returncode: int = 0
    log_tail: list[str] = field(default_factory=list)
    timed_out: bool = False


def run_search(
    db: str | None,
    query_ids: Sequence[int],
    *,
    run_id: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    on_progress: Progress | None = None,
) -> SearchReport:
    """Search ``query_ids`` in a subprocess; one result per query, in the given order."""
    report = SearchReport(run_id=run_id or uuid.uuid4().hex[:16])
    ids = list(dict.fromkeys(query_ids))
    if not ids:
        return report
    child_env = {**os.environ, **(env or {}), "GOVMEDIA_DB": resolve_url(db)}
    child_env.setdefault("PYTHONUNBUFFERED", "1")
    register_secrets(secrets_of(child_env))
    command = [
        sys.executable,
        "-m",
        "spiders.search.run",
        "--run-id",
        report.run_id,
        "--queries",
        ",".join(str(i) for i in ids),
    ]
    seen: dict[int, dict[str, Any]] = {}
    tail: deque[str] = deque(maxlen=20)
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,
    )
    reader = threading.Thread(target=_drain, args=(proc.stderr, tail), daemon=True)
    reader.start()
    watchdog = _Watchdog(proc, timeout) if timeout else None
    assert proc.stdout is not None
    for line in proc.stdout:
        event = _event(line)
        if event is None:
            continue
        if event.get("event") == "query":
            result = {k: event.get(k) for k in RESULT_KEYS}
            seen[int(event["query_id"])] = result
            if on_progress:
                on_progress(result)
        elif event.get("event") == "done":
            report.stats = event.get("stats") or {}
    report.returncode = proc.wait()
    if watchdog is not None:
        report.timed_out = watchdog.stop()
    reader.join(timeout=5)
    report.log_tail = [redact(line) for line in tail]
    _record_missing(db, report, ids, seen, timeout, tail, on_progress)
    report.results = [seen[i] for i in ids]
    return report


def _record_missing(
    db: str | None,
    report: SearchReport,
    ids: list[int],
    seen: dict[int, dict[str, Any]],
    timeout: float | None,
    tail: deque[str],
    on_progress: Progress | None,
) -> None:
    missing = [i for i in ids if i not in seen]
    if not missing:
        return
    reason = (
        f"搜索超时（超过 {timeout:g} 秒），已停止搜索进程"
        if report.timed_out and timeout
        else _crash_reason(report.returncode, tail).replace("采集进程", "搜索进程")
    )
    from registry.discovery.queries import search_jobs

    with session_scope(db) as session:
        platforms = {j["query_id"]: j["platform"] for j in search_jobs(session, missing)}
        for query_id in missing:
            record_search(session, query_id=query_id, run_id=report.run_id, outcome="error", detail=reason)
            result: dict[str, Any] = {
                "query_id": query_id,
                "platform": platforms.get(query_id),
                "outcome": "error",
                "found": 0,
                "candidates": [],
                "new": [],
                "detail": reason,
            }
            seen[query_id] = result
            if on_progress:
                on_progress(result)
