"""A small registry with known answers, checked on SQLite and PostgreSQL.

Seven accounts, one per situation: a regular account, one silent for 20 days, one whose
crawl is blocked, one never collected, one with a wrong formulation (a candidate) that also
relays the key release, its unit's second Weibo account that copies another unit's posts,
and one known only from imported posts.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.check import review, summary
from monitor.check.run import run_check
from registry import db
from registry.checks import inputs as check_lexicon
from registry.collection import store as collection
from registry.filing import accounts as filing
from registry.filing import units
from registry.timeutil import TZ

AT = datetime(2026, 11, 23, 10, 0, tzinfo=TZ).astimezone(UTC)
NOW = AT + timedelta(hours=1)
CHARS = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]


def text(rng: random.Random, n: int = 300) -> str:
    body = "".join(rng.choice(CHARS) for _ in range(n))
    return "。".join(body[i : i + 30] for i in range(0, n, 30))


def build(url: str) -> dict[str, int]:
    """Create the scenario; return the account ids by role."""
    db.upgrade(url)
    rng = random.Random(2026)
    ids: dict[str, int] = {}
    with db.session_scope(url) as s:
        units.add_unit(s, name="甘肃省某厅", level="province", region="620000", kind="department", actor="t")
        units.add_unit(s, name="兰州市人民政府", level="city", region="620100", actor="t")
        units.add_unit(
            s,
            name="兰州市某局",
            level="city",
            region="620100",
            kind="department",
            parent="兰州市人民政府",
            actor="t",
        )
        specs = [
            ("regular", "甘肃省某厅", "weibo", "1000001"),
            ("silent", "甘肃省某厅", "wechat", "gh_0123456789ab"),
            ("blocked", "兰州市人民政府", "weibo", "1000002"),
            ("never", "兰州市人民政府", "douyin", "1000003"),
            ("flagged", "兰州市某局", "weibo", "1000004"),
            ("copier", "兰州市某局", "weibo", "1000005"),
            ("imported", "兰州市某局", "wechat", "gh_abcdef012345"),
        ]
        for role, unit, platform, pid in specs:
            a = filing.file_account(
                s,
                unit=unit,
                platform=platform,
                name=f"{role}号",
                platform_id=pid,
                reason="工作需要",
                opened_on="2025-01-01",
                actor="t",
            )
            filing.approve(s, a.id, actor="t")
            ids[role] = a.id
        regular = [
            {
                "post_id": f"r{i}",
                "title": f"工作动态{i}",
                "text": text(rng),
                "url": f"https://w/r{i}",
                "published_at": AT - timedelta(days=29 - 2 * i, hours=1),
            }
            for i in range(15)
        ]
        collection.upsert_posts(s, ids["regular"], regular, fetched_at=NOW - timedelta(hours=3))
        collection.record_attempt(s, account_id=ids["regular"], outcome="ok", at=NOW - timedelta(hours=3))
        collection.upsert_posts(
            s,
            ids["silent"],
            [{"post_id": "s1", "title": "旧闻", "text": text(rng), "published_at": AT - timedelta(days=20)}],
        )
        collection.record_attempt(s, account_id=ids["silent"], outcome="ok", at=NOW - timedelta(hours=2))
        collection.record_attempt(s, account_id=ids["blocked"], outcome="ok", at=NOW - timedelta(days=10))
        collection.record_attempt(
            s,
            account_id=ids["blocked"],
            outcome="blocked",
            at=NOW - timedelta(days=1),
            http_status=403,
            snippet="访问过于频繁",
        )
        release_text = text(rng, 400)
        flagged = [
            {
                "post_id": f"f{i}",
                "title": f"通知{i}",
                "text": text(rng),
                "published_at": AT - timedelta(days=3 * i + 1),
            }
            for i in range(10)
        ]
        flagged[0]["text"] += "。有媒体称台湾总统发表讲话"
        flagged.append(
            {
                "post_id": "relay",
                "title": "转发",
                "text": "【转发】" + release_text,
                "published_at": AT - timedelta(days=5) + timedelta(hours=2),
            }
        )
        collection.upsert_posts(s, ids["flagged"], flagged)
        collection.record_attempt(s, account_id=ids["flagged"], outcome="ok", at=NOW - timedelta(hours=1))
        copies = [
            {
                "post_id": f"c{i}",
                "title": f"工作动态{i}",
                "text": "转自省厅：" + regular[i]["text"],
                "published_at": regular[i]["published_at"] + timedelta(hours=5),
            }
            for i in range(0, 15, 3)
        ]
        collection.upsert_posts(s, ids["copier"], copies)
        collection.record_attempt(s, account_id=ids["copier"], outcome="empty", at=NOW - timedelta(hours=1))
        imported = [
            {
                "post_id": f"i{i}",
                "title": f"导入{i}",
                "text": text(rng),
                "published_at": AT - timedelta(days=2 * i + 1),
            }
            for i in range(12)
        ]
        collection.upsert_posts(
            s, ids["imported"], imported, origin="import", fetched_at=NOW - timedelta(days=1)
        )
        collection.record_attempt(  # what `post import` records with the posts
            s, account_id=ids["imported"], outcome="ok", source="import", at=NOW - timedelta(days=1)
        )
        check_lexicon.add_release(
            s,
            title="重要政策解读",
            url="https://gov/r1",
            text=release_text,
            published_at=AT - timedelta(days=5),
            due_hours=24,
            units=["兰州市某局"],
            exact_hash=0,
            actor="t",
        )
    return ids


def findings_of(data: dict, account_id: int) -> dict[str, dict]:
    [acct] = [a for a in data["accounts"] if a["account_id"] == account_id]
    return {f["rule"]: f for f in acct["findings"]}


def verdicts(data: dict) -> dict[int, str]:
    return {a["account_id"]: a["verdict"] for a in data["accounts"]}


def test_monthly_check_known_answers(any_db: str) -> None:
    url = db.resolve_url(any_db)
    ids = build(url)
    with db.session_scope(url) as s:
        outcome = run_check(s, kind="monthly", actor="t", at=AT, now=NOW, seed=1)
        data = summary.run_json(s, outcome.run_id)
    assert verdicts(data) == {
        ids["regular"]: "qualified",
        ids["silent"]: "unqualified",
        ids["blocked"]: "uncollected",
        ids["never"]: "uncollected",
        ids["flagged"]: "qualified",
        ids["copier"]: "qualified",
        ids["imported"]: "qualified",
    }
    assert (data["sampled"], data["qualified"], data["unqualified"], data["uncollected"]) == (7, 4, 1, 2)
    assert data["pass_rate"] == 80.0
    assert findings_of(data, ids["regular"]) == {}
    silent = findings_of(data, ids["silent"])
    # opened in 2025 with one post in the last 90 days: also a shell account (a warning)
    assert set(silent) == {"no_update", "shell_account"} and silent["no_update"]["status"] == "confirmed"
    assert silent["no_update"]["evidence"]["metrics"]["idle_days"] == 20
    assert silent["no_update"]["evidence"]["metrics"]["whole_days"] == 20
    assert findings_of(data, ids["blocked"]) == {} and findings_of(data, ids["never"]) == {}
    flagged = findings_of(data, ids["flagged"])
    assert set(flagged) == {"serious_error", "duplicate_account"}
    assert flagged["serious_error"]["status"] == "candidate"
    assert flagged["serious_error"]["evidence"]["matches"][0]["correct"] == "台湾地区领导人"
    copier = findings_of(data, ids["copier"])
    assert set(copier) == {"duplicate_account", "low_originality", "relay_missed"}
    assert copier["low_originality"]["evidence"]["metrics"] == {"posts": 5, "original": 0, "rate": 0.0}
    assert set(findings_of(data, ids["imported"])) == {"relay_missed"}
    [relay] = data["relays"]
    assert (relay["due"], relay["relayed"], relay["on_time"], relay["rate"]) == (3, 1, 1, 33.33)


def test_review_flow_changes_verdicts(any_db: str) -> None:
    url = db.resolve_url(any_db)
    ids = build(url)
    with db.session_scope(url) as s:
        run_id = run_check(s, kind="monthly", actor="t", at=AT, now=NOW, seed=1).run_id
        fid = findings_of(summary.run_json(s, run_id), ids["flagged"])["serious_error"]["id"]
        review.review_finding(s, fid, status="confirmed", note="核实为错误表述", actor="审核员")
        data = summary.run_json(s, run_id)
        assert verdicts(data)[ids["flagged"]] == "unqualified"
        assert (data["qualified"], data["unqualified"], data["pass_rate"]) == (3, 2, 60.0)
        f = findings_of(data, ids["flagged"])["serious_error"]
        assert (f["status"], f["reviewer"], f["review_note"]) == ("confirmed", "审核员", "核实为错误表述")
        review.review_finding(s, fid, status="dismissed", note="引用原话，属正当报道", actor="审核员")
        data = summary.run_json(s, run_id)
        assert verdicts(data)[ids["flagged"]] == "qualified" and data["pass_rate"] == 80.0


def test_weekly_rechecks_last_failures_and_is_reproducible(sqlite_db: str) -> None:
    ids = build(sqlite_db)
    with db.session_scope(sqlite_db) as s:
        run_check(s, kind="monthly", actor="t", at=AT - timedelta(days=1), now=NOW, seed=1)
        a = summary.run_json(
            s, run_check(s, kind="weekly", actor="t", at=AT, now=NOW, seed=5, sample_rate=0.0).run_id
        )
        b = summary.run_json(
            s, run_check(s, kind="weekly", actor="t", at=AT, now=NOW, seed=5, sample_rate=0.0).run_id
        )
    reasons = {x["account_id"]: x["sample_reason"] for x in a["accounts"]}
    assert reasons[ids["silent"]] == "full_class" and reasons[ids["blocked"]] == "full_class"
    assert ids["flagged"] not in reasons  # department of a city: sampled, rate 0
    assert [x["account_id"] for x in a["accounts"]] == [x["account_id"] for x in b["accounts"]]


def test_past_check_time_uses_later_data(sqlite_db: str) -> None:
    ids = build(sqlite_db)
    with db.session_scope(sqlite_db) as s:
        data = summary.run_json(
            s, run_check(s, kind="adhoc", actor="t", at=AT - timedelta(days=15), now=NOW).run_id
        )
    # fifteen days earlier the silent account had posted five days before
    assert "no_update" not in findings_of(data, ids["silent"])
    assert data["at"] == "2026-11-08T10:00:00+08:00"


def test_gansu_profile_scores_and_warns_at_seven_days(sqlite_db: str) -> None:
    ids = build(sqlite_db)
    with db.session_scope(sqlite_db) as s:
        data = summary.run_json(
            s, run_check(s, kind="monthly", actor="t", at=AT, now=NOW, profile="gansu").run_id
        )
    scores = {a["account_id"]: a["score"] for a in data["accounts"]}
    assert scores[ids["regular"]] == 100.0
    # low originality and relay missed; the second Weibo account was filed with a reason, so
    # the duplicate is a candidate for a person and does not count yet
    assert scores[ids["copier"]] == 100.0 - 10 - 5
    [copier] = [a for a in data["accounts"] if a["account_id"] == ids["copier"]]
    dup = next(f for f in copier["findings"] if f["rule"] == "duplicate_account")
    assert dup["status"] == "candidate" and dup["evidence"]["reasons"] == {str(ids["flagged"]): "工作需要"}
    assert data["profile"] == "gansu"


@pytest.mark.parametrize("bad", ["0", "1.5"])
def test_bad_sample_rate(sqlite_db: str, bad: str) -> None:
    from registry.errors import InvalidValue

    build(sqlite_db)
    with db.session_scope(sqlite_db) as s:
        if bad == "0":
            assert run_check(s, kind="weekly", actor="t", at=AT, now=NOW, sample_rate=0.0).run_id
        else:
            with pytest.raises(InvalidValue):
                run_check(s, kind="weekly", actor="t", at=AT, now=NOW, sample_rate=float(bad))


def test_closed_account_that_still_posts_is_checked(sqlite_db: str) -> None:
    from registry.db import utcnow

    ids = build(sqlite_db)
    with db.session_scope(sqlite_db) as s:
        filing.close(s, ids["copier"], reason="整合关停", actor="t")
        later = utcnow() + timedelta(minutes=5)
        collection.upsert_posts(
            s,
            ids["copier"],
            [{"post_id": "late", "title": "关停后", "text": "仍在发布", "published_at": later}],
        )
        data = summary.run_json(
            s,
            run_check(
                s, kind="monthly", actor="t", at=later + timedelta(hours=1), now=later + timedelta(hours=2)
            ).run_id,
        )
    [acct] = [a for a in data["accounts"] if a["account_id"] == ids["copier"]]
    assert acct["sample_reason"] == "ended_posting"
    mismatch = findings_of(data, ids["copier"])["filing_mismatch"]
    assert "关停" in mismatch["evidence"]["note"] and mismatch["evidence"]["posts"][0]["title"] == "关停后"
    assert "duplicate_account" not in findings_of(data, ids["flagged"])  # one live Weibo account left


def test_a_check_split_over_worker_processes_stores_the_same_results(
    any_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verification in worker processes (``monitor.parallel``, used from 100,000 candidate
    pairs) gives exactly the results of one process."""
    from monitor import parallel
    from monitor.check import run as engine
    from monitor.similarity import originality

    url = db.resolve_url(any_db)
    build(url)
    with db.session_scope(url) as s:
        alone = summary.run_json(s, run_check(s, kind="monthly", actor="t", at=AT, now=NOW, seed=1).run_id)
        s.rollback()  # the same first check again below (a second one would carry its candidates)
    pools: list[str] = []
    real = parallel.multiprocessing.get_context
    monkeypatch.setattr(
        parallel.multiprocessing, "get_context", lambda how: (pools.append(how), real(how))[1]
    )
    monkeypatch.setattr(parallel, "workers", lambda: 2)  # as on a 2-core machine
    monkeypatch.setattr(originality, "PARALLEL_PAIRS", 1)
    monkeypatch.setattr(originality, "VERIFY_BLOCK", 1)  # a worker's block: one pair
    monkeypatch.setattr(engine, "JUDGE_BATCH", 2)  # and judged a few accounts at a time
    with db.session_scope(url) as s:
        split = summary.run_json(s, run_check(s, kind="monthly", actor="t", at=AT, now=NOW, seed=1).run_id)
    assert pools == ["forkserver"]  # verified by worker processes

    def comparable(data: dict) -> list:
        return [
            (
                a["account_id"],
                a["verdict"],
                a["score"],
                a["reason"],
                [(f["rule"], f["status"], f["evidence"]) for f in a["findings"]],
            )
            for a in data["accounts"]
        ]

    assert comparable(split) == comparable(alone) and split["relays"] == alone["relays"]
    assert len(comparable(alone)) == 7 and alone["unqualified"] == 1
