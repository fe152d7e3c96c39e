"""Words a person writes: how the circular, its annex and the notices name accounts, dates,
durations and problems.

- Quotation marks are the mainland's “” (never 「」).
- Dates are written 2026年12月1日; durations in whole days (已35天未更新), never 35.13天
  or an ISO time stamp.
- An account is named with its unit and platform: 兰州市人民政府“兰州发布”新浪微博账号 (a
  website or app is named 网站 / 移动客户端), because two units' accounts may share a name.
- A problem is described from the figures its rule stored (``evidence['metrics']``,
  ``['threshold']``, ``['posts']``, ``['matches']``, ``['releases']``), in the rule's own
  terms (监测时间点前2周内无更新). A confirmed finding never says 疑似. An inspector's
  record is shown in the inspector's words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from monitor.figures import pct_text, percent
from registry.timeutil import TZ
from registry.vocab import RULE
from reports.text import cn_date

NOT_AN_ACCOUNT = {"网站", "移动客户端"}
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2})?")
FRACTIONAL_DAYS = re.compile(r"\d+\.\d+\s*天")


def quote(text: str) -> str:
    """'“text”'; quotation marks inside become single ones (“““一带一路”倡议” → “‘一带一路’倡议”)."""
    inner = mainland_quotes(text).replace("“", "‘").replace("”", "’")
    return f"“{inner}”"


def headline(text: str, limit: int = 24) -> str:
    """A post's title as a sentence can quote it: at most ``limit`` characters, else cut with ……."""
    clean = " ".join(str(text or "").split()).rstrip("…")
    return clean if len(clean) <= limit else clean[: limit - 4].rstrip("，。、；：") + "……"


def mainland_quotes(text: str) -> str:
    """「甲」『乙』 → “甲”‘乙’."""
    return text.replace("「", "“").replace("」", "”").replace("『", "‘").replace("』", "’")


def account_title(unit: str, name: str, platform: str) -> str:
    """'兰州市人民政府“兰州发布”新浪微博账号'."""
    return f"{unit}{quote(name)}{platform}" + account_word(platform)


def account_word(platform: str) -> str:
    """'账号' after a platform's name, unless it is a website or app or already ends in 号
    (微信公众号, 百家号)."""
    return "" if platform in NOT_AN_ACCOUNT or platform.endswith("号") else "账号"


def names_list(titles: Sequence[str], total: int | None = None, limit: int = 5) -> str:
    """'甲、乙、丙' when all are named, else '甲、乙、丙、丁、戊等15个账号' (the count is the
    number of accounts the sentence is about, the same as its 共N个)."""
    total = len(titles) if total is None else total
    shown = "、".join(titles[:limit])
    return shown if total <= limit else f"{shown}等{total}个账号"


def whole_days(value: Any) -> int | None:
    """Full days elapsed (35.24 → 35)."""
    if value is None:
        return None
    try:
        return math.floor(float(value))
    except (TypeError, ValueError):
        return None


def span(days: Any) -> str:
    """A rule's period: 14 → '2周', 10 → '10天'."""
    number = float(days)
    if number >= 7 and number % 7 == 0:
        return f"{int(number // 7)}周"
    return f"{number:g}天"


def local_day(value: Any) -> str:
    """'2026年10月28日' from a stored ISO time or a datetime (Beijing time); '' if none."""
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return ""
    if not isinstance(value, datetime):
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(TZ)
    return cn_date(value.date())


def clean_note(note: Any) -> str:
    """A stored note fit to print: mainland quotation marks; '' when it carries machine
    wording (疑似, an ISO time, a fractional day count)."""
    text = mainland_quotes(str(note or "").strip())
    if not text or "疑似" in text or ISO_TIME.search(text) or FRACTIONAL_DAYS.search(text):
        return ""
    return text


def _count(value: Any) -> str:
    number = float(value)
    return f"{number:.0f}" if number == int(number) else f"{number:.1f}"


def _post_phrase(post: Mapping[str, Any] | None) -> str:
    """'2026年11月20日发布的“标题”' (or '发布的内容')."""
    if not post:
        return "发布的内容"
    day = local_day(post.get("published_at"))
    title = headline(str(post.get("title") or ""))
    what = quote(title) if title else "内容"
    return f"{day}发布的{what}"


def no_update(ev: Mapping[str, Any], **_: Any) -> str:
    days = (ev.get("threshold") or {}).get("days", 14)
    idle = whole_days((ev.get("metrics") or {}).get("idle_days"))
    last = local_day(ev.get("last_post_at"))
    head = f"监测时间点前{span(days)}内无更新"
    if "last_post_at" not in ev:
        return head
    if not last:
        return f"{head}，账号从未发布内容"
    return f"{head}，最近一次更新为{last}" + (f"，已{idle}天未更新" if idle is not None else "")


def update_slow(ev: Mapping[str, Any], **_: Any) -> str:
    metrics, limits = ev.get("metrics") or {}, ev.get("threshold") or {}
    parts = []
    gap, max_gap = metrics.get("max_gap_days"), limits.get("max_gap_days")
    if gap is not None and max_gap is not None and float(gap) > float(max_gap):
        days = whole_days(gap) or 0
        shown = f"最长间隔{days}天" if days > float(max_gap) else f"最长间隔超过{float(max_gap):g}天"
        parts.append(f"检查期内{shown}未更新（要求不超过{float(max_gap):g}天）")
    per_month, least = metrics.get("posts_per_month"), limits.get("min_posts_per_month")
    if per_month is not None and least is not None and float(per_month) < float(least):
        parts.append(f"月均发布{_count(per_month)}条（要求不少于{float(least):g}条）")
    return "；".join(parts)


def low_originality(ev: Mapping[str, Any], *, decimals: int = 2, **_: Any) -> str:
    metrics = ev.get("metrics") or {}
    posts, original = metrics.get("posts"), metrics.get("original")
    if posts is None or original is None:
        return ""
    rate = pct_text(percent(int(original), int(posts), decimals))
    text = f"检查期内发布{int(posts)}条，其中原创{int(original)}条，原创率{rate}"
    bar = (ev.get("threshold") or {}).get("min_rate")
    return text + (f"，低于{float(bar) * 100:g}%" if bar is not None else "")


def _lexicon(ev: Mapping[str, Any], what: str) -> str:
    matches = list(ev.get("matches") or [])
    posts = {p.get("post_id"): p for p in ev.get("posts") or [] if isinstance(p, Mapping)}
    if not matches:
        return ""
    first = matches[0]
    phrase = mainland_quotes(str(first.get("phrase") or ""))
    where = _post_phrase(posts.get(first.get("post_id")))
    correct = first.get("correct")
    if what == "serious" and correct:
        text = f"{where}中将{quote(mainland_quotes(str(correct)))}误写为{quote(phrase)}"
    elif what == "serious":
        text = f"{where}中出现严重表述错误{quote(phrase)}"
    else:
        text = f"{where}中含商业广告用语{quote(phrase)}"
    others = len({m.get("post_id") for m in matches}) - 1
    return text + (f"，另有{others}条内容存在同类问题" if others > 0 else "")


def serious_error(ev: Mapping[str, Any], **_: Any) -> str:
    return _lexicon(ev, "serious")


def commercial_ad(ev: Mapping[str, Any], **_: Any) -> str:
    return _lexicon(ev, "ad")


def entertainment(ev: Mapping[str, Any], *, decimals: int = 2, **_: Any) -> str:
    metrics = ev.get("metrics") or {}
    posts, hits = metrics.get("posts"), metrics.get("entertainment")
    if posts is None or hits is None:
        return ""
    share = pct_text(percent(int(hits), int(posts), decimals))
    return f"检查期内发布的{int(posts)}条内容中有{int(hits)}条与政府职能无直接关联，占{share}"


def filing_mismatch(ev: Mapping[str, Any], *, name: str = "", **_: Any) -> str:
    metrics = ev.get("metrics") or {}
    parts = []
    shown = str(metrics.get("shown_name") or "").strip()
    if shown and shown != name.strip():
        parts.append(f"平台显示名称为{quote(mainland_quotes(shown))}，与备案名称不一致，未办理变更备案")
    if ev.get("posts"):
        parts.append("备案已关停或注销，账号仍在发布内容")
    if metrics.get("verified") is False:
        parts.append("账号未经平台官方认证")
    return "；".join(parts)


def duplicate_account(ev: Mapping[str, Any], *, others: Sequence[str] = (), **_: Any) -> str:
    count = (ev.get("metrics") or {}).get("accounts")
    if count is None:
        return ""
    text = f"同一主办单位在该平台开设{int(count)}个在用账号"
    return text + (f"（另有{'、'.join(quote(n) for n in others)}）" if others else "")


def _lateness(due: datetime, done: datetime) -> str:
    hours = (done - due).total_seconds() / 3600
    if hours >= 24:
        return f"{math.floor(hours / 24)}天"
    return f"{max(1, math.floor(hours))}小时"


def relay_missed(ev: Mapping[str, Any], **_: Any) -> str:
    parts = []
    for release in ev.get("releases") or []:
        title = quote(mainland_quotes(str(release.get("title") or "重要信息")))
        done, due = release.get("relayed_at"), release.get("due_at")
        if not done:
            parts.append(f"未按时限转载{title}")
            continue
        try:
            late = _lateness(datetime.fromisoformat(due), datetime.fromisoformat(done))
            parts.append(f"逾期{late}转载{title}")
        except (TypeError, ValueError):
            parts.append(f"逾期转载{title}")
    return "；".join(parts)


DESCRIBE = {
    "no_update": no_update,
    "update_slow": update_slow,
    "low_originality": low_originality,
    "serious_error": serious_error,
    "commercial_ad": commercial_ad,
    "entertainment": entertainment,
    "filing_mismatch": filing_mismatch,
    "duplicate_account": duplicate_account,
    "relay_missed": relay_missed,
}


def describe(rule: str, evidence: Mapping[str, Any] | None, **facts: Any) -> str:
    """The 问题描述 of one finding: an inspector's own words, else the rule's figures in
    words, else the rule's stored note when it is fit to print, else the rule's name."""
    ev = evidence or {}
    if ev.get("inspector") or ev.get("observed_at"):
        note = mainland_quotes(str(ev.get("note") or "").strip())
        if note:
            return note
    composer = DESCRIBE.get(rule)
    text = composer(ev, **facts) if composer else ""
    return text or clean_note(ev.get("note")) or RULE.label(rule)
