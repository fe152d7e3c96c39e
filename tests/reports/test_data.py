"""A small registry with known check results for the report tests, and the read-side
views of ``registry.report_data`` checked against it.

Window 2026-07-01..2026-09-30 (Q3), previous window 2026-04-01..2026-06-30 (Q2).

- Q2, one monthly run (06-15): accounts 1–6 judged; 3 and 5 have a confirmed no_update veto.
- Q3, weekly run (07-15): 1–4 judged, 3 has a confirmed no_update veto, 4 a *candidate*
  serious_error veto (does not count), 8 and 9 uncollected.
- Q3, monthly run (09-15): 1–8 judged; 3 again no_update; 6 a confirmed low_originality
  deduct; 7 a confirmed no_interaction veto (note that starts with "="); 2 a *dismissed* veto;
  9 uncollected again.

The candidate of account 4 is still unreviewed, so a circular of Q3 is a 征求意见稿 until a
person reviews it (``settle`` dismisses it, as staff would).

So Q3: checked 8 (1–8), unqualified 2 (3, 7), qualified 6, 合格率 75.00%; Q2: 4/6 = 66.67%;
change +8.33 百分点; re-check: of Q2's 2 failures both re-checked, 1 still failing (3).
Account 10 was closed on 2026-08-01 and account 11 approved only on 2026-10-10: the
registry on 2026-09-30 holds 9 accounts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from registry.checks import queries as check_queries
from registry.checks import store as checks
from registry.checks import window as rd
from registry.db import session_scope, upgrade
from registry.filing import accounts as filing
from registry.filing import queries as fq
from registry.filing import units

T = datetime  # brevity
ACTOR = "tester"
XSS = "<script>alert('x')</script>"
FORMULA = '=HYPERLINK("http://evil.example","点击")'

UNITS = [
    ("甘肃省人民政府办公厅", "province", "620000", "government", None),
    ("甘肃省教育厅", "province", "620000", "department", None),
    ("兰州市人民政府", "city", "620100", "government", None),
    ("兰州市教育局", "city", "620100", "department", "兰州市人民政府"),
    ("城关区人民政府", "county", "620102", "government", "兰州市人民政府"),
    ("天水市人民政府", "city", "620500", "government", None),
]
# (unit, platform, name, platform_id)
ACCOUNTS = [
    ("甘肃省人民政府办公厅", "wechat", "甘肃发布", "gh_000000000001"),
    ("甘肃省教育厅", "weibo", "甘肃教育", "1000001"),
    ("兰州市人民政府", "wechat", "兰州发布", "gh_000000000003"),
    ("兰州市教育局", "douyin", "兰州教育", "MS4wLjABAAAAaaaaaaaaaaaaaaaa04"),
    ("城关区人民政府", "wechat", "城关发布", "gh_000000000005"),
    ("城关区人民政府", "weibo", "城关微博", "1000006"),
    ("天水市人民政府", "wechat", "天水发布", "gh_000000000007"),
    ("天水市人民政府", "weibo", "天水微博", "1000008"),
    ("甘肃省教育厅", "wechat", "甘肃教育发布", "gh_000000000009"),
    ("兰州市人民政府", "weibo", "兰州微博（已关停）", "1000010"),
    ("天水市人民政府", "douyin", "天水抖音（新开）", "MS4wLjABAAAAaaaaaaaaaaaaaaaa11"),
]
Q3 = (date(2026, 7, 1), date(2026, 9, 30))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def finding(rule: str, level: str, status: str = "confirmed", **evidence: Any) -> dict[str, Any]:
    return {"rule": rule, "level": level, "status": status, "points": None, "evidence": evidence}


def result(
    account_id: int,
    verdict: str,
    findings: list[dict[str, Any]] | None = None,
    last_post: datetime | None = None,
) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "sample_reason": "all",
        "verdict": verdict,
        "score": None,
        "collection": "collected" if verdict != "uncollected" else "failed",
        "last_post_at": last_post,
        "last_success_at": utc(2026, 5, 1) if verdict == "uncollected" else None,
        "posts_in_window": 5,
        "original_posts": 3,
        "stats": {},
        "findings": findings or [],
    }


def store(session: Session, kind: str, at: datetime, results: list[dict[str, Any]]) -> int:
    run = {
        "kind": kind,
        "at": at,
        "window_from": at.replace(day=1),
        "window_to": at,
        "sample_rate": None,
        "seed": 7,
        "profile": "national",
        "thresholds": {},
        "actor": ACTOR,
        "population": 9,
    }
    return checks.store_run(session, run=run, results=results)


def build(db: str) -> dict[str, int]:
    """File the registry and store the three runs; return the run ids."""
    upgrade(db)
    with session_scope(db) as s:
        for name, level, region, kind, parent in UNITS:
            units.add_unit(s, name=name, level=level, region=region, kind=kind, parent=parent, actor=ACTOR)
        for unit, platform, name, pid in ACCOUNTS:
            account = filing.file_account(
                s,
                unit=unit,
                platform=platform,
                name=name,
                platform_id=pid,
                url=f"https://example.org/{pid}",
                reason="测试",
                actor=ACTOR,
            )
            filing.approve(s, account.id, actor=ACTOR)
            account.approved_at = utc(2026, 3, 1)  # backdate the filing to before the windows
        filing.close(s, 10, reason="停更", actor=ACTOR).status_at = utc(2026, 8, 1)
        filing.get_account(s, 11).approved_at = utc(2026, 10, 10)
        stale = utc(2026, 6, 20, 2)
        q2 = store(
            s,
            "monthly",
            utc(2026, 6, 15, 2),
            [
                result(1, "qualified"),
                result(2, "qualified"),
                result(3, "unqualified", [finding("no_update", "veto")]),
                result(4, "qualified"),
                result(5, "unqualified", [finding("no_update", "veto")]),
                result(6, "qualified"),
            ],
        )
        weekly = store(
            s,
            "weekly",
            utc(2026, 7, 15, 2),
            [
                result(1, "qualified"),
                result(2, "qualified"),
                result(
                    3, "unqualified", [finding("no_update", "veto", last_post_at="2026-06-20T10:00:00+08:00")]
                ),
                result(
                    4,
                    "qualified",
                    [
                        finding(
                            "serious_error",
                            "veto",
                            "candidate",
                            posts=[{"title": XSS, "url": "https://example.org/p/4"}],
                        )
                    ],
                ),
                result(8, "uncollected"),
                result(9, "uncollected"),
            ],
        )
        monthly = store(
            s,
            "monthly",
            utc(2026, 9, 15, 2),
            [
                result(1, "qualified"),
                result(2, "qualified", [finding("serious_error", "veto", "dismissed")]),
                result(
                    3,
                    "unqualified",
                    [
                        finding(
                            "no_update",
                            "veto",
                            note="监测时间点前14天内无更新",
                            last_post_at="2026-06-20T10:00:00+08:00",
                        )
                    ],
                    last_post=stale,
                ),
                result(4, "qualified"),
                result(5, "qualified"),
                result(
                    6,
                    "qualified",
                    [
                        finding(
                            "low_originality",
                            "deduct",
                            note=f"原创比例偏低 {XSS}",
                            posts=[{"url": "javascript:alert(1)"}],
                        )
                    ],
                ),
                result(7, "unqualified", [finding("no_interaction", "veto", note=FORMULA)]),
                result(8, "qualified"),
                result(9, "uncollected"),
            ],
        )
    return {"q2": q2, "weekly": weekly, "monthly": monthly}


def settle(db: str) -> None:
    """A person reviews the window's last candidate (account 4's misstatement): dismissed."""
    from monitor.check.review import review_finding

    with session_scope(db) as s:
        for f in check_queries.list_findings(s, status="candidate"):
            review_finding(s, f["id"], status="dismissed", note="经复核为引用原文", actor=ACTOR)


@pytest.fixture
def scenario(any_db: str) -> tuple[str, dict[str, int]]:
    return any_db, build(any_db)


def test_registry_size_counts_accounts_live_on_the_date(scenario: tuple[str, dict[str, int]]) -> None:
    db, _ = scenario
    with session_scope(db) as s:
        on_end = sum(n for _, _, n in fq.registry_size(s, on=date(2026, 9, 30)))
        before_close = sum(n for _, _, n in fq.registry_size(s, on=date(2026, 7, 31)))
        after_open = sum(n for _, _, n in fq.registry_size(s, on=date(2026, 10, 10)))
        levels = {lvl for lvl, _, _ in fq.registry_size(s, on=date(2026, 9, 30))}
    assert (on_end, before_close, after_open) == (9, 10, 10)
    assert levels == {"province", "city", "county"}


def test_window_reads_only_runs_in_the_window(scenario: tuple[str, dict[str, int]]) -> None:
    db, runs = scenario
    from registry.timeutil import day_end, day_start

    with session_scope(db) as s:
        found = rd.runs_between(s, start=day_start(Q3[0]), end=day_end(Q3[1]))
        confirmed = rd.findings_of(s, [r.id for r in found], statuses=("confirmed",))
        previous = check_queries.previous_run(s, found[-1])
    assert [r.id for r in found] == [runs["weekly"], runs["monthly"]]
    assert sorted((f.account_id, f.rule) for f in confirmed) == [
        (3, "no_update"),
        (3, "no_update"),
        (6, "low_originality"),
        (7, "no_interaction"),
    ]
    assert previous is not None and previous.id == runs["q2"]
