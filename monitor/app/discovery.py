"""A discovery run (未备案账号排查), as the application runs it for ``govmedia discover run`` and
the scheduled ``discovery`` job: plan the queries from the registry (``monitor.discovery.plan``),
keep them (``registry.discovery.store``), search the ones not yet searched this month in a
Scrapy subprocess (``spiders.search.launch``), then match every undecided account found
(``monitor.discovery.matcher``).

The cycle is the calendar month (Beijing time): every query is searched once a month, as far
as each platform's daily search budget allows; a run that stopped (budget spent, blocked,
interrupted) resumes with the queries still pending, never-searched ones first. A blocked or
failed search leaves its query pending: "searched, nothing unfiled" and "could not search" are
reported apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from monitor.app.config import Config
from monitor.discovery.audit import AuditSettings
from monitor.discovery.plan import Form, parse_form
from registry.db import session_scope
from registry.timeutil import TZ, day_start

PLATFORM_KEYS = ("platform", "queries", "searched", "blocked", "failed", "found", "new_candidates")
FAILED = ("error", "auth_expired")


@dataclass(frozen=True)
class DiscoverySettings:
    """The plain values a run needs, built from ``[discovery]``."""

    platforms: tuple[str, ...]
    forms: tuple[Form, ...]
    audit: AuditSettings = field(default_factory=AuditSettings)


def discovery_settings(config: Config) -> DiscoverySettings:
    section = config.section("discovery")
    return DiscoverySettings(
        platforms=tuple(section["platforms"]),
        forms=tuple(parse_form(f) for f in section["forms"]),
        audit=AuditSettings(contacts_days=section["contacts_days"], failing_weeks=section["failing_weeks"]),
    )


def cycle_start(now: datetime) -> datetime:
    """The first instant of ``now``'s calendar month in Beijing time."""
    return day_start(now.astimezone(TZ).date().replace(day=1))


@dataclass
class DiscoveryRun:
    run_id: str | None
    platforms: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    pending_after: int = 0  # queries of this month's cycle still not searched
    timed_out: bool = False


def run_discovery(
    db: str | None,
    *,
    settings: DiscoverySettings,
    env: dict[str, str],
    now: datetime,
    region: str | None = None,
    platform: str | None = None,
    unit: str | None = None,
    timeout: float | None = None,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> DiscoveryRun:
    """Search this month's pending queries in scope and match what they found; one summary
    per platform (``PLATFORM_KEYS``)."""
    from spiders.search.launch import run_search

    platforms, pending = _plan(db, settings, now, region=region, platform=platform, unit=unit)
    if on_start:
        on_start(len(pending))
    report = run_search(db, pending, env=env, timeout=timeout, on_progress=on_progress)
    states = _match(db, settings)
    run = DiscoveryRun(report.run_id if pending else None, results=report.results, timed_out=report.timed_out)
    with session_scope(db) as s:
        from registry.discovery.queries import search_jobs

        platform_of = {j["query_id"]: j["platform"] for j in search_jobs(s, pending)}
    run.platforms = [_summary(p, pending, platform_of, report.results, states) for p in platforms]
    run.pending_after = sum(1 for r in report.results if r["outcome"] not in ("ok", "empty"))
    return run


def _plan(
    db: str | None,
    settings: DiscoverySettings,
    now: datetime,
    *,
    region: str | None,
    platform: str | None,
    unit: str | None,
) -> tuple[list[str], list[int]]:
    """The platforms of the run and its pending query ids (raises InvalidValue / NotFound)."""
    from monitor.discovery.plan import plan
    from registry import validation as v
    from registry.discovery.queries import pending_queries, registry_view
    from registry.discovery.store import sync_queries
    from registry.errors import InvalidValue
    from registry.filing.units import find_unit

    if platform:
        code = v.platform(platform, "--platform")
        if code not in settings.platforms:
            raise InvalidValue("--platform", platform, "应为 " + "、".join(settings.platforms) + " 之一")
        platforms = [code]
    else:
        platforms = list(settings.platforms)
    if region is not None:
        region = region.strip()
        if not region.isascii() or not region.isdigit() or len(region) != 6 or region[0] == "0":
            raise InvalidValue("--region", region, "应为 6 位行政区划代码，如 620000、620100、620102")
    with session_scope(db) as s:
        unit_id = find_unit(s, unit, "--unit").id if unit else None
        planned = plan(registry_view(s).units, forms=settings.forms, region=region, unit_id=unit_id)
        rows: list[dict[str, Any]] = [
            {
                "platform": p,
                "text": q.text,
                "region_code": q.region_code,
                "unit_id": q.unit_id,
                "form": q.form,
            }
            for q in planned
            for p in platforms
        ]
        ids = sync_queries(s, rows)
        ordered = [ids[(r["platform"], r["text"])] for r in rows]
        pending = pending_queries(s, ordered, since=cycle_start(now))
    return platforms, pending


def _match(db: str | None, settings: DiscoverySettings) -> dict[int, str]:
    """Match every undecided candidate; return the state of each."""
    from monitor.discovery.matcher import Matcher
    from registry.discovery.queries import registry_view, undecided
    from registry.discovery.store import apply_match

    states: dict[int, str] = {}
    with session_scope(db) as s:
        matcher = Matcher(registry_view(s), settings.forms)
        for found in undecided(s):
            m = matcher.match(found)
            apply_match(
                s,
                found["id"],
                state=m.state,
                unit_id=m.unit_id,
                account_id=m.account_id,
                basis=m.basis,
                note=m.note,
            )
            states[found["id"]] = m.state
    return states


def _summary(
    platform: str,
    pending: list[int],
    platform_of: dict[int, str],
    results: list[dict[str, Any]],
    states: dict[int, str],
) -> dict[str, Any]:
    mine = [r for r in results if platform_of.get(r["query_id"]) == platform]
    found = {c for r in mine for c in r.get("candidates") or []}
    new = {c for r in mine for c in r.get("new") or [] if states.get(c) == "candidate"}
    return {
        "platform": platform,
        "queries": sum(1 for q in pending if platform_of.get(q) == platform),
        "searched": sum(1 for r in mine if r["outcome"] in ("ok", "empty")),
        "blocked": sum(1 for r in mine if r["outcome"] == "blocked"),
        "failed": sum(1 for r in mine if r["outcome"] in FAILED),
        "found": len(found),
        "new_candidates": len(new),
    }
