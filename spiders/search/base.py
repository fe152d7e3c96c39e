"""The searcher interface: how one platform's account search is read for one query.

Like a collector (``spiders.collectors.base``), a searcher only extracts. ``start`` builds the
first request of a query; ``parse_page`` reads one result page and yields the next page, the
next pass, an optional per-account page (WeChat's 关于公众号) or the final ``SearchResult``.
A searcher raises an ``outcomes.CollectionOutcome`` (Blocked, AuthExpired, Failed) when the
platform did not really answer: a blocked, rate-limited or failed search is stored as such,
never as "nothing found".

A query may run in several *passes* (``filters``): the organisation-verified filter where the
platform has one (``org``), then unfiltered (``all``) to catch unverified accounts. A pass
marked optional (the org filter) that fails on its own is noted and skipped; a block ends the
query, because the next call would be blocked too.

Adding a searcher (for example a signed native Douyin search): subclass ``Searcher``, set
``platform``, ``budget``, ``slot``, ``filters`` and a ``priority`` above the bridge searcher's,
implement ``page_url`` and ``accounts_of``, and list it in ``spiders.search``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from scrapy import Request
from scrapy.http import Response
from scrapy.settings import BaseSettings

from spiders.outcomes import CollectionOutcome, redact

Run = dict[str, Any]
ERROR_STATUSES = list(range(400, 600))
DEFAULT_MAX_PAGES = 2


@dataclass
class SearchResult:
    """One query's search: its outcome, the accounts found (normalised, with the raw item) and
    what each pass did."""

    query_id: int
    platform: str
    query: str
    outcome: str  # ok / empty / blocked / auth_expired / error / skipped
    fetched_at: datetime
    accounts: list[dict[str, Any]] = field(default_factory=list)
    passes: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0
    http_status: int | None = None
    detail: str | None = None
    snippet: str | None = None


Output = Iterator[Request | SearchResult]


class Searcher:
    """Base class; see the module docstring."""

    platform: ClassVar[str] = ""
    budget: ClassVar[str] = ""  # daily budget key, e.g. weibo_search
    slot: ClassVar[str | None] = None
    filters: ClassVar[tuple[str, ...]] = ("all",)
    optional_filters: ClassVar[tuple[str, ...]] = ("org",)
    step_budgets: ClassVar[dict[str, str]] = {}  # per-account pages with a budget of their own
    priority: ClassVar[int] = 0

    def __init__(self, settings: BaseSettings) -> None:
        self.settings = settings
        self.max_pages = settings.getint("GOVMEDIA_DISCOVERY_MAX_PAGES", DEFAULT_MAX_PAGES)

    def missing(self) -> str | None:
        """Why this searcher cannot run (no credential or bridge configured), or None."""
        return None

    def headers(self) -> dict[str, str]:
        return {"Accept": "application/json, text/plain, */*"}

    def page_url(self, run: Run, filter_: str, page: int) -> str:
        raise NotImplementedError

    def accounts_of(self, response: Response, run: Run) -> tuple[list[dict[str, Any]], bool]:
        """(normalised accounts of one answer, whether a further page exists); raises outcomes."""
        raise NotImplementedError

    # --- the flow ---

    def request(self, url: str, run: Run, step: str, *, headers: dict[str, str] | None = None) -> Request:
        budget = self.step_budgets.get(step, self.budget)
        meta: dict[str, Any] = {"handle_httpstatus_list": ERROR_STATUSES, "budget": budget}
        if self.slot:
            meta["download_slot"] = self.slot
        return Request(
            url,
            headers=headers if headers is not None else self.headers(),
            meta=meta,
            dont_filter=True,
            cb_kwargs={"run": run, "step": step},
        )

    def start(self, run: Run) -> Output:
        run.update(pass_index=0, page=1, found={}, passes=[], pages=0, queue=[], notes=[])
        yield self._page_request(run)

    def _page_request(self, run: Run) -> Request:
        filter_ = self.filters[run["pass_index"]]
        return self.request(self.page_url(run, filter_, run["page"]), run, "page")

    def parse_page(self, response: Response, run: Run) -> Output:
        filter_ = self.filters[run["pass_index"]]
        accounts, more = self.accounts_of(response, run)
        run["pages"] += 1
        entry = self._pass(run, filter_)
        entry["pages"] += 1
        for account in accounts:
            account.setdefault("filter", filter_)
            account["page_url"] = redact(response.url)
            entry["found"] += 1
            run["found"].setdefault(str(account["platform_id"]), account)
        if accounts and more and run["page"] < self.max_pages:
            run["page"] += 1
            yield self._page_request(run)
            return
        entry["outcome"] = "ok" if entry["found"] else "empty"
        yield from self.next_pass(run)

    def _pass(self, run: Run, filter_: str) -> dict[str, Any]:
        if not run["passes"] or run["passes"][-1]["filter"] != filter_:
            run["passes"].append({"filter": filter_, "outcome": None, "pages": 0, "found": 0, "detail": None})
        entry: dict[str, Any] = run["passes"][-1]
        return entry

    def next_pass(self, run: Run) -> Output:
        if run["pass_index"] + 1 < len(self.filters):
            run["pass_index"] += 1
            run["page"] = 1
            yield self._page_request(run)
            return
        self.after_passes(run)
        yield from self.advance(run)

    def after_passes(self, run: Run) -> None:
        """Queue per-account requests (``run["queue"]``: (step, url, platform_id)) if any."""

    def advance(self, run: Run) -> Output:
        if run["queue"]:
            step, url, key, headers = run["queue"].pop(0)
            run["current"] = key
            yield self.request(url, run, step, headers=headers)
            return
        yield self.finish(run)

    def finish(self, run: Run) -> SearchResult:
        accounts = list(run["found"].values())
        return SearchResult(
            query_id=run["job"]["query_id"],
            platform=self.platform,
            query=run["job"]["query"],
            outcome="ok" if accounts else "empty",
            fetched_at=run["fetched_at"],
            accounts=accounts,
            passes=run["passes"],
            pages=run["pages"],
            http_status=run.get("status"),
            detail="；".join(run["notes"]) or None,
        )

    def failed(self, run: Run, exc: CollectionOutcome, step: str) -> Output:
        """A failed answer. An optional pass that fails alone, or a per-account page, is noted
        and skipped; anything else ends the query with the failure's outcome (accounts already
        seen are kept as evidence, but the query counts as not searched)."""
        if step == "page":
            filter_ = self.filters[run["pass_index"]]
            entry = self._pass(run, filter_)
            entry["outcome"], entry["detail"] = exc.outcome, exc.detail
            if filter_ in self.optional_filters and exc.outcome == "error":
                run["notes"].append(f"{filter_} 筛选不可用（{exc.detail}），改为不筛选搜索")
                yield from self.next_pass(run)
                return
        else:  # a per-account page: the search itself answered
            run["notes"].append(f"账号 {run.get('current')} 的附加页面未能读取（{exc.detail}）")
            if exc.outcome != "error":  # blocked or rejected: the next ones would be too
                skipped = [q for q in run["queue"] if q[0] == step]
                run["queue"] = [q for q in run["queue"] if q[0] != step]
                if skipped:
                    run["notes"].append(f"其余 {len(skipped)} 个账号的附加页面未读取")
            yield from self.advance(run)
            return
        yield SearchResult(
            query_id=run["job"]["query_id"],
            platform=self.platform,
            query=run["job"]["query"],
            outcome="error" if exc.outcome in ("gone", "empty", "ok") else exc.outcome,
            fetched_at=run["fetched_at"],
            accounts=list(run["found"].values()),
            passes=run["passes"],
            pages=run["pages"],
            http_status=exc.status,
            detail=exc.detail,
            snippet=exc.snippet,
        )


def verified_kind_weibo(verified: Any, verified_type: Any) -> str:
    """Weibo's ``verified_type``: 1 政府, 7 团体/机构, 3 媒体, 4 校园, 0 个人, 2 企业 …"""
    if not verified:
        return "none"
    kinds = {1: "government", 7: "organisation", 3: "media", 4: "school", 0: "personal", 2: "enterprise"}
    code = _int(verified_type)
    return kinds.get(code, "other") if code is not None else "other"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
