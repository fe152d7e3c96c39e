"""Writing collected data: crawl outcomes, posts (upserted) and account snapshots.

The spiders' pipeline and ``post import`` write through these functions. A blocked or failed
fetch records an attempt with its evidence and never writes "no posts". Posts are keyed by
(account, platform post id): a re-crawl refreshes a post's counts and text but never
duplicates it, and a later exact publication time replaces an earlier approximate one.

A post's time is a span: ``published_at`` (the earliest moment) and ``published_latest`` (the
latest); a post given without ``published_latest`` has an exact time (both equal). The span
of a stored post changes only when a later answer gives its exact time: then both columns
take it and ``published_approx`` becomes false.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, tuple_, update
from sqlalchemy.orm import Session

from registry.bulk import copy_json, dialect, sqlite_flag, sqlite_time, stage_rows, staged
from registry.collection.models import OUTCOMES, AccountSnapshot, CrawlAttempt, Post
from registry.db import utcnow
from registry.errors import InvalidValue
from registry.vocab import OUTCOME

POST_FIELDS = (
    "title",
    "text",
    "url",
    "published_at",
    "published_latest",
    "published_approx",
    "is_repost",
    "source",
    "pinned",
    "reposts",
    "comments",
    "likes",
    "reads",
    "extra",
)
SNAPSHOT_FIELDS = ("shown_name", "followers", "posts_count", "verified", "verified_reason", "extra")
SNIPPET_LIMIT = 500
KEY_CHUNK = 500
PostKey = tuple[int, str]


def record_attempt(
    session: Session,
    *,
    account_id: int,
    outcome: str,
    crawl_id: str | None = None,
    source: str = "crawl",
    at: datetime | None = None,
    http_status: int | None = None,
    detail: str | None = None,
    snippet: str | None = None,
    new_posts: int = 0,
) -> CrawlAttempt:
    """Store one account's collection outcome with its evidence (status code, a snippet)."""
    if outcome not in OUTCOMES:
        raise InvalidValue("采集结果", outcome, "应为" + OUTCOME.choices())
    attempt = CrawlAttempt(
        account_id=account_id,
        outcome=outcome,
        crawl_id=crawl_id,
        source=source,
        at=at or utcnow(),
        http_status=http_status,
        detail=detail,
        snippet=snippet[:SNIPPET_LIMIT] if snippet else None,
        new_posts=new_posts,
    )
    session.add(attempt)
    session.flush()
    return attempt


def upsert_posts(
    session: Session,
    account_id: int,
    posts: Sequence[dict[str, Any]],
    *,
    fetched_at: datetime | None = None,
    origin: str = "crawl",
) -> int:
    """Insert or refresh one account's posts; return how many are new.

    Each post is a dict with ``post_id`` and any of ``POST_FIELDS``."""
    rows = _post_rows(account_id, posts, fetched_at=fetched_at or utcnow(), origin=origin)
    existing = _write_posts(session, rows)
    return len(set(rows) - set(existing))


def store_collection(
    session: Session, results: Sequence[dict[str, Any]], *, crawl_id: str | None = None
) -> list[int]:
    """Store many accounts' collection results in a few statements (the spiders' pipeline).

    Each result is a dict with ``account_id``, ``outcome``, ``at`` and optionally
    ``http_status``, ``detail``, ``snippet``, ``posts`` and ``snapshot`` (a dict of
    ``SNAPSHOT_FIELDS``). Posts are upserted only for ``ok``, snapshots kept
    only for ``ok``/``empty``; every result records one attempt. Returns the number of new
    posts of each result, in order. Same rules as ``upsert_posts`` / ``record_attempt``.
    """
    for result in results:
        if result["outcome"] not in OUTCOMES:
            raise InvalidValue("采集结果", result["outcome"], "应为" + OUTCOME.choices())
    rows: dict[PostKey, dict[str, Any]] = {}
    for result in results:
        if result["outcome"] == "ok":
            rows.update(_post_rows(result["account_id"], result.get("posts") or [], fetched_at=result["at"]))
    existing = _write_posts(session, rows)
    new_counts = [_new_posts(result, existing) for result in results]
    attempts = [_attempt_row(result, crawl_id, new) for result, new in zip(results, new_counts, strict=True)]
    session.execute(insert(_table(CrawlAttempt)), attempts)
    snapshots = [
        {"account_id": r["account_id"], "at": r["at"], **{k: r["snapshot"].get(k) for k in SNAPSHOT_FIELDS}}
        for r in results
        if r.get("snapshot") and r["outcome"] in ("ok", "empty")
    ]
    if snapshots:
        session.execute(insert(_table(AccountSnapshot)), snapshots)
    return new_counts


def _post_rows(
    account_id: int, posts: Sequence[dict[str, Any]], *, fetched_at: datetime, origin: str = "crawl"
) -> dict[PostKey, dict[str, Any]]:
    """The posts as table rows, keyed by (account, post id); a repeated post id keeps the last."""
    rows: dict[PostKey, dict[str, Any]] = {}
    for post in posts:
        pid = str(post["post_id"])
        row: dict[str, Any] = {
            "account_id": account_id,
            "post_id": pid,
            "fetched_at": fetched_at,
            "origin": origin,
        }
        row.update({k: post.get(k) for k in POST_FIELDS})
        row["published_approx"] = bool(row["published_approx"])
        earliest, latest = row["published_at"], row["published_latest"]
        if latest is None or earliest is None or latest < earliest:
            row["published_latest"] = earliest
        row["pinned"] = bool(row["pinned"])
        rows[(account_id, pid)] = row
    return rows


def _write_posts(session: Session, rows: dict[PostKey, dict[str, Any]]) -> set[PostKey]:
    """Upsert the rows (one bulk path per dialect); return the posts that existed before.

    A stored post keeps its time, except that an approximate time is replaced by the exact
    time a later answer gives (``published_approx`` becomes false)."""
    if not rows:
        return set()
    if dialect(session) == "postgresql":
        return _postgres_upsert(session, list(rows.values()))
    existing = _existing(session, list(rows))
    _sqlite_upsert(session, list(rows.values()))
    refine = [
        {
            "b_account": key[0],
            "b_post": key[1],
            "b_at": rows[key]["published_at"],
            "b_latest": rows[key]["published_latest"],
        }
        for key, approx in existing.items()
        if approx and rows[key]["published_at"] is not None and not rows[key]["published_approx"]
    ]
    if refine:  # "昨天 10:00" as first seen → the exact time a later answer gave
        table = _table(Post)
        session.execute(
            update(table)
            .where(table.c.account_id == bindparam("b_account"), table.c.post_id == bindparam("b_post"))
            .values(
                published_at=bindparam("b_at"), published_latest=bindparam("b_latest"), published_approx=False
            ),
            refine,
        )
    return set(existing)


def _existing(session: Session, keys: list[PostKey]) -> dict[PostKey, bool]:
    """(account, post id) of the stored posts among ``keys`` → whether their time is approximate."""
    found: dict[PostKey, bool] = {}
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start : start + KEY_CHUNK]
        query = select(Post.account_id, Post.post_id, Post.published_approx).where(
            tuple_(Post.account_id, Post.post_id).in_(chunk)
        )
        found.update(((a, p), bool(approx)) for a, p, approx in session.execute(query))
    return found


def _new_posts(result: dict[str, Any], existing: set[PostKey]) -> int:
    if result["outcome"] != "ok":
        return 0
    ids = {str(p["post_id"]) for p in result.get("posts") or []}
    return len({pid for pid in ids if (result["account_id"], pid) not in existing})


def _attempt_row(result: dict[str, Any], crawl_id: str | None, new: int) -> dict[str, Any]:
    snippet = result.get("snippet")
    return {
        "account_id": result["account_id"],
        "outcome": result["outcome"],
        "crawl_id": crawl_id,
        "source": "crawl",
        "at": result["at"],
        "http_status": result.get("http_status"),
        "detail": result.get("detail"),
        "snippet": snippet[:SNIPPET_LIMIT] if snippet else None,
        "new_posts": new,
    }


# a re-crawl never moves a stored time (only an exact time refines an approximate one)
KEPT_ON_CONFLICT = ("published_at", "published_latest", "published_approx")
_SQLITE_CONVERTED = (
    "published_at",
    "published_latest",
    "fetched_at",
    "published_approx",
    "is_repost",
    "pinned",
    "extra",
)
_UPSERT_COLUMNS = (
    *(
        c
        for c in ("account_id", "post_id", *POST_FIELDS, "fetched_at", "origin")
        if c not in _SQLITE_CONVERTED
    ),
    *_SQLITE_CONVERTED,
)
_SQLITE_UPSERT = (
    f"INSERT INTO posts ({', '.join(_UPSERT_COLUMNS)}) VALUES ({', '.join('?' for _ in _UPSERT_COLUMNS)}) "
    "ON CONFLICT (account_id, post_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in (*POST_FIELDS, "fetched_at") if c not in KEPT_ON_CONFLICT)
)


def _sqlite_upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    """The posts upsert as one DBAPI executemany on SQLite, with values prepared exactly as
    SQLAlchemy stores them (naive-UTC ``YYYY-MM-DD HH:MM:SS.ffffff``, 0/1, JSON text): the
    same rows as a Core statement, without its per-row parameter processing."""
    plain = [c for c in _UPSERT_COLUMNS if c not in _SQLITE_CONVERTED]
    params = []
    for row in rows:
        extra = row["extra"]
        params.append(
            (
                *(row[c] for c in plain),
                sqlite_time(row["published_at"]),
                sqlite_time(row["published_latest"]),
                sqlite_time(row["fetched_at"]),
                sqlite_flag(row["published_approx"]),
                sqlite_flag(row["is_repost"]),
                sqlite_flag(row["pinned"]),
                None if extra is None else json.dumps(extra),
            )
        )
    session.connection().exec_driver_sql(_SQLITE_UPSERT, params)


_COLUMNS = ("account_id", "post_id", *POST_FIELDS, "fetched_at", "origin")
_REFINE = "posts.published_approx AND excluded.published_at IS NOT NULL AND NOT excluded.published_approx"
_POSTGRES_UPSERT = (
    f"INSERT INTO posts ({', '.join(_COLUMNS)}) {staged('posts_stage', _COLUMNS)} "
    "ON CONFLICT (account_id, post_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in (*POST_FIELDS, "fetched_at") if c not in KEPT_ON_CONFLICT)
    + f", published_at = CASE WHEN {_REFINE} THEN excluded.published_at ELSE posts.published_at END"
    + f", published_latest = CASE WHEN {_REFINE} THEN excluded.published_latest"
    + " ELSE posts.published_latest END"
    + f", published_approx = CASE WHEN {_REFINE} THEN false ELSE posts.published_approx END"
    # xmax is 0 in a row version this statement inserted, the updating transaction otherwise
    " RETURNING account_id, post_id, (xmax = 0) AS inserted"
)


def _postgres_upsert(session: Session, rows: list[dict[str, Any]]) -> set[PostKey]:
    """The posts upsert on PostgreSQL: COPY into a staging table, then one
    ``INSERT … SELECT … ON CONFLICT DO UPDATE`` that also refines approximate times; returns
    the keys that existed before (the rows the statement updated rather than inserted)."""
    stage_rows(
        session,
        target="posts",
        stage="posts_stage",
        columns=_COLUMNS,
        rows=(tuple(copy_json(r[c]) if c == "extra" else r[c] for c in _COLUMNS) for r in rows),
    )
    result = session.connection().exec_driver_sql(_POSTGRES_UPSERT)
    return {(a, p) for a, p, inserted in result if not inserted}


def _table(model: Any) -> Any:
    """A model's Core table (bulk statements on it skip the ORM's per-row bookkeeping)."""
    return model.__table__
