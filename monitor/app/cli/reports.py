"""``govmedia report …`` (检查结果、季度通报、一对一反馈) and ``govmedia rectify …`` (整改台账):
thin commands over ``reports.service`` and ``registry.ledger``."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from monitor.app.cli import params
from monitor.app.cli.output import STATE, Col, Format, FormatOpt, actor, emit, say, session, working
from registry.vocab import CHECK_KIND, LEDGER_ACTION, LEDGER_STATUS, PLATFORM, RULE

report_app = typer.Typer(
    help="报告：检查结果、季度通报（.docx/.html/.xlsx/图表）、一对一反馈。", no_args_is_help=True
)
rectify_app = typer.Typer(help="整改台账：查看、登记整改、复核销号。", no_args_is_help=True)


class ReportFormat(str, Enum):
    table = "table"
    json = "json"


OutOpt = Annotated[
    Path, typer.Option("--out", parser=params.out_dir("--out"), help="输出目录（不存在时自动创建）。")
]
FileOpt = Annotated[
    Path | None,
    typer.Option("--out", parser=params.out_file("--out"), help="--format xlsx 或 csv 时写入的文件。"),
]
FromOpt = Annotated[
    date, typer.Option("--from", parser=params.day("--from"), help="检查窗口起始日期 YYYY-MM-DD（含）。")
]
ToOpt = Annotated[
    date, typer.Option("--to", parser=params.day("--to"), help="检查窗口截止日期 YYYY-MM-DD（含）。")
]
DeadlineOpt = Annotated[
    date | None,
    typer.Option(
        "--deadline",
        parser=params.day("--deadline"),
        help="整改期限 YYYY-MM-DD；默认为成文日期后若干个工作日（[report] deadline_workdays，默认15个，跳过节假日）。",
    ),
]
TemplateOpt = Annotated[
    Path | None, typer.Option("--template", help="自定义 Word 模板（.docx），占位符见文档。")
]
ReportFmtOpt = Annotated[ReportFormat, typer.Option("--format", help="输出格式：table 或 json。")]
NoteOpt = Annotated[
    str, typer.Option("--note", parser=params.blank_ok(params.text("--note")), help="说明（必填）。")
]
ItemArg = Annotated[
    int, typer.Argument(metavar="ITEM", parser=params.record_id("整改事项ID"), help="整改事项ID。")
]

LEDGER_COLUMNS = [
    Col("id", "事项ID"),
    Col("doc_no", "通报文号"),
    Col("unit", "主办单位", width=20),
    Col("account", "账号名称", width=16),
    Col("platform", "平台", PLATFORM),
    Col("rule", "问题类型", RULE),
    Col("description", "问题描述", width=30),
    Col("status", "状态", LEDGER_STATUS),
    Col("deadline", "整改期限"),
    Col("updated_at", "状态变更时间"),
    Col("note", "整改说明", width=24),
    Col("evidence_url", "佐证链接"),
]
HISTORY_COLUMNS = [
    Col("at", "时间"),
    Col("action", "操作", LEDGER_ACTION),
    Col("actor", "操作人"),
    Col("from", "原状态", LEDGER_STATUS),
    Col("to", "新状态", LEDGER_STATUS),
    Col("note", "说明"),
    Col("evidence_url", "佐证链接"),
    Col("run_id", "检查批次"),
]


def _settings(**overrides: Any) -> tuple[Any, list[str]]:
    """The ``[report]`` settings (the command's options win) and what the user should know
    about them; a wrong ``[report]`` key is refused in one line."""
    from monitor.app.config import load_config, report_settings
    from registry.errors import InvalidValue

    config = load_config(STATE.config)
    bad = [p for p in config.problems if p.key.startswith(("report.", "[report]"))]
    if bad:
        raise InvalidValue(f"配置项 {bad[0].key}", bad[0].value, bad[0].reason)
    settings = report_settings(config, **overrides)
    notes = []
    if "report.issuer" not in config.sources and not overrides.get("issuer"):
        notes.append(
            f"未配置发文机关（govmedia.toml 的 [report] issuer 或 --issuer），通报暂用“{settings.issuer}”"
        )
    return settings, notes


def _report(summary: dict[str, Any], fmt: ReportFormat, headline: str) -> None:
    for reason in summary.get("draft_reasons", []):
        print(f"提示：{reason}，通报标为征求意见稿", file=sys.stderr)
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
    run_id: Annotated[
        int,
        typer.Argument(
            metavar="RUN_ID",
            parser=params.record_id("检查批次ID"),
            help="检查批次ID（govmedia check list 可查）。",
        ),
    ],
    out: OutOpt,
    fmt: ReportFmtOpt = ReportFormat.table,
) -> None:
    """生成一次检查（周抽查/月检查）的结果：可打印的 HTML 页面和 .xlsx 表格。"""
    from reports import service

    with working("正在生成检查结果……", fmt), session() as s:
        summary = service.check_sheet(s, run_id, out=out)
    _report(
        summary,
        fmt,
        f"已生成第{summary['run_id']}次{CHECK_KIND.label(summary['kind'])}结果：合格率{summary['pass_rate']}，"
        f"不合格{summary['unqualified']}个，未能采集{summary['uncollected']}个，"
        f"待复核问题{summary['candidates']}条",
    )


@report_app.command("circular")
def report_circular(
    start: FromOpt,
    end: ToOpt,
    out: OutOpt,
    title: Annotated[
        str | None, typer.Option("--title", parser=params.line("--title"), help="通报标题，默认按窗口生成。")
    ] = None,
    doc_no: Annotated[
        str | None,
        typer.Option(
            "--doc-no",
            parser=params.line("--doc-no", 64),
            help="发文字号，如“甘政务公开办〔2026〕13号”；默认按 [report] doc_no 自动编号。",
        ),
    ] = None,
    deadline: DeadlineOpt = None,
    template: TemplateOpt = None,
    issuer: Annotated[
        str | None,
        typer.Option("--issuer", parser=params.line("--issuer"), help="发文机关（默认取 [report] issuer）。"),
    ] = None,
    addressees: Annotated[
        str | None,
        typer.Option(
            "--addressees",
            parser=params.line("--addressees", 500),
            help="主送机关（默认取 [report] addressees）。",
        ),
    ] = None,
    cc: Annotated[
        str | None,
        typer.Option(
            "--cc", parser=params.line("--cc", 500), help="抄送机关（默认取 [report] cc；为空则不印抄送行）。"
        ),
    ] = None,
    draft: Annotated[
        bool,
        typer.Option(
            "--draft", help="起草征求意见稿：不编发文字号、不列入整改台账；检查窗口尚未结束时也可生成。"
        ),
    ] = False,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="同时用 LibreOffice 转换为 PDF（需安装 libreoffice-writer-nogui）。")
    ] = False,
    fmt: ReportFmtOpt = ReportFormat.table,
) -> None:
    """生成检查窗口的季度通报（.docx、.html、.xlsx 附件和图表，可选 PDF），并把问题列入整改台账。"""
    from reports import service

    first, last, due = start, end, deadline
    settings, notes = _settings(issuer=issuer, addressees=addressees, cc=cc)
    with working("正在生成季度通报（统计、图表、Word、HTML、附件）……", fmt), session() as s:
        summary = service.circular(
            s,
            start=first,
            end=last,
            out=out,
            actor=actor(),
            settings=settings,
            title=title,
            doc_no=doc_no,
            deadline=due,
            template=template,
            draft=draft,
            pdf=pdf,
        )
    summary["warnings"] = [*notes, *summary["warnings"]]
    rate = summary["pass_rate_text"]
    what = "征求意见稿" if summary["draft"] else "通报"
    number = f"（{summary['doc_no']}）" if summary["doc_no"] else ""
    tail = (
        "；征求意见稿未编发文字号，未列入整改台账"
        if summary["draft"]
        else f"；新列入整改台账{summary['ledger_opened']}项"
    )
    _report(
        summary,
        fmt,
        f"已生成{what}「{summary['title']}」{number}：检查{summary['checked']}个账号，"
        f"不合格{summary['unqualified']}个，合格率{rate}，整改期限{summary['deadline']}{tail}",
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

    first, last, due = start, end, deadline
    settings, notes = _settings()
    with working("正在生成一对一反馈……", fmt), session() as s:
        summary = service.notices(
            s,
            start=first,
            end=last,
            out=out,
            actor=actor(),
            settings=settings,
            deadline=due,
            template=template,
        )
    summary["warnings"] = [*notes, *summary["warnings"]]
    _report(
        summary,
        fmt,
        f"已生成{summary['units']}个单位的反馈，{summary['notified']}项问题标记为已反馈，"
        f"整改期限{summary['deadline_text']}",
    )


@rectify_app.command("list")
def rectify_list(
    status: Annotated[
        str | None, typer.Option("--status", help="只列出该状态：" + LEDGER_STATUS.choices() + "。")
    ] = None,
    circular: Annotated[
        int | None,
        typer.Option(
            "--circular", parser=params.record_id("--circular"), help="只列出该期通报（通报ID）的事项。"
        ),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", parser=params.ref("--unit"), help="只列出该主办单位（名称或ID）的事项。"),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            parser=params.line("--region"),
            help="只列出该行政区划内的事项，如 620100（兰州市及其县区）。",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    out: Annotated[
        Path,
        typer.Option("--out", parser=params.out_file("--out"), help="--format xlsx 或 csv 时写入的文件。"),
    ] = Path("整改台账.xlsx"),
) -> None:
    """列出整改台账。"""
    from registry import validation
    from registry.filing.units import find_unit
    from registry.ledger import queries as ledger_queries

    prefix = validation.region_prefix(region) if region else None
    with session() as s:
        unit_id = find_unit(s, unit, "--unit").id if unit else None
        rows = ledger_queries.list_items(
            s, status=status, circular_id=circular, unit_id=unit_id, region=prefix
        )
    if fmt is Format.json:
        emit([{k: row[k] for k in ledger_queries.ITEM_KEYS} for row in rows], fmt)
        return
    target = out if fmt is Format.xlsx or out != Path("整改台账.xlsx") else None
    if fmt is Format.csv and target is not None and target.suffix.lower() != ".csv":
        target = target.with_suffix(".csv")
    emit(rows, fmt, columns=LEDGER_COLUMNS, title="整改台账", out=target)


@rectify_app.command("record")
def rectify_record(
    item: Annotated[
        int,
        typer.Argument(
            metavar="ITEM",
            parser=params.record_id("整改事项ID"),
            help="整改事项ID（见 rectify list 或反馈通知）。",
        ),
    ],
    note: NoteOpt,
    evidence: Annotated[
        str | None,
        typer.Option("--evidence", parser=params.url("--evidence"), help="佐证材料链接（http/https）。"),
    ] = None,
) -> None:
    """登记单位报送的整改情况，事项变为“已整改”，待后续检查复核。"""
    from registry.ledger import store as ledger

    with session() as s:
        row = ledger.record(s, item, note=note, evidence_url=evidence, actor=actor())
    say(f"整改事项 {row.id} 已登记整改，待后续检查复核")


@rectify_app.command("close")
def rectify_close(
    item: ItemArg,
    note: NoteOpt,
) -> None:
    """人工复核确认问题已消除，销号。"""
    from registry.ledger import store as ledger

    with session() as s:
        row = ledger.close(s, item, note=note, actor=actor())
    say(f"整改事项 {row.id} 已销号")


@rectify_app.command("reopen")
def rectify_reopen(
    item: ItemArg,
    note: NoteOpt,
) -> None:
    """人工复核发现问题仍存在，标记为“整改未通过”。"""
    from registry.ledger import store as ledger

    with session() as s:
        row = ledger.reopen(s, item, note=note, actor=actor())
    say(f"整改事项 {row.id} 标记为整改未通过")


@rectify_app.command("review")
def rectify_review(
    run_id: Annotated[
        int,
        typer.Argument(
            metavar="RUN_ID", parser=params.record_id("检查批次ID"), help="用于复核的检查批次ID。"
        ),
    ],
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
    item: ItemArg,
    fmt: FormatOpt = Format.table,
    out: FileOpt = None,
) -> None:
    """查看一个整改事项的全部记录。"""
    from registry.ledger import queries as ledger_queries

    with session() as s:
        rows = ledger_queries.history(s, item)
    emit(rows, fmt, columns=HISTORY_COLUMNS, title=f"整改事项{item}", out=out)
