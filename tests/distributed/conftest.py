"""Fixtures of the distributed crawl: the machine's Redis (shared by everyone: every test gets
its own key prefix and deletes its keys afterwards, never FLUSHALL), a missing Redis skips
locally and fails in CI."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from spiders.distributed.queue import QueueSettings
from tests.conftest import _missing_service

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def redis_server() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception:
        _missing_service("Redis at 127.0.0.1:6379")
    return REDIS_URL


@pytest.fixture
def queue(redis_server: str) -> Iterator[QueueSettings]:
    """Queue settings under a prefix of this test's own, with short leases."""
    import redis

    settings = QueueSettings(
        url=redis_server,
        prefix=f"govmedia-test-{uuid.uuid4().hex[:12]}",
        lease_seconds=3,
        heartbeat_seconds=0.5,
    )
    yield settings
    client = redis.Redis.from_url(redis_server)
    for key in client.scan_iter(match=f"{settings.prefix}:*", count=500):
        client.delete(key)
    client.close()
