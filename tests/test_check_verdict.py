"""Collection state, verdicts, scores and the pass rate: truth tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.check.facts import collection_state
from registry.checks.store import pass_rate, verdict_of

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def ago(days: float | None) -> datetime | None:
    return None if days is None else NOW - timedelta(days=days)


@pytest.mark.parametrize(
    ("success_days", "attempt_days", "outcome", "freshness", "expected"),
    [
        (None, None, None, 3, "never"),  # nothing ever collected
        (None, 1, "blocked", 3, "never"),  # only failures
        (1, 1, "ok", 3, "collected"),
        (10, 10, "empty", 3, "collected"),  # an old success with no later failure still stands
        (10, 1, "blocked", 3, "failed"),  # latest attempt failed, last success too old
        (2, 1, "auth_expired", 3, "collected"),  # last success within the freshness limit
        (3.5, 1, "gone", 3, "failed"),
        (3.5, 1, "error", 5, "collected"),
        (1, 5, "blocked", 3, "collected"),  # a later import/observation succeeded after the failure
    ],
)
def test_collection_state(
    success_days: float | None,
    attempt_days: float | None,
    outcome: str | None,
    freshness: float,
    expected: str,
) -> None:
    event = {"last_success": ago(success_days), "last_attempt": ago(attempt_days), "last_outcome": outcome}
    assert collection_state(event, now=NOW, freshness_days=freshness) == expected


def f(level: str, status: str, points: float | None = None) -> dict[str, object]:
    return {"level": level, "status": status, "points": points}


SCORING = {"enabled": True, "full": 100, "pass": 60}


@pytest.mark.parametrize(
    ("collection", "findings", "scoring", "expected"),
    [
        ("collected", [], None, ("qualified", None)),
        ("collected", [f("veto", "confirmed")], None, ("unqualified", None)),
        ("collected", [f("veto", "candidate")], None, ("qualified", None)),  # candidates do not count
        ("collected", [f("veto", "dismissed")], None, ("qualified", None)),
        ("collected", [f("deduct", "confirmed", 5), f("warn", "confirmed")], None, ("qualified", None)),
        ("never", [f("veto", "confirmed")], None, ("uncollected", None)),
        ("failed", [], None, ("uncollected", None)),
        (
            "collected",
            [f("deduct", "confirmed", 30), f("deduct", "confirmed", 10)],
            SCORING,
            ("qualified", 60.0),
        ),
        (
            "collected",
            [f("deduct", "confirmed", 30), f("deduct", "confirmed", 15)],
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
    assert verdict_of(collection, findings, scoring) == expected


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
    assert pass_rate(qualified, unqualified, decimals) == expected
