"""The registry audit: filed accounts nobody runs (建而不管、失管脱管), from data already collected.

Each finding names the account, what is wrong and the evidence it rests on:

- ``gone_on_platform`` 平台显示已注销或不存在: the filing is active, but the latest collection
  found the account deleted, frozen, migrated or 注销 (outcome ``gone``);
- ``renamed_on_platform`` 平台名称与备案不符: the filing is active, but the platform last showed
  another name (a rename without a 变更备案);
- ``ended_but_active`` 已关停或注销仍在运行: a closed or cancelled filing whose account published
  after the filing ended, or that a search still found after it ended (已注销后又重新启用);
- ``no_contact`` 未登记负责人或联系电话: an active filing without a 负责人 or phone;
- ``contacts_stale`` 联系人逾期未核实: the 负责人 and phone were last set or confirmed more than
  ``contacts_days`` ago (年度核查; confirm with ``govmedia registry confirm-contacts``);
- ``collection_failing`` 连续多周未能采集: collected for at least ``failing_weeks`` weeks and every
  attempt in that time failed (blocked, credential, gone or error). Blocked is not silent: this
  says only that nobody can see the account, not that it stopped posting.

``now`` is injected; facts are read up to it, so a circular computes the audit as of the end of
its window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from registry.discovery.facts import AuditFacts, audit_facts
from registry.timeutil import local_iso, local_text
from registry.vocab import ACCOUNT_STATUS, OUTCOME

AUDIT_KEYS = ("kind", "account_id", "name", "platform", "platform_id", "unit", "status", "detail", "evidence")


@dataclass(frozen=True)
class AuditSettings:
    """The audit's periods (``[discovery] contacts_days``, ``failing_weeks``)."""

    contacts_days: int = 365
    failing_weeks: int = 4


def audit(
    session: Session,
    *,
    now: datetime,
    settings: AuditSettings = AuditSettings(),
    kinds: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """Every finding, ordered by account and kind (``AUDIT_KEYS`` rows)."""
    since = now - timedelta(weeks=settings.failing_weeks)
    facts = audit_facts(session, until=now, failing_since=since)
    wanted = set(kinds) if kinds is not None else None
    rows: list[dict[str, Any]] = []
    for account in facts.accounts:
        for kind, detail, evidence in _findings(account, facts, settings, since):
            if wanted is None or kind in wanted:
                rows.append(
                    {
                        "kind": kind,
                        "account_id": account["id"],
                        "name": account["name"],
                        "platform": account["platform"],
                        "platform_id": account["platform_id"],
                        "unit": account["unit"],
                        "status": account["status"],
                        "detail": detail,
                        "evidence": evidence,
                    }
                )
    return rows


Finding = tuple[str, str, dict[str, Any]]


def _findings(
    account: dict[str, Any], facts: AuditFacts, cfg: AuditSettings, since: datetime
) -> list[Finding]:
    if account["status"] == "active":
        return [
            *_gone(account, facts),
            *_renamed(account, facts),
            *_contacts(account, facts, cfg),
            *_failing(account, facts, cfg, since),
        ]
    return _ended(account, facts)


def _gone(account: dict[str, Any], facts: AuditFacts) -> list[Finding]:
    last = facts.last_attempts.get(account["id"])
    if last is None or last["outcome"] != "gone":
        return []
    detail = (
        f"备案为{ACCOUNT_STATUS.label('active')}，但{local_text(last['at'])}采集时{OUTCOME.label('gone')}"
    )
    evidence = {k: last[k] for k in ("detail", "snippet", "http_status")} | {"at": local_iso(last["at"])}
    return [("gone_on_platform", f"{detail}：{last['detail'] or ''}".rstrip("："), evidence)]


def _renamed(account: dict[str, Any], facts: AuditFacts) -> list[Finding]:
    """The latest of what a crawl's snapshot and a search showed as the account's name."""
    seen = [
        (s["at"], s.get("shown_name"), source)
        for s, source in (
            (facts.snapshots.get(account["id"]), "采集"),
            (facts.found_names.get(account["id"]), "排查搜索"),
        )
        if s and s.get("at") and s.get("shown_name")
    ]
    if not seen:
        return []
    at, name, source = max(seen, key=lambda x: x[0])
    shown = str(name).strip()
    if shown == account["name"].strip():
        return []
    detail = f"{source}时平台显示名称为「{shown}」，备案名称为「{account['name']}」，未办理变更备案"
    return [("renamed_on_platform", detail, {"shown_name": shown, "at": local_iso(at), "source": source})]


def _ended(account: dict[str, Any], facts: AuditFacts) -> list[Finding]:
    label = ACCOUNT_STATUS.label(account["status"])
    ended = local_text(account["status_at"])
    posted = facts.posted_after_end.get(account["id"])
    found = facts.found_after_end.get(account["id"])
    if posted is None and found is None:
        return []
    parts: list[str] = []
    evidence: dict[str, Any] = {"ended_at": local_iso(account["status_at"])}
    if posted is not None:
        parts.append(f"之后仍发布{posted['posts']}条，最近一条在{local_text(posted['last_post_at'])}")
        evidence["last_post"] = {
            "published_at": local_iso(posted["last_post_at"]),
            "title": posted["title"],
            "url": posted["url"],
        }
    if found is not None:
        seen = local_text(found["last_seen_at"])
        parts.append(f"{seen}排查搜索仍能搜到（「{found['shown_name']}」）")
        evidence["search"] = {**found, "last_seen_at": local_iso(found["last_seen_at"])}
    return [("ended_but_active", f"备案已于{ended}{label}，" + "；".join(parts), evidence)]


def _contacts(account: dict[str, Any], facts: AuditFacts, cfg: AuditSettings) -> list[Finding]:
    fields = (("owner", "负责人"), ("phone", "联系电话"))
    missing = [label for key, label in fields if not account.get(key)]
    if missing:
        return [("no_contact", "未登记" + "、".join(missing), {"missing": missing})]
    confirmed = facts.contacts_confirmed.get(account["id"]) or account["filed_at"]
    if confirmed is None or facts.until - confirmed <= timedelta(days=cfg.contacts_days):
        return []
    days = (facts.until - confirmed).days
    when = local_text(confirmed)
    detail = f"负责人和联系电话最近一次核实于{when}，已{days}天（超过{cfg.contacts_days}天）"
    return [("contacts_stale", detail, {"confirmed_at": local_iso(confirmed), "days": days})]


def _failing(
    account: dict[str, Any], facts: AuditFacts, cfg: AuditSettings, since: datetime
) -> list[Finding]:
    activity = facts.activity.get(account["id"])
    first = facts.first_attempt.get(account["id"])
    failures = facts.failures.get(account["id"], 0)
    if activity is None or first is None or first > since or not failures:
        return []
    if activity.last_success is not None and activity.last_success >= since:
        return []
    last = facts.last_attempts.get(account["id"]) or {}
    success = local_text(activity.last_success) if activity.last_success else "从未成功"
    detail = (
        f"近{cfg.failing_weeks}周{failures}次采集均未成功（最近一次：{OUTCOME.label(last.get('outcome'))}），"
        f"最近一次成功采集：{success}"
    )
    evidence = {
        "failures": failures,
        "last_success": local_iso(activity.last_success),
        "last_outcome": last.get("outcome"),
        "last_detail": last.get("detail"),
    }
    return [("collection_failing", detail, evidence)]
