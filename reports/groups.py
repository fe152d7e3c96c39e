"""Grouping accounts by unit, 市州, 县区 and platform, and the pass rate of each group.

A unit's 市州 is the prefecture of its region code (first four digits + "00"); provincial
units form the group "省直部门". A region is named after the government unit registered at
that region code (e.g. "兰州市人民政府" → "兰州市"), else after the code itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from registry.report_data import AccountFacts, UnitFacts
from reports.text import pct, platform_name, rate

PROVINCIAL = "省直部门"
GOV_SUFFIXES = ("人民政府办公厅", "人民政府办公室", "人民政府", "政府")


@dataclass(frozen=True)
class RateRow:
    """One group's figures; ``rate_text`` is what the text, the annex and the chart show."""

    key: str
    label: str
    fallback: str
    checked: int
    qualified: int
    unqualified: int
    rate: float
    rate_text: str


class Regions:
    """Names of 市州 and 县区 taken from the registered government units."""

    def __init__(self, units: dict[int, UnitFacts]) -> None:
        self.units = units
        self.names: dict[str, str] = {}
        for unit in sorted(units.values(), key=lambda u: (u.kind != "government", u.id)):
            if unit.level in ("city", "county") and unit.region_code not in self.names:
                self.names[unit.region_code] = _short(unit.name)

    def city(self, unit: UnitFacts) -> tuple[str, str]:
        """(code, name) of the unit's 市州, or ("000000", "省直部门") so provincial units sort first."""
        if unit.level == "province":
            return "000000", PROVINCIAL
        code = unit.region_code[:4] + "00"
        return code, self.names.get(code, code)

    def county(self, unit: UnitFacts) -> tuple[str, str] | None:
        """(code, name) of the unit's 县区, or None for provincial and 市州-level units."""
        if unit.level not in ("county", "township"):
            return None
        return unit.region_code, self.names.get(unit.region_code, unit.region_code)

    def place(self, unit: UnitFacts) -> str:
        """'兰州市/城关区/城关区教育局' style label for the annex's 地区/主办单位 column."""
        parts = [self.city(unit)[1]]
        county = self.county(unit)
        if county is not None:
            parts.append(county[1])
        if unit.name not in parts:
            parts.append(unit.name)
        return "/".join(parts)


def _short(name: str) -> str:
    for suffix in GOV_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def rate_rows(
    keyed: Iterable[tuple[int, str, str, str]], checked: set[int], unqualified: set[int]
) -> list[RateRow]:
    """Per-group figures from (account_id, key, label, fallback) of the checked accounts,
    sorted by rate (high first), then label."""
    members: dict[str, set[int]] = defaultdict(set)
    labels: dict[str, tuple[str, str]] = {}
    for account_id, key, label, fallback in keyed:
        if account_id in checked:
            members[key].add(account_id)
            labels[key] = (label, fallback)
    rows = []
    for key, ids in members.items():
        bad = len(ids & unqualified)
        value = rate(len(ids) - bad, len(ids))
        assert value is not None
        rows.append(
            RateRow(
                key, labels[key][0], labels[key][1], len(ids), len(ids) - bad, bad, float(value), pct(value)
            )
        )
    return sorted(rows, key=lambda r: (-r.rate, r.label))


def by_platform(facts: dict[int, AccountFacts], checked: set[int], unqualified: set[int]) -> list[RateRow]:
    keyed = ((a.id, a.platform, platform_name(a.platform), a.platform) for a in facts.values())
    return rate_rows(keyed, checked, unqualified)


def by_city(
    facts: dict[int, AccountFacts], regions: Regions, checked: set[int], unqualified: set[int]
) -> list[RateRow]:
    def keyed() -> Iterable[tuple[int, str, str, str]]:
        for a in facts.values():
            code, name = regions.city(regions.units[a.unit_id])
            yield a.id, code, name, code

    return rate_rows(keyed(), checked, unqualified)


def by_county(
    facts: dict[int, AccountFacts], regions: Regions, checked: set[int], unqualified: set[int]
) -> list[RateRow]:
    def keyed() -> Iterable[tuple[int, str, str, str]]:
        for a in facts.values():
            county = regions.county(regions.units[a.unit_id])
            if county is not None:
                yield a.id, county[0], county[1], county[0]

    return rate_rows(keyed(), checked, unqualified)


def by_unit(
    facts: dict[int, AccountFacts], regions: Regions, checked: set[int], unqualified: set[int]
) -> list[RateRow]:
    def keyed() -> Iterable[tuple[int, str, str, str]]:
        for a in facts.values():
            unit = regions.units[a.unit_id]
            yield a.id, str(unit.id), unit.name, str(unit.id)

    return rate_rows(keyed(), checked, unqualified)
