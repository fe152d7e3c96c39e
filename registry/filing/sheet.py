"""备案登记表 import: new filings and changes of filed accounts, read all-or-nothing.

What each row of the file is:

- a row with a 备案编号 that the registry knows is a **change** of that account; a row
  without one whose 平台 + 平台账号ID is a filing still pending or rejected is a change of
  that filing too. Only the columns the file has are compared; a blank cell clears an
  optional field. When anything differs, 变更原因 is required; a row that differs in nothing
  is skipped. 平台, 平台账号ID and 状态 cannot be changed in a sheet (状态 changes are the
  approve / reject / close / cancel commands);
- any other row is a **new filing** (待审核, or the 状态 the file gives when an existing
  registry is carried over with its 备案编号).

A file with any bad row writes nothing; every bad row is listed with its row number as
Excel shows it (the header is row 1), the column as the file names it, the value and the
reason. Unknown columns are reported (``ImportResult.unknown``); a file without data rows is
refused; the template's grey example row is skipped. New filings are written with one
batched INSERT, changes with one batched UPDATE (plus their filing events).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry import validation as v
from registry.errors import InvalidValue, RowErrors
from registry.files import Row, Table, read_table
from registry.filing import sheet_store as store
from registry.filing.accounts import LIVE, OPTIONAL_FIELDS, TRANSITIONS, hold_units
from registry.filing.forms import ACCOUNT_FIELDS, EXAMPLE_MARK, REGISTRY_FIELDS, read_columns
from registry.filing.models import Account, Unit
from registry.filing.platforms import platform_id_problem
from registry.filing.sheet_store import EDITABLE, jsonable
from registry.vocab import ACCOUNT_STATUS, PLATFORM, UNIT_LEVEL, YES_NO

# (key, header) of the filing columns, in the order of the 备案登记表
COLUMNS: list[tuple[str, str]] = [(f.key, f.header) for f in ACCOUNT_FIELDS]
ALIASES = {"change_reason": ("变更理由", "变更说明"), "filing_no": ("备案号",), "region": ("行政区划代码",)}
READ_COLUMNS = read_columns([*ACCOUNT_FIELDS, *REGISTRY_FIELDS], ALIASES)
HEADERS = {f.key: f.header for f in [*ACCOUNT_FIELDS, *REGISTRY_FIELDS]}
REQUIRED = ("unit", "platform", "name", "platform_id")
# what a change may update, in the order changes are shown
INJECTION_PREFIXES = ("=", "+", "-", "@")
Problem = tuple[int, str, object, str]


@dataclass
class RowPlan:
    """What importing one row does: ``new``, ``change`` (with ``changes`` {field: [old, new]})
    or ``same``."""

    row: int
    action: str
    name: str
    platform: str
    unit: str
    account_id: int | None = None
    filing_no: str | None = None
    changes: dict[str, list[Any]] = field(default_factory=dict)
    reason: str | None = None


@dataclass
class ImportResult:
    rows: int
    dry_run: bool
    plan: list[RowPlan] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    examples: int = 0

    def count(self, action: str) -> int:
        return sum(1 for p in self.plan if p.action == action)


def import_filings(
    session: Session,
    path: Path,
    *,
    actor: str,
    dry_run: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Validate every row, then write all of them in one unit of work, or none."""
    table = read_table(path, READ_COLUMNS, formats=(".xlsx", ".csv"))
    if table.errors:
        raise RowErrors(path.name, table.errors)
    _require_columns(table)
    rows = [r for r in table.rows if not r.text("note").startswith(EXAMPLE_MARK)]
    if not rows:
        raise InvalidValue("文件", path.name, "没有数据行（只有表头），未导入任何账号")
    if not dry_run:
        hold_units(session)  # the registry's live accounts are counted and written as one step
    checker = _Checker(session, table)
    plans: list[RowPlan] = []
    for index, row in enumerate(rows, start=1):
        plan = checker.check(row)
        if plan is not None:
            plans.append(plan)
        if on_progress and (index % 500 == 0 or index == len(rows)):
            on_progress(index, len(rows))
    if checker.errors:
        raise RowErrors(path.name, checker.errors)
    result = ImportResult(len(rows), dry_run, plans, table.unknown, len(table.rows) - len(rows))
    if not dry_run:
        store.insert_filings(session, [checker.records[p.row] for p in plans if p.action == "new"], actor)
        changed = [p for p in plans if p.action == "change"]
        store.apply_changes(session, changed, checker.raw, checker.accounts, actor)
    return result


def _require_columns(table: Table) -> None:
    if "filing_no" in table.columns:
        return  # rows with a 备案编号 need no other column; the others are checked row by row
    missing = [HEADERS[k] for k in REQUIRED if k not in table.columns]
    if missing:
        found = "、".join(h for h in table.headers if h) or "（空）"
        raise InvalidValue("表头", found, f"缺少必需的列「{'、'.join(missing)}」")


class _Checker:
    """Row validation against the registry's state, loaded once, and the rows before."""

    def __init__(self, session: Session, table: Table) -> None:
        self.table = table
        self.present = set(table.columns)
        self.units = {u.name: u for u in session.scalars(select(Unit))}
        self.unit_names = {u.id: u.name for u in self.units.values()}
        self.accounts: dict[int, dict[str, Any]] = {}
        self.by_number: dict[str, int] = {}
        self.by_key: dict[tuple[str, str], int] = {}
        for a in session.scalars(select(Account)):
            self.accounts[a.id] = {
                k: getattr(a, k)
                for k in (*EDITABLE, "id", "platform", "platform_id", "status", "filing_no", "filed_at")
            }
            if a.filing_no:
                self.by_number[a.filing_no] = a.id
            self.by_key[(a.platform, a.platform_id)] = a.id
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
        self.seen_keys: dict[tuple[str, str], int] = {}
        self.seen_ids: dict[int, int] = {}
        self.numbers: set[str] = set()
        self.records: dict[int, dict[str, Any]] = {}  # new filings by row number
        self.raw: dict[int, dict[str, list[Any]]] = {}  # changes by row number, as stored values
        self.errors: list[Problem] = []

    def header(self, key: str) -> str:
        return self.table.header(key, HEADERS[key])

    def check(self, row: Row) -> RowPlan | None:
        cells = {key: _unescape(row.text(key)) for key in self.present}
        errors: list[Problem] = []
        target = self._target(row, cells, errors)
        if target is not None:
            plan = self._change(row, cells, target, errors)
        elif not errors:
            plan = self._new(row, cells, errors)
        else:
            plan = None
        if errors:
            self.errors.extend(errors)
            return None
        return plan

    def problem(self, errors: list[Problem], row: Row, key: str, value: object, reason: str) -> None:
        errors.append((row.number, self.header(key), value, reason))

    # --- which account a row is -----------------------------------------------------------

    def _target(self, row: Row, cells: dict[str, str], errors: list[Problem]) -> dict[str, Any] | None:
        number = cells.get("filing_no", "")
        if number and number in self.by_number:
            return self.accounts[self.by_number[number]]
        code = PLATFORM.find(cells["platform"]) if cells.get("platform") else None
        pid = cells.get("platform_id", "")
        if code and pid and (code, pid) in self.by_key:
            found = self.accounts[self.by_key[(code, pid)]]
            if number:
                self.problem(
                    errors,
                    row,
                    "filing_no",
                    number,
                    f"该账号已备案，备案编号为「{found['filing_no'] or '（未分配）'}」",
                )
            elif found["status"] not in ("pending", "rejected"):
                reason = (
                    f"该{PLATFORM.label(code)}账号已备案（账号ID {found['id']}，"
                    f"备案编号 {found['filing_no']}），修改请填写备案编号"
                )
                self.problem(errors, row, "platform_id", pid, reason)
            else:
                return found
        return None

    def _claim(self, row: Row, account_id: int, errors: list[Problem], key: str, value: str) -> None:
        if account_id in self.seen_ids:
            self.problem(errors, row, key, value, f"与第{self.seen_ids[account_id]}行是同一个账号")
        else:
            self.seen_ids[account_id] = row.number

    # --- a change of a filed account ----------------------------------------------------

    def _change(
        self, row: Row, cells: dict[str, str], cur: dict[str, Any], errors: list[Problem]
    ) -> RowPlan | None:
        key_cell = "filing_no" if cells.get("filing_no") else "platform_id"
        self._claim(row, cur["id"], errors, key_cell, cells.get(key_cell, ""))
        for key, stored, vocab in (
            ("platform", cur["platform"], PLATFORM),
            ("status", cur["status"], ACCOUNT_STATUS),
        ):
            if cells.get(key) and vocab.find(cells[key]) != stored:
                what = "平台" if key == "platform" else "状态"
                how = "" if key == "platform" else "，请用 account approve / reject / close / cancel"
                self.problem(
                    errors,
                    row,
                    key,
                    cells[key],
                    f"表格中不能修改{what}（该账号为「{vocab.label(stored)}」）{how}",
                )
        if cells.get("platform_id") and cells["platform_id"] != cur["platform_id"]:
            self.problem(
                errors,
                row,
                "platform_id",
                cells["platform_id"],
                f"表格中不能修改平台账号ID（该账号为「{cur['platform_id']}」）",
            )
        new = self._values(row, cells, errors, current=cur)
        if errors:
            return None
        changes = {k: [cur[k], val] for k, val in new.items() if cur[k] != val}
        plan = RowPlan(
            row.number,
            "change" if changes else "same",
            cur["name"],
            cur["platform"],
            self.unit_names.get(cur["unit_id"], ""),
            cur["id"],
            cur["filing_no"],
        )
        if not changes:
            return plan
        if cur["status"] not in TRANSITIONS["change"]:
            self.problem(
                errors,
                row,
                key_cell,
                cells.get(key_cell, ""),
                f"该账号{ACCOUNT_STATUS.label(cur['status'])}，不能变更",
            )
            return None
        reason = cells.get("change_reason", "")
        if not reason:
            fields = "、".join(HEADERS.get("unit" if k == "unit_id" else k, k) for k in changes)
            self.problem(errors, row, "change_reason", "", f"该行修改了「{fields}」，须填写变更原因")
            return None
        try:
            reason = v.text(reason, self.header("change_reason"), max_len=500, multiline=False)
        except InvalidValue as exc:
            self.problem(errors, row, "change_reason", exc.value, exc.reason)
            return None
        self.raw[row.number] = changes
        plan.changes = _recorded(changes, self.unit_names)
        plan.reason = reason
        return plan

    def _values(
        self, row: Row, cells: dict[str, str], errors: list[Problem], current: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The editable fields the file gives, cleaned; required ones may not be blank."""
        out: dict[str, Any] = {}

        def clean(key: str, fn: Callable[[], Any]) -> None:
            try:
                out[key] = fn()
            except InvalidValue as exc:
                column = "unit" if key == "unit_id" else key
                self.problem(errors, row, column, cells.get(column, ""), exc.reason)

        if "unit" in self.present:
            clean("unit_id", lambda: self._unit(cells["unit"], current))
        if "name" in self.present:
            clean("name", lambda: _required(cells["name"], "账号名称"))
        for key, (label, cleaner) in OPTIONAL_FIELDS.items():
            if key in self.present:
                raw = row.values.get(key) if key == "opened_on" else cells[key]
                clean(key, _optional(cleaner, raw, label) if cells[key] else _none)
        if "verified" in self.present:
            clean(
                "verified",
                lambda: (YES_NO.code(cells["verified"], "官方认证") == "yes") if cells["verified"] else None,
            )
        return out

    def _unit(self, name: str, current: dict[str, Any] | None) -> int:
        if not name:
            raise InvalidValue("主办单位", "", "必填，不能为空")
        unit = self.units.get(name)
        if unit is None:
            raise InvalidValue("主办单位", name, "找不到该单位，请先用 unit add 或 unit import 登记")
        if unit.merged_into_id is not None and (current is None or current["unit_id"] != unit.id):
            successor = self.unit_names.get(unit.merged_into_id, "")
            raise InvalidValue("主办单位", name, f"该单位已并入「{successor}」，请改用「{successor}」")
        return unit.id

    # --- a new filing ---------------------------------------------------------------------

    def _new(self, row: Row, cells: dict[str, str], errors: list[Problem]) -> RowPlan | None:
        for key in REQUIRED:
            if not cells.get(key):
                self.problem(errors, row, key, "", "必填，不能为空")
        code = pid = None
        if cells.get("platform"):
            code = PLATFORM.find(cells["platform"])
            if code is None:
                self.problem(errors, row, "platform", cells["platform"], "应为" + PLATFORM.choices())
        if code and cells.get("platform_id"):
            pid = self._platform_id(row, code, errors)
        values = self._values(row, cells, errors, current=None)
        status = "pending"
        if cells.get("status"):
            status = ACCOUNT_STATUS.find(cells["status"]) or ""
            if not status:
                self.problem(errors, row, "status", cells["status"], "应为" + ACCOUNT_STATUS.choices())
        number = cells.get("filing_no") or None
        if number and number in self.numbers:
            self.problem(errors, row, "filing_no", number, "与前面的行重复")
        unit = self.units.get(cells.get("unit", "")) if values.get("unit_id") else None
        if unit is not None:
            self._same_unit(row, cells, unit, errors)
        reason = cells.get("reason") or None
        if reason:
            try:
                reason = v.text(reason, self.header("reason"), max_len=500, multiline=False)
            except InvalidValue as exc:
                self.problem(errors, row, "reason", exc.value, exc.reason)
        if unit is not None and code and status in LIVE and self.live[(unit.id, code)] and not reason:
            self.problem(
                errors,
                row,
                "reason",
                "",
                f"「{unit.name}」在{PLATFORM.label(code)}已有账号，一个单位原则上在同一平台只开设一个账号，须填写申请理由",
            )
        if errors or unit is None or code is None or pid is None:
            return None
        self.seen_keys[(code, pid)] = row.number
        if number:
            self.numbers.add(number)
        if status in LIVE:
            self.live[(unit.id, code)] += 1
        record = {k: val for k, val in values.items() if k != "unit_id"}
        record.update(unit_id=unit.id, platform=code, platform_id=pid, status=status, filing_no=number)
        self.records[row.number] = {
            **record,
            "_reason": reason,
            "_region": unit.region_code,
            "_unit": unit.name,
        }
        return RowPlan(row.number, "new", record["name"], code, unit.name, filing_no=number)

    def _platform_id(self, row: Row, code: str, errors: list[Problem]) -> str | None:
        raw, pid = row.values.get("platform_id"), _unescape(row.text("platform_id"))
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and len(pid) >= 16:
            self.problem(
                errors,
                row,
                "platform_id",
                pid,
                "单元格是数字格式，超过 15 位的数字已被 Excel 改变；请把该列设为文本后重新输入",
            )
            return None
        problem = platform_id_problem(code, pid)
        if problem:
            self.problem(errors, row, "platform_id", pid, f"{PLATFORM.label(code)}{problem}")
            return None
        if (code, pid) in self.seen_keys:
            self.problem(errors, row, "platform_id", pid, f"与第{self.seen_keys[(code, pid)]}行重复")
            return None
        return pid

    def _same_unit(self, row: Row, cells: dict[str, str], unit: Unit, errors: list[Problem]) -> None:
        """级别 and 行政区划, when a new row gives them, must be its unit's."""
        if cells.get("level") and UNIT_LEVEL.find(cells["level"]) != unit.level:
            self.problem(
                errors,
                row,
                "level",
                cells["level"],
                f"与主办单位「{unit.name}」登记的级别「{UNIT_LEVEL.label(unit.level)}」不符",
            )
        if cells.get("region") and cells["region"] != unit.region_code:
            self.problem(
                errors,
                row,
                "region",
                cells["region"],
                f"与主办单位「{unit.name}」的行政区划 {unit.region_code} 不符",
            )


def _optional(cleaner: Callable[[Any, str], Any], raw: Any, label: str) -> Callable[[], Any]:
    return lambda: cleaner(raw, label)


def _none() -> None:
    return None


def _required(text: str, label: str) -> str:
    if not text:
        raise InvalidValue(label, "", "必填，不能为空")
    return v.text(text, label)


def _recorded(changes: dict[str, list[Any]], unit_names: dict[int, str]) -> dict[str, list[Any]]:
    """Changes as the filing history records them (the unit by name, dates as text)."""
    out: dict[str, list[Any]] = {}
    for key, (old, new) in changes.items():
        if key == "unit_id":
            out["unit"] = [unit_names.get(old), unit_names.get(new)]
        else:
            out[key] = [jsonable(old), jsonable(new)]
    return out


def _unescape(value: str) -> str:
    """The text of a cell a spreadsheet export had neutralised ("'=x" → "=x")."""
    if value[:1] == "'" and value[1:2] in INJECTION_PREFIXES:
        return value[1:]
    return value
