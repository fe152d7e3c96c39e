"""Posts as staff see them: the list of one account's posts, and importing posts from a file.

``post import`` is the path for manual checks and for sources the spiders do not cover. A
file is read all-or-nothing: every bad row is listed (row number, column, value, reason)
and nothing is written. Posts are upserted by (account, post id), so importing the same
file twice changes nothing. Only an import with ``as_of`` (the moment the source was read in
full) counts as a collection of the accounts it names; see ``import_posts``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import validation as v
from registry.collection.models import Post
from registry.collection.store import record_attempt, upsert_posts
from registry.db import utcnow
from registry.errors import InvalidValue, RowErrors
from registry.files import Column, cell_text, parse_cell_span, read_table
from registry.filing.accounts import get_account
from registry.filing.models import Account
from registry.timeutil import day_start, in_future, local_iso
from registry.vocab import PLATFORM

POST_KEYS = ("post_id", "published_at", "title", "text", "url", "is_repost", "source")
IMPORT_KEYS = ("account", *POST_KEYS)
READ_COLUMNS = [
    Column("account", "账号", ("账号ID",), required=True),
    Column("post_id", "内容ID", required=True),
    Column("published_at", "发布时间", required=True),
    Column("title", "标题"),
    Column("text", "正文"),
    Column("url", "链接"),
    Column("is_repost", "转发/转载", ("转载", "转发")),
    Column("source", "来源"),
]
_YES = {"1", "true", "yes", "y", "是", "转发", "转载"}
_NO = {"0", "false", "no", "n", "否", "原创"}


@dataclass
class PostImport:
    rows: int
    accounts: int
    new_posts: int
    collected: bool = False  # recorded as a collection (``as_of`` given)


def list_posts(session: Session, *, account_id: int | str, since: date | None = None) -> list[dict[str, Any]]:
    """One account's posts, newest first; ``since`` keeps posts published on or after that day."""
    account = get_account(session, account_id)
    query = select(Post).where(Post.account_id == account.id)
    if since is not None:
        query = query.where(Post.published_at >= day_start(since))
    query = query.order_by(Post.published_at.desc().nulls_last(), Post.post_id)
    return [
        {
            "post_id": p.post_id,
            "published_at": local_iso(p.published_at),
            "published_latest": local_iso(p.published_latest),
            "published_approx": bool(p.published_approx),
            "title": p.title,
            "text": p.text,
            "url": p.url,
            "is_repost": p.is_repost,
            "source": p.source,
        }
        for p in session.scalars(query)
    ]


def import_posts(
    session: Session, path: Path, *, as_of: datetime | None = None, now: datetime | None = None
) -> PostImport:
    """Validate every row of a .csv / .jsonl / .xlsx file, then upsert all posts, or none.

    Posts prove that the account published them, nothing more. ``as_of`` is the moment the
    source was read in full (an inspector's manual check of the account pages, a complete
    export): then each imported account gets a successful collection at that moment, as a crawl
    would record it, and its silence after its newest post is established up to ``as_of``.
    Without ``as_of`` (an archive, a partial export) no collection is recorded: the import can
    show that an account was active, never that it was silent. A time without a clock covers
    the whole day (``published_latest``), never later than ``as_of`` or the import itself."""
    now = now or utcnow()
    if as_of is not None and as_of > now:
        raise InvalidValue("--as-of", local_iso(as_of), "不能晚于现在（导入的内容须在此时间之前已完整读取）")
    ceiling = as_of or now
    accounts = _AccountLookup(session)
    errors: list[Problem] = []
    by_account: dict[int, dict[str, dict[str, Any]]] = {}
    seen: dict[tuple[int, str], int] = {}
    rows = 0
    for row_no, raw in _read(path):
        rows += 1
        if "_invalid" in raw:
            errors.append((row_no, "（整行）", raw["_line"], raw["_invalid"]))
            continue
        account_id, post, row_errors = _parse_row(row_no, raw, accounts, ceiling, as_of)
        pid = post["post_id"]
        if account_id is not None and pid:
            first = seen.get((account_id, pid))
            if first is not None:
                row_errors.append((row_no, "post_id", pid, f"与第{first}行重复"))
            seen[(account_id, pid)] = row_no
        if row_errors:
            errors.extend(row_errors)
            continue
        assert account_id is not None
        by_account.setdefault(account_id, {})[pid] = post
    if errors:
        raise RowErrors(path.name, errors)
    return _write(session, path, by_account, rows=rows, as_of=as_of, now=now)


Problem = tuple[int, str, object, str]


def _parse_row(
    row_no: int,
    raw: dict[str, Any],
    accounts: _AccountLookup,
    ceiling: datetime,
    as_of: datetime | None,
) -> tuple[int | None, dict[str, Any], list[Problem]]:
    """One row: the account id, the post dict and the row's errors."""
    row_errors: list[Problem] = []
    post: dict[str, Any] = {}
    account_id = None
    for key in ("account", "post_id", "published_at"):
        if not cell_text(raw.get(key)):
            row_errors.append((row_no, key, "", "必填，不能为空"))
    if cell_text(raw.get("account")):
        account_id = accounts.find(cell_text(raw["account"]))
        if account_id is None:
            row_errors.append(
                (row_no, "account", raw["account"], "找不到该账号（应为账号ID或 平台:平台账号ID）")
            )
    post["post_id"] = cell_text(raw.get("post_id"))
    if cell_text(raw.get("published_at")):
        try:
            earliest, latest, approx = parse_cell_span(raw["published_at"], field="published_at")
        except InvalidValue as exc:
            row_errors.append((row_no, "published_at", raw["published_at"], exc.reason))
        else:
            if as_of is not None and earliest > as_of:
                row_errors.append(
                    (row_no, "published_at", raw["published_at"], f"晚于 --as-of（{local_iso(as_of)}）")
                )
            elif in_future(earliest, ceiling):
                row_errors.append(
                    (
                        row_no,
                        "published_at",
                        raw["published_at"],
                        f"晚于导入时间（{local_iso(ceiling)}），不能是将来的时间",
                    )
                )
            post.update(published_at=earliest, published_latest=min(latest, max(earliest, ceiling)))
            post["published_approx"] = approx
    try:
        post["is_repost"] = _repost(raw.get("is_repost"))
    except ValueError:
        row_errors.append((row_no, "is_repost", raw.get("is_repost"), "应为 是/否（true/false、1/0）或留空"))
    for key in ("title", "text", "url", "source"):
        value = cell_text(raw.get(key)) or None
        try:
            post[key] = _field(key, value) if value is not None else None
        except InvalidValue as exc:
            row_errors.append((row_no, key, exc.value, exc.reason))
    if post["post_id"]:
        try:
            post["post_id"] = v.text(post["post_id"], "post_id", max_len=128, multiline=False)
        except InvalidValue as exc:
            row_errors.append((row_no, "post_id", exc.value, exc.reason))
    return account_id, post, row_errors


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _field(key: str, value: str) -> str:
    """A post's title, url and source are one line a person reads; its text may have line
    breaks but no other control characters (NUL, ESC…), which no database stores alike."""
    if key == "url":
        return v.url(value, key)
    if key == "text":
        bad = _CONTROL.search(value)
        if bad:
            raise InvalidValue(key, value[:40], f"含有不可见的控制字符（U+{ord(bad.group()):04X}）")
        return value
    return v.text(value, key, max_len=1000 if key == "title" else 200, multiline=False)


def _write(
    session: Session,
    path: Path,
    by_account: dict[int, dict[str, dict[str, Any]]],
    *,
    rows: int,
    as_of: datetime | None,
    now: datetime,
) -> PostImport:
    new = 0
    for account_id, posts in by_account.items():
        added = upsert_posts(session, account_id, list(posts.values()), origin="import", fetched_at=now)
        if as_of is not None:  # the source was read in full at as_of: a collection, as a crawl's
            record_attempt(
                session,
                account_id=account_id,
                outcome="ok",
                source="import",
                at=as_of,
                detail=f"从文件 {path.name} 导入 {len(posts)} 条（截至 {local_iso(as_of)} 完整读取）",
                new_posts=added,
            )
        new += added
    return PostImport(rows=rows, accounts=len(by_account), new_posts=new, collected=as_of is not None)


class _AccountLookup:
    """``account`` cells: an account id, or ``platform:platform_id`` (platform code or 中文名)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[str, int | None] = {}

    def find(self, ref: str) -> int | None:
        if ref not in self.cache:
            self.cache[ref] = self._lookup(ref)
        return self.cache[ref]

    def _lookup(self, ref: str) -> int | None:
        if ref.isascii() and ref.isdigit():
            number = v.record_id(ref)
            return self.session.scalar(select(Account.id).where(Account.id == number)) if number else None
        if ":" not in ref:
            return None
        platform, platform_id = ref.split(":", 1)
        code = PLATFORM.find(platform)
        if code is None:
            return None
        return self.session.scalar(
            select(Account.id).where(Account.platform == code, Account.platform_id == platform_id.strip())
        )


def _repost(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(text)


def _read(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, {key: cell}) for each data row, through the one file reader."""
    table = read_table(path, READ_COLUMNS, formats=(".csv", ".jsonl", ".xlsx"))
    for number, _column, line, reason in table.errors:
        yield number, {"_invalid": reason, "_line": line}
    for row in table.rows:
        yield row.number, row.values
