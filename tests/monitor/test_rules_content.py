"""Truth tables for the content rules and the lexicon matcher."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.rules import RULES, AccountFacts, Context, PostFacts
from monitor.similarity.lexicon import Matcher, starter_rows

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
CTX = Context(at=AT, window_from=AT - timedelta(days=30), window_to=AT)


def posts(n: int, **flags: list[int]) -> list[PostFacts]:
    """n posts; flags name the indexes that are reposts, copies, key relays or carry hits."""
    out = []
    for i in range(n):
        p = PostFacts(id=i + 1, published_at=AT - timedelta(days=n - i), title=f"t{i}", url=f"u{i}")
        p.is_repost = i in flags.get("repost", [])
        p.copied = i in flags.get("copied", [])
        p.key_relay = 7 if i in flags.get("relay", []) else None
        hits = []
        if i in flags.get("ent", []):
            hits.append(("明星八卦", "entertainment", None))
        if i in flags.get("serious", []):
            hits.append(("台湾总统", "serious", "台湾地区领导人"))
        if i in flags.get("ad", []):
            hits.append(("限时抢购", "ad", None))
        p.hits = hits
        out.append(p)
    return out


@pytest.mark.parametrize(
    ("n", "repost", "copied", "relay", "min_rate", "expected"),
    [
        (10, [0, 1], [2], [], 0.3, False),  # 7/10 original
        (10, [0, 1, 2, 3], [4, 5, 6, 7], [], 0.3, True),  # 2/10 = 0.2 < 0.3
        (10, [0, 1, 2], [3, 4, 5, 6], [], 0.3, False),  # 3/10 = 0.3, not below
        (10, [0, 1], [2, 3, 4], [5, 6, 7, 8], 0.3, True),  # 4 key relays left out: 1 of 6 original
        (10, [], [], [5, 6, 7, 8], 0.3, False),  # key relays never count against originality
        (2, [0, 1], [], [], 0.3, False),  # too few posts to judge
        (5, [], [], [0, 1, 2, 3], 0.3, False),  # only one post besides key relays
    ],
)
def test_low_originality(
    n: int, repost: list[int], copied: list[int], relay: list[int], min_rate: float, expected: bool
) -> None:
    acct = AccountFacts(id=1, posts=posts(n, repost=repost, copied=copied, relay=relay))
    result = RULES["low_originality"].check(acct, CTX, {"min_rate": min_rate, "min_posts": 3})
    assert bool(result) is expected
    if expected:
        counted = n - len(relay)
        assert result[0]["metrics"]["posts"] == counted
        assert len(result[0]["posts"]) == len(set(repost) | set(copied))


@pytest.mark.parametrize(
    ("n", "ent", "max_share", "expected"),
    [
        (10, [0, 1, 2], 0.3, False),  # 0.3 is not above the bar
        (10, [0, 1, 2, 3], 0.3, True),
        (10, [], 0.3, False),
        (2, [0, 1], 0.3, False),  # too few posts
        (4, [0, 1], 0.5, False),
        (4, [0, 1, 2], 0.5, True),
    ],
)
def test_entertainment(n: int, ent: list[int], max_share: float, expected: bool) -> None:
    acct = AccountFacts(id=1, posts=posts(n, ent=ent))
    assert bool(RULES["entertainment"].check(acct, CTX, {"max_share": max_share, "min_posts": 3})) is expected


@pytest.mark.parametrize(
    ("code", "flag", "expected"),
    [
        ("serious_error", "serious", True),
        ("serious_error", "ad", False),
        ("commercial_ad", "ad", True),
        ("commercial_ad", "serious", False),
        ("sensitive_word", "serious", False),
    ],
)
def test_lexicon_rules(code: str, flag: str, expected: bool) -> None:
    acct = AccountFacts(id=1, posts=posts(3, **{flag: [1]}))
    result = RULES[code].check(acct, CTX, {})
    assert bool(result) is expected
    if expected:
        assert result[0]["posts"][0]["post_id"] == 2 and result[0]["matches"][0]["post_id"] == 2


def test_judgement_rules_are_candidates() -> None:
    judged = {c for c, r in RULES.items() if r.judgement}
    assert judged == {"serious_error", "illegal_content", "sensitive_word", "entertainment", "commercial_ad"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本网讯 台湾总统 一词", [("台湾总统", "serious")]),
        ("台 湾 总 统", [("台湾总统", "serious")]),  # spacing does not hide it
        ("ＡＢ限时抢购！", [("限时抢购", "ad")]),  # full-width and punctuation
        ("台湾地区领导人", []),
        ("", []),
    ],
)
def test_matcher(text: str, expected: list[tuple[str, str]]) -> None:
    matcher = Matcher(starter_rows())
    assert [(p, k) for p, k, _ in matcher.scan(text)] == expected


def test_matcher_guard_for_typo_inside_correct_form() -> None:
    matcher = Matcher([{"phrase": "核心价值", "kind": "serious", "correct": "社会主义核心价值观"}])
    assert matcher.scan("践行社会主义核心价值观") == []
    assert matcher.scan("核心价值很重要")[0][0] == "核心价值"
