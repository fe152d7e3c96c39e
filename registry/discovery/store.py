"""Writing discovery: the queries, each search with its outcome, the accounts found, the
matcher's conclusions, a person's decision, a pending filing made from a candidate, and the
annual confirmation of contacts.

A search that could not be made (blocked, credential rejected, failed) is stored with that
outcome and never as "nothing found". Candidates are keyed by (platform, platform id); a later
sighting updates what the platform shows and the evidence, never the state a person decided.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.discovery.models import ContactReview, DiscoveryCandidate, DiscoveryQuery, DiscoverySearch
from registry.errors import IllegalTransition, InvalidValue, NotFound
from registry.filing import accounts as filing
from registry.filing.units import find_unit
from registry.validation import record_id
from registry.vocab import CANDIDATE_STATE, SEARCH_OUTCOME, VERIFIED_KIND

MAX_EVIDENCE_CHARS = 20_000
# what a person may decide, and from which states (``filed`` is the matcher's alone)
DECISIONS = {"unfiled": "确认未备案", "not_government": "判定为非政务账号", "dismissed": "排除"}
OPEN_STATES = ("candidate", "unfiled", "not_government", "dismissed")


def sync_queries(session: Session, planned: Iterable[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Make sure each planned ``{platform, text, region_code, unit_id, form}`` has its row;
    return ``{(platform, text): query id}`` (a query keeps the id it was first given)."""
    wanted = {(p["platform"], p["text"]): p for p in planned}
    known: dict[tuple[str, str], int] = {}
    platforms = sorted({k[0] for k in wanted})
    if platforms:
        rows = session.execute(
            select(DiscoveryQuery.platform, DiscoveryQuery.text, DiscoveryQuery.id).where(
                DiscoveryQuery.platform.in_(platforms)
            )
        )
        known = {(p, t): i for p, t, i in rows if (p, t) in wanted}
    for key, plan in wanted.items():
        if key in known:
            continue
        row = DiscoveryQuery(
            platform=plan["platform"],
            text=plan["text"],
            region_code=plan["region_code"],
            unit_id=plan.get("unit_id"),
            form=plan["form"],
        )
        session.add(row)
        session.flush()
        known[key] = row.id
    return known


def record_search(
    session: Session,
    *,
    query_id: int,
    run_id: str,
    outcome: str,
    at: datetime | None = None,
    found: int = 0,
    pages: int = 0,
    passes: Sequence[dict[str, Any]] = (),
    http_status: int | None = None,
    detail: str | None = None,
    snippet: str | None = None,
) -> DiscoverySearch:
    """One search of one query, with its outcome (``registry.vocab.SEARCH_OUTCOME``)."""
    if outcome not in SEARCH_OUTCOME or outcome == "skipped":
        raise InvalidValue("搜索结果", outcome, "应为 ok、empty、blocked、auth_expired 或 error")
    row = DiscoverySearch(
        query_id=query_id,
        run_id=run_id,
        at=at or utcnow(),
        outcome=outcome,
        found=found,
        pages=pages,
        passes=list(passes),
        http_status=http_status,
        detail=detail,
        snippet=snippet,
    )
    session.add(row)
    session.flush()
    return row


def store_search(session: Session, *, run_id: str, result: dict[str, Any]) -> dict[str, Any]:
    """Store one query's search (``spiders.search`` result) and the accounts it found.

    Returns ``{search_id, candidates: [ids], new: [ids]}``; accounts already known get their
    latest name, verification and evidence, and keep their state."""
    at = result.get("fetched_at") or utcnow()
    accounts = list(result.get("accounts") or [])
    search = record_search(
        session,
        query_id=int(result["query_id"]),
        run_id=run_id,
        outcome=result["outcome"],
        at=at,
        found=len(accounts),
        pages=int(result.get("pages") or 0),
        passes=result.get("passes") or [],
        http_status=result.get("http_status"),
        detail=result.get("detail"),
        snippet=result.get("snippet"),
    )
    ids, new = [], []
    for found in accounts:
        candidate, created = _sighting(session, result, found, at)
        ids.append(candidate.id)
        if created:
            new.append(candidate.id)
    return {"search_id": search.id, "candidates": ids, "new": new}


def _sighting(
    session: Session, result: dict[str, Any], found: dict[str, Any], at: datetime
) -> tuple[DiscoveryCandidate, bool]:
    platform, pid = result["platform"], str(found["platform_id"])
    row = session.scalar(
        select(DiscoveryCandidate).where(
            DiscoveryCandidate.platform == platform, DiscoveryCandidate.platform_id == pid
        )
    )
    created = row is None
    if row is None:
        row = DiscoveryCandidate(platform=platform, platform_id=pid, found_at=at, query_id=result["query_id"])
        session.add(row)
    kind = found.get("verified_kind") or "none"
    row.name = str(found.get("name") or pid)[:200]
    row.verified = found.get("verified")
    row.verified_kind = kind if kind in VERIFIED_KIND else "other"
    row.verified_text = found.get("verified_text") or None
    row.description = found.get("description") or None
    row.url = found.get("url") or None
    row.followers = found.get("followers")
    row.last_seen_at = at
    row.evidence = _evidence(result, found, at)
    session.flush()
    return row, created


def _evidence(result: dict[str, Any], found: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The search answer for one account: the query, the page it came from and the raw item."""
    import json

    raw = found.get("raw")
    text = json.dumps(raw, ensure_ascii=False, default=str) if raw is not None else ""
    if len(text) > MAX_EVIDENCE_CHARS:
        raw = {"truncated": text[:MAX_EVIDENCE_CHARS]}
    evidence = {
        "query": result.get("query"),
        "filter": found.get("filter"),
        "page_url": found.get("page_url"),
        "fetched_at": at.isoformat() if isinstance(at, datetime) else str(at),
        "item": raw,
    }
    if found.get("about") is not None:
        evidence["about"] = found["about"]
    return evidence


def apply_match(
    session: Session,
    candidate_id: int,
    *,
    state: str,
    unit_id: int | None,
    account_id: int | None,
    basis: str,
    note: str | None,
) -> bool:
    """Record the matcher's conclusion on a candidate nobody has decided; False when a person
    already decided it (their decision stands)."""
    row = session.get(DiscoveryCandidate, candidate_id)
    if row is None:
        raise NotFound("线索ID", candidate_id, "线索")
    if row.decided_by is not None:
        return False
    row.state = CANDIDATE_STATE.code(state)
    row.unit_id, row.account_id, row.basis, row.match_note = unit_id, account_id, basis, note
    session.flush()
    return True


def get_candidate(session: Session, ref: int | str) -> DiscoveryCandidate:
    number = record_id(str(ref).strip())
    row = session.get(DiscoveryCandidate, number) if number else None
    if row is None:
        raise NotFound("线索ID", ref, "线索")
    return row


def decide(
    session: Session,
    ref: int | str,
    *,
    state: str,
    actor: str,
    note: str | None = None,
    unit: str | None = None,
) -> DiscoveryCandidate:
    """A person's decision: ``unfiled`` (confirmed 未备案), ``not_government`` or ``dismissed``."""
    row = get_candidate(session, ref)
    code = CANDIDATE_STATE.code(state, "线索状态")
    if code not in DECISIONS:
        raise InvalidValue("线索状态", state, "只能确认为未备案、非政务账号或已排除")
    if row.state == "filed":
        raise IllegalTransition(
            row.id, CANDIDATE_STATE.label(row.state), DECISIONS[code], "该账号已在备案库中，按平台账号ID匹配"
        )
    if code != "unfiled" and not (note and note.strip()):
        raise InvalidValue("说明", note or "", f"{DECISIONS[code]}必须说明理由（--note）")
    if unit is not None:
        row.unit_id = find_unit(session, unit).id
        row.basis = row.basis if row.basis != "none" else "name"
    row.state = code
    row.decided_by, row.decided_at = actor, utcnow()
    row.note = note.strip() if note and note.strip() else row.note
    session.flush()
    return row


def file_candidate(
    session: Session, ref: int | str, *, actor: str, unit: str | None = None
) -> DiscoveryCandidate:
    """Turn a confirmed (or undecided) candidate into a pending filing (待审核) for its unit."""
    row = get_candidate(session, ref)
    if row.filed_account_id is not None:
        raise InvalidValue("线索ID", row.id, f"已据此补办备案（账号ID {row.filed_account_id}）")
    if row.state not in ("candidate", "unfiled"):
        raise IllegalTransition(
            row.id, CANDIDATE_STATE.label(row.state), "补办备案", "只有待核实或已确认未备案的线索可以补办备案"
        )
    owner = find_unit(session, unit) if unit is not None else None
    if owner is None and row.unit_id is None:
        raise InvalidValue("主办单位", "", "该线索没有匹配到单位，请用 --unit 指定")
    unit_ref = owner.id if owner is not None else row.unit_id
    account = filing.file_account(
        session,
        unit=str(unit_ref),
        platform=row.platform,
        name=row.name,
        platform_id=row.platform_id,
        reason=f"未备案账号排查发现（线索 {row.id}），补办备案",
        actor=actor,
        url=row.url if row.url and row.url.startswith(("http://", "https://")) else None,
        verified=row.verified,
    )
    row.unit_id = account.unit_id
    row.filed_account_id = account.id
    if row.state == "candidate":
        row.state = "unfiled"
        row.decided_by, row.decided_at = actor, utcnow()
    session.flush()
    return row


def confirm_contacts(
    session: Session,
    account_ids: Sequence[int | str],
    *,
    actor: str,
    note: str | None = None,
    at: datetime | None = None,
) -> list[int]:
    """Record that the 负责人 and phone of these accounts were checked (年度核查)."""
    done = []
    for ref in account_ids:
        account = filing.get_account(session, ref)
        session.add(ContactReview(account_id=account.id, actor=actor, note=note, at=at or utcnow()))
        done.append(account.id)
    session.flush()
    return done
