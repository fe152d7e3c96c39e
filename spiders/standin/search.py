"""The stand-in's account searches, in the exact shapes of the real answers (see
../shared/fixtures/platforms, "Search and discovery fixtures"; the payloads are built here,
the texts are our own):

- Weibo ``/weibo/api/container/getIndex?containerid=100103type=3&q=…[&isv=3&specfilter=1]``:
  ``data.cards[]`` card_type 11 → ``card_group[]`` card_type 10 → ``user``;
- Bilibili ``/bilibili/x/web-interface/wbi/search/type?search_type=bili_user&user_type=…``:
  ``data.result[]`` items with ``official_verify`` {type, desc};
- WeChat ``/wechat/cgi-bin/searchbiz`` (``base_resp``, ``list[]``, ``total``) and
  ``/wechat/mp/aboutbiz?__biz=`` (the 关于公众号 page, with the ``x-wechat-key`` header);
- the search bridges ``/bridge/{douyin,kuaishou,toutiao}/search?keyword=…&page=…``.

Use::

    server.search.found.append(Found("weibo", "3101000001", "城关发布", kind="government",
                                     verified_text="兰州市城关区人民政府新闻办公室官方微博"))
    server.search.faults["平安城关"] = "blocked"     # every platform; or key (platform, query)
    env = {**server.env(), **search_env(server)}

An account is found by a query contained in its name, its verification text or its ``terms``.
Results come ``page_size`` to a page (default 2). Faults per query: ``blocked`` (HTTP 432, code
-412, ret 200013, a signature-less empty answer), ``captcha`` (a verification page),
``empty`` (a well-formed answer with no accounts), ``auth_expired``, ``error`` (HTTP 500),
``org_unavailable`` (the Weibo organisation filter answers ``ok: 0``; unfiltered works).
``Found.about_fault = "captcha"`` makes that account's 关于公众号 page a verification page.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from spiders.standin.payloads import CAPTCHA_PAGE, numeric_id

SEARCH_FAULTS = ("blocked", "captcha", "empty", "auth_expired", "error", "org_unavailable")
ABOUT_KEY = "standin-about-key"
ABOUT_UIN = "MTIzNDU2Nzg5"
WEIBO_TYPES = {"government": 1, "organisation": 7, "media": 3, "school": 4, "personal": 0, "enterprise": 2}
ORG_KINDS = ("government", "organisation", "media", "school", "institution")
WECHAT_KIND_LABELS = {
    "government": ("认证类型", "政府"),
    "media": ("认证类型", "媒体"),
    "organisation": ("认证类型", "其他组织"),
    "enterprise": ("认证类型", "企业"),
    "institution": ("主体类型", "事业单位"),
    "personal": ("主体类型", "个人"),
}
Answer = tuple[int, str, bytes, dict[str, str]]
JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"


@dataclass
class Found:
    """An account the platform's search knows: ``kind`` is how the platform marks it (a
    ``registry.vocab.VERIFIED_KIND`` code), ``verified_text`` its 认证说明 / 认证主体."""

    platform: str
    platform_id: str
    name: str
    kind: str = "none"
    verified_text: str | None = None
    description: str = ""
    followers: int = 1000
    terms: tuple[str, ...] = ()
    alias: str = ""
    about_fault: str | None = None

    def answers(self, query: str) -> bool:
        return bool(query) and (
            query in self.name or query in (self.verified_text or "") or query in self.terms
        )


@dataclass
class SearchData:
    found: list[Found] = field(default_factory=list)
    faults: dict[Any, str] = field(default_factory=dict)
    page_size: int = 2

    def fault(self, platform: str, query: str) -> str | None:
        return self.faults.get((platform, query)) or self.faults.get(query)

    def results(self, platform: str, query: str, *, org_only: bool = False) -> list[Found]:
        return [
            f
            for f in self.found
            if f.platform == platform and f.answers(query) and (not org_only or f.kind in ORG_KINDS)
        ]


def search_env(server: Any) -> dict[str, str]:
    """The ``[discovery]`` environment of a search run against the stand-in ``server``."""
    base = server.base_url
    template = "/search?keyword={query}&page={page}"
    env = {
        f"GOVMEDIA_DISCOVERY_{p.upper()}_SEARCH_URL": f"{base}/bridge/{p}{template}"
        for p in ("douyin", "kuaishou", "toutiao")
    }
    env["GOVMEDIA_DISCOVERY_WECHAT_ABOUT_KEY"] = ABOUT_KEY
    env["GOVMEDIA_DISCOVERY_WECHAT_ABOUT_UIN"] = ABOUT_UIN
    return env


def route(server: Any, path: str, query: dict[str, str], headers: dict[str, str]) -> Answer | None:
    """The answer to a search request, or None for the other routes of the stand-in."""
    data: SearchData = server.search
    if path == "/weibo/api/container/getIndex" and query.get("containerid", "").startswith("100103"):
        return _weibo(data, query)
    if path == "/bilibili/x/web-interface/wbi/search/type" and query.get("search_type") == "bili_user":
        return _bilibili(data, query)
    if path == "/wechat/cgi-bin/searchbiz":
        return _searchbiz(server, data, query)
    if path == "/wechat/mp/aboutbiz":
        return _aboutbiz(data, query, headers)
    if path.startswith("/bridge/") and path.endswith("/search"):
        return _bridge(data, path.split("/")[2], query)
    return None


def _json(payload: Any, status: int = 200) -> Answer:
    return status, JSON, json.dumps(payload, ensure_ascii=False).encode(), {}


def _common_fault(fault: str | None) -> Answer | None:
    if fault == "captcha":
        text = "您的访问过于频繁，为确认本次访问为正常用户行为，需要您协助验证"
        page = CAPTCHA_PAGE.replace("当前环境异常", text)
        return 200, HTML, page.encode(), {}
    if fault == "error":
        return 500, HTML, b"<html><body>500 Internal Server Error</body></html>", {}
    return None


def _page(items: list[Found], page: int, size: int) -> tuple[list[Found], bool]:
    start = (max(page, 1) - 1) * size
    return items[start : start + size], start + size < len(items)


def _weibo(data: SearchData, query: dict[str, str]) -> Answer:
    container = query["containerid"]
    params = {k: v[0] for k, v in parse_qs(container[len("100103") :]).items()}
    q, org = params.get("q", ""), params.get("isv") == "3"
    fault = data.fault("weibo", q)
    common = _common_fault(fault)
    if common:
        return common
    if fault == "blocked":
        return 432, HTML, b"<html><body>Forbidden</body></html>", {}
    if fault == "auth_expired":
        return 302, HTML, b"", {"Location": "/weibo/signin/login?r=/search"}
    if fault == "empty" or (fault == "org_unavailable" and org):
        msg = "这里还没有内容" if fault == "empty" else "参数错误"
        return _json({"ok": 0, "msg": msg, "data": {"cards": []}})
    page = int(query.get("page") or 1)
    shown, more = _page(data.results("weibo", q, org_only=org), page, data.page_size)
    group = [_weibo_card(f) for f in shown]
    return _json(
        {
            "ok": 1,
            "data": {
                "cardlistInfo": {
                    "containerid": container,
                    "v_p": 42,
                    "show_style": 1,
                    "total": len(data.results("weibo", q, org_only=org)),
                    "title_top": f"机构认证-{q}" if org else q,
                    "page": page + 1 if more else None,
                },
                "cards": [{"card_type": 11, "show_type": 1, "card_group": group}] if group else [],
                "scheme": f"sinaweibo://cardlist?containerid={container}",
                "showAppTips": 0,
            },
        }
    )


def _weibo_card(f: Found) -> dict[str, Any]:
    verified = f.kind in WEIBO_TYPES
    user = {
        "id": int(f.platform_id),
        "screen_name": f.name,
        "profile_image_url": f"https://tvax1.sinaimg.cn/crop.0.0.180.180.180/{f.platform_id}.jpg",
        "profile_url": f"https://m.weibo.cn/u/{f.platform_id}?uid={f.platform_id}&luicode=10000011",
        "statuses_count": 120,
        "verified": verified,
        "verified_type": WEIBO_TYPES.get(f.kind, -1),
        "verified_type_ext": 0,
        "verified_reason": f.verified_text or "",
        "close_blue_v": False,
        "description": f.description,
        "gender": "m",
        "mbtype": 0,
        "urank": 4,
        "followers_count": f.followers,
        "follow_count": 12,
    }
    return {
        "card_type": 10,
        "user": user,
        "desc1": f.verified_text or f.description,
        "desc2": f"粉丝：{f.followers}",
        "scheme": f"https://m.weibo.cn/u/{f.platform_id}?uid={f.platform_id}",
    }


def _bilibili(data: SearchData, query: dict[str, str]) -> Answer:
    q, org = query.get("keyword", ""), query.get("user_type") == "3"
    fault = data.fault("bilibili", q)
    common = _common_fault(fault)
    if common:
        return common
    if fault == "blocked":
        return _json({"code": -412, "message": "请求被拦截", "ttl": 1, "data": None})
    if fault == "auth_expired":
        return _json({"code": -101, "message": "账号未登录", "ttl": 1})
    page = int(query.get("page") or 1)
    matches = [] if fault == "empty" else data.results("bilibili", q, org_only=org)
    shown, _more = _page(matches, page, data.page_size)
    pages = -(-len(matches) // data.page_size) if matches else 0
    return _json(
        {
            "code": 0,
            "message": "0",
            "ttl": 1,
            "data": {
                "seid": "8094567312345678901",
                "page": page,
                "pagesize": data.page_size,
                "numResults": len(matches),
                "numPages": pages,
                "suggest_keyword": "",
                "rqt_type": "search",
                "cost_time": {"total": "0.05"},
                "exp_list": {},
                "egg_hit": 0,
                "result": [_bili_item(f) for f in shown],
                "show_column": 0,
            },
        }
    )


def _bili_item(f: Found) -> dict[str, Any]:
    verify_type = 1 if f.kind in ORG_KINDS else 0 if f.kind == "personal" else 127
    return {
        "type": "bili_user",
        "mid": int(f.platform_id),
        "uname": f.name,
        "usign": f.description,
        "fans": f.followers,
        "videos": 12,
        "upic": "//i0.hdslb.com/bfs/face/member/noface.jpg",
        "verify_info": "",
        "level": 5,
        "gender": 3,
        "is_upuser": 1,
        "is_live": 0,
        "room_id": 0,
        "res": [],
        "official_verify": {"type": verify_type, "desc": f.verified_text or ""},
        "hit_columns": ["uname"],
    }


def _searchbiz(server: Any, data: SearchData, query: dict[str, str]) -> Answer | None:
    q = query.get("query", "")
    fault = data.fault("wechat", q)
    matches = data.results("wechat", q)
    if fault is None and not matches:
        return None  # the collector's exact-name lookups are answered by the server itself
    if query.get("token") != "standin-token" or fault == "auth_expired":
        return _json({"base_resp": {"ret": 200003, "err_msg": "invalid session"}})
    common = _common_fault(fault)
    if common:
        return common
    if fault == "blocked":
        return _json({"base_resp": {"ret": 200013, "err_msg": "freq control"}})
    if fault == "empty":
        matches = []
    begin, count = int(query.get("begin") or 0), int(query.get("count") or 5)
    shown = matches[begin : begin + count]
    return _json(
        {
            "base_resp": {"ret": 0, "err_msg": "ok"},
            "list": [
                {
                    "fakeid": f.platform_id,
                    "nickname": f.name,
                    "alias": f.alias,
                    "round_head_img": "http://mmbiz.qpic.cn/mmbiz_png/standin/0?wx_fmt=png",
                    "service_type": 1,
                    "signature": f.description,
                    "verify_status": 2 if f.kind != "none" else 0,
                }
                for f in shown
            ],
            "total": len(matches),
        }
    )


def _aboutbiz(data: SearchData, query: dict[str, str], headers: dict[str, str]) -> Answer:
    found = next(
        (f for f in data.found if f.platform == "wechat" and f.platform_id == query.get("__biz")), None
    )
    key = {k.lower(): v for k, v in headers.items()}.get("x-wechat-key")
    if found is None or key != ABOUT_KEY or found.about_fault == "captcha":
        return 200, HTML, CAPTCHA_PAGE.encode(), {}
    return 200, HTML, about_page(found).encode(), {}


def about_page(f: Found) -> str:
    """A 关于公众号 page in the structure of the real one (``div.item-info`` blocks)."""
    e = html.escape

    def item(title: str, desc: str) -> str:
        return (
            f'<div class="item-info basic-info">\n  <div class="item-title">{title}</div>\n'
            f'  <div class="item-desc">{e(desc)}</div>\n</div>'
        )

    blocks = [
        '<div class="item-info">\n  <div class="item-title basic-title">公众号简介</div>\n'
        f'  <div class="item-desc basic-desc">{e(f.description)}</div>\n</div>',
        '<div class="item-info">\n  <div class="item-title basic-title">基础信息</div>\n</div>',
        item("微信号", f.alias or f.platform_id),
    ]
    if f.kind in WECHAT_KIND_LABELS:
        blocks.append(item(*WECHAT_KIND_LABELS[f.kind]))
    if f.verified_text:
        blocks.append(
            '<div class="item-info spacial basic-info" id="link">\n  <div class="item-title">认证主体</div>\n'
            f'  <a href="http://mp.weixin.qq.com/mp/getverifyinfo?__biz={e(f.platform_id)}" '
            'class="type-link-wrp item-desc">\n'
            f'    <div id="js_arrow_text" class="type-link-word-wrp">\n      {e(f.verified_text)}\n'
            '      <i class="item-title-type inline-icon group-without-wording"></i>\n    </div>\n'
            "  </a>\n</div>"
        )
    body = "\n".join(blocks)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>公众号简介</title></head>\n'
        f'<body class="zh_CN wx_wap_page"><div class="about-page">\n{body}\n</div></body></html>'
    )


def _bridge(data: SearchData, platform: str, query: dict[str, str]) -> Answer:
    q = query.get("keyword", "")
    fault = data.fault(platform, q)
    common = _common_fault(fault)
    if common:
        return common
    if fault == "auth_expired":
        return 401, HTML, b"<html><body>401 Unauthorized</body></html>", {}
    page = int(query.get("page") or 1)
    matches = [] if fault in ("empty", "blocked") else data.results(platform, q)
    shown, more = _page(matches, page, data.page_size)
    if platform == "douyin":
        if fault == "blocked":  # what an answer to a wrong signature looks like
            return _json({"status_code": 0, "user_list": [], "extra": {"now": 0}})
        return _json(
            {
                "status_code": 0,
                "user_list": [{"user_info": _douyin_user(f), "items": []} for f in shown],
                "cursor": page * data.page_size,
                "has_more": int(more),
                "extra": {"now": 0},
            }
        )
    if fault == "blocked":
        return 403, HTML, b"<html><body>Forbidden</body></html>", {}
    if platform == "kuaishou":
        users = [
            {
                "user_id": f.platform_id,
                "user_name": f.name,
                "user_sex": "U",
                "user_text": f.description,
                "fansCount": f.followers,
                "kwaiId": f.alias,
                "headurl": "https://p1.a.yximgs.com/uhead/standin.jpg",
            }
            for f in shown
        ]
        return _json({"result": 1, "users": users, "pcursor": str(page + 1) if more else "no_more"})
    items = [
        {
            "user_id": f.platform_id,
            "name": f.name,
            "user_verified": int(f.kind != "none"),
            "verified_content": f.verified_text or "",
            "description": f.description,
            "follower_count": f.followers,
        }
        for f in shown
    ]
    return _json({"message": "success", "data": items, "has_more": int(more)})


def _douyin_user(f: Found) -> dict[str, Any]:
    gov = f.kind in ("government", "media")
    body = f.kind in ORG_KINDS or f.kind == "enterprise"
    return {
        "uid": str(numeric_id(f.platform_id, 11)),
        "sec_uid": f.platform_id,
        "short_id": "0",
        "unique_id": f.alias,
        "nickname": f.name,
        "signature": f.description,
        "follower_count": f.followers,
        "total_favorited": 0,
        "custom_verify": (f.verified_text or "") if f.kind == "personal" else "",
        "enterprise_verify_reason": (f.verified_text or "") if body else "",
        "verification_type": 1 if f.kind != "none" else 0,
        "is_verified": f.kind != "none",
        "is_gov_media_vip": gov,
    }
