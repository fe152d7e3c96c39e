"""Search queries made from the registry, jurisdiction by jurisdiction.

For every unit: its full name (兰州市城关区教育局) and its short name without the higher
regions (城关区教育局). For every region and unit, the usual account-name forms of the
configuration (``[discovery] forms``), with these placeholders:

- ``{地名}`` the region's stem (城关, 兰州, 甘肃); ``{地名全称}`` its own name (城关区);
- ``{局简称}`` the unit's name without places and its 局/厅/委/办/中心 ending (教育);
- ``{单位简称}`` the unit's short name (城关区教育局).

A form may end in ``=关键词``: the account belongs to the region's unit whose name contains the
keyword (平安{地名}=公安 → 城关区公安分局); a region form without one belongs to the region's
government. The same text is searched once per platform. Every query carries its region and
unit, so the matcher and the reports can say whose jurisdiction a search covered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from monitor.discovery.places import Region, clean, leading_places, regions_of, strip_places
from registry.validation import region_level, region_within

DEFAULT_FORMS = (
    "{地名}发布",
    "平安{地名}=公安",
    "{地名}公安=公安",
    "{地名}网信=网信",
    "{地名}融媒=融媒体中心",
    "{地名}{局简称}",
)
PLACEHOLDERS = ("{地名}", "{地名全称}", "{局简称}", "{单位简称}")
UNIT_PLACEHOLDERS = ("{局简称}", "{单位简称}")
_ENDING = re.compile(r"(?:分局|局|厅|委员会|委|办公室|办|中心|处|站|所|支队|大队|中队|队)$")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class Form:
    """One account-name form: its template and the keyword naming whose account it is."""

    template: str
    keyword: str | None = None

    @property
    def per_unit(self) -> bool:
        return any(p in self.template for p in UNIT_PLACEHOLDERS)


def parse_form(text: str) -> Form:
    """``平安{地名}=公安`` → Form("平安{地名}", "公安"); ValueError (Chinese) when malformed."""
    template, _, keyword = str(text).strip().partition("=")
    template, keyword = template.strip(), keyword.strip()
    unknown = [p for p in _PLACEHOLDER.findall(template) if p not in PLACEHOLDERS]
    if unknown:
        raise ValueError(f"未知的占位符 {unknown[0]}，可用 " + "、".join(PLACEHOLDERS))
    if not any(p in template for p in PLACEHOLDERS):
        raise ValueError("账号名称形式至少要含 {地名}、{地名全称}、{局简称} 或 {单位简称} 之一")
    return Form(template, keyword or None)


def dept_short(unit_name: str, region: Region | None = None) -> str:
    """教育局 → 教育, 兰州市公安局城关分局 → 公安, 卫生健康委员会 → 卫生健康: the unit's name
    without places (also the region's own name or stem inside it) and without its ending."""
    rest = strip_places(unit_name).replace("人民", "")
    for place in (*region.chain, region.stem) if region is not None else ():
        rest = rest.replace(place, "")
    short = rest
    for _ in range(2):
        cut = _ENDING.sub("", short)
        if len(cut) < 2:
            break
        short = cut
    return short


def short_name(unit_name: str, region: Region) -> str:
    """兰州市城关区教育局 → 城关区教育局: the name from the unit's own region on."""
    name = clean(unit_name)
    places = leading_places(name)
    if region.own in places:
        return name[name.index(region.own) :]
    return name


@dataclass(frozen=True)
class Planned:
    """One query text with the region and unit it was made for."""

    text: str
    region_code: str
    unit_id: int | None
    form: str


def plan(
    units: Sequence[dict[str, Any]],
    *,
    forms: Sequence[Form],
    region: str | None = None,
    unit_id: int | None = None,
) -> list[Planned]:
    """The queries of every jurisdiction in scope (all, one region code, or one unit), ordered
    by region and unit; each text once."""
    table = regions_of(units)
    chosen = [u for u in units if _in_scope(u, region)]
    by_region: dict[str, list[dict[str, Any]]] = {}
    for u in chosen:
        by_region.setdefault(u["region_code"], []).append(u)
    out: dict[str, Planned] = {}
    for code in sorted(by_region):
        reg = table[code]
        members = sorted(by_region[code], key=lambda u: u["id"])
        for planned in _region_queries(reg, members, forms):
            if unit_id is None or planned.unit_id == unit_id:
                out.setdefault(planned.text, planned)
    return list(out.values())


def _in_scope(unit: dict[str, Any], region: str | None) -> bool:
    return region is None or region_within(unit["region_code"], region, region_level(region))


def _region_queries(reg: Region, members: list[dict[str, Any]], forms: Sequence[Form]) -> list[Planned]:
    out: list[Planned] = []
    for u in members:
        out.append(Planned(clean(u["name"]), reg.code, u["id"], "单位全称"))
        short = short_name(u["name"], reg)
        if short != clean(u["name"]):
            out.append(Planned(short, reg.code, u["id"], "单位简称"))
        for form in forms:
            if not form.per_unit or (form.keyword is not None and form.keyword not in u["name"]):
                continue
            if "{局简称}" in form.template and u.get("kind") == "government":
                continue  # 城关政府 is nobody's account name
            out.append(Planned(fill(form, reg, u), reg.code, u["id"], form.template))
    for form in forms:
        if form.per_unit:
            continue
        owner = owner_of(form, members)
        if form.keyword is not None and owner is None:
            continue  # 平安{地名} only where the region has a 公安 unit
        out.append(Planned(fill(form, reg, None), reg.code, owner["id"] if owner else None, form.template))
    return out


def owner_of(form: Form, members: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """Whose account a region form names: the unit whose name has the keyword, else the
    region's government (non-township)."""
    ranked = sorted(members, key=lambda u: (u.get("level") == "township", u["id"]))
    if form.keyword is not None:
        return next((u for u in ranked if form.keyword in u["name"]), None)
    return next((u for u in ranked if u.get("kind") == "government" and u.get("level") != "township"), None)


def fill(form: Form, reg: Region, unit: dict[str, Any] | None) -> str:
    text = form.template.replace("{地名全称}", reg.own).replace("{地名}", reg.stem)
    if unit is not None:
        text = text.replace("{局简称}", dept_short(unit["name"], reg)).replace(
            "{单位简称}", short_name(unit["name"], reg)
        )
    return clean(text)
