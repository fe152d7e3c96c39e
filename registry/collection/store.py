"""Writing collected data: crawl outcomes, posts (upserted) and account snapshots.

The spiders' pipeline, ``post import`` and the monitor's observations all write through
these functions. A blocked or failed fetch records an attempt with its evidence and never
writes "no posts".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import validation as v
from registry.collection.models import OUTCOMES, AccountSnapshot, CrawlAttempt, Post, RequestBudget
from registry.db import utcnow
from registry.errors import InvalidValue, NotFound
from registry.filing.models import Account, Unit
from registry.vocab import OUTCOME

POST_FIELDS = (
    "title",
    "text",
    "url",
    "published_at",
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
SNIPPET_LIMIT = 500


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
    """Insert or refresh posts keyed by (account, platform post id); return how many are new.

    Each post is a dict with ``post_id`` and any of ``POST_FIELDS``. A re-crawl refreshes
    counts and text but never duplicates a post.
    """
    if not posts:
        return 0
    fetched = fetched_at or utcnow()
    by_id: dict[str, dict[str, Any]] = {}
    for post in posts:
        pid = str(post["post_id"])
        row = {"account_id": account_id, "post_id": pid, "fetched_at": fetched, "origin": origin}
        row.update({k: post.get(k) for k in POST_FIELDS})
        row["published_approx"] = bool(row["published_approx"])
        row["pinned"] = bool(row["pinned"])
        by_id[pid] = row
    existing = set(
        session.scalars(
            select(Post.post_id).where(Post.account_id == account_id, Post.post_id.in_(list(by_id)))
        )
    )
    rows = list(by_id.values())
    insert = _dialect_insert(session)
    stmt = insert(Post)
    update_cols = {
        k: getattr(stmt.excluded, k)
        for k in (*POST_FIELDS, "fetched_at")
        if k not in ("published_at", "published_approx")
    }
    # keep an exact publication time once known; replace an approximate one
    stmt = stmt.on_conflict_do_update(index_elements=["account_id", "post_id"], set_=update_cols)
    session.execute(stmt, rows)
    _refine_times(session, account_id, [r for r in rows if r["post_id"] in existing])
    return len(set(by_id) - existing)


def _refine_times(session: Session, account_id: int, rows: Iterable[dict[str, Any]]) -> None:
    """A later exact time replaces an earlier approximate one ("昨天 10:00" → the real time)."""
    exact = {
        r["post_id"]: r["published_at"]
        for r in rows
        if r["published_at"] is not None and not r["published_approx"]
    }
    if not exact:
        return
    for post in session.scalars(
        select(Post).where(
            Post.account_id == account_id,
            Post.post_id.in_(list(exact)),
            Post.published_approx.is_(True),
        )
    ):
        post.published_at = exact[post.post_id]
        post.published_approx = False


def record_snapshot(
    session: Session,
    *,
    account_id: int,
    shown_name: str | None = None,
    followers: int | None = None,
    posts_count: int | None = None,
    verified: bool | None = None,
    verified_reason: str | None = None,
    at: datetime | None = None,
    extra: dict[str, Any] | None = None,
) -> AccountSnapshot:
    """What the platform showed about the account at this crawl."""
    snap = AccountSnapshot(
        account_id=account_id,
        shown_name=shown_name,
        followers=followers,
        posts_count=posts_count,
        verified=verified,
        verified_reason=verified_reason,
        at=at or utcnow(),
        extra=extra,
    )
    session.add(snap)
    session.flush()
    return snap


_SQLITE_CONVERTED = ("published_at", "fetched_at", "published_approx", "is_repost", "pinned", "extra")
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
    + ", ".join(
        f"{c} = excluded.{c}"
        for c in (*POST_FIELDS, "fetched_at")
        if c not in ("published_at", "published_approx")
    )
)


def _sqlite_upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    """The posts upsert as one DBAPI executemany on SQLite, with values prepared exactly as
    SQLAlchemy stores them (naive-UTC ``YYYY-MM-DD HH:MM:SS.ffffff``, 0/1, JSON text): the
    same rows as the generic statement, without its per-row parameter processing."""

    def when(v: datetime | None) -> str | None:
        if v is None:
            return None
        if v.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def flag(v: bool | None) -> int | None:
        return None if v is None else int(bool(v))

    plain = [c for c in _UPSERT_COLUMNS if c not in _SQLITE_CONVERTED]
    params = []
    for row in rows:
        extra = row["extra"]
        params.append(
            (
                *(row[c] for c in plain),
                when(row["published_at"]),
                when(row["fetched_at"]),
                flag(row["published_approx"]),
                flag(row["is_repost"]),
                flag(row["pinned"]),
                None if extra is None else json.dumps(extra),
            )
        )
    session.connection().exec_driver_sql(_SQLITE_UPSERT, params)


def _table(model: Any) -> Any:
    """A model's Core table (bulk statements on it skip the ORM's per-row bookkeeping)."""
    return model.__table__


def _dialect_insert(session: Session) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


# --- what the spiders read: the accounts to collect, and the day's request budget ---

JOB_KEYS = (
    "account_id",
    "platform",
    "platform_id",
    "name",
    "unit",
    "url",
    "feed_url",
    "selectors",
    "status",
    "fakeid",
)


def crawl_jobs(
    session: Session,
    *,
    account_ids: Sequence[int] = (),
    platform: str | None = None,
    unit: str | None = None,
) -> list[dict[str, Any]]:
    """The accounts a crawl collects, as plain dicts (``JOB_KEYS``), ordered by id.

    Named accounts are collected whatever their status; otherwise only filed (active)
    accounts, optionally of one platform and/or one unit. Unknown ids raise NotFound.
    """
    query = select(Account, Unit.name).join(Unit, Account.unit_id == Unit.id).order_by(Account.id)
    if account_ids:
        query = query.where(Account.id.in_(list(account_ids)))
    else:
        query = query.where(Account.status == "active")
    if platform:
        query = query.where(Account.platform == v.platform(platform))
    if unit:
        from registry.filing.units import find_unit

        query = query.where(Account.unit_id == find_unit(session, unit).id)
    jobs = [
        {
            "account_id": a.id,
            "platform": a.platform,
            "platform_id": a.platform_id,
            "name": a.name,
            "unit": unit_name,
            "url": a.url,
            "feed_url": a.feed_url,
            "selectors": a.selectors,
            "status": a.status,
        }
        for a, unit_name in session.execute(query)
    ]
    _known_fakeids(session, jobs)
    if account_ids:
        known = set(session.scalars(select(Account.id).where(Account.id.in_(list(account_ids)))))
        missing = sorted(set(account_ids) - known)
        if missing:
            raise NotFound("账号ID", missing[0], "账号")
    return jobs


def _known_fakeids(session: Session, jobs: list[dict[str, Any]]) -> None:
    """A WeChat account filed by its gh_ id is found by name once; the fakeid (__biz) that
    search returned is kept in its snapshots and used from then on, so a later rename on the
    platform does not lose the account."""
    for job in jobs:
        job["fakeid"] = None
    wanted = {
        j["account_id"]: j for j in jobs if j["platform"] == "wechat" and j["platform_id"].startswith("gh_")
    }
    if not wanted:
        return
    rows = session.execute(
        select(AccountSnapshot.account_id, AccountSnapshot.extra)
        .where(AccountSnapshot.account_id.in_(list(wanted)))
        .order_by(AccountSnapshot.account_id, AccountSnapshot.at.desc())
    )
    for account_id, extra in rows:
        job = wanted[account_id]
        if job["fakeid"] is None and isinstance(extra, dict) and extra.get("fakeid"):
            job["fakeid"] = str(extra["fakeid"])


def budget_used(session: Session, *, platform: str, day: date) -> int:
    """Requests already spent on ``platform`` on ``day``."""
    used = session.scalar(
        select(RequestBudget.used).where(RequestBudget.platform == platform, RequestBudget.day == day)
    )
    return int(used or 0)


def add_budget_use(session: Session, *, platform: str, day: date, count: int) -> int:
    """Add ``count`` requests to the day's tally; return the new total."""
    row = session.scalar(
        select(RequestBudget)
        .where(RequestBudget.platform == platform, RequestBudget.day == day)
        .with_for_update()
    )
    if row is None:
        row = RequestBudget(platform=platform, day=day, used=0)
        session.add(row)
    row.used = (row.used or 0) + count
    session.flush()
    return row.used


def crawl_outcomes(session: Session, crawl_id: str) -> list[dict[str, Any]]:
    """The outcomes stored for one crawl: ``{account_id, outcome, new_posts, detail}``."""
    rows = session.scalars(
        select(CrawlAttempt)
        .where(CrawlAttempt.crawl_id == crawl_id)
        .order_by(CrawlAttempt.account_id, CrawlAttempt.id)
    )
    return [
        {"account_id": r.account_id, "outcome": r.outcome, "new_posts": r.new_posts, "detail": r.detail}
        for r in rows
    ]


def account_attempts(session: Session, account_id: int) -> list[dict[str, Any]]:
    """Every collection attempt of one account, oldest first, with its evidence."""
    rows = session.scalars(
        select(CrawlAttempt).where(CrawlAttempt.account_id == account_id).order_by(CrawlAttempt.id)
    )
    return [
        {
            "crawl_id": r.crawl_id,
            "source": r.source,
            "at": r.at,
            "outcome": r.outcome,
            "http_status": r.http_status,
            "detail": r.detail,
            "snippet": r.snippet,
            "new_posts": r.new_posts,
        }
        for r in rows
    ]


def account_snapshots(session: Session, account_id: int) -> list[dict[str, Any]]:
    """What the platform showed about one account at each crawl, oldest first."""
    rows = session.scalars(
        select(AccountSnapshot).where(AccountSnapshot.account_id == account_id).order_by(AccountSnapshot.id)
    )
    return [
        {
            "at": r.at,
            "shown_name": r.shown_name,
            "followers": r.followers,
            "posts_count": r.posts_count,
            "verified": r.verified,
            "verified_reason": r.verified_reason,
            "extra": r.extra,
        }
        for r in rows
    ]


def account_posts(session: Session, account_id: int) -> dict[str, dict[str, Any]]:
    """All stored fields of one account's posts, by platform post id."""
    rows = session.scalars(select(Post).where(Post.account_id == account_id))
    return {
        p.post_id: {k: getattr(p, k) for k in ("post_id", *POST_FIELDS, "fetched_at", "origin")} for p in rows
    }


def store_collection(
    session: Session, results: Sequence[dict[str, Any]], *, crawl_id: str | None = None
) -> list[int]:
    """Store many accounts' collection results in a few statements (the spiders' pipeline).

    Each result is a dict with ``account_id``, ``outcome``, ``at`` and optionally
    ``http_status``, ``detail``, ``snippet``, ``posts`` and ``snapshot`` (the keyword
    arguments of ``record_snapshot``). Posts are upserted only for ``ok``, snapshots kept
    only for ``ok``/``empty``; every result records one attempt. Returns the number of new
    posts of each result, in order. Same rules as ``upsert_posts`` / ``record_attempt``.
    """
    from sqlalchemy import insert as core_insert
    from sqlalchemy import tuple_

    for result in results:
        if result["outcome"] not in OUTCOMES:
            raise InvalidValue("采集结果", result["outcome"], "应为" + OUTCOME.choices())
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for result in results:
        if result["outcome"] != "ok":
            continue
        for post in result.get("posts") or []:
            row = {
                "account_id": result["account_id"],
                "post_id": str(post["post_id"]),
                "fetched_at": result["at"],
                "origin": "crawl",
            }
            row.update({k: post.get(k) for k in POST_FIELDS})
            row["published_approx"] = bool(row["published_approx"])
            row["pinned"] = bool(row["pinned"])
            rows[(row["account_id"], row["post_id"])] = row
    # (account, post id) → whether the stored time is approximate
    existing: dict[tuple[int, str], bool] = {}
    keys = list(rows)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found = session.execute(
            select(Post.account_id, Post.post_id, Post.published_approx).where(
                tuple_(Post.account_id, Post.post_id).in_(chunk)
            )
        )
        existing.update(((a, p), bool(approx)) for a, p, approx in found)
    if rows and session.get_bind().dialect.name == "sqlite":
        _sqlite_upsert(session, list(rows.values()))
    elif rows:
        insert = _dialect_insert(session)
        stmt = insert(_table(Post))  # table-level: no ORM per-row bookkeeping
        update_cols = {
            k: getattr(stmt.excluded, k)
            for k in (*POST_FIELDS, "fetched_at")
            if k not in ("published_at", "published_approx")
        }
        stmt = stmt.on_conflict_do_update(index_elements=["account_id", "post_id"], set_=update_cols)
        session.execute(stmt, list(rows.values()))
    if rows:
        # a later exact time replaces an earlier approximate one ("昨天 10:00" → the real time)
        refine = [
            {"b_account": key[0], "b_post": key[1], "b_at": rows[key]["published_at"]}
            for key, approx in existing.items()
            if approx and rows[key]["published_at"] is not None and not rows[key]["published_approx"]
        ]
        if refine:
            from sqlalchemy import bindparam, update

            table: Any = Post.__table__
            session.execute(
                update(table)
                .where(table.c.account_id == bindparam("b_account"), table.c.post_id == bindparam("b_post"))
                .values(published_at=bindparam("b_at"), published_approx=False),
                refine,
            )
    new_counts = []
    attempts, snapshots = [], []
    for result in results:
        ids = {str(p["post_id"]) for p in result.get("posts") or []} if result["outcome"] == "ok" else set()
        new = len({pid for pid in ids if (result["account_id"], pid) not in existing})
        new_counts.append(new)
        snippet = result.get("snippet")
        attempts.append(
            {
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
        )
        snap = result.get("snapshot")
        if snap and result["outcome"] in ("ok", "empty"):
            snapshots.append(
                {
                    "account_id": result["account_id"],
                    "at": result["at"],
                    **{
                        k: snap.get(k)
                        for k in (
                            "shown_name",
                            "followers",
                            "posts_count",
                            "verified",
                            "verified_reason",
                            "extra",
                        )
                    },
                }
            )
    session.execute(core_insert(_table(CrawlAttempt)), attempts)
    if snapshots:
        session.execute(core_insert(_table(AccountSnapshot)), snapshots)
    return new_counts
