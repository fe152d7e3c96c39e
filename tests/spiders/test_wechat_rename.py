"""A WeChat account renamed on the platform after it was filed is still collected: the fakeid
that the first crawl's search found is kept and used when the filed name no longer matches."""

from __future__ import annotations

from registry.collection.queries import account_attempts, account_snapshots
from registry.db import session_scope
from spiders.crawl import run_crawl
from spiders.standin import StandinAccount, StandinServer, file_accounts, make_posts
from tests.factories import CITY, small_registry


def test_renamed_wechat_account_is_not_gone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    account = StandinAccount("wechat", "gh_00aa11bb22cc", "兰州发布", posts=make_posts(3, prefix="wx"))
    renamed_later = StandinAccount("wechat", "gh_00aa11bb22dd", "城关发布", posts=make_posts(2, prefix="wy"))
    with StandinServer([account, renamed_later]) as server:
        ids = file_accounts(db, server, [account, renamed_later], unit=CITY, actor="t")
        # the second account was renamed before its first crawl: nothing known, so not found
        renamed_later.name = "城关区融媒"
        first = run_crawl(db, env=server.env())
        assert [r["outcome"] for r in first.results] == ["ok", "gone"]
        account.name = "兰州发布厅"  # renamed on the platform after the first crawl
        second = run_crawl(db, account_ids=[ids[account.key]], env=server.env())
    assert second.results[0]["outcome"] == "ok", second.results
    with session_scope(db) as s:
        attempts = account_attempts(s, ids[account.key])
        snapshots = account_snapshots(s, ids[account.key])
    assert [a["outcome"] for a in attempts][:2] == ["ok", "ok"]
    assert snapshots and snapshots[-1]["extra"]["fakeid"]
