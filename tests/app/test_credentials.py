"""No secret is stored or printed: a marker value in every credential setting (cookies, tokens,
the SMTP password, the DingTalk secret, robot keys in webhook URLs, the WeChat-client key and
uin, a search bridge's key), crawls, searches and alerts against servers that echo everything
back (headers, bodies, every Set-Cookie, a redirect location URL-encoded, a robot's error
message), and then a search for every marker, verbatim and URL-encoded, in the database files,
every command's stdout and stderr (the scheduler's log included) and every report written."""

from __future__ import annotations

import base64
import json
import socketserver
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote

import pytest

from registry.masking import forget_secrets
from tests.factories import CITY, small_registry

SECRETS = {
    "GOVMEDIA_WEIBO_COOKIE": "SUB=MkWbSub+7731/q; XSRF-TOKEN=MkWbXsrf8842r",
    "GOVMEDIA_WECHAT_TOKEN": "MkWxTok5521z",
    "GOVMEDIA_WECHAT_COOKIE": "slave_sid=MkWxSid6631y; data_ticket=MkWxTkt99+12x",
    "GOVMEDIA_BILIBILI_COOKIE": "SESSDATA=MkBlSess%2C4410w; bili_jct=MkBlJct3310v",
    "GOVMEDIA_SMTP_USER": "alert@example.gov.cn",
    "GOVMEDIA_SMTP_PASSWORD": "MkSmtpPass2210u",
    "GOVMEDIA_WEBHOOK_DINGTALK_SECRET": "SECMkDingSec1109t",
    "GOVMEDIA_DISCOVERY_WECHAT_ABOUT_KEY": "MkAboutKey0098s",
    "GOVMEDIA_DISCOVERY_WECHAT_ABOUT_UIN": "MkAboutUin9987r",
}
URL_SECRETS = {  # (variable, path and query with the key; the echo server's address is prefixed)
    "GOVMEDIA_WEBHOOK_WECOM": "/wecom?key=MkWecomKey8876q",
    "GOVMEDIA_WEBHOOK_DINGTALK": "/dingtalk?access_token=MkDingTok7765p",
    "GOVMEDIA_WEBHOOK_GENERIC": "/hook?token=MkGenTok6654o",
    "GOVMEDIA_DISCOVERY_DOUYIN_SEARCH_URL": "/douyin?q={query}&page={page}&apikey=MkDySearch5543n",
}
MARKERS = [
    "MkWbSub+7731/q", "MkWbXsrf8842r", "MkWxTok5521z", "MkWxSid6631y", "MkWxTkt99+12x", "MkBlSess%2C4410w",
    "MkBlJct3310v", "MkSmtpPass2210u", "SECMkDingSec1109t", "MkAboutKey0098s", "MkAboutUin9987r",
    "MkWecomKey8876q", "MkDingTok7765p", "MkGenTok6654o", "MkDySearch5543n",
]  # fmt: skip


def forms(marker: str) -> set[str]:
    """A marker as a leak may show it: verbatim, URL-encoded (both ways) or decoded."""
    return {marker, quote(marker, safe=""), quote_plus(marker), unquote(marker)}


class _Echo(BaseHTTPRequestHandler):
    """Answers every request with what it was sent: each cookie back as a Set-Cookie, the
    request line, headers and body in the response body and a header, a robot's error message
    quoting them, and for the WeChat back-end a redirect that carries the path URL-encoded."""

    def _answer(self, body_in: str) -> None:
        cookie = self.headers.get("Cookie", "")
        echoed = f"你的请求 {self.command} {self.path} 头 {dict(self.headers)} 正文 {body_in}"
        if self.command == "POST":  # a robot: a JSON error quoting the request
            status, kind = 200, "application/json"
            body = json.dumps({"errcode": 40001, "errmsg": echoed}, ensure_ascii=False).encode()
        elif "/cgi-bin/" in self.path or "/mp/" in self.path:
            status, kind = 302, "text/html; charset=utf-8"
            body = echoed.encode()
        else:
            status, kind = 403, "text/html; charset=utf-8"
            body = f"<html><body>请登录 {echoed}</body></html>".encode()
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/login?redirect=" + quote(self.path, safe=""))
        for part in cookie.split(";"):
            if part.strip():
                self.send_header("Set-Cookie", part.strip() + "; Path=/; HttpOnly")
        self.send_header("X-Echo", quote(cookie + " " + self.path, safe=""))
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer("")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._answer(self.rfile.read(length).decode("utf-8", "replace"))

    def log_message(self, *args: object) -> None:
        return


class _Smtp(socketserver.StreamRequestHandler):
    """An SMTP server that refuses every login quoting the user name and password it got."""

    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        self.reply("220 echo ESMTP")
        for raw in self.rfile:
            line = raw.decode("utf-8", "replace").strip()
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-echo")
                self.reply("250 AUTH PLAIN")
            elif verb == "AUTH":
                token = line.split()[-1]
                decoded = base64.b64decode(token + "==").decode("utf-8", "replace").replace("\0", " ")
                self.reply(f"535 5.7.8 wrong credentials: {decoded}")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply(f"502 unknown {line}")


@pytest.fixture
def servers() -> Iterator[tuple[str, int]]:
    http = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    smtp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    smtp.daemon_threads = True
    for server in (http, smtp):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_address[1]}", smtp.server_address[1]
    for server in (http, smtp):
        server.shutdown()
        server.server_close()
    forget_secrets()


def _contents(root: Path) -> dict[str, bytes]:
    """Every file under ``root``; the members of .xlsx/.docx zips separately."""
    out: dict[str, bytes] = {}
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        out[str(path)] = data
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    out[f"{path}!{name}"] = archive.read(name)
    return out


def test_no_configured_credential_is_stored_printed_or_reported(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, servers: tuple[str, int]
) -> None:  # type: ignore[no-untyped-def]
    echo, smtp_port = servers
    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    port = echo.rsplit(":", 1)[1]
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    for name, path in URL_SECRETS.items():
        monkeypatch.setenv(name, echo + path)
    for platform in ("WEIBO", "WECHAT", "BILIBILI"):
        monkeypatch.setenv(f"GOVMEDIA_{platform}_BASE_URL", f"{echo}/{platform.lower()}")
    monkeypatch.setenv("GOVMEDIA_ALLOW_PRIVATE_URLS", f"127.0.0.1:{port}")
    monkeypatch.setenv("GOVMEDIA_CRAWL_RETRIES", "0")
    monkeypatch.setenv("GOVMEDIA_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOVMEDIA_SMTP_PORT", str(smtp_port))
    monkeypatch.setenv("GOVMEDIA_SMTP_SENDER", "alert@example.gov.cn")
    monkeypatch.setenv("GOVMEDIA_ALERTS_CENTRE_EMAIL", "centre@example.gov.cn")
    monkeypatch.setenv("GOVMEDIA_DISCOVERY_PLATFORMS", "weibo,wechat,bilibili,douyin")
    outputs = []

    def run(args: list[str] | str, expect: tuple[int, ...] = (0,)) -> None:
        result = cli(args)
        assert result.code in expect, result
        outputs.append((str(args), result.out + result.err))

    for platform, pid, name in (
        ("weibo", "2803301704", "微博甲"),
        ("wechat", "gh_0123456789ab", "公众号乙"),
        ("bilibili", "87654321", "B站丙"),
    ):
        run(["account", "file", "--unit", CITY, "--platform", platform, "--name", name, "--platform-id", pid])
    run(["account", "approve", "--all-pending"])
    run("crawl --format json")
    run("crawl")
    run("schedule run --once crawl", expect=(0, 1))  # the scheduler's log goes to stderr
    run("discover run --format json")
    run("discover list --format json")
    run("alert test --to someone@example.gov.cn", expect=(1,))  # every channel refused
    run("alert list --format json")
    run("schedule history --format json")
    run("config show --format json")
    run("status")
    run("check run --kind weekly --format json")
    run("report check 1 --out reports")
    run("check sheet 1 reports/sheet.xlsx")
    run("account list --format csv --out reports/accounts.csv")
    run(["post", "list", "--account", "1", "--format", "json"])
    files = {
        name: data for name, data in _contents(tmp_path).items() if "govmedia.db" in name or "reports" in name
    }
    assert any("govmedia.db" in name for name in files)
    alerts = next(text for command, text in outputs if command == "alert list --format json")
    assert "机器人返回错误" in alerts and "邮件服务器拒绝登录" in alerts  # every channel answered
    for marker in MARKERS:
        for form in forms(marker):
            for command, text in outputs:
                assert form not in text, f"{form} leaked into the output of {command}"
            for name, data in files.items():
                assert form.encode() not in data, f"{form} leaked into {name}"
    # the evidence is still there, masked: the echoed pages were kept as snippets
    from registry.collection.queries import account_attempts
    from registry.db import session_scope

    with session_scope(db) as s:
        snippets = [a["snippet"] or "" for i in (1, 2, 3) for a in account_attempts(s, i)]
    assert any("***" in snippet for snippet in snippets), snippets
