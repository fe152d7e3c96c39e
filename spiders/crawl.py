"""``govmedia crawl`` as a library function: select accounts, run Scrapy in a subprocess,
report one outcome per account.

The accounts are selected here (so a bad ``--account`` / ``--unit`` is a one-line error
before anything runs); the subprocess (``spiders.run``) collects and stores them and
reports each stored account on its stdout. An account the subprocess never reported (it
crashed or was killed) is recorded here as ``error`` with the reason, so every account of
every crawl has an outcome.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from registry.collection.jobs import crawl_jobs
from registry.collection.store import record_attempt
from registry.db import resolve_url, session_scope
from spiders.outcomes import redact, register_secrets
from spiders.settings import secrets_of, settings_from_env

Progress = Callable[[dict[str, Any]], None]
RESULT_KEYS = ("account_id", "outcome", "new_posts", "detail")


@dataclass
class CrawlReport:
    crawl_id: str
    results: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    returncode: int = 0
    log_tail: list[str] = field(default_factory=list)  # the subprocess's last log lines
    timed_out: bool = False  # stopped (with its whole process group) after ``timeout`` seconds


def select_accounts(
    db: str | None, *, account_ids: Sequence[int] = (), platform: str | None = None, unit: str | None = None
) -> list[dict[str, Any]]:
    """The accounts a crawl would collect (raises NotFound / InvalidValue on bad filters)."""
    with session_scope(db) as session:
        return crawl_jobs(session, account_ids=account_ids, platform=platform, unit=unit)


def check_settings(env: dict[str, str] | None = None) -> dict[str, str]:
    """The crawl's environment (this process's, overlaid with ``env``) once its settings are
    known to be valid: a bad one raises ``InvalidValue`` naming it, before any account is
    queued, instead of giving every account an ``error``."""
    child_env = {**os.environ, **(env or {})}
    settings_from_env(child_env)
    return child_env


def run_crawl(
    db: str | None,
    *,
    account_ids: Sequence[int] = (),
    platform: str | None = None,
    unit: str | None = None,
    on_start: Callable[[int], None] | None = None,
    on_progress: Progress | None = None,
    env: dict[str, str] | None = None,
    store: bool = True,
    timeout: float | None = None,
) -> CrawlReport:
    """Collect the selected accounts in a Scrapy subprocess; one result per account.

    With ``timeout`` the subprocess and everything it started are stopped after that many
    seconds; the accounts it had not reported get the outcome ``error``."""
    child_env = check_settings(env)
    register_secrets(secrets_of(child_env))
    jobs = select_accounts(db, account_ids=account_ids, platform=platform, unit=unit)
    report = CrawlReport(crawl_id=uuid.uuid4().hex[:16])
    if on_start:
        on_start(len(jobs))
    if not jobs:
        return report
    url = resolve_url(db)
    child_env["GOVMEDIA_DB"] = url
    child_env.setdefault("PYTHONUNBUFFERED", "1")
    command = [
        sys.executable,
        "-m",
        "spiders.run",
        "--crawl-id",
        report.crawl_id,
        "--accounts",
        ",".join(str(j["account_id"]) for j in jobs),
    ]
    if not store:
        command.append("--no-store")
    seen: dict[int, dict[str, Any]] = {}
    stderr_tail: deque[str] = deque(maxlen=20)
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,  # its own process group, so a timeout stops all of it
    )
    reader = threading.Thread(target=_drain, args=(proc.stderr, stderr_tail), daemon=True)
    reader.start()
    watchdog = _Watchdog(proc, timeout) if timeout else None
    assert proc.stdout is not None
    for line in proc.stdout:
        event = _event(line)
        if event is None:
            continue
        if event.get("event") == "account":
            result = {k: event.get(k) for k in RESULT_KEYS}
            seen[int(event["account_id"])] = result
            if on_progress:
                on_progress(result)
        elif event.get("event") == "done":
            report.stats = event.get("stats") or {}
    report.returncode = proc.wait()
    if watchdog is not None:
        report.timed_out = watchdog.stop()
    reader.join(timeout=5)
    report.log_tail = [redact(line) for line in stderr_tail]
    missing = [j for j in jobs if j["account_id"] not in seen]
    if missing:
        reason = (
            f"采集超时（超过 {timeout:g} 秒），已停止采集进程"
            if report.timed_out and timeout
            else _crash_reason(report.returncode, stderr_tail)
        )
        with session_scope(db) as session:
            for job in missing:
                if store:
                    record_attempt(
                        session,
                        account_id=job["account_id"],
                        outcome="error",
                        crawl_id=report.crawl_id,
                        detail=reason,
                    )
                result = {
                    "account_id": job["account_id"],
                    "outcome": "error",
                    "new_posts": 0,
                    "detail": reason,
                }
                seen[job["account_id"]] = result
                if on_progress:
                    on_progress(result)
    report.results = [seen[j["account_id"]] for j in jobs]
    return report


def _event(line: str) -> dict[str, Any] | None:
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return None
    return event if isinstance(event, dict) else None


def _drain(stream: Any, tail: deque[str]) -> None:
    for line in stream:
        if line.strip():
            tail.append(line.rstrip())


def _crash_reason(code: int, tail: deque[str]) -> str:
    last = next((line for line in reversed(tail) if line.strip()), "")
    text = f"采集进程异常退出（退出码 {code}）"
    return redact(f"{text}：{last[-200:]}") if last else text


class _Watchdog:
    """Stops a subprocess's whole process group once ``seconds`` have passed: SIGTERM, then
    SIGKILL after a grace of ten seconds."""

    GRACE = 10.0

    def __init__(self, proc: subprocess.Popen[str], seconds: float) -> None:
        self.proc = proc
        self.fired = threading.Event()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, args=(seconds,), daemon=True)
        self.thread.start()

    def _watch(self, seconds: float) -> None:
        if self.done.wait(seconds):
            return
        self.fired.set()
        for sig, wait in ((signal.SIGTERM, self.GRACE), (signal.SIGKILL, 0.0)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, sig)
            if self.done.wait(wait):  # the whole group, not only its leader, gets the SIGKILL
                return

    def stop(self) -> bool:
        """Stop watching; True when the timeout fired. After a timeout nothing of the group
        survives this call (a grandchild that ignored SIGTERM gets SIGKILL), so the caller may
        release the job's lease."""
        self.done.set()
        self.thread.join(timeout=self.GRACE + 5)
        if self.fired.is_set():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        return self.fired.is_set()
