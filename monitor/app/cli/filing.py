"""``govmedia db …``, ``govmedia unit …`` and ``govmedia account …``: thin commands over
the registry library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from monitor.app.cli.output import STATE, Format, actor, emit, emit_object, say, session
from registry import db as dbmod
from registry.errors import InvalidValue
from registry.filing import accounts as filing
from registry.filing import queries as listing
from registry.filing import sheet as spreadsheet
from registry.filing import units
from registry.vocab import ACCOUNT_STATUS, FILING_FIELD

db_app = typer.Typer(help="数据库：初始化与升级。", no_args_is_help=True)
unit_app = typer.Typer(help="主办单位：新增、列表。", no_args_is_help=True)
account_app = typer.Typer(
    help="账号备案：报备、审核、变更、关停、注销、查询、表格导入导出。", no_args_is_help=True
)

FormatOpt = Annotated[Format, typer.Option("--format", help="输出格式：table、json 或 csv。")]
ReasonOpt = Annotated[str | None, typer.Option("--reason", help="原因（变更、关停、注销必填）。")]

ACCOUNT_COLUMNS = [
    ("id", "ID"),
    ("filing_no", "备案编号"),
    ("unit", "主办单位"),
    ("platform", "平台"),
    ("name", "账号名称"),
    ("platform_id", "平台账号ID"),
    ("status", "状态"),
    ("level", "级别"),
    ("region", "行政区划"),
]
UNIT_COLUMNS = [
    ("id", "ID"),
    ("name", "单位名称"),
    ("level", "级别"),
    ("kind", "类型"),
    ("region", "行政区划代码"),
    ("parent", "上级单位"),
    ("credit_code", "统一社会信用代码"),
]
HISTORY_COLUMNS = [
    ("at", "时间"),
    ("action", "操作"),
    ("actor", "操作人"),
    ("reason", "原因"),
    ("changes", "变更内容"),
]
DETAIL_LABELS = {
    "id": "ID",
    **FILING_FIELD.labels,
    "filed_at": "报备时间",
    "approved_at": "备案通过时间",
    "status_at": "状态变更时间",
    "former_names": "曾用名",
}


@db_app.command("upgrade")
def db_upgrade() -> None:
    """创建或升级数据库结构到最新版本（可重复运行）。"""
    heads = dbmod.upgrade(STATE.db)
    say(f"数据库已是最新版本：{', '.join(heads)}（{dbmod.resolve_url(STATE.db)}）")


@unit_app.command("add")
def unit_add(
    name: Annotated[str, typer.Option("--name", help="单位全称，如“甘肃省人民政府办公厅”。")],
    level: Annotated[str, typer.Option("--level", help="级别：province/city/county/township。")],
    region: Annotated[str, typer.Option("--region", help="6 位行政区划代码，如 620000。")],
    kind: Annotated[str, typer.Option("--kind", help="类型：government/department/other。")] = "government",
    parent: Annotated[str | None, typer.Option("--parent", help="上级单位（名称或ID），向其备案。")] = None,
    credit_code: Annotated[str | None, typer.Option("--credit-code", help="18 位统一社会信用代码。")] = None,
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
        row = next(r for r in units.list_units(s) if r["id"] == unit.id)
    _done(f"已新增单位「{unit.name}」，ID {unit.id}", row, fmt)


@unit_app.command("list")
def unit_list(
    level: Annotated[str | None, typer.Option("--level", help="只列出该级别。")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """列出主办单位。"""
    with session() as s:
        rows = units.list_units(s, level=level)
    emit(rows, fmt, columns=UNIT_COLUMNS, title="主办单位")


def _optional(**kwargs: Any) -> dict[str, Any]:
    return {k: val for k, val in kwargs.items() if val is not None}


def _selectors(value: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        raise InvalidValue("列表页选择器", value, f"不是合法的 JSON（{exc.msg}）") from None
    if not isinstance(parsed, dict):
        raise InvalidValue("列表页选择器", value, '应为 JSON 对象，如 {"item": "ul.list li"}')
    return parsed


@account_app.command("file")
def account_file(
    unit: Annotated[str, typer.Option("--unit", help="主办单位（名称或ID）。")],
    platform: Annotated[str, typer.Option("--platform", help="平台代码或中文名，如 weibo、微信公众号。")],
    name: Annotated[str, typer.Option("--name", help="账号名称。")],
    platform_id: Annotated[
        str, typer.Option("--platform-id", help="平台稳定ID：gh_…/__biz、微博 uid、抖音 sec_uid…")
    ],
    url: Annotated[str | None, typer.Option("--url", help="账号链接。")] = None,
    feed_url: Annotated[
        str | None, typer.Option("--feed-url", help="采集地址（RSS/Atom/JSON Feed 或列表页）。")
    ] = None,
    operator: Annotated[str | None, typer.Option("--operator", help="运维单位。")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="负责人。")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="负责人手机号码。")] = None,
    email: Annotated[str | None, typer.Option("--email", help="负责人邮箱（预警通知）。")] = None,
    leader: Annotated[str | None, typer.Option("--leader", help="分管领导。")] = None,
    leader_phone: Annotated[str | None, typer.Option("--leader-phone", help="分管领导电话。")] = None,
    leader_email: Annotated[str | None, typer.Option("--leader-email", help="分管领导邮箱。")] = None,
    opened_on: Annotated[str | None, typer.Option("--opened-on", help="开设日期 YYYY-MM-DD。")] = None,
    verified: Annotated[
        bool | None, typer.Option("--verified/--unverified", help="是否经平台官方认证。")
    ] = None,
    selectors: Annotated[
        str | None, typer.Option("--selectors", help="网站/客户端列表页选择器（JSON）。")
    ] = None,
    reason: ReasonOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """报备一个账号（状态为待审核）。同一单位在同一平台的第二个账号须用 --reason 说明理由。"""
    with session() as s:
        account = filing.file_account(
            s,
            unit=unit,
            platform=platform,
            name=name,
            platform_id=platform_id,
            reason=reason,
            actor=actor(),
            selectors=_selectors(selectors),
            **_optional(
                url=url,
                feed_url=feed_url,
                operator=operator,
                owner=owner,
                phone=phone,
                email=email,
                leader=leader,
                leader_phone=leader_phone,
                leader_email=leader_email,
                opened_on=opened_on,
                verified=verified,
            ),
        )
        row = listing.account_row(account, account.unit)
    _done(f"已报备账号「{row['name']}」，ID {row['id']}，状态：待审核", row, fmt)


@account_app.command("approve")
def account_approve(
    account_id: Annotated[int, typer.Argument(metavar="ID", help="账号ID。")],
    reason: ReasonOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """审核通过：待审核 → 已备案，并分配备案编号。"""
    with session() as s:
        account = filing.approve(s, account_id, actor=actor(), reason=reason)
        row = listing.account_row(account, account.unit)
    _done(f"账号 {row['id']} 已备案，备案编号 {row['filing_no']}", row, fmt)


@account_app.command("change")
def account_change(
    account_id: Annotated[int, typer.Argument(metavar="ID", help="账号ID。")],
    reason: ReasonOpt = None,
    name: Annotated[str | None, typer.Option("--name", help="新账号名称（改名，旧名仍可检索）。")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="新主办单位（机构调整时）。")] = None,
    url: Annotated[str | None, typer.Option("--url", help="新链接。")] = None,
    feed_url: Annotated[str | None, typer.Option("--feed-url", help="新采集地址。")] = None,
    operator: Annotated[str | None, typer.Option("--operator", help="新运维单位。")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="新负责人。")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="新联系电话。")] = None,
    email: Annotated[str | None, typer.Option("--email", help="新负责人邮箱。")] = None,
    leader: Annotated[str | None, typer.Option("--leader", help="新分管领导。")] = None,
    leader_phone: Annotated[str | None, typer.Option("--leader-phone", help="新分管领导电话。")] = None,
    leader_email: Annotated[str | None, typer.Option("--leader-email", help="新分管领导邮箱。")] = None,
    verified: Annotated[bool | None, typer.Option("--verified/--unverified", help="平台认证情况。")] = None,
    selectors: Annotated[str | None, typer.Option("--selectors", help="列表页选择器（JSON）。")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """变更备案信息（必须 --reason）。"""
    with session() as s:
        account = filing.change(
            s,
            account_id,
            reason=reason or "",
            actor=actor(),
            name=name,
            unit=unit,
            **_optional(
                url=url,
                feed_url=feed_url,
                operator=operator,
                owner=owner,
                phone=phone,
                email=email,
                leader=leader,
                leader_phone=leader_phone,
                leader_email=leader_email,
                verified=verified,
                selectors=_selectors(selectors),
            ),
        )
        row = listing.account_row(account, account.unit)
    _done(f"账号 {row['id']} 的备案信息已变更", row, fmt)


@account_app.command("close")
def account_close(
    account_id: Annotated[int, typer.Argument(metavar="ID", help="账号ID。")],
    reason: ReasonOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """关停账号（必须 --reason），如整合关停、停更。"""
    with session() as s:
        account = filing.close(s, account_id, reason=reason or "", actor=actor())
        row = listing.account_row(account, account.unit)
    _done(f"账号 {row['id']} 已关停", row, fmt)


@account_app.command("cancel")
def account_cancel(
    account_id: Annotated[int, typer.Argument(metavar="ID", help="账号ID。")],
    reason: ReasonOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """注销账号（必须 --reason）；待审核的报备也可撤销。"""
    with session() as s:
        account = filing.cancel(s, account_id, reason=reason or "", actor=actor())
        row = listing.account_row(account, account.unit)
    _done(f"账号 {row['id']} 已注销", row, fmt)


@account_app.command("list")
def account_list(
    unit: Annotated[str | None, typer.Option("--unit", help="主办单位（名称或ID）。")] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="平台代码或中文名。")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="状态：" + "/".join(ACCOUNT_STATUS.codes) + "。")
    ] = None,
    level: Annotated[str | None, typer.Option("--level", help="主办单位级别。")] = None,
    search: Annotated[str | None, typer.Option("--search", help="按现用名或曾用名检索。")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """列出备案账号。"""
    with session() as s:
        rows = listing.list_accounts(
            s, unit=unit, platform=platform, status=status, level=level, search=search
        )
    emit(rows, fmt, columns=ACCOUNT_COLUMNS, title="备案账号")


@account_app.command("show")
def account_show(
    account_id: Annotated[int, typer.Argument(metavar="ID", help="账号ID。")],
    fmt: FormatOpt = Format.table,
) -> None:
    """显示一个账号的全部备案信息。"""
    with session() as s:
        detail = listing.account_detail(s, account_id)
    emit_object(detail, fmt, DETAIL_LABELS)


@account_app.command("history")
def account_history(
    account_id: Annotated[int, typer.Argument(metavar="ID", help="账号ID。")],
    fmt: FormatOpt = Format.table,
) -> None:
    """显示账号的备案记录（审计留痕，只增不改）。"""
    with session() as s:
        rows = listing.history(s, account_id)
    emit(rows, fmt, columns=HISTORY_COLUMNS, title=f"账号 {account_id} 的备案记录")


@account_app.command("template")
def account_template(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="输出文件（.xlsx 或 .csv）。")],
) -> None:
    """生成空白《政务新媒体备案登记表》（.xlsx 或 .csv）。"""
    spreadsheet.write_template(file)
    say(f"已生成备案登记表模板：{file}")


@account_app.command("import")
def account_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="备案登记表（.xlsx 或 .csv）。")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只校验，不写入。")] = False,
) -> None:
    """批量导入备案登记表：全部行校验通过才写入，有任何错误行则一行也不写。"""
    with session() as s:
        result = spreadsheet.import_filings(s, file, actor=actor(), dry_run=dry_run)
    verb = "校验通过（未写入，--dry-run）" if dry_run else "已导入"
    say(f"{verb}：{result.rows} 行，{file}")


@account_app.command("export")
def account_export(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="输出文件（.xlsx 或 .csv）。")],
    unit: Annotated[str | None, typer.Option("--unit", help="只导出该单位。")] = None,
    status: Annotated[str | None, typer.Option("--status", help="只导出该状态。")] = None,
) -> None:
    """导出备案账号为登记表（可再导入）。"""
    with session() as s:
        count = spreadsheet.export_filings(s, file, unit=unit, status=status)
    say(f"已导出 {count} 个账号：{file}")


def _done(message: str, row: dict[str, Any], fmt: Format) -> None:
    if fmt is Format.table:
        say(message)
    else:
        emit([row], fmt) if fmt is Format.csv else emit_object(row, fmt, DETAIL_LABELS)
