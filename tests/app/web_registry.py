"""A registry for the workbench's tests, built through the library functions: two cities under a
province, a county under each, users of every role, and for both jurisdictions (兰州 inside,
天水 outside for the 兰州 users) pending filings, candidate findings with their posts, and
rectification items.

    甘肃省人民政府 (province)
    ├── 兰州市人民政府 (city) ── 城关区人民政府 (county)
    └── 天水市人民政府 (city) ── 秦州区人民政府 (county)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest.mock import patch

from starlette.testclient import TestClient

from monitor.app.web.app import create_app
from monitor.app.web.settings import WebSettings
from registry.checks import store as checks
from registry.collection import store as collection
from registry.db import session_scope, upgrade
from registry.filing import accounts as filing
from registry.filing import units
from registry.ledger import store as ledger
from registry.users.store import add_user
from registry.users.store import hash_password as _REAL_HASH

PASSWORD = "correct-horse-1"
PROVINCE, LANZHOU, CHENGGUAN = "甘肃省人民政府", "兰州市人民政府", "城关区人民政府"
TIANSHUI, QINZHOU = "天水市人民政府", "秦州区人民政府"
UNITS = [
    (PROVINCE, "province", "620000", None),
    (LANZHOU, "city", "620100", PROVINCE),
    (CHENGGUAN, "county", "620102", LANZHOU),
    (TIANSHUI, "city", "620500", PROVINCE),
    (QINZHOU, "county", "620502", TIANSHUI),
]
# user → (unit, role): the matrix's actor of each role sees 城关 inside and 秦州 outside
USERS = {
    "兰州管理员": (LANZHOU, "admin"),
    "兰州监管": (LANZHOU, "supervisor"),
    "兰州复核": (LANZHOU, "reviewer"),
    "城关填报": (CHENGGUAN, "filer"),
    "兰州只读": (LANZHOU, "readonly"),
    "省监管": (PROVINCE, "supervisor"),
    "省管理员": (PROVINCE, "admin"),
    "天水监管": (TIANSHUI, "supervisor"),
    "秦州填报": (QINZHOU, "filer"),
    "兰州填报": (LANZHOU, "filer"),
}
ACTOR_OF_ROLE = {"admin": "兰州管理员", "supervisor": "兰州监管", "reviewer": "兰州复核",
                 "filer": "城关填报", "readonly": "兰州只读"}  # fmt: skip
AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@dataclass
class Built:
    db: str
    pending: dict[str, list[int]] = field(default_factory=dict)  # county → pending account ids
    active: dict[str, int] = field(default_factory=dict)  # county → an active account
    findings: dict[str, list[int]] = field(default_factory=dict)  # county → candidate finding ids
    items: dict[str, list[int]] = field(default_factory=dict)  # county → ledger item ids
    rejected: dict[str, list[int]] = field(default_factory=dict)  # county → rejected filings
    spare: dict[str, list[int]] = field(default_factory=dict)  # county → more active accounts
    run_id: int = 0
    circular_id: int = 0


_HASHED: dict[str, str] = {}


def _hash_once(password: str) -> str:
    """The real argon2id hash, computed once per password and process: the builder adds ten
    users, and hashing each (~0.3 s on this machine) would dominate the tests' time."""
    from registry.users import store

    if password not in _HASHED:
        _HASHED[password] = _REAL_HASH(password)
    store.check_password(password)
    return _HASHED[password]


def build(
    db: str,
    *,
    copies: int = 1,
    post_text: str | None = None,
    account_name: str | None = None,
    lifecycle: int = 0,
) -> Built:
    """The registry with ``copies`` pending filings, candidate findings and open ledger items
    in each county (one per matrix case that changes an object), and ``lifecycle`` rejected
    filings and more active accounts in each (for 变更、重新报备、关停、注销)."""
    upgrade(db)
    out = Built(db)
    with session_scope(db) as s:
        for name, level, region, parent in UNITS:
            units.add_unit(s, name=name, level=level, region=region, parent=parent, actor="factory")
        with patch("registry.users.store.hash_password", _hash_once):
            for name, (unit, role) in USERS.items():
                add_user(s, name=name, unit=unit, role=role, password=PASSWORD, actor="factory")
        for n, county in enumerate((CHENGGUAN, QINZHOU)):
            out.pending[county] = [
                filing.file_account(
                    s,
                    unit=county,
                    platform="weibo",
                    name=f"{county[:2]}待审{i}",
                    platform_id=str(3_000_000 + n * 1000 + i),
                    reason="测试",
                    actor="factory",
                ).id
                for i in range(copies)
            ]
            account = filing.file_account(
                s,
                unit=county,
                platform="wechat",
                name=account_name or f"{county[:2]}发布",
                platform_id=f"gh_00000000000{n}",
                actor="factory",
            )
            filing.approve(s, account.id, actor="factory")
            out.active[county] = account.id
        for n, county in enumerate((CHENGGUAN, QINZHOU)):
            out.rejected[county], out.spare[county] = _life_cycle(s, county, n, lifecycle)
    _checks(out, copies, post_text)
    return out


def _life_cycle(s: Any, county: str, n: int, count: int) -> tuple[list[int], list[int]]:
    """``count`` rejected filings (驳回 with a reason) and ``count`` active Toutiao accounts."""
    rejected, active = [], []
    for i in range(count):
        first = filing.file_account(
            s, unit=county, platform="bilibili", name=f"{county[:2]}被驳回{i}",
            platform_id=str(5_000_000 + n * 1000 + i), reason="测试", actor="factory",
        )  # fmt: skip
        filing.reject(s, first.id, reason="主办单位填写有误", actor="factory")
        second = filing.file_account(
            s, unit=county, platform="toutiao", name=f"{county[:2]}头条{i}",
            platform_id=str(6_000_000 + n * 1000 + i), reason="测试", actor="factory",
        )  # fmt: skip
        filing.approve(s, second.id, actor="factory")
        rejected.append(first.id)
        active.append(second.id)
    return rejected, active


def _checks(out: Built, copies: int, post_text: str | None) -> None:
    text = post_text or "会议强调，要坚持以人民为中心的发展思想，某某错误表述需要纠正。"
    results = []
    with session_scope(out.db) as s:
        for account_id in out.active.values():
            posts = [
                {"post_id": f"p{account_id}-{i}", "title": f"工作动态{i}", "text": text,
                 "url": f"https://example.org/{account_id}/{i}", "published_at": AT - timedelta(days=1 + i)}
                for i in range(copies)
            ]  # fmt: skip
            collection.upsert_posts(s, account_id, posts, fetched_at=AT)
            collection.record_attempt(s, account_id=account_id, outcome="ok", at=AT)
            findings = [_candidate(s, account_id, p["post_id"], p) for p in posts]
            findings.append(
                {"rule": "no_update", "level": "veto", "status": "confirmed", "points": None,
                 "evidence": {"note": "监测时间点前2周内无更新"}}
            )  # fmt: skip
            results.append(_result(account_id, findings))
        out.run_id = checks.store_run(s, run=_run(), results=results)
    _ledger(out, copies)


def _candidate(s: Any, account_id: int, post_key: str, post: dict[str, Any]) -> dict[str, Any]:
    from sqlalchemy import select

    from registry.collection.models import Post

    post_id = s.scalar(select(Post.id).where(Post.account_id == account_id, Post.post_id == post_key))
    return {
        "rule": "serious_error",
        "level": "veto",
        "status": "candidate",
        "points": None,
        "evidence": {
            "posts": [{"post_id": post_id, "title": post["title"], "url": post["url"],
                       "published_at": post["published_at"].isoformat()}],
            "post_ids": [post_id],
            "matches": [{"phrase": "某某错误表述", "kind": "serious", "correct": "正确表述", "post_id": post_id}],
            "note": "内容含已知错误表述（待人工确认）",
        },
    }  # fmt: skip


def _result(account_id: int, findings: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "account_id": account_id, "sample_reason": "all", "verdict": "unqualified", "score": None,
        "collection": "collected", "last_post_at": AT - timedelta(days=20), "last_success_at": AT,
        "posts_in_window": 1, "original_posts": 1, "stats": {}, "findings": findings,
    }  # fmt: skip


def _run() -> dict[str, Any]:
    return {"kind": "monthly", "at": AT, "window_from": AT - timedelta(days=30), "window_to": AT,
            "sample_rate": None, "seed": 1, "profile": "national", "thresholds": {}, "actor": "factory",
            "population": 2}  # fmt: skip


def _ledger(out: Built, copies: int) -> None:
    from registry.checks.queries import list_findings

    with session_scope(out.db) as s:
        for county, account_id in out.active.items():
            out.findings[county] = [
                f["id"]
                for f in list_findings(s, status="candidate", account_id=account_id)
                if f["rule"] == "serious_error"
            ]
        problems = [
            {"account_id": account_id, "rule": f"rule{i}", "level": "veto", "finding_ids": [],
             "description": f"问题{i}"}
            for account_id in out.active.values()
            for i in range(copies)
        ]  # fmt: skip
        circular, _ = ledger.save_circular(
            s,
            title="关于2026年第三季度全省政务新媒体抽查检查情况的通报",
            doc_no="甘政务公开办〔2026〕1号",
            window_from=date(2026, 7, 1),
            window_to=date(2026, 9, 30),
            deadline=date(2026, 12, 31),
            figures={},
            problems=problems,
            actor="factory",
        )
        out.circular_id = circular.id
    from registry.ledger.queries import list_items

    with session_scope(out.db) as s:
        for county, account_id in out.active.items():
            out.items[county] = [i["id"] for i in list_items(s, account_ids=[account_id])]


def client(db: str, **settings: Any) -> TestClient:
    return TestClient(create_app(WebSettings(db=db, **settings)), base_url="http://testserver")


def csrf_of(page: str) -> str:
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no csrf_token field"
    return found.group(1)


def login(web: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign in; return the CSRF token of the session's forms."""
    form = web.get("/login")
    r = web.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/", r.text[:500]
    return csrf_of(web.get("/").text)
