"""``govmedia check …`` and ``govmedia finding …``: thin commands over monitor.engine,
registry.checks and monitor.observe."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from monitor.app.cli import params
from monitor.app.cli.output import (
    STATE,
    Col,
    Format,
    FormatOpt,
    OutOpt,
    actor,
    emit,
    note,
    say,
    session,
    shown,
    time_text,
    working,
)
from registry.vocab import (
    CHECK_KIND,
    FINDING_LEVEL,
    FINDING_STATUS,
    METRIC,
    PLATFORM,
    PROFILE,
    RULE,
    VERDICT,
)

check_app = typer.Typer(
    help="检查：周抽查、月检查、临时检查；查看结果；导出人工检查表。", no_args_is_help=True
)
finding_app = typer.Typer(help="问题：列出、查看证据、确认、排除（人工复核，可批量）。", no_args_is_help=True)

ACCOUNT_COLUMNS = [
    Col("account_id", "账号ID"),
    Col("unit", "主办单位"),
    Col("platform", "平台", PLATFORM),
    Col("name", "账号名称"),
    Col("verdict", "结论", VERDICT),
    Col("score", "得分"),
    Col("problems", "问题", width=40),
]
RUN_COLUMNS = [
    Col("run_id", "批次"),
    Col("kind", "类型", CHECK_KIND),
    Col("at", "监测时间点"),
    Col("from", "窗口起"),
    Col("to", "窗口止"),
    Col("profile", "方案", PROFILE),
    Col("sampled", "抽查数"),
    Col("qualified", "合格"),
    Col("unqualified", "不合格"),
    Col("uncollected", "未能采集"),
    Col("pass_rate_text", "合格率"),
]
# the columns of `finding list` fit 120 characters; `finding show ID` has everything
FINDING_COLUMNS = [
    Col("id", "问题ID"),
    Col("run_id", "批次"),
    Col("unit", "主办单位", width=12),
    Col("name", "账号名称", width=12),
    Col("platform", "平台", PLATFORM),
    Col("rule", "规则", RULE, width=12),
    Col("level", "级别", FINDING_LEVEL),
    Col("status", "状态", FINDING_STATUS),
    Col("note", "说明", width=20),
]
FINDING_FILE_COLUMNS = [
    Col("id", "问题ID"),
    Col("run_id", "批次"),
    Col("account_id", "账号ID"),
    Col("unit", "主办单位"),
    Col("platform", "平台", PLATFORM),
    Col("name", "账号名称"),
    Col("rule", "规则", RULE),
    Col("level", "级别", FINDING_LEVEL),
    Col("status", "状态", FINDING_STATUS),
    Col("note", "说明"),
    Col("reviewer", "复核人"),
    Col("review_note", "复核意见"),
    Col("reviewed_at", "复核时间"),
]


TABLE_ROWS = 200  # the accounts a terminal lists of a larger check (files and JSON hold them all)


def _run_data(s: Any, run_id: int, fmt: Format) -> dict[str, Any]:
    """What a format shows of a run: the terminal at most ``TABLE_ROWS`` accounts (the failing
    first), everything else the whole run (``summary.run_json``)."""
    from monitor.check import summary

    if fmt is not Format.table:
        return summary.run_json(s, run_id)
    data = summary.run_overview(s, run_id, listed=TABLE_ROWS)
    if len(data["accounts"]) == data["sampled"]:
        data["accounts"].sort(key=lambda a: a["account_id"])
    return data


def _render_run(data: dict[str, Any], fmt: Format, out: Path | None = None) -> None:
    if fmt is Format.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)  # written as encoded: no copy
        sys.stdout.write("\n")
        return
    rows = [
        {
            **a,
            "problems": "；".join(
                f"{RULE.label(f['rule'])}（{FINDING_STATUS.label(f['status'])}）" for f in a["findings"]
            ),
        }
        for a in data["accounts"]
    ]
    if fmt is Format.table:
        rate = data["pass_rate_text"]
        window = f"{time_text(data['window']['from'])} 至 {time_text(data['window']['to'])}"
        say(
            f"检查批次 {data['run_id']}（{CHECK_KIND.label(data['kind'])}，方案 {PROFILE.label(data['profile'])}），"
            f"监测时间点 {time_text(data['at'])}，窗口 {window}"
        )
        say(
            f"抽查 {data['sampled']} 个账号：合格 {data['qualified']}，不合格 {data['unqualified']}，"
            f"未能采集 {data['uncollected']}（另列）；合格率 {rate}"
        )
    emit(rows, fmt, columns=ACCOUNT_COLUMNS, title="检查结果", out=out)
    if fmt is Format.table and len(rows) < data["sampled"]:
        say(
            f"表中列出 {len(rows)} 个账号（不合格、未能采集的在前），共 {data['sampled']} 个；全部结果："
            f"govmedia check show {data['run_id']} --format xlsx --out 检查结果.xlsx"
        )


@check_app.command("run")
def check_run(
    kind: Annotated[str, typer.Option("--kind", help="检查类型：" + CHECK_KIND.choices() + "。")],
    at: Annotated[
        datetime | None,
        typer.Option(
            "--at",
            parser=params.moment("--at", past=True),
            help="监测时间点（默认现在）；过去的时间可用后来采集的数据重现当时的检查："
            "按备案记录还原当时在用的账号及其单位、名称和级别。",
        ),
    ] = None,
    date_from: Annotated[
        date | None,
        typer.Option(
            "--from",
            parser=params.day("--from"),
            help="内容窗口起始日期 YYYY-MM-DD（默认按类型：周 7 天、月 30 天）。",
        ),
    ] = None,
    date_to: Annotated[
        date | None,
        typer.Option("--to", parser=params.day("--to"), help="内容窗口截止日期 YYYY-MM-DD（含当天）。"),
    ] = None,
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            parser=params.month("--month"),
            help="按自然月检查，如 2026-11（11月1日0时至11月30日24时，监测时间点为月末）。",
        ),
    ] = None,
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            parser=params.week("--week"),
            help="按自然周检查，如 2026-W48（该周周一0时至周日24时，监测时间点为周末）。",
        ),
    ] = None,
    sample_rate: Annotated[
        float | None, typer.Option("--sample-rate", help="全检类别与复核之外的抽样比例（默认 0.2）。")
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            parser=params.seed("--seed"),
            help="抽样随机种子（默认取监测时间点），同一种子抽样结果相同。",
        ),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile", help="指标方案：" + PROFILE.choices() + "，或自定义 TOML 文件路径（默认国家指标）。"
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """运行一次检查并保存：抽样、判定各账号（合格/不合格/未能采集），打印结果。

    内容窗口的起止时刻都包含在内。未给出 --month/--week/--from/--to 时，窗口为监测时间点前
    指标方案 [window_days] 规定的天数（周 7 天、月 30 天）。未给出 --profile 时使用
    govmedia.toml 的 [profile] name，再缺省为 national。
    """
    from monitor.app.config import load_config
    from monitor.check import run as engine
    from registry.status import ever_collected

    profile = profile or load_config(STATE.config).require_valid().get("profile", "name") or None
    profile = PROFILE.find(profile) or profile  # 国家指标 / 甘肃省指标 as well as their codes
    kind = CHECK_KIND.code(kind, "--kind")
    with working("检查中：抽样、读取内容、判定……", fmt), session() as s:
        collected = ever_collected(s)
        outcome = engine.run_check(
            s,
            kind=kind,
            actor=actor(),
            at=at,
            date_from=date_from,
            date_to=date_to,
            sample_rate=sample_rate,
            seed=seed,
            profile=profile,
            month=month,
            week=week,
        )
        data = _run_data(s, outcome.run_id, fmt)
    _render_run(data, fmt)
    if not collected:
        note("备案库中的账号从未采集，所有账号都只能判为“未能采集”：请先运行 govmedia crawl 采集，再检查")


@check_app.command("show")
def check_show(
    run_id: Annotated[
        int, typer.Argument(metavar="RUN_ID", parser=params.record_id("检查批次ID"), help="检查批次ID。")
    ],
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """查看一次检查的结果（含之后的人工复核）。"""
    with session() as s:
        data = _run_data(s, run_id, fmt)
    _render_run(data, fmt, out)


@check_app.command("list")
def check_list(fmt: FormatOpt = Format.table, out: OutOpt = None) -> None:
    """列出全部检查批次及合格率。"""
    from monitor.check import summary

    with session() as s:
        rows = summary.list_runs(s)
    emit(rows, fmt, columns=RUN_COLUMNS, title="检查批次", out=out)


@check_app.command("sheet")
def check_sheet(
    run_id: Annotated[
        int, typer.Argument(metavar="RUN_ID", parser=params.record_id("检查批次ID"), help="检查批次ID。")
    ],
    path: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.xlsx", parser=params.out_file("文件", ".xlsx"), help="输出的人工检查表。"
        ),
    ],
) -> None:
    """把一次检查的抽查账号导出为人工检查表（.xlsx），填好后用 observe import 导入。"""
    from monitor import observe

    with session() as s:
        n = observe.write_sheet(s, run_id, path)
    say(f"已写出人工检查表 {path}（{n} 个账号）")


@finding_app.command("list")
def finding_list(
    run: Annotated[
        int | None, typer.Option("--run", parser=params.record_id("--run"), help="只列出该检查批次的问题。")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="状态：" + FINDING_STATUS.choices() + "。")
    ] = None,
    rule: Annotated[
        str | None,
        typer.Option("--rule", help="规则：中文名称或代码，如 内容不更新、no_update、严重表述错误。"),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", parser=params.ref("--unit"), help="只列出该主办单位（名称或ID）的账号的问题。"
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            parser=params.line("--region"),
            help="只列出该行政区划内的问题，如 620100（兰州市及其县区）。",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """列出问题及其说明、复核状态（证据见 finding show ID）。

    不给 --run 时，延续到之后各次检查的同一条待复核问题只列一次（最近一次检查中的那条，
    并给出首次提出的批次 first_run_id 和出现过的批次 run_ids），复核一次即对各次检查生效。
    """
    from registry.checks import queries as check_queries

    with session() as s:
        rows = check_queries.finding_list(s, run=run, status=status, rule=rule, unit=unit, region=region)
    columns = FINDING_COLUMNS if fmt is Format.table else FINDING_FILE_COLUMNS
    emit(rows, fmt, columns=columns, title="问题", out=out)


@finding_app.command("show")
def finding_show(
    finding_id: Annotated[
        int, typer.Argument(metavar="ID", parser=params.record_id("问题ID"), help="问题ID。")
    ],
    fmt: FormatOpt = Format.table,
) -> None:
    """查看一条问题的证据：说明、规则用到的数字、涉及的内容（正文、发布时间、链接）和复核情况。"""
    from registry.checks.evidence import finding_detail

    with session() as s:
        detail = finding_detail(s, finding_id)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(detail, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    for line in _finding_lines(detail):
        say(line)


def _finding_lines(d: dict[str, Any]) -> list[str]:
    lines = [
        f"问题 {d['id']}：{RULE.label(d['rule'])}（{FINDING_LEVEL.label(d['level'])}，{FINDING_STATUS.label(d['status'])}）",
        f"账号：{d['name']}（{PLATFORM.label(d['platform'])}，{d['unit']}，账号ID {d['account_id']}）",
        f"检查：检查批次 {d['run_id']}（{CHECK_KIND.label(d['run_kind'] or '')}），监测时间点 {time_text(d['run_at'] or '')}",
    ]
    if d["note"]:
        lines.append(f"说明：{d['note']}")
    evidence = d["evidence"]
    for key, label in (("metrics", "测得"), ("threshold", "标准")):
        if evidence.get(key):
            lines.append(
                f"{label}：" + "；".join(f"{METRIC.label(k)} {shown(v)}" for k, v in evidence[key].items())
            )
    if evidence.get("last_post_at"):
        lines.append(f"最近发布：{time_text(evidence['last_post_at'])}")
    for match in evidence.get("matches", []):
        fix = f"（应为「{match['correct']}」）" if match.get("correct") else ""
        lines.append(f"命中词语：「{match.get('phrase')}」{fix}")
    if evidence.get("observed_at"):
        lines.append(f"人工检查：{evidence.get('inspector') or ''} 于 {time_text(evidence['observed_at'])}")
    for n, post in enumerate(d["posts"], start=1):
        lines.append(f"内容 {n}：{post['title'] or '（无标题）'}　{time_text(post['published_at'] or '')}")
        if post["url"]:
            lines.append(f"  链接：{post['url']}")
        if post["text"]:
            lines.append(f"  正文：{post['text']}")
    for n, decision in enumerate(d.get("decisions") or [], start=1):
        lines.append(
            f"复核 {n}：{decision['actor']} 于 {time_text(decision['at'] or '')} "
            f"{FINDING_STATUS.label(decision['previous'])} → {FINDING_STATUS.label(decision['status'])}"
            f"　{decision['note'] or ''}".rstrip()
        )
    if d["reviewer"] and not d.get("decisions"):
        lines.append(
            f"复核：{d['reviewer']} 于 {time_text(d['reviewed_at'] or '')}　{d['review_note'] or ''}".rstrip()
        )
    return lines


IdsArg = Annotated[
    list[int],
    typer.Argument(
        metavar="ID", parser=params.record_id("问题ID"), help="问题ID，可给出多个（全部成功或全部不做）。"
    ),
]


@finding_app.command("confirm")
def finding_confirm(
    finding_ids: IdsArg,
    note: Annotated[
        str | None, typer.Option("--note", parser=params.blank_ok(params.text("--note")), help="复核意见。")
    ] = None,
) -> None:
    """确认问题：计入该账号的结论（单项否决即不合格）；可给出多个ID。"""
    _review(finding_ids, "confirmed", note, "已确认")


@finding_app.command("dismiss")
def finding_dismiss(
    finding_ids: IdsArg,
    note: Annotated[
        str | None,
        typer.Option("--note", parser=params.blank_ok(params.text("--note")), help="排除理由（必填）。"),
    ] = None,
) -> None:
    """排除问题（误报）：不计入结论，须说明理由；可给出多个ID。"""
    _review(finding_ids, "dismissed", note, "已排除")


def _review(ids: list[int], status: str, text: str | None, verb: str) -> None:
    from monitor.check import review

    with session() as s:
        done = review.review_findings(s, list(ids), status=status, note=text, actor=actor())
    if len(done) == 1:
        say(f"{verb}问题 {done[0].id}（{RULE.label(done[0].rule)}）")
        return
    rules = "、".join(dict.fromkeys(RULE.label(f.rule) for f in done))
    say(f"{verb} {len(done)} 条问题（{rules}），相关账号的结论已重新判定")
