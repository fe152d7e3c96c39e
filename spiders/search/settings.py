"""Settings of a search run, on top of the crawl's (``spiders.settings.settings_from_env``).

Environment variables (all optional), written by the application from ``[discovery]``:

=========================================  ================================================
``GOVMEDIA_DISCOVERY_<P>_BUDGET``          searches (requests) per platform per day, P =
                                           WEIBO/WECHAT/BILIBILI/DOUYIN/KUAISHOU/TOUTIAO
                                           (defaults 200 / 50 / 300 / 100 / 100 / 100; 0 = none)
``GOVMEDIA_DISCOVERY_WECHAT_ABOUT_BUDGET`` 关于公众号 pages per day (default 100)
``GOVMEDIA_DISCOVERY_<P>_SEARCH_URL``      the search bridge of Douyin, Kuaishou, Toutiao
``GOVMEDIA_DISCOVERY_WECHAT_ABOUT_KEY``    WeChat-client ``key`` for the 关于公众号 pages
``GOVMEDIA_DISCOVERY_WECHAT_ABOUT_UIN``    WeChat-client ``uin`` for the same
``GOVMEDIA_DISCOVERY_MAX_PAGES``           result pages read per query and pass (default 2)
=========================================  ================================================

The search budgets are kept apart from the collection budgets (``weibo``, ``wechat`` …): search
is the most guarded call on every platform. They are counted per day in the same table
(``registry.collection.jobs``) under ``<platform>_search``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from spiders.settings import settings_from_env

DEFAULT_SEARCH_BUDGETS = {
    "weibo": 200,
    "wechat": 50,
    "bilibili": 300,
    "douyin": 100,
    "kuaishou": 100,
    "toutiao": 100,
}
DEFAULT_ABOUT_BUDGET = 100
PASSTHROUGH = (
    "GOVMEDIA_DISCOVERY_DOUYIN_SEARCH_URL",
    "GOVMEDIA_DISCOVERY_KUAISHOU_SEARCH_URL",
    "GOVMEDIA_DISCOVERY_TOUTIAO_SEARCH_URL",
    "GOVMEDIA_DISCOVERY_WECHAT_ABOUT_KEY",
    "GOVMEDIA_DISCOVERY_WECHAT_ABOUT_UIN",
    "GOVMEDIA_DISCOVERY_MAX_PAGES",
)


def search_settings_from_env(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The crawl's settings plus the search budgets, bridges and WeChat-client keys."""
    env = os.environ if env is None else env
    out = settings_from_env(env)
    out.update({k: env[k] for k in PASSTHROUGH if env.get(k)})
    budgets = dict(out["GOVMEDIA_BUDGETS"])
    for platform, default in DEFAULT_SEARCH_BUDGETS.items():
        raw = env.get(f"GOVMEDIA_DISCOVERY_{platform.upper()}_BUDGET")
        budgets[f"{platform}_search"] = int(raw) if raw not in (None, "") else default
    raw = env.get("GOVMEDIA_DISCOVERY_WECHAT_ABOUT_BUDGET")
    budgets["wechat_about"] = int(raw) if raw not in (None, "") else DEFAULT_ABOUT_BUDGET
    out["GOVMEDIA_BUDGETS"] = budgets
    out["ITEM_PIPELINES"] = {"spiders.search.pipeline.SearchStorePipeline": 300}
    return out
