"""Review history is appended like the filing history: confirming and then dismissing a
finding keeps both decisions with their actors and notes, a carried candidate's decision names
the one it followed, and the stored verdict changes only through a recorded decision
(SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from monitor.check import review
from registry import db
from registry.checks import store
from tests.monitor.test_check_scenario import build
from tests.monitor.test_reviews import finding, run, verdict

OLD_KEYS = {"id", "run_id", "rule", "status", "reviewer", "review_note", "reviewed_at", "evidence", "posts"}


def test_confirm_then_dismiss_keeps_both_decisions(cli, any_db: str) -> None:  # type: ignore[no-untyped-def]
    url = db.resolve_url(any_db)
    ids = build(url)
    first = run(url)
    f = finding(first, ids["flagged"], "serious_error")
    assert f is not None and verdict(first, ids["flagged"]) != "unqualified"
    assert (
        cli(
            ["--db", any_db, "--user", "张三", "finding", "confirm", str(f["id"]), "--note", "核实为错误表述"]
        ).code
        == 0
    )
    with db.session_scope(url) as s:
        from monitor.check import summary

        assert verdict(summary.run_json(s, first["run_id"]), ids["flagged"]) == "unqualified"
    assert (
        cli(
            ["--db", any_db, "--user", "李四", "finding", "dismiss", str(f["id"]), "--note", "复查：引用原话"]
        ).code
        == 0
    )
    shown = cli(["--db", any_db, "finding", "show", str(f["id"]), "--format", "json"])
    detail = json.loads(shown.out)
    assert set(detail) >= OLD_KEYS  # the keys scripts read are still there
    assert (detail["status"], detail["reviewer"], detail["review_note"]) == (
        "dismissed",
        "李四",
        "复查：引用原话",
    )
    steps = [(d["previous"], d["status"], d["actor"], d["note"]) for d in detail["decisions"]]
    assert steps == [
        ("candidate", "confirmed", "张三", "核实为错误表述"),
        ("confirmed", "dismissed", "李四", "复查：引用原话"),
    ]
    assert all(d["at"] and d["at"].endswith("+08:00") for d in detail["decisions"])
    table = cli(["--db", any_db, "finding", "show", str(f["id"])]).out
    assert "复核 1：张三" in table and "复核 2：李四" in table and "已确认 → 已排除" in table
    with db.session_scope(url) as s:
        from monitor.check import summary

        assert verdict(summary.run_json(s, first["run_id"]), ids["flagged"]) != "unqualified"
    # a decision refused (already in that state) records nothing
    again = cli(["--db", any_db, "finding", "dismiss", str(f["id"]), "--note", "再次"])
    assert again.code == 2
    assert (
        len(
            json.loads(cli(["--db", any_db, "finding", "show", str(f["id"]), "--format", "json"]).out)[
                "decisions"
            ]
        )
        == 2
    )


def test_a_carried_candidates_decision_names_the_one_it_followed(any_db: str) -> None:
    url = db.resolve_url(any_db)
    ids = build(url)
    first = run(url)
    second = run(url, hours=2)
    a, b = finding(first, ids["flagged"], "serious_error"), finding(second, ids["flagged"], "serious_error")
    assert a and b
    with db.session_scope(url) as s:
        review.review_finding(s, b["id"], status="confirmed", note="核实", actor="王五")
    with db.session_scope(url) as s:
        own, followed = store.decisions_of(s, b["id"]), store.decisions_of(s, a["id"])
    assert [(d["actor"], d["follows"]) for d in own] == [("王五", None)]
    assert [(d["actor"], d["follows"], d["status"]) for d in followed] == [
        ("王五", own[0]["id"], "confirmed")
    ]


def test_a_verdict_changes_only_through_a_recorded_decision(any_db: str) -> None:
    url = db.resolve_url(any_db)
    ids = build(url)
    first = run(url)
    f = finding(first, ids["flagged"], "serious_error")
    assert f is not None
    with db.session_scope(url) as s:
        result_id = s.get(store.Finding, f["id"]).result_id  # type: ignore[union-attr]
        other = s.execute(
            text("SELECT id FROM check_results WHERE id <> :r ORDER BY id LIMIT 1"), {"r": result_id}
        ).scalar_one()
        decision = store.record_review(
            s, s.get(store.Finding, f["id"]), status="confirmed", note=None, actor="t"
        )  # type: ignore[arg-type]
        with pytest.raises(ValueError):  # a decision on another result's finding does not count
            store.set_verdict(s, other, verdict="unqualified", score=None, reason={}, decision=decision)
        store.set_verdict(
            s, result_id, verdict="unqualified", score=None, reason={"kind": "veto"}, decision=decision
        )


def test_decisions_recorded_before_the_history_existed_are_kept(tmp_path: Path) -> None:
    """The migration copies the decisions stored on findings into the history."""
    url = db.resolve_url(str(tmp_path / "old.db"))
    ids = build(url)
    first = run(url)
    f = finding(first, ids["flagged"], "serious_error")
    assert f is not None
    with db.session_scope(url) as s:
        review.review_finding(s, f["id"], status="dismissed", note="误报", actor="赵六")
    engine = db.get_engine(url)
    with engine.begin() as conn:  # back to the schema before the history: the row is on the finding only
        conn.execute(text("DELETE FROM finding_decisions"))
    from alembic import command

    cfg = db._alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0011_judgement")
        command.upgrade(cfg, "head")
    with db.session_scope(url) as s:
        [kept] = store.decisions_of(s, f["id"])
    assert (kept["previous"], kept["status"], kept["actor"], kept["note"]) == (
        "candidate",
        "dismissed",
        "赵六",
        "误报",
    )
