"""Writing an imported 备案登记表: new filings with one batched INSERT, changes with one
batched UPDATE of the editable columns, the former names of renamed accounts, and one filing
event per account (``registry.filing.sheet`` has validated every row first)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.filing.accounts import core_table, number_for
from registry.filing.models import Account, AccountName, FilingEvent

EDITABLE = (
    "unit_id",
    "name",
    "url",
    "feed_url",
    "operator",
    "owner",
    "phone",
    "email",
    "leader",
    "leader_phone",
    "leader_email",
    "opened_on",
    "verified",
    "note",
)


OPTIONAL_KEYS = (
    "url",
    "feed_url",
    "operator",
    "owner",
    "phone",
    "email",
    "leader",
    "leader_phone",
    "leader_email",
    "opened_on",
    "verified",
    "note",
)


def insert_filings(session: Session, rows: list[dict[str, Any]], actor: str) -> None:
    """New filings: one batched INSERT, ids read back by platform key, then their 备案编号
    (for rows carried over as approved) and their filing events."""
    if not rows:
        return
    now = utcnow()
    accounts = []
    for row in rows:
        record = {k: val for k, val in row.items() if not k.startswith("_")}
        record.update(
            filed_at=now,
            status_at=now,
            approved_at=now if row["status"] not in ("pending", "rejected") else None,
        )
        for key in OPTIONAL_KEYS:
            record.setdefault(key, None)
        accounts.append(record)
    before = session.scalar(select(func.max(Account.id))) or 0
    session.execute(insert(core_table(Account)), accounts)
    new_ids = {
        (p, pid): aid
        for aid, p, pid in session.execute(
            select(Account.id, Account.platform, Account.platform_id).where(Account.id > before)
        )
    }
    numbers = []
    for row in rows:
        row["id"] = new_ids[(row["platform"], row["platform_id"])]
        if row["status"] not in ("pending", "rejected") and not row["filing_no"]:
            row["filing_no"] = number_for(row["id"], row["platform"], row["_region"])
            numbers.append({"b_id": row["id"], "b_no": row["filing_no"]})
    if numbers:
        table = core_table(Account)
        session.execute(
            update(table).where(table.c.id == bindparam("b_id")).values(filing_no=bindparam("b_no")), numbers
        )
    events = [
        {
            "at": now,
            "actor": actor,
            "action": "import",
            "account_id": r["id"],
            "reason": r["_reason"],
            "changes": _filed(r),
        }
        for r in rows
    ]
    session.execute(insert(core_table(FilingEvent)), events)


_NOT_FILED = frozenset({"id", "unit_id", "_reason", "_region", "_unit"})


def _filed(row: dict[str, Any]) -> dict[str, Any]:
    """The filed values as ``{field: [None, value]}``, as ``file`` records them."""
    changes: dict[str, Any] = {"unit": [None, row["_unit"]]}
    changes.update(
        (k, [None, jsonable(val)]) for k, val in row.items() if val is not None and k not in _NOT_FILED
    )
    return changes


def apply_changes(
    session: Session,
    plans: list[Any],
    raw: dict[int, dict[str, list[Any]]],
    accounts: dict[int, dict[str, Any]],
    actor: str,
) -> None:
    """Changes: one batched UPDATE of every editable column, the former names of renamed
    accounts, and one filing event per changed account."""
    if not plans:
        return
    now = utcnow()
    table = core_table(Account)
    params = []
    for plan in plans:
        assert plan.account_id is not None
        cur = accounts[plan.account_id]
        changed = raw[plan.row]
        values = {k: (changed[k][1] if k in changed else cur[k]) for k in EDITABLE}
        params.append({"b_id": plan.account_id, **{f"b_{k}": val for k, val in values.items()}})
    session.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({k: bindparam(f"b_{k}") for k in EDITABLE}),
        params,
    )
    renamed = [p for p in plans if "name" in p.changes]
    if renamed:
        ids = [p.account_id for p in renamed]
        since = dict(
            session.execute(
                select(AccountName.account_id, func.max(AccountName.until))
                .where(AccountName.account_id.in_(ids))
                .group_by(AccountName.account_id)
            ).all()
        )
        session.execute(
            insert(core_table(AccountName)),
            [
                {
                    "account_id": p.account_id,
                    "name": p.changes["name"][0],
                    "since": since.get(p.account_id or 0) or accounts[p.account_id or 0]["filed_at"],
                    "until": now,
                }
                for p in renamed
            ],
        )
    events = [
        {
            "at": now,
            "actor": actor,
            "action": "change",
            "account_id": p.account_id,
            "reason": p.reason,
            "changes": p.changes,
        }
        for p in plans
    ]
    session.execute(insert(core_table(FilingEvent)), events)


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, dict, list)):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
