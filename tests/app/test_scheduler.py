"""The scheduler: times, leases, recorded runs, catch-up, failures, two processes, SIGTERM."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from monitor.app import scheduler as sch
from monitor.app.config import load_config
from monitor.app.scheduler import Job, JobContext, JobFailed, Scheduler
from registry import db as dbmod
from registry.db import session_scope
from registry.ops import jobs as ops
from registry.timeutil import TZ


def bj(text: str) -> datetime:
    """A Beijing wall-clock time as an aware UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ).astimezone(UTC)


def ready(db: str) -> str:
    url = dbmod.resolve_url(db)
    dbmod.upgrade(url)
    return url


def ok_job(ctx: JobContext) -> str:
    return "完成"


def failing_job(ctx: JobContext) -> str:
    raise JobFailed("故意失败")


def crashing_job(ctx: JobContext) -> str:
    raise RuntimeError("意外错误\n第二行")


def wait_for(predicate, what: str, limit: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    """Poll until true; the limit only keeps a broken test from hanging forever."""
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def gated_job(gate: str):  # type: ignore[no-untyped-def]
    def action(ctx: JobContext) -> str:
        wait_for(lambda: Path(gate).exists(), "the gate file")
        return "放行后完成"

    return action


def make(url: str, jobs: list[Job], now: datetime | None = None, holder: str | None = None) -> Scheduler:
    clock = (lambda: now) if now else dbmod.utcnow
    return Scheduler(jobs, db=url, config=load_config(None, env={}), holder=holder, clock=clock)


def runs(url: str, job: str | None = None) -> list[dict]:  # type: ignore[type-arg]
    with session_scope(url) as s:
        return list(reversed(ops.job_history(s, job=job, limit=100)))


# --- times ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "when", "at", "prev", "nxt"),
    [
        ("daily", "08:30", "2026-11-23 09:00", "2026-11-23 08:30", "2026-11-24 08:30"),
        ("daily", "08:30", "2026-11-23 08:30", "2026-11-23 08:30", "2026-11-24 08:30"),
        ("daily", "08:30", "2026-11-23 08:00", "2026-11-22 08:30", "2026-11-23 08:30"),
        ("weekly", "monday 09:00", "2026-11-23 08:59", "2026-11-16 09:00", "2026-11-23 09:00"),
        ("weekly", "monday 09:00", "2026-11-23 09:00", "2026-11-23 09:00", "2026-11-30 09:00"),
        ("weekly", "monday 09:00", "2026-11-25 12:00", "2026-11-23 09:00", "2026-11-30 09:00"),
        ("weekly", "sunday 23:00", "2026-11-23 00:00", "2026-11-22 23:00", "2026-11-29 23:00"),
        ("monthly", "1 09:30", "2026-11-23 12:00", "2026-11-01 09:30", "2026-12-01 09:30"),
        ("monthly", "1 09:30", "2026-01-01 09:00", "2025-12-01 09:30", "2026-01-01 09:30"),
        ("monthly", "28 10:00", "2026-12-28 10:00", "2026-12-28 10:00", "2027-01-28 10:00"),
    ],
)
def test_previous_and_next_occurrence(kind: str, when: str, at: str, prev: str, nxt: str) -> None:
    assert sch.previous_occurrence(kind, when, bj(at)) == bj(prev)
    assert sch.next_occurrence(kind, when, bj(at)) == bj(nxt)


@pytest.mark.parametrize(
    ("windows", "today", "expected"),
    [
        ("", date(2026, 10, 5), (date(2026, 7, 1), date(2026, 9, 30))),
        ("", date(2026, 10, 20), None),  # closed more than 14 days ago
        ("", date(2026, 1, 3), (date(2025, 10, 1), date(2025, 12, 31))),
        ("2026-09-01..2026-11-20", date(2026, 11, 21), (date(2026, 9, 1), date(2026, 11, 20))),
        ("2026-09-01..2026-11-20", date(2026, 11, 20), None),  # the window's last day
        (
            "2026-08-01..2026-10-31,2026-11-01..2026-11-15",
            date(2026, 11, 16),
            (date(2026, 11, 1), date(2026, 11, 15)),
        ),
    ],
)
def test_closed_window(windows: str, today: date, expected: object) -> None:
    config = load_config(None, env={"GOVMEDIA_SCHEDULE_WINDOWS": windows} if windows else {})
    assert sch.closed_window(config, today) == expected


# --- leases --------------------------------------------------------------------------


def test_lease_is_exclusive_until_it_expires(any_db: str) -> None:
    url = ready(any_db)
    t0 = bj("2026-11-23 09:00")

    def take(holder: str, at: datetime) -> bool:
        with session_scope(url) as s:
            return ops.acquire_lease(s, job="weekly", holder=holder, ttl_seconds=60, now=at)

    assert take("A", t0)
    assert not take("B", t0 + timedelta(seconds=59))
    assert take("A", t0 + timedelta(seconds=30))  # re-entrant for its holder
    assert take("B", t0 + timedelta(seconds=91))  # A's lease (renewed to t0+90s) has expired
    with session_scope(url) as s:
        assert not ops.renew_lease(s, job="weekly", holder="A", ttl_seconds=60, now=t0)
        ops.release_lease(s, job="weekly", holder="A")  # not A's: no effect
    assert not take("A", t0 + timedelta(seconds=100))
    with session_scope(url) as s:
        ops.release_lease(s, job="weekly", holder="B")
    assert take("A", t0 + timedelta(seconds=100))


# --- runs ----------------------------------------------------------------------------


def test_every_run_is_recorded_and_a_failure_does_not_stop_the_others(any_db: str) -> None:
    url = ready(any_db)
    jobs = [
        Job("a", "甲", "daily", "09:00", ok_job),
        Job("b", "乙", "daily", "09:00", failing_job),
        Job("c", "丙", "daily", "09:00", crashing_job),
        Job("d", "丁", "daily", "09:00", ok_job),
    ]
    now = bj("2026-11-23 12:00")
    with session_scope(url) as s:
        for job in jobs:  # each ran before the last occurrence: all four were missed
            run = ops.start_run(s, job=job.name, trigger="schedule", holder="old", now=bj("2026-11-22 09:00"))
            ops.finish_run(s, run.id, status="ok", now=bj("2026-11-22 09:01"))
    results = make(url, jobs, now).catch_up()
    assert [(r["job"], r["status"], r["trigger"]) for r in results] == [
        ("a", "ok", "startup"),
        ("b", "failed", "startup"),
        ("c", "failed", "startup"),
        ("d", "ok", "startup"),
    ]
    assert results[1]["error"] == "故意失败"
    assert results[2]["error"] == "RuntimeError: 意外错误"
    assert results[0]["summary"] == "完成" and results[0]["finished_at"] is not None
    with session_scope(url) as s:
        assert all(ops.lease_of(s, j.name) is None for j in jobs)  # every lease given back


def test_missed_job_runs_once_on_start_up_and_never_run_jobs_wait(tmp_path: Path) -> None:
    url = ready(str(tmp_path / "g.db"))
    jobs = [Job("weekly", "周", "weekly", "monday 09:00", ok_job), Job("new", "新", "daily", "09:00", ok_job)]
    with session_scope(url) as s:
        run = ops.start_run(s, job="weekly", trigger="schedule", holder="old", now=bj("2026-11-09 09:00"))
        ops.finish_run(s, run.id, status="ok", now=bj("2026-11-09 09:05"))
    now = bj("2026-11-25 10:00")  # the 16th and the 23rd were both missed: run once
    scheduler = make(url, jobs, now)
    assert [r["job"] for r in scheduler.catch_up()] == ["weekly"]
    assert scheduler.catch_up() == []
    assert [r["trigger"] for r in runs(url, "weekly")] == ["schedule", "startup"]
    assert runs(url, "new") == []


def test_failed_job_is_retried_at_its_next_time(tmp_path: Path) -> None:
    url = ready(str(tmp_path / "g.db"))
    state = {"fail": True}

    def flaky(ctx: JobContext) -> str:
        if state["fail"]:
            raise JobFailed("平台暂时不可用")
        return "恢复"

    jobs = [Job("crawl", "采集", "daily", "06:00", flaky)]
    assert make(url, jobs, bj("2026-11-23 06:00")).run_job("crawl")["status"] == "failed"
    assert make(url, jobs, bj("2026-11-23 12:00")).missed() == []  # not again the same day
    state["fail"] = False
    later = make(url, jobs, bj("2026-11-24 07:00"))
    assert [j.name for j, _ in later.missed()] == ["crawl"]
    assert later.catch_up()[0]["status"] == "ok"


def test_stale_running_run_is_marked_interrupted(tmp_path: Path) -> None:
    url = ready(str(tmp_path / "g.db"))
    with session_scope(url) as s:
        ops.start_run(s, job="crawl", trigger="schedule", holder="dead:1:x", now=bj("2026-11-23 06:00"))
    make(url, [Job("crawl", "采集", "daily", "06:00", ok_job)], bj("2026-11-23 07:00")).catch_up()
    first = runs(url, "crawl")[0]
    assert first["status"] == "interrupted" and first["error"] == "进程在任务运行中退出"


def test_a_scheduled_tick_already_done_elsewhere_is_skipped(tmp_path: Path) -> None:
    url = ready(str(tmp_path / "g.db"))
    jobs = [Job("alerts", "预警", "daily", "08:30", ok_job)]
    due = bj("2026-11-23 08:30")
    assert make(url, jobs, due, holder="P1").run_job("alerts", due=due)["status"] == "ok"
    second = make(url, jobs, due + timedelta(seconds=5), holder="P2").run_job("alerts", due=due)
    assert second["status"] == "skipped" and second["error"] == "本次已由其他进程运行"


# --- two processes, SIGTERM ----------------------------------------------------------


def _hold(url: str, gate: str) -> None:
    jobs = [Job("slow", "慢任务", "daily", "09:00", gated_job(gate))]
    row = make(url, jobs, holder="child").run_job("slow", trigger="once")
    dbmod.dispose_engines()
    raise SystemExit(0 if row["status"] == "ok" else 3)


def _running(url: str, job: str) -> bool:
    with session_scope(url) as s:
        return any(r["status"] == "running" for r in ops.job_history(s, job=job))


def test_never_twice_at_once_across_two_processes(any_db: str, tmp_path: Path) -> None:
    url = ready(any_db)
    gate = str(tmp_path / "gate")
    child = multiprocessing.get_context("spawn").Process(target=_hold, args=(url, gate))
    child.start()
    try:
        wait_for(lambda: _running(url, "slow"), "the other process to start the job")
        jobs = [Job("slow", "慢任务", "daily", "09:00", ok_job)]
        mine = make(url, jobs, holder="parent").run_job("slow", trigger="once")
        assert mine["status"] == "skipped"
        assert mine["error"].startswith("任务正由 child 运行")
    finally:
        Path(gate).touch()
        child.join(120)
    assert child.exitcode == 0
    assert sorted(r["status"] for r in runs(url, "slow")) == ["ok", "skipped"]


def _serve(url: str, gate: str) -> None:
    jobs = [
        Job("slow", "慢任务", "daily", "00:00", gated_job(gate)),
        Job("after", "后续任务", "daily", "00:00", ok_job),
    ]
    stop = threading.Event()
    sch.stop_on_signals(stop)
    make(url, jobs, holder="server").serve(stop, poll=0.1)
    dbmod.dispose_engines()


def test_sigterm_stops_between_jobs(tmp_path: Path) -> None:
    url = ready(str(tmp_path / "g.db"))
    with session_scope(url) as s:  # both jobs missed, so both would run at start-up
        for name in ("slow", "after"):
            run = ops.start_run(
                s, job=name, trigger="schedule", holder="old", now=dbmod.utcnow() - timedelta(days=3)
            )
            ops.finish_run(s, run.id, status="ok")
    gate = str(tmp_path / "gate")
    child = multiprocessing.get_context("spawn").Process(target=_serve, args=(url, gate))
    child.start()
    try:
        wait_for(lambda: _running(url, "slow"), "the first job to start")
        assert child.pid is not None
        os.kill(child.pid, signal.SIGTERM)
        time.sleep(0.2)
        assert child.is_alive()  # the job in progress is not cut short
    finally:
        Path(gate).touch()
        child.join(120)
    assert child.exitcode == 0
    assert [r["status"] for r in runs(url, "slow")] == ["ok", "ok"]
    assert [r["trigger"] for r in runs(url, "after")] == ["schedule"]  # never started


# --- subprocesses and the command line -----------------------------------------------


def test_jobs_call_the_library_in_process(tmp_path: Path) -> None:
    """weekly, monthly and circular run the check and the reports in this process, on the
    scheduler's database, with the configured profile; no subprocess of our own CLI."""
    from tests.monitor.test_check_scenario import build

    url = ready(str(tmp_path / "jobs.db"))
    build(url)
    with session_scope(url) as s:  # a crawl just succeeded: the checks use it
        run = ops.start_run(s, job="crawl", trigger="schedule", holder="h")
        ops.finish_run(s, run.id, status="ok")
    env = {
        "GOVMEDIA_PROFILE_NAME": "gansu",
        "GOVMEDIA_SCHEDULE_OUT_DIR": str(tmp_path / "out"),
        "GOVMEDIA_SCHEDULE_WINDOWS": "2026-09-01..2026-11-30",
        "GOVMEDIA_REPORT_ISSUER": "某市政务公开办公室",
        "GOVMEDIA_REPORT_MASTHEAD": "某市政务公开办公室文件",
        "GOVMEDIA_REPORT_CC": "市委网信办",
        "GOVMEDIA_REPORT_DOC_NO": "某政公办〔{year}〕{seq}号",
        "GOVMEDIA_REPORT_SCOPE": "全市",
    }
    now = bj("2026-12-01 10:00")
    sched = Scheduler(
        sch.builtin_jobs(load_config(None, env=env)),
        db=url,
        config=load_config(None, env=env),
        clock=lambda: now,
    )
    weekly = sched.run_job("weekly", trigger="once")
    assert weekly["status"] == "ok", weekly
    assert "沿用最近一次采集" in weekly["summary"] and "检查批次 1" in weekly["summary"]
    assert list((tmp_path / "out").glob("weekly-*/第1次周抽查结果.html"))
    monthly = sched.run_job("monthly", trigger="once")
    assert monthly["status"] == "ok" and "检查批次 2" in monthly["summary"], monthly
    from monitor.check.summary import list_runs

    with session_scope(url) as s:
        runs = {r["kind"]: r for r in list_runs(s)}
        assert {r["profile"] for r in runs.values()} == {"gansu"}
    # each uses the calendar period that just ended: ISO week 48 and November
    assert (runs["weekly"]["from"], runs["weekly"]["to"]) == (
        "2026-11-23T00:00:00+08:00",
        "2026-11-29T23:59:59+08:00",
    )
    assert runs["weekly"]["at"] == "2026-11-29T23:59:59+08:00"
    assert (runs["monthly"]["from"], runs["monthly"]["to"]) == (
        "2026-11-01T00:00:00+08:00",
        "2026-11-30T23:59:59+08:00",
    )
    drafted = sched.run_job("circular", trigger="once")
    assert drafted["status"] == "ok" and drafted["key"] == "2026-09-01..2026-11-30", drafted
    drafts = list((tmp_path / "out").glob("circular-2026-09-01_2026-11-30/*.docx"))
    assert drafts
    import docx

    texts = [p.text for p in docx.Document(str(drafts[0])).paragraphs if p.text.strip()]
    assert texts[0] == "某市政务公开办公室文件" and "　抄送：市委网信办" in texts  # the configuration's
    assert any("全市政务新媒体" in t for t in texts) and "某市政务公开办公室" in texts
    if "征求意见稿" in drafted["summary"]:
        assert not any("某政公办〔" in t for t in texts)
    else:
        assert "某政公办〔2026〕1号" in texts and "（某政公办〔2026〕1号）" in drafted["summary"]
    again = sched.run_job("circular", trigger="once")
    assert "已起草" in again["summary"]  # once per window


def test_a_crawl_that_times_out_is_stopped_with_its_process_group(tmp_path: Path) -> None:
    from registry.filing.units import add_unit
    from spiders.crawl import run_crawl
    from spiders.standin import StandinAccount, StandinServer, file_accounts, make_posts

    url = ready(str(tmp_path / "slow.db"))
    with session_scope(url) as s:
        add_unit(s, name="甘肃省人民政府", level="province", region="620000", actor="t")
    accounts = [
        StandinAccount("weibo", "2803301799", "慢账号", posts=make_posts(2), fault="slow"),
    ]
    with StandinServer(accounts, slow_seconds=30) as server:
        file_accounts(url, server, accounts, unit="甘肃省人民政府")
        started = time.monotonic()
        report = run_crawl(url, env=server.env(), timeout=3)
        took = time.monotonic() - started
    assert report.timed_out and took < 25
    [result] = report.results
    assert result["outcome"] == "error" and "采集超时" in result["detail"]


def test_cli_schedule_list_run_once_and_history(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ready(str(tmp_path / "govmedia.db"))
    listed = cli("schedule list --format json")
    assert listed.code == 0, listed
    rows = json.loads(listed.out)
    assert set(rows[0]) == {
        "job",
        "label",
        "when",
        "last_started_at",
        "last_status",
        "last_error",
        "next_run",
        "running_by",
    }
    assert rows[2]["when"] == "每周一 09:00" and rows[2]["next_run"].endswith("+08:00")
    assert cli("schedule run --once alerts").code == 0
    bad = cli("schedule run --once nosuch")
    assert bad.code == 2 and "字段「任务」的值「nosuch」无效" in bad.err
    history = json.loads(cli("schedule history --format json").out)
    assert [(h["job"], h["trigger"], h["status"]) for h in history] == [("alerts", "once", "ok")]
    assert set(history[0]) == set(ops.RUN_KEYS)
    assert cli("schedule list --format json").out.count('"last_status": "ok"') == 1


def test_the_scheduled_circular_is_issued_as_configured(tmp_path: Path) -> None:
    """The circular job takes who issues it, to whom and under what number from [report]:
    a window whose checks are all reviewed gets the year's next 发文字号 and its 抄送."""
    import docx

    from tests.reports.test_data import build as circular_registry
    from tests.reports.test_data import settle

    url = str(tmp_path / "c.db")
    circular_registry(url)
    settle(url)
    env = {
        "GOVMEDIA_SCHEDULE_OUT_DIR": str(tmp_path / "out"),
        "GOVMEDIA_REPORT_ISSUER": "某市政务公开办公室",
        "GOVMEDIA_REPORT_CC": "市委网信办",
        "GOVMEDIA_REPORT_DOC_NO": "某政公办〔{year}〕{seq}号",
        "GOVMEDIA_REPORT_DEADLINE_WORKDAYS": "5",
    }
    config = load_config(None, env=env)
    now = bj("2026-10-09 10:00")  # Q3 closed nine days ago
    sched = Scheduler(sch.builtin_jobs(config), db=url, config=config, clock=lambda: now)
    drafted = sched.run_job("circular", trigger="once")
    assert drafted["status"] == "ok" and drafted["key"] == "2026-07-01..2026-09-30", drafted
    assert "（某政公办〔2026〕1号）" in drafted["summary"]
    (path,) = (tmp_path / "out").glob("circular-2026-07-01_2026-09-30/*.docx")
    texts = [p.text for p in docx.Document(str(path)).paragraphs if p.text.strip()]
    assert texts[:2] == ["某市政务公开办公室文件", "某政公办〔2026〕1号"]
    assert "　抄送：市委网信办" in texts and "2026年10月9日" in texts  # the injected day is the issue date
    # 5 working days: Saturday 10日 (调休上班), 12日 … 15日
    assert any("于2026年10月15日前将整改情况书面报送某市政务公开办公室" in t for t in texts)
