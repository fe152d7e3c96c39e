"""Truth tables for the registry-side rules: duplicate_account, similar_low_use,
filing_mismatch, relay_missed, no_interaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.check.facts import duplicates
from monitor.rules import RULES, AccountFacts, Context, PostFacts

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
CTX = Context(at=AT, window_from=AT - timedelta(days=7), window_to=AT)


@pytest.mark.parametrize(
    ("accounts", "expected"),
    [
        ([(1, 10, "weibo", "active"), (2, 10, "weibo", "active")], {1: [2], 2: [1]}),
        ([(1, 10, "weibo", "active"), (2, 10, "douyin", "active")], {}),
        ([(1, 10, "weibo", "active"), (2, 11, "weibo", "active")], {}),
        ([(1, 10, "weibo", "active"), (2, 10, "weibo", "closed")], {}),
        (
            [(1, 10, "weibo", "active"), (2, 10, "weibo", "active"), (3, 10, "weibo", "active")],
            {1: [2, 3], 2: [1, 3], 3: [1, 2]},
        ),
    ],
)
def test_duplicates(accounts: list[tuple[int, int, str, str]], expected: dict[int, list[int]]) -> None:
    rows = [{"id": i, "unit_id": u, "platform": p, "status": s} for i, u, p, s in accounts]
    assert duplicates(rows) == expected


@pytest.mark.parametrize(("dups", "expected"), [([], False), ([5], True), ([5, 6], True)])
def test_duplicate_account(dups: list[int], expected: bool) -> None:
    acct = AccountFacts(id=1, unit="某局", duplicates=dups)
    result = RULES["duplicate_account"].check(acct, CTX, {})
    assert bool(result) is expected
    if expected:
        assert result[0]["accounts"] == dups


@pytest.mark.parametrize(
    ("overlap", "followers", "engagement", "expected"),
    [
        (0.8, 100, 1, True),
        (0.4, 100, 1, False),  # overlap below 0.5
        (0.8, 5000, 1, False),  # well followed
        (0.8, 100, 50, False),  # well used
        (0.8, None, 0, True),  # no follower snapshot: treated as low
        (0.5, 1000, 5, True),  # at the bars
    ],
)
def test_similar_low_use(overlap: float, followers: int | None, engagement: int, expected: bool) -> None:
    posts = [PostFacts(id=1, published_at=AT - timedelta(days=1), engagement=engagement)]
    acct = AccountFacts(id=1, posts=posts, overlap=overlap, partners=[2], snapshot={"followers": followers})
    cfg = {"min_overlap": 0.5, "max_followers": 1000, "max_engagement": 5}
    assert bool(RULES["similar_low_use"].check(acct, CTX, cfg)) is expected


@pytest.mark.parametrize(
    ("shown", "status", "post_after_close", "verified", "expected"),
    [
        ("某局发布", "active", False, True, False),
        ("某局发布 ", "active", False, True, False),  # surrounding space is not a rename
        ("某局微发布", "active", False, True, True),  # renamed without a change filing
        (None, "active", False, None, False),  # nothing known
        ("某局发布", "closed", True, True, True),  # posts after closing
        ("某局发布", "closed", False, True, False),
        ("某局发布", "cancelled", True, True, True),
        ("某局发布", "active", False, False, True),  # not verified by the platform
    ],
)
def test_filing_mismatch(
    shown: str | None, status: str, post_after_close: bool, verified: bool | None, expected: bool
) -> None:
    closed_at = AT - timedelta(days=3)
    posts = [PostFacts(id=1, published_at=closed_at + timedelta(days=1 if post_after_close else -1))]
    acct = AccountFacts(
        id=1,
        name="某局发布",
        status=status,
        status_at=closed_at,
        posts=posts,
        snapshot={"shown_name": shown, "verified": verified},
    )
    assert bool(RULES["filing_mismatch"].check(acct, CTX, {})) is expected


@pytest.mark.parametrize(
    ("relayed_hours", "due_hours", "expected"),
    [
        (None, 24, True),
        (2, 24, False),
        (24, 24, False),
        (30, 24, True),  # late
    ],
)
def test_relay_missed(relayed_hours: float | None, due_hours: int, expected: bool) -> None:
    published = AT - timedelta(days=3)
    due_at = published + timedelta(hours=due_hours)
    relayed_at = published + timedelta(hours=relayed_hours) if relayed_hours is not None else None
    post = PostFacts(id=9, published_at=relayed_at) if relayed_at else None
    acct = AccountFacts(
        id=1,
        relays=[
            {
                "release_id": 1,
                "title": "重要通知",
                "due_at": due_at,
                "relayed_at": relayed_at,
                "post": post,
                "on_time": bool(relayed_at and relayed_at <= due_at),
            }
        ],
    )
    result = RULES["relay_missed"].check(acct, CTX, {})
    assert bool(result) is expected
    if expected and relayed_at:
        assert result[0]["posts"][0]["post_id"] == 9 and "逾期" in result[0]["note"]


def test_no_interaction_comes_only_from_observations() -> None:
    assert RULES["no_interaction"].check(AccountFacts(id=1), CTX, {}) == []
    assert RULES["no_interaction"].level == "veto"


def test_every_rule_is_documented() -> None:
    for code, r in RULES.items():
        assert r.name and r.doc, code
        assert r.level in ("veto", "deduct", "warn", "info")
