"""An account's collection state for a check or a status: ``collected``, ``never``,
``failed`` or ``stale`` (the definitions are in ``monitor.check.facts``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from registry.collection.activity import Activity
from registry.collection.models import SUCCESS_OUTCOMES


def collection_state(activity: Activity | None, *, at: datetime, freshness_days: float) -> str:
    """``collected``, ``never``, ``failed`` or ``stale`` for a check at ``at`` (see the module
    docstring)."""
    if activity is None or activity.last_success is None:
        return "never"
    success = activity.last_success
    if success >= at - timedelta(days=freshness_days):
        return "collected"
    last_attempt, outcome = activity.last_attempt, activity.last_outcome
    if last_attempt is not None and last_attempt >= success and outcome not in SUCCESS_OUTCOMES:
        return "failed"
    return "stale"
