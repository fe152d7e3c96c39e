"""Reading discovery: what a search run reads (its queries), what the matcher reads (the
registry's units, filed ids and names), the candidates and the searches of each query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from registry import validation as v
from registry.collection.models import AccountSnapshot
from registry.discovery.models import DiscoveryCandidate, DiscoveryQuery, DiscoverySearch
from registry.discovery.store import get_candidate
from registry.filing.models import Account, AccountName, Unit
from registry.filing.units import find_unit
from registry.timeutil import local_iso

LIST_KEYS = (
    "id",
    "platform",
    "platform_id",
    "name",
    "verified",
    "verified_text",
    "unit",
    "state",
    "query",
    "found_at",
    "evidence",
)
SEARCHED = ("ok", "empty")
CHUNK = 5_000


def search_jobs(session: Session, query_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The queries a search run works on, in the given order: ``{query_id, platform, query,
    region_code}``."""
    rows: dict[int, dict[str, Any]] = {}
    wanted = list(dict.fromkeys(query_ids))
    for start in range(0, len(wanted), CHUNK):
        query = select(DiscoveryQuery).where(DiscoveryQuery.id.in_(wanted[start : start + CHUNK]))
        for q in session.scalars(query):
            rows[q.id] = {
                "query_id": q.id,
                "platform": q.platform,
                "query": q.text,
                "region_code": q.region_code,
            }
    return [rows[i] for i in wanted if i in rows]


def last_searches(session: Session, query_ids: Sequence[int]) -> dict[int, DiscoverySearch]:
    """The latest search of each query."""
    out: dict[int, DiscoverySearch] = {}
    wanted = list(set(query_ids))
    for start in range(0, len(wanted), CHUNK):
        latest = (
            select(func.max(DiscoverySearch.id))
            .where(DiscoverySearch.query_id.in_(wanted[start : start + CHUNK]))
            .group_by(DiscoverySearch.query_id)
        )
        for row in session.scalars(select(DiscoverySearch).where(DiscoverySearch.id.in_(latest))):
            out[row.query_id] = row
    return out


def searched_since(session: Session, query_ids: Sequence[int], *, since: datetime) -> set[int]:
    """Queries searched successfully (``ok``/``empty``) at or after ``since``."""
    out: set[int] = set()
    wanted = list(set(query_ids))
    for start in range(0, len(wanted), CHUNK):
        query = select(DiscoverySearch.query_id).where(
            DiscoverySearch.query_id.in_(wanted[start : start + CHUNK]),
            DiscoverySearch.outcome.in_(SEARCHED),
            DiscoverySearch.at >= since,
        )
        out.update(session.scalars(query))
    return out


def pending_queries(session: Session, query_ids: Sequence[int], *, since: datetime) -> list[int]:
    """The queries not yet searched successfully since ``since`` (the cycle's start): never
    searched first, then the longest unsearched, in the given order otherwise (a run that
    stopped resumes where it stopped)."""
    done = searched_since(session, query_ids, since=since)
    last = last_searches(session, query_ids)
    todo = [q for q in dict.fromkeys(query_ids) if q not in done]
    order = {q: i for i, q in enumerate(todo)}
    return sorted(todo, key=lambda q: (q in last, last[q].at if q in last else 0, order[q]))


@dataclass
class RegistryView:
    """What the matcher knows of the registry: units, filed platform ids, filed names."""

    units: list[dict[str, Any]] = field(default_factory=list)
    filed: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    names: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)


def registry_view(session: Session) -> RegistryView:
    """Units (with parent and credit code), every filed account by (platform, id) — WeChat also
    by the ``__biz`` and 微信号 its crawls found — and by (platform, current or former name)."""
    view = RegistryView()
    for u in session.scalars(select(Unit).order_by(Unit.id)):
        view.units.append(
            {
                "id": u.id,
                "name": u.name,
                "level": u.level,
                "kind": u.kind,
                "region_code": u.region_code,
                "credit_code": u.credit_code,
                "parent_id": u.parent_id,
            }
        )
    accounts: dict[int, dict[str, Any]] = {}
    for a in session.scalars(select(Account)):
        info: dict[str, Any] = {"account_id": a.id, "unit_id": a.unit_id, "status": a.status, "name": a.name}
        accounts[a.id] = info
        view.filed[(a.platform, a.platform_id)] = info
        view.names.setdefault((a.platform, a.name), []).append({**info, "former": False})
    # a WeChat filing may hold the gh_ id: the __biz (fakeid) and 微信号 its crawls found count too
    snapshots = (
        select(AccountSnapshot.account_id, AccountSnapshot.extra)
        .join(Account, Account.id == AccountSnapshot.account_id)
        .where(Account.platform == "wechat", AccountSnapshot.extra.is_not(None))
    )
    for account_id, extra in session.execute(snapshots):
        known = accounts.get(account_id)
        if known is None or not isinstance(extra, dict):
            continue
        for key in ("fakeid", "alias"):
            if extra.get(key):
                view.filed.setdefault(("wechat", str(extra[key])), known)
    former = select(AccountName.account_id, Account.platform, AccountName.name).join(
        Account, Account.id == AccountName.account_id
    )
    for account_id, platform, name in session.execute(former):
        view.names.setdefault((platform, name), []).append({**accounts[account_id], "former": True})
    return view


def undecided(session: Session, ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Candidates nobody has decided (the matcher may conclude on them), as plain dicts."""
    query = select(DiscoveryCandidate).where(DiscoveryCandidate.decided_by.is_(None))
    if ids is not None:
        query = query.where(DiscoveryCandidate.id.in_(list(ids)))
    return [
        {
            "id": c.id,
            "platform": c.platform,
            "platform_id": c.platform_id,
            "name": c.name,
            "verified": c.verified,
            "verified_kind": c.verified_kind,
            "verified_text": c.verified_text,
            "description": c.description,
            "about": (c.evidence or {}).get("about"),
            "state": c.state,
        }
        for c in session.scalars(query.order_by(DiscoveryCandidate.id))
    ]


def list_candidates(
    session: Session,
    *,
    state: str | None = None,
    platform: str | None = None,
    unit: str | None = None,
    region: str | None = None,
) -> list[dict[str, Any]]:
    """Candidates as ``LIST_KEYS`` rows, newest first; ``region`` keeps those matched to a unit
    within that 行政区划 (a code) or found by a query of it."""
    from registry.vocab import CANDIDATE_STATE

    query = (
        select(
            DiscoveryCandidate, Unit.name, DiscoveryQuery.text, DiscoveryQuery.region_code, Unit.region_code
        )
        .outerjoin(Unit, Unit.id == DiscoveryCandidate.unit_id)
        .outerjoin(DiscoveryQuery, DiscoveryQuery.id == DiscoveryCandidate.query_id)
        .order_by(DiscoveryCandidate.found_at.desc(), DiscoveryCandidate.id.desc())
    )
    if state:
        query = query.where(DiscoveryCandidate.state == CANDIDATE_STATE.code(state, "--state"))
    if platform:
        query = query.where(DiscoveryCandidate.platform == v.platform(platform))
    if unit:
        query = query.where(DiscoveryCandidate.unit_id == find_unit(session, unit).id)
    rows = []
    for c, unit_name, text, query_region, unit_region in session.execute(query):
        if region and not _within(unit_region or query_region, region):
            continue
        rows.append(candidate_row(c, unit_name, text))
    return rows


def _within(code: str | None, region: str) -> bool:
    if not code:
        return False
    level = v.region_level(region)
    return v.region_within(code, region, level)


def candidate_row(c: DiscoveryCandidate, unit_name: str | None, query_text: str | None) -> dict[str, Any]:
    return {
        "id": c.id,
        "platform": c.platform,
        "platform_id": c.platform_id,
        "name": c.name,
        "verified": c.verified,
        "verified_text": c.verified_text,
        "unit": unit_name,
        "state": c.state,
        "query": query_text,
        "found_at": local_iso(c.found_at),
        "evidence": c.evidence,
    }


def candidate_detail(session: Session, ref: int | str) -> dict[str, Any]:
    """Everything known of one candidate: the list row plus the match and the decision."""
    c = get_candidate(session, ref)
    unit = session.get(Unit, c.unit_id) if c.unit_id else None
    query = session.get(DiscoveryQuery, c.query_id) if c.query_id else None
    row = candidate_row(c, unit.name if unit else None, query.text if query else None)
    row.update(
        {
            "verified_kind": c.verified_kind,
            "description": c.description,
            "url": c.url,
            "followers": c.followers,
            "basis": c.basis,
            "match_note": c.match_note,
            "account_id": c.account_id,
            "last_seen_at": local_iso(c.last_seen_at),
            "decided_by": c.decided_by,
            "decided_at": local_iso(c.decided_at),
            "note": c.note,
            "filed_account_id": c.filed_account_id,
        }
    )
    return row


QUERY_KEYS = ("id", "platform", "query", "region", "form", "unit", "last_at", "outcome", "found", "detail")


def query_status(
    session: Session, *, since: datetime, platform: str | None = None, region: str | None = None
) -> list[dict[str, Any]]:
    """Each query with its latest search since ``since`` (outcome None: not searched yet)."""
    query = (
        select(DiscoveryQuery, Unit.name)
        .outerjoin(Unit, Unit.id == DiscoveryQuery.unit_id)
        .order_by(DiscoveryQuery.region_code, DiscoveryQuery.platform, DiscoveryQuery.id)
    )
    if platform:
        query = query.where(DiscoveryQuery.platform == v.platform(platform))
    listed = [(q, u) for q, u in session.execute(query) if not region or _within(q.region_code, region)]
    latest = (
        select(DiscoverySearch.query_id, func.max(DiscoverySearch.id).label("id"))
        .where(DiscoverySearch.at >= since)
        .group_by(DiscoverySearch.query_id)
        .subquery()
    )
    joined = select(DiscoverySearch).join(latest, and_(latest.c.id == DiscoverySearch.id))
    searches = {s.query_id: s for s in session.scalars(joined)}
    rows = []
    for q, unit_name in listed:
        s = searches.get(q.id)
        rows.append(
            {
                "id": q.id,
                "platform": q.platform,
                "query": q.text,
                "region": q.region_code,
                "form": q.form,
                "unit": unit_name,
                "last_at": local_iso(s.at) if s else None,
                "outcome": s.outcome if s else None,
                "found": s.found if s else None,
                "detail": s.detail if s else None,
            }
        )
    return rows
