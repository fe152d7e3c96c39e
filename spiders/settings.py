"""Scrapy settings of the govmedia spiders, and the environment variables they come from.

Components read only ``crawler.settings``; this module is the one place that maps the
environment onto settings (``settings_from_env``), in the crawl subprocess. The
configuration file (govmedia.toml, ``registry.config``) is mapped onto the same variables
by the process that starts the crawl. Cookies and tokens are never logged or stored.

Environment variables (all optional):

=================================  ==========================================================
``GOVMEDIA_DB``                    database URL or path the pipeline writes to
``GOVMEDIA_WEIBO_COOKIE``          Cookie header for m.weibo.cn (without it Weibo answers 432)
``GOVMEDIA_WECHAT_TOKEN``          ``token`` of the centre's own MP backend session
``GOVMEDIA_WECHAT_COOKIE``         Cookie header of that MP backend session
``GOVMEDIA_BILIBILI_COOKIE``       Cookie header for api.bilibili.com (optional)
``GOVMEDIA_WEIBO_BASE_URL``        replaces ``https://m.weibo.cn``
``GOVMEDIA_WECHAT_BASE_URL``       replaces ``https://mp.weixin.qq.com`` (API and article pages)
``GOVMEDIA_BILIBILI_BASE_URL``     replaces ``https://api.bilibili.com``
``GOVMEDIA_CRAWL_DELAY``           seconds between requests; overrides every per-platform
                                   delay and the retry back-off base (tests set 0)
``GOVMEDIA_<P>_DELAY``             per-platform delay, P = WEIBO/WECHAT/BILIBILI/FEED/HTML
                                   (defaults 10 / 5 / 3 / 1 / 2 s)
``GOVMEDIA_<P>_CONCURRENCY``       parallel requests per platform (defaults 1 / 1 / 2 / 4 / 2;
                                   FEED and HTML apply per host, the stricter of the two)
``GOVMEDIA_<P>_DAILY_BUDGET``      requests per platform per day, 0 = unlimited
                                   (defaults 2000 / 300 / 5000 / 0 / 0)
``GOVMEDIA_CRAWL_TIMEOUT``         seconds before a request times out (default 30)
``GOVMEDIA_CRAWL_RETRIES``         retries of timeouts and 5xx answers (default 2)
``GOVMEDIA_RETRY_BACKOFF``         back-off base in seconds, doubled per retry (default 2)
``GOVMEDIA_ALLOW_PRIVATE_URLS``    ``1`` lets filing URLs reach loopback/private/link-local
                                   addresses; or a comma list of ``host[:port]`` allowed
                                   (e.g. the centre's own RSSHub bridge on the intranet)
``GOVMEDIA_MAX_RESPONSE_BYTES``    size cap of a response from a filing URL (default 5 MB)
``GOVMEDIA_WEIBO_MAX_PAGES``       post-list pages read per Weibo account (default 1)
``GOVMEDIA_WECHAT_MAX_ARTICLES``   article pages read per WeChat account (default 5)
``GOVMEDIA_USER_AGENT``            User-Agent header
``GOVMEDIA_STORE_BATCH``           accounts stored per database transaction (default 100)
=================================  ==========================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from registry.errors import InvalidValue

BOT_NAME = "govmedia"
SPIDER_MODULES = ["spiders.spiders"]
NEWSPIDER_MODULE = "spiders.spiders"
ROBOTSTXT_OBEY = False  # platform APIs; politeness comes from the per-platform budgets below
COOKIES_ENABLED = False  # credentials are sent explicitly, per platform
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
RETRY_ENABLED = True
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
CONCURRENT_REQUESTS = 16
CONCURRENT_ITEMS = 4  # one result per response at most; the default 100 costs ~100 tasks per page
REDIRECT_ENABLED = True

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.middlewares.BackoffRetryMiddleware": 550,
    "spiders.middlewares.BudgetMiddleware": 560,
    "spiders.middlewares.UrlSafetyMiddleware": 590,
}
ITEM_PIPELINES = {"spiders.pipelines.StorePipeline": 300}

PLATFORM_SLOTS = ("weibo", "wechat", "bilibili")
DEFAULT_DELAYS = {"weibo": 10.0, "wechat": 5.0, "bilibili": 3.0, "feed": 1.0, "html": 2.0}
DEFAULT_CONCURRENCY = {"weibo": 1, "wechat": 1, "bilibili": 2, "feed": 4, "html": 2}
DEFAULT_BUDGETS = {"weibo": 2000, "wechat": 300, "bilibili": 5000, "feed": 0, "html": 0}
DEFAULT_UA = (
    "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36 govmedia/0.1"
)

# settings copied verbatim from the environment when present
PASSTHROUGH = (
    "GOVMEDIA_DB",
    "GOVMEDIA_WEIBO_COOKIE",
    "GOVMEDIA_WECHAT_TOKEN",
    "GOVMEDIA_WECHAT_COOKIE",
    "GOVMEDIA_BILIBILI_COOKIE",
    "GOVMEDIA_WEIBO_BASE_URL",
    "GOVMEDIA_WECHAT_BASE_URL",
    "GOVMEDIA_BILIBILI_BASE_URL",
    "GOVMEDIA_ALLOW_PRIVATE_URLS",
    "GOVMEDIA_MAX_RESPONSE_BYTES",
    "GOVMEDIA_WEIBO_MAX_PAGES",
    "GOVMEDIA_WECHAT_MAX_ARTICLES",
    "GOVMEDIA_STORE_BATCH",
    "GOVMEDIA_RETRY_BACKOFF",
)


SECRET_KEYS = (
    "GOVMEDIA_WEIBO_COOKIE",
    "GOVMEDIA_WECHAT_TOKEN",
    "GOVMEDIA_WECHAT_COOKIE",
    "GOVMEDIA_BILIBILI_COOKIE",
)
# bounds of the numeric settings: a delay of "inf" or a budget of -1 would never end or never start
BOUNDS: dict[str, tuple[float, float]] = {
    "DELAY": (0, 3600),
    "CONCURRENCY": (1, 64),
    "DAILY_BUDGET": (0, 10**7),
    "GOVMEDIA_CRAWL_TIMEOUT": (1, 600),
    "GOVMEDIA_CRAWL_RETRIES": (0, 20),
    "GOVMEDIA_RETRY_BACKOFF": (0, 3600),
    "GOVMEDIA_STORE_BATCH": (1, 10000),
    "GOVMEDIA_MAX_RESPONSE_BYTES": (1024, 10**9),
    "GOVMEDIA_WEIBO_MAX_PAGES": (1, 100),
    "GOVMEDIA_WECHAT_MAX_ARTICLES": (1, 100),
}


def number(
    env: Mapping[str, str], name: str, default: float, bounds: tuple[float, float], *, whole: bool
) -> float:
    """A numeric setting from the environment within its bounds, or ``InvalidValue`` naming it."""
    raw = env.get(name)
    if raw in (None, ""):
        return default
    low, high = bounds
    try:
        value = float(str(raw).strip())
    except ValueError:
        value = float("nan")
    if value != value or not low <= value <= high or (whole and not value.is_integer()):
        kind = "整数" if whole else "数"
        raise InvalidValue(name, raw, f"应为 {low:g} 到 {high:g} 之间的{kind}")
    return int(value) if whole else value


def settings_from_env(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Scrapy settings for one crawl, built from the environment (see the module docstring).

    A numeric setting outside its bounds (``BOUNDS``) raises ``InvalidValue`` naming the
    variable, so a bad configuration stops the crawl before it starts instead of failing
    every account."""
    env = os.environ if env is None else env
    out: dict[str, Any] = {k: env[k] for k in PASSTHROUGH if env.get(k)}
    for name in ("GOVMEDIA_STORE_BATCH", "GOVMEDIA_MAX_RESPONSE_BYTES", "GOVMEDIA_WEIBO_MAX_PAGES",
                 "GOVMEDIA_WECHAT_MAX_ARTICLES"):  # fmt: skip
        if name in out:
            out[name] = number(env, name, 0, BOUNDS[name], whole=True)
    if "GOVMEDIA_RETRY_BACKOFF" in out:
        out["GOVMEDIA_RETRY_BACKOFF"] = number(
            env, "GOVMEDIA_RETRY_BACKOFF", 2, BOUNDS["GOVMEDIA_RETRY_BACKOFF"], whole=False
        )
    override = env.get("GOVMEDIA_CRAWL_DELAY")
    if override not in (None, ""):
        number(env, "GOVMEDIA_CRAWL_DELAY", 0, BOUNDS["DELAY"], whole=False)
    delays = {}
    for key, default in DEFAULT_DELAYS.items():
        name = "GOVMEDIA_CRAWL_DELAY" if override not in (None, "") else f"GOVMEDIA_{key.upper()}_DELAY"
        delays[key] = number(env, name, default, BOUNDS["DELAY"], whole=False)
    concurrency = {
        k: int(number(env, f"GOVMEDIA_{k.upper()}_CONCURRENCY", v, BOUNDS["CONCURRENCY"], whole=True))
        for k, v in DEFAULT_CONCURRENCY.items()
    }
    budgets = {
        k: int(number(env, f"GOVMEDIA_{k.upper()}_DAILY_BUDGET", v, BOUNDS["DAILY_BUDGET"], whole=True))
        for k, v in DEFAULT_BUDGETS.items()
    }
    out["DOWNLOAD_SLOTS"] = {
        slot: {
            "concurrency": concurrency[slot],
            "delay": delays[slot],
            "jitter": 0.5 if delays[slot] > 0 else 0,
        }
        for slot in PLATFORM_SLOTS
    }
    # feeds and list pages are slotted per host: a host gets the stricter of the two settings
    out["DOWNLOAD_DELAY"] = max(delays["feed"], delays["html"])
    out["CONCURRENT_REQUESTS_PER_DOMAIN"] = min(concurrency["feed"], concurrency["html"])
    out["GOVMEDIA_DELAYS"] = delays
    out["GOVMEDIA_BUDGETS"] = budgets
    if override not in (None, "") and "GOVMEDIA_RETRY_BACKOFF" not in out:
        out["GOVMEDIA_RETRY_BACKOFF"] = delays["feed"]
    out["DOWNLOAD_TIMEOUT"] = number(
        env, "GOVMEDIA_CRAWL_TIMEOUT", 30, BOUNDS["GOVMEDIA_CRAWL_TIMEOUT"], whole=False
    )
    out["RETRY_TIMES"] = int(
        number(env, "GOVMEDIA_CRAWL_RETRIES", 2, BOUNDS["GOVMEDIA_CRAWL_RETRIES"], whole=True)
    )
    out["USER_AGENT"] = env.get("GOVMEDIA_USER_AGENT") or DEFAULT_UA
    return out


SECRET_SUFFIXES = ("_COOKIE", "_TOKEN", "_KEY", "_UIN", "_SECRET", "_PASSWORD", "_SEARCH_URL")


def secrets_of(env: Mapping[str, str]) -> list[str]:
    """The configured credentials, for ``registry.masking.register_secrets``: the collectors'
    cookies and tokens (``SECRET_KEYS``) and every ``GOVMEDIA_…`` variable named like a secret
    (the WeChat-client key and uin of the searches, the search bridges' URLs with their keys)."""
    names = [k for k in env if k.startswith("GOVMEDIA_") and k.endswith(SECRET_SUFFIXES)]
    return [env[k] for k in dict.fromkeys([*SECRET_KEYS, *names]) if env.get(k)]
