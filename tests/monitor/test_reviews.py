"""A candidate is reviewed once: a dismissed post is not raised again, a confirmed one counts
at once, a pending candidate carries over with its history; a second account with a recorded
reason is a person's call, remembered per pair (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.check import review, summary
from monitor.check.run import run_check
from monitor.rules import RULES, AccountFacts, Context
from registry import db
from registry.checks import queries
from tests.monitor.test_check_scenario import AT, NOW, build


def run(url: str, hours: float = 0, **kw: Any) -> dict[str, Any]:
    with db.session_scope(url) as s:
        outcome = run_check(
            s,
            kind="monthly",
            actor="t",
            at=AT + timedelta(hours=hours),
            now=NOW + timedelta(hours=hours),
            seed=1,
            **kw,
        )
        return summary.run_json(s, outcome.run_id)


def finding(data: dict[str, Any], account_id: int, rule: str) -> dict[str, Any] | None:
    [acct] = [a for a in data["accounts"] if a["account_id"] == account_id]
    return next((f for f in acct["findings"] if f["rule"] == rule), None)


def verdict(data: dict[str, Any], account_id: int) -> str:
    return next(a["verdict"] for a in data["accounts"] if a["account_id"] == account_id)


def decide(url: str, finding_id: int, status: str, note: str = "复核") -> None:
    with db.session_scope(url) as s:
        review.review_finding(s, finding_id, status=status, note=note, actor="审核员")


def test_a_pending_candidate_carries_over_and_is_reviewed_once(any_db: str) -> None:
    url = db.resolve_url(any_db)
    ids = build(url)
    first = run(url)
    second = run(url, hours=2)
    a = finding(first, ids["flagged"], "serious_error")
    b = finding(second, ids["flagged"], "serious_error")
    assert a and b and a["status"] == b["status"] == "candidate"
    assert a["origin_id"] is None and b["origin_id"] == a["id"]
    assert b["evidence"]["carried"]["run_id"] == first["run_id"] and "待复核" in b["evidence"]["note"]
    with db.session_scope(url) as s:
        listed = queries.list_findings(s, status="candidate", rule="serious_error", once=True)
        per_run = queries.list_findings(s, status="candidate", rule="serious_error")
    assert len(listed) == 1 and listed[0]["run_ids"] == [first["run_id"], second["run_id"]]
    assert listed[0]["first_run_id"] == first["run_id"] and len(per_run) == 2
    decide(url, b["id"], "dismissed", "引用原话，属正当报道")
    with db.session_scope(url) as s:
        for data in (first, second):
            shown = summary.run_json(s, data["run_id"])
            f = finding(shown, ids["flagged"], "serious_error")
            assert f is not None and f["status"] == "dismissed"
    third = run(url, hours=4)
    assert finding(third, ids["flagged"], "serious_error") is None  # never raised again for that post


def test_a_confirmed_post_counts_at_once_in_later_checks(any_db: str) -> None:
    url = db.resolve_url(any_db)
    ids = build(url)
    first = run(url)
    a = finding(first, ids["flagged"], "serious_error")
    assert a is not None
    decide(url, a["id"], "confirmed", "核实为错误表述")
    second = run(url, hours=2)
    b = finding(second, ids["flagged"], "serious_error")
    assert b is not None and b["status"] == "confirmed" and b["evidence"]["carried"]["finding_id"] == a["id"]
    assert verdict(second, ids["flagged"]) == "unqualified"


def test_a_second_account_with_a_recorded_reason_is_decided_once_per_pair(any_db: str) -> None:
    url = db.resolve_url(any_db)
    ids = build(url)  # flagged and copier: two Weibo accounts of 兰州市某局, filed with a reason
    first = run(url)
    f, c = (
        finding(first, ids["flagged"], "duplicate_account"),
        finding(first, ids["copier"], "duplicate_account"),
    )
    assert f and c and f["status"] == c["status"] == "candidate"
    assert "工作需要" in f["evidence"]["note"] and f["evidence"]["pending_pairs"] == [ids["copier"]]
    decide(url, f["id"], "dismissed", "服务号与订阅号功能不同，确有必要")
    with db.session_scope(url) as s:
        shown = summary.run_json(s, first["run_id"])
    assert finding(shown, ids["copier"], "duplicate_account")["status"] == "dismissed"  # type: ignore[index]
    second = run(url, hours=2)
    assert finding(second, ids["flagged"], "duplicate_account") is None
    assert finding(second, ids["copier"], "duplicate_account") is None


def test_a_confirmed_pair_stays_confirmed(any_db: str) -> None:
    url = db.resolve_url(any_db)
    ids = build(url)
    first = run(url)
    f = finding(first, ids["copier"], "duplicate_account")
    assert f is not None
    decide(url, f["id"], "confirmed", "重复建设")
    second = run(url, hours=2)
    for role in ("flagged", "copier"):
        later = finding(second, ids[role], "duplicate_account")
        assert later is not None and later["status"] == "confirmed"


def test_a_profile_may_exempt_recorded_reasons(sqlite_db: str, tmp_path: Path) -> None:
    ids = build(sqlite_db)
    custom = tmp_path / "exempt.toml"
    custom.write_text(
        'name = "exempt"\n[rules.duplicate_account]\nexempt_recorded_reasons = true\n', encoding="utf-8"
    )
    data = run(sqlite_db, profile=str(custom))
    assert finding(data, ids["flagged"], "duplicate_account") is None


@pytest.mark.parametrize(
    ("pairs", "exempt", "expected"),
    [
        ({2: {"reason": None, "decision": None}}, False, ("confirmed", [2])),  # no reason: confirmed
        ({2: {"reason": "服务号", "decision": None}}, False, ("candidate", [2])),
        ({2: {"reason": "服务号", "decision": None}}, True, None),
        ({2: {"reason": "服务号", "decision": "dismissed"}}, False, None),
        ({2: {"reason": "服务号", "decision": "confirmed"}}, False, ("confirmed", [2])),
        (
            {2: {"reason": None, "decision": None}, 3: {"reason": "服务号", "decision": None}},
            False,
            ("confirmed", [2, 3]),
        ),
        ({2: {"reason": None, "decision": "dismissed"}}, False, None),
    ],
)
def test_duplicate_account_truth_table(
    pairs: dict[int, dict[str, Any]], exempt: bool, expected: tuple[str, list[int]] | None
) -> None:
    facts = AccountFacts(id=1, unit="某局", duplicates=sorted(pairs), duplicate_pairs=pairs)
    ctx = Context(at=AT, window_from=AT - timedelta(days=30), window_to=AT)
    found = RULES["duplicate_account"].check(facts, ctx, {"exempt_recorded_reasons": exempt})
    assert (None if not found else (found[0]["status"], found[0]["accounts"])) == expected
