"""备案登记表: the spreadsheet staff fill in, read all-or-nothing and written back.

A file with any bad row writes nothing; every bad row is listed with its row number as
Excel shows it (the header is row 1), the column, the value and the reason. Columns
``备案编号`` and ``状态`` (as written by ``account export``) carry an existing registry over,
so an export imports back as it was.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from registry import validation as v
from registry.db import utcnow
from registry.errors import InvalidValue, RowErrors
from registry.files import Column, read_table
from registry.filing.accounts import LIVE, OPTIONAL_FIELDS, filing_number
from registry.filing.models import Account, FilingEvent, Unit
from registry.filing.platforms import platform_id as valid_platform_id
from registry.vocab import ACCOUNT_STATUS, PLATFORM, UNIT_LEVEL

# (key, header) in the order of the 备案登记表
COLUMNS: list[tuple[str, str]] = [
    ("unit", "主办单位"),
    ("platform", "平台"),
    ("name", "账号名称"),
    ("platform_id", "平台账号ID"),
    ("url", "链接"),
    ("feed_url", "采集地址"),
    ("operator", "运维单位"),
    ("owner", "负责人"),
    ("phone", "联系电话"),
    ("email", "负责人邮箱"),
    ("leader", "分管领导"),
    ("leader_phone", "分管领导电话"),
    ("leader_email", "分管领导邮箱"),
    ("opened_on", "开设日期"),
    ("verified", "官方认证"),
    ("reason", "申请理由"),
    ("note", "备注"),
]
REGISTRY_COLUMNS: list[tuple[str, str]] = [
    ("filing_no", "备案编号"),
    ("status", "状态"),
    ("level", "级别"),
    ("region", "行政区划"),
]
REQUIRED = ("unit", "platform", "name", "platform_id")
READ_COLUMNS = [Column(key, label, required=key in REQUIRED) for key, label in COLUMNS + REGISTRY_COLUMNS]
INJECTION_PREFIXES = ("=", "+", "-", "@")
_YES = {"是", "已认证", "true", "1", "yes", "y", "认证"}
_NO = {"否", "未认证", "false", "0", "no", "n"}


@dataclass
class ImportResult:
    rows: int
    dry_run: bool


def write_template(path: Path) -> None:
    """An empty 备案登记表 with Chinese headers (.xlsx or .csv by the extension)."""
    _write(path, [label for _, label in COLUMNS], [])


def export_filings(
    session: Session, path: Path, *, unit: str | None = None, status: str | None = None
) -> int:
    """Write filed accounts as a 备案登记表 that ``import_filings`` reads back."""
    query = select(Account, Unit).join(Unit, Account.unit_id == Unit.id).order_by(Account.id)
    if unit:
        from registry.filing.units import find_unit

        query = query.where(Account.unit_id == find_unit(session, unit).id)
    if status:
        query = query.where(Account.status == v.status(status))
    rows = []
    for account, owner_unit in session.execute(query):
        values: dict[str, Any] = {key: getattr(account, key, None) for key, _ in COLUMNS}
        values.update(
            unit=owner_unit.name,
            platform=PLATFORM.label(account.platform),
            reason=None,
            verified=None if account.verified is None else ("是" if account.verified else "否"),
            opened_on=account.opened_on.isoformat() if account.opened_on else None,
            filing_no=account.filing_no,
            status=ACCOUNT_STATUS.label(account.status),
            level=UNIT_LEVEL.label(owner_unit.level),
            region=owner_unit.region_code,
        )
        rows.append([values[key] for key, _ in COLUMNS + REGISTRY_COLUMNS])
    _write(path, [label for _, label in COLUMNS + REGISTRY_COLUMNS], rows)
    return len(rows)


def import_filings(session: Session, path: Path, *, actor: str, dry_run: bool = False) -> ImportResult:
    """Validate every row, then write all of them in one unit of work, or none."""
    records = list(_read(path))
    checker = _Checker(session)
    clean = [checker.check(row_no, raw) for row_no, raw in records]
    if checker.errors:
        raise RowErrors(path.name, checker.errors)
    if not dry_run and clean:
        _write_rows(session, [c for c in clean if c is not None], actor)
    return ImportResult(rows=len(clean), dry_run=dry_run)


class _Checker:
    """Row validation with the registry's state loaded once (units, ids, live counts)."""

    def __init__(self, session: Session) -> None:
        self.units = {u.name: u for u in session.scalars(select(Unit))}
        self.taken = {
            (p, pid): aid
            for aid, p, pid in session.execute(select(Account.id, Account.platform, Account.platform_id))
        }
        self.numbers = set(session.scalars(select(Account.filing_no).where(Account.filing_no.is_not(None))))
        self.live: Counter[tuple[int, str]] = Counter(
            {
                (uid, p): n
                for uid, p, n in session.execute(
                    select(Account.unit_id, Account.platform, func.count())
                    .where(Account.status.in_(LIVE))
                    .group_by(Account.unit_id, Account.platform)
                )
            }
        )
        self.seen: dict[tuple[str, str], int] = {}
        self.errors: list[tuple[int, str, object, str]] = []

    def check(self, row_no: int, raw: dict[str, str]) -> dict[str, Any] | None:
        errors: list[tuple[int, str, object, str]] = []

        def field(key: str, fn: Any) -> Any:
            try:
                return fn()
            except InvalidValue as exc:
                errors.append((row_no, dict(COLUMNS + REGISTRY_COLUMNS)[key], raw.get(key, ""), exc.reason))
                return None

        for key in REQUIRED:
            if not raw.get(key):
                errors.append((row_no, dict(COLUMNS)[key], "", "必填，不能为空"))
        row: dict[str, Any] = {}
        unit = None
        if raw.get("unit"):
            unit = self.units.get(raw["unit"])
            if unit is None:
                errors.append((row_no, "主办单位", raw["unit"], "找不到该单位，请先用 unit add 新增"))
        code = field("platform", lambda: v.platform(raw["platform"])) if raw.get("platform") else None
        if raw.get("name"):
            row["name"] = field("name", lambda: v.text(raw["name"], "账号名称"))
        if code and raw.get("platform_id"):
            row["platform_id"] = field("platform_id", lambda: valid_platform_id(code, raw["platform_id"]))
        for key, (label, cleaner) in OPTIONAL_FIELDS.items():
            if raw.get(key):
                row[key] = field(key, lambda c=cleaner, k=key, lb=label: c(raw[k], lb))
        if raw.get("verified"):
            row["verified"] = field("verified", lambda: _yes_no(raw["verified"]))
        status = field("status", lambda: v.status(raw["status"])) if raw.get("status") else "pending"
        number = raw.get("filing_no") or None
        if number and number in self.numbers:
            errors.append((row_no, "备案编号", number, "已被其他账号使用"))
        key_pair = (code, row.get("platform_id"))
        if code and row.get("platform_id"):
            if key_pair in self.taken:
                errors.append(
                    (
                        row_no,
                        "平台账号ID",
                        raw["platform_id"],
                        f"该{PLATFORM.label(code)}账号已备案（账号ID {self.taken[key_pair]}）",
                    )
                )
            elif key_pair in self.seen:
                errors.append((row_no, "平台账号ID", raw["platform_id"], f"与第{self.seen[key_pair]}行重复"))
        reason = (raw.get("reason") or "").strip() or None
        if unit is not None and code and status in LIVE and self.live[(unit.id, code)] and not reason:
            errors.append(
                (
                    row_no,
                    "申请理由",
                    "",
                    f"「{unit.name}」在{PLATFORM.label(code)}已有账号，"
                    "一个单位原则上在同一平台只开设一个账号，须填写申请理由",
                )
            )
        if errors:
            self.errors.extend(errors)
            return None
        assert unit is not None and code is not None
        self.seen[key_pair] = row_no  # type: ignore[index]
        if number:
            self.numbers.add(number)
        if status in LIVE:
            self.live[(unit.id, code)] += 1
        row.update(
            unit_id=unit.id,
            platform=code,
            status=status,
            filing_no=number,
            _reason=reason,
            _region=unit.region_code,
            _unit=unit.name,
        )
        return row


def _write_rows(session: Session, rows: list[dict[str, Any]], actor: str) -> None:
    now = utcnow()
    accounts = []
    for row in rows:
        record = {k: val for k, val in row.items() if not k.startswith("_")}
        record.update(filed_at=now, status_at=now, approved_at=now if row["status"] != "pending" else None)
        for key in (
            "url",
            "feed_url",
            "operator",
            "owner",
            "phone",
            "email",
            "leader",
            "leader_phone",
            "leader_email",
            "opened_on",
            "verified",
            "note",
        ):
            record.setdefault(key, None)
        accounts.append(record)
    # plain executemany (batched on every backend), then read the new ids back by key
    before = session.scalar(select(func.max(Account.id))) or 0
    session.execute(insert(_table(Account)), accounts)
    new_ids = {
        (p, pid): aid
        for aid, p, pid in session.execute(
            select(Account.id, Account.platform, Account.platform_id).where(Account.id > before)
        )
    }
    ids = [new_ids[(r["platform"], r["platform_id"])] for r in rows]
    numbers = []
    for account_id, row in zip(ids, rows, strict=True):
        row["id"] = account_id
        if row["status"] != "pending" and not row["filing_no"]:
            row["filing_no"] = filing_number(Account(id=account_id, platform=row["platform"]), row["_region"])
            numbers.append({"b_id": account_id, "b_no": row["filing_no"]})
    if numbers:
        from sqlalchemy import bindparam

        session.execute(
            update(_table(Account))
            .where(_table(Account).c.id == bindparam("b_id"))
            .values(filing_no=bindparam("b_no")),
            numbers,
        )
    session.execute(
        insert(_table(FilingEvent)),
        [
            {
                "at": now,
                "actor": actor,
                "action": "import",
                "account_id": r["id"],
                "reason": r["_reason"],
                "changes": _changes(r),
            }
            for r in rows
        ],
    )


def _table(model: Any) -> Table:
    """The Core table of a model, for batched executemany writes."""
    return cast(Table, model.__table__)


_NOT_CHANGES = frozenset({"id", "unit_id", "_reason", "_region", "_unit"})


def _changes(row: dict[str, Any]) -> dict[str, Any]:
    """The filed values as ``{field: [None, value]}``, as ``file`` records them."""
    changes: dict[str, Any] = {"unit": [None, row["_unit"]]}
    changes.update((k, [None, val]) for k, val in row.items() if val is not None and k not in _NOT_CHANGES)
    if "opened_on" in changes:
        changes["opened_on"] = [None, row["opened_on"].isoformat()]
    return changes


def _yes_no(value: str) -> bool:
    text = value.strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise InvalidValue("官方认证", value, "应为“是”或“否”")


def _read(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(Excel row number, {key: text}) for each non-empty data row (``registry.files``)."""
    table = read_table(path, READ_COLUMNS, formats=(".xlsx", ".csv"))
    if table.errors:
        raise RowErrors(path.name, table.errors)
    for row in table.rows:
        yield row.number, {key: _unescape(row.text(key)) for key in table.columns}


def _escape(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (=, +, -, @)."""
    if isinstance(value, str) and value.startswith(INJECTION_PREFIXES):
        return "'" + value
    return value


def _unescape(value: str) -> str:
    if value[:1] == "'" and value[1:2] in INJECTION_PREFIXES:
        return value[1:]
    return value


def _write(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidValue("文件", str(path), "只支持 .xlsx 或 .csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = [[_escape(c) for c in row] for row in rows]
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(["" if c is None else c for c in row] for row in safe)
        return
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("备案登记表")
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text_fmt = workbook.add_format({"num_format": "@"})
    for col, label in enumerate(header):
        sheet.write_string(0, col, label, bold)
        sheet.set_column(col, col, max(12, len(label) * 2.2), text_fmt)
    for r, row in enumerate(safe, start=1):
        for col, cell in enumerate(row):
            if cell is not None:
                sheet.write_string(r, col, str(cell))
    sheet.freeze_panes(1, 0)
    workbook.close()
