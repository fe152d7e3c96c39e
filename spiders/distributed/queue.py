"""The Redis side of a distributed crawl: the connection, the key names, the queue of messages.

Redis is a disposable queue: a message ``{"cycle": C, "account": A}`` only points at the row
of account A in cycle C in the database (``registry.collection.cycles``), which says whether it
is still to be collected and by whom. Losing Redis loses no work (queued rows are pushed again,
see ``cycles.reap``); a duplicated message is harmless (the lease is a guarded UPDATE).

The connection is made by scrapy-redis (``scrapy_redis.connection.get_redis``) with the same
parameters in the coordinator and in the workers. Keys, under ``[redis] prefix``
(default ``govmedia``)::

    <prefix>:accounts:start_urls        the queue (scrapy-redis's start-URL list of the
                                        ``accounts`` spider; JSON messages, never pickle)
    <prefix>:pace:<slot>                next allowed request time of a platform, host or
                                        credential (``spiders.distributed.limits``)
    <prefix>:budget:<slot>:<day>        requests spent today on a platform or credential

Anyone who can write to these keys can make the workers collect filed accounts: keep Redis on
the private network with a password (``redis://:密码@主机:6379/0``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from registry.errors import GovmediaError
from registry.masking import mask_url

Key = tuple[int, int]
SPIDER = "accounts"
# scrapy-redis's connection defaults, with shorter timeouts: an unreachable Redis is said in
# seconds, not after half a minute
REDIS_PARAMS: dict[str, Any] = {
    "socket_timeout": 10,
    "socket_connect_timeout": 5,
    "retry_on_timeout": True,
    "encoding": "utf-8",
    "decode_responses": True,
}


class QueueNotConfigured(GovmediaError):
    """未配置 [redis] url：分布式采集需要 Redis。"""

    def __init__(self) -> None:
        super().__init__(
            "未配置 Redis：分布式采集（crawl --distributed、crawl worker、crawl status）需要在 "
            "govmedia.toml 的 [redis] url（或环境变量 GOVMEDIA_REDIS_URL）写明 Redis 地址，如 redis://:密码@10.0.0.5:6379/0"
        )


class QueueUnavailable(GovmediaError):
    """无法连接 Redis。"""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"无法连接 Redis（{mask_url(url)}）：{reason}；请检查 [redis] url 和 Redis 服务")


@dataclass(frozen=True)
class QueueSettings:
    """Where the queue is and how long leases last (from ``[redis]`` and ``[crawl]``)."""

    url: str
    prefix: str = "govmedia"
    lease_seconds: float = 60.0
    heartbeat_seconds: float = 10.0

    @property
    def start_urls_key(self) -> str:
        """scrapy-redis's ``REDIS_START_URLS_KEY`` (``%(name)s`` is the spider's name)."""
        return f"{self.prefix}:%(name)s:start_urls"

    @property
    def queue_key(self) -> str:
        return self.start_urls_key % {"name": SPIDER}

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))


def connect(settings: QueueSettings) -> Any:
    """A checked client (scrapy-redis's connection); ``QueueUnavailable`` when Redis does not
    answer."""
    from redis.exceptions import RedisError
    from scrapy_redis.connection import get_redis

    try:
        client = get_redis(url=settings.url, **REDIS_PARAMS)
        client.ping()
    except (RedisError, ValueError, OSError) as exc:
        raise QueueUnavailable(settings.url, reason_of(exc)) from None
    return client


def reason_of(exc: BaseException) -> str:
    """Why Redis cannot be reached, in Chinese."""
    from redis.exceptions import AuthenticationError, AuthorizationError, ResponseError
    from redis.exceptions import TimeoutError as RedisTimeout

    text = str(exc)
    if isinstance(exc, ValueError):
        return "地址格式不对（应以 redis://、rediss:// 或 unix:// 开头）"
    if isinstance(exc, (AuthenticationError, AuthorizationError)) or "NOAUTH" in text or "WRONGPASS" in text:
        return "密码错误或需要密码"
    if isinstance(exc, RedisTimeout) or "timed out" in text.lower():
        return "连接超时"
    if "refused" in text.lower():
        return "连接被拒绝（Redis 未运行或端口不对）"
    if "name or service not known" in text.lower() or "nodename nor servname" in text.lower():
        return "无法解析主机名"
    if isinstance(exc, ResponseError):
        return "Redis 拒绝了请求"
    return "网络错误"


def encode(key: Key) -> str:
    cycle_id, account_id = key
    return json.dumps({"cycle": int(cycle_id), "account": int(account_id)})


def decode(data: Any) -> Key | None:
    """A message as (cycle, account); None for anything else (ignored, never evaluated)."""
    try:
        value = json.loads(data.decode() if isinstance(data, bytes) else str(data))
        return int(value["cycle"]), int(value["account"])
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def push(client: Any, settings: QueueSettings, keys: Iterable[Key]) -> int:
    """Append messages to the queue (first in, first out); returns how many."""
    messages = [encode(k) for k in keys]
    for start in range(0, len(messages), 1000):
        client.rpush(settings.queue_key, *messages[start : start + 1000])
    return len(messages)


def length(client: Any, settings: QueueSettings) -> int:
    return int(client.llen(settings.queue_key))
