"""``govmedia config …``, ``govmedia schedule …`` and ``govmedia alert …``: thin commands over
monitor.app.config, monitor.app.scheduler and monitor.alerts."""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from monitor.app.config import Config
    from monitor.app.scheduler import Scheduler

from monitor.app.cli import params
from monitor.app.cli.output import STATE, Col, Format, FormatOpt, OutOpt, emit, say, session
from registry.db import resolve_url, session_scope
from registry.errors import InvalidValue
from registry.timeutil import local_text
from registry.vocab import ALERT_CHANNEL, ALERT_STATUS, ALERT_STEP, JOB, JOB_STATUS, JOB_TRIGGER

config_app = typer.Typer(help="配置：查看生效的配置、校验 govmedia.toml。", no_args_is_help=True)
schedule_app = typer.Typer(
    help="定时任务：采集、周抽查、月检查、通报起草、每日预警（常驻进程）。", no_args_is_help=True
)
alert_app = typer.Typer(help="无更新预警：发送记录、测试消息、立即预警。", no_args_is_help=True)

CONFIG_COLUMNS = [("key", "配置项"), ("value", "生效值"), ("source", "来源"), ("env", "环境变量")]
JOB_COLUMNS = [
    Col("job", "任务", JOB),
    Col("when", "时间"),
    Col("last_started_at", "上次开始"),
    Col("last_status", "上次结果", JOB_STATUS),
    Col("next_run", "下次运行"),
    Col("running_by", "正在运行"),
]
RUN_COLUMNS = [
    Col("id", "ID"),
    Col("job", "任务", JOB),
    Col("trigger", "触发", JOB_TRIGGER),
    Col("status", "结果", JOB_STATUS),
    Col("started_at", "开始"),
    Col("finished_at", "结束"),
    Col("seconds", "秒"),
    Col("key", "对象"),
    Col("error", "错误", width=30),
    Col("summary", "摘要", width=30),
]
ALERT_COLUMNS = [
    Col("id", "ID"),
    Col("sent_at", "发送时间"),
    Col("account", "账号"),
    Col("step", "级别", ALERT_STEP),
    Col("days", "无更新天数"),
    Col("channel", "渠道", ALERT_CHANNEL),
    Col("recipient_name", "收件人"),
    Col("recipient", "地址"),
    Col("status", "结果", ALERT_STATUS),
    Col("error", "失败原因", width=30),
]


def _config(valid: bool = True) -> Config:
    from monitor.app.config import load_config

    config = load_config(STATE.config)
    return config.require_valid() if valid else config


# --- config ----------------------------------------------------------------------------


@config_app.command("show")
def config_show(fmt: FormatOpt = Format.table, out: OutOpt = None) -> None:
    """显示生效的配置（配置文件与 GOVMEDIA_… 环境变量合并后，密码、Cookie、令牌已隐去）。"""
    from monitor.app.config import effective_rows

    config = _config(valid=False)
    rows = effective_rows(config)
    database = resolve_url(STATE.db)
    rows.insert(
        0,
        {
            "key": "database.effective",
            "value": _masked_db(database),
            "source": "--db / GOVMEDIA_DB / database.url / 默认",
            "env": "GOVMEDIA_DB",
            "secret": False,
            "help": "实际使用的数据库",
        },
    )
    if fmt is Format.table:
        say(f"配置文件：{config.path or '（无，使用默认值与环境变量）'}")
    emit(rows, fmt, columns=CONFIG_COLUMNS, title="生效配置", out=out)
    if config.problems:
        print(f"注意：配置有 {len(config.problems)} 处错误，请运行 govmedia config check", file=sys.stderr)


def _masked_db(url: str) -> str:
    from registry.masking import mask_url

    return mask_url(url)


@config_app.command("check")
def config_check() -> None:
    """校验配置：逐项列出错误（配置项、值、原因），有错误时退出码为 2。"""
    from monitor.app.config import Problem, alert_settings

    config = _config(valid=False)
    problems = list(config.problems)
    try:
        alert_settings(config)  # the profile must load and its ladder parse
    except InvalidValue as exc:
        problems.append(Problem("profile.name", config.get("profile", "name"), exc.message))
    if problems:
        for problem in problems:
            print(f"错误：{problem.message()}", file=sys.stderr)
        raise typer.Exit(2)
    say(f"配置有效（文件：{config.path or '无'}）")


# --- schedule --------------------------------------------------------------------------


def _scheduler(log: bool = False) -> Scheduler:
    from monitor.app import scheduler

    config = _config()
    return scheduler.Scheduler(
        scheduler.builtin_jobs(config),
        db=resolve_url(STATE.db),
        config=config,
        config_path=STATE.config,
        log=_log if log else (lambda _m: None),
    )


def _log(message: str) -> None:
    from registry.db import utcnow

    print(f"[{local_text(utcnow())}] {message}", file=sys.stderr, flush=True)


@schedule_app.command("run")
def schedule_run(
    once: Annotated[
        str | None,
        typer.Option("--once", metavar="JOB", help="立即运行一个任务后退出：" + JOB.choices() + "。"),
    ] = None,
) -> None:
    """启动常驻调度进程（收到 SIGTERM 或 Ctrl-C 时在两个任务之间停止）；--once 只运行一个任务。"""
    from monitor.app import scheduler

    runner = _scheduler(log=True)
    with session_scope(runner.db):
        pass  # refuse a missing or outdated database before starting
    if once:
        row = runner.run_job(scheduler.find_job(runner.jobs, once).name, trigger="once")
        if row["status"] != "ok":
            print(
                f"任务「{once}」{'未运行' if row['status'] == 'skipped' else '失败'}：{row['error']}",
                file=sys.stderr,
            )
            raise typer.Exit(1)
        say(f"任务「{once}」完成：{row['summary'] or ''}")
        return
    stop = threading.Event()
    scheduler.stop_on_signals(stop)
    runner.serve(stop)


@schedule_app.command("list")
def schedule_list(fmt: FormatOpt = Format.table, out: OutOpt = None) -> None:
    """列出定时任务：时间、上次运行及结果、下次运行。"""
    emit(_scheduler().table(), fmt, columns=JOB_COLUMNS, title="定时任务", out=out)


@schedule_app.command("history")
def schedule_history(
    job: Annotated[str | None, typer.Option("--job", help="只看该任务：" + JOB.choices() + "。")] = None,
    limit: Annotated[
        int, typer.Option("--limit", parser=params.limit("--limit"), help="最多显示条数。")
    ] = 50,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """任务运行记录（最新在前）：开始、结束、结果、错误。"""
    from registry.ops import jobs as ops

    code = JOB.code(job, "--job") if job else None
    with session() as s:
        rows = ops.job_history(s, job=code, limit=limit)
    emit(rows, fmt, columns=RUN_COLUMNS, title="任务运行记录", out=out)


# --- alerts ----------------------------------------------------------------------------


@alert_app.command("list")
def alert_list(
    account: Annotated[
        int | None, typer.Option("--account", parser=params.record_id("--account"), help="只看该账号ID。")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", parser=params.limit("--limit"), help="最多显示条数。")
    ] = 200,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """已发送的预警：何时、发给谁、哪一级、经哪个渠道、是否成功。"""
    from registry.ops import alerts as alert_records

    with session() as s:
        rows = alert_records.list_alerts(s, account_id=account, limit=limit)
    emit(rows, fmt, columns=ALERT_COLUMNS, title="预警记录", out=out)


@alert_app.command("test")
def alert_test(
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to", parser=params.line("--to"), help="测试邮件收件人（可多次给出），默认为监管中心邮箱。"
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """经所有已配置的渠道（邮件、回调、企业微信、钉钉）发送一条测试消息。"""
    from monitor.alerts.warning import send_test
    from monitor.app.config import alert_settings

    config = _config()
    with session() as s:
        rows = send_test(s, alert_settings(config), to=to)
    if not rows:
        print("错误：没有可用的渠道：请配置 [smtp] 与收件人，或 [webhook] 地址", file=sys.stderr)
        raise typer.Exit(2)
    emit(rows, fmt, columns=ALERT_COLUMNS)
    if any(r["status"] != "sent" for r in rows):
        raise typer.Exit(1)


@alert_app.command("run")
def alert_run(fmt: FormatOpt = Format.table) -> None:
    """立即进行一次无更新预警（定时任务 alerts 每天做的事）。"""
    from monitor.alerts.warning import run_alert_pass
    from monitor.app.config import alert_settings

    config = _config()
    with session() as s:
        rows = run_alert_pass(s, alert_settings(config))
    emit(rows, fmt, columns=ALERT_COLUMNS)
