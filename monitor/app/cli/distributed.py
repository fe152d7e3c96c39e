"""``govmedia crawl --distributed``, ``crawl worker`` and ``crawl status``: thin commands over
``spiders.distributed`` (one crawl over many machines through Redis, the database the truth).

Without ``[redis] url`` each of them says so in one Chinese line (exit 2); so does a Redis that
does not answer. The plain ``govmedia crawl`` never needs Redis.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from monitor.app.cli.output import (
    STATE,
    Col,
    Format,
    FormatOpt,
    actor,
    emit,
    emit_object,
    note,
    progress,
    say,
)
from monitor.app.ingest import index_after_ingest
from registry.vocab import OUTCOME, WORKER_STATE

CYCLE_COLUMNS = [
    Col("crawl_id", "采集批次"),
    Col("created_at", "加入队列"),
    Col("selection", "选择条件", width=24),
    Col("total", "账号"),
    Col("done", "已完成"),
    Col("leased", "采集中"),
    Col("queued", "排队"),
    Col("finished_at", "完成时间"),
]
LEASE_COLUMNS = [
    Col("account_id", "账号ID"),
    Col("name", "账号名称", width=16),
    Col("crawl_id", "采集批次"),
    Col("holder", "采集进程"),
    Col("expires_at", "租约到期"),
    Col("seconds_left", "剩余秒数"),
    Col("leases", "领取次数"),
]
WORKER_COLUMNS = [
    Col("worker", "采集进程"),
    Col("host", "主机"),
    Col("started_at", "启动时间"),
    Col("heartbeat_at", "最后心跳"),
    Col("state", "状态", WORKER_STATE),
    Col("leases", "持有租约"),
    Col("accounts", "已完成账号"),
]


def _queue() -> Any:
    """The queue settings, or the one-line error when Redis is not configured."""
    from monitor.app.config import load_config, queue_settings

    return queue_settings(load_config(STATE.config).require_valid())


def crawl_distributed(
    account: list[int], platform: str | None, unit: str | None, *, wait: bool, fmt: Format, out: Path | None
) -> None:
    """``crawl --distributed [--wait]``: enqueue a cycle; with ``--wait``, its outcomes."""
    from monitor.app.cli.collection import _show_results
    from monitor.app.config import crawl_env, load_config
    from spiders.crawl import check_settings
    from spiders.distributed import coordinator

    queue = _queue()
    check_settings(crawl_env(load_config(STATE.config).require_valid()))
    enqueued = coordinator.enqueue(STATE.db, queue, account_ids=account, platform=platform, unit=unit)
    if enqueued.skipped:
        first, crawl_id = next(iter(enqueued.skipped.items()))
        note(
            f"{len(enqueued.skipped)} 个账号在未完成的采集批次中排队，未重复加入（如账号 {first} 在批次 {crawl_id}）"
        )
    if not wait:
        _show_enqueued(enqueued, queue, fmt)
        return
    with progress("采集中（分布式）", fmt) as update:
        update(total=len(enqueued.accounts))
        waited = coordinator.wait(
            STATE.db,
            queue,
            enqueued.cycle_id,
            on_progress=lambda done, _total: update(completed=done),
            on_no_worker=lambda: note(
                "没有正在运行的采集进程：请在采集机器上运行 govmedia crawl worker（继续等待；Ctrl-C 可中止，批次保留在队列中）"
            ),
        )
    if waited.results:
        index_after_ingest(STATE.db, actor=actor())  # the near-duplicate index, as posts arrive
    _show_results(waited.results, enqueued.crawl_id, fmt, out)


def _show_enqueued(enqueued: Any, queue: Any, fmt: Format) -> None:
    if fmt is Format.json:
        data = {
            "cycle_id": enqueued.cycle_id,
            "crawl_id": enqueued.crawl_id,
            "accounts": enqueued.accounts,
            "skipped": [{"account_id": a, "crawl_id": c} for a, c in enqueued.skipped.items()],
        }
        emit_object(data, fmt, {})
        return
    if not enqueued.accounts:
        say("没有需要采集的账号（默认只采集已备案账号，可用 --account 指定；未完成批次中的账号不重复加入）")
        return
    say(
        f"已加入采集队列：批次 {enqueued.crawl_id}，{len(enqueued.accounts)} 个账号（队列 {queue.queue_key}）；"
        "由采集进程（govmedia crawl worker）采集，govmedia crawl status 查看进度"
    )


def crawl_worker(
    until_empty: Annotated[
        bool,
        typer.Option(
            "--until-empty",
            help="队列取空、且没有本进程可以接手的账号（包括已停止心跳的进程持有、即将到期的租约）时退出；"
            "默认一直运行，等待新的采集批次。",
        ),
    ] = False,
) -> None:
    """采集进程：从 Redis 队列领取账号，用与 crawl 相同的采集程序采集并保存（可在多台机器上运行任意多个）。

    每个账号同一时间只租给一个采集进程，心跳续期；进程被强行终止时，它的账号在租约到期后回到队列，由其他进程接手，
    每个账号在每个采集批次中只有一个采集结果。各平台的请求间隔和每日请求上限由所有采集进程共同遵守（记在 Redis 中）。
    收到 SIGTERM（systemctl stop）或 Ctrl-C 时把未采完的账号交回队列后退出。
    """
    from monitor.app.config import crawl_env, load_config
    from spiders.crawl import check_settings
    from spiders.distributed.worker import run_worker

    queue = _queue()
    env = check_settings(crawl_env(load_config(STATE.config).require_valid()))
    console = Console(stderr=True, width=200, highlight=False)
    report = run_worker(
        STATE.db, queue, env=env, until_empty=until_empty, log=lambda line: console.print(line, markup=False)
    )
    if report.accounts:
        index_after_ingest(STATE.db, actor=actor())  # what this worker stored; a check indexes the rest
    outcomes = "，".join(f"{OUTCOME.label(k)} {v}" for k, v in sorted(report.outcomes.items()))
    parts = [
        f"采集进程 {report.holder} 已退出：保存 {report.accounts} 个账号的采集结果"
        + (f"（{outcomes}）" if outcomes else "")
    ]
    if report.given_back:
        parts.append(f"未采完的 {report.given_back} 个账号已交回队列")
    if report.leases_lost:
        parts.append(f"{report.leases_lost} 个账号的租约到期后已由其他进程接手")
    say("；".join(parts))


def crawl_status(fmt: FormatOpt = Format.table) -> None:
    """分布式采集的现状：Redis 队列中待领取的账号、各采集批次的进度、租约（哪个采集进程正在采集哪个账号、何时到期）和每个采集进程的最后心跳。"""
    from spiders.distributed import coordinator

    if fmt in (Format.csv, Format.xlsx):
        raise typer.BadParameter("crawl status 只输出 table 或 json", param_hint="--format")
    data = coordinator.status(STATE.db, _queue())
    if fmt is Format.json:
        import json

        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_iso) + "\n")
        return
    queue = data["queue"]
    say(f"队列 {queue['key']}（{queue['redis']}）：待领取 {queue['length']} 个账号")
    emit(data["cycles"], Format.table, columns=CYCLE_COLUMNS, title="采集批次")
    emit(data["leases"], Format.table, columns=LEASE_COLUMNS, title="租约")
    emit(data["workers"], Format.table, columns=WORKER_COLUMNS, title="采集进程")


def _iso(value: Any) -> str:
    from datetime import datetime

    from registry.timeutil import local_iso

    return str(local_iso(value)) if isinstance(value, datetime) else str(value)
