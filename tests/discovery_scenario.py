"""A discovery scenario: a county's registry (兰州市城关区, with 永登县 and 榆中县 beside it), its
filed accounts and their collected data, and what the platforms' searches know — filed,
unfiled, renamed, cancelled-but-active and impostor accounts, each with the unit it truly
belongs to (the ground truth the matcher is measured against).

Used by ``tests/app/test_discovery.py``, ``tests/monitor/test_discovery_audit.py`` and
``bench/discovery.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from registry.collection.store import store_collection
from registry.db import session_scope, upgrade
from registry.filing import accounts as filing
from registry.filing.units import add_unit
from spiders.standin import Found

GOV = "兰州市城关区人民政府"
EDU = "兰州市城关区教育局"
POLICE = "兰州市公安局城关分局"
MEDIA = "兰州市城关区融媒体中心"
MARKET = "兰州市城关区市场监督管理局"
YUZHONG_MEDIA = "榆中县融媒体中心"
UNITS = [
    ("甘肃省人民政府", "province", "government", "620000", None),
    ("兰州市人民政府", "city", "government", "620100", "甘肃省人民政府"),
    (GOV, "county", "government", "620102", "兰州市人民政府"),
    (EDU, "county", "department", "620102", GOV),
    (POLICE, "county", "department", "620102", GOV),
    (MEDIA, "county", "other", "620102", GOV),
    (MARKET, "county", "department", "620102", GOV),
    ("永登县人民政府", "county", "government", "620121", "兰州市人民政府"),
    ("榆中县人民政府", "county", "government", "620123", "兰州市人民政府"),
    (YUZHONG_MEDIA, "county", "other", "620123", "榆中县人民政府"),
]


@dataclass(frozen=True)
class Truth:
    """A searchable account and the unit it belongs to (None: nobody's in the registry)."""

    found: Found
    unit: str | None
    what: str


def truths() -> list[Truth]:
    """The accounts the searches find that are not filed, with their true unit."""
    return [
        Truth(Found("weibo", "3102000001", "城关融媒", "media", f"{MEDIA}官方微博"), MEDIA, "unfiled, 媒体"),
        Truth(Found("bilibili", "4102000001", "城关区教育局", "organisation", f"{EDU}官方账号"), EDU, "unfiled"),
        Truth(Found("wechat", "MzAyMDAwMDAwMQ==", "城关市场监管", "government", MARKET), MARKET, "unfiled"),
        Truth(Found("douyin", "MS4wLjABAAAAcg00000000000000001", "平安城关", "government", f"{POLICE}官方抖音号"), POLICE, "unfiled"),
        Truth(Found("kuaishou", "cgfabu01", "城关发布"), GOV, "unfiled, unverified"),
        Truth(Found("toutiao", "5102000001", "城关教育", "verified", "城关教育官方头条号"), EDU, "unfiled"),
        Truth(Found("weibo", "3102000002", "城关发布厅", description="城关区新闻发布"), GOV, "私开, unverified, other name"),
        Truth(Found("weibo", "3102000003", "榆中融媒", "media", f"{YUZHONG_MEDIA}官方微博"), YUZHONG_MEDIA, "unfiled, 媒体"),
        Truth(Found("weibo", "3102000010", "永登教育", "government", "永登县教育局官方微博", terms=("永登发布",)), None, "same name, another county"),
        Truth(Found("weibo", "3102000011", "城关教育", "government", "拉萨市城关区教育局官方微博"), None, "another province"),
        Truth(Found("weibo", "3102000012", "平安城关", "personal", "摄影博主"), None, "impostor, verified person"),
        Truth(Found("bilibili", "4102000010", "城关发布", description="非官方，分享城关生活"), None, "impostor, says so"),
        Truth(Found("douyin", "MS4wLjABAAAAcg00000000000000010", "城关融媒", description="记录城关日常"), None, "impostor, no tell"),
        Truth(Found("wechat", "MzAyMDAwMDAxMA==", "城关发布传媒", "enterprise", "城关发布文化传媒有限公司"), None, "enterprise"),
        Truth(Found("weibo", "3102000013", "兰州城关美食", terms=("城关发布",)), None, "unrelated"),
    ]  # fmt: skip


# filed accounts the searches also find (matched by their platform id)
FILED_FOUND = [
    Found("weibo", "3101000001", "城关发布", "government", "兰州市城关区人民政府新闻办公室官方微博"),
    Found("wechat", "MzAxMDAwMDAwMQ==", "城关教育", "government", EDU),
    Found("weibo", "3101000009", "平安城关", "government", f"{POLICE}官方微博"),  # cancelled filing
]
FAULTS = {
    ("weibo", "甘肃发布"): "captcha",
    ("bilibili", "平安城关"): "blocked",
    ("toutiao", "城关发布"): "empty",
}
CONTACTS = {"owner": "张三", "phone": "13800000000"}


def build(db: str, *, now: datetime | None = None) -> dict[str, int]:
    """The registry, its filings and their collected data; returns {key: account id}."""
    now = now or datetime.now(UTC)
    upgrade(db)
    ids: dict[str, int] = {}
    with session_scope(db) as s:
        for name, level, kind, region, parent in UNITS:
            add_unit(s, name=name, level=level, kind=kind, region=region, parent=parent, actor="scenario")

        def filed(key: str, unit: str, platform: str, name: str, pid: str, **extra: Any) -> None:
            account = filing.file_account(
                s,
                unit=unit,
                platform=platform,
                name=name,
                platform_id=pid,
                reason="第二个账号",
                actor="t",
                **extra,
            )
            filing.approve(s, account.id, actor="t")
            ids[key] = account.id

        filed("fabu", GOV, "weibo", "城关发布", "3101000001", **CONTACTS)
        filed("edu_wechat", EDU, "wechat", "城关教育", "MzAxMDAwMDAwMQ==", **CONTACTS)
        filed("police_cancelled", POLICE, "weibo", "平安城关", "3101000009", **CONTACTS)
        filed("market_renamed", MARKET, "weibo", "城关市场监管", "3101000020", **CONTACTS)
        filed("edu_gone", EDU, "weibo", "城关区教育发布", "3101000030", **CONTACTS)
        filed("media_closed", MEDIA, "bilibili", "城关融媒", "4101000040", **CONTACTS)
        filed("media_no_contact", MEDIA, "douyin", "城关融媒抖音", "MS4wLjABAAAAcg00000000000000050")
        filed("edu_failing", EDU, "kuaishou", "城关教育快手", "cgfailing", **CONTACTS)
        filing.cancel(s, ids["police_cancelled"], reason="账号停用", actor="t")
        filing.close(s, ids["media_closed"], reason="整合到微博账号", actor="t")
    _collected(db, ids, now)
    return ids


def _collected(db: str, ids: dict[str, int], now: datetime) -> None:
    """What the crawls saw: a rename, a gone account, posts after a closing, weeks of blocks."""
    day = timedelta(days=1)
    after_closing = datetime.now(UTC)  # the filing was closed a moment ago, in ``build``

    def ok(key: str, at: datetime, shown: str, posts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        return {
            "account_id": ids[key],
            "outcome": "ok" if posts else "empty",
            "at": at,
            "posts": posts or [],
            "snapshot": {"shown_name": shown, "verified": True},
        }

    results = [
        ok("fabu", now - day, "城关发布"),
        ok("market_renamed", now - 3 * day, "城关市场监管"),
        ok("market_renamed", now - day, "城关市场监管局"),
        ok("edu_gone", now - 10 * day, "城关区教育发布"),
        {
            "account_id": ids["edu_gone"],
            "outcome": "gone",
            "at": now - day,
            "detail": "微博账号不可用：用户不存在",
        },
        ok("media_closed", after_closing, "城关融媒", [_post("bv1", after_closing, "关停后仍在发布的视频")]),
        ok("edu_failing", now - 60 * day, "城关教育快手"),
        *[
            {
                "account_id": ids["edu_failing"],
                "outcome": "blocked",
                "at": now - w * 7 * day,
                "detail": "平台拦截",
            }
            for w in range(5, -1, -1)
        ],
    ]
    with session_scope(db) as s:
        store_collection(s, results, crawl_id="scenario")


def _post(pid: str, at: datetime, title: str) -> dict[str, Any]:
    return {
        "post_id": pid,
        "title": title,
        "text": title,
        "url": f"https://www.bilibili.com/video/{pid}",
        "published_at": at,
        "published_approx": False,
        "is_repost": False,
        "source": None,
        "pinned": False,
        "reposts": None,
        "comments": None,
        "likes": None,
        "reads": None,
        "extra": None,
    }


def precision_recall(
    predicted: dict[tuple[str, str], str | None], truth: dict[tuple[str, str], str | None]
) -> dict[str, Any]:
    """The matcher against the truth, over the unfiled accounts found: a prediction counts when
    it names a unit; it is right when it names the true one."""
    tp = sum(1 for k, u in predicted.items() if u is not None and u == truth[k])
    fp = sum(1 for k, u in predicted.items() if u is not None and u != truth[k])
    fn = sum(1 for k, u in truth.items() if u is not None and predicted.get(k) != u)
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
    }
