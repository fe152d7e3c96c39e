"""``govmedia report …`` (检查结果、季度通报、一对一反馈) and ``govmedia rectify …`` (整改台账):
thin commands over ``reports.service`` and ``registry.ledger``."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from monitor.app.cli.output import Format, actor, emit, say, session
from registry.timeutil import parse_date
from registry.vocab import LEDGER_STATUS

report_app = typer.Typer(
    help="报告：检查结果、季度通报（.docx/.html/.xlsx/图表）、一对一反馈。", no_args_is_help=True
)
rectify_app = typer.Typer(help="整改台账：查看、登记整改、复核销号。", no_args_is_help=True)


class ReportFormat(str, Enum):
    table = "table"
    json = "json"


class LedgerFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


OutOpt = Annotated[Path, typer.Option("--out", help="输出目录（不存在时自动创建）。")]
FromOpt = Annotated[str, typer.Option("--from", help="检查窗口起始日期 YYYY-MM-DD（含）。")]
ToOpt = Annotated[str, typer.Option("--to", help="检查窗口截止日期 YYYY-MM-DD（含）。")]
DeadlineOpt = Annotated[
    str | None, typer.Option("--deadline", help="整改期限 YYYY-MM-DD，默认成文日期后30天。")
]
TemplateOpt = Annotated[
    Path | None, typer.Option("--template", help="自定义 Word 模板（.docx），占位符见文档。")
]
ReportFmtOpt = Annotated[ReportFormat, typer.Option("--format", help="输出格式：table 或 json。")]
NoteOpt = Annotated[str, typer.Option("--note", help="说明（必填）。")]

LEDGER_COLUMNS = [
    ("id", "事项ID"),
    ("doc_no", "通报文号"),
    ("unit", "主办单位"),
    ("account", "账号名称"),
    ("platform_label", "平台"),
    ("problem", "问题类型"),
    ("description", "问题描述"),
    ("status_label", "状态"),
    ("deadline", "整改期限"),
    ("updated_at", "状态变更时间"),
    ("note", "整改说明"),
    ("evidence_url", "佐证链接"),
]
HISTORY_COLUMNS = [
    ("at", "时间"),
    ("action", "操作"),
    ("actor", "操作人"),
    ("from", "原状态"),
    ("to", "新状态"),
    ("note", "说明"),
    ("evidence_url", "佐证链接"),
    ("run_id", "检查批次"),
]


def _report(summary: dict[str, Any], fmt: ReportFormat, headline: str) -> None:
    for warning in summary.get("warnings", []):
        print(f"提示：{warning}", file=sys.stderr)
    if fmt is ReportFormat.json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    say(headline)
    for kind, path in summary.get("files", {}).items():
        say(f"  {kind}：{path}")
    for path in summary.get("charts", []):
        say(f"  图表：{path}")


@report_app.command("check")
def report_check(
    run_id: Annotated[str, typer.Argument(metavar="RUN_ID", help="检查批次ID（govmedia check list 可查）。")],
    out: OutOpt,
    fmt: ReportFmtOpt = ReportFormat.table,
) -> None:
    """生成一次检查（周抽查/月检查）的结果：可打印的 HTML 页面和 .xlsx 表格。"""
    from reports import service

    with session() as s:
        summary = service.check_sheet(s, run_id, out=out)
    _report(
        summary,
        fmt,
        f"已生成第{summary['run_id']}次{summary['kind']}结果：合格率{summary['pass_rate']}，"
        f"不合格{summary['unqualified']}个，未能采集{summary['uncollected']}个，"
        f"待复核问题{summary['candidates']}条",
    )


@report_app.command("circular")
def report_circular(
    start: FromOpt,
    end: ToOpt,
    out: OutOpt,
    title: Annotated[str | None, typer.Option("--title", help="通报标题，默认按窗口生成。")] = None,
    doc_no: Annotated[str | None, typer.Option("--doc-no", help="发文字号，如“甘数发〔2026〕12号”。")] = None,
    deadline: DeadlineOpt = None,
    template: TemplateOpt = None,
    issuer: Annotated[str | None, typer.Option("--issuer", help="发文机关（默认“省大数据中心”）。")] = None,
    addressees: Annotated[str | None, typer.Option("--addressees", help="主送机关。")] = None,
    fmt: ReportFmtOpt = ReportFormat.table,
) -> None:
    """生成检查窗口的季度通报（.docx、.html、.xlsx 附件和图表），并把问题列入整改台账。"""
    from reports import service

    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    due = parse_date(deadline, "--deadline") if deadline else None
    with session() as s:
        summary = service.circular(
            s,
            start=first,
            end=last,
            out=out,
            actor=actor(),
            title=title,
            doc_no=doc_no,
            deadline=due,
            template=template,
            issuer=issuer,
            addressees=addressees,
        )
    rate = summary["pass_rate_text"]
    _report(
        summary,
        fmt,
        f"已生成通报「{summary['title']}」：检查{summary['checked']}个账号，"
        f"不合格{summary['unqualified']}个，合格率{rate}；新列入整改台账{summary['ledger_opened']}项",
    )


@report_app.command("notices")
def report_notices(
    start: FromOpt,
    end: ToOpt,
    out: OutOpt,
    deadline: DeadlineOpt = None,
    template: TemplateOpt = None,
    fmt: ReportFmtOpt = ReportFormat.table,
) -> None:
    """为检查窗口内有问题的每个单位生成一对一反馈（.docx），台账事项标记为“已反馈”。"""
    from reports import service

    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    due = parse_date(deadline, "--deadline") if deadline else None
    with session() as s:
        summary = service.notices(
            s, start=first, end=last, out=out, actor=actor(), deadline=due, template=template
        )
    _report(
        summary,
        fmt,
        f"已生成{summary['units']}个单位的反馈，{summary['notified']}项问题标记为已反馈，"
        f"整改期限{summary['deadline_text']}",
    )


def _ledger_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from reports.text import platform_name, rule_label

    for row in rows:
        row["problem"] = rule_label(row["rule"])
        row["status_label"] = LEDGER_STATUS.label(row["status"])
        row["platform_label"] = platform_name(row["platform"])
    return rows


@rectify_app.command("list")
def rectify_list(
    status: Annotated[
        str | None, typer.Option("--status", help="只列出该状态：open/notified/rectified/closed/reopened。")
    ] = None,
    circular: Annotated[
        int | None, typer.Option("--circular", help="只列出该期通报（通报ID）的事项。")
    ] = None,
    fmt: Annotated[
        LedgerFormat, typer.Option("--format", help="输出格式：table、json、csv 或 xlsx。")
    ] = LedgerFormat.table,
    out: Annotated[Path, typer.Option("--out", help="--format xlsx 时写入的文件。")] = Path("整改台账.xlsx"),
) -> None:
    """列出整改台账。"""
    from registry.ledger import queries as ledger_queries
    from registry.sheets import Sheet, write_workbook

    with session() as s:
        rows = _ledger_rows(ledger_queries.list_items(s, status=status, circular_id=circular))
    if fmt is LedgerFormat.xlsx:
        sheet = Sheet(
            "整改台账",
            [label for _, label in LEDGER_COLUMNS],
            [[row.get(key) for key, _ in LEDGER_COLUMNS] for row in rows],
            widths=(8, 20, 24, 20, 10, 24, 40, 10, 12, 20, 40, 40),
        )
        say(f"已写入整改台账 {len(rows)} 项：{write_workbook(out, [sheet])}")
        return
    if fmt is LedgerFormat.json:
        keys = [*ledger_queries.ITEM_KEYS]
        emit([{k: row[k] for k in keys} for row in rows], Format.json)
        return
    emit(rows, Format(fmt.value), columns=LEDGER_COLUMNS, title="整改台账")


@rectify_app.command("record")
def rectify_record(
    item: Annotated[str, typer.Argument(metavar="ITEM", help="整改事项ID（见 rectify list 或反馈通知）。")],
    note: NoteOpt,
    evidence: Annotated[str | None, typer.Option("--evidence", help="佐证材料链接（http/https）。")] = None,
) -> None:
    """登记单位报送的整改情况，事项变为“已整改”，待后续检查复核。"""
    from registry.ledger import store as ledger

    with session() as s:
        row = ledger.record(s, item, note=note, evidence_url=evidence, actor=actor())
    say(f"整改事项 {row.id} 已登记整改，待后续检查复核")


@rectify_app.command("close")
def rectify_close(
    item: Annotated[str, typer.Argument(metavar="ITEM", help="整改事项ID。")],
    note: NoteOpt,
) -> None:
    """人工复核确认问题已消除，销号。"""
    from registry.ledger import store as ledger

    with session() as s:
        row = ledger.close(s, item, note=note, actor=actor())
    say(f"整改事项 {row.id} 已销号")


@rectify_app.command("reopen")
def rectify_reopen(
    item: Annotated[str, typer.Argument(metavar="ITEM", help="整改事项ID。")],
    note: NoteOpt,
) -> None:
    """人工复核发现问题仍存在，标记为“整改未通过”。"""
    from registry.ledger import store as ledger

    with session() as s:
        row = ledger.reopen(s, item, note=note, actor=actor())
    say(f"整改事项 {row.id} 标记为整改未通过")


@rectify_app.command("review")
def rectify_review(
    run_id: Annotated[str, typer.Argument(metavar="RUN_ID", help="用于复核的检查批次ID。")],
    fmt: ReportFmtOpt = ReportFormat.table,
) -> None:
    """按一次后续检查复核台账：问题已消除的销号，仍存在的标记为整改未通过。

    只复核单位已报送整改（已整改）或已过整改期限的事项；其余事项保持原状态（如已反馈），
    计为“未到期”。只复核该次检查采集成功的账号。
    """
    from registry.ledger import store as ledger

    with session() as s:
        counts = ledger.review(s, run_id, actor=actor())
    if fmt is ReportFormat.json:
        sys.stdout.write(json.dumps(counts, ensure_ascii=False) + "\n")
        return
    say(
        f"复核完成：销号{counts['closed']}项，整改未通过{counts['reopened']}项，仍未通过{counts['unchanged']}项，"
        f"未到整改期限且未报送整改{counts['waiting']}项"
    )


@rectify_app.command("show")
def rectify_show(
    item: Annotated[str, typer.Argument(metavar="ITEM", help="整改事项ID。")],
    fmt: Annotated[Format, typer.Option("--format", help="输出格式：table、json 或 csv。")] = Format.table,
) -> None:
    """查看一个整改事项的全部记录。"""
    from registry.ledger import queries as ledger_queries

    with session() as s:
        rows = ledger_queries.history(s, item)
    emit(rows, fmt, columns=HISTORY_COLUMNS, title=f"整改事项 {item}")
