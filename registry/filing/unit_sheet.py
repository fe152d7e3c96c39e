"""主办单位登记表 import: new units and changes of registered ones, read all-or-nothing.

A row with a 单位ID that the registry knows is a change of that unit (变更原因 required when
anything differs; unchanged rows are skipped); any other row registers a new unit. A 上级单位
may be a registered unit or a unit on an earlier row of the same file. Every bad row is
listed (row, column as the file names it, value, reason) and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import validation as v
from registry.errors import InvalidValue, RowErrors
from registry.files import Row, Table, read_table
from registry.filing.forms import EXAMPLE_MARK, UNIT_FIELDS, UNIT_REGISTRY_FIELDS, read_columns
from registry.filing.models import FilingEvent, Unit
from registry.filing.units import Parent, clean_unit

ALIASES = {"name": ("单位全称", "主办单位"), "region": ("行政区划", "区划代码"), "id": ("ID",)}
READ_COLUMNS = read_columns([*UNIT_FIELDS, *UNIT_REGISTRY_FIELDS], ALIASES)
HEADERS = {f.key: f.header for f in [*UNIT_FIELDS, *UNIT_REGISTRY_FIELDS]}
BY_LABEL = {"单位名称": "name", "级别": "level", "类型": "kind", "行政区划代码": "region"}
BY_LABEL.update({"上级单位": "parent", "统一社会信用代码": "credit_code"})
REQUIRED = ("name", "level", "region")
COMPARED = ("name", "level", "kind", "region_code", "credit_code", "parent_id")
Problem = tuple[int, str, object, str]


@dataclass
class UnitPlan:
    """What importing one row does: ``new``, ``change`` (``changes`` {field: [old, new]}) or ``same``."""

    row: int
    action: str
    name: str
    unit_id: int | None = None
    changes: dict[str, list[Any]] = field(default_factory=dict)
    reason: str | None = None
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class UnitImport:
    rows: int
    dry_run: bool
    plan: list[UnitPlan] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    examples: int = 0

    def count(self, action: str) -> int:
        return sum(1 for p in self.plan if p.action == action)


def import_units(session: Session, path: Path, *, actor: str, dry_run: bool = False) -> UnitImport:
    """Validate every row, then register and change the units in one unit of work, or none."""
    table = read_table(path, READ_COLUMNS, formats=(".xlsx", ".csv"))
    if "id" not in table.columns:
        missing = [HEADERS[k] for k in REQUIRED if k not in table.columns]
        if missing:
            found = "、".join(h for h in table.headers if h) or "（空）"
            raise InvalidValue("表头", found, f"缺少必需的列「{'、'.join(missing)}」")
    rows = [r for r in table.rows if not _cell(r, "name").startswith(EXAMPLE_MARK)]
    if not rows:
        raise InvalidValue("文件", path.name, "没有数据行（只有表头），未导入任何单位")
    checker = _Checker(session, table)
    plans = [p for p in (checker.check(row) for row in rows) if p is not None]
    if checker.errors:
        raise RowErrors(path.name, checker.errors)
    if not dry_run:
        _write(session, plans, actor)
    return UnitImport(len(rows), dry_run, plans, table.unknown, len(table.rows) - len(rows))


def _cell(row: Row, key: str) -> str:
    return row.text(key)


class _Checker:
    def __init__(self, session: Session, table: Table) -> None:
        self.table = table
        self.present = set(table.columns)
        self.units = {u.id: u for u in session.scalars(select(Unit))}
        self.by_name: dict[str, Parent] = {
            u.name: Parent(u.name, u.level, u.region_code)
            for u in self.units.values()
            if u.merged_into_id is None
        }
        self.name_owner: dict[str, int | None] = {u.name: u.id for u in self.units.values()}
        self.code_owner: dict[str, int | None] = {
            u.credit_code: u.id for u in self.units.values() if u.credit_code
        }
        self.rows_of: dict[int, int] = {}
        self.errors: list[Problem] = []

    def problem(self, errors: list[Problem], row: Row, key: str, value: object, reason: str) -> None:
        errors.append((row.number, self.table.header(key, HEADERS[key]), value, reason))

    def check(self, row: Row) -> UnitPlan | None:
        cells = {k: row.text(k) for k in self.present}
        errors: list[Problem] = []
        current = self._current(row, cells, errors)
        for key in REQUIRED:
            if (key in self.present or current is None) and not cells.get(key):
                self.problem(errors, row, key, "", "必填，不能为空")
        if errors:
            self.errors.extend(errors)
            return None
        values = self._values(row, cells, current, errors)
        if values is None:
            self.errors.extend(errors)
            return None
        plan = self._plan(row, cells, current, values, errors)
        self.errors.extend(errors)
        return None if errors else plan

    def _current(self, row: Row, cells: dict[str, str], errors: list[Problem]) -> Unit | None:
        text = cells.get("id", "")
        if not text:
            return None
        unit = self.units.get(int(text)) if text.isdigit() else None
        if unit is None:
            self.problem(errors, row, "id", text, "找不到该单位ID（新单位请不要填写单位ID）")
        elif unit.merged_into_id is not None:
            self.problem(errors, row, "id", text, "该单位已并入其他单位，不能再变更")
        elif unit.id in self.rows_of:
            self.problem(errors, row, "id", text, f"与第{self.rows_of[unit.id]}行是同一个单位")
        else:
            self.rows_of[unit.id] = row.number
            return unit
        return None

    def _values(
        self, row: Row, cells: dict[str, str], current: Unit | None, errors: list[Problem]
    ) -> dict[str, Any] | None:
        def given(key: str, stored: Callable[[Unit], Any]) -> Any:
            if key in self.present:
                return cells[key]
            return stored(current) if current is not None else None

        parent_name = given("parent", lambda u: self.units[u.parent_id].name if u.parent_id else "")
        parent = None
        if parent_name:
            parent = self.by_name.get(parent_name)
            if parent is None:
                self.problem(
                    errors, row, "parent", parent_name, "找不到该单位（须已登记，或在本表中更靠前的行）"
                )
                return None
        try:
            values = clean_unit(
                name=given("name", lambda u: u.name),
                level=given("level", lambda u: u.level),
                region=given("region", lambda u: u.region_code),
                kind=given("kind", lambda u: u.kind) or "government",
                credit_code=given("credit_code", lambda u: u.credit_code) or None,
                parent=parent,
            )
        except InvalidValue as exc:
            key = BY_LABEL.get(exc.field, "name")
            self.problem(errors, row, key, exc.value, exc.reason)
            return None
        values["parent"] = parent_name or None
        return values

    def _plan(
        self,
        row: Row,
        cells: dict[str, str],
        current: Unit | None,
        values: dict[str, Any],
        errors: list[Problem],
    ) -> UnitPlan | None:
        own = current.id if current is not None else None
        if self.name_owner.get(values["name"], own) != own:
            self.problem(errors, row, "name", values["name"], "该单位已存在")
        code = values["credit_code"]
        if code and self.code_owner.get(code, own) != own:
            self.problem(errors, row, "credit_code", code, "已被其他单位使用")
        if errors:
            return None
        self.name_owner[values["name"]] = own
        if code:
            self.code_owner[code] = own
        self.by_name[values["name"]] = Parent(values["name"], values["level"], values["region_code"])
        if current is None:
            return UnitPlan(row.number, "new", values["name"], values=values)
        old = {k: getattr(current, k) for k in COMPARED if k != "parent_id"}
        old["parent"] = self.units[current.parent_id].name if current.parent_id else None
        changes = {
            ("region" if k == "region_code" else k): [old[k], values[k]]
            for k in ("name", "level", "kind", "region_code", "credit_code", "parent")
            if old[k] != values[k]
        }
        plan = UnitPlan(
            row.number, "change" if changes else "same", current.name, current.id, changes, values=values
        )
        if changes and not cells.get("change_reason"):
            fields = "、".join(HEADERS.get(k, k) for k in changes)
            self.problem(errors, row, "change_reason", "", f"该行修改了「{fields}」，须填写变更原因")
            return None
        plan.reason = cells.get("change_reason") or None
        if plan.reason:
            try:
                plan.reason = v.text(plan.reason, "变更原因", max_len=500, multiline=False)
            except InvalidValue as exc:
                self.problem(errors, row, "change_reason", exc.value, exc.reason)
                return None
        return plan


def _write(session: Session, plans: list[UnitPlan], actor: str) -> None:
    """Units in file order (a parent before the rows that name it), each with its event."""
    by_name = {u.name: u for u in session.scalars(select(Unit))}
    for plan in plans:
        if plan.action == "same":
            continue
        values = dict(plan.values)
        parent = by_name[values.pop("parent")] if values.get("parent") else None
        if plan.action == "new":
            unit = Unit(**values, parent_id=parent.id if parent else None)
            session.add(unit)
            session.flush()
            changes = {
                "name": [None, unit.name],
                "level": [None, unit.level],
                "region": [None, unit.region_code],
            }
            session.add(
                FilingEvent(actor=actor, action="unit_add", unit_id=unit.id, reason=None, changes=changes)
            )
        else:
            found = session.get(Unit, plan.unit_id)
            assert found is not None
            unit = found
            by_name.pop(unit.name, None)
            for key, value in values.items():
                setattr(unit, key, value)
            unit.parent_id = parent.id if parent else None
            session.add(
                FilingEvent(
                    actor=actor,
                    action="unit_change",
                    unit_id=unit.id,
                    reason=plan.reason,
                    changes=plan.changes,
                )
            )
        by_name[unit.name] = unit
    session.flush()
