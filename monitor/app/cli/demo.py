"""``govmedia demo``: the whole job on a demo database, offline (what ``make demo`` runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from monitor.app.cli import params
from registry.vocab import CHECK_KIND, OUTCOME

VERDICTS = ("qualified", "unqualified", "uncollected")
KINDS = {
    ".db": "演示备案库（SQLite）",
    ".jsonl": "历史归档内容",
    ".docx": "Word 文档",
    ".html": "网页（可打印）",
    ".xlsx": "Excel 表格",
    ".png": "图表",
    ".json": "通报数据",
}


def _described(path: str) -> str:
    kind = KINDS.get(Path(path).suffix.lower())
    return f"{path}　{kind}" if kind else path


def demo(
    out: Annotated[
        Path,
        typer.Option(
            "--out", parser=params.out_dir("--out"), help="输出目录（其中的 govmedia.db 每次重建）。"
        ),
    ] = Path("demo-output"),
    seed: Annotated[
        int, typer.Option("--seed", parser=params.seed("--seed"), help="演示数据与抽样的随机种子。")
    ] = 2026,
    web: Annotated[
        bool,
        typer.Option("--web", help="演示结束后在本机启动网页工作台（每个角色一个演示用户），Ctrl-C 停止。"),
    ] = False,
    port: Annotated[
        int,
        typer.Option("--port", parser=params.whole("--port", 1, 65535), help="--web 时网页工作台的端口。"),
    ] = 8000,
) -> None:
    """离线演示全流程：建演示备案库、启动本地模拟平台并采集、月检查与周抽查、人工复核、生成检查结果、季度通报和一对一反馈；--web 再启动网页工作台。"""
    from monitor.app.demo.run import run_demo

    console = Console(width=120)
    console.print("正在生成演示备案库并采集本地模拟平台，约需一两分钟……")
    summary = run_demo(out, seed=seed)
    console.print(f"\n演示备案库：{summary.units} 个主办单位，{summary.accounts} 个账号（{summary.db}）")
    crawl = "，".join(f"{OUTCOME.label(k)} {v}" for k, v in summary.crawl.most_common())
    console.print(f"采集结果：{crawl}；导入历史归档内容 {summary.history} 条")
    table = Table(title="检查结果")
    for label in ("编号", "类型", "监测时间点", "受检", "合格", "不合格", "未能采集", "合格率"):
        table.add_column(label)
    for run in summary.runs:
        table.add_row(
            str(run["run_id"]),
            CHECK_KIND.label(run["kind"]),
            run["at"][:16].replace("T", " "),
            str(run["sampled"]),
            *[str(run[k]) for k in VERDICTS],
            run["pass_rate_text"],
        )
    console.print(table)
    for line in summary.reviewed:
        console.print(f"人工复核：{line}")
    c = summary.circular
    console.print(
        f"季度通报（{c['window']['from']} 至 {c['window']['to']}）：检查 {c['checked']} 个账号，"
        f"合格 {c['qualified']}，不合格 {c['unqualified']}，未能采集 {c['uncollected']}，合格率 {c['pass_rate_text']}；"
        f"列入整改台账 {c['ledger_opened']} 项",
        markup=False,
    )
    console.print(f"\n写入的文件（共 {len(summary.files)} 个）：")
    for path in summary.files:
        console.print(f"  {_described(path)}", markup=False)
    console.print(f"\n继续体验：govmedia --db {summary.db} check list", markup=False)
    if web:
        _serve(summary.db, port, console)
    else:
        console.print(f"网页工作台：govmedia demo --web（或 govmedia --db {summary.db} web）", markup=False)


def _serve(db: str, port: int, console: Console) -> None:
    """Add the demo users, print the address and the logins, and serve the workbench."""
    from monitor.app.demo.run import DEMO_REPORT
    from monitor.app.demo.web import DEMO_PASSWORD, add_demo_users
    from monitor.app.web.server import serve
    from monitor.app.web.settings import WebSettings

    users = add_demo_users(db)
    console.print(f"\n网页工作台：http://127.0.0.1:{port}/ （Ctrl-C 停止）", markup=False)
    table = Table(title=f"演示用户（密码均为 {DEMO_PASSWORD}）")
    for label in ("用户名", "角色", "所在单位"):
        table.add_column(label)
    for user in users:
        table.add_row(user.name, user.role_label, user.unit)
    console.print(table)
    serve(WebSettings(db=db, report=DEMO_REPORT), host="127.0.0.1", port=port)
