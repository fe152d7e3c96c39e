"""Truth tables for the update rules: no_update, update_warning, update_slow, shell_account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.rules import RULES, AccountFacts, Context, PostFacts

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def ctx(window_days: float = 7) -> Context:
    return Context(at=AT, window_from=AT - timedelta(days=window_days), window_to=AT)


def account(post_days_ago: list[float], **kw: object) -> AccountFacts:
    posts = [
        PostFacts(id=i + 1, published_at=AT - timedelta(days=d), title=f"t{i}", url=f"u{i}")
        for i, d in enumerate(sorted(post_days_ago, reverse=True))
    ]
    last = max((p.published_at for p in posts), default=None)
    return AccountFacts(
        id=1,
        unit="单位",
        name="账号",
        posts=posts,
        last_post_at=last,
        last_post=posts[-1] if posts else None,
        **kw,
    )  # type: ignore[arg-type]


def fired(code: str, acct: AccountFacts, cfg: dict[str, object], window_days: float = 7) -> bool:
    return bool(RULES[code].check(acct, ctx(window_days), cfg))


@pytest.mark.parametrize(
    ("idle_days", "threshold", "expected"),
    [
        (None, 14, True),  # never posted
        (0.5, 14, False),
        (13.99, 14, False),
        (14.0, 14, True),  # exactly two weeks before the check time: no post within them
        (20, 14, True),
        (8, 7, True),
        (6, 7, False),
    ],
)
def test_no_update(idle_days: float | None, threshold: int, expected: bool) -> None:
    acct = account([] if idle_days is None else [idle_days])
    assert fired("no_update", acct, {"days": threshold}) is expected


def test_no_update_evidence_names_the_last_post() -> None:
    acct = account([20])
    [ev] = RULES["no_update"].check(acct, ctx(30), {"days": 14})
    assert ev["posts"][0]["post_id"] == 1 and ev["posts"][0]["url"] == "u0"
    assert ev["last_post_at"].endswith("+08:00")
    assert ev["metrics"]["idle_days"] == 20 and ev["threshold"]["days"] == 14


@pytest.mark.parametrize(
    ("idle_days", "warn_days", "veto_days", "expected"),
    [
        (None, 7, 14, False),  # never posted: no_update covers it
        (6.9, 7, 14, False),
        (7, 7, 14, True),
        (13, 7, 14, True),
        (14, 7, 14, False),  # vetoed instead
        (11, 10, 14, True),
        (9, 10, 14, False),
    ],
)
def test_update_warning(idle_days: float | None, warn_days: int, veto_days: int, expected: bool) -> None:
    acct = account([] if idle_days is None else [idle_days])
    assert fired("update_warning", acct, {"days": warn_days, "veto_days": veto_days}) is expected


@pytest.mark.parametrize(
    ("posts", "max_gap", "min_pm", "expected"),
    [
        ([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29], 10, 4, False),  # regular
        ([1, 2, 3, 4, 5, 28], 10, 4, True),  # 23-day gap inside the 30-day window
        ([1, 9, 18, 27], 10, 4, False),  # gaps 9, 9, 3 (+1 at each end); 4 a month
        ([2, 12, 22], 10, 4, True),  # 3 posts a month < 4
        ([2, 12, 22], 10, 3, False),
        ([], 10, 4, False),  # no post at all: no_update vetoes, no double count
        ([20], 10, 4, False),  # idle 20 days: vetoed, not deducted
    ],
)
def test_update_slow(posts: list[float], max_gap: float, min_pm: float, expected: bool) -> None:
    cfg = {"max_gap_days": max_gap, "min_posts_per_month": min_pm, "veto_days": 14}
    assert fired("update_slow", account(posts), cfg, window_days=30) is expected


@pytest.mark.parametrize(
    ("recent", "max_posts", "opened_days_ago", "expected"),
    [
        (0, 2, 400, True),
        (2, 2, 400, True),
        (3, 2, 400, False),
        (0, 2, 30, False),  # opened a month ago: too young to call a shell
        (0, 2, None, True),  # opening time unknown
    ],
)
def test_shell_account(recent: int, max_posts: int, opened_days_ago: int | None, expected: bool) -> None:
    opened = AT - timedelta(days=opened_days_ago) if opened_days_ago is not None else None
    acct = account([], recent_posts=recent, approved_at=opened)
    assert fired("shell_account", acct, {"span_days": 90, "max_posts": max_posts}) is expected
