"""The filing life cycle of accounts (开设备案 → 审核 → 变更 → 关停 / 注销).

The states and what moves an account between them (``TRANSITIONS``)::

    file ──► 待审核 pending ──approve──► 已备案 active ──close──► 已关停 closed
                 │    ▲                      │                       │
            reject    refile                 └────────cancel─────────┴──► 已注销 cancelled
                 ▼    │
              已驳回 rejected  (back to the filer: change it, then refile)

- ``file`` (报备) records an account as ``pending``;
- ``approve`` (审核通过) makes it ``active`` and gives it its 备案编号;
- ``reject`` (驳回, reason required) sends a filing back to the filer as ``rejected``; a
  rejected filing may be changed (``change``) and filed again (``refile`` → ``pending``);
- ``change`` (变更, reason required) updates the details of a pending, rejected or active
  filing; a rename keeps the old name searchable;
- ``close`` (关停) and ``cancel`` (注销, also a filing withdrawn) need a reason.

Every step appends a ``FilingEvent`` naming the actor, the reason and the change. The bulk
forms (``transition`` over many ids) are all-or-nothing: one refused account refuses the
whole batch, and the batch is written with one statement per table, not one per account.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from registry import validation as v
from registry.db import utcnow
from registry.errors import Conflict, IllegalTransition, InvalidValue, NotFound
from registry.files import parse_cell_date
from registry.filing.models import Account, AccountName, FilingEvent, Unit
from registry.filing.platforms import PLATFORMS
from registry.filing.platforms import platform_id as valid_platform_id
from registry.filing.units import find_unit, live_unit
from registry.vocab import ACCOUNT_STATUS, FILING_ACTION, PLATFORM

# which statuses each action may start from, and where it leads
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "approve": ("pending",),
    "reject": ("pending",),
    "refile": ("rejected",),
    "change": ("pending", "rejected", "active"),
    "close": ("active",),
    "cancel": ("pending", "rejected", "active", "closed"),
}
TARGET: dict[str, str] = {
    "approve": "active",
    "reject": "rejected",
    "refile": "pending",
    "close": "closed",
    "cancel": "cancelled",
}
REASON_REQUIRED = frozenset({"reject", "change", "close", "cancel"})
LIVE = ("pending", "active")
CHUNK = 5_000  # ids per IN (…) list
REASON_LENGTH = 500  # a reason is one line a person reads in the filing history

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
    "opened_on": ("开设日期", lambda x, f: parse_cell_date(x, field=f)),
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
    needs a reason ("一个单位原则上在同一第三方平台只开设一个账号").

    The rule holds under concurrency: the unit is held (``hold_units``) before its accounts
    are counted, so of several filings racing for one unit and platform without a reason
    exactly one is filed, on SQLite and PostgreSQL alike."""
    owner_unit = live_unit(session, unit)
    code = v.platform(platform)
    name = v.text(name, "账号名称")
    pid = valid_platform_id(code, platform_id.strip() if platform_id else platform_id)
    extra = clean_optional(optional)
    hold_units(session, [owner_unit.id])
    existing = session.execute(
        select(Account.id, Account.status).where(Account.platform == code, Account.platform_id == pid)
    ).first()
    if existing is not None:
        if existing.status == "rejected":
            raise Conflict(
                "平台账号ID",
                pid,
                f"该{PLATFORM.label(code)}账号的报备已被驳回（账号ID {existing.id}），"
                f"请用 account change {existing.id} 修改后用 account refile {existing.id} 重新报备",
            )
        raise Conflict("平台账号ID", pid, f"该{PLATFORM.label(code)}账号已备案（账号ID {existing.id}）")
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


def hold_units(session: Session, unit_ids: Sequence[int] | None = None) -> None:
    """Hold units (all of them with ``None``) until the unit of work ends, so that counting
    their live accounts and filing a new one happen as one step: another filing for the same
    units waits until this one commits or rolls back, then counts again.

    A no-op write (``UPDATE units SET id = id``) is the lock on both dialects: PostgreSQL locks
    the rows (as ``SELECT … FOR UPDATE``), SQLite takes the database's write lock and opens the
    transaction with it, so the count that follows reads what was last committed."""
    units = core_table(Unit)
    statement = update(units).values(id=units.c.id)
    if unit_ids is not None:
        statement = statement.where(units.c.id.in_(sorted(set(unit_ids))))
    session.execute(statement)


def filing_number(account: Account, region_code: str) -> str:
    """备案编号: region, platform abbreviation and the account's serial, e.g. 620100-WB-000042."""
    return number_for(account.id, account.platform, region_code)


def number_for(account_id: int, platform: str, region_code: str) -> str:
    return f"{region_code}-{PLATFORMS[platform].abbr}-{account_id:06d}"


@dataclass
class Transition:
    """What one (bulk) step did: the action, the accounts in the order given, and for an
    approval the 备案编号 each account received."""

    action: str
    ids: list[int]
    numbers: dict[int, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.ids)


def approve(session: Session, account_id: int | str, *, actor: str, reason: str | None = None) -> Account:
    """审核通过 one filing (pending → active) and give it its 备案编号."""
    return _one(session, account_id, "approve", actor=actor, reason=reason)


def reject(session: Session, account_id: int | str, *, reason: str, actor: str) -> Account:
    """驳回 one filing back to the filer (pending → rejected); the reason is recorded."""
    return _one(session, account_id, "reject", actor=actor, reason=reason)


def refile(session: Session, account_id: int | str, *, actor: str, reason: str | None = None) -> Account:
    """重新报备 a rejected filing (rejected → pending), usually after ``change``."""
    return _one(session, account_id, "refile", actor=actor, reason=reason)


def close(session: Session, account_id: int | str, *, reason: str, actor: str) -> Account:
    """关停: the account stops publishing (after its 停更公告)."""
    return _one(session, account_id, "close", actor=actor, reason=reason)


def cancel(session: Session, account_id: int | str, *, reason: str, actor: str) -> Account:
    """注销: the account is deregistered on the platform (or a filing is withdrawn)."""
    return _one(session, account_id, "cancel", actor=actor, reason=reason)


def _one(session: Session, account_id: int | str, action: str, *, actor: str, reason: str | None) -> Account:
    done = transition(session, action, [account_id], actor=actor, reason=reason)
    account = session.get(Account, done.ids[0])
    assert account is not None
    session.refresh(account)
    return account


def approve_pending(
    session: Session, *, actor: str, unit: str | None = None, reason: str | None = None
) -> Transition:
    """审核通过 every pending filing (of one unit, with ``unit``) in one step."""
    query = select(Account.id).where(Account.status == "pending").order_by(Account.id)
    if unit:
        query = query.where(Account.unit_id == find_unit(session, unit).id)
    ids = list(session.scalars(query))
    if not ids:
        where = f"「{unit}」" if unit else "备案库中"
        raise InvalidValue("--all-pending", where, "没有待审核的账号")
    return transition(session, "approve", ids, actor=actor, reason=reason)


def transition(
    session: Session,
    action: str,
    account_ids: Iterable[int | str],
    *,
    actor: str,
    reason: str | None = None,
) -> Transition:
    """Move many accounts by one action, all or nothing, with one statement per table.

    Every id must exist and every account be in a state the action may start from
    (``TRANSITIONS``); otherwise nothing is written and the error names the refused ids."""
    label = FILING_ACTION.label(action)
    reason_text = _required_reason(reason, label) if action in REASON_REQUIRED else _clean_reason(reason)
    ids = _ids(account_ids)
    session.flush()
    rows = _load(session, ids)
    _refuse(ids, rows, action)
    now = utcnow()
    table = core_table(Account)
    target = TARGET[action]
    numbers: dict[int, str] = {}
    # guarded: only rows still in a starting state change, so of two people acting on the same
    # filing at once exactly one succeeds (the other's statement waits for the first's commit,
    # then matches nothing) and is refused below, before anything else is written
    startable = or_(*(table.c.status == state for state in TRANSITIONS[action]))  # no IN: executemany
    changed = 0
    if action == "approve":
        numbers = _new_numbers(session, rows)
        changed = _execute(
            session,
            update(table)
            .where(table.c.id == bindparam("b_id"), startable)
            .values(status=target, filing_no=bindparam("b_no"), approved_at=now, status_at=now),
            [{"b_id": aid, "b_no": number} for aid, number in numbers.items()],
        )
    else:
        for start in range(0, len(ids), CHUNK):
            changed += _execute(
                session,
                update(table)
                .where(table.c.id.in_(ids[start : start + CHUNK]), startable)
                .values(status=target, status_at=now),
            )
    if changed != len(ids):
        _raced(session, ids, action)
    events = []
    for aid in ids:
        changes: dict[str, Any] = {"status": [rows[aid].status, target]}
        if aid in numbers:
            changes["filing_no"] = [rows[aid].filing_no, numbers[aid]]
        events.append(
            {
                "at": now,
                "actor": actor,
                "action": action,
                "account_id": aid,
                "reason": reason_text,
                "changes": changes,
            }
        )
    session.execute(insert(core_table(FilingEvent)), events)
    return Transition(action, ids, numbers)


def _execute(session: Session, statement: Any, params: Any = None) -> int:
    """Run an UPDATE; the number of rows it changed."""
    result = cast(CursorResult[Any], session.execute(statement, params))
    return int(result.rowcount)


def _raced(session: Session, ids: Sequence[int], action: str) -> None:
    """Someone else moved some of the accounts between our reading and our writing: refuse
    (the unit of work rolls back) naming them and the state they are in now."""
    label = FILING_ACTION.label(action)
    now = _load(session, ids)
    moved = [aid for aid in ids if aid in now and now[aid].status not in TRANSITIONS[action]] or list(ids)
    states = "，".join(
        f"账号 {aid} 现为{ACCOUNT_STATUS.label(now[aid].status)}" for aid in moved[:10] if aid in now
    )
    raise Conflict(
        "账号ID",
        _some(moved),
        f"已被他人同时处理（{states}），本次{label}未执行，请刷新后查看",
    )


def _ids(values: Iterable[int | str]) -> list[int]:
    ids: list[int] = []
    seen: set[int] = set()
    for value in values:
        number = v.record_id(value)
        if number is None:
            raise NotFound("账号ID", value, "账号")
        if number not in seen:
            seen.add(number)
            ids.append(number)
    if not ids:
        raise InvalidValue("账号ID", "", "请给出至少一个账号ID")
    return ids


def _load(session: Session, ids: Sequence[int]) -> dict[int, Any]:
    rows: dict[int, Any] = {}
    for start in range(0, len(ids), CHUNK):
        query = (
            select(Account.id, Account.status, Account.platform, Account.filing_no, Unit.region_code)
            .join(Unit, Unit.id == Account.unit_id)
            .where(Account.id.in_(ids[start : start + CHUNK]))
        )
        rows.update({row.id: row for row in session.execute(query)})
    return rows


def check_transition(account: Account, action: str) -> None:
    """Refuse (``IllegalTransition``, the message every step gives) unless the account's
    status lets ``action`` start: for a form shown before the step is taken."""
    _refuse([account.id], {account.id: account}, action)


def _refuse(ids: Sequence[int], rows: dict[int, Any], action: str) -> None:
    missing = [aid for aid in ids if aid not in rows]
    if missing:
        raise NotFound("账号ID", _some(missing), "账号")
    allowed = TRANSITIONS[action]
    bad = [aid for aid in ids if rows[aid].status not in allowed]
    if not bad:
        return
    label = FILING_ACTION.label(action)
    why = f"只有{'、'.join(ACCOUNT_STATUS.label(s) for s in allowed)}的账号可以{label}"
    if len(ids) == 1:
        raise IllegalTransition(bad[0], ACCOUNT_STATUS.label(rows[bad[0]].status), label, why)
    states = "，".join(f"账号 {aid} {ACCOUNT_STATUS.label(rows[aid].status)}" for aid in bad[:10])
    more = f"等 {len(bad)} 个" if len(bad) > 10 else ""
    raise InvalidValue(
        "账号ID", _some(bad), f"{states}{more}，不能{label}（{why}）；全部 {len(ids)} 个账号均未改动"
    )


def _some(ids: Sequence[int]) -> str:
    shown = "、".join(str(i) for i in ids[:10])
    return shown + ("…" if len(ids) > 10 else "")


def _new_numbers(session: Session, rows: dict[int, Any]) -> dict[int, str]:
    """The 备案编号 of each account being approved (kept when it already has one), refusing
    numbers that another account holds."""
    numbers = {
        aid: row.filing_no or number_for(aid, row.platform, row.region_code) for aid, row in rows.items()
    }
    holders: dict[str, int] = {}
    for aid, number in numbers.items():
        if number in holders:
            raise Conflict("备案编号", number, f"账号 {holders[number]} 与账号 {aid} 相同")
        holders[number] = aid
    wanted = list(numbers.values())
    for start in range(0, len(wanted), CHUNK):
        query = select(Account.id, Account.filing_no).where(
            Account.filing_no.in_(wanted[start : start + CHUNK])
        )
        for taken in session.execute(query):
            if holders[taken.filing_no] != taken.id:
                raise Conflict("备案编号", taken.filing_no, f"已被账号 {taken.id} 使用")
    return numbers


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
    account = get_account(session, account_id)
    check_transition(account, "change")
    changes: dict[str, list[Any]] = {}
    if unit is not None:
        new_unit = live_unit(session, unit)
        if new_unit.id != account.unit_id:
            changes["unit"] = [account.unit.name, new_unit.name]
            account.unit_id = new_unit.id
    if name is not None:
        new_name = v.text(name, "账号名称")
        if new_name != account.name:
            changes["name"] = [account.name, new_name]
            keep_former_name(session, account.id, account.name, account.filed_at)
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
    session.flush()
    session.refresh(account, ["unit"])
    return account


def keep_former_name(session: Session, account_id: int, name: str, filed_at: Any) -> None:
    """The old name of a renamed account becomes a former name (曾用名), carried since the
    previous rename (or the filing)."""
    since = session.scalar(select(func.max(AccountName.until)).where(AccountName.account_id == account_id))
    session.add(AccountName(account_id=account_id, name=name, since=since or filed_at, until=utcnow()))


def core_table(model: Any) -> Table:
    """The Core table of a model, for batched executemany writes."""
    return cast(Table, model.__table__)


def _required_reason(reason: str | None, action_label: str) -> str:
    if not reason or not reason.strip():
        raise InvalidValue("原因", reason or "", f"{action_label}必须说明原因（--reason）")
    return v.text(reason, "原因", max_len=REASON_LENGTH, multiline=False)


def _clean_reason(reason: str | None) -> str | None:
    if not reason or not reason.strip():
        return None
    return v.text(reason, "原因", max_len=REASON_LENGTH, multiline=False)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, dict, list)):
        return value
    return str(value)
