"""The filing life cycle (开设备案 → 审核 → 变更 → 关停 / 注销) of accounts.

``file`` records an account as ``pending`` (待审核); ``approve`` makes it ``active``
(已备案) with a 备案编号; ``change`` (变更) needs a reason; ``close`` (关停) and ``cancel``
(注销) need a reason. Every step appends a ``FilingEvent`` naming the actor.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry import validation as v
from registry.db import utcnow
from registry.errors import Conflict, IllegalTransition, InvalidValue, NotFound
from registry.filing.models import Account, AccountName, FilingEvent
from registry.filing.platforms import PLATFORMS
from registry.filing.platforms import platform_id as valid_platform_id
from registry.filing.units import find_unit
from registry.vocab import ACCOUNT_STATUS, FILING_ACTION, PLATFORM

# which statuses each action may start from
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "approve": ("pending",),
    "change": ("pending", "active"),
    "close": ("active",),
    "cancel": ("pending", "active", "closed"),
}
LIVE = ("pending", "active")

# option/attribute → (Chinese field name, cleaner)
OPTIONAL_FIELDS: dict[str, tuple[str, Any]] = {
    "url": ("链接", v.url),
    "feed_url": ("采集地址", lambda x, f: v.url(x, f)),
    "operator": ("运维单位", lambda x, f: v.text(x, f)),
    "owner": ("负责人", lambda x, f: v.text(x, f, max_len=64)),
    "phone": ("联系电话", v.phone),
    "email": ("负责人邮箱", v.email),
    "leader": ("分管领导", lambda x, f: v.text(x, f, max_len=64)),
    "leader_phone": ("分管领导电话", v.phone),
    "leader_email": ("分管领导邮箱", v.email),
    "opened_on": ("开设日期", lambda x, f: v.iso_date(x, f)),
    "note": ("备注", lambda x, f: v.text(x, f, max_len=2000)),
}


def clean_optional(values: dict[str, Any]) -> dict[str, Any]:
    """Validate the optional filing fields that are present (None means absent)."""
    cleaned: dict[str, Any] = {}
    for key, raw in values.items():
        if raw is None:
            continue
        if key == "verified":
            cleaned[key] = bool(raw)
            continue
        if key == "selectors":
            cleaned[key] = v.selectors(raw)
            continue
        label, cleaner = OPTIONAL_FIELDS[key]
        if isinstance(raw, str) and not raw.strip():
            cleaned[key] = None
            continue
        cleaned[key] = cleaner(raw, label)
    return cleaned


def get_account(session: Session, account_id: int | str) -> Account:
    text = str(account_id).strip()
    number = v.record_id(text)
    account = session.get(Account, number) if number else None
    if account is None:
        raise NotFound("账号ID", account_id, "账号")
    return account


def live_count(session: Session, unit_id: int, platform: str) -> int:
    return (
        session.scalar(
            select(func.count(Account.id)).where(
                Account.unit_id == unit_id, Account.platform == platform, Account.status.in_(LIVE)
            )
        )
        or 0
    )


def file_account(
    session: Session,
    *,
    unit: str,
    platform: str,
    name: str,
    platform_id: str,
    reason: str | None = None,
    actor: str,
    **optional: Any,
) -> Account:
    """报备 one account (status ``pending``). A unit's second live account on one platform
    needs a reason ("一个单位原则上在同一第三方平台只开设一个账号")."""
    owner_unit = find_unit(session, unit)
    code = v.platform(platform)
    name = v.text(name, "账号名称")
    pid = valid_platform_id(code, platform_id.strip() if platform_id else platform_id)
    extra = clean_optional(optional)
    existing = session.scalar(select(Account.id).where(Account.platform == code, Account.platform_id == pid))
    if existing is not None:
        raise Conflict("平台账号ID", pid, f"该{PLATFORM.label(code)}账号已备案（账号ID {existing}）")
    if live_count(session, owner_unit.id, code) and not (reason and reason.strip()):
        raise InvalidValue(
            "原因",
            reason or "",
            f"「{owner_unit.name}」在{PLATFORM.label(code)}已有账号，一个单位原则上在同一平台"
            "只开设一个账号，确需再开设请用 --reason 说明理由",
        )
    account = Account(unit_id=owner_unit.id, platform=code, name=name, platform_id=pid, **extra)
    session.add(account)
    session.flush()
    changes = {
        "unit": [None, owner_unit.name],
        "platform": [None, code],
        "name": [None, name],
        "platform_id": [None, pid],
    }
    changes.update({k: [None, _jsonable(val)] for k, val in extra.items()})
    session.add(
        FilingEvent(
            actor=actor, action="file", account_id=account.id, reason=_clean_reason(reason), changes=changes
        )
    )
    return account


def filing_number(account: Account, region_code: str) -> str:
    """备案编号: region, platform abbreviation and the account's serial, e.g. 620100-WB-000042."""
    return f"{region_code}-{PLATFORMS[account.platform].abbr}-{account.id:06d}"


def approve(session: Session, account_id: int | str, *, actor: str, reason: str | None = None) -> Account:
    account = _transition(session, account_id, "approve")
    number = account.filing_no or filing_number(account, account.unit.region_code)
    taken = session.scalar(select(Account.id).where(Account.filing_no == number, Account.id != account.id))
    if taken is not None:
        raise Conflict("备案编号", number, f"已被账号 {taken} 使用")
    account.status = "active"
    account.filing_no = number
    account.approved_at = account.status_at = utcnow()
    session.add(
        FilingEvent(
            actor=actor,
            action="approve",
            account_id=account.id,
            reason=_clean_reason(reason),
            changes={"status": ["pending", "active"], "filing_no": [None, account.filing_no]},
        )
    )
    return account


def change(
    session: Session,
    account_id: int | str,
    *,
    reason: str,
    actor: str,
    unit: str | None = None,
    name: str | None = None,
    **optional: Any,
) -> Account:
    """变更: update the filed details; a rename keeps the old name searchable."""
    reason_text = _required_reason(reason, "变更")
    account = _transition(session, account_id, "change")
    changes: dict[str, list[Any]] = {}
    if unit is not None:
        new_unit = find_unit(session, unit)
        if new_unit.id != account.unit_id:
            changes["unit"] = [account.unit.name, new_unit.name]
            account.unit_id = new_unit.id
    if name is not None:
        new_name = v.text(name, "账号名称")
        if new_name != account.name:
            changes["name"] = [account.name, new_name]
            # the old name goes to the former names, carried since the previous rename
            since = session.scalar(
                select(func.max(AccountName.until)).where(AccountName.account_id == account.id)
            )
            session.add(
                AccountName(
                    account_id=account.id, name=account.name, since=since or account.filed_at, until=utcnow()
                )
            )
            account.name = new_name
    for key, value in clean_optional(optional).items():
        old = getattr(account, key)
        if old != value:
            changes[key] = [_jsonable(old), _jsonable(value)]
            setattr(account, key, value)
    if not changes:
        raise InvalidValue("变更内容", "", "没有需要变更的字段（与现有备案相同）")
    session.add(
        FilingEvent(actor=actor, action="change", account_id=account.id, reason=reason_text, changes=changes)
    )
    return account


def close(session: Session, account_id: int | str, *, reason: str, actor: str) -> Account:
    """关停: the account stops publishing (after its 停更公告)."""
    return _end(session, account_id, "close", "closed", reason, actor)


def cancel(session: Session, account_id: int | str, *, reason: str, actor: str) -> Account:
    """注销: the account is deregistered on the platform (or a filing is withdrawn)."""
    return _end(session, account_id, "cancel", "cancelled", reason, actor)


def _end(
    session: Session, account_id: int | str, action: str, status: str, reason: str, actor: str
) -> Account:
    reason_text = _required_reason(reason, FILING_ACTION.label(action))
    account = _transition(session, account_id, action)
    old = account.status
    account.status = status
    account.status_at = utcnow()
    session.add(
        FilingEvent(
            actor=actor,
            action=action,
            account_id=account.id,
            reason=reason_text,
            changes={"status": [old, status]},
        )
    )
    return account


def _transition(session: Session, account_id: int | str, action: str) -> Account:
    account = get_account(session, account_id)
    if account.status not in TRANSITIONS[action]:
        allowed = "、".join(ACCOUNT_STATUS.label(s) for s in TRANSITIONS[action])
        raise IllegalTransition(
            account.id,
            ACCOUNT_STATUS.label(account.status),
            FILING_ACTION.label(action),
            f"只有{allowed}的账号可以{FILING_ACTION.label(action)}",
        )
    return account


def _required_reason(reason: str | None, action_label: str) -> str:
    if not reason or not reason.strip():
        raise InvalidValue("原因", reason or "", f"{action_label}必须说明原因（--reason）")
    return reason.strip()


def _clean_reason(reason: str | None) -> str | None:
    return reason.strip() if reason and reason.strip() else None


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, dict, list)):
        return value
    return str(value)
