"""``govmedia crawl`` and ``govmedia post …``: thin commands over ``spiders.crawl`` and
``registry.posts``. Scrapy is imported only inside the crawl subprocess."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from monitor.app.cli.output import STATE, Format, emit, say, session
from registry.timeutil import parse_date
from registry.vocab import OUTCOME

post_app = typer.Typer(help="采集到的内容：查看、从文件导入。", no_args_is_help=True)

CRAWL_COLUMNS = [
    ("account_id", "账号ID"),
    ("outcome_label", "采集结果"),
    ("outcome", "结果代码"),
    ("new_posts", "新增内容"),
    ("detail", "说明"),
]
POST_COLUMNS = [
    ("post_id", "内容ID"),
    ("published_at", "发布时间"),
    ("title", "标题"),
    ("is_repost", "转发/转载"),
    ("source", "来源"),
    ("url", "链接"),
]


def crawl(
    account: Annotated[
        list[int] | None, typer.Option("--account", help="只采集这些账号ID（可重复）。")
    ] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="只采集该平台（代码或中文名）。")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="只采集该主办单位（名称或ID）的账号。")] = None,
    fmt: Annotated[
        Format, typer.Option("--format", help="输出格式：table 或 json（csv 亦可）。")
    ] = Format.table,
) -> None:
    """采集账号发布的内容（默认所有已备案账号），逐个给出采集结果。

    结果：ok 成功、empty 无内容、blocked 被平台拦截、auth_expired 凭据失效、gone 账号已不可用、
    error 采集失败。被拦截或失败的账号不会被记为“无更新”；即使部分账号被拦截，退出码仍为 0。
    """
    from monitor.app.config import crawl_env, load_config
    from spiders.crawl import check_settings, run_crawl, select_accounts

    env = crawl_env(load_config(STATE.config).require_valid())
    check_settings(env)  # bad settings and filters are one line, before anything starts
    select_accounts(STATE.db, account_ids=account or (), platform=platform, unit=unit)
    console = Console(stderr=True)
    with Progress(
        TextColumn("采集中"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("crawl", total=None)

        def started(total: int) -> None:
            progress.update(task, total=total)

        def advanced(_result: dict[str, Any]) -> None:
            progress.advance(task)

        report = run_crawl(
            STATE.db,
            account_ids=account or (),
            platform=platform,
            unit=unit,
            on_start=started,
            on_progress=advanced,
            env=env,
        )
    if fmt is Format.json or fmt is Format.csv:
        emit(report.results, fmt, columns=CRAWL_COLUMNS[:1] + CRAWL_COLUMNS[2:])
        return
    if not report.results:
        say("没有需要采集的账号（默认只采集已备案账号，可用 --account 指定）")
        return
    rows = [{**r, "outcome_label": OUTCOME.label(r["outcome"])} for r in report.results]
    emit(rows, fmt, columns=CRAWL_COLUMNS, title=f"采集结果（批次 {report.crawl_id}）")
    counts: dict[str, int] = {}
    for r in report.results:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    summary = "，".join(f"{OUTCOME.label(k)} {v}" for k, v in counts.items())
    say(f"共 {len(rows)} 个账号：{summary}；新增内容 {sum(r['new_posts'] or 0 for r in rows)} 条")


@post_app.command("list")
def post_list(
    account: Annotated[int, typer.Option("--account", help="账号ID。")],
    since: Annotated[
        str | None, typer.Option("--since", help="只列出该日期（YYYY-MM-DD，北京时间）及以后发布的内容。")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="输出格式：table、json 或 csv。")] = Format.table,
) -> None:
    """列出一个账号采集或导入的内容，最新的在前。"""
    from registry.collection.posts import list_posts

    day = parse_date(since, "--since") if since else None
    with session() as s:
        rows = list_posts(s, account_id=account, since=day)
    if fmt is Format.table:
        shown = [{**r, "published_at": (r["published_at"] or "")[:16].replace("T", " ")} for r in rows]
        emit(shown, fmt, columns=POST_COLUMNS, title=f"账号 {account} 的内容（北京时间）")
    else:
        emit(rows, fmt)


@post_app.command("import")
def post_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="内容文件（.csv 或 .jsonl）。")],
) -> None:
    """从文件导入内容（人工核查或其他来源）：列 account（账号ID 或 平台:平台账号ID）、post_id、
    published_at、title、text、url、is_repost、source。重复导入不会重复写入；有任何错误行则一行也不写。"""
    from registry.collection.posts import import_posts

    with session() as s:
        result = import_posts(s, file)
    say(f"已导入：{result.rows} 行，{result.accounts} 个账号，新增内容 {result.new_posts} 条（{file}）")
