"""`govmedia crawl` run by hand takes credentials and base URLs from govmedia.toml too."""

from __future__ import annotations

import json

from spiders.standin import StandinAccount, StandinServer, file_accounts, make_posts
from tests.factories import CITY, small_registry


def test_crawl_reads_base_urls_from_the_config_file(tmp_path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    account = StandinAccount("weibo", "2803301799", "兰州发布", posts=make_posts(3, prefix="48"))
    with StandinServer([account]) as server:
        file_accounts(db, server, [account], unit=CITY, actor="t")
        for key in server.env():
            monkeypatch.delenv(key, raising=False)
        (tmp_path / "etc").mkdir()
        config = tmp_path / "etc" / "govmedia.toml"
        config.write_text(
            f'[weibo]\nbase_url = "{server.base_url}/weibo"\ncookie = "SUB=secret"\n[crawl]\ndelay = 0\n',
            encoding="utf-8",
        )
        # no GOVMEDIA_WEIBO_BASE_URL in the environment: only the file points at the stand-in
        with_config = cli(["--db", db, "--config", str(config), "crawl", "--format", "json"])
        hits = sum(server.hits.values())
    assert hits > 0
    assert with_config.code == 0, with_config
    assert json.loads(with_config.out)[0]["outcome"] == "ok"
