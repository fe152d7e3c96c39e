"""The collector interface: how one kind of source is read for one account.

A collector only extracts. It builds requests for an account (``start``), parses each
answer in a ``parse_<step>`` method that yields further requests or the final
``AccountResult``, and raises an ``outcomes.CollectionOutcome`` (Blocked, AuthExpired,
Gone, Failed) when the platform did not give a real answer. The spider routes answers to
the collector and turns failures into outcomes; the pipeline stores results.

The state of one account's collection travels with its requests (``run``, a plain dict in
``cb_kwargs``), never in the spider, so requests can be scheduled by another process
(scrapy-redis) later.

Adding a collector (for example a signed native Douyin collector): subclass ``Collector``,
set ``name``, ``budget``, ``slot`` and a ``priority`` above the feed collector's, implement
``handles``, ``start`` and the ``parse_`` steps, and list it in ``spiders.collectors``.
Nothing else changes: the choice per account is ``spiders.collectors.choose``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from scrapy import Request
from scrapy.settings import BaseSettings

from spiders.items import AccountResult
from spiders.normalize import TimeParseError, first_line, parse_count, parse_time_span, plain_text
from spiders.outcomes import EMPTY, OK, CollectionOutcome

Run = dict[str, Any]
Output = Iterator[Request | AccountResult]
COUNT_FIELDS = ("reposts", "comments", "likes", "reads")
ERROR_STATUSES = list(range(400, 600))


class Collector:
    """Base class; see the module docstring."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    budget: ClassVar[str] = ""  # daily budget key
    slot: ClassVar[str | None] = None  # download slot; None = per host
    untrusted: ClassVar[bool] = False  # URLs come from filings
    shows_platform_name: ClassVar[bool] = False  # the snapshot's name is the platform's own
    priority: ClassVar[int] = 0

    def __init__(self, settings: BaseSettings) -> None:
        self.settings = settings

    @classmethod
    def handles(cls, job: dict[str, Any]) -> bool:
        raise NotImplementedError

    def missing(self, job: dict[str, Any]) -> str | None:
        """Why this collector cannot run now (a credential is missing), or None."""
        return None

    def start(self, run: Run) -> Output:
        raise NotImplementedError

    # --- helpers for subclasses ---

    def request(
        self,
        url: str,
        run: Run,
        step: str,
        *,
        optional: bool = False,
        headers: dict[str, str] | None = None,
        own_status: bool = False,
    ) -> Request:
        """A request whose answer goes to ``parse_<step>``; optional steps may fail alone."""
        # every error status reaches the collector; redirects are still followed (and checked)
        meta: dict[str, Any] = {
            "handle_httpstatus_list": ERROR_STATUSES,
            "budget": self.budget,
            "optional": optional,
            "own_status": own_status,
        }
        if self.slot:
            meta["download_slot"] = self.slot
        if self.untrusted:
            meta["untrusted"] = True
        return Request(
            url, headers=headers, meta=meta, dont_filter=True, cb_kwargs={"run": run, "step": step}
        )

    def advance(self, run: Run) -> Output:
        """Fetch the next queued optional page, or finish the account."""
        if run["queue"]:
            step, url, key = run["queue"].pop(0)
            run["current"] = key
            yield self.next_request(run, step, url)
            return
        yield self.finish(run)

    def next_request(self, run: Run, step: str, url: str) -> Request:
        return self.request(url, run, step, optional=True)

    def finish(self, run: Run) -> AccountResult:
        """``ok`` when posts were seen, otherwise ``empty`` (a real, well-formed answer)."""
        posts = run["posts"]
        shown = (run.get("snapshot") or {}).get("shown_name")
        filed = run["job"].get("name")
        if self.shows_platform_name and shown and filed and shown != filed:
            run["notes"].append(f"平台显示名称为「{shown}」，与备案名称「{filed}」不一致（可能已改名）")
        notes = "；".join(run["notes"]) or None
        return AccountResult(
            account_id=run["job"]["account_id"],
            outcome=OK if posts else EMPTY,
            collector=self.name,
            fetched_at=run["fetched_at"],
            http_status=run.get("status"),
            detail=notes,
            posts=posts,
            snapshot=run.get("snapshot"),
        )

    def failed(self, run: Run, exc: CollectionOutcome, optional: bool) -> Output:
        if optional:
            run["notes"].append(f"{exc.detail}（可选步骤，已跳过）")
            yield from self.advance(run)
            return
        yield AccountResult(
            account_id=run["job"]["account_id"],
            outcome=exc.outcome,
            collector=self.name,
            fetched_at=run["fetched_at"],
            detail=exc.detail,
            http_status=exc.status,
            snippet=exc.snippet,
        )


def make_post(
    post_id: Any,
    *,
    fetched_at: datetime,
    time_value: Any = None,
    title: str | None = None,
    html: str | None = None,
    text: str | None = None,
    url: str | None = None,
    is_repost: bool | None = None,
    source: str | None = None,
    pinned: bool = False,
    counts: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A post dict for ``registry.collection.upsert_posts`` with times and counts normalised."""
    body = plain_text(html) if html is not None else (text or "")
    extra = dict(extra or {})
    published, latest, approx = None, None, False
    try:
        published, latest, approx = parse_time_span(time_value, fetched_at=fetched_at)
    except TimeParseError:
        extra["time_raw"] = None if time_value is None else str(time_value)
    if approx:
        extra["time_raw"] = str(time_value)
    post: dict[str, Any] = {
        "post_id": str(post_id),
        "title": title or (first_line(body) or None),
        "text": body or None,
        "url": url,
        "published_at": published,
        "published_latest": latest,
        "published_approx": approx,
        "is_repost": is_repost,
        "source": source,
        "pinned": pinned,
    }
    approx_counts = []
    for key in COUNT_FIELDS:
        value, rough = parse_count((counts or {}).get(key))
        post[key] = value
        if rough:
            approx_counts.append(key)
    if approx_counts:
        extra["approx_counts"] = approx_counts
    post["extra"] = extra or None
    return post
