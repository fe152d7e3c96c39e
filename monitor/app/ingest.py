"""After posts are stored: the near-duplicate index is built as they arrive.

Every ingest path of the application calls ``index_after_ingest`` once its posts are committed:
``govmedia crawl``, ``govmedia post import``, the scheduler's crawl job and the demo. It runs
``monitor.similarity.index.index_new_posts`` in its own unit of work, so the posts stay stored
even if indexing fails (a check indexes whatever its window still misses). The spiders and the
registry cannot call the monitor themselves; this is the place that wires them together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.similarity.index import IndexReport

ACTOR = "govmedia"


def index_after_ingest(db: str | None, *, actor: str = ACTOR) -> IndexReport:
    """Index every post stored since the last indexing (``index_new_posts``), and commit."""
    from monitor.similarity.index import index_new_posts
    from registry.db import session_scope

    with session_scope(db) as session:
        return index_new_posts(session, actor=actor)
