"""``govmedia demo --web``: a demo user for each role over the demo database, and two filings
awaiting approval, so the workbench has something for everyone to do.

The logins are printed with the address; the password is the same demo password for all
(a demo database is for trying, never for real data).
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.db import session_scope
from registry.filing import accounts as filing
from registry.users.store import add_user
from registry.vocab import USER_ROLE

DEMO_PASSWORD = "demo-2026"
COUNTY = "兰州市城关区人民政府"


@dataclass(frozen=True)
class DemoUser:
    name: str
    unit: str
    role: str

    @property
    def role_label(self) -> str:
        return USER_ROLE.label(self.role)


DEMO_USERS = (
    DemoUser("admin", "甘肃省人民政府", "admin"),
    DemoUser("sheng", "甘肃省人民政府", "supervisor"),
    DemoUser("lanzhou", "兰州市人民政府", "supervisor"),
    DemoUser("fuhe", "兰州市人民政府", "reviewer"),
    DemoUser("chengguan", COUNTY, "filer"),
    DemoUser("guest", "兰州市人民政府", "readonly"),
)


def add_demo_users(db: str) -> tuple[DemoUser, ...]:
    """Add the demo users (and two filings of 城关区 for 兰州's supervisor to approve)."""
    with session_scope(db) as s:
        for user in DEMO_USERS:
            add_user(s, name=user.name, unit=user.unit, role=user.role, password=DEMO_PASSWORD, actor="演示")
        for platform, name, pid in (
            ("douyin", "城关发布抖音号", "72000001"),
            ("kuaishou", "城关融媒快手号", "72000002"),
        ):
            # the demo registry may already hold an account of 城关区 on the platform: the reason
            # is what a second account needs (一个单位原则上在同一平台只开设一个账号)
            filing.file_account(
                s,
                unit=COUNTY,
                platform=platform,
                name=name,
                platform_id=pid,
                reason="演示：新开设账号，先报备后开设",
                actor="chengguan",
            )
    return DEMO_USERS
