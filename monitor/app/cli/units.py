"""``govmedia unit …``: 主办单位 — add, list, change (renames), merge (机构改革), history, and
the 主办单位登记表 (template, import, export). Thin commands over ``registry.filing``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from monitor.app.cli import params
from monitor.app.cli.output import (
    Col,
    Format,
    FormatOpt,
    OutOpt,
    actor,
    emit,
    emit_object,
    note,
    registered_units,
    say,
    session,
)
from registry.filing import queries as listing
from registry.filing import units
from registry.vocab import FILING_ACTION, UNIT_KIND, UNIT_LEVEL

unit_app = typer.Typer(
    help="主办单位：新增、列表、变更（更名）、合并（机构改革）、表格导入导出。", no_args_is_help=True
)

UNIT_COLUMNS = [
    Col("id", "ID"),
    Col("name", "单位名称"),
    Col("level", "级别", UNIT_LEVEL),
    Col("kind", "类型", UNIT_KIND),
    Col("region", "行政区划代码"),
    Col("parent", "上级单位"),
    Col("credit_code", "统一社会信用代码"),
    Col("merged_into", "已并入"),
]
UNIT_LABELS = {c.key: c.header for c in UNIT_COLUMNS}
HISTORY_COLUMNS = [
    Col("at", "时间"),
    Col("action", "操作", FILING_ACTION),
    Col("actor", "操作人"),
    Col("reason", "原因"),
    Col("text", "内容", width=60),
]
LevelOpt = Annotated[str | None, typer.Option("--level", help="级别：" + UNIT_LEVEL.choices() + "。")]
KindOpt = Annotated[str | None, typer.Option("--kind", help="类型：" + UNIT_KIND.choices() + "。")]
ReasonOpt = Annotated[
    str | None,
    typer.Option(
        "--reason",
        parser=params.blank_ok(params.line("原因", 500)),
        help="原因（必填），记入单位的登记记录。",
    ),
]
UnitArg = Annotated[str, typer.Argument(metavar="UNIT", parser=params.ref("单位"), help="单位名称或ID。")]


@unit_app.command("add")
def unit_add(
    name: Annotated[
        str,
        typer.Option("--name", parser=params.line("单位名称"), help="单位全称，如“甘肃省人民政府办公厅”。"),
    ],
    level: Annotated[str, typer.Option("--level", help="级别：" + UNIT_LEVEL.choices() + "。")],
    region: Annotated[
        str,
        typer.Option("--region", parser=params.line("行政区划代码"), help="6 位行政区划代码，如 620000。"),
    ],
    kind: Annotated[str, typer.Option("--kind", help="类型：" + UNIT_KIND.choices() + "。")] = "government",
    parent: Annotated[
        str | None,
        typer.Option("--parent", parser=params.ref("--parent"), help="上级单位（名称或ID），向其备案。"),
    ] = None,
    credit_code: Annotated[
        str | None,
        typer.Option("--credit-code", parser=params.line("统一社会信用代码"), help="18 位统一社会信用代码。"),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """新增主办单位。"""
    with session() as s:
        unit = units.add_unit(
            s,
            name=name,
            level=level,
            region=region,
            kind=kind,
            parent=parent,
            credit_code=credit_code,
            actor=actor(),
        )
        row = _row(s, unit.id)
    _done(f"已新增单位「{unit.name}」，ID {unit.id}", row, fmt)


def _row(s: Any, unit_id: int) -> dict[str, Any]:
    return next(r for r in units.list_units(s) if r["id"] == unit_id)


def _done(message: str, row: dict[str, Any], fmt: Format) -> None:
    if fmt is Format.table:
        say(message)
    elif fmt is Format.json:
        emit_object(row, fmt, UNIT_LABELS)
    else:
        emit([row], fmt, columns=UNIT_COLUMNS, title="主办单位")


@unit_app.command("list")
def unit_list(
    level: LevelOpt = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            parser=params.line("--search"),
            help="检索：单位名称中的文字、行政区划代码开头（如 6201）或统一社会信用代码。",
        ),
    ] = None,
    current: Annotated[bool, typer.Option("--current", help="不列出已并入其他单位的单位。")] = False,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """列出主办单位。"""
    with session() as s:
        rows = units.list_units(s, level=level, search=search, merged=not current)
    emit(rows, fmt, columns=UNIT_COLUMNS, title="主办单位", out=out)


@unit_app.command("change")
def unit_change(
    unit: UnitArg,
    reason: ReasonOpt = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name", parser=params.line("单位名称"), help="新名称（更名；账号的备案记录保留原名称）。"
        ),
    ] = None,
    level: LevelOpt = None,
    region: Annotated[
        str | None, typer.Option("--region", parser=params.line("行政区划代码"), help="新的行政区划代码。")
    ] = None,
    kind: KindOpt = None,
    parent: Annotated[
        str | None,
        typer.Option(
            "--parent",
            parser=params.blank_ok(params.ref("--parent")),
            help="新的上级单位（名称或ID；空字符串表示没有上级）。",
        ),
    ] = None,
    credit_code: Annotated[
        str | None,
        typer.Option(
            "--credit-code",
            parser=params.blank_ok(params.line("统一社会信用代码")),
            help="统一社会信用代码。",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """变更单位登记（更名、调整级别或上级单位等，必须 --reason）。"""
    with session() as s:
        changed = units.change_unit(
            s,
            unit,
            reason=reason or "",
            actor=actor(),
            name=name,
            level=level,
            region=region,
            kind=kind,
            parent=parent,
            credit_code=credit_code,
        )
        row = _row(s, changed.id)
    _done(f"单位 {changed.id}「{changed.name}」的登记已变更", row, fmt)


@unit_app.command("merge")
def unit_merge(
    merged: Annotated[
        list[str],
        typer.Argument(
            metavar="UNIT", parser=params.ref("单位"), help="并入的单位（名称或ID），可给出多个。"
        ),
    ],
    into: Annotated[
        str, typer.Option("--into", parser=params.ref("--into"), help="并入到的单位（名称或ID）。")
    ],
    reason: ReasonOpt = None,
) -> None:
    """机构改革：把单位并入另一单位，其账号和下级单位转入该单位，原单位及全部记录保留。"""
    with session() as s:
        done = units.merge_units(s, merged, into=into, reason=reason or "", actor=actor())
        names = "、".join(f"「{u.name}」" for u in done.merged)
        target = done.into.name
    say(f"已将{names}并入「{target}」：转入账号 {done.accounts} 个，下级单位 {done.children} 个")
    for platform, count in done.duplicates.items():
        note(
            f"「{target}」现在在{platform}有 {count} 个在用账号，一个单位原则上在同一平台只开设一个账号，请整合"
        )


@unit_app.command("history")
def unit_history(unit: UnitArg, fmt: FormatOpt = Format.table, out: OutOpt = None) -> None:
    """显示单位的登记记录：新增、变更、合并。"""
    with session() as s:
        rows = listing.unit_history(s, unit)
    shown = [{**r, "text": listing.describe_changes(r["action"], r["changes"])} for r in rows]
    emit(
        shown if fmt is not Format.json else rows, fmt, columns=HISTORY_COLUMNS, title="单位登记记录", out=out
    )


@unit_app.command("template")
def unit_template(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            parser=params.out_file("FILE", ".xlsx", ".csv"),
            help="输出文件（.xlsx 或 .csv）。",
        ),
    ],
) -> None:
    """生成空白《主办单位登记表》：含填表说明、必填标注、下拉列表（级别、类型、上级单位）和示例行。"""
    from registry.filing import forms

    forms.unit_template(file, registered_units())
    say(f"已生成主办单位登记表模板：{file}")


@unit_app.command("import")
def unit_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="主办单位登记表（.xlsx 或 .csv）。")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只校验并逐行列出将新增、变更的内容，不写入。")
    ] = False,
) -> None:
    """导入主办单位登记表：无单位ID的行为新单位，有单位ID的行为对该单位的变更（须填变更原因）；有错误则一行也不写。"""
    from registry.filing import unit_sheet

    with session() as s:
        result = unit_sheet.import_units(s, file, actor=actor(), dry_run=dry_run)
    if result.unknown:
        note("未识别的列已忽略：" + "、".join(f"「{name}」" for name in result.unknown))
    if dry_run:
        for plan in result.plan:
            if plan.action == "new":
                say(f"第{plan.row}行 新增：{plan.name}")
            elif plan.action == "change":
                text = listing.describe_changes("unit_change", plan.changes)  # the unit's fields
                say(f"第{plan.row}行 变更 单位 {plan.unit_id}「{plan.name}」：{text}（原因：{plan.reason}）")
    verb = "校验通过（--dry-run，未写入）：将" if dry_run else "已导入："
    say(
        f"{verb}新增 {result.count('new')} 个单位，变更 {result.count('change')} 个，"
        f"未改动 {result.count('same')} 个（共 {result.rows} 行，{file}）"
    )


@unit_app.command("export")
def unit_export(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            parser=params.out_file("FILE", ".xlsx", ".csv"),
            help="输出文件（.xlsx 或 .csv）。",
        ),
    ],
    level: LevelOpt = None,
) -> None:
    """导出主办单位登记表（含单位ID）：修改后用 unit import 导入即为变更。"""
    from registry.filing import forms

    with session() as s:
        count = forms.export_units(s, file, level=level)
    say(f"已导出 {count} 个单位：{file}")
