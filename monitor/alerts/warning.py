"""The daily early-warning pass: who has been silent how long, and who is told (see the
package docstring for the rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from monitor.alerts.deliver import Message, Recipient, deliver, targets
from monitor.alerts.settings import AlertSettings, parse_steps
from monitor.check.collection import collection_state
from registry.collection.activity import (
    Activity,
    collection_activity,
    first_post_times,
    last_post_times,
    quiet_accounts,
)
from registry.db import utcnow
from registry.errors import InvalidValue
from registry.filing.history import opening
from registry.filing.queries import Contacts, active_contacts
from registry.ops import alerts as sent
from registry.timeutil import local_iso, local_text
from registry.vocab import ALERT_STEP, PLATFORM

DAY = 86400


@dataclass(frozen=True)
class Silence:
    """An account's silence: since when (the latest possible moment of its last post, or its
    opening) and for how many whole days up to its last successful collection."""

    since: datetime
    days: int
    last_post_at: datetime | None
    last_success_at: datetime


def profile_steps(profile: dict[str, Any]) -> list[tuple[int, str]] | None:
    """``escalation`` in the 指标方案: "10:operator,…" or [[escalation]] tables with ``days``
    and ``to``; None when the profile has none."""
    raw = profile.get("escalation")
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


def silence(
    account: Contacts,
    activity: Activity | None,
    last_post_at: datetime | None,
    *,
    now: datetime,
    freshness_days: float,
    first_post: datetime | None = None,
) -> Silence | None:
    """The account's silence, or None when it cannot be judged (未能采集, as the check says).
    An account that never posted has been silent since its opening (its 开设日期, else the
    earlier of its first known post and its filing), as in the check."""
    if collection_state(activity, at=now, freshness_days=freshness_days) != "collected":
        return None
    assert activity is not None and activity.last_success is not None
    opened = opening(opened_on=account.opened_on, first_post=first_post, filed_at=account.filed_at)
    since = last_post_at or opened.at
    seconds = (activity.last_success - since).total_seconds()
    return Silence(since, max(0, int(seconds // DAY)), last_post_at, activity.last_success)


def due_steps(days: int, steps: tuple[tuple[int, str], ...] | list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Every step whose threshold the silence has reached (late starters get them all)."""
    return [(d, role) for d, role in steps if days >= d]


def recipient_for(role: str, account: Contacts, settings: AlertSettings) -> Recipient:
    if role == "operator":
        return Recipient(account.owner, _emails(account.email), account.phone)
    if role == "leader":
        return Recipient(account.leader, _emails(account.leader_email), account.leader_phone)
    return Recipient(settings.centre_name, settings.centre_emails, settings.centre_phone)


def _emails(value: str | None) -> tuple[str, ...]:
    return (value,) if value else ()


def compose(account: Contacts, role: str, quiet: Silence, who: Recipient) -> Message:
    """The message a person reads: which account, how long silent, what happens on day 14."""
    label = PLATFORM.label(account.platform)
    days = quiet.days
    subject = f"【政务新媒体无更新预警】{account.unit}「{account.name}」已{days}天未更新"
    last = (
        f"最后一条发布于 {local_text(quiet.last_post_at)}"
        if quiet.last_post_at
        else f"开设（{local_text(quiet.since)}）以来没有采集到任何发布"
    )
    text = (
        f"{who.name or ALERT_STEP.label(role)}：\n"
        f"{account.unit}的{label}账号「{account.name}」（账号ID {account.account_id}）"
        f"已连续 {days} 天没有更新：{last}，最近一次成功采集于 {local_text(quiet.last_success_at)}。\n"
        "按《政府网站与政务新媒体检查指标》，监测时间点前2周内无更新属单项否决，请尽快发布内容。\n"
        f"（本提醒发给{ALERT_STEP.label(role)}，同一次无更新期间只发送一次。）"
    )
    data = {
        "type": "govmedia.silence",
        "step": role,
        "step_label": ALERT_STEP.label(role),
        "days": days,
        "account": {
            "id": account.account_id,
            "name": account.name,
            "platform": account.platform,
            "platform_label": label,
            "unit": account.unit,
        },
        "recipient": {"name": who.name, "emails": list(who.emails), "phone": who.phone},
        "last_post_at": local_iso(quiet.last_post_at),
        "silence_since": local_iso(quiet.since),
        "last_collected_at": local_iso(quiet.last_success_at),
    }
    return Message(subject=subject, text=text, data=data, mobiles=(who.phone,) if who.phone else ())


def run_alert_pass(
    session: Session, settings: AlertSettings, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The daily early-warning pass; returns one row per delivery attempted now.

    Each delivery is committed as soon as it is made: a message that went out stays
    recorded even if a later one fails, and the database is not held during network calls."""
    now = now or utcnow()
    if not settings.steps:
        return []
    # only an account with no post in the last (first step) days can be due: read only those
    candidates = quiet_accounts(
        session, since=now - timedelta(days=min(d for d, _ in settings.steps)), until=now
    )
    activity = collection_activity(session, until=now, account_ids=candidates)
    posts = last_post_times(session, until=now, account_ids=candidates)
    first = first_post_times(session, account_ids=candidates)
    due: list[tuple[Contacts, Silence, list[str]]] = []
    for account in active_contacts(session, account_ids=candidates):
        silent = silence(
            account,
            activity.get(account.account_id),
            posts.get(account.account_id),
            now=now,
            freshness_days=settings.freshness_days,
            first_post=first.get(account.account_id),
        )
        if silent is not None:
            roles = [role for _threshold, role in due_steps(silent.days, settings.steps)]
            if roles:
                due.append((account, silent, roles))
    done = sent.delivered_keys(session, [account.account_id for account, _, _ in due])
    deliveries: list[dict[str, Any]] = []
    for account, silent_since, roles in due:
        for role in roles:
            deliveries += _deliver_step(session, settings, account, role, silent_since, now, done)
    return deliveries


def _deliver_step(
    session: Session,
    settings: AlertSettings,
    account: Contacts,
    role: str,
    quiet: Silence,
    now: datetime,
    done: set[tuple[Any, ...]],
) -> list[dict[str, Any]]:
    """Deliver one step over every channel not yet delivered (``done``: the deliveries made)."""
    who = recipient_for(role, account, settings)
    message = compose(account, role, quiet, who)
    rows = []
    for channel, target, shown in targets(settings, settings.channels, who):
        key: dict[str, Any] = {
            "account_id": account.account_id,
            "step": role,
            "silence_since": quiet.since,
            "channel": channel,
            "recipient": shown,
        }
        if tuple(key.values()) in done:
            continue
        error = deliver(settings, channel, target, message)
        row = sent.record_alert(
            session,
            **key,
            days=quiet.days,
            recipient_name=who.name,
            sent_at=now,
            status="failed" if error else "sent",
            error=error,
            subject=message.subject,
        )
        if not error:
            done.add(tuple(key.values()))
        rows.append(sent.alert_row(row, account.name))
        session.commit()
    return rows


def send_test(
    session: Session, settings: AlertSettings, *, to: list[str] | None = None
) -> list[dict[str, Any]]:
    """Send one test message over every configured channel (e-mail to ``to`` or the centre)."""
    now = utcnow()
    who = Recipient(settings.centre_name, tuple(to or settings.centre_emails), settings.centre_phone)
    message = Message(
        subject="【政务新媒体预警】测试消息",
        text=f"这是 govmedia 发出的测试消息（{local_text(now)}）。收到即说明预警渠道配置正确。",
        data={"type": "govmedia.test", "sent_at": local_iso(now)},
    )
    rows = []
    for channel, target, shown in targets(settings, ("email", "webhook"), who):
        error = deliver(settings, channel, target, message)
        row = sent.record_alert(
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
        rows.append(sent.alert_row(row, None))
    return rows
