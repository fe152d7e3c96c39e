"""Inputs that people give the monitor: lexicon entries, key releases and observations.

- 词库 (lexicon): wrong formulations with their correct form (``serious``), sensitive words
  (``sensitive``), entertainment markers (``entertainment``) and advertising markers (``ad``);
- 转载任务 (key releases): an upstream release, its deadline in hours and the units whose
  accounts must relay it (none named: every account checked);
- 人工检查记录 (observations): what an inspector saw, recorded as confirmed findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from registry import validation as v
from registry.checks.models import (
    KeyRelease,
    KeyReleaseUnit,
    LexiconEntry,
    Observation,
)
from registry.errors import Conflict, InvalidValue, NotFound
from registry.filing.models import Account
from registry.filing.units import find_unit
from registry.timeutil import local_iso
from registry.vocab import FINDING_LEVEL, LEXICON_KIND


def _kind(kind: str) -> str:
    return LEXICON_KIND.code(kind, "类别")


def add_entry(
    session: Session, *, phrase: str, kind: str, correct: str | None = None, source: str = "user", actor: str
) -> LexiconEntry:
    """Add one lexicon entry; the same phrase may not be entered twice for one kind."""
    text = v.text(phrase or "", "词语", max_len=200, multiline=False)
    code = _kind(kind)
    fix = v.text(correct, "正确表述", max_len=200, required=False, multiline=False) if correct else ""
    if (
        session.scalar(select(LexiconEntry.id).where(LexiconEntry.phrase == text, LexiconEntry.kind == code))
        is not None
    ):
        raise Conflict("词语", text, f"已在词库（{LEXICON_KIND.label(code)}）中")
    entry = LexiconEntry(phrase=text, kind=code, correct=fix or None, source=source, actor=actor)
    session.add(entry)
    session.flush()
    return entry


def add_entries(session: Session, rows: Sequence[dict[str, Any]], *, source: str, actor: str) -> int:
    """Add many entries (``phrase``, ``kind``, optional ``correct``); existing ones are skipped."""
    have = {(p, k) for p, k in session.execute(select(LexiconEntry.phrase, LexiconEntry.kind))}
    new = []
    for row in rows:
        phrase = v.text(row.get("phrase") or "", "词语", max_len=200, required=False, multiline=False)
        key = (phrase, _kind(row.get("kind") or ""))
        if not key[0] or key in have:
            continue
        have.add(key)
        fix = v.text(row.get("correct") or "", "正确表述", max_len=200, required=False, multiline=False)
        new.append(
            {
                "phrase": key[0],
                "kind": key[1],
                "correct": fix or None,
                "source": source,
                "actor": actor,
            }
        )
    if new:
        session.execute(insert(LexiconEntry), new)
    return len(new)


def list_entries(session: Session, *, kind: str | None = None) -> list[dict[str, Any]]:
    query = select(LexiconEntry).order_by(LexiconEntry.kind, LexiconEntry.id)
    if kind:
        query = query.where(LexiconEntry.kind == _kind(kind))
    return [
        {
            "id": e.id,
            "phrase": e.phrase,
            "kind": e.kind,
            "correct": e.correct,
            "source": e.source,
            "added_at": local_iso(e.added_at),
        }
        for e in session.scalars(query)
    ]


def has_source(session: Session, source: str) -> bool:
    return session.scalar(select(LexiconEntry.id).where(LexiconEntry.source == source).limit(1)) is not None


def add_release(
    session: Session,
    *,
    title: str,
    url: str,
    text: str,
    published_at: datetime,
    due_hours: int,
    units: Sequence[str],
    exact_hash: int,
    actor: str,
) -> KeyRelease:
    """Designate a key release that the named units' accounts must relay within ``due_hours``."""
    title = v.text(title or "", "标题", max_len=500, multiline=False)
    url = v.url(url or "", "原文链接")
    if not (text or "").strip():
        raise InvalidValue("正文", "", "正文不能为空（用 --text-file 指定正文文件）")
    if due_hours <= 0:
        raise InvalidValue("转载时限", due_hours, "应为正整数（小时）")
    targets = [find_unit(session, u) for u in units]
    release = KeyRelease(
        title=title.strip(),
        url=url.strip(),
        text=text,
        published_at=published_at,
        due_hours=due_hours,
        exact_hash=exact_hash,
        actor=actor,
    )
    session.add(release)
    session.flush()
    for unit in {u.id: u for u in targets}.values():
        session.add(KeyReleaseUnit(release_id=release.id, unit_id=unit.id))
    session.flush()
    return release


def list_releases(
    session: Session, *, since: datetime | None = None, until: datetime | None = None
) -> list[dict[str, Any]]:
    """Key releases (published in [since, until] when given) with their target unit ids."""
    query = select(KeyRelease).order_by(KeyRelease.published_at, KeyRelease.id)
    if since is not None:
        query = query.where(KeyRelease.published_at >= since)
    if until is not None:
        query = query.where(KeyRelease.published_at <= until)
    targets: dict[int, list[int]] = {}
    for rid, uid in session.execute(select(KeyReleaseUnit.release_id, KeyReleaseUnit.unit_id)):
        targets.setdefault(rid, []).append(uid)
    return [
        {
            "id": r.id,
            "title": r.title,
            "url": r.url,
            "text": r.text,
            "published_at": r.published_at,
            "due_hours": r.due_hours,
            "exact_hash": r.exact_hash,
            "unit_ids": sorted(targets.get(r.id, [])),
        }
        for r in session.scalars(query)
    ]


def add_observations(
    session: Session, rows: Sequence[dict[str, Any]], *, actor: str, source_file: str | None = None
) -> int:
    """Record inspectors' observations (``account_id``, ``rule``, ``level``, ``note``,
    ``observed_at``); the caller has validated rule codes and row errors. A ``level`` of None
    means the level the profile of each later check gives the rule."""
    for row in rows:
        if row.get("level") is not None:
            FINDING_LEVEL.code(row["level"], "级别")
        if session.get(Account, row["account_id"]) is None:
            raise NotFound("账号ID", row["account_id"], "账号")
    for row in rows:
        session.add(
            Observation(
                account_id=row["account_id"],
                rule=row["rule"],
                level=row.get("level"),
                note=row["note"],
                observed_at=row["observed_at"],
                actor=actor,
                source_file=source_file,
            )
        )
    session.flush()
    return len(rows)


def unit_names(session: Session) -> list[tuple[int, str]]:
    from registry.filing.models import Unit

    return list(session.execute(select(Unit.id, Unit.name)))
