"""Government websites and apps: an HTML news-list page read with per-account selectors.

The selectors are stored in the filing (``account file/change --selectors``) as JSON::

    {"url": "https://www.example.gov.cn/xwdt/",   # optional; else 采集地址, else 链接
     "item": "ul.news-list li",                    # required: one node per post
     "title": "a::attr(title)",                    # optional (default: the link's text)
     "link": "a::attr(href)",                      # optional (default: first link)
     "date": "span.date::text",                    # optional (default: a date in the item)
     "text": "p.summary::text",                    # optional
     "empty_text": "暂无信息"}                      # optional: the page's own "no items" text

A selector starting with ``/``, ``./`` or ``(`` is XPath, otherwise CSS (with parsel's
``::text`` and ``::attr()``). The page URL is untrusted (``spiders.safety``). A captcha or
verification page is ``blocked``; a page where ``item`` matches nothing is an ``error``
(the layout probably changed) unless ``empty_text`` is on the page.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from parsel import Selector
from scrapy.http import Response

from spiders.collectors.base import Collector, Output, Run, make_post
from spiders.outcomes import Failed, check_markers, snippet_of

_DATE = re.compile(
    r"(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?|(?<!\d)\d{1,2}-\d{1,2}(?!\d))"
)


def select(node: Selector, expr: str) -> list[str]:
    """Texts matched by a CSS or XPath selector relative to ``node``; a selector that does not
    compile is this account's ``error`` (the filing's selectors need fixing), never a crash."""
    try:
        if expr.startswith(("/", "./", "(")):
            found = node.xpath(expr if not expr.startswith("/") else "." + expr)
        else:
            found = node.css(expr)
    except Exception:  # cssselect and lxml raise several kinds for a bad expression
        raise Failed(f"列表页选择器无效：「{expr[:60]}」，请用 account change --selectors 更正") from None
    return [t.strip() for t in found.getall() if t and t.strip()]


def _nodes(page: Selector, expr: str) -> Any:
    """The item nodes of a page; a selector that does not compile is the account's error."""
    try:
        return page.xpath(expr) if expr.startswith(("/", "(")) else page.css(expr)
    except Exception:  # cssselect and lxml raise several kinds for a bad expression
        raise Failed(f"列表页选择器无效：「{expr[:60]}」，请用 account change --selectors 更正") from None


def list_url(job: dict[str, Any]) -> str | None:
    selectors = job.get("selectors") or {}
    return selectors.get("url") or job.get("feed_url") or job.get("url")


class HtmlListCollector(Collector):
    name = "html"
    label = "网站/客户端列表页"
    budget = "html"
    untrusted = True
    priority = 30

    @classmethod
    def handles(cls, job: dict[str, Any]) -> bool:
        selectors = job.get("selectors")
        return isinstance(selectors, dict) and bool(selectors.get("item")) and bool(list_url(job))

    def start(self, run: Run) -> Output:
        url = list_url(run["job"])
        assert url is not None
        yield self.request(url, run, "list")

    def parse_list(self, response: Response, run: Run) -> Output:
        text = response.text
        check_markers(text, response.status)
        selectors = run["job"]["selectors"]
        page = Selector(text=text)
        nodes = _nodes(page, selectors["item"])
        for node in nodes:
            post = self._post(node, response, run, selectors)
            if post is not None:
                run["posts"].append(post)
        if not run["posts"]:
            empty_text = selectors.get("empty_text")
            if empty_text and empty_text in text:
                run["notes"].append(f"页面显示“{empty_text}”")
                yield from self.advance(run)
                return
            raise Failed(
                "选择器未匹配到任何条目，页面结构可能已变化", status=response.status, snippet=snippet_of(text)
            )
        title = page.css("title::text").get()
        if title:
            run["snapshot"] = {"shown_name": title.strip()[:200]}
        yield from self.advance(run)

    def _post(
        self, node: Selector, response: Response, run: Run, selectors: dict[str, Any]
    ) -> dict[str, Any] | None:
        links = select(node, selectors.get("link") or "a::attr(href)")
        titles = select(node, selectors["title"]) if selectors.get("title") else []
        if not titles:
            titles = [" ".join(select(node, "a ::text"))] if select(node, "a ::text") else []
        dates = select(node, selectors["date"]) if selectors.get("date") else []
        raw_date = next(
            (
                m.group(1)
                for d in [*dates, " ".join(select(node, ".//text()"))]
                for m in [_DATE.search(d)]
                if m
            ),
            None,
        )
        summary = " ".join(select(node, selectors["text"])) if selectors.get("text") else None
        link = response.urljoin(links[0]) if links else None
        title = titles[0] if titles else None
        if not (link or title):
            return None
        key = link or hashlib.sha1(f"{title}|{raw_date}".encode()).hexdigest()
        if len(key) > 128:
            key = hashlib.sha1(key.encode()).hexdigest()
        return make_post(
            key,
            fetched_at=run["fetched_at"],
            time_value=raw_date,
            title=title,
            text=summary or title,
            url=link,
            extra={"page": response.url},
        )
