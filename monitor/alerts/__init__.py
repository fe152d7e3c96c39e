"""Early warning before the two-week veto (无更新预警): tell people before day 14 comes.

For each active account the pass measures its **silence**: the time from its last post
(or, if it never posted, from its filing) to its last *successful* collection. An account
whose latest collection failed is not silent but 未能采集 (DOMAIN.md §5) and gets no
silence alert. When the silence reaches a step of the escalation ladder, the step's people
are told once per silence; a new post starts a new silence.

The ladder comes from ``[alerts] steps`` in govmedia.toml, else from the monitor profile's
``escalation``, else the default: the account's 负责人 (operator) at 10 days, the unit's
分管领导 (leader) at 12, the supervising centre at 13. Contacts come from the filing;
the centre's from ``[alerts] centre_email`` / ``centre_phone``. Messages go by e-mail
(``[smtp]``) and by webhook (``[webhook] generic`` JSON, ``wecom`` and ``dingtalk`` robots,
which @-mention the recipient's mobile number).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from sqlalchemy.orm import Session

from monitor.app.config import Config, mask_url, parse_steps
from registry.db import utcnow
from registry.errors import InvalidValue
from registry.filing.platforms import platform_label
from registry.ops import store as ops
from registry.timeutil import local_iso, local_text

DEFAULT_STEPS: tuple[tuple[int, str], ...] = ((10, "operator"), (12, "leader"), (13, "centre"))
ROLE_LABELS = {"operator": "账号负责人", "leader": "分管领导", "centre": "监管中心", "test": "测试"}
DAY = 86400


WEBHOOK_KINDS = ("generic", "wecom", "dingtalk")


@dataclass(frozen=True)
class Message:
    """One alert: a subject and text for people, data for machines, mobiles to @-mention."""

    subject: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    mobiles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recipient:
    name: str | None
    emails: tuple[str, ...]
    phone: str | None


def escalation_steps(config: Config) -> list[tuple[int, str]]:
    """The ladder: govmedia.toml, then the monitor profile, then the default."""
    configured = config.get("alerts", "steps")
    if configured:
        return parse_steps(configured)
    from_profile = profile_steps(config.get("profile", "name"))
    return from_profile if from_profile else list(DEFAULT_STEPS)


def profile_steps(name: str | None) -> list[tuple[int, str]] | None:
    """``escalation`` in the 指标方案 (monitor.profile): "10:operator,…" or [[escalation]] tables
    with ``days`` and ``to``; None when the profile has none."""
    from monitor import profile

    raw = profile.load(name).get("escalation")
    if isinstance(raw, dict):
        raw = raw.get("steps")
    if isinstance(raw, list) and raw and isinstance(raw[0], dict):
        raw = [f"{item.get('days')}:{item.get('to')}" for item in raw]
    if not raw:
        return None
    try:
        return parse_steps(raw)
    except ValueError as exc:
        raise InvalidValue("指标方案 escalation", raw, str(exc)) from None


def silence(activity: ops.Activity) -> tuple[datetime, int] | None:
    """(start of the silence, whole days of it) or None when the account cannot be judged:
    never collected, or its latest collection failed (未能采集 is not silence)."""
    if activity.last_success_at is None or activity.last_outcome not in ("ok", "empty"):
        return None
    since = activity.last_post_at or activity.filed_at
    seconds = (activity.last_success_at - since).total_seconds()
    return since, max(0, int(seconds // DAY))


def due_steps(days: int, steps: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Every step whose threshold the silence has reached (late starters get them all)."""
    return [(d, role) for d, role in steps if days >= d]


def recipient_for(role: str, activity: ops.Activity, config: Config) -> Recipient:
    if role == "operator":
        return Recipient(activity.owner, _emails(activity.email), activity.phone)
    if role == "leader":
        return Recipient(activity.leader, _emails(activity.leader_email), activity.leader_phone)
    return Recipient(
        config.get("alerts", "centre_name"),
        tuple(config.get("alerts", "centre_email") or ()),
        config.get("alerts", "centre_phone"),
    )


def _emails(value: str | None) -> tuple[str, ...]:
    return (value,) if value else ()


def compose(activity: ops.Activity, role: str, days: int, since: datetime, who: Recipient) -> Message:
    """The message a person reads: which account, how long silent, what happens on day 14."""
    label = platform_label(activity.platform)
    subject = f"【政务新媒体无更新预警】{activity.unit}「{activity.name}」已{days}天未更新"
    last = (
        f"最后一条发布于 {local_text(activity.last_post_at)}"
        if activity.last_post_at
        else f"备案（{local_text(since)}）以来没有采集到任何发布"
    )
    text = (
        f"{who.name or ROLE_LABELS[role]}：\n"
        f"{activity.unit}的{label}账号「{activity.name}」（账号ID {activity.account_id}）"
        f"已连续 {days} 天没有更新：{last}，最近一次成功采集于 {local_text(activity.last_success_at)}。\n"
        "按《政府网站与政务新媒体检查指标》，监测时间点前2周内无更新属单项否决，请尽快发布内容。\n"
        f"（本提醒发给{ROLE_LABELS[role]}，同一次无更新期间只发送一次。）"
    )
    data = {
        "type": "govmedia.silence",
        "step": role,
        "step_label": ROLE_LABELS[role],
        "days": days,
        "account": {
            "id": activity.account_id,
            "name": activity.name,
            "platform": activity.platform,
            "platform_label": label,
            "unit": activity.unit,
        },
        "recipient": {"name": who.name, "emails": list(who.emails), "phone": who.phone},
        "last_post_at": local_iso(activity.last_post_at),
        "silence_since": local_iso(since),
        "last_collected_at": local_iso(activity.last_success_at),
    }
    return Message(subject=subject, text=text, data=data, mobiles=(who.phone,) if who.phone else ())


def run_alert_pass(session: Session, config: Config, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """The daily early-warning pass; returns one row per delivery attempted now.

    Each delivery is committed as soon as it is made: a message that went out stays
    recorded even if a later one fails, and the database is not held during network calls."""
    now = now or utcnow()
    steps = escalation_steps(config)
    channels = str(config.get("alerts", "channels") or "").split(",")
    deliveries: list[dict[str, Any]] = []
    for activity in ops.account_activity(session):
        measured = silence(activity)
        if measured is None:
            continue
        since, days = measured
        for _threshold, role in due_steps(days, steps):
            who = recipient_for(role, activity, config)
            message = compose(activity, role, days, since, who)
            for channel, target, shown in _targets(config, channels, who):
                if ops.alert_delivered(
                    session,
                    account_id=activity.account_id,
                    step=role,
                    silence_since=since,
                    channel=channel,
                    recipient=shown,
                ):
                    continue
                error = deliver(config, channel, target, message)
                row = ops.record_alert(
                    session,
                    account_id=activity.account_id,
                    step=role,
                    days=days,
                    silence_since=since,
                    channel=channel,
                    recipient=shown,
                    recipient_name=who.name,
                    sent_at=now,
                    status="failed" if error else "sent",
                    error=error,
                    subject=message.subject,
                )
                deliveries.append(ops.alert_row(row, activity.name))
                session.commit()
    return deliveries


def _targets(config: Config, channels: list[str], who: Recipient) -> list[tuple[str, str, str]]:
    """(channel, address, address as recorded) for one recipient."""
    out: list[tuple[str, str, str]] = []
    if "email" in channels and config.get("smtp", "host"):
        out += [("email", e, e) for e in who.emails]
    if "webhook" in channels:
        for kind in WEBHOOK_KINDS:
            out += [(kind, url, mask_url(url)) for url in config.get("webhook", kind) or ()]
    return out


def send_test(session: Session, config: Config, *, to: list[str] | None = None) -> list[dict[str, Any]]:
    """Send one test message over every configured channel (e-mail to ``to`` or the centre)."""
    now = utcnow()
    who = Recipient(
        config.get("alerts", "centre_name"),
        tuple(to or config.get("alerts", "centre_email") or ()),
        config.get("alerts", "centre_phone"),
    )
    message = Message(
        subject="【政务新媒体预警】测试消息",
        text=f"这是 govmedia 发出的测试消息（{local_text(now)}）。收到即说明预警渠道配置正确。",
        data={"type": "govmedia.test", "sent_at": local_iso(now)},
        mobiles=(),
    )
    rows = []
    for channel, target, shown in _targets(config, ["email", "webhook"], who):
        error = deliver(config, channel, target, message)
        row = ops.record_alert(
            session,
            account_id=None,
            step="test",
            days=0,
            silence_since=None,
            channel=channel,
            recipient=shown,
            recipient_name=who.name,
            sent_at=now,
            status="failed" if error else "sent",
            error=error,
            subject=message.subject,
        )
        rows.append(ops.alert_row(row, None))
    return rows


# --- delivery -------------------------------------------------------------------------


def deliver(config: Config, channel: str, target: str, message: Message) -> str | None:
    """Send over one channel; return None on success or the Chinese reason it failed."""
    try:
        if channel == "email":
            send_email(config, target, message)
        else:
            post_webhook(config, channel, target, message)
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    return None


def send_email(config: Config, to: str, message: Message) -> None:
    smtp = config.section("smtp")
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = smtp["sender"]
    mail["To"] = to
    mail.set_content(message.text)
    host, port, timeout = smtp["host"], smtp["port"], smtp["timeout"]
    client: smtplib.SMTP = (
        smtplib.SMTP_SSL(host, port, timeout=timeout)
        if smtp["security"] == "ssl"
        else smtplib.SMTP(host, port, timeout=timeout)
    )
    with client:
        if smtp["security"] == "starttls":
            client.starttls()
        if smtp["user"]:
            client.login(smtp["user"], smtp["password"] or "")
        client.send_message(mail)


def webhook_body(kind: str, message: Message) -> dict[str, Any]:
    """The JSON each receiver expects: ours (generic), WeCom's and DingTalk's robot text."""
    content = f"{message.subject}\n{message.text}"
    if kind == "wecom":
        return {
            "msgtype": "text",
            "text": {"content": content, "mentioned_mobile_list": list(message.mobiles)},
        }
    if kind == "dingtalk":
        return {
            "msgtype": "text",
            "text": {"content": content},
            "at": {"atMobiles": list(message.mobiles), "isAtAll": False},
        }
    return {**message.data, "subject": message.subject, "text": message.text}


def dingtalk_signed(url: str, secret: str, now_ms: int | None = None) -> str:
    """Append DingTalk's 加签 parameters: timestamp and HMAC-SHA256 of "timestamp\nsecret"."""
    stamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={sign}"


def post_webhook(config: Config, kind: str, url: str, message: Message) -> None:
    secret = config.get("webhook", "dingtalk_secret")
    if kind == "dingtalk" and secret:
        url = dingtalk_signed(url, secret)
    request = urllib.request.Request(
        url,
        data=json.dumps(webhook_body(kind, message), ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=config.get("webhook", "timeout")) as response:
        body = response.read()
    if kind in ("wecom", "dingtalk"):
        answer = json.loads(body or b"{}")
        if answer.get("errcode", 0) != 0:
            raise ValueError(f"机器人返回错误 {answer.get('errcode')}：{answer.get('errmsg', '')}")
