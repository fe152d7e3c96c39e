"""The registry as it stood at a moment: openings, and who was in service at T with their unit,
name and level then, rebuilt from the audit trail (truth tables)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from registry.checks import data as check_data
from registry.collection import store as collection
from registry.db import session_scope
from registry.filing import accounts as filing
from registry.filing.history import opening, registry_at
from registry.filing.models import FilingEvent
from registry.timeutil import TZ, day_start
from tests.factories import CITY, COUNTY, small_registry

T = datetime(2026, 11, 23, 10, 0, tzinfo=TZ).astimezone(UTC)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("opened_on", "first_post_days", "filed_days", "expected_days", "basis"),
    [
        (date(2026, 11, 1), None, 0, (T - day_start(date(2026, 11, 1))) / DAY, "opened_on"),
        (date(2026, 11, 1), 60, 0, 60, "first_post"),  # posts older than the 开设日期
        (date(2026, 11, 1), 10, 0, (T - day_start(date(2026, 11, 1))) / DAY, "opened_on"),
        (None, 150, 10, 150, "first_post"),  # filed late (补充备案): it has existed 150 days
        (None, 5, 10, 10, "filed"),  # 先报备后开设: filed before its first post
        (None, None, 10, 10, "filed"),
    ],
)
def test_opening(
    opened_on: date | None, first_post_days: float | None, filed_days: float, expected_days: float, basis: str
) -> None:
    first = T - first_post_days * DAY if first_post_days is not None else None
    opened = opening(opened_on=opened_on, first_post=first, filed_at=T - filed_days * DAY)
    assert opened.basis == basis and (T - opened.at) / DAY == pytest.approx(expected_days)


def _backdate(s, account_id: int, action: str, at: datetime) -> None:  # type: ignore[no-untyped-def]
    """Place one step of an account's audit trail at ``at`` (the trail is what the past is)."""
    event = s.scalar(
        select(FilingEvent)
        .where(FilingEvent.account_id == account_id, FilingEvent.action == action)
        .order_by(FilingEvent.id.desc())
    )
    event.at = at


def _file(
    s, name: str, pid: str, *, unit: str = CITY, opened_on: str | None = None, reason: str | None = None
):  # type: ignore[no-untyped-def]
    return filing.file_account(
        s,
        unit=unit,
        platform="weibo",
        name=name,
        platform_id=pid,
        opened_on=opened_on,
        reason=reason,
        actor="t",
    )


@pytest.fixture
def registry(any_db: str) -> tuple[str, dict[str, int]]:
    small_registry(any_db)
    ids: dict[str, int] = {}
    with session_scope(any_db) as s:
        a = _file(s, "在用", "2000001", opened_on="2025-01-01")
        filing.approve(s, a.id, actor="t")
        _backdate(s, a.id, "file", T - 400 * DAY)
        _backdate(s, a.id, "approve", T - 399 * DAY)
        ids["active"] = a.id
        b = _file(s, "开设晚于T", "2000002", opened_on="2026-11-30", reason="r")
        filing.approve(s, b.id, actor="t")
        ids["opened_after"] = b.id
        c = _file(s, "T之后关停", "2000003", opened_on="2025-01-01", reason="r")
        filing.approve(s, c.id, actor="t")
        filing.close(s, c.id, reason="整合", actor="t")
        _backdate(s, c.id, "file", T - 300 * DAY)
        _backdate(s, c.id, "approve", T - 300 * DAY)
        _backdate(s, c.id, "close", T + 2 * DAY)
        ids["closed_after"] = c.id
        d = _file(s, "T之前注销", "2000004", opened_on="2025-01-01", reason="r")
        filing.approve(s, d.id, actor="t")
        filing.cancel(s, d.id, reason="注销", actor="t")
        _backdate(s, d.id, "file", T - 300 * DAY)
        _backdate(s, d.id, "approve", T - 300 * DAY)
        _backdate(s, d.id, "cancel", T - 5 * DAY)
        ids["cancelled_before"] = d.id
        e = _file(s, "补充备案", "2000005", reason="r")  # filed and approved after T, posts go back
        filing.approve(s, e.id, actor="t")
        collection.upsert_posts(s, e.id, [{"post_id": "old", "published_at": T - 150 * DAY}])
        ids["filed_late"] = e.id
        f = _file(s, "待审核", "2000006", opened_on="2025-01-01", reason="r")
        ids["pending"] = f.id
        g = _file(s, "撤回", "2000007", opened_on="2025-01-01", reason="r")
        filing.cancel(s, g.id, reason="撤回报备", actor="t")
        ids["withdrawn"] = g.id
        h = _file(s, "旧名称", "2000008", opened_on="2025-01-01", reason="r")
        filing.approve(s, h.id, actor="t")
        filing.change(s, h.id, reason="更名并划转", name="新名称", unit=COUNTY, actor="t")
        _backdate(s, h.id, "file", T - 300 * DAY)
        _backdate(s, h.id, "approve", T - 300 * DAY)
        _backdate(s, h.id, "change", T + DAY)
        ids["renamed_after"] = h.id
        k = _file(s, "无开设信息", "2000009", reason="r")  # filed after T, no 开设日期, no post
        filing.approve(s, k.id, actor="t")
        _backdate(s, k.id, "file", T + 2 * DAY)  # the trail, not the day the test runs, says when
        _backdate(s, k.id, "approve", T + 2 * DAY)
        k.filed_at = k.approved_at = k.status_at = T + 2 * DAY
        ids["unknown_opening"] = k.id
    return any_db, ids


def test_registry_at_a_past_time(registry: tuple[str, dict[str, int]]) -> None:
    url, ids = registry
    with session_scope(url) as s:
        past = check_data.accounts_at(s, at=T)
        later = check_data.accounts_at(s, at=T + 10 * DAY)
    in_service = {a["id"]: a for a in past.in_service}
    role = {v: k for k, v in ids.items()}
    assert {role[i] for i in in_service} == {"active", "closed_after", "filed_late", "renamed_after"}
    assert set(past.ended) == {ids["cancelled_before"]}
    renamed = in_service[ids["renamed_after"]]
    assert (renamed["name"], renamed["unit"], renamed["level"]) == ("旧名称", CITY, "city")
    assert in_service[ids["filed_late"]]["opening_basis"] == "first_post"
    now_ids = {role[a["id"]] for a in later.in_service}
    assert now_ids == {"active", "opened_after", "filed_late", "renamed_after", "unknown_opening"}
    assert set(later.ended) == {ids["closed_after"], ids["cancelled_before"]}
    renamed_now = next(a for a in later.in_service if a["id"] == ids["renamed_after"])
    assert (renamed_now["name"], renamed_now["level"]) == ("新名称", "county")


def test_an_account_without_a_trail_is_read_from_its_row(sqlite_db: str) -> None:
    from sqlalchemy import insert

    from registry.filing.models import Account

    small_registry(sqlite_db)
    with session_scope(sqlite_db) as s:
        s.execute(
            insert(Account),
            [
                {
                    "id": 50,
                    "unit_id": 1,
                    "platform": "weibo",
                    "name": "批量",
                    "platform_id": "3000001",
                    "status": "active",
                    "filed_at": T - 30 * DAY,
                    "approved_at": T - 30 * DAY,
                    "status_at": T - 30 * DAY,
                }
            ],
        )
    with session_scope(sqlite_db) as s:
        assert [a["id"] for a in registry_at(s, at=T).in_service] == [50]
        assert registry_at(s, at=T - 31 * DAY).in_service == []
