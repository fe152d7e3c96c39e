"""Test data built through the registry library (never raw SQL)."""

from __future__ import annotations

from registry.db import session_scope, upgrade
from registry.filing import accounts as filing
from registry.filing import units
from registry.validation import credit_check_char

PROVINCE = "甘肃省人民政府"
CITY = "兰州市人民政府"
COUNTY = "兰州市城关区人民政府"
DEPT = "甘肃省教育厅"


def credit(first17: str) -> str:
    return first17 + credit_check_char(first17)


def small_registry(db: str | None = None) -> None:
    """A province, a provincial department, a city and a county under it."""
    upgrade(db)
    with session_scope(db) as s:
        units.add_unit(
            s,
            name=PROVINCE,
            level="province",
            region="620000",
            credit_code=credit("11620000013901271"),
            actor="factory",
        )
        units.add_unit(
            s,
            name=DEPT,
            level="province",
            region="620000",
            kind="department",
            parent=PROVINCE,
            actor="factory",
        )
        units.add_unit(s, name=CITY, level="city", region="620100", parent=PROVINCE, actor="factory")
        units.add_unit(s, name=COUNTY, level="county", region="620102", parent=CITY, actor="factory")


def active_account(
    db: str | None,
    *,
    unit: str,
    platform: str,
    name: str,
    platform_id: str,
    reason: str | None = None,
    **extra: object,
) -> int:
    with session_scope(db) as s:
        account = filing.file_account(
            s,
            unit=unit,
            platform=platform,
            name=name,
            platform_id=platform_id,
            reason=reason,
            actor="factory",
            **extra,
        )
        filing.approve(s, account.id, actor="factory")
        return account.id
