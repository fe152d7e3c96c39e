"""What needs doing next (``govmedia status``), in the monitor's terms.

Reads ``registry.status`` and sorts the active accounts by the one definition of 未能采集
(``monitor.check.collection.collection_state``): never collected, or failing (latest attempt
blocked, credentials expired, account gone or an error, and no success within the profile's
``freshness_days``). The result is the JSON of ``govmedia status --format json``::

    {units, accounts: {status: n}, pending, pending_since, rejected, active,
     never_collected: [{account_id, name, platform, unit}], never_collected_count,
     failing: [{account_id, name, platform, unit, outcome, detail, last_success, last_attempt}],
     failing_count, candidates, overdue, overdue_units,
     last_crawl, last_check: {run_id, kind, at, started_at} | null,
     last_circular: {id, title, window_from, window_to, created_at} | null}
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from monitor.check.collection import collection_state
from registry.collection.activity import Activity
from registry.status import attempt_details, registry_status
from registry.timeutil import TZ, local_iso

LISTED = 20  # accounts named in each list (the counts are complete)


def status(
    session: Session, *, now: datetime, freshness_days: float = 3, unit_ids: Collection[int] | None = None
) -> dict[str, Any]:
    """The registry's state and what is waiting, as of ``now`` (within ``unit_ids``, a user's
    jurisdiction, when given)."""
    facts = registry_status(
        session,
        now=now,
        today=now.astimezone(TZ).date(),
        fresh_since=now - timedelta(days=freshness_days),
        unit_ids=unit_ids,
    )
    never, failing = [], []
    for line in facts.uncollected:  # the others were collected within freshness_days: 采集正常
        activity = Activity(line.last_success, line.last_attempt, line.outcome) if line.last_attempt else None
        state = collection_state(activity, at=now, freshness_days=freshness_days)
        if state == "never":
            never.append(line)
        elif state in ("failed", "stale"):
            failing.append(line)
    details = attempt_details(session, [line.account_id for line in (never + failing)[: LISTED * 2]])
    who = ("account_id", "name", "platform", "unit")
    return {
        "units": facts.units,
        "accounts": facts.accounts,
        "pending": facts.accounts.get("pending", 0),
        "pending_since": local_iso(facts.pending_since),
        "rejected": facts.accounts.get("rejected", 0),
        "active": facts.accounts.get("active", 0),
        "never_collected": [
            {
                **{k: getattr(line, k) for k in who},
                "outcome": line.outcome,
                "detail": details.get(line.account_id),
            }
            for line in never[:LISTED]
        ],
        "never_collected_count": len(never),
        "failing": [
            {
                **{k: getattr(line, k) for k in who},
                "outcome": line.outcome,
                "detail": details.get(line.account_id),
                "last_success": local_iso(line.last_success),
                "last_attempt": local_iso(line.last_attempt),
            }
            for line in failing[:LISTED]
        ],
        "failing_count": len(failing),
        "candidates": facts.candidates,
        "overdue": facts.overdue,
        "overdue_units": facts.overdue_units,
        "last_crawl": local_iso(facts.last_crawl),
        "last_check": _times(facts.last_check),
        "last_circular": _times(facts.last_circular),
        "last_jobs": {job: local_iso(when) for job, when in facts.last_jobs.items()},
    }


def _times(record: dict[str, Any] | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        k: (local_iso(v) if isinstance(v, datetime) else v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in record.items()
    }
