"""Account search (未备案账号排查): one searcher per platform, beside the post collectors and
with the same politeness (download slots and delays), budgets (daily search budgets of their
own, ``<platform>_search``), credentials, base-URL overrides and outcome classes.

``spiders.search.launch.run_search`` runs the ``search`` spider in its own process, as the
crawl does; the results are stored through ``registry.discovery.store``.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

from spiders.search.base import Searcher, SearchResult
from spiders.search.bilibili import BilibiliSearch
from spiders.search.bridge import DouyinSearch, KuaishouSearch, ToutiaoSearch
from spiders.search.wechat import WechatSearch
from spiders.search.weibo import WeiboSearch

SEARCHERS: list[type[Searcher]] = [
    WeiboSearch,
    WechatSearch,
    BilibiliSearch,
    DouyinSearch,
    KuaishouSearch,
    ToutiaoSearch,
]
PLATFORMS = tuple(dict.fromkeys(s.platform for s in SEARCHERS))


def build(settings: BaseSettings) -> dict[str, Searcher]:
    """The searcher of each platform (the highest priority one when several are listed)."""
    out: dict[str, Searcher] = {}
    for cls in sorted(SEARCHERS, key=lambda c: -c.priority):
        out.setdefault(cls.platform, cls(settings))
    return out


__all__ = ["PLATFORMS", "SEARCHERS", "SearchResult", "Searcher", "build"]
