"""What the registry audit (失管脱管) and the circular read: filings with their contacts, what
the platform last showed, how collection went, posts after a filing ended, accounts that the
searches found alive although their filing ended, confirmed unfiled accounts and the searches
of a period. Read only; every time is an instant up to which data is read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.checks.data import accounts_at, latest_snapshots, posted_after_ending
from registry.collection.activity import Activity, collection_activity
from registry.collection.models import SUCCESS_OUTCOMES, CrawlAttempt, Post
from registry.discovery.models import ContactReview, DiscoveryCandidate, DiscoveryQuery, DiscoverySearch
from registry.filing.models import Account, FilingEvent, Unit
from registry.timeutil import utc_aware

CONTACT_FIELDS = ("owner", "phone")
LIVE_AND_ENDED = ("active", "closed", "cancelled")


@dataclass
class AuditFacts:
    """Everything the audit rules read, as of ``until``."""

    until: datetime
    accounts: list[dict[str, Any]] = field(default_factory=list)
    snapshots: dict[int, dict[str, Any]] = field(default_factory=dict)
    activity: dict[int, Activity] = field(default_factory=dict)
    last_attempts: dict[int, dict[str, Any]] = field(default_factory=dict)
    first_attempt: dict[int, datetime] = field(default_factory=dict)
    failures: dict[int, int] = field(default_factory=dict)  # failed attempts since ``failing_since``
    posted_after_end: dict[int, dict[str, Any]] = field(default_factory=dict)
    found_after_end: dict[int, dict[str, Any]] = field(default_factory=dict)
    found_names: dict[int, dict[str, Any]] = field(default_factory=dict)  # what searches last showed
    contacts_confirmed: dict[int, datetime] = field(default_factory=dict)


def audit_facts(session: Session, *, until: datetime, failing_since: datetime) -> AuditFacts:
    """The facts of every active, closed or cancelled filing, read up to ``until``."""
    facts = AuditFacts(until=until)
    a = Account.__table__.c  # plain rows: the audit reads every filing
    query = (
        select(
            a.id,
            a.name,
            a.platform,
            a.platform_id,
            a.status,
            a.status_at,
            a.unit_id,
            Unit.name.label("unit"),
            a.owner,
            a.phone,
            func.coalesce(a.approved_at, a.filed_at).label("filed_at"),
            a.url,
        )
        .join(Unit, Unit.id == a.unit_id)
        .where(a.status.in_(LIVE_AND_ENDED))
        .order_by(a.id)
    )
    for row in session.execute(query):
        entry = row._asdict()
        entry["status_at"], entry["filed_at"] = utc_aware(entry["status_at"]), utc_aware(entry["filed_at"])
        facts.accounts.append(entry)
    facts.snapshots = latest_snapshots(session, until=until)
    facts.activity = collection_activity(session, until=until)
    facts.last_attempts = _last_attempts(session, until)
    facts.first_attempt = {
        aid: t
        for aid, t in (
            (aid, utc_aware(t))
            for aid, t in session.execute(
                select(CrawlAttempt.account_id, func.min(CrawlAttempt.at))
                .where(CrawlAttempt.at <= until)
                .group_by(CrawlAttempt.account_id)
            )
        )
        if t is not None
    }
    facts.failures = dict(
        session.execute(
            select(CrawlAttempt.account_id, func.count(CrawlAttempt.id))
            .where(
                CrawlAttempt.outcome.not_in(SUCCESS_OUTCOMES),
                CrawlAttempt.at >= failing_since,
                CrawlAttempt.at <= until,
            )
            .group_by(CrawlAttempt.account_id)
        ).all()
    )
    facts.posted_after_end = _posted_after_end(session, until)
    facts.found_after_end = _found_after_end(session, until)
    facts.found_names = _found_names(session, until)
    facts.contacts_confirmed = _contacts_confirmed(session, until)
    return facts


def _last_attempts(session: Session, until: datetime) -> dict[int, dict[str, Any]]:
    latest = (
        select(func.max(CrawlAttempt.id)).where(CrawlAttempt.at <= until).group_by(CrawlAttempt.account_id)
    )
    c = CrawlAttempt.__table__.c
    query = select(c.account_id, c.at, c.outcome, c.detail, c.snippet, c.http_status).where(c.id.in_(latest))
    return {
        aid: {"at": at, "outcome": outcome, "detail": detail, "snippet": snippet, "http_status": status}
        for aid, at, outcome, detail, snippet, status in session.execute(query)
    }


def _posted_after_end(session: Session, until: datetime) -> dict[int, dict[str, Any]]:
    """Closed or cancelled accounts that published after their filing ended: how many posts
    and the latest one (the same definition the check's sample uses)."""
    ids = posted_after_ending(session, accounts_at(session, at=until).ended, until=until)
    out: dict[int, dict[str, Any]] = {}
    if not ids:
        return out
    query = (
        select(Post.account_id, Post.published_at, Post.title, Post.url)
        .join(Account, Account.id == Post.account_id)
        .where(Post.account_id.in_(ids), Post.published_at > Account.status_at, Post.published_at <= until)
        .order_by(Post.account_id, Post.published_at.desc())
    )
    for aid, published, title, url in session.execute(query):
        entry = out.setdefault(aid, {"posts": 0, "last_post_at": published, "title": title, "url": url})
        entry["posts"] += 1
    return out


def _found_after_end(session: Session, until: datetime) -> dict[int, dict[str, Any]]:
    """Closed or cancelled filings whose platform account a search found after the filing
    ended (matched by the platform's stable id)."""
    query = (
        select(DiscoveryCandidate, Account.status_at, DiscoveryQuery.text)
        .join(Account, Account.id == DiscoveryCandidate.account_id)
        .outerjoin(DiscoveryQuery, DiscoveryQuery.id == DiscoveryCandidate.query_id)
        .where(Account.status.in_(("closed", "cancelled")), DiscoveryCandidate.last_seen_at <= until)
    )
    out: dict[int, dict[str, Any]] = {}
    for c, ended_at, text in session.execute(query):
        if c.account_id is not None and c.last_seen_at > ended_at:
            out[c.account_id] = {
                "candidate_id": c.id,
                "shown_name": c.name,
                "last_seen_at": c.last_seen_at,
                "query": text,
                "verified_text": c.verified_text,
            }
    return out


def _found_names(session: Session, until: datetime) -> dict[int, dict[str, Any]]:
    """The name a search last showed for each filed account it found (by platform id)."""
    query = select(
        DiscoveryCandidate.account_id, DiscoveryCandidate.name, DiscoveryCandidate.last_seen_at
    ).where(DiscoveryCandidate.account_id.is_not(None), DiscoveryCandidate.last_seen_at <= until)
    return {
        aid: {"shown_name": name, "at": at} for aid, name, at in session.execute(query) if aid is not None
    }


def _contacts_confirmed(session: Session, until: datetime) -> dict[int, datetime]:
    """When each account's 负责人 and phone were last confirmed: an explicit confirmation
    (``registry confirm-contacts``), or a filing event that set them (报备、导入、变更)."""
    out: dict[int, datetime] = {}
    for aid, at in session.execute(
        select(ContactReview.account_id, func.max(ContactReview.at))
        .where(ContactReview.at <= until)
        .group_by(ContactReview.account_id)
    ):
        when = utc_aware(at)
        if when is not None:
            out[aid] = when
    events = select(FilingEvent.account_id, FilingEvent.at, FilingEvent.changes).where(
        FilingEvent.action.in_(("file", "import", "change")),
        FilingEvent.account_id.is_not(None),
        FilingEvent.at <= until,
    )
    for aid, at, changes in session.execute(events):
        sets_contacts = isinstance(changes, dict) and any(k in changes for k in CONTACT_FIELDS)
        if sets_contacts and at and (aid not in out or at > out[aid]):
            out[aid] = at
    return out


def unfiled_candidates(session: Session, *, until: datetime) -> list[dict[str, Any]]:
    """Accounts confirmed as unfiled (瞒报漏报、私开) that were found up to ``until``."""
    query = (
        select(DiscoveryCandidate, Unit.name)
        .outerjoin(Unit, Unit.id == DiscoveryCandidate.unit_id)
        .where(DiscoveryCandidate.state == "unfiled", DiscoveryCandidate.found_at <= until)
        .order_by(DiscoveryCandidate.id)
    )
    return [
        {
            "id": c.id,
            "platform": c.platform,
            "name": c.name,
            "unit_id": c.unit_id,
            "unit": unit,
            "filed_account_id": c.filed_account_id,
        }
        for c, unit in session.execute(query)
    ]


def search_counts(session: Session, *, since: datetime, until: datetime) -> dict[str, Any]:
    """The searches of a period: how many queries, searches by outcome, regions covered."""
    rows = session.execute(
        select(DiscoverySearch.query_id, DiscoverySearch.outcome, DiscoveryQuery.region_code)
        .join(DiscoveryQuery, DiscoveryQuery.id == DiscoverySearch.query_id)
        .where(DiscoverySearch.at >= since, DiscoverySearch.at <= until)
    ).all()
    outcomes = Counter(outcome for _, outcome, _ in rows)
    searched = {q for q, outcome, _ in rows if outcome in ("ok", "empty")}
    return {
        "searches": len(rows),
        "queries": len({q for q, _, _ in rows}),
        "searched_queries": len(searched),
        "unsearched_queries": len({q for q, _, _ in rows} - searched),
        "outcomes": dict(outcomes),
        "regions": len({r for _, _, r in rows}),
    }
