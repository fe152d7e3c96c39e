"""The one item the spiders yield: an account's collection result.

One ``AccountResult`` per account per crawl, whatever happened: the outcome with its
evidence, and — only for ``ok`` — the posts seen and the account snapshot. The pipeline
stores it through ``registry.collection`` in one unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class AccountResult:
    account_id: int
    outcome: str
    collector: str
    fetched_at: datetime
    detail: str | None = None
    http_status: int | None = None
    snippet: str | None = None
    posts: list[dict[str, Any]] = field(default_factory=list)
    snapshot: dict[str, Any] | None = None
    cycle_id: int | None = None  # the distributed crawl cycle it belongs to (spiders.distributed)
