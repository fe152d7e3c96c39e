"""Grouping accounts by unit, 市州, 县区 and platform, and the pass rate of each group.

A unit's 市州 is the prefecture of its region code (first four digits + "00"); provincial
units form the group "省直部门". A region is named after the government unit registered at
that region code (e.g. "兰州市人民政府" → "兰州市"), else after the code itself (a
department's name never stands for its region).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from monitor import figures
from registry.filing.queries import UnitBrief
from reports.text import pct, platform_name

PROVINCIAL = "省直部门"
GOV_SUFFIXES = ("人民政府办公厅", "人民政府办公室", "人民政府", "政府")


@dataclass(frozen=True)
class RateRow:
    """One group's figures; ``rate_text`` is what the text, the annex and the chart show."""

    key: str
    label: str
    checked: int
    qualified: int
    unqualified: int
    rate: float
    rate_text: str


class Regions:
    """Names of 市州 and 县区 taken from the registered government units."""

    def __init__(self, units: dict[int, UnitBrief]) -> None:
        self.units = units
        self.names: dict[str, str] = {}
        for unit in sorted(units.values(), key=lambda u: u.id):
            named = unit.kind == "government" or unit.name.endswith(GOV_SUFFIXES)
            if named and unit.level in ("city", "county") and unit.region_code not in self.names:
                self.names[unit.region_code] = _short(unit.name)

    def city(self, unit: UnitBrief) -> tuple[str, str]:
        """(code, name) of the unit's 市州, or ("000000", "省直部门") so provincial units sort first."""
        if unit.level == "province":
            return "000000", PROVINCIAL
        code = unit.region_code[:4] + "00"
        return code, self.names.get(code, code)

    def county(self, unit: UnitBrief) -> tuple[str, str] | None:
        """(code, name) of the unit's 县区, or None for provincial and 市州-level units."""
        if unit.level not in ("county", "township"):
            return None
        return unit.region_code, self.names.get(unit.region_code, unit.region_code)

    def place(self, unit: UnitBrief) -> str:
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


class Grouping:
    """The checked accounts as a DataFrame (platform, unit, 市州, 县区, failed or not), so each
    breakdown is one ``groupby`` even for a national registry."""

    def __init__(
        self,
        accounts: Iterable[tuple[int, str, int]],
        regions: Regions,
        checked: set[int],
        unqualified: set[int],
        *,
        decimals: int = figures.DEFAULT_DECIMALS,
    ) -> None:
        self.decimals = decimals
        frame = pd.DataFrame(list(accounts), columns=["id", "platform", "unit_id"])
        frame = frame[frame["id"].isin(list(checked))].copy()
        frame["bad"] = frame["id"].isin(list(unqualified))
        places = []
        for unit_id in frame["unit_id"].unique().tolist():
            unit = regions.units[unit_id]
            city = regions.city(unit)
            county = regions.county(unit) or ("", "")
            places.append((unit_id, str(unit_id), unit.name, city[0], city[1], county[0], county[1]))
        columns = ["unit_id", "unit_key", "unit", "city_code", "city", "county_code", "county"]
        self.frame = frame.merge(pd.DataFrame(places, columns=columns), on="unit_id", how="left")
        self.frame["platform_label"] = self.frame["platform"].map(platform_name)

    def _rows(self, key: str, label: str) -> list[RateRow]:
        """Rows keyed by ``key`` and named by ``label``."""
        frame = self.frame[self.frame[key] != ""] if key == "county_code" else self.frame
        if frame.empty:
            return []
        grouped = (
            frame.groupby([key, label], sort=False)
            .agg(checked=("id", "size"), bad=("bad", "sum"))
            .reset_index()
        )
        rows = []
        for k, name, checked, bad in grouped.itertuples(index=False):
            value = figures.pass_rate(int(checked) - int(bad), int(bad), self.decimals)
            assert value is not None
            rows.append(
                RateRow(
                    str(k),
                    str(name),
                    int(checked),
                    int(checked) - int(bad),
                    int(bad),
                    float(value),
                    pct(value),
                )
            )
        return sorted(rows, key=lambda r: (-r.rate, r.label))

    def by_platform(self) -> list[RateRow]:
        return self._rows("platform", "platform_label")

    def by_city(self) -> list[RateRow]:
        return self._rows("city_code", "city")

    def by_county(self) -> list[RateRow]:
        return self._rows("county_code", "county")

    def by_unit(self) -> list[RateRow]:
        return self._rows("unit_key", "unit")
