"""``govmedia check …`` and ``govmedia finding …``: thin commands over monitor.engine,
registry.checks and monitor.observe."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from monitor.app.cli.output import STATE, Format, actor, emit, say, session
from registry.timeutil import parse_date, parse_time
from registry.vocab import FINDING_LEVEL, FINDING_STATUS, RULE, VERDICT

check_app = typer.Typer(
    help="检查：周抽查、月检查、临时检查；查看结果；导出人工检查表。", no_args_is_help=True
)
finding_app = typer.Typer(help="问题：列出、确认、排除（人工复核）。", no_args_is_help=True)

FormatOpt = Annotated[Format, typer.Option("--format", help="输出格式：table、json 或 csv。")]

ACCOUNT_COLUMNS = [
    ("account_id", "账号ID"),
    ("unit", "主办单位"),
    ("platform", "平台"),
    ("name", "账号名称"),
    ("verdict", "结论"),
    ("score", "得分"),
    ("problems", "问题"),
]
RUN_COLUMNS = [
    ("run_id", "批次"),
    ("kind", "类型"),
    ("at", "监测时间点"),
    ("from", "窗口起"),
    ("to", "窗口止"),
    ("profile", "方案"),
    ("sampled", "抽查数"),
    ("qualified", "合格"),
    ("unqualified", "不合格"),
    ("uncollected", "未能采集"),
    ("pass_rate_text", "合格率"),
]
FINDING_COLUMNS = [
    ("id", "问题ID"),
    ("run_id", "批次"),
    ("account_id", "账号ID"),
    ("unit", "主办单位"),
    ("platform", "平台"),
    ("name", "账号名称"),
    ("rule", "规则"),
    ("level", "级别"),
    ("status", "状态"),
    ("note", "说明"),
    ("reviewer", "复核人"),
    ("review_note", "复核意见"),
]


def _render_run(data: dict[str, Any], fmt: Format) -> None:
    if fmt is Format.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    rows = [
        {
            **a,
            "verdict": VERDICT.label(a["verdict"]),
            "problems": "；".join(
                f"{RULE.label(f['rule'])}（{FINDING_STATUS.label(f['status'])}）" for f in a["findings"]
            ),
        }
        for a in data["accounts"]
    ]
    if fmt is Format.table:
        rate = data["pass_rate_text"]
        say(
            f"检查批次 {data['run_id']}（{data['kind']}，方案 {data['profile']}），监测时间点 {data['at']}，"
            f"窗口 {data['window']['from']} 至 {data['window']['to']}"
        )
        say(
            f"抽查 {data['sampled']} 个账号：合格 {data['qualified']}，不合格 {data['unqualified']}，"
            f"未能采集 {data['uncollected']}（另列）；合格率 {rate}"
        )
    emit(rows, fmt, columns=ACCOUNT_COLUMNS, title="检查结果")


@check_app.command("run")
def check_run(
    kind: Annotated[
        str, typer.Option("--kind", help="检查类型：weekly（周抽查）、monthly（月检查）或 adhoc（临时）。")
    ],
    at: Annotated[
        str | None,
        typer.Option("--at", help="监测时间点（默认现在）；过去的时间可用后来采集的数据重现当时的检查。"),
    ] = None,
    date_from: Annotated[
        str | None,
        typer.Option("--from", help="内容窗口起始日期 YYYY-MM-DD（默认按类型：周 7 天、月 30 天）。"),
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="内容窗口截止日期 YYYY-MM-DD（含当天）。")
    ] = None,
    sample_rate: Annotated[
        float | None, typer.Option("--sample-rate", help="全检类别与复核之外的抽样比例（默认 0.2）。")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="抽样随机种子（默认取监测时间点），同一种子抽样结果相同。")
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option("--profile", help="指标方案：national（默认）、gansu，或自定义 TOML 文件路径。"),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """运行一次检查并保存：抽样、判定各账号（合格/不合格/未能采集），打印结果。

    未给出 --profile 时使用 govmedia.toml 的 [profile] name，再缺省为 national。
    """
    from monitor.app.config import load_config
    from monitor.check import run as engine
    from monitor.check import summary

    profile = profile or load_config(STATE.config).require_valid().get("profile", "name") or None
    with session() as s:
        outcome = engine.run_check(
            s,
            kind=kind,
            actor=actor(),
            at=parse_time(at, "--at") if at else None,
            date_from=parse_date(date_from, "--from") if date_from else None,
            date_to=parse_date(date_to, "--to") if date_to else None,
            sample_rate=sample_rate,
            seed=seed,
            profile=profile,
        )
        data = summary.run_json(s, outcome.run_id)
    _render_run(data, fmt)


@check_app.command("show")
def check_show(
    run_id: Annotated[int, typer.Argument(metavar="RUN_ID", help="检查批次ID。")],
    fmt: FormatOpt = Format.table,
) -> None:
    """查看一次检查的结果（含之后的人工复核）。"""
    from monitor.check import summary

    with session() as s:
        data = summary.run_json(s, run_id)
    _render_run(data, fmt)


@check_app.command("list")
def check_list(fmt: FormatOpt = Format.table) -> None:
    """列出全部检查批次及合格率。"""
    from monitor.check import summary

    with session() as s:
        rows = summary.list_runs(s)
    emit(rows, fmt, columns=RUN_COLUMNS, title="检查批次")


@check_app.command("sheet")
def check_sheet(
    run_id: Annotated[int, typer.Argument(metavar="RUN_ID", help="检查批次ID。")],
    path: Annotated[Path, typer.Argument(metavar="FILE.xlsx", help="输出的人工检查表。")],
) -> None:
    """把一次检查的抽查账号导出为人工检查表（.xlsx），填好后用 observe import 导入。"""
    from monitor import observe

    with session() as s:
        n = observe.write_sheet(s, run_id, path)
    say(f"已写出人工检查表 {path}（{n} 个账号）")


@finding_app.command("list")
def finding_list(
    run: Annotated[int | None, typer.Option("--run", help="只列出该检查批次的问题。")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="状态：candidate（待复核）、confirmed、dismissed。")
    ] = None,
    rule: Annotated[
        str | None, typer.Option("--rule", help="规则代码，如 no_update、serious_error。")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """列出问题及其证据说明、复核状态。"""
    from registry.checks import queries as check_queries

    status = FINDING_STATUS.code(status, "--status") if status else None
    rule = RULE.code(rule, "--rule") if rule else None
    with session() as s:
        rows = check_queries.list_findings(s, run_id=run, status=status, rule=rule)
    if fmt is not Format.json:
        rows = [
            {
                **r,
                "rule": RULE.label(r["rule"]),
                "level": FINDING_LEVEL.label(r["level"]),
                "status": FINDING_STATUS.label(r["status"]),
            }
            for r in rows
        ]
    emit(rows, fmt, columns=FINDING_COLUMNS, title="问题")


@finding_app.command("confirm")
def finding_confirm(
    finding_id: Annotated[int, typer.Argument(metavar="ID", help="问题ID。")],
    note: Annotated[str | None, typer.Option("--note", help="复核意见。")] = None,
) -> None:
    """确认问题：计入该账号的结论（单项否决即不合格）。"""
    from monitor.check import review

    with session() as s:
        f = review.review_finding(s, finding_id, status="confirmed", note=note, actor=actor())
    say(f"已确认问题 {f.id}（{RULE.label(f.rule)}）")


@finding_app.command("dismiss")
def finding_dismiss(
    finding_id: Annotated[int, typer.Argument(metavar="ID", help="问题ID。")],
    note: Annotated[str | None, typer.Option("--note", help="排除理由（必填）。")] = None,
) -> None:
    """排除问题（误报）：不计入结论，须说明理由。"""
    from monitor.check import review

    with session() as s:
        f = review.review_finding(s, finding_id, status="dismissed", note=note, actor=actor())
    say(f"已排除问题 {f.id}（{RULE.label(f.rule)}）")
