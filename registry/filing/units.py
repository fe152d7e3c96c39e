"""主办单位: adding, finding, changing and merging units.

- ``add_unit`` registers a unit; its region must lie within its parent's and its level be no
  higher than the parent's.
- ``change_unit`` (单位变更) renames a unit or corrects its level, type, region, parent or
  credit code; the old values stay in the unit's history (``unit history``), and the filing
  events of its accounts keep the name they were filed under.
- ``merge_units`` (机构改革) moves every account (and every subordinate unit) of the merged
  units to the unit they merge into, recording a change on each account; the merged units
  keep their record and history, marked with the unit they went into, and take no new filings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, aliased

from registry import validation as v
from registry.db import utcnow
from registry.errors import Conflict, InvalidValue, NotFound
from registry.filing.models import Account, FilingEvent, Unit
from registry.vocab import LEVEL_RANK, PLATFORM, UNIT_LEVEL

UNIT_KEYS = ("id", "name", "level", "kind", "region", "parent", "credit_code", "merged_into")


def find_unit(session: Session, ref: str | int, field: str = "主办单位") -> Unit:
    """A unit by its id or its exact name."""
    text = str(ref).strip()
    unit = None
    number = v.record_id(text)
    if number:
        unit = session.get(Unit, number)
    if unit is None:
        unit = session.scalar(select(Unit).where(Unit.name == text))
    if unit is None:
        raise NotFound(field, ref, "单位")
    return unit


def live_unit(session: Session, ref: str | int, field: str = "主办单位") -> Unit:
    """A unit that can take filings: not merged into another (机构改革)."""
    unit = find_unit(session, ref, field)
    if unit.merged_into_id is not None:
        successor = session.get(Unit, unit.merged_into_id)
        name = successor.name if successor else unit.merged_into_id
        raise InvalidValue(field, ref, f"该单位已并入「{name}」，请改用「{name}」")
    return unit


class Parent(NamedTuple):
    """What a unit's checks need to know of its parent."""

    name: str
    level: str
    region_code: str


def clean_unit(
    *,
    name: str,
    level: str,
    region: str,
    kind: str = "government",
    credit_code: str | None = None,
    parent: Parent | None = None,
) -> dict[str, Any]:
    """Validated unit fields (name, level, kind, region_code, credit_code), or InvalidValue."""
    name = v.text(name, "单位名称")
    level = v.level(level)
    kind = v.kind(kind or "government")
    region = v.region_code(region, level)
    code = v.credit_code(credit_code) if credit_code else None
    if parent is not None:
        if LEVEL_RANK[level] < LEVEL_RANK[parent.level]:
            raise InvalidValue(
                "上级单位",
                parent.name,
                f"上级单位是{UNIT_LEVEL.label(parent.level)}，不能管理{UNIT_LEVEL.label(level)}单位",
            )
        if not v.region_within(region, parent.region_code, parent.level):
            raise InvalidValue(
                "行政区划代码",
                region,
                f"不在上级单位「{parent.name}」的区划 {parent.region_code} 之内",
            )
    return {"name": name, "level": level, "kind": kind, "region_code": region, "credit_code": code}


def add_unit(
    session: Session,
    *,
    name: str,
    level: str,
    region: str,
    kind: str = "government",
    parent: str | None = None,
    credit_code: str | None = None,
    actor: str,
) -> Unit:
    """Register a 主办单位; its region must lie within its parent's and its level be no higher."""
    parent_unit = live_unit(session, parent, "上级单位") if parent else None
    values = clean_unit(
        name=name,
        level=level,
        region=region,
        kind=kind,
        credit_code=credit_code,
        parent=_parent(parent_unit),
    )
    _unique(session, values)
    unit = Unit(**values, parent_id=parent_unit.id if parent_unit else None)
    session.add(unit)
    session.flush()
    session.add(
        FilingEvent(
            actor=actor,
            action="unit_add",
            unit_id=unit.id,
            changes={
                "name": [None, unit.name],
                "level": [None, unit.level],
                "region": [None, unit.region_code],
            },
        )
    )
    return unit


def _parent(unit: Unit | None) -> Parent | None:
    return Parent(unit.name, unit.level, unit.region_code) if unit is not None else None


def _unique(session: Session, values: Mapping[str, Any], own_id: int | None = None) -> None:
    same_name = session.scalar(select(Unit.id).where(Unit.name == values["name"]))
    if same_name is not None and same_name != own_id:
        raise Conflict("单位名称", values["name"], "该单位已存在")
    code = values.get("credit_code")
    if code:
        same_code = session.scalar(select(Unit.id).where(Unit.credit_code == code))
        if same_code is not None and same_code != own_id:
            raise Conflict("统一社会信用代码", code, "已被其他单位使用")


def change_unit(
    session: Session,
    ref: str | int,
    *,
    reason: str,
    actor: str,
    name: str | None = None,
    level: str | None = None,
    region: str | None = None,
    kind: str | None = None,
    parent: str | None = None,
    credit_code: str | None = None,
) -> Unit:
    """单位变更: rename or correct a unit (reason required); the change is in its history."""
    why = _reason(reason, "单位变更")
    unit = live_unit(session, ref, "单位")
    parent_unit = unit.parent
    if parent is not None:
        parent_unit = live_unit(session, parent, "上级单位") if parent.strip() else None
        if parent_unit is not None and parent_unit.id == unit.id:
            raise InvalidValue("上级单位", parent, "不能是单位自己")
    values = clean_unit(
        name=name if name is not None else unit.name,
        level=level if level is not None else unit.level,
        region=region if region is not None else unit.region_code,
        kind=kind if kind is not None else unit.kind,
        credit_code=credit_code if credit_code is not None else unit.credit_code,
        parent=_parent(parent_unit),
    )
    _unique(session, values, own_id=unit.id)
    _children_fit(session, unit, values)
    changes: dict[str, list[Any]] = {}
    for key, new in values.items():
        old = getattr(unit, key)
        if old != new:
            changes["region" if key == "region_code" else key] = [old, new]
            setattr(unit, key, new)
    new_parent_id = parent_unit.id if parent_unit else None
    if new_parent_id != unit.parent_id:
        changes["parent"] = [
            unit.parent.name if unit.parent else None,
            parent_unit.name if parent_unit else None,
        ]
        unit.parent_id = new_parent_id
    if not changes:
        raise InvalidValue("变更内容", "", "没有需要变更的字段（与现有登记相同）")
    session.add(FilingEvent(actor=actor, action="unit_change", unit_id=unit.id, reason=why, changes=changes))
    session.flush()
    session.refresh(unit, ["parent"])
    return unit


def _children_fit(session: Session, unit: Unit, values: Mapping[str, Any]) -> None:
    children = session.execute(
        select(Unit.name, Unit.level, Unit.region_code).where(
            Unit.parent_id == unit.id, Unit.merged_into_id.is_(None)
        )
    ).all()
    for child in children:
        if LEVEL_RANK[child.level] < LEVEL_RANK[values["level"]]:
            raise InvalidValue("级别", UNIT_LEVEL.label(values["level"]), f"下级单位「{child.name}」级别更高")
        if not v.region_within(child.region_code, values["region_code"], values["level"]):
            raise InvalidValue(
                "行政区划代码",
                values["region_code"],
                f"下级单位「{child.name}」的区划 {child.region_code} 不在其中",
            )


@dataclass
class Merge:
    """What a merge did: the unit merged into, the merged ones, the accounts and subordinate
    units moved, and the platforms where the unit now has more than one live account."""

    into: Unit
    merged: list[Unit]
    accounts: int = 0
    children: int = 0
    duplicates: dict[str, int] = field(default_factory=dict)


def merge_units(
    session: Session, refs: Sequence[str | int], *, into: str | int, reason: str, actor: str
) -> Merge:
    """机构改革: merge ``refs`` into ``into``; accounts and subordinate units move, history is kept."""
    why = _reason(reason, "单位合并")
    target = live_unit(session, into, "--into")
    merged: list[Unit] = []
    for ref in refs:
        unit = live_unit(session, ref, "单位")
        if unit.id == target.id:
            raise InvalidValue("单位", ref, "不能并入自己")
        if unit.id not in {u.id for u in merged}:
            merged.append(unit)
    if not merged:
        raise InvalidValue("单位", "", "请给出要并入的单位")
    now = utcnow()
    result = Merge(into=target, merged=merged)
    ids = [u.id for u in merged]
    names = {u.id: u.name for u in merged}
    moved = session.execute(select(Account.id, Account.unit_id).where(Account.unit_id.in_(ids))).all()
    children = session.execute(select(Unit.id, Unit.parent_id).where(Unit.parent_id.in_(ids))).all()
    events: list[dict[str, Any]] = [
        {
            "at": now,
            "actor": actor,
            "action": "change",
            "account_id": aid,
            "unit_id": None,
            "reason": why,
            "changes": {"unit": [names[uid], target.name]},
        }
        for aid, uid in moved
    ]
    events += [
        {
            "at": now,
            "actor": actor,
            "action": "unit_change",
            "account_id": None,
            "unit_id": cid,
            "reason": why,
            "changes": {"parent": [names.get(pid or 0), target.name]},
        }
        for cid, pid in children
    ]
    events += [
        {
            "at": now,
            "actor": actor,
            "action": "unit_merge",
            "account_id": None,
            "unit_id": uid,
            "reason": why,
            "changes": {"merged_into": [None, target.name]},
        }
        for uid in ids
    ]
    session.execute(update(Account).where(Account.unit_id.in_(ids)).values(unit_id=target.id))
    session.execute(update(Unit).where(Unit.parent_id.in_(ids)).values(parent_id=target.id))
    session.execute(update(Unit).where(Unit.id.in_(ids)).values(merged_into_id=target.id, merged_at=now))
    session.execute(insert(FilingEvent), events)
    session.expire_all()
    result.accounts, result.children = len(moved), len(children)
    result.duplicates = _duplicates(session, target.id)
    return result


def _duplicates(session: Session, unit_id: int) -> dict[str, int]:
    query = (
        select(Account.platform, func.count())
        .where(Account.unit_id == unit_id, Account.status.in_(("pending", "active")))
        .group_by(Account.platform)
        .having(func.count() > 1)
    )
    return {PLATFORM.label(p): int(n) for p, n in session.execute(query)}


def _reason(reason: str | None, what: str) -> str:
    if not reason or not reason.strip():
        raise InvalidValue("原因", reason or "", f"{what}必须说明原因（--reason）")
    return v.text(reason, "原因", max_len=500, multiline=False)


def list_units(
    session: Session, *, level: str | None = None, search: str | None = None, merged: bool = True
) -> list[dict[str, Any]]:
    """Units by region code (``UNIT_KEYS``); ``search`` finds a text in the name, a region code
    prefix or a credit code; ``merged=False`` leaves out units merged into others."""
    parent = aliased(Unit)
    successor = aliased(Unit)
    query = (
        select(Unit, parent.name, successor.name)
        .outerjoin(parent, Unit.parent_id == parent.id)
        .outerjoin(successor, Unit.merged_into_id == successor.id)
        .order_by(Unit.region_code, Unit.id)
    )
    if level:
        query = query.where(Unit.level == v.level(level))
    if search and search.strip():
        text = search.strip()
        query = query.where(
            Unit.name.contains(text, autoescape=True)
            | Unit.region_code.startswith(text, autoescape=True)
            | (Unit.credit_code == text.upper())
        )
    if not merged:
        query = query.where(Unit.merged_into_id.is_(None))
    return [
        {
            "id": u.id,
            "name": u.name,
            "level": u.level,
            "kind": u.kind,
            "region": u.region_code,
            "parent": parent_name,
            "credit_code": u.credit_code,
            "merged_into": successor_name,
        }
        for u, parent_name, successor_name in session.execute(query)
    ]
