"""``govmedia crawl`` and ``govmedia post …``: thin commands over ``spiders.crawl`` and
``registry.posts``. Scrapy is imported only inside the crawl subprocess (and the worker).

``crawl`` is a group that runs the crawl itself when given no sub-command (every spelling of
the plain ``crawl`` is unchanged); its sub-commands ``worker`` and ``status`` and the
``--distributed`` option live in ``monitor.app.cli.distributed``."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from monitor.app.cli import params
from monitor.app.cli.distributed import crawl_distributed, crawl_status, crawl_worker
from monitor.app.cli.output import STATE, Col, Format, FormatOpt, OutOpt, actor, emit, progress, say, session
from monitor.app.ingest import index_after_ingest
from registry.vocab import OUTCOME, PLATFORM

post_app = typer.Typer(help="采集到的内容：查看、从文件导入。", no_args_is_help=True)

CRAWL_COLUMNS = [
    Col("account_id", "账号ID"),
    Col("unit", "主办单位", width=20),
    Col("name", "账号名称", width=16),
    Col("platform", "平台", PLATFORM),
    Col("outcome", "采集结果", OUTCOME),
    Col("new_posts", "新增内容"),
    Col("detail", "说明", width=40),
]
CRAWL_JSON = ("account_id", "outcome", "new_posts", "detail")
POST_COLUMNS = [
    Col("post_id", "内容ID"),
    Col("published_at", "发布时间"),
    Col("title", "标题", width=40),
    Col("is_repost", "转发/转载"),
    Col("source", "来源"),
    Col("url", "链接"),
]


crawl_app = typer.Typer(no_args_is_help=False)


@crawl_app.callback(invoke_without_command=True)
def crawl(
    ctx: typer.Context,
    account: Annotated[
        list[int] | None,
        typer.Option("--account", parser=params.record_id("--account"), help="只采集这些账号ID（可重复）。"),
    ] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="只采集该平台（代码或中文名）。")] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", parser=params.ref("--unit"), help="只采集该主办单位（名称或ID）的账号。"),
    ] = None,
    distributed: Annotated[
        bool,
        typer.Option(
            "--distributed",
            help="分布式采集：把这些账号作为一个采集批次放入 Redis 队列，由各台机器上的采集进程"
            "（govmedia crawl worker）采集；需要配置 [redis] url。",
        ),
    ] = False,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait",
            help="与 --distributed 一起用：等到批次中每个账号都有采集结果，再像 crawl 一样列出结果。",
        ),
    ] = False,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """采集账号发布的内容（默认所有已备案账号），逐个给出采集结果。

    结果：采集成功、无内容、被平台拦截、凭据失效、账号已不可用、采集失败。被拦截或失败的账号不会被记为“无更新”；
    即使部分账号被拦截，退出码仍为 0。加 --distributed 时由多台机器上的采集进程共同采集（见 crawl worker、crawl status）。
    """
    if ctx.invoked_subcommand:
        if account or platform or unit or distributed or wait:
            raise typer.BadParameter(
                f"这些选项只用于 crawl 本身，不能与子命令 {ctx.invoked_subcommand} 一起用",
                param_hint="--account/--platform/--unit/--distributed/--wait",
            )
        return
    if wait and not distributed:
        raise typer.BadParameter("--wait 只能与 --distributed 一起使用", param_hint="--wait")
    if distributed:
        crawl_distributed(account or [], platform, unit, wait=wait, fmt=fmt, out=out)
        return
    from monitor.app.config import crawl_env, load_config
    from spiders.crawl import check_settings, run_crawl, select_accounts

    env = crawl_env(load_config(STATE.config).require_valid())
    check_settings(env)  # bad settings and filters are one line, before anything starts
    select_accounts(STATE.db, account_ids=account or (), platform=platform, unit=unit)
    with progress("采集中", fmt) as update:
        report = run_crawl(
            STATE.db,
            account_ids=account or (),
            platform=platform,
            unit=unit,
            on_start=lambda total: update(total=total),
            on_progress=lambda _result: update(advance=1),
            env=env,
        )
    if report.results:
        index_after_ingest(STATE.db, actor=actor())  # the near-duplicate index, as posts arrive
    _show_results(report.results, report.crawl_id, fmt, out)


crawl_app.command("worker")(crawl_worker)
crawl_app.command("status")(crawl_status)


def _show_results(results: list[dict[str, Any]], crawl_id: str, fmt: Format, out: Path | None) -> None:
    """One crawl's outcomes: JSON ``[{account_id, outcome, new_posts, detail}]`` or the table
    with each account's unit, name and platform, and a one-line summary."""
    if fmt is Format.json:
        emit([{k: r.get(k) for k in CRAWL_JSON} for r in results], fmt)
        return
    if not results:
        say("没有需要采集的账号（默认只采集已备案账号，可用 --account 指定）")
        return
    rows = _named(results)
    emit(rows, fmt, columns=CRAWL_COLUMNS, title=f"采集结果（批次 {crawl_id}）", out=out)
    if fmt is not Format.table:
        return
    counts: dict[str, int] = {}
    for r in results:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    summary = "，".join(f"{OUTCOME.label(k)} {v}" for k, v in counts.items())
    say(f"共 {len(rows)} 个账号：{summary}；新增内容 {sum(r['new_posts'] or 0 for r in rows)} 条")


def _named(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each crawl result with its account's unit, name and platform."""
    from registry.filing.queries import account_briefs, unit_briefs

    with session() as s:
        briefs = account_briefs(s, [r["account_id"] for r in results])
        units = unit_briefs(s)
    rows = []
    for r in results:
        brief = briefs.get(r["account_id"])
        unit = units.get(brief.unit_id) if brief else None
        rows.append(
            {
                **r,
                "name": brief.name if brief else "",
                "platform": brief.platform if brief else None,
                "unit": unit.name if unit else "",
            }
        )
    return rows


@post_app.command("list")
def post_list(
    account: Annotated[int, typer.Option("--account", parser=params.record_id("--account"), help="账号ID。")],
    since: Annotated[
        date | None,
        typer.Option(
            "--since",
            parser=params.day("--since"),
            help="只列出该日期（YYYY-MM-DD，北京时间）及以后发布的内容。",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """列出一个账号采集或导入的内容，最新的在前。"""
    from registry.collection.posts import list_posts

    with session() as s:
        rows = list_posts(s, account_id=account, since=since)
    if fmt is Format.json:
        emit(rows, fmt)
    else:
        emit(rows, fmt, columns=POST_COLUMNS, title=f"账号{account}的内容", out=out)


@post_app.command("import")
def post_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="内容文件（.csv、.jsonl 或 .xlsx）。")],
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            parser=params.moment("--as-of", past=True),
            help="完整读取来源的时间（如人工核查账号主页、完整导出的时间）。给出时，文件中的账号"
            "记为在该时间采集成功，可据以判断此前是否无更新；不给出时（历史存档、部分导出），"
            "导入的内容只证明账号发布过，不作为采集记录。",
        ),
    ] = None,
) -> None:
    """从文件导入内容（人工核查或其他来源）：列 account（账号ID 或 平台:平台账号ID）、post_id、
    published_at、title、text、url、is_repost、source。重复导入不会重复写入；有任何错误行则一行也不写。

    内容只证明账号发布过；只有完整、成功的采集才能证明“无更新”。用 --as-of 说明来源在何时被完整
    读取，该时间即这些账号的一次成功采集（与采集程序的一次成功采集相同）。只有日期没有时刻的
    发布时间按当天全天计（判断无更新时按当天最晚时间，对账号有利）。
    """
    from registry.collection.posts import import_posts
    from registry.timeutil import local_text

    when = as_of
    with session() as s:
        result = import_posts(s, file, as_of=when)
    if result.new_posts:
        index_after_ingest(STATE.db, actor=actor())  # the near-duplicate index, as posts arrive
    collected = (
        f"；记为 {local_text(when)} 采集成功" if result.collected and when else "；未记为采集（只证明发布过）"
    )
    say(
        f"已导入：{result.rows} 行，{result.accounts} 个账号，新增内容 {result.new_posts} 条（{file}）{collected}"
    )
