"""The unattended rhythm of 周抽查、月检查、季通报: a long-running ``govmedia schedule run``.

Jobs (times in Beijing time, from ``[schedule]`` in govmedia.toml):

- ``crawl`` (daily, 06:00): the crawl (``spiders.crawl.run_crawl``, which runs Scrapy in its
  own process), with the platform credentials and base URLs of the configuration; with
  ``[redis] url`` a distributed cycle that the ``govmedia crawl worker`` processes collect;
- ``alerts`` (daily, 08:30): the early-warning pass (``monitor.alerts``);
- ``weekly`` (monday 09:00): a fresh crawl unless one succeeded within
  ``crawl_fresh_hours``, then a weekly check (``monitor.check.run``) of the calendar week that
  just ended (Monday 00:00 to Sunday 24:00, ``--week``) and its report
  (``reports.service.check_sheet``) in ``[schedule] out_dir``;
- ``monthly`` (day 1, 09:30): a fresh crawl as above, then a monthly check of the calendar
  month that just ended (``--month``);
- ``circular`` (daily, 10:00): when an inspection window (``[schedule] windows``, else the
  calendar quarter) has closed in the last 14 days and has no circular yet, its circular
  (``reports.service.circular``);
- ``discovery`` (daily, 11:00): this month's 未备案账号排查 (``monitor.app.discovery``): every
  query is searched once a month, spread over the days by the platforms' search budgets; on a
  day with nothing pending it does nothing. The searches run in their own process, like the crawl.

Jobs call the library in this process; only the crawl has a process of its own.

Every run is recorded (start, end, status, error). A job runs under a lease row in the
database, so it never runs twice at once, even from two processes on one database. A job
whose last occurrence passed while the process was down runs once on start-up. A failing
job is recorded and runs again at its next time; the others are not affected. SIGTERM
stops the process between jobs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import schedule as schedule_lib

from monitor.app.config import (
    WEEKDAY_NAMES,
    Config,
    alert_settings,
    crawl_env,
    queue_settings,
    report_settings,
)
from registry.db import session_scope, utcnow
from registry.errors import GovmediaError, InvalidValue
from registry.ops import jobs as ops
from registry.timeutil import TZ
from registry.vocab import JOB

WEEKDAY_LABELS = ("一", "二", "三", "四", "五", "六", "日")
CIRCULAR_GRACE_DAYS = 14


class JobFailed(Exception):
    """A job could not do its work; the message (Chinese) is recorded as the run's error."""


# --- when ------------------------------------------------------------------------------


def _parts(when: str) -> tuple[str | None, int, int]:
    day, _, clock = when.rpartition(" ")
    hour, minute = (int(x) for x in clock.split(":"))
    return (day or None), hour, minute


def previous_occurrence(kind: str, when: str, at: datetime) -> datetime:
    """The latest scheduled instant at or before ``at`` (UTC in, UTC out)."""
    day, hour, minute = _parts(when)
    local = at.astimezone(TZ)
    cand = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if kind == "daily":
        if cand > local:
            cand -= timedelta(days=1)
    elif kind == "weekly":
        target = WEEKDAY_NAMES.index(str(day))
        cand -= timedelta(days=(cand.weekday() - target) % 7)
        if cand > local:
            cand -= timedelta(days=7)
    else:
        cand = cand.replace(day=int(str(day)))
        if cand > local:
            year, month = (cand.year, cand.month - 1) if cand.month > 1 else (cand.year - 1, 12)
            cand = cand.replace(year=year, month=month)
    return cand.astimezone(TZ).astimezone(at.tzinfo)


def next_occurrence(kind: str, when: str, after: datetime) -> datetime:
    """The first scheduled instant strictly after ``after``."""
    prev = previous_occurrence(kind, when, after).astimezone(TZ)
    if kind == "daily":
        nxt = prev + timedelta(days=1)
    elif kind == "weekly":
        nxt = prev + timedelta(days=7)
    else:
        year, month = (prev.year, prev.month + 1) if prev.month < 12 else (prev.year + 1, 1)
        nxt = prev.replace(year=year, month=month)
    return nxt.astimezone(after.tzinfo)


def describe(kind: str, when: str) -> str:
    """每天 08:30 / 每周一 09:00 / 每月1日 09:30."""
    day, hour, minute = _parts(when)
    clock = f"{hour:02d}:{minute:02d}"
    if kind == "daily":
        return f"每天 {clock}"
    if kind == "weekly":
        return f"每周{WEEKDAY_LABELS[WEEKDAY_NAMES.index(str(day))]} {clock}"
    return f"每月{day}日 {clock}"


# --- jobs ------------------------------------------------------------------------------


@dataclass
class JobContext:
    """What a job may use: the database URL, the configuration, the clock, a logger."""

    db: str
    config: Config
    config_path: str | None = None
    now: datetime = field(default_factory=utcnow)
    log: Callable[[str], None] = lambda _msg: None


@dataclass
class Job:
    """A scheduled job: its time and its action (which returns a one-line summary)."""

    name: str
    label: str
    kind: str  # daily / weekly / monthly
    when: str
    action: Callable[[JobContext], str | None]
    key: Callable[[JobContext], str | None] | None = None


ACTOR = "定时任务"


def crawl(ctx: JobContext) -> str:
    """The day's crawl: the real spiders in their own process (Scrapy's reactor cannot
    restart), stopped with its whole process group after ``[schedule] job_timeout``. With
    ``[redis] url`` configured, a distributed cycle collected by the workers instead."""
    from monitor.app.ingest import index_after_ingest
    from spiders.crawl import run_crawl

    if ctx.config.get("redis", "url"):
        return distributed_crawl(ctx)
    limit = ctx.config.get("schedule", "job_timeout")
    report = run_crawl(ctx.db, env=crawl_env(ctx.config), timeout=limit)
    if report.results:
        index_after_ingest(ctx.db, actor=ACTOR)  # the near-duplicate index, as posts arrive
    if report.timed_out:
        raise JobFailed(f"采集超时（超过 {limit} 秒），已停止采集进程及其子进程")
    return f"采集完成（{len(report.results)} 个账号）"


def distributed_crawl(ctx: JobContext) -> str:
    """Enqueue a cycle of the accounts due (``govmedia crawl --distributed``) and wait for the
    workers (``govmedia crawl worker``) to give each its outcome, at most ``job_timeout``."""
    from monitor.app.ingest import index_after_ingest
    from spiders.distributed import coordinator

    queue = queue_settings(ctx.config)
    limit = ctx.config.get("schedule", "job_timeout")
    enqueued = coordinator.enqueue(ctx.db, queue)
    waited = coordinator.wait(ctx.db, queue, enqueued.cycle_id, timeout=limit)
    if waited.timed_out:
        index_after_ingest(ctx.db, actor=ACTOR)  # what the workers did store is indexed
        raise JobFailed(
            f"分布式采集超时（超过 {limit} 秒）：批次 {enqueued.crawl_id} 还有 {waited.left} 个账号未采集完，"
            "请查看采集进程是否在运行（govmedia crawl status）"
        )
    if waited.results:
        index_after_ingest(ctx.db, actor=ACTOR)  # the near-duplicate index, as posts arrive
    skipped = f"，{len(enqueued.skipped)} 个账号仍在未完成的批次中" if enqueued.skipped else ""
    return f"分布式采集完成（批次 {enqueued.crawl_id}，{len(waited.results)} 个账号{skipped}）"


def fresh_crawl(ctx: JobContext) -> str:
    """Crawl before a check unless a crawl succeeded within ``crawl_fresh_hours``."""
    hours = ctx.config.get("schedule", "crawl_fresh_hours")
    with session_scope(ctx.db) as s:
        last = ops.last_success(s, "crawl")
    if last and last.finished_at and ctx.now - last.finished_at <= timedelta(hours=hours):
        return "沿用最近一次采集"
    return crawl(ctx)


def _out_dir(ctx: JobContext, name: str) -> Path:
    path = Path(ctx.config.get("schedule", "out_dir")) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def check(ctx: JobContext, kind: str) -> tuple[int, str]:
    """One check of ``kind`` over the calendar period that just ended (the previous ISO week for
    ``weekly``, the previous month for ``monthly``) with the configured profile; (run id,
    summary)."""
    from monitor.check.period import previous_month, previous_week
    from monitor.check.run import run_check
    from monitor.check.summary import run_json

    today = ctx.now.astimezone(TZ).date()
    weekly = kind == "weekly"
    with session_scope(ctx.db) as s:
        outcome = run_check(
            s,
            kind=kind,
            actor=ACTOR,
            now=ctx.now,
            profile=ctx.config.get("profile", "name") or None,
            week=previous_week(today) if weekly else None,
            month=None if weekly else previous_month(today),
        )
        data = run_json(s, outcome.run_id)
    rate = data["pass_rate"]
    return outcome.run_id, f"检查批次 {outcome.run_id}" + (f"，合格率 {rate}%" if rate is not None else "")


def weekly(ctx: JobContext) -> str:
    from reports import service

    pre = fresh_crawl(ctx)
    run, summary = check(ctx, "weekly")
    out = _out_dir(ctx, f"weekly-{ctx.now.astimezone(TZ).date()}")
    with session_scope(ctx.db) as s:
        service.check_sheet(s, run, out=out)
    return f"{pre}；周抽查：{summary}；报告在 {out}"


def monthly(ctx: JobContext) -> str:
    pre = fresh_crawl(ctx)
    return f"{pre}；月检查：{check(ctx, 'monthly')[1]}"


def closed_window(config: Config, today: date) -> tuple[date, date] | None:
    """The inspection window that closed most recently (within the grace days), if any."""
    windows = [tuple(date.fromisoformat(p) for p in w.split("..")) for w in config.get("schedule", "windows")]
    if not windows:
        q_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        prev_end = q_start - timedelta(days=1)
        windows = [(date(prev_end.year, prev_end.month - 2, 1), prev_end)]
    closed = [w for w in windows if w[1] < today and (today - w[1]).days <= CIRCULAR_GRACE_DAYS]
    return max(closed, key=lambda w: w[1]) if closed else None  # type: ignore[return-value]


def circular_key(ctx: JobContext) -> str | None:
    window = closed_window(ctx.config, ctx.now.astimezone(TZ).date())
    return f"{window[0]}..{window[1]}" if window else None


def circular(ctx: JobContext) -> str:
    from reports import service

    key = circular_key(ctx)
    if key is None:
        return "没有刚结束的检查窗口"
    with session_scope(ctx.db) as s:
        if ops.last_success(s, "circular", key=key):
            return f"窗口 {key} 的通报已起草"
    start, end = (date.fromisoformat(d) for d in key.split(".."))
    out = _out_dir(ctx, f"circular-{start}_{end}")
    with session_scope(ctx.db) as s:
        summary = service.circular(
            s,
            start=start,
            end=end,
            out=out,
            actor=ACTOR,
            settings=report_settings(ctx.config),
            today=ctx.now.astimezone(TZ).date(),
        )
    if summary["draft"]:
        return f"已起草 {key} 的通报（征求意见稿：{'；'.join(summary['draft_reasons'])}）：{out}"
    number = f"（{summary['doc_no']}）" if summary["doc_no"] else ""
    return f"已起草 {key} 的通报{number}：{out}"


def alert_pass(ctx: JobContext) -> str:
    from monitor.alerts.warning import run_alert_pass

    with session_scope(ctx.db) as s:
        rows = run_alert_pass(s, alert_settings(ctx.config), now=ctx.now)
    failed = sum(1 for r in rows if r["status"] == "failed")
    if failed and failed == len(rows):
        raise JobFailed(f"{failed} 条预警全部发送失败：{rows[0]['error']}")
    return f"发送预警 {len(rows) - failed} 条，失败 {failed} 条"


def discovery(ctx: JobContext) -> str:
    from monitor.app.config import discovery_env
    from monitor.app.discovery import discovery_settings, run_discovery

    limit = ctx.config.get("schedule", "job_timeout")
    run = run_discovery(
        ctx.db,
        settings=discovery_settings(ctx.config),
        env=discovery_env(ctx.config),
        now=ctx.now,
        timeout=limit,
    )
    total = sum(p["queries"] for p in run.platforms)
    done, blocked, failed = (sum(p[k] for p in run.platforms) for k in ("searched", "blocked", "failed"))
    if run.timed_out:
        raise JobFailed(
            f"排查搜索超时（超过 {limit} 秒），已停止搜索进程；本月尚有 {run.pending_after} 个搜索词"
        )
    if total and not done and blocked + failed == total:
        raise JobFailed(f"{total} 个搜索词的搜索全部被拦截或失败（拦截 {blocked}，失败 {failed}）")
    if not total:
        return "本月排查已完成（没有待搜索的搜索词）"
    new = sum(p["new_candidates"] for p in run.platforms)
    return (
        f"排查搜索 {done}/{total} 个搜索词，被拦截 {blocked}，失败 {failed}，新线索 {new}；"
        f"本月尚有 {run.pending_after} 个待搜索"
    )


def builtin_jobs(config: Config) -> list[Job]:
    s = config.section("schedule")
    return [
        Job("crawl", JOB.label("crawl"), "daily", s["crawl"], crawl),
        Job("alerts", JOB.label("alerts"), "daily", s["alerts"], alert_pass),
        Job("weekly", JOB.label("weekly"), "weekly", s["weekly"], weekly),
        Job("monthly", JOB.label("monthly"), "monthly", s["monthly"], monthly),
        Job("circular", JOB.label("circular"), "daily", s["circular"], circular, key=circular_key),
        Job("discovery", JOB.label("discovery"), "daily", s["discovery"], discovery),
    ]


def find_job(jobs: list[Job], name: str) -> Job:
    """A job by its code or its Chinese name (``registry.vocab.JOB``)."""
    code = JOB.find(name) or name
    for job in jobs:
        if job.name == code:
            return job
    raise InvalidValue("任务", name, "应为" + "、".join(f"{JOB.label(j.name)}（{j.name}）" for j in jobs))


# --- the runner ------------------------------------------------------------------------


class Scheduler:
    """Runs jobs under leases, records every run, catches up missed ones, serves until stopped."""

    def __init__(
        self,
        jobs: list[Job],
        *,
        db: str,
        config: Config,
        config_path: str | None = None,
        holder: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        log: Callable[[str], None] = lambda _msg: None,
    ) -> None:
        self.jobs = jobs
        self.db = db
        self.config = config
        self.config_path = config_path
        self.holder = holder or ops.new_holder()
        self.clock = clock
        self.log = log
        self.ttl = int(config.get("schedule", "lease_seconds"))

    def run_job(self, name: str, *, trigger: str = "schedule", due: datetime | None = None) -> dict[str, Any]:
        """Run one job now under its lease; returns the recorded run (skipped when busy)."""
        job = find_job(self.jobs, name)
        now = self.clock()
        ctx = JobContext(self.db, self.config, self.config_path, now, self.log)
        with session_scope(self.db) as s:
            if not ops.acquire_lease(s, job=name, holder=self.holder, ttl_seconds=self.ttl, now=now):
                lease = ops.lease_of(s, name)
                reason = f"任务正由 {lease.holder if lease else '其他进程'} 运行"
                return ops.run_row(
                    ops.record_skipped(
                        s, job=name, trigger=trigger, holder=self.holder, reason=reason, now=now
                    )
                )
            last = ops.last_attempts(s).get(name)
            if due is not None and last is not None and last.started_at >= due:
                ops.release_lease(s, job=name, holder=self.holder)
                return ops.run_row(
                    ops.record_skipped(
                        s,
                        job=name,
                        trigger=trigger,
                        holder=self.holder,
                        reason="本次已由其他进程运行",
                        now=now,
                    )
                )
        with session_scope(self.db) as s:
            run_id = ops.start_run(
                s,
                job=name,
                trigger=trigger,
                holder=self.holder,
                key=job.key(ctx) if job.key else None,
                now=now,
            ).id
        self.log(f"开始任务「{job.label}」（{name}，第 {run_id} 次运行）")
        status, error, summary = "ok", None, None
        beat = _Heartbeat(self, name)
        try:
            summary = job.action(ctx)
        except JobFailed as exc:
            status, error = "failed", str(exc)
        except Exception as exc:  # a failing job must not stop the others
            status, error = "failed", _one_line(exc)
        finally:
            beat.stop()
        with session_scope(self.db) as s:
            ops.finish_run(s, run_id, status=status, error=error, summary=summary, now=self.clock())
            ops.release_lease(s, job=name, holder=self.holder)
            row = ops.run_row(ops.get_run(s, run_id))
        self.log(f"任务「{job.label}」{'完成' if status == 'ok' else '失败'}：{summary or error or ''}")
        return row

    def missed(self, now: datetime | None = None) -> list[tuple[Job, datetime]]:
        """Jobs whose latest occurrence passed since their last run (never-run jobs are new)."""
        now = now or self.clock()
        with session_scope(self.db) as s:
            last = ops.last_attempts(s)
        out = []
        for job in self.jobs:
            due = previous_occurrence(job.kind, job.when, now)
            if job.name in last and last[job.name].started_at < due:
                out.append((job, due))
        return out

    def catch_up(self, stop: threading.Event | None = None) -> list[dict[str, Any]]:
        """Run each missed job once (start-up)."""
        rows = []
        with session_scope(self.db) as s:
            ops.interrupt_stale_runs(s, now=self.clock())
        for job, due in self.missed():
            if stop is not None and stop.is_set():
                break
            self.log(f"补跑停机期间错过的任务「{job.label}」")
            rows.append(self.run_job(job.name, trigger="startup", due=due))
        return rows

    def table(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Each job: when, last run, next run, and whether a process holds it now."""
        from registry.timeutil import local_iso

        now = now or self.clock()
        with session_scope(self.db) as s:
            last = ops.last_attempts(s)
            leases = {j.name: ops.lease_of(s, j.name) for j in self.jobs}
        rows = []
        for job in self.jobs:
            run = last.get(job.name)
            lease = leases[job.name]
            rows.append(
                {
                    "job": job.name,
                    "label": job.label,
                    "when": describe(job.kind, job.when),
                    "last_started_at": local_iso(run.started_at) if run else None,
                    "last_status": run.status if run else None,
                    "last_error": run.error if run else None,
                    "next_run": local_iso(next_occurrence(job.kind, job.when, now)),
                    "running_by": lease.holder if lease and lease.expires_at >= now else None,
                }
            )
        return rows

    def serve(self, stop: threading.Event, *, poll: float = 5.0) -> None:
        """Catch up, then run jobs at their times until ``stop`` is set (between jobs)."""
        self.log(f"调度进程 {self.holder} 启动")
        self.catch_up(stop)
        sched = schedule_lib.Scheduler()
        for job in self.jobs:
            day, hour, minute = _parts(job.when)
            clock = f"{hour:02d}:{minute:02d}"
            every = sched.every()
            unit = getattr(every, str(day)) if job.kind == "weekly" else every.day
            unit.at(clock, "Asia/Shanghai").do(self._tick, job, stop)
        while not stop.is_set():
            sched.run_pending()
            idle = sched.idle_seconds
            stop.wait(max(0.0, min(poll, idle if idle is not None else poll)))
        self.log("调度进程已停止")

    def _tick(self, job: Job, stop: threading.Event) -> None:
        if stop.is_set():
            return
        now = self.clock()
        if job.kind == "monthly" and now.astimezone(TZ).day != int(str(_parts(job.when)[0])):
            return
        try:
            self.run_job(job.name, trigger="schedule", due=previous_occurrence(job.kind, job.when, now))
        except Exception as exc:  # the database itself failed: log it, keep serving the others
            self.log(f"任务「{job.label}」未能运行：{_one_line(exc)}")


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT ask the scheduler to stop after the job in progress."""
    import signal

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())


class _Heartbeat:
    """Renews a running job's lease every third of its lifetime, so only a dead process loses it."""

    def __init__(self, scheduler: Scheduler, job: str) -> None:
        self.scheduler, self.job = scheduler, job
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True)
        self.thread.start()

    def _beat(self) -> None:
        sch = self.scheduler
        while not self.done.wait(sch.ttl / 3):
            with session_scope(sch.db) as s:
                ops.renew_lease(s, job=self.job, holder=sch.holder, ttl_seconds=sch.ttl, now=sch.clock())

    def stop(self) -> None:
        self.done.set()
        self.thread.join(timeout=5)


def _one_line(exc: BaseException) -> str:
    """A job's failure as one line for the run record and the log, credentials masked."""
    from registry.masking import redact

    text = redact(str(exc).strip())
    if isinstance(exc, GovmediaError):
        return text.splitlines()[0]
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__
