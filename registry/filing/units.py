"""主办单位: adding units and finding them by id or name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from registry import validation as v
from registry.errors import Conflict, InvalidValue, NotFound
from registry.filing.models import FilingEvent, Unit
from registry.vocab import LEVEL_RANK, UNIT_LEVEL


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
    name = v.text(name, "单位名称")
    level = v.level(level)
    kind = v.kind(kind)
    region = v.region_code(region, level)
    code = v.credit_code(credit_code) if credit_code else None
    parent_unit = find_unit(session, parent, "上级单位") if parent else None
    if parent_unit is not None:
        if LEVEL_RANK[level] < LEVEL_RANK[parent_unit.level]:
            raise InvalidValue(
                "上级单位",
                parent,
                f"上级单位是{UNIT_LEVEL.label(parent_unit.level)}，不能管理{UNIT_LEVEL.label(level)}单位",
            )
        if not v.region_within(region, parent_unit.region_code, parent_unit.level):
            raise InvalidValue(
                "行政区划代码",
                region,
                f"不在上级单位「{parent_unit.name}」的区划 {parent_unit.region_code} 之内",
            )
    if session.scalar(select(Unit.id).where(Unit.name == name)) is not None:
        raise Conflict("单位名称", name, "该单位已存在")
    if code and session.scalar(select(Unit.id).where(Unit.credit_code == code)) is not None:
        raise Conflict("统一社会信用代码", code, "已被其他单位使用")
    unit = Unit(
        name=name,
        level=level,
        kind=kind,
        region_code=region,
        credit_code=code,
        parent_id=parent_unit.id if parent_unit else None,
    )
    session.add(unit)
    session.flush()
    session.add(
        FilingEvent(
            actor=actor,
            action="unit_add",
            unit_id=unit.id,
            changes={"name": [None, name], "level": [None, level], "region": [None, region]},
        )
    )
    return unit


def list_units(session: Session, *, level: str | None = None) -> list[dict[str, Any]]:
    parent = aliased(Unit)
    query = (
        select(Unit, parent.name)
        .outerjoin(parent, Unit.parent_id == parent.id)
        .order_by(Unit.region_code, Unit.id)
    )
    if level:
        query = query.where(Unit.level == v.level(level))
    return [
        {
            "id": u.id,
            "name": u.name,
            "level": u.level,
            "kind": u.kind,
            "region": u.region_code,
            "parent": parent_name,
            "credit_code": u.credit_code,
        }
        for u, parent_name in session.execute(query)
    ]
