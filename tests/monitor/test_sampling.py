"""Sampling for the weekly spot check: full classes, re-checks, stratified share, seeds."""

from __future__ import annotations

import pytest

from monitor.check.sampling import draw

CLASSES = [
    {"level": "province"},
    {"level": "city", "kind": "government"},
    {"level": "county", "kind": "government"},
]


def registry(n_units: int = 40, per_unit: int = 5) -> list[dict[str, object]]:
    rows = []
    aid = 0
    for u in range(n_units):
        level, kind = [
            ("province", "department"),
            ("city", "government"),
            ("city", "department"),
            ("county", "department"),
            ("township", "government"),
        ][u % 5]
        for k in range(per_unit):
            aid += 1
            rows.append(
                {
                    "id": aid,
                    "unit_id": u,
                    "level": level,
                    "kind": kind,
                    "platform": ["weibo", "wechat"][k % 2],
                }
            )
    return rows


def test_same_seed_same_sample() -> None:
    accounts = registry()
    a = draw(accounts, kind="weekly", rate=0.2, seed=42, rechecks=set(), full_classes=CLASSES)
    b = draw(list(reversed(accounts)), kind="weekly", rate=0.2, seed=42, rechecks=set(), full_classes=CLASSES)
    c = draw(accounts, kind="weekly", rate=0.2, seed=43, rechecks=set(), full_classes=CLASSES)
    assert a == b
    assert {k for k, v in a.items() if v == "sampled"} != {k for k, v in c.items() if v == "sampled"}


def test_full_classes_rechecks_and_share() -> None:
    accounts = registry()
    by_id = {a["id"]: a for a in accounts}
    rest = [
        a
        for a in accounts
        if a["level"] in ("township",) or (a["kind"] == "department" and a["level"] != "province")
    ]
    recheck = {rest[0]["id"]}
    chosen = draw(accounts, kind="weekly", rate=0.2, seed=7, rechecks=recheck, full_classes=CLASSES)
    for a in accounts:
        if a["level"] == "province" or (a["level"] in ("city", "county") and a["kind"] == "government"):
            assert chosen[a["id"]] == "full_class"
    assert chosen[rest[0]["id"]] == "recheck"
    sampled = [k for k, v in chosen.items() if v == "sampled"]
    assert all(by_id[k] in rest for k in sampled)
    assert 0.1 * len(rest) <= len(sampled) <= 0.3 * len(rest)


@pytest.mark.parametrize(
    ("kind", "rate", "expected_reason"),
    [("monthly", None, "all"), ("monthly", 0.1, "all"), ("adhoc", None, "all")],
)
def test_monthly_and_adhoc_cover_everyone(kind: str, rate: float | None, expected_reason: str) -> None:
    accounts = registry(10, 2)
    chosen = draw(accounts, kind=kind, rate=rate, seed=1, rechecks=set(), full_classes=CLASSES)
    assert set(chosen) == {a["id"] for a in accounts}
    assert set(chosen.values()) == {expected_reason}


@pytest.mark.parametrize(("rate", "low", "high"), [(0.0, 0, 0), (1.0, 1000, 1000), (0.5, 430, 570)])
def test_rate_bounds(rate: float, low: int, high: int) -> None:
    accounts = [
        {"id": i, "unit_id": i % 300, "level": "township", "kind": "government", "platform": "weibo"}
        for i in range(1000)
    ]
    chosen = draw(accounts, kind="weekly", rate=rate, seed=3, rechecks=set(), full_classes=CLASSES)
    assert low <= len(chosen) <= high
