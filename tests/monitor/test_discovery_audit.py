"""The registry audit (失管脱管) on the scenario's collected data, on SQLite and PostgreSQL,
with truth tables at its boundaries (how long contacts stay confirmed, how many weeks of
failed collection)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.discovery.audit import AUDIT_KEYS, AuditSettings, audit
from registry.db import session_scope
from registry.discovery.store import confirm_contacts
from registry.filing.accounts import get_account
from tests.discovery_scenario import build


def test_findings_from_collected_data(any_db: str) -> None:
    now = datetime.now(UTC)
    ids = build(any_db, now=now)
    with session_scope(any_db) as s:
        rows = audit(s, now=datetime.now(UTC))
    assert all(tuple(r) == AUDIT_KEYS for r in rows)
    assert {(r["account_id"], r["kind"]) for r in rows} == {
        (ids["media_closed"], "ended_but_active"),
        (ids["market_renamed"], "renamed_on_platform"),
        (ids["edu_gone"], "gone_on_platform"),
        (ids["media_no_contact"], "no_contact"),
        (ids["edu_failing"], "collection_failing"),
    }
    by_kind = {r["kind"]: r for r in rows}
    assert by_kind["ended_but_active"]["evidence"]["last_post"]["title"] == "关停后仍在发布的视频"
    assert "城关市场监管局" in by_kind["renamed_on_platform"]["detail"]
    assert by_kind["gone_on_platform"]["evidence"]["detail"] == "微博账号不可用：用户不存在"
    assert by_kind["no_contact"]["evidence"]["missing"] == ["负责人", "联系电话"]
    assert by_kind["collection_failing"]["evidence"]["failures"] == 4  # this week and the three before
    # as of before the rename was seen, there was nothing to say about it
    with session_scope(any_db) as s:
        earlier = audit(s, now=now - timedelta(days=2), kinds=["renamed_on_platform"])
    assert earlier == []


@pytest.mark.parametrize(
    ("days_after_filing", "confirmed_after", "stale"),
    [
        (364, None, False),
        (366, None, True),
        (366, 300, False),
        (700, 300, True),
    ],
)
def test_contacts_must_be_confirmed_every_year(
    sqlite_db: str, days_after_filing: int, confirmed_after: int | None, stale: bool
) -> None:
    ids = build(sqlite_db)
    with session_scope(sqlite_db) as s:
        filed_at = get_account(s, ids["fabu"]).approved_at
        assert filed_at is not None
        if confirmed_after is not None:
            confirm_contacts(s, [ids["fabu"]], actor="核查员", at=filed_at + timedelta(days=confirmed_after))
    with session_scope(sqlite_db) as s:
        rows = audit(
            s,
            now=filed_at + timedelta(days=days_after_filing),
            settings=AuditSettings(contacts_days=365),
            kinds=["contacts_stale"],
        )
    assert (ids["fabu"] in {r["account_id"] for r in rows}) is stale


@pytest.mark.parametrize(("weeks", "listed"), [(4, True), (8, True), (9, False)])
def test_weeks_of_failed_collection(sqlite_db: str, weeks: int, listed: bool) -> None:
    """edu_failing was collected 60 days ago, then blocked every week: it is listed once the
    period fits inside its failing streak; fabu, collected yesterday, never is."""
    now = datetime.now(UTC)
    ids = build(sqlite_db, now=now)
    with session_scope(sqlite_db) as s:
        rows = audit(s, now=now, settings=AuditSettings(failing_weeks=weeks), kinds=["collection_failing"])
    assert [r["account_id"] for r in rows] == ([ids["edu_failing"]] if listed else [])
