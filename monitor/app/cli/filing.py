"""``govmedia db …`` and ``govmedia account …``: thin commands over the registry library."""

from __future__ import annotations

import json
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
    emit_object,
    note,
    progress,
    registered_units,
    say,
    session,
)
from registry import db as dbmod
from registry.errors import InvalidValue
from registry.filing import accounts as filing
from registry.filing import queries as listing
from registry.vocab import ACCOUNT_STATUS, FILING_ACTION, FILING_FIELD, PLATFORM, UNIT_KIND, UNIT_LEVEL

db_app = typer.Typer(help="数据库：初始化与升级。", no_args_is_help=True)
account_app = typer.Typer(
    help="账号备案：报备、审核、驳回、变更、关停、注销、查询、表格导入导出（可批量）。", no_args_is_help=True
)

ReasonOpt = Annotated[
    str | None,
    typer.Option(
        "--reason",
        parser=params.blank_ok(params.line("原因", max_len=500)),
        help="原因（驳回、变更、关停、注销必填）。",
    ),
]
IdsArg = Annotated[
    list[int] | None,
    typer.Argument(
        metavar="ID", parser=params.record_id("账号ID"), help="账号ID，可给出多个（全部成功或全部不做）。"
    ),
]

ACCOUNT_COLUMNS = [
    Col("id", "ID"),
    Col("filing_no", "备案编号"),
    Col("unit", "主办单位"),
    Col("platform", "平台", PLATFORM),
    Col("name", "账号名称"),
    Col("platform_id", "平台账号ID"),
    Col("status", "状态", ACCOUNT_STATUS),
    Col("level", "级别", UNIT_LEVEL),
    Col("region", "行政区划"),
]
HISTORY_COLUMNS = [
    Col("at", "时间"),
    Col("action", "操作", FILING_ACTION),
    Col("actor", "操作人"),
    Col("reason", "原因"),
    Col("text", "变更内容", width=60),
]
DETAIL_LABELS = {
    "id": "ID",
    **FILING_FIELD.labels,
    "filed_at": "报备时间",
    "approved_at": "备案通过时间",
    "status_at": "状态变更时间",
    "former_names": "曾用名",
}
DETAIL_VOCAB = {"platform": PLATFORM, "status": ACCOUNT_STATUS, "level": UNIT_LEVEL, "kind": UNIT_KIND}


@db_app.command("upgrade")
def db_upgrade() -> None:
    """创建数据库，或把已有数据库的结构升级到最新版本（可重复运行）。"""
    done = dbmod.migrate(STATE.db)
    head = "、".join(done.after)
    if done.created:
        say(f"已创建数据库：{done.url}（结构版本 {head}）")
    elif done.changed:
        say(f"已升级数据库结构：{'、'.join(done.before)} → {head}（{done.url}）")
    else:
        say(f"数据库结构已是最新版本 {head}，无需升级（{done.url}）")


def _optional(**kwargs: Any) -> dict[str, Any]:
    return {k: val for k, val in kwargs.items() if val is not None}


def _selectors(value: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        raise InvalidValue("列表页选择器", value, "不是合法的 JSON") from None
    if not isinstance(parsed, dict):
        raise InvalidValue("列表页选择器", value, '应为 JSON 对象，如 {"item": "ul.list li"}')
    return parsed


@account_app.command("file")
def account_file(
    unit: Annotated[str, typer.Option("--unit", parser=params.ref("--unit"), help="主办单位（名称或ID）。")],
    platform: Annotated[
        str,
        typer.Option(
            "--platform",
            parser=params.line("平台"),
            help="平台：中文名、代码或简称，如 新浪微博、微博、weibo。",
        ),
    ],
    name: Annotated[str, typer.Option("--name", parser=params.line("账号名称"), help="账号名称。")],
    platform_id: Annotated[
        str,
        typer.Option(
            "--platform-id",
            parser=params.line("平台账号ID"),
            help="平台稳定ID：gh_…/__biz、微博 uid、抖音 sec_uid…",
        ),
    ],
    url: Annotated[
        str | None, typer.Option("--url", parser=params.blank_ok(params.url("链接")), help="账号链接。")
    ] = None,
    feed_url: Annotated[
        str | None,
        typer.Option(
            "--feed-url",
            parser=params.blank_ok(params.url("采集地址")),
            help="采集地址（RSS/Atom/JSON Feed 或列表页）。",
        ),
    ] = None,
    operator: Annotated[
        str | None,
        typer.Option("--operator", parser=params.blank_ok(params.line("运维单位")), help="运维单位。"),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option("--owner", parser=params.blank_ok(params.line("负责人", 64)), help="负责人。"),
    ] = None,
    phone: Annotated[
        str | None,
        typer.Option("--phone", parser=params.blank_ok(params.line("联系电话")), help="负责人手机号码。"),
    ] = None,
    email: Annotated[
        str | None,
        typer.Option(
            "--email", parser=params.blank_ok(params.line("负责人邮箱")), help="负责人邮箱（预警通知）。"
        ),
    ] = None,
    leader: Annotated[
        str | None,
        typer.Option("--leader", parser=params.blank_ok(params.line("分管领导", 64)), help="分管领导。"),
    ] = None,
    leader_phone: Annotated[
        str | None,
        typer.Option(
            "--leader-phone", parser=params.blank_ok(params.line("分管领导电话")), help="分管领导电话。"
        ),
    ] = None,
    leader_email: Annotated[
        str | None,
        typer.Option(
            "--leader-email", parser=params.blank_ok(params.line("分管领导邮箱")), help="分管领导邮箱。"
        ),
    ] = None,
    opened_on: Annotated[
        str | None,
        typer.Option(
            "--opened-on",
            parser=params.blank_ok(params.line("开设日期")),
            help="开设日期，如 2019-06-01、2019/6/1 或 2019年6月1日。",
        ),
    ] = None,
    verified: Annotated[
        bool | None, typer.Option("--verified/--unverified", help="是否经平台官方认证。")
    ] = None,
    selectors: Annotated[
        str | None,
        typer.Option(
            "--selectors",
            parser=params.blank_ok(params.line("列表页选择器", 2000)),
            help="网站/客户端列表页选择器（JSON）。",
        ),
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
    _done(f"已报备账号「{row['name']}」，ID {row['id']}，状态：待审核", [row], fmt)


@account_app.command("approve")
def account_approve(
    account_ids: IdsArg = None,
    all_pending: Annotated[
        bool, typer.Option("--all-pending", help="审核通过全部待审核的报备（可与 --unit 同用）。")
    ] = False,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", parser=params.ref("--unit"), help="与 --all-pending 同用：只审核该单位的报备。"
        ),
    ] = None,
    reason: ReasonOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """审核通过：待审核 → 已备案，并分配备案编号。可给出多个ID，或用 --all-pending。"""
    if bool(account_ids) == all_pending:
        raise InvalidValue(
            "账号ID", " ".join(map(str, account_ids or [])), "请给出账号ID，或使用 --all-pending（二者选一）"
        )
    if unit and not all_pending:
        raise InvalidValue("--unit", unit, "只能与 --all-pending 同用")
    with session() as s:
        if all_pending:
            done = filing.approve_pending(s, actor=actor(), unit=unit, reason=reason)
        else:
            done = filing.transition(s, "approve", account_ids or [], actor=actor(), reason=reason)
        rows = listing.account_rows(s, done.ids)
    if done.count == 1:
        message = f"账号 {rows[0]['id']} 已备案，备案编号 {rows[0]['filing_no']}"
    else:
        first, last = rows[0]["filing_no"], rows[-1]["filing_no"]
        message = f"已审核通过 {done.count} 个账号，状态：已备案，备案编号 {first} 至 {last}"
    _done(message, rows, fmt, single=not all_pending and done.count == 1)


def _bulk(
    action: str, account_ids: list[int] | None, reason: str | None, fmt: Format, one: str, many: str
) -> None:
    """A step over one or many accounts; ``one`` / ``many`` are the summary line's wording."""
    with session() as s:
        done = filing.transition(s, action, account_ids or [], actor=actor(), reason=reason)
        rows = listing.account_rows(s, done.ids)
    message = one.format(id=rows[0]["id"]) if done.count == 1 else many.format(n=done.count)
    _done(message, rows, fmt, single=done.count == 1)


@account_app.command("reject")
def account_reject(
    account_ids: IdsArg = None, reason: ReasonOpt = None, fmt: FormatOpt = Format.table
) -> None:
    """驳回报备：待审核 → 已驳回（必须 --reason），退回报备单位修改后用 refile 重新报备。"""
    hint = "（修改后可用 account refile 重新报备）"
    _bulk(
        "reject", account_ids, reason, fmt, "账号 {id} 的报备已驳回" + hint, "已驳回 {n} 个账号的报备" + hint
    )


@account_app.command("refile")
def account_refile(
    account_ids: IdsArg = None, reason: ReasonOpt = None, fmt: FormatOpt = Format.table
) -> None:
    """重新报备被驳回的账号：已驳回 → 待审核（通常先用 account change 修改）。"""
    _bulk(
        "refile",
        account_ids,
        reason,
        fmt,
        "账号 {id} 已重新报备，状态：待审核",
        "已重新报备 {n} 个账号，状态：待审核",
    )


@account_app.command("change")
def account_change(
    account_id: Annotated[
        int, typer.Argument(metavar="ID", parser=params.record_id("账号ID"), help="账号ID。")
    ],
    reason: ReasonOpt = None,
    name: Annotated[
        str | None,
        typer.Option("--name", parser=params.line("账号名称"), help="新账号名称（改名，旧名仍可检索）。"),
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", parser=params.ref("--unit"), help="新主办单位（机构调整时）。")
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", parser=params.blank_ok(params.url("链接")), help="新链接。")
    ] = None,
    feed_url: Annotated[
        str | None,
        typer.Option("--feed-url", parser=params.blank_ok(params.url("采集地址")), help="新采集地址。"),
    ] = None,
    operator: Annotated[
        str | None,
        typer.Option("--operator", parser=params.blank_ok(params.line("运维单位")), help="新运维单位。"),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option("--owner", parser=params.blank_ok(params.line("负责人", 64)), help="新负责人。"),
    ] = None,
    phone: Annotated[
        str | None,
        typer.Option("--phone", parser=params.blank_ok(params.line("联系电话")), help="新联系电话。"),
    ] = None,
    email: Annotated[
        str | None,
        typer.Option("--email", parser=params.blank_ok(params.line("负责人邮箱")), help="新负责人邮箱。"),
    ] = None,
    leader: Annotated[
        str | None,
        typer.Option("--leader", parser=params.blank_ok(params.line("分管领导", 64)), help="新分管领导。"),
    ] = None,
    leader_phone: Annotated[
        str | None,
        typer.Option(
            "--leader-phone", parser=params.blank_ok(params.line("分管领导电话")), help="新分管领导电话。"
        ),
    ] = None,
    leader_email: Annotated[
        str | None,
        typer.Option(
            "--leader-email", parser=params.blank_ok(params.line("分管领导邮箱")), help="新分管领导邮箱。"
        ),
    ] = None,
    verified: Annotated[bool | None, typer.Option("--verified/--unverified", help="平台认证情况。")] = None,
    selectors: Annotated[
        str | None,
        typer.Option(
            "--selectors",
            parser=params.blank_ok(params.line("列表页选择器", 2000)),
            help="列表页选择器（JSON）。",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """变更备案信息（必须 --reason）；待审核、已驳回和已备案的账号可以变更。"""
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
    _done(f"账号 {row['id']} 的备案信息已变更", [row], fmt)


@account_app.command("close")
def account_close(
    account_ids: IdsArg = None, reason: ReasonOpt = None, fmt: FormatOpt = Format.table
) -> None:
    """关停账号（必须 --reason），如整合关停、停更；可给出多个ID。"""
    _bulk("close", account_ids, reason, fmt, "账号 {id} 已关停", "已关停 {n} 个账号")


@account_app.command("cancel")
def account_cancel(
    account_ids: IdsArg = None, reason: ReasonOpt = None, fmt: FormatOpt = Format.table
) -> None:
    """注销账号（必须 --reason）；待审核或已驳回的报备也可撤销；可给出多个ID。"""
    _bulk("cancel", account_ids, reason, fmt, "账号 {id} 已注销", "已注销 {n} 个账号")


@account_app.command("list")
def account_list(
    unit: Annotated[
        str | None, typer.Option("--unit", parser=params.ref("--unit"), help="主办单位（名称或ID）。")
    ] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="平台：中文名、代码或简称。")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="状态：" + ACCOUNT_STATUS.choices() + "。")
    ] = None,
    level: Annotated[
        str | None, typer.Option("--level", help="主办单位级别：" + UNIT_LEVEL.choices() + "。")
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            parser=params.line("--search"),
            help="检索：账号名称或曾用名、平台账号ID、主办单位名称中的文字，或备案编号。",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """列出备案账号。"""
    with session() as s:
        rows = listing.list_accounts(
            s, unit=unit, platform=platform, status=status, level=level, search=search
        )
    emit(rows, fmt, columns=ACCOUNT_COLUMNS, title="备案账号", out=out)


@account_app.command("show")
def account_show(
    account_id: Annotated[
        int, typer.Argument(metavar="ID", parser=params.record_id("账号ID"), help="账号ID。")
    ],
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """显示一个账号的全部备案信息。"""
    with session() as s:
        detail = listing.account_detail(s, account_id)
    emit_object(detail, fmt, DETAIL_LABELS, DETAIL_VOCAB, out=out, title=f"账号{account_id}")


@account_app.command("history")
def account_history(
    account_id: Annotated[
        int, typer.Argument(metavar="ID", parser=params.record_id("账号ID"), help="账号ID。")
    ],
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """显示账号的备案记录（审计留痕，只增不改）。"""
    with session() as s:
        rows = listing.history(s, account_id)
    shown = [{**r, "text": listing.describe_changes(r["action"], r["changes"])} for r in rows]
    emit(
        shown if fmt is not Format.json else rows,
        fmt,
        columns=HISTORY_COLUMNS,
        title=f"账号{account_id}的备案记录",
        out=out,
    )


@account_app.command("template")
def account_template(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            parser=params.out_file("FILE", ".xlsx", ".csv"),
            help="输出文件（.xlsx 或 .csv）。",
        ),
    ],
) -> None:
    """生成空白《政务新媒体备案登记表》：含填表说明、必填标注、下拉列表（平台、级别、官方认证、已登记单位）和示例行。"""
    from registry.filing import forms

    forms.account_template(file, registered_units())
    say(f"已生成备案登记表模板：{file}")


@account_app.command("import")
def account_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="备案登记表（.xlsx 或 .csv）。")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只校验并逐行列出将新增、变更的内容，不写入。")
    ] = False,
) -> None:
    """导入备案登记表：无备案编号的行为新报备，有备案编号的行为对该账号的变更（须填变更原因），未改动的行跳过；
    有任何错误行则一行也不写。"""
    from registry.filing import sheet as spreadsheet

    with progress("校验中", None) as update, session() as s:
        result = spreadsheet.import_filings(
            s,
            file,
            actor=actor(),
            dry_run=dry_run,
            on_progress=lambda n, total: update(completed=n, total=total),
        )
    _warn_import(result.unknown, result.examples)
    if dry_run:
        for plan in result.plan:
            line = _plan_line(plan)
            if line:
                say(line)
    new, changed, same = result.count("new"), result.count("change"), result.count("same")
    verb = "校验通过（--dry-run，未写入）：将" if dry_run else "已导入："
    say(f"{verb}新增 {new} 个账号，变更 {changed} 个，未改动 {same} 个（共 {result.rows} 行，{file}）")


def _plan_line(plan: Any) -> str | None:
    who = f"{plan.name}（{PLATFORM.label(plan.platform)}，{plan.unit}）"
    if plan.action == "new":
        return f"第{plan.row}行 新增：{who}"
    if plan.action == "change":
        number = plan.filing_no or f"账号ID {plan.account_id}"
        text = listing.describe_changes("change", plan.changes)
        return f"第{plan.row}行 变更 {number} {who}：{text}（原因：{plan.reason}）"
    return None


def _warn_import(unknown: list[str], examples: int) -> None:
    if unknown:
        note("未识别的列已忽略：" + "、".join(f"「{name}」" for name in unknown))
    if examples:
        note(f"已跳过模板中的示例行 {examples} 行")


@account_app.command("export")
def account_export(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            parser=params.out_file("FILE", ".xlsx", ".csv"),
            help="输出文件（.xlsx 或 .csv）。",
        ),
    ],
    unit: Annotated[
        str | None, typer.Option("--unit", parser=params.ref("--unit"), help="只导出该单位。")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="只导出该状态：" + ACCOUNT_STATUS.choices() + "。")
    ] = None,
) -> None:
    """导出备案账号为登记表：在 Excel/WPS 中修改后用 account import 导入即为变更。"""
    from registry.filing import forms

    with session() as s:
        count = forms.export_accounts(s, file, unit=unit, status=status)
    say(f"已导出 {count} 个账号：{file}")


def _done(message: str, rows: list[dict[str, Any]], fmt: Format, single: bool = True) -> None:
    """A step's result: one line for a person, the account row(s) for a script."""
    if fmt is Format.table:
        say(message)
    elif fmt is Format.json and single:
        emit_object(rows[0], fmt, DETAIL_LABELS)
    else:
        emit(rows, fmt, columns=ACCOUNT_COLUMNS, title="账号")
