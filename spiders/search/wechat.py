"""WeChat official-account search through the centre's MP backend session, and each found
account's 关于公众号 page for its 认证主体.

``cgi-bin/searchbiz?action=search_biz`` (token and cookie of a 公众号 the centre administers)
answers ``list[]`` {``fakeid`` (= ``__biz``), ``nickname``, ``alias`` (微信号), ``signature``,
``verify_status``} and ``total``, without the owning body. When the WeChat-client keys are
configured (``GOVMEDIA_DISCOVERY_WECHAT_ABOUT_KEY`` / ``…_UIN``), ``mp/aboutbiz?__biz=`` is read
for every account found: 认证类型 (政府 / 媒体 / 企业 / 其他组织) or 主体类型 (事业单位 / 个人)
or 账号类型, the 认证主体 / 账号主体, 微信号, IP属地 and the 名称记录 (renames and migrations).
``base_resp.ret`` 200013 is frequency control (blocked), 200003/200040 an invalid session.
A blocked or failed 关于公众号 page leaves the account without its 主体, noted; the search
itself stands.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from scrapy.http import Response

from spiders.collectors.wechat import DEFAULT_BASE, _base_resp
from spiders.collectors.weibo import load_json
from spiders.outcomes import Failed, check_markers, snippet_of
from spiders.search.base import Output, Run, Searcher

PAGE_SIZE = 5
KINDS = {
    "政府": "government",
    "媒体": "media",
    "其他组织": "organisation",
    "企业": "enterprise",
    "事业单位": "institution",
    "个人": "personal",
}
SUBJECT_TITLES = ("认证主体", "账号主体")
KIND_TITLES = ("认证类型", "主体类型", "账号类型")


class WechatSearch(Searcher):
    platform = "wechat"
    budget = "wechat_search"
    slot = "wechat"
    step_budgets = {"about": "wechat_about"}  # noqa: RUF012 - a class constant
    priority = 20

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = (settings.get("GOVMEDIA_WECHAT_BASE_URL") or DEFAULT_BASE).rstrip("/")
        self.token = settings.get("GOVMEDIA_WECHAT_TOKEN")
        self.cookie = settings.get("GOVMEDIA_WECHAT_COOKIE")
        self.about_key = settings.get("GOVMEDIA_DISCOVERY_WECHAT_ABOUT_KEY")
        self.about_uin = settings.get("GOVMEDIA_DISCOVERY_WECHAT_ABOUT_UIN")

    def missing(self) -> str | None:
        if not (self.token and self.cookie):
            return (
                "未配置 GOVMEDIA_WECHAT_TOKEN 和 GOVMEDIA_WECHAT_COOKIE（公众平台后台会话），无法搜索公众号"
            )
        return None

    def headers(self) -> dict[str, str]:
        return {
            "Cookie": self.cookie or "",
            "Referer": f"{self.base}/cgi-bin/appmsg",
            "X-Requested-With": "XMLHttpRequest",
        }

    def page_url(self, run: Run, filter_: str, page: int) -> str:
        params = {
            "action": "search_biz",
            "begin": (page - 1) * PAGE_SIZE,
            "count": PAGE_SIZE,
            "query": run["job"]["query"],
            "token": self.token,
            "lang": "zh_CN",
            "f": "json",
            "ajax": 1,
        }
        return f"{self.base}/cgi-bin/searchbiz?{urlencode(params)}"

    def accounts_of(self, response: Response, run: Run) -> tuple[list[dict[str, Any]], bool]:
        payload = load_json(response)
        _base_resp(payload, response)
        items = payload.get("list")
        if items is None and "total" in payload:
            items = []
        if not isinstance(items, list):
            raise Failed("searchbiz 响应缺少 list", status=response.status, snippet=snippet_of(response.text))
        accounts = [wechat_account(i) for i in items if isinstance(i, dict) and i.get("fakeid")]
        seen = (run["page"] - 1) * PAGE_SIZE + len(items)
        return accounts, bool(items) and seen < int(payload.get("total") or 0)

    def after_passes(self, run: Run) -> None:
        if not (self.about_key and self.about_uin):
            if run["found"]:
                run["notes"].append("未配置微信客户端密钥（about_key / about_uin），未读取认证主体")
            return
        headers = {"x-wechat-uin": self.about_uin, "x-wechat-key": self.about_key}
        for fakeid in run["found"]:
            url = f"{self.base}/mp/aboutbiz?{urlencode({'__biz': fakeid, 'wx_header': 1})}"
            run["queue"].append(("about", url, fakeid, headers))

    def parse_about(self, response: Response, run: Run) -> Output:
        account = run["found"].get(run.get("current") or "")
        text = response.text
        check_markers(text, response.status)
        about = parse_about_page(text)
        if not about:
            raise Failed("关于公众号页面格式异常", status=response.status, snippet=snippet_of(text))
        if account is not None:
            account["about"] = about
            if about.get("subject"):
                account["verified_text"] = about["subject"]
            if about.get("kind"):
                account["verified_kind"] = about["kind"]
                account["verified"] = about["kind"] != "personal" or bool(about.get("subject"))
            account["description"] = about.get("intro") or account.get("description")
        yield from self.advance(run)


def wechat_account(item: dict[str, Any]) -> dict[str, Any]:
    verified = int(item.get("verify_status") or 0) > 0
    return {
        "platform_id": str(item["fakeid"]),
        "name": item.get("nickname") or str(item["fakeid"]),
        "alias": item.get("alias") or None,
        "verified": verified,
        "verified_kind": "verified" if verified else "none",
        "verified_text": None,
        "description": (item.get("signature") or "").strip() or None,
        "url": f"https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz={item['fakeid']}",
        "raw": item,
    }


def parse_about_page(text: str) -> dict[str, Any]:
    """The fields of a 关于公众号 page: intro, alias, kind (code) and kind_label, subject,
    ip_region, renames, text (all of it, for credit codes); {} when it has none of them."""
    from scrapy import Selector

    sel = Selector(text=text)
    fields: dict[str, str] = {}
    for item in sel.css("div.item-info"):
        words = " ".join(item.css(".item-title::text").getall()).split()
        desc = " ".join(t.strip() for t in item.css(".item-desc *::text, .item-desc::text").getall())
        if words:
            fields.setdefault(words[0], " ".join(desc.split()))
    about: dict[str, Any] = {}
    if fields.get("公众号简介"):
        about["intro"] = fields["公众号简介"]
    if fields.get("微信号"):
        about["alias"] = fields["微信号"]
    for title in KIND_TITLES:
        if fields.get(title):
            about["kind_label"] = fields[title]
            about["kind"] = KINDS.get(fields[title], "other")
            break
    for title in SUBJECT_TITLES:
        if fields.get(title):
            about["subject"] = fields[title]
            break
    ip = " ".join(sel.css("#js_login_ip_desc::text").getall()).strip()
    if ip:
        about["ip_region"] = ip
    renames = [" ".join(t.split()) for t in sel.css("#js_div_rename_history p::text").getall() if t.strip()]
    if renames:
        about["renames"] = renames
    if about:
        body = " ".join(" ".join(sel.css(".about-page *::text").getall()).split())
        about["text"] = body[:2000]
    return about
