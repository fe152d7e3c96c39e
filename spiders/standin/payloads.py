"""Payload builders of the stand-in server, in the exact shapes of the real platform answers
(see ../shared/fixtures/platforms and its SOURCES.md). Written for govmedia; the texts are
our own. Used by ``spiders.standin``."""

from __future__ import annotations

import base64
import hashlib
import html
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from registry.timeutil import TZ

if TYPE_CHECKING:
    from spiders.standin import StandinAccount, StandinPost

PAGE_SIZE = 10
CAPTCHA_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>验证</title></head><body>'
    '<div class="weui-msg"><h2 class="weui-msg__title">当前环境异常，完成验证后即可继续访问。</h2>'
    '<a class="weui-btn" id="js_verify">去验证</a></div></body></html>'
)
STATUS_PAGES = {
    "deleted": "该内容已被发布者删除",
    "violation": "此内容因违规无法查看",
    "unavailable": "该内容暂时无法查看",
}


def numeric_id(text: str, digits: int = 10) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest(), 16) % (10**digits) + 10 ** (digits - 1)


def fakeid(account: StandinAccount) -> str:
    """A ``__biz``: the base64 of a decimal uin."""
    return base64.b64encode(str(numeric_id(account.platform_id)).encode()).decode()


# --- Weibo (m.weibo.cn) ---


def weibo_time(at: datetime, now: datetime, style: str) -> str:
    """``created_at`` as the mobile list shows it (relative), or the detail form."""
    if style != "mobile":
        return at.astimezone(TZ).strftime("%a %b %d %H:%M:%S %z %Y")
    delta = now - at
    local, today = at.astimezone(TZ), now.astimezone(TZ).date()
    if delta < timedelta(minutes=1):
        return "刚刚"
    if delta < timedelta(hours=1):
        return f"{int(delta.total_seconds() // 60)}分钟前"
    if local.date() == today:
        return f"{int(delta.total_seconds() // 3600)}小时前"
    if local.date() == today - timedelta(days=1):
        return f"昨天 {local:%H:%M}"
    if local.year == today.year:
        return f"{local:%m-%d}"
    return f"{local:%Y-%m-%d}"


def weibo_user(account: StandinAccount) -> dict[str, Any]:
    uid = account.platform_id
    return {
        "id": int(uid),
        "screen_name": account.name,
        "profile_image_url": f"https://tvax1.sinaimg.cn/crop.0.0.180.180.180/{uid}.jpg",
        "profile_url": f"https://m.weibo.cn/u/{uid}?uid={uid}&luicode=10000011&lfid=100505{uid}",
        "statuses_count": len(account.posts),
        "verified": account.verified,
        "verified_type": 1,
        "verified_type_ext": 0,
        "verified_reason": f"{account.name}官方微博　",
        "close_blue_v": False,
        "description": f"{account.name}政务微博",
        "gender": "m",
        "mbtype": 0,
        "urank": 4,
        "mbrank": 0,
        "follow_me": False,
        "following": False,
        "followers_count": account.followers,
        "follow_count": 12,
        "like": False,
        "like_me": False,
    }


def weibo_profile(account: StandinAccount) -> dict[str, Any]:
    uid = account.platform_id
    return {
        "ok": 1,
        "data": {
            "avatar_guide": [],
            "userInfo": weibo_user(account),
            "fans_scheme": f"https://m.weibo.cn/p/index?containerid=231051_-_fans_intimacy_-_{uid}",
            "follow_scheme": f"https://m.weibo.cn/p/index?containerid=231051_-_followersrecomm_-_{uid}",
            "tabsInfo": {
                "selectedTab": 1,
                "tabs": [
                    {
                        "id": 1,
                        "tabKey": "profile",
                        "must_show": 1,
                        "hidden": 0,
                        "title": "主页",
                        "tab_type": "profile",
                        "containerid": f"230283{uid}",
                    },
                    {
                        "id": 2,
                        "tabKey": "weibo",
                        "must_show": 1,
                        "hidden": 0,
                        "title": "微博",
                        "tab_type": "weibo",
                        "containerid": f"107603{uid}",
                        "apipath": "/profile/statuses",
                        "url": "/index/my",
                    },
                ],
            },
            "scheme": f"sinaweibo://userinfo?uid={uid}&type=uid&value={uid}",
            "showAppTips": 1,
        },
    }


def weibo_mblog(account: StandinAccount, post: StandinPost, now: datetime, style: str) -> dict[str, Any]:
    text = html.escape(post.text).replace("\n", "<br />")
    if post.long_text:
        text = html.escape(post.text[:60]) + f'...<a href="/status/{post.post_id}">全文</a>'
    mblog: dict[str, Any] = {
        "created_at": weibo_time(post.published_at, now, style),
        "id": post.post_id,
        "idstr": post.post_id,
        "mid": post.post_id,
        "can_edit": False,
        "show_additional_indication": 0,
        "text": text,
        "textLength": len(post.text) * 2,
        "source": "微博网页版",
        "favorited": False,
        "pic_types": "",
        "is_paid": False,
        "mblog_vip_type": 0,
        "user": weibo_user(account),
        "reposts_count": post.counts.get("reposts", 0),
        "comments_count": post.counts.get("comments", 0),
        "attitudes_count": post.counts.get("likes", 0),
        "pending_approval_count": 0,
        "isLongText": post.long_text,
        "reward_exhibition_type": 0,
        "hide_flag": 0,
        "visible": {"type": 0, "list_id": 0},
        "mblogtype": 2 if post.pinned else 0,
        "more_info_type": 0,
        "content_auth": 0,
        "edit_config": {"edited": False},
        "weibo_position": 2 if post.is_repost else 1,
        "show_attitude_bar": 0,
        "bid": f"N{post.post_id[-8:]}",
    }
    if post.pinned:
        mblog["title"] = {"text": "置顶", "base_color": 1}
    if post.is_repost:
        source_user = (
            None
            if post.source is None
            else {
                "id": numeric_id(post.source),
                "screen_name": post.source,
                "verified": True,
                "verified_type": 1,
                "followers_count": 1000000,
            }
        )
        mblog["retweeted_status"] = {
            "created_at": weibo_time(post.published_at - timedelta(hours=2), now, style),
            "id": str(numeric_id(post.post_id, 16)),
            "idstr": str(numeric_id(post.post_id, 16)),
            "mid": str(numeric_id(post.post_id, 16)),
            "text": "原微博内容" if source_user else "抱歉，此微博已被作者删除。",
            "user": source_user,
            "reposts_count": 10,
            "comments_count": 2,
            "attitudes_count": 30,
            "isLongText": False,
            "mblogtype": 0,
            "bid": "Orig" + post.post_id[-6:],
        }
    return mblog


def weibo_list(account: StandinAccount, page: int, now: datetime, style: str) -> dict[str, Any]:
    uid = account.platform_id
    posts = sorted(account.posts, key=lambda p: (not p.pinned, -p.published_at.timestamp()))
    chunk = posts[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    if not posts:
        return {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}
    cards = [
        {
            "card_type": 9,
            "itemid": f"107603{uid}_-_{p.post_id}",
            "scheme": f"https://m.weibo.cn/status/N{p.post_id[-8:]}?mblogid=N{p.post_id[-8:]}&luicode=10000011",
            "mblog": weibo_mblog(account, p, now, style),
            "show_type": 0,
            **({"profile_type_id": f"proweibotop_{p.post_id}"} if p.pinned else {}),
        }
        for p in chunk
    ]
    return {
        "ok": 1,
        "data": {
            "cardlistInfo": {
                "containerid": f"107603{uid}",
                "v_p": 42,
                "show_style": 1,
                "total": len(posts),
                "page": page + 1 if chunk else None,
            },
            "cards": cards,
            "scheme": f"sinaweibo://cardlist?containerid=107603{uid}",
            "showAppTips": 0,
        },
    }


def weibo_extend(post: StandinPost) -> dict[str, Any]:
    return {
        "ok": 1,
        "data": {
            "ok": 1,
            "longTextContent": html.escape(post.text).replace("\n", "<br />"),
            "reposts_count": post.counts.get("reposts", 0),
            "comments_count": post.counts.get("comments", 0),
            "attitudes_count": post.counts.get("likes", 0),
        },
    }


# --- WeChat MP backend ---


def wechat_item(
    account: StandinAccount, post: StandinPost, index: int, *, publish: bool, base: str
) -> dict[str, Any]:
    biz = fakeid(account)
    appmsgid = numeric_id(post.post_id, 10)
    link = (
        f"http://mp.weixin.qq.com/s?__biz={biz}&mid={appmsgid}&idx=1&sn="
        f"{hashlib.md5(post.post_id.encode()).hexdigest()}&chksm=0#rd"
    )
    ts = int(post.published_at.timestamp())
    item: dict[str, Any] = {
        "aid": f"{appmsgid}_1",
        "album_id": "0",
        "appmsg_album_infos": [],
        "appmsgid": appmsgid,
        "checking": 0,
        "copyright_type": 1 if not post.is_repost else 0,
        "cover": f"https://mmbiz.qpic.cn/mmbiz_jpg/{post.post_id}/0?wx_fmt=jpeg",
        "create_time": ts,
        "digest": post.text[:54],
        "has_red_packet_cover": 0,
        "is_pay_subscribe": 0,
        "item_show_type": 0,
        "itemidx": 1,
        "link": link,
        "media_duration": "0:00",
        "mediaapi_publish_status": 0,
        "tagid": [],
        "title": post.title,
        "update_time": ts,
    }
    if publish:
        item.update(
            copyright_stat=101 if post.is_repost else 11,
            is_deleted=post.status == "deleted",
            ban_flag=0,
            author_name="",
            pic_cdn_url_235_1="",
            pic_cdn_url_16_9="",
            pic_cdn_url_1_1="",
        )
    return item


def wechat_publish(account: StandinAccount, base: str) -> dict[str, Any]:
    posts = sorted(account.posts, key=lambda p: -p.published_at.timestamp())[:5]
    publish_list = []
    for i, post in enumerate(posts):
        info = {
            "type": 9,
            "msgid": numeric_id(post.post_id, 10),
            "sent_info": {
                "time": int(post.published_at.timestamp()),
                "func_flag": 0,
                "is_send_all": True,
                "is_published": 1,
            },
            "sent_status": {"total": 1, "succ": 1, "fail": 0, "progress": 100},
            "sent_result": {"msg_status": 2, "refuse_reason": "", "reject_index_list": []},
            "appmsg_info": [
                {
                    "appmsgid": numeric_id(post.post_id, 10),
                    "itemidx": 1,
                    "is_deleted": post.status == "deleted",
                }
            ],
            "appmsgex": [wechat_item(account, post, i, publish=True, base=base)],
        }
        publish_list.append({"publish_type": 101, "publish_info": json.dumps(info, ensure_ascii=False)})
    page = {
        "total_count": len(account.posts),
        "publish_count": len(account.posts),
        "masssend_count": 0,
        "publish_list": publish_list,
    }
    return {
        "base_resp": {"ret": 0, "err_msg": "ok"},
        "is_admin": True,
        "publish_page": json.dumps(page, ensure_ascii=False),
    }


def wechat_list_ex(account: StandinAccount, base: str) -> dict[str, Any]:
    posts = sorted(account.posts, key=lambda p: -p.published_at.timestamp())[:5]
    return {
        "app_msg_cnt": len(account.posts),
        "app_msg_list": [wechat_item(account, p, i, publish=False, base=base) for i, p in enumerate(posts)],
        "base_resp": {"err_msg": "ok", "ret": 0},
    }


def wechat_search(accounts: list[StandinAccount]) -> dict[str, Any]:
    return {
        "base_resp": {"ret": 0, "err_msg": "ok"},
        "list": [
            {
                "fakeid": fakeid(a),
                "nickname": a.name,
                "alias": "",
                "round_head_img": "http://mmbiz.qpic.cn/x/0",
                "service_type": 1,
                "signature": f"{a.name}官方公众号",
                "verify_status": 2 if a.verified else 0,
            }
            for a in accounts
        ],
        "total": len(accounts),
    }


def wechat_article(account: StandinAccount, post: StandinPost) -> str:
    if post.status in STATUS_PAGES:
        return (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title></title></head><body>'
            f'<div class="weui-msg"><p class="weui-msg__title warn">{STATUS_PAGES[post.status]}</p>'
            "</div><p>微信公众平台运营中心</p></body></html>"
        )
    stat = "2" if post.is_repost else "1"
    source = post.source or ""
    ts = int(post.published_at.timestamp())
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(post.title)}</title>
<script type="text/javascript" nonce="1">
    var biz = "{fakeid(account)}" || "";
    var sn = "{hashlib.md5(post.post_id.encode()).hexdigest()}" || "" || "";
    var mid = "{numeric_id(post.post_id, 10)}" || "" || "";
    var idx = "1" || "" || "";
    var item_show_type = "0";
    var create_time = "{ts}" * 1;
    var _copyright_stat = "{stat}";
    var nickname = htmlDecode("{html.escape(account.name)}");
    var ct = "{ts}";
    var user_name = "{account.platform_id}";
    var msg_title = '{html.escape(post.title)}'.html(false);
    var msg_source_url = '';
    var source_encode_biz = "{base64.b64encode(source.encode()).decode() if source else ""}";
    var source_username = "{source}";
    var author = "";
    var copyright_stat = "{stat}" * 1;
</script></head><body>
<div class="rich_media_content" id="js_content"><p>{html.escape(post.text)}</p></div>
</body></html>"""
