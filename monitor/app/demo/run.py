"""``govmedia demo``: the whole job on a fresh demo database, offline.

Files a demo registry (Gansu's provincial departments and 14 市州), starts the stand-in
platform server, crawls it with the real spiders, runs monthly checks at the ends of the last
three months and a weekly spot check now, records a person's review of some machine findings
and two inspectors' observations, then writes the check report, the circular and the per-unit
notices. Returns a summary for the CLI to print.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.app.demo import data as dd
from monitor.app.ingest import index_after_ingest
from monitor.check.review import review_finding
from monitor.check.run import run_check
from monitor.check.summary import run_json
from monitor.similarity import neardup
from monitor.similarity.lexicon import ensure_starter
from registry.checks import inputs as check_lexicon
from registry.checks import queries as check_queries
from registry.collection import posts
from registry.collection import store as collection_store
from registry.db import dispose_engines, session_scope, upgrade, utcnow
from registry.filing import accounts as filing
from registry.filing import units
from registry.timeutil import TZ
from registry.vocab import FINDING_STATUS, RULE
from reports import service
from reports.settings import CircularSettings
from spiders.crawl import run_crawl
from spiders.standin import StandinServer

ACTOR = "演示"
# who issues the demo circular (a real office sets these in govmedia.toml [report])
DEMO_REPORT = CircularSettings(
    issuer="甘肃省政务公开办公室",
    masthead="甘肃省政务公开办公室文件",
    addressees="各市（州）人民政府，兰州新区管委会，省政府各部门",
    cc="省委网信办，省大数据中心",
    doc_no="甘政务公开办〔{year}〕{seq}号",
    scope="全省",
)


@dataclass
class DemoSummary:
    db: str
    out: Path
    accounts: int = 0
    units: int = 0
    crawl: Counter[str] = field(default_factory=Counter)
    runs: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    reviewed: list[str] = field(default_factory=list)
    history: int = 0
    circular: dict[str, Any] = field(default_factory=dict)  # the circular's figures (its .json)


def run_demo(out: Path, *, seed: int = 2026, now: datetime | None = None) -> DemoSummary:
    """Build everything into ``out`` (its ``govmedia.db`` is recreated)."""
    now = now or utcnow()
    out.mkdir(parents=True, exist_ok=True)
    db_path = out / "govmedia.db"
    for stale in (db_path, out / "govmedia.db-wal", out / "govmedia.db-shm"):
        stale.unlink(missing_ok=True)
    db = str(db_path)
    summary = DemoSummary(db=db, out=out)
    dispose_engines()
    upgrade(db)
    accounts = dd.plan(seed)
    dd.make_timelines(accounts, now=now, seed=seed, relays=_relays(accounts))
    with StandinServer(dd.standin_accounts(accounts)) as server:
        ids = _file_registry(db, accounts, server, summary)
        _key_release(db, now)
        _earlier_collections(db, ids, now)
        report = run_crawl(db, env=server.env())
        index_after_ingest(db)
        summary.crawl = Counter(r["outcome"] for r in report.results)
    by_pid = dict(zip((a.platform_id for a in accounts), ids, strict=True))
    collected = {r["account_id"] for r in report.results if r["outcome"] in ("ok", "empty")}
    summary.history = _import_history(db, out, accounts, by_pid, collected)
    _observations(db, accounts, by_pid, now)
    run_ids = _checks(db, now, seed)
    summary.reviewed = _review(db, run_ids)
    summary.circular = _reports(db, out, run_ids, now)
    with session_scope(db) as s:  # the figures as stored, after the reviews: what the files say
        summary.runs = [run_json(s, run_id) for run_id in run_ids]
    dispose_engines()  # closes the database, so its journal files are gone before the listing
    summary.files = written(out)
    return summary


def written(out: Path) -> list[str]:
    """Every file the demo wrote under ``out`` (the database, the archive, every document)."""
    return sorted(str(p) for p in out.rglob("*") if p.is_file())


def _file_registry(
    db: str, accounts: list[dd.DemoAccount], server: StandinServer, summary: DemoSummary
) -> list[int]:
    ids = []
    with session_scope(db) as s:
        for unit in dd.units():
            units.add_unit(
                s,
                name=unit.name,
                level=unit.level,
                region=unit.region,
                kind=unit.kind,
                parent=unit.parent,
                actor=ACTOR,
            )
            summary.units += 1
        for index, account in enumerate(accounts):
            assert account.standin is not None
            extra: dict[str, Any] = {}
            if account.kind == "rss":
                extra["feed_url"] = server.feed_url(account.standin)
            elif account.kind == "html":
                extra["feed_url"] = server.list_url(account.standin)
                extra["selectors"] = server.selectors(account.standin)
            filed = filing.file_account(
                s,
                unit=account.unit,
                platform=account.platform,
                name=account.name,
                platform_id=account.platform_id,
                reason=account.reason,
                actor=ACTOR,
                owner="张工",
                phone=f"139{index:08d}",
                email=f"operator{index}@example.gov.cn",
                leader="李主任",
                leader_phone=f"138{index:08d}",
                **extra,
            )
            filing.approve(s, filed.id, actor=ACTOR)
            ids.append(filed.id)
        summary.accounts = len(ids)
    return ids


def _earlier_collections(db: str, ids: list[int], now: datetime) -> None:
    """The office has collected its registry before: last season's crawl succeeded for every
    account (so an account the stand-in platforms block or cannot find today is 未能采集 with
    its last collection, listed for manual follow-up, rather than never collected)."""
    with session_scope(db) as s:
        for account_id in ids:
            collection_store.record_attempt(
                s, account_id=account_id, outcome="ok", at=now - timedelta(days=120)
            )


def _import_history(
    db: str, out: Path, accounts: list[dd.DemoAccount], by_pid: dict[str, int], collected: set[int]
) -> int:
    """Older posts than one crawl reaches, as the centre's archive from its former platform
    (历史归档): written to a JSONL file and read back with the ``post import`` code path."""
    path = out / "历史归档.jsonl"
    rows = []
    with session_scope(db) as s:
        for account in accounts:
            account_id = by_pid[account.platform_id]
            if account_id not in collected:
                continue
            crawled = posts.list_posts(s, account_id=account_id)
            oldest = min((p["published_at"] for p in crawled if p["published_at"]), default=None)
            for post in account.posts:
                if post.pinned or (oldest and post.published_at.astimezone(TZ).isoformat() >= oldest):
                    continue
                rows.append(
                    {
                        "account": f"{account.platform}:{account.platform_id}",
                        "post_id": f"hist-{post.post_id}",
                        "published_at": post.published_at.isoformat(),
                        "title": post.title,
                        "text": post.text,
                        "url": "",
                        "is_repost": post.is_repost,
                        "source": post.source or "",
                    }
                )
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with session_scope(db) as s:
        posts.import_posts(s, path)
    index_after_ingest(db)
    return len(rows)


def _relays(accounts: list[dd.DemoAccount]) -> dict[str, timedelta]:
    """The 市州 governments' accounts relay the key release: most on time, some late, some never."""
    governments = {f"{city}人民政府" for city, _code, _counties in dd.CITIES}
    targets = [a for a in accounts if a.unit in governments and a.behaviour == "active"]
    plan: dict[str, timedelta] = {}
    for i, account in enumerate(targets):
        if i % 9 == 8:
            continue  # never relayed
        plan[account.platform_id] = timedelta(hours=100) if i % 9 == 7 else timedelta(hours=2 + i % 20)
    return plan


def _key_release(db: str, now: datetime) -> None:
    governments = [f"{city}人民政府" for city, _code, _counties in dd.CITIES]
    with session_scope(db) as s:
        ensure_starter(s, actor=ACTOR)
        check_lexicon.add_release(
            s,
            title=dd.KEY_RELEASE_TITLE,
            url="http://www.gansu.gov.cn/gsszf/c100055/demo.shtml",
            text=dd.KEY_RELEASE_TEXT,
            published_at=now - timedelta(days=5),
            due_hours=72,
            units=governments,
            exact_hash=neardup.exact_hash(neardup.normalise(dd.KEY_RELEASE_TEXT)),
            actor=ACTOR,
        )


def _observations(db: str, accounts: list[dd.DemoAccount], by_pid: dict[str, int], now: datetime) -> None:
    """Two things an inspector saw by hand: a menu with no working interaction, and an advert."""
    actives = [a for a in accounts if a.behaviour == "active" and a.platform == "wechat"]
    rows = [
        {
            "account_id": by_pid[actives[4].platform_id],
            "rule": "no_interaction",
            "level": "veto",
            "note": "自定义菜单“互动留言”无法打开，未提供有效互动功能",
            "observed_at": now - timedelta(days=2),
        },
        {
            "account_id": by_pid[actives[9].platform_id],
            "rule": "commercial_ad",
            "level": "deduct",
            "note": "文章底部插入商业推广链接",
            "observed_at": now - timedelta(days=3),
        },
    ]
    with session_scope(db) as s:
        check_lexicon.add_observations(s, rows, actor=ACTOR, source_file="演示人工检查.csv")


def _checks(db: str, now: datetime, seed: int) -> list[int]:
    """Monthly checks at the ends of the last three months, then this week's spot check."""
    runs = []
    today = now.astimezone(TZ).date()
    month_ends: list[date] = []
    first = today.replace(day=1)
    for _ in range(3):
        month_ends.insert(0, first - timedelta(days=1))
        first = (first - timedelta(days=1)).replace(day=1)
    with session_scope(db) as s:
        for end in month_ends:
            at = datetime.combine(end, datetime.max.time(), tzinfo=TZ).replace(microsecond=0)
            runs.append(run_check(s, kind="monthly", actor=ACTOR, at=at, seed=seed).run_id)
        runs.append(run_check(s, kind="weekly", actor=ACTOR, seed=seed).run_id)
    return runs


def _review(db: str, run_ids: list[int]) -> list[str]:
    """A person reviews this week's candidates (confirms a misstatement, dismisses an
    entertainment flag), then every misstatement candidate left in the monthly checks, so
    that the circular's vetoes are final."""
    done: list[str] = []

    def review(finding: dict[str, Any], status: str, note: str) -> None:
        review_finding(s, finding["id"], status=status, note=note, actor=ACTOR)
        done.append(f"问题 {finding['id']}（{RULE.label(finding['rule'])}）→ {FINDING_STATUS.label(status)}")

    with session_scope(db) as s:
        candidates = check_queries.list_findings(s, run_id=run_ids[-1], status="candidate")
        for rule, status, note in (
            ("serious_error", "confirmed", "经人工复核，确属严重表述错误"),
            ("entertainment", "dismissed", "经复核为节日民俗宣传，不属娱乐化"),
        ):
            found = next((f for f in candidates if f["rule"] == rule), None)
            if found:
                review(found, status, note)
        for run_id in run_ids:
            for found in check_queries.list_findings(s, run_id=run_id, status="candidate"):
                if found["rule"] == "serious_error":
                    review(found, "confirmed", "经人工复核，确属严重表述错误")
    return done


def _reports(db: str, out: Path, runs: list[int], now: datetime) -> dict[str, Any]:
    """The weekly check's result, the circular of the last 90 days and the per-unit notices;
    returns the circular's figures."""
    today = now.astimezone(TZ).date()
    start = today - timedelta(days=89)
    with session_scope(db) as s:
        service.check_sheet(s, runs[-1], out=out / "周抽查")
        circ = service.circular(
            s, start=start, end=today, out=out / "季度通报", actor=ACTOR, settings=DEMO_REPORT, today=today
        )
        service.notices(
            s, start=start, end=today, out=out / "一对一反馈", actor=ACTOR, settings=DEMO_REPORT, today=today
        )
    return circ
