"""Collection state, verdicts, scores and the pass rate: truth tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.check.collection import collection_state
from monitor.check.verdict import judge
from monitor.figures import pass_rate, percent
from registry.collection.activity import Activity

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def ago(days: float | None) -> datetime | None:
    return None if days is None else NOW - timedelta(days=days)


@pytest.mark.parametrize(
    ("success_days", "attempt_days", "outcome", "freshness", "expected"),
    [
        (None, None, None, 3, "never"),  # nothing ever collected
        (None, 1, "blocked", 3, "never"),  # only failures
        (1, 1, "ok", 3, "collected"),
        (3, 3, "ok", 3, "collected"),  # exactly the freshness days before the check time
        (3.01, 3.01, "ok", 3, "stale"),  # an old success speaks only for its own time
        (10, 10, "empty", 3, "stale"),  # nothing tried since: 采集过期, never 无更新
        (10, 1, "blocked", 3, "failed"),  # latest attempt failed, last success too old
        (2, 1, "auth_expired", 3, "collected"),  # last success within the freshness limit
        (3.5, 1, "gone", 3, "failed"),
        (3.5, 1, "error", 5, "collected"),
        (1, 5, "blocked", 3, "collected"),  # a later collection succeeded after the failure
        (-2, -2, "ok", 3, "collected"),  # a collection after the check time shows what came before
        (-2, -1, "blocked", 3, "collected"),  # ... whatever failed after it
    ],
)
def test_collection_state(
    success_days: float | None,
    attempt_days: float | None,
    outcome: str | None,
    freshness: float,
    expected: str,
) -> None:
    activity = Activity(ago(success_days), ago(attempt_days), outcome)
    assert collection_state(activity, at=NOW, freshness_days=freshness) == expected


def test_no_activity_is_never_collected() -> None:
    assert collection_state(None, at=NOW, freshness_days=3) == "never"


def f(level: str, status: str, points: float | None = None, rule: str = "r") -> dict[str, object]:
    return {"rule": rule, "level": level, "status": status, "points": points}


SCORING = {"enabled": True, "full": 100, "pass": 60}


@pytest.mark.parametrize(
    ("collection", "findings", "scoring", "expected"),
    [
        ("collected", [], None, ("qualified", None)),
        ("collected", [f("veto", "confirmed")], None, ("unqualified", None)),
        ("collected", [f("veto", "candidate")], None, ("qualified", None)),  # candidates do not count
        ("collected", [f("veto", "dismissed")], None, ("qualified", None)),
        ("collected", [f("deduct", "confirmed", 5), f("warn", "confirmed")], None, ("qualified", None)),
        # an account that could not be collected is judged on what stands without its posts
        ("never", [f("veto", "confirmed")], None, ("unqualified", None)),
        ("never", [f("veto", "candidate")], None, ("uncollected", None)),
        ("stale", [f("deduct", "confirmed", 5)], None, ("uncollected", None)),
        ("failed", [], None, ("uncollected", None)),
        ("failed", [f("deduct", "confirmed", 45)], SCORING, ("unqualified", 55.0)),
        ("failed", [f("deduct", "confirmed", 5)], SCORING, ("uncollected", 95.0)),
        (
            "collected",
            [f("deduct", "confirmed", 30, rule="a"), f("deduct", "confirmed", 10, rule="b")],
            SCORING,
            ("qualified", 60.0),
        ),
        (
            "collected",
            [f("deduct", "confirmed", 30, rule="a"), f("deduct", "confirmed", 15, rule="b")],
            SCORING,
            ("unqualified", 55.0),
        ),
        (  # every confirmed finding deducts its points
            "collected",
            [f("deduct", "confirmed", 30, rule="a"), f("deduct", "confirmed", 15, rule="a")],
            SCORING,
            ("unqualified", 55.0),
        ),
        ("collected", [f("deduct", "candidate", 50)], SCORING, ("qualified", 100.0)),
        ("collected", [f("veto", "confirmed")], SCORING, ("unqualified", 100.0)),
        ("collected", [f("deduct", "confirmed", 150)], SCORING, ("unqualified", 0.0)),
    ],
)
def test_verdict(
    collection: str,
    findings: list[dict[str, object]],
    scoring: dict[str, object] | None,
    expected: tuple[str, float | None],
) -> None:
    decided = judge(collection, findings, scoring)
    assert (decided.verdict, decided.score) == expected


@pytest.mark.parametrize(
    ("collection", "findings", "scoring", "reason"),
    [
        ("collected", [], None, {"basis": "passed"}),
        ("failed", [f("veto", "candidate")], None, {"basis": "collection", "collection": "failed"}),
        (
            "never",
            [f("veto", "confirmed", rule="no_interaction")],
            None,
            {"basis": "veto", "rules": ["no_interaction"], "collection": "never"},
        ),
        ("never", [], SCORING, {"basis": "collection", "collection": "never"}),
        (
            "collected",
            [f("veto", "confirmed", rule="no_update"), f("veto", "confirmed", rule="serious_error")],
            None,
            {"basis": "veto", "rules": ["no_update", "serious_error"]},
        ),
        ("collected", [f("veto", "candidate", rule="serious_error")], None, {"basis": "passed"}),
        (
            "collected",
            [f("deduct", "confirmed", 45)],
            SCORING,
            {"basis": "score", "score": 55.0, "pass": 60.0},
        ),
        ("collected", [f("deduct", "confirmed", 40)], SCORING, {"basis": "passed"}),  # 60 is a pass
    ],
)
def test_reason(
    collection: str,
    findings: list[dict[str, object]],
    scoring: dict[str, object] | None,
    reason: dict[str, object],
) -> None:
    assert judge(collection, findings, scoring).reason == reason


@pytest.mark.parametrize(
    ("qualified", "unqualified", "decimals", "expected"),
    [
        (0, 0, 2, None),
        (986, 14, 2, 98.6),
        (2, 1, 2, 66.67),
        (2, 1, 1, 66.7),
        (2, 1, 0, 67.0),
        (0, 5, 2, 0.0),
    ],
)
def test_pass_rate(qualified: int, unqualified: int, decimals: int, expected: float | None) -> None:
    value = pass_rate(qualified, unqualified, decimals)
    assert (None if value is None else float(value)) == expected


@pytest.mark.parametrize(
    ("part", "whole", "places", "text"),
    [
        (2901, 3201, 2, "90.63"),  # 90.625 rounds half-up, not to even (the float gives 90.62)
        (1, 8, 1, "12.5"),
        (1, 8, 0, "13"),  # 12.5 → 13
        (1, 3, 2, "33.33"),
        (5, 5, 2, "100.00"),
    ],
)
def test_percent_rounds_half_up(part: int, whole: int, places: int, text: str) -> None:
    value = percent(part, whole, places)
    assert value is not None and str(value) == text
