"""Truth tables for the update rules at every boundary: no_update, update_warning,
update_slow and shell_account, with exact times, approximate times read in the account's
favour, and the clock starting at the opening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.rules import RULES, AccountFacts, Context, PostFacts
from monitor.rules.update import silence_text
from registry.filing.history import opening

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 2026-11-23 10:00 in Beijing
MINUTE = timedelta(minutes=1)


def ctx(window_days: float = 7) -> Context:
    return Context(at=AT, window_from=AT - timedelta(days=window_days), window_to=AT)


def account(
    post_ages: list[timedelta | float],
    *,
    approx_width: timedelta | None = None,
    opened: timedelta | float | None = 400,
    **kw: object,
) -> AccountFacts:
    """Posts at the given ages (days or timedeltas before AT); ``approx_width``: each post's
    time is a span of that width starting at its age (the latest moment is later)."""
    ages = [a if isinstance(a, timedelta) else timedelta(days=a) for a in post_ages]
    posts = [
        PostFacts(
            id=i + 1,
            published_at=AT - age,
            latest=(AT - age + approx_width) if approx_width else None,
            approx=approx_width is not None,
            title=f"t{i}",
            url=f"u{i}",
        )
        for i, age in enumerate(sorted(ages, reverse=True))
    ]
    last = posts[-1] if posts else None
    opened_at = None
    if opened is not None:
        opened_at = AT - (opened if isinstance(opened, timedelta) else timedelta(days=opened))
    return AccountFacts(
        id=1,
        unit="单位",
        name="账号",
        posts=posts,
        last_post_at=min(last.latest_at, AT) if last else None,
        last_post_approx=bool(last and last.approx),
        last_post_earliest=last.published_at if last else None,
        last_post=last,
        opened_at=opened_at,
        opening_basis="opened_on",
        **kw,
    )  # type: ignore[arg-type]


def fired(code: str, acct: AccountFacts, cfg: dict[str, object], window_days: float = 7) -> bool:
    return bool(RULES[code].check(acct, ctx(window_days), cfg))


D14 = timedelta(days=14)


@pytest.mark.parametrize(
    ("age", "threshold", "expected"),
    [
        (None, 14, True),  # never posted, opened 400 days ago
        (timedelta(days=0.5), 14, False),
        (D14 - MINUTE, 14, False),  # 14 days minus a minute: within the two weeks
        (D14, 14, False),  # exactly 14 days before the check time: not earlier than the line
        (D14 + timedelta(seconds=1), 14, True),  # a second earlier than the line
        (D14 + timedelta(minutes=7), 14, True),
        (timedelta(days=20), 14, True),
        (timedelta(days=8), 7, True),
        (timedelta(days=7), 7, False),
        (timedelta(days=6), 7, False),
    ],
)
def test_no_update_line_is_exact(age: timedelta | None, threshold: int, expected: bool) -> None:
    acct = account([] if age is None else [age])
    assert fired("no_update", acct, {"days": threshold}) is expected


@pytest.mark.parametrize(
    ("age", "width", "expected"),
    [
        # "11-09" (a date without a clock) covers the whole day: the latest moment counts
        (timedelta(days=14, hours=9), timedelta(days=1) - timedelta(microseconds=1), False),
        (timedelta(days=15, hours=10), timedelta(days=1) - timedelta(microseconds=1), True),
        # "3小时前" seen 14 days ago ± one hour
        (D14 + timedelta(minutes=30), timedelta(hours=2), False),
        (D14 + timedelta(hours=3), timedelta(hours=2), True),
    ],
)
def test_no_update_reads_approximate_times_at_their_latest(
    age: timedelta, width: timedelta, expected: bool
) -> None:
    acct = account([age], approx_width=width)
    result = RULES["no_update"].check(acct, ctx(30), {"days": 14})
    assert bool(result) is expected
    if result:
        assert result[0]["last_post_approximate"] is True and "不精确" in result[0]["note"]


@pytest.mark.parametrize(
    ("opened_days", "post_days", "expected"),
    [
        (5, None, False),  # opened 5 days before the check, no post yet: not silent yet
        (14, None, False),  # opened exactly 14 days before
        (14.01, None, True),
        (150, None, True),
        (150, 100, True),
        (150, 3, False),
    ],
)
def test_no_update_clock_starts_at_the_opening(
    opened_days: float, post_days: float | None, expected: bool
) -> None:
    acct = account([] if post_days is None else [post_days], opened=opened_days)
    assert fired("no_update", acct, {"days": 14}) is expected


def test_no_update_evidence_names_the_last_post_in_words() -> None:
    acct = account([timedelta(days=14, hours=19, minutes=54)])  # 2026-11-08 14:06 Beijing
    [ev] = RULES["no_update"].check(acct, ctx(30), {"days": 14})
    assert ev["posts"][0]["post_id"] == 1 and ev["posts"][0]["url"] == "u0"
    assert ev["last_post_at"] == "2026-11-08T14:06:00+08:00"
    assert ev["metrics"]["idle_days"] == 14.83 and ev["metrics"]["whole_days"] == 14
    assert ev["threshold"]["days"] == 14
    assert "最近一次发布为2026年11月8日 14:06，距监测时间点14天" in ev["note"]


def test_never_posted_evidence_names_the_opening() -> None:
    acct = account([], opened=timedelta(days=20))
    assert "自开设（2026年11月3日，依据开设日期）以来未发布内容，距监测时间点20天" in silence_text(
        acct, ctx()
    )


@pytest.mark.parametrize(
    ("age", "warn_days", "veto_days", "expected"),
    [
        (None, 7, 14, False),  # never posted, opened long ago: no_update covers it
        (timedelta(days=7) - MINUTE, 7, 14, False),
        (timedelta(days=7), 7, 14, True),  # exactly 7 days: warned
        (timedelta(days=13), 7, 14, True),
        (D14, 7, 14, True),  # exactly 14 days: not vetoed yet, still a warning
        (D14 + MINUTE, 7, 14, False),  # vetoed instead
        (timedelta(days=11), 10, 14, True),
        (timedelta(days=9), 10, 14, False),
    ],
)
def test_update_warning(age: timedelta | None, warn_days: int, veto_days: int, expected: bool) -> None:
    acct = account([] if age is None else [age])
    assert fired("update_warning", acct, {"days": warn_days, "veto_days": veto_days}) is expected


@pytest.mark.parametrize(
    ("opened_days", "warn_days", "expected"),
    [(5, 7, False), (8, 7, True), (13, 7, True), (15, 7, False)],  # a new account with no post
)
def test_update_warning_for_a_new_account(opened_days: float, warn_days: int, expected: bool) -> None:
    acct = account([], opened=opened_days)
    assert fired("update_warning", acct, {"days": warn_days, "veto_days": 14}) is expected


@pytest.mark.parametrize(
    ("posts", "max_gap", "min_pm", "expected"),
    [
        ([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29], 10, 4, False),  # regular
        ([1, 2, 3, 4, 5, 28], 10, 4, True),  # 23-day gap inside the 30-day window
        ([1, 9, 18, 27], 10, 4, False),  # gaps 9, 9, 3 (+1 at each end); 4 a month
        ([1, 11, 21, 27], 10, 4, False),  # a gap of exactly 10 days is not over the limit
        ([1, 11.001, 21, 27], 10, 4, True),  # 10 days and 86 seconds is
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
    ("opened_days", "posts", "expected"),
    [
        (5, [], False),  # opened 5 days ago: no gap over 10 days, too young for a monthly rate
        (8, [1], True),  # 8 days, one post: 3.75 a month
        (8, [1, 3, 5, 7], False),
        (12, [11.5], True),  # the gap runs from the opening: 11.5 days without a post
        (40, [1, 9, 18, 27], False),  # opened before the window: the window counts
    ],
)
def test_update_slow_measures_from_the_opening(
    opened_days: float, posts: list[float], expected: bool
) -> None:
    cfg = {"max_gap_days": 10, "min_posts_per_month": 4, "veto_days": 14, "min_span_days": 7}
    assert fired("update_slow", account(posts, opened=opened_days), cfg, window_days=30) is expected


def test_update_slow_gaps_favour_the_account_for_approximate_times() -> None:
    # two date-only posts 11 days apart by their earliest moments, 10 days apart by the
    # latest moment of the first and the earliest of the second
    acct = account([1, 12], approx_width=timedelta(days=1))
    cfg = {"max_gap_days": 10, "min_posts_per_month": 1, "veto_days": 14}
    assert not fired("update_slow", acct, cfg, window_days=13)


@pytest.mark.parametrize(
    ("recent", "max_posts", "opened_days", "expected"),
    [
        (0, 2, 400, True),
        (2, 2, 400, True),
        (3, 2, 400, False),
        (0, 2, 30, False),  # opened a month ago: too young to call a shell
        (0, 2, 90, True),  # exactly 90 days
        (0, 2, 89.99, False),
        (0, 2, None, True),  # opening time unknown
    ],
)
def test_shell_account(recent: int, max_posts: int, opened_days: float | None, expected: bool) -> None:
    acct = account([], recent_posts=recent, opened=opened_days)
    assert fired("shell_account", acct, {"span_days": 90, "max_posts": max_posts}) is expected


def test_shell_account_measures_from_the_opening_not_the_approval() -> None:
    # filed late (补充备案): approved 10 days ago, but its posts go back 150 days
    first_post = AT - timedelta(days=150)
    opened = opening(opened_on=None, first_post=first_post, filed_at=AT - timedelta(days=10))
    acct = account([150], recent_posts=0, opened=AT - opened.at, approved_at=AT - timedelta(days=10))
    assert opened.basis == "first_post"
    assert fired("shell_account", acct, {"span_days": 90, "max_posts": 2})
