"""What a check reads: accounts, posts, collection outcomes and platform snapshots.

Bulk, read-only queries (SQLAlchemy Core, no ORM objects) so that a national registry of
500,000 accounts and millions of posts loads in seconds. Collection time is when data
arrived (an attempt's ``at``, an import's ``fetched_at``, an observation's ``recorded_at``),
never the publication time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from registry.bulk import among, raw_rows, utc_reader
from registry.checks.models import Observation
from registry.collection.activity import first_post_times
from registry.collection.models import AccountSnapshot, Post
from registry.filing.history import RegistryAt, registry_at
from registry.timeutil import utc_aware

if TYPE_CHECKING:  # numpy is imported by window_posts only: registry commands stay light
    import numpy as np
    import numpy.typing as npt

CHUNK = 20_000


@dataclass
class WindowPosts:
    """The posts of a check window in time order, column by column (a national window holds
    millions of posts: numpy arrays and one list of times, not a tuple per post).

    ``published`` is each post's earliest moment, ``latest`` its latest (the same object when
    the time is exact); ``is_repost`` is 1, 0 or -1 (unknown); ``engagement`` is reposts +
    comments + likes (None counts as 0)."""

    ids: npt.NDArray[np.int64]
    accounts: npt.NDArray[np.int64]
    published: list[datetime]
    latest: list[datetime]
    is_repost: npt.NDArray[np.int8]
    engagement: npt.NDArray[np.int64]
    approx: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.ids.size)

    def row(self, n: int) -> tuple[int, int, datetime, bool | None, int, datetime, bool]:
        """Post ``n`` as (id, account, published, is_repost, engagement, latest, approximate)."""
        repost = int(self.is_repost[n])
        return (
            int(self.ids[n]),
            int(self.accounts[n]),
            self.published[n],
            None if repost < 0 else bool(repost),
            int(self.engagement[n]),
            self.latest[n],
            bool(self.approx[n]),
        )


def accounts_at(session: Session, *, at: datetime) -> RegistryAt:
    """The registry as it stood at ``at`` (``registry.filing.history``): the accounts in service
    then, with their unit, name and level then and their opening, and those ended by then."""
    return registry_at(session, at=at, first_posts=first_post_times(session))


def posted_after_ending(session: Session, ended: dict[int, dict[str, Any]], *, until: datetime) -> list[int]:
    """Ended accounts with a post published after their closing or cancelling, up to ``until``."""
    ids = sorted(ended)
    out: list[int] = []
    for start in range(0, len(ids), 5_000):
        query = (
            select(Post.account_id, func.max(func.coalesce(Post.published_latest, Post.published_at)))
            .where(Post.account_id.in_(ids[start : start + 5_000]), Post.published_at <= until)
            .group_by(Post.account_id)
        )
        for account_id, newest in session.execute(query):
            when = utc_aware(newest)
            if when is not None and when > ended[account_id]["status_at"]:
                out.append(account_id)
    return sorted(out)


def post_counts(session: Session, *, since: datetime, until: datetime) -> dict[int, int]:
    """Posts per account that can have been published in [since, until] (a post's span meets it)."""
    query = (
        select(Post.account_id, func.count())
        .where(func.coalesce(Post.published_latest, Post.published_at) >= since, Post.published_at <= until)
        .group_by(Post.account_id)
    )
    return dict(session.execute(query).all())


def window_posts(session: Session, *, since: datetime, until: datetime) -> WindowPosts:
    """Posts published in [since, until] (by their earliest moment; both ends included), in time
    order (titles and links: ``post_links``)."""
    import numpy as np

    engagement = (
        func.coalesce(Post.reposts, 0) + func.coalesce(Post.comments, 0) + func.coalesce(Post.likes, 0)
    )
    query = (
        select(
            Post.id,
            Post.account_id,
            Post.published_at,
            Post.published_latest,
            Post.is_repost,
            engagement,
            Post.published_approx,
        )
        .where(Post.published_at >= since, Post.published_at <= until)
        .order_by(Post.published_at, Post.id)
    )
    ids: list[int] = []
    accounts: list[int] = []
    published: list[datetime] = []
    latest: list[datetime] = []
    reposts: list[int] = []
    counts: list[int] = []
    approx: list[bool] = []
    utc = utc_reader(session)
    for rows in raw_rows(session, query, CHUNK):  # millions of rows: as the driver gives them
        for pid, account, first, last, repost, total, vague in rows:
            earliest = utc(first)
            if earliest is None:  # never: the query keeps posts published in the window
                continue
            ids.append(pid)
            accounts.append(account)
            published.append(earliest)
            latest.append(earliest if last is None or last == first else (utc(last) or earliest))
            reposts.append(-1 if repost is None else int(repost))
            counts.append(total or 0)
            approx.append(bool(vague))
    return WindowPosts(
        ids=np.array(ids, dtype=np.int64),
        accounts=np.array(accounts, dtype=np.int64),
        published=published,
        latest=latest,
        is_repost=np.array(reposts, dtype=np.int8),
        engagement=np.array(counts, dtype=np.int64),
        approx=np.array(approx, dtype=bool),
    )


def post_links(session: Session, post_ids: Sequence[int]) -> dict[int, tuple[str | None, str | None]]:
    """Title and link of the given posts (what evidence shows of a post)."""
    out: dict[int, tuple[str | None, str | None]] = {}
    ids = sorted(set(post_ids))
    for start in range(0, len(ids), 5_000):
        query = select(Post.id, Post.title, Post.url).where(
            among(session, Post.id, ids[start : start + 5_000])
        )
        out.update((pid, (title, url)) for pid, title, url in session.connection().execute(query))
    return out


def iter_texts(
    session: Session, *, since: datetime, until: datetime, chunk: int | None = None
) -> Iterator[list[tuple[int, str | None, str | None]]]:
    """(post id, title, text) of the window's posts ([since, until]), in chunks, streamed."""
    chunk = chunk or CHUNK
    query = (
        select(Post.id, Post.title, Post.text)
        .where(Post.published_at >= since, Post.published_at <= until)
        .order_by(Post.id)
    )
    result = session.execute(query.execution_options(yield_per=chunk))
    for part in result.partitions(chunk):
        yield [tuple(r) for r in part]  # type: ignore[misc]


def texts_of(session: Session, post_ids: Sequence[int]) -> dict[int, str]:
    """Title and text (joined) of the given posts."""
    out: dict[int, str] = {}
    ids = sorted(set(post_ids))
    for start in range(0, len(ids), 900):
        part = ids[start : start + 900]
        for pid, title, text in session.execute(
            select(Post.id, Post.title, Post.text).where(Post.id.in_(part))
        ):
            out[pid] = join_text(title, text)
    return out


def join_text(title: str | None, text: str | None) -> str:
    """The text the monitor judges: the title, then the body."""
    if title and text and not text.startswith(title):
        return f"{title}\n{text}"
    return text or title or ""


def latest_snapshots(session: Session, *, until: datetime) -> dict[int, dict[str, Any]]:
    """What the platform last showed about each account, up to ``until``."""
    latest = (
        select(AccountSnapshot.account_id, func.max(AccountSnapshot.at).label("at"))
        .where(AccountSnapshot.at <= until)
        .group_by(AccountSnapshot.account_id)
        .subquery()
    )
    query = select(
        AccountSnapshot.account_id,
        AccountSnapshot.at,
        AccountSnapshot.shown_name,
        AccountSnapshot.followers,
        AccountSnapshot.verified,
    ).join(latest, and_(latest.c.account_id == AccountSnapshot.account_id, latest.c.at == AccountSnapshot.at))
    return {
        a: {"at": at, "shown_name": name, "followers": followers, "verified": verified}
        for a, at, name, followers, verified in session.execute(query)
    }


def observations_between(session: Session, *, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Inspectors' observations made in [since, until]."""
    query = (
        select(Observation)
        .where(Observation.observed_at >= since, Observation.observed_at <= until)
        .order_by(Observation.id)
    )
    return [
        {
            "id": o.id,
            "account_id": o.account_id,
            "rule": o.rule,
            "level": o.level,
            "note": o.note,
            "observed_at": o.observed_at,
            "actor": o.actor,
        }
        for o in session.scalars(query)
    ]
