"""One bad account never stops a crawl; a refusal is never "no posts"; a bad crawl setting is
one line before anything runs; no credential is stored or printed, whatever a server echoes."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text

from registry.collection.queries import account_attempts
from registry.db import get_engine, session_scope
from registry.filing.models import Account
from spiders.crawl import run_crawl
from spiders.standin import StandinAccount, StandinServer, file_accounts, make_posts
from tests.factories import PROVINCE, small_registry

ENGLISH = re.compile(r"[A-Za-z]{4,}Error|Exception|Traceback|out of range")


def _legacy(db: str, account_id: int, **values: object) -> None:
    """A filing stored before today's checks existed: write the bad value straight into the row
    (the registry's own validation refuses it now, so no library function can)."""
    with session_scope(db) as s:
        account = s.get(Account, account_id)
        assert account is not None
        for key, value in values.items():
            setattr(account, key, value)


def test_one_bad_filing_never_stops_the_crawl(tmp_path: Path) -> None:
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    good = [
        StandinAccount("weibo", "2803301701", "甲", posts=make_posts(3)),
        StandinAccount("douyin", "MS4wLjABAAAAaaaaaaaaaaaaaaaaaaaa", "乙", kind="rss", posts=make_posts(3)),
        StandinAccount("douyin", "MS4wLjABAAAAbbbbbbbbbbbbbbbbbbbb", "丙", kind="rss", posts=make_posts(3)),
        StandinAccount("website", "site-d", "丁", kind="html", posts=make_posts(3)),
        StandinAccount("bilibili", "12345678", "戊", posts=make_posts(3)),
    ]
    with StandinServer(good) as server:
        ids = file_accounts(db, server, good, unit=PROVINCE)
        bad_port, bad_selector = ids[good[1].key], ids[good[3].key]
        _legacy(db, bad_port, feed_url="http://127.0.0.1:99999/feed")
        _legacy(db, bad_selector, selectors={"item": "[[[", "url": server.list_url(good[3])})
        report = run_crawl(db, env=server.env())
    outcomes = {r["account_id"]: r for r in report.results}
    assert {outcomes[i]["outcome"] for i in ids.values() if i not in (bad_port, bad_selector)} == {"ok"}
    assert outcomes[bad_port]["outcome"] == "error" and "采集地址" in outcomes[bad_port]["detail"]
    assert outcomes[bad_selector]["outcome"] == "error" and "选择器" in outcomes[bad_selector]["detail"]
    for result in report.results:
        assert not ENGLISH.search(result["detail"] or ""), result


def test_a_login_message_is_a_refusal_not_an_empty_account(tmp_path: Path) -> None:
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    accounts = [
        StandinAccount("weibo", "2803301702", "要求登录", posts=make_posts(3), fault="ok_0_login"),
        StandinAccount("weibo", "2803301703", "真的没有", fault="empty"),
    ]
    with StandinServer(accounts) as server:
        ids = file_accounts(db, server, accounts, unit=PROVINCE)
        report = run_crawl(db, env=server.env())
    outcomes = {r["account_id"]: r["outcome"] for r in report.results}
    assert outcomes[ids[accounts[0].key]] == "auth_expired"
    assert outcomes[ids[accounts[1].key]] == "empty"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GOVMEDIA_CRAWL_DELAY", "abc"),
        ("GOVMEDIA_CRAWL_DELAY", "inf"),
        ("GOVMEDIA_WEIBO_DELAY", "-1"),
        ("GOVMEDIA_WEIBO_DAILY_BUDGET", "1.5"),
        ("GOVMEDIA_CRAWL_TIMEOUT", "0"),
    ],
)
def test_a_bad_crawl_setting_is_one_line_before_anything_runs(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:  # type: ignore[no-untyped-def]
    small_registry(str(tmp_path / "govmedia.db"))
    monkeypatch.setenv(name, value)
    result = cli("crawl")
    assert result.code == 2, result
    assert result.err.startswith("错误：") and name in result.err and f"「{value}」" in result.err
    assert len(result.err.strip().splitlines()) == 1


# --- no secret is stored or printed --------------------------------------------------

MARKERS = {
    "GOVMEDIA_WEIBO_COOKIE": "SUB=MkWbSub7731q; SUBP=MkWbSubp8842r",
    "GOVMEDIA_WECHAT_TOKEN": "MkWxTok5521z",
    "GOVMEDIA_WECHAT_COOKIE": "slave_sid=MkWxSid6631y; data_ticket=MkWxTkt9912x",
    "GOVMEDIA_BILIBILI_COOKIE": "SESSDATA=MkBlSess4410w",
}
VALUES = ["MkWbSub7731q", "MkWbSubp8842r", "MkWxTok5521z", "MkWxSid6631y", "MkWxTkt9912x", "MkBlSess4410w"]


class _Echo(BaseHTTPRequestHandler):
    """Answers every request by echoing what it was sent: cookies back as Set-Cookie, the
    query string and the headers in the body, and tokens in a redirect location."""

    def do_GET(self) -> None:
        cookie = self.headers.get("Cookie", "")
        echoed = f"你的请求 {self.path} Cookie: {cookie} headers: {dict(self.headers)}"
        if "/cgi-bin/" in self.path:  # the WeChat MP backend: redirect with the token, URL-encoded
            self.send_response(302)
            self.send_header("Location", "/login?redirect=" + quote(self.path, safe=""))
        else:
            self.send_response(418)
        for part in cookie.split(";"):
            if part.strip():
                self.send_header("Set-Cookie", part.strip() + "; Path=/")
        body = echoed.encode()
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def echo() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_no_credential_reaches_the_database_the_logs_or_the_screen(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, echo: str
) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    port = echo.rsplit(":", 1)[1]
    for name, value in MARKERS.items():
        monkeypatch.setenv(name, value)
    for platform in ("WEIBO", "WECHAT", "BILIBILI"):
        monkeypatch.setenv(f"GOVMEDIA_{platform}_BASE_URL", f"{echo}/{platform.lower()}")
    monkeypatch.setenv("GOVMEDIA_ALLOW_PRIVATE_URLS", f"127.0.0.1:{port}")
    monkeypatch.setenv("GOVMEDIA_CRAWL_RETRIES", "0")
    for platform, pid, name in (
        ("weibo", "2803301704", "微博甲"),
        ("wechat", "gh_0123456789ab", "公众号乙"),
        ("bilibili", "87654321", "B站丙"),
    ):
        assert cli(["account", "file", "--unit", PROVINCE, "--platform", platform, "--name", name,
                    "--platform-id", pid, "--reason", "测试"]).code == 0  # fmt: skip
    for account_id in (1, 2, 3):
        assert cli(["account", "approve", str(account_id)]).code == 0
    shown = cli("crawl --format json")
    table = cli("crawl")
    assert shown.code == 0 and table.code == 0, shown
    outcomes = {r["outcome"] for r in json.loads(shown.out)}
    assert outcomes <= {"blocked", "auth_expired", "error"}  # every fetch was refused
    with session_scope(db) as s:
        attempts = [a for i in (1, 2, 3) for a in account_attempts(s, i)]
    assert any(a["snippet"] for a in attempts)  # the echoed bodies were kept as evidence…
    dumped = _dump(db)
    config = cli("config show --format json")
    for value in VALUES:  # …but no credential is in them, nor anywhere else
        for where, content in (("database", dumped), ("stdout", shown.out + table.out), ("stderr", shown.err + table.err),
                               ("config show", config.out)):  # fmt: skip
            assert value not in content, f"{value} leaked into {where}"


def _dump(db: str) -> str:
    """Every text cell of every table, as one string."""
    engine = get_engine(db)
    parts = []
    with engine.connect() as conn:
        for (table,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")):
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                parts += [str(v) for v in row if v is not None]
    return "\n".join(parts)
