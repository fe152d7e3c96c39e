"""The registry's forms (登记表): their columns, the blank templates and the exports.

Two forms, each written as .xlsx (or .csv) and read back by ``registry.filing.sheet`` and
``registry.filing.unit_sheet``:

- 政务新媒体备案登记表 (``account template`` / ``account export``): one row per account. The
  export adds 备案编号, 状态 and 变更原因, so that an exported registry edited in Excel or WPS
  imports back as changes of the same accounts.
- 主办单位登记表 (``unit template`` / ``unit export``): one row per unit; the export adds the
  单位ID that makes a row a change of that unit.

The .xlsx templates mark required columns （必填）, format ID and phone columns as text (a
16-digit 头条 ID typed into them stays exact), offer drop-down lists (平台, 级别, 官方认证, 类型
and the registry's units), show a grey example row (skipped on import) and carry a 填表说明
sheet that explains every column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from registry import validation as v
from registry.errors import InvalidValue
from registry.files import Column
from registry.filing.models import Account, Unit
from registry.sheets import Sheet, write_csv, write_workbook
from registry.vocab import ACCOUNT_STATUS, PLATFORM, UNIT_KIND, UNIT_LEVEL, YES_NO

REQUIRED_MARK = "（必填）"
EXAMPLE_MARK = "【示例】"  # a row whose 备注 begins with this is the template's example
EXAMPLE_NOTE = EXAMPLE_MARK + "此行为填写示例，导入时自动跳过，可删除"


@dataclass(frozen=True)
class Field:
    """One column of a form: key, header, whether it is required, and how it is filled."""

    key: str
    header: str
    help: str
    required: bool = False
    text: bool = False  # an ID or phone number: kept as text
    choices: str | None = None  # "platform", "level", "yes_no", "kind", "status", "units"
    width: int = 16
    example: str = ""


ACCOUNT_FIELDS: list[Field] = [
    Field(
        "unit",
        "主办单位",
        "账号的主办单位全称，须已在本系统登记（unit list 可查）。",
        True,
        choices="units",
        width=26,
        example="兰州市人民政府",
    ),
    Field(
        "platform",
        "平台",
        "从下拉列表选择，也可写代码或常用简称（如 微博、公众号、B站）。",
        True,
        choices="platform",
        width=12,
        example="新浪微博",
    ),
    Field("name", "账号名称", "平台上显示的账号名称。", True, width=20, example="兰州发布"),
    Field(
        "platform_id",
        "平台账号ID",
        "平台的稳定ID：微信原始ID（gh_ 开头）或 __biz、微博 uid、抖音 sec_uid、头条号ID等；"
        "本列为文本格式，长数字不会被改变。",
        True,
        text=True,
        width=22,
        example="1669879400",
    ),
    Field(
        "url",
        "链接",
        "账号主页链接（http:// 或 https:// 开头）。",
        width=28,
        example="https://weibo.com/u/1669879400",
    ),
    Field(
        "feed_url",
        "采集地址",
        "抖音、快手、头条等平台的 RSS/Atom/JSON Feed 地址，或网站列表页地址。",
        width=28,
    ),
    Field("operator", "运维单位", "受委托运维的单位（没有可不填）。", width=20),
    Field("owner", "负责人", "账号负责人姓名。", width=10, example="张三"),
    Field(
        "phone",
        "联系电话",
        "负责人手机号码或带区号的固定电话；本列为文本格式。",
        text=True,
        width=16,
        example="13800138000",
    ),
    Field("email", "负责人邮箱", "接收无更新预警的邮箱。", width=22),
    Field("leader", "分管领导", "分管领导姓名。", width=10),
    Field("leader_phone", "分管领导电话", "本列为文本格式。", text=True, width=16),
    Field("leader_email", "分管领导邮箱", "", width=22),
    Field(
        "opened_on",
        "开设日期",
        "如 2019-06-01、2019/6/1、2019.6.1 或 2019年6月1日，也可为 Excel 日期。",
        width=14,
        example="2019-06-01",
    ),
    Field("verified", "官方认证", "是否经平台官方认证：是 或 否。", choices="yes_no", width=10, example="是"),
    Field("reason", "申请理由", "同一单位在同一平台已有账号时，再开设须说明理由。", width=20),
    Field("note", "备注", "", width=20, example=EXAMPLE_NOTE),
]
ACCOUNT_LEVEL = Field(
    "level",
    "级别",
    "主办单位的级别（可不填；填写时须与该单位登记的级别一致）。",
    choices="level",
    width=12,
    example="市州",
)
REGISTRY_FIELDS: list[Field] = [
    Field(
        "change_reason", "变更原因", "修改了已备案账号的任何一项时必填（如 机构更名、负责人调整）。", width=20
    ),
    Field(
        "filing_no", "备案编号", "由系统分配，请勿修改：有备案编号的行是对该账号的变更。", text=True, width=20
    ),
    Field(
        "status",
        "状态",
        "由系统维护（审核、驳回、关停、注销请用相应命令），导入时不修改。",
        choices="status",
        width=10,
    ),
    ACCOUNT_LEVEL,
    Field("region", "行政区划", "主办单位的行政区划代码（导出时附带，导入时不修改）。", text=True, width=10),
]

UNIT_FIELDS: list[Field] = [
    Field(
        "name",
        "单位名称",
        "单位全称，如“兰州市人民政府”。",
        True,
        width=28,
        example=EXAMPLE_MARK + "兰州市城关区人民政府",
    ),
    Field(
        "level",
        "级别",
        "从下拉列表选择：省级、市州、县区、乡镇（街道）。",
        True,
        choices="level",
        width=12,
        example="县区",
    ),
    Field(
        "region",
        "行政区划代码",
        "6 位数字，与级别一致（省 620000、市 620100、县区 620102；乡镇用所在县区的代码）。",
        True,
        text=True,
        width=14,
        example="620102",
    ),
    Field("kind", "类型", "政府、部门或其他（默认政府）。", choices="kind", width=10, example="政府"),
    Field(
        "parent",
        "上级单位",
        "向其备案的上级单位全称（须已登记，或在本表中更靠前的行）。",
        choices="units",
        width=26,
        example="兰州市人民政府",
    ),
    Field("credit_code", "统一社会信用代码", "18 位，按 GB 32100-2015 校验。", text=True, width=22),
]
UNIT_REGISTRY_FIELDS: list[Field] = [
    Field("id", "单位ID", "由系统分配，请勿修改：有单位ID的行是对该单位的变更。", text=True, width=8),
    Field("change_reason", "变更原因", "修改了已登记单位的任何一项时必填。", width=20),
]


def read_columns(fields: Sequence[Field], aliases: dict[str, tuple[str, ...]] | None = None) -> list[Column]:
    """The columns ``registry.files.read_table`` reads for a form (none required there: the
    importer decides, because a row with a registry number needs fewer columns)."""
    aliases = aliases or {}
    return [Column(f.key, f.header, aliases.get(f.key, ())) for f in fields]


def account_template(path: Path, units: Sequence[str] = ()) -> None:
    """A blank 备案登记表 (.xlsx with 填表说明 and drop-downs, or .csv); ``units`` are the
    registry's units for the 主办单位 drop-down (``unit_names``)."""
    fields = [*ACCOUNT_FIELDS, ACCOUNT_LEVEL]
    _write(path, "备案登记表", fields, [], units, example=True)


def unit_template(path: Path, units: Sequence[str] = ()) -> None:
    """A blank 主办单位登记表 (its 上级单位 drop-down lists ``units``)."""
    _write(path, "主办单位登记表", UNIT_FIELDS, [], units, example=True)


def unit_names(session: Session) -> list[str]:
    """The units that take filings (not merged), by region, for the drop-down lists."""
    query = select(Unit.name).where(Unit.merged_into_id.is_(None)).order_by(Unit.region_code, Unit.id)
    return list(session.scalars(query))


def export_accounts(
    session: Session, path: Path, *, unit: str | None = None, status: str | None = None
) -> int:
    """Write filed accounts as a 备案登记表 that ``account import`` reads back as changes."""
    from registry.filing.units import find_unit

    query = select(Account, Unit).join(Unit, Account.unit_id == Unit.id).order_by(Account.id)
    if unit:
        query = query.where(Account.unit_id == find_unit(session, unit).id)
    if status:
        query = query.where(Account.status == v.status(status))
    fields = [*ACCOUNT_FIELDS, *REGISTRY_FIELDS]
    rows = [[_account_value(a, u, f.key) for f in fields] for a, u in session.execute(query)]
    _write(path, "备案登记表", fields, rows, unit_names(session))
    return len(rows)


def _account_value(account: Account, unit: Unit, key: str) -> Any:
    if key == "unit":
        return unit.name
    if key == "platform":
        return PLATFORM.label(account.platform)
    if key == "verified":
        return None if account.verified is None else YES_NO.label("yes" if account.verified else "no")
    if key == "opened_on":
        return account.opened_on.isoformat() if account.opened_on else None
    if key == "status":
        return ACCOUNT_STATUS.label(account.status)
    if key == "level":
        return UNIT_LEVEL.label(unit.level)
    if key == "region":
        return unit.region_code
    if key in ("reason", "change_reason"):
        return None
    return getattr(account, key)


def export_units(session: Session, path: Path, *, level: str | None = None) -> int:
    """Write the units as a 主办单位登记表 that ``unit import`` reads back as changes."""
    parent = aliased(Unit)
    query = (
        select(Unit, parent.name)
        .outerjoin(parent, Unit.parent_id == parent.id)
        .where(Unit.merged_into_id.is_(None))
        .order_by(Unit.level, Unit.region_code, Unit.id)
    )
    if level:
        query = query.where(Unit.level == v.level(level))
    found = list(session.execute(query))
    rows = [_unit_row(u, parent_name) for u, parent_name in _parents_first(found)]
    _write(path, "主办单位登记表", [*UNIT_FIELDS, *UNIT_REGISTRY_FIELDS], rows, unit_names(session))
    return len(rows)


def _parents_first(found: list[Any]) -> list[Any]:
    """Units with every parent before its children, so the file imports in order."""
    ids = {u.id for u, _ in found}
    children: dict[int | None, list[Any]] = {}
    for pair in found:
        parent_id = pair[0].parent_id if pair[0].parent_id in ids else None
        children.setdefault(parent_id, []).append(pair)
    ordered: list[Any] = []
    queue = list(children.get(None, []))
    while queue:
        pair = queue.pop(0)
        ordered.append(pair)
        queue.extend(children.get(pair[0].id, []))
    return ordered


def _unit_row(unit: Unit, parent_name: str | None) -> list[Any]:
    return [
        unit.name,
        UNIT_LEVEL.label(unit.level),
        unit.region_code,
        UNIT_KIND.label(unit.kind),
        parent_name,
        unit.credit_code,
        unit.id,
        None,
    ]


VOCABS = {
    "platform": PLATFORM,
    "level": UNIT_LEVEL,
    "yes_no": YES_NO,
    "kind": UNIT_KIND,
    "status": ACCOUNT_STATUS,
}


def _choices(kind: str, units: Sequence[str]) -> list[str]:
    return list(units) if kind == "units" else list(VOCABS[kind].labels.values())


def header_of(f: Field) -> str:
    return f.header + REQUIRED_MARK if f.required else f.header


def _write(
    path: Path,
    name: str,
    fields: Sequence[Field],
    rows: list[list[Any]],
    units: Sequence[str],
    example: bool = False,
) -> None:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidValue("文件", str(path), "只支持 .xlsx 或 .csv")
    headers = [header_of(f) for f in fields]
    if suffix == ".csv":
        write_csv(path, headers, (["" if c is None else str(c) for c in row] for row in rows))
        return
    choices = {i: _choices(f.choices, units) for i, f in enumerate(fields) if f.choices}
    sheet = Sheet(
        name,
        headers,
        rows,
        widths=[f.width for f in fields],
        text_columns=[i for i, f in enumerate(fields) if f.text],
        required=[i for i, f in enumerate(fields) if f.required],
        choices={i: values for i, values in choices.items() if values},
        strict=[i for i, f in enumerate(fields) if f.choices in ("platform", "level", "yes_no", "kind")],
        notes={i: f.help for i, f in enumerate(fields) if f.help},
        example=[f.example for f in fields] if example else None,
    )
    write_workbook(path, [sheet, _instructions(name, fields)])


def _instructions(name: str, fields: Sequence[Field]) -> Sheet:
    rows: list[list[Any]] = [
        [f.header, "必填" if f.required else "选填", _choices_text(f), f.help] for f in fields
    ]
    general = [
        ["", "", "", ""],
        [
            "填写要求",
            "",
            "",
            "第一行是表头，请不要修改列名；从第二行起每行填写一条。灰色斜体的示例行导入时自动跳过，可删除。",
        ],
        ["", "", "", "标注“（必填）”的列不能为空；下拉列表列请从列表中选择（也可填写代码或常用简称）。"],
        ["", "", "", "ID、电话号码所在的列已设为文本格式，请直接输入，不要改成数字格式。"],
        [
            "",
            "",
            "",
            "可以另存为 CSV（UTF-8 或 GBK 编码）后导入；有任何错误行时整个文件都不导入，并逐行列出错误。",
        ],
        ["", "", "", "先用 --dry-run 试导入，可以看到每一行将新增还是变更了哪些项。"],
    ]
    return Sheet(
        "填表说明",
        ["列名", "是否必填", "可选值", "填写说明"],
        rows + general,
        widths=(16, 10, 36, 80),
        title=f"{name}填表说明",
    )


def _choices_text(f: Field) -> str:
    if f.choices is None:
        return ""
    if f.choices == "units":
        return "本系统已登记的单位（见下拉列表）"
    return "、".join(VOCABS[f.choices].labels.values())
