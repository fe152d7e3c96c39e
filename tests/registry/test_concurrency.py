"""Rules hold under concurrency: parallel filings by separate processes, on SQLite and
PostgreSQL, and a scheduled crawl that times out is stopped with its whole process group
before its lease is released."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from registry.db import session_scope
from registry.filing import queries
from tests.factories import CITY, small_registry

# Each process imports everything and connects first, then waits for the start signal. A slow
# database is simulated by a pause after the accounts are counted: without a lock every racer
# counts none and files one; with it, the count waits for the other filings to commit.
RACER = textwrap.dedent(
    """
    import os, sys, time
    import registry.filing.accounts as accounts
    from monitor.app.cli.main import main
    from registry.db import session_scope

    counted = accounts.live_count

    def slow_count(*args, **kwargs):
        n = counted(*args, **kwargs)
        time.sleep(0.3)
        return n

    accounts.live_count = slow_count
    with session_scope(os.environ["GOVMEDIA_DB"]):
        pass
    go = sys.argv[1]
    while not os.path.exists(go):
        time.sleep(0.005)
    sys.exit(main(sys.argv[2:]))
    """
)


def _race(db: str, tmp_path: Path, commands: list[list[str]]) -> list[tuple[int, str]]:
    go = tmp_path / "go"
    env = {**os.environ, "GOVMEDIA_DB": db}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(go), *argv],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in commands
    ]
    time.sleep(3)  # let every process finish its imports
    go.write_text("go")
    out = []
    for proc in procs:
        _stdout, stderr = proc.communicate(timeout=120)
        out.append((proc.returncode, stderr))
    return out


def test_six_parallel_filings_without_a_reason_file_exactly_one(any_db: str, tmp_path: Path) -> None:
    small_registry(any_db)
    commands = [
        [
            "account",
            "file",
            "--unit",
            CITY,
            "--platform",
            "weibo",
            "--name",
            f"账号{n}",
            "--platform-id",
            f"28033017{n:02d}",
        ]
        for n in range(6)
    ]
    results = _race(any_db, tmp_path, commands)
    assert sorted(code for code, _ in results) == [0, 2, 2, 2, 2, 2], results
    for code, err in results:
        assert "Traceback" not in err
        if code == 2:  # the same Chinese line on both dialects, never a driver error
            assert "已有账号，一个单位原则上在同一平台只开设一个账号" in err, err
    with session_scope(any_db) as s:
        live = [a for a in queries.list_accounts(s, unit=CITY, platform="weibo") if a["status"] == "pending"]
    assert len(live) == 1


def test_parallel_filings_with_reasons_are_all_filed(any_db: str, tmp_path: Path) -> None:
    small_registry(any_db)
    commands = [
        [
            "account",
            "file",
            "--unit",
            CITY,
            "--platform",
            "douyin",
            "--name",
            f"抖音{n}",
            "--platform-id",
            f"MS4wLjABAAAA{n:020d}",
            "--reason",
            "分设服务号",
        ]
        for n in range(4)
    ]
    commands.insert(0, commands[0][:-2])  # the first without a reason: it may come first or not
    results = _race(any_db, tmp_path, commands)
    with session_scope(any_db) as s:
        rows = queries.list_accounts(s, unit=CITY, platform="douyin")
    filed = sum(code == 0 for code, _ in results)
    assert len(rows) == filed and 4 <= filed <= 5, results
    assert all("Traceback" not in err for _, err in results)


# --- a scheduled crawl that times out --------------------------------------------------

# a stand-in for the crawl subprocess: it starts a grandchild that ignores SIGTERM and keeps
# the output pipe open, then hangs
STUBBORN = textwrap.dedent(
    """
    import os, signal, subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c",
        "import signal, time\\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\\n"
        "open(%r, 'w').write(str(__import__('os').getpid()))\\ntime.sleep(600)"])
    time.sleep(600)
    """
)


def _alive(pid: int, wait: float = 10.0) -> bool:
    """Is the process still running ``wait`` seconds from now (a SIGKILLed process takes a
    moment to exit on a loaded machine; a zombie is gone for our purposes)?"""
    deadline = time.monotonic() + wait
    while True:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return False
        except (ProcessLookupError, FileNotFoundError):
            return False
        if time.monotonic() > deadline:
            return True
        time.sleep(0.05)


def test_the_watchdog_stops_the_whole_process_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from spiders.crawl import _Watchdog

    monkeypatch.setattr(_Watchdog, "GRACE", 1.0)
    marker = tmp_path / "grandchild.pid"
    proc = subprocess.Popen(
        [sys.executable, "-c", STUBBORN % str(marker)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    watchdog = _Watchdog(proc, 1.0)
    while not marker.exists():
        time.sleep(0.05)
    grandchild = int(marker.read_text())
    assert proc.stdout is not None
    reader = threading.Thread(target=proc.stdout.read, daemon=True)  # ends once the pipe's
    reader.start()  # every holder is gone: the whole group was stopped
    reader.join(timeout=30)
    proc.wait(timeout=30)
    assert watchdog.stop() is True
    assert not reader.is_alive() and not _alive(grandchild)


def test_a_scheduled_crawl_that_times_out_holds_its_lease_until_everything_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.app import scheduler
    from monitor.app.config import load_config
    from registry.ops import jobs as ops
    from spiders import crawl as crawl_module
    from tests.factories import active_account

    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    active_account(db, unit=CITY, platform="weibo", name="慢账号", platform_id="2803301799")
    marker = tmp_path / "grandchild.pid"
    holders: list[str | None] = []
    real_popen = subprocess.Popen

    def stubborn_crawl(command: list[str], **kwargs: object) -> object:
        with session_scope(db) as s:
            lease = ops.lease_of(s, "crawl")
            holders.append(lease.holder if lease else None)  # held while the crawl runs
        return real_popen([sys.executable, "-c", STUBBORN % str(marker)], **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(crawl_module.subprocess, "Popen", stubborn_crawl)
    monkeypatch.setattr(crawl_module._Watchdog, "GRACE", 1.0)
    config = load_config(env={})
    config.values.setdefault("schedule", {})["job_timeout"] = 2  # below the bound a person may set
    sched = scheduler.Scheduler(scheduler.builtin_jobs(config), db=db, config=config)
    row = sched.run_job("crawl", trigger="once")
    assert holders == [sched.holder]
    assert not _alive(int(marker.read_text()))  # stopped before the lease was released
    assert row["status"] == "failed" and "采集超时" in row["error"], row
    with session_scope(db) as s:
        assert ops.lease_of(s, "crawl") is None
