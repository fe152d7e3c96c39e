"""Delivering one alert: by e-mail (SMTP) and by webhook (our generic JSON, the WeCom and
DingTalk group robots, which @-mention the recipient's mobile number)."""

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
from email.message import EmailMessage
from typing import Any

from monitor.alerts.settings import WEBHOOK_KINDS, AlertSettings
from registry.masking import mask_url, redact


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


def targets(settings: AlertSettings, channels: tuple[str, ...], who: Recipient) -> list[tuple[str, str, str]]:
    """(channel, address, address as recorded) for one recipient."""
    out: list[tuple[str, str, str]] = []
    if "email" in channels and settings.smtp.host:
        out += [("email", e, e) for e in who.emails]
    if "webhook" in channels:
        for kind in WEBHOOK_KINDS:
            out += [(kind, url, mask_url(url)) for url in settings.webhooks.get(kind, ())]
    return out


def deliver(settings: AlertSettings, channel: str, target: str, message: Message) -> str | None:
    """Send over one channel; return None on success or the reason it failed."""
    try:
        if channel == "email":
            send_email(settings, target, message)
        else:
            post_webhook(settings, channel, target, message)
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        return redact(failure_reason(exc))[:500]
    return None


def failure_reason(exc: BaseException) -> str:
    """Why a delivery failed, in Chinese (the alert list shows it to staff)."""
    import socket
    import ssl
    import urllib.error

    if isinstance(exc, ValueError):
        return str(exc)  # our own Chinese reasons (a robot's error code, a bad address)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "邮件服务器拒绝登录：用户名或密码错误"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "邮件服务器拒绝了收件人地址"
    if isinstance(exc, smtplib.SMTPException):
        return f"邮件服务器拒绝发送（{getattr(exc, 'smtp_code', '') or '未给出代码'}）"
    if isinstance(exc, urllib.error.HTTPError):
        return f"回调地址返回 HTTP {exc.code}"
    if isinstance(exc, ssl.SSLError):
        return "加密连接失败（证书或 TLS 设置不对）"
    if isinstance(exc, socket.gaierror):
        return "无法解析服务器地址"
    if isinstance(exc, ConnectionRefusedError):
        return "连接被拒绝：服务器未启动，或地址、端口有误"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "连接超时"
    if isinstance(exc, urllib.error.URLError):
        return "无法连接回调地址"
    return "网络错误，发送失败"


def send_email(settings: AlertSettings, to: str, message: Message) -> None:
    smtp = settings.smtp
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = smtp.sender or ""
    mail["To"] = to
    mail.set_content(message.text)
    client: smtplib.SMTP = (
        smtplib.SMTP_SSL(smtp.host or "", smtp.port, timeout=smtp.timeout)
        if smtp.security == "ssl"
        else smtplib.SMTP(smtp.host or "", smtp.port, timeout=smtp.timeout)
    )
    with client:
        if smtp.security == "starttls":
            client.starttls()
        if smtp.user:
            client.login(smtp.user, smtp.password or "")
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
    """Append DingTalk's 加签 parameters: timestamp and HMAC-SHA256 of "timestamp\\nsecret"."""
    stamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={sign}"


def post_webhook(settings: AlertSettings, kind: str, url: str, message: Message) -> None:
    if kind == "dingtalk" and settings.dingtalk_secret:
        url = dingtalk_signed(url, settings.dingtalk_secret)
    request = urllib.request.Request(
        url,
        data=json.dumps(webhook_body(kind, message), ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=settings.webhook_timeout) as response:
        body = response.read()
    if kind in ("wecom", "dingtalk"):
        answer = json.loads(body or b"{}")
        if answer.get("errcode", 0) != 0:
            raise ValueError(f"机器人返回错误 {answer.get('errcode')}：{answer.get('errmsg', '')}")
