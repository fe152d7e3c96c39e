"""One finding with its evidence as a person reads it (``govmedia finding show``): the rule's
note and figures, and each post it names with its text, publication time and link, read
from the stored posts (the evidence keeps their ids)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.checks.models import CheckRun
from registry.checks.store import decisions_of, get_finding
from registry.collection.models import Post
from registry.filing.models import Account, Unit
from registry.timeutil import local_iso

TEXT_LIMIT = 500  # characters of a post's text shown as evidence


def finding_detail(session: Session, finding_id: int | str) -> dict[str, Any]:
    """The finding (as ``list_findings`` rows it), its account and run, and its evidence posts
    with their text."""
    finding = get_finding(session, finding_id)
    account, unit = session.execute(
        select(Account, Unit).join(Unit, Unit.id == Account.unit_id).where(Account.id == finding.account_id)
    ).one()
    run = session.get(CheckRun, finding.run_id)
    evidence = dict(finding.evidence or {})
    cited = [p for p in evidence.get("posts", []) if isinstance(p, dict)]
    ids = [p["post_id"] for p in cited if isinstance(p.get("post_id"), int)]
    stored = {p.id: p for p in session.scalars(select(Post).where(Post.id.in_(ids)))} if ids else {}
    posts = []
    for cite in cited:
        post = stored.get(cite.get("post_id"))  # type: ignore[arg-type]
        text = (post.text or "") if post is not None else ""
        posts.append(
            {
                "post_id": cite.get("post_id"),
                "title": cite.get("title") or (post.title if post is not None else None),
                "published_at": cite.get("published_at")
                or (local_iso(post.published_at) if post is not None else None),
                "url": cite.get("url") or (post.url if post is not None else None),
                "text": text[:TEXT_LIMIT] + ("…" if len(text) > TEXT_LIMIT else ""),
            }
        )
    return {
        "id": finding.id,
        "run_id": finding.run_id,
        "run_kind": run.kind if run is not None else None,
        "run_at": local_iso(run.at) if run is not None else None,
        "account_id": account.id,
        "unit": unit.name,
        "platform": account.platform,
        "name": account.name,
        "rule": finding.rule,
        "level": finding.level,
        "status": finding.status,
        "points": finding.points,
        "note": evidence.get("note"),
        "evidence": evidence,
        "posts": posts,
        "review_note": finding.review_note,
        "reviewer": finding.reviewer,
        "reviewed_at": local_iso(finding.reviewed_at),
        "decisions": decisions_of(session, finding.id),
    }
