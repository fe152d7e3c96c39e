"""Discovery's store and reads on SQLite and PostgreSQL: queries keep their ids, searches keep
their outcome, candidates are keyed by the platform id and keep a person's decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from registry.db import session_scope
from registry.discovery import queries as dq
from registry.discovery import store
from registry.errors import IllegalTransition, InvalidValue
from registry.filing.queries import list_accounts
from tests.factories import CITY, COUNTY, small_registry

NOW = datetime.now(UTC)


def _plan(*texts: str, platform: str = "weibo") -> list[dict[str, Any]]:
    return [
        {"platform": platform, "text": t, "region_code": "620102", "unit_id": 4, "form": "测试"}
        for t in texts
    ]


def _result(query_id: int, outcome: str = "ok", **account: Any) -> dict[str, Any]:
    found = {"platform_id": "3102000001", "name": "城关融媒", "verified": True, "verified_kind": "media"}
    found.update(account)
    return {
        "query_id": query_id,
        "platform": "weibo",
        "query": "城关融媒",
        "outcome": outcome,
        "fetched_at": NOW,
        "accounts": [found] if outcome == "ok" else [],
        "passes": [{"filter": "all", "outcome": outcome, "pages": 1, "found": 1, "detail": None}],
        "pages": 1,
    }


def test_queries_keep_their_ids(any_db: str) -> None:
    small_registry(any_db)
    with session_scope(any_db) as s:
        first = store.sync_queries(s, _plan("城关发布", "平安城关"))
    with session_scope(any_db) as s:
        again = store.sync_queries(s, _plan("平安城关", "城关融媒"))
        wechat = store.sync_queries(s, _plan("城关发布", platform="wechat"))
    assert again[("weibo", "平安城关")] == first[("weibo", "平安城关")]
    assert len({*first.values(), *again.values(), *wechat.values()}) == 4


def test_sightings_update_what_the_platform_shows_not_the_decision(any_db: str) -> None:
    small_registry(any_db)
    with session_scope(any_db) as s:
        qid = store.sync_queries(s, _plan("城关融媒"))[("weibo", "城关融媒")]
        stored = store.store_search(s, run_id="r1", result=_result(qid))
        assert stored["new"] == stored["candidates"]
        cid = stored["candidates"][0]
        store.apply_match(s, cid, state="candidate", unit_id=4, account_id=None, basis="name", note=None)
        store.decide(s, cid, state="unfiled", actor="核查员")
    with session_scope(any_db) as s:
        again = store.store_search(s, run_id="r2", result=_result(qid, name="城关融媒体"))
        assert again == {"search_id": again["search_id"], "candidates": [cid], "new": []}
        assert (
            store.apply_match(
                s, cid, state="dismissed", unit_id=None, account_id=None, basis="none", note=None
            )
            is False
        )
        row = dq.candidate_detail(s, cid)
    assert (row["name"], row["state"], row["unit"], row["decided_by"]) == (
        "城关融媒体",
        "unfiled",
        COUNTY,
        "核查员",
    )
    assert row["evidence"]["query"] == "城关融媒"


def test_searches_keep_their_outcome_and_pending_queries_resume(any_db: str) -> None:
    small_registry(any_db)
    with session_scope(any_db) as s:
        ids = store.sync_queries(s, _plan("甲", "乙", "丙", "丁"))
        a, b, c, d = (ids[("weibo", t)] for t in ("甲", "乙", "丙", "丁"))
        store.record_search(s, query_id=a, run_id="r", outcome="empty", at=NOW - timedelta(days=40))
        store.record_search(s, query_id=b, run_id="r", outcome="blocked", at=NOW - timedelta(hours=2))
        store.record_search(s, query_id=c, run_id="r", outcome="ok", at=NOW - timedelta(hours=1))
        with pytest.raises(InvalidValue):
            store.record_search(s, query_id=d, run_id="r", outcome="skipped")
    with session_scope(any_db) as s:
        pending = dq.pending_queries(s, [a, b, c, d], since=NOW - timedelta(days=1))
        status = {r["query"]: r["outcome"] for r in dq.query_status(s, since=NOW - timedelta(days=1))}
    # never searched first, then the longest unsearched; a blocked search is still pending
    assert pending == [d, a, b]
    assert status == {"甲": None, "乙": "blocked", "丙": "ok", "丁": None}


def test_decisions_and_filing(any_db: str) -> None:
    small_registry(any_db)
    with session_scope(any_db) as s:
        qid = store.sync_queries(s, _plan("城关融媒"))[("weibo", "城关融媒")]
        cid = store.store_search(s, run_id="r", result=_result(qid))["candidates"][0]
        other = store.store_search(s, run_id="r", result=_result(qid, platform_id="3102000009"))[
            "candidates"
        ][0]
        with pytest.raises(InvalidValue, match="说明理由"):
            store.decide(s, cid, state="dismissed", actor="a")
        with pytest.raises(InvalidValue, match="线索状态"):
            store.decide(s, cid, state="filed", actor="a")
        with pytest.raises(InvalidValue, match="没有匹配到单位"):
            store.file_candidate(s, cid, actor="a")
        store.apply_match(s, other, state="filed", unit_id=4, account_id=None, basis="platform_id", note=None)
        with pytest.raises(IllegalTransition):
            store.decide(s, other, state="unfiled", actor="a")
    with session_scope(any_db) as s:
        row = store.file_candidate(s, cid, actor="a", unit=CITY)
        assert row.state == "unfiled" and row.filed_account_id is not None
        pending = list_accounts(s, status="pending")
        assert [(a["platform_id"], a["unit"]) for a in pending] == [("3102000001", CITY)]
        listed = dq.list_candidates(s, state="unfiled")
        assert [r["id"] for r in listed] == [cid] and listed[0]["unit"] == CITY
        assert [r["id"] for r in dq.list_candidates(s, region="620102")] == [other]  # cid is the city's
        assert {r["id"] for r in dq.list_candidates(s, region="620100")} == {cid, other}
