"""Early-warning alerts: silence, the escalation ladder, e-mail through a real local SMTP server,
webhooks (generic, WeCom, DingTalk) through a local HTTP receiver, once per step per silence."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from monitor.alerts import warning as alerts
from monitor.alerts.deliver import dingtalk_signed
from monitor.alerts.settings import DEFAULT_STEPS
from monitor.app.config import alert_settings, load_config
from registry import db as dbmod
from registry.collection import store as collection
from registry.collection.activity import Activity
from registry.db import session_scope
from registry.filing.queries import Contacts
from registry.ops import alerts as ops
from registry.timeutil import TZ
from tests.factories import CITY, COUNTY, DEPT, small_registry

T = datetime(2026, 11, 20, 8, 0, tzinfo=TZ).astimezone(UTC)  # the latest crawl
DAY = timedelta(days=1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Mailbox:
    messages: list[tuple[list[str], Any]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"

    def to(self, address: str) -> list[Any]:
        return [m for rcpt, m in self.messages if address in rcpt]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    from aiosmtpd.controller import Controller

    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@dataclass
class Hooks:
    url: str
    received: list[tuple[str, dict[str, list[str]], dict[str, Any]]] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)

    def bodies(self, path: str) -> list[dict[str, Any]]:
        return [body for p, _q, body in self.received if p == path]


@pytest.fixture
def webhook() -> Iterator[Hooks]:
    hooks = Hooks("")

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            parsed = urllib.parse.urlparse(self.path)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            hooks.received.append((parsed.path, urllib.parse.parse_qs(parsed.query), body))
            if parsed.path in hooks.failing:
                answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
            else:
                answer = {"errcode": 0, "errmsg": "ok"}
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    hooks.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hooks
    server.shutdown()
    server.server_close()


def channels_env(port: int, hooks: Hooks, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = {
        "GOVMEDIA_SMTP_HOST": "127.0.0.1",
        "GOVMEDIA_SMTP_PORT": str(port),
        "GOVMEDIA_SMTP_SENDER": "alert@example.gov.cn",
        "GOVMEDIA_WEBHOOK_GENERIC": f"{hooks.url}/generic",
        "GOVMEDIA_WEBHOOK_WECOM": f"{hooks.url}/wecom?key=wecom-key-1",
        "GOVMEDIA_WEBHOOK_DINGTALK": f"{hooks.url}/dingtalk?access_token=ding-token-1",
        "GOVMEDIA_WEBHOOK_DINGTALK_SECRET": "SECdingtalksecret",
        "GOVMEDIA_ALERTS_CENTRE_EMAIL": "centre@example.gov.cn",
        "GOVMEDIA_ALERTS_CENTRE_PHONE": "13800000000",
    }
    for key, value in settings.items():
        monkeypatch.setenv(key, value)


def account(url: str, n: int, name: str, unit: str = CITY) -> int:
    from tests.factories import active_account

    return active_account(
        url,
        unit=unit,
        platform="weibo",
        name=name,
        platform_id=f"{1000000 + n}",
        reason="测试",
        owner=f"负责人{n}",
        email=f"owner{n}@example.gov.cn",
        phone=f"1391234{n:04d}",
        leader=f"领导{n}",
        leader_email=f"leader{n}@example.gov.cn",
        leader_phone=f"1371234{n:04d}",
    )


def posted(url: str, account_id: int, at: datetime, post_id: str) -> None:
    with session_scope(url) as s:
        collection.upsert_posts(s, account_id, [{"post_id": post_id, "published_at": at}])


def crawled(url: str, account_id: int, at: datetime, outcome: str = "ok") -> None:
    with session_scope(url) as s:
        collection.record_attempt(s, account_id=account_id, outcome=outcome, at=at)


def run_pass(url: str, now: datetime = T + timedelta(hours=1)) -> list[dict[str, Any]]:
    """The pass run (by default) an hour after the latest crawl (a crawl older than the
    freshness days no longer speaks for the present: 采集过期)."""
    with session_scope(url) as s:
        return alerts.run_alert_pass(s, alert_settings(load_config(None)), now=now)


# --- rules ---------------------------------------------------------------------------


def measure(post_days: float | None, ok_days: float | None, outcome: str | None) -> alerts.Silence | None:
    """The silence of an account filed 60 days before T; times are days before T; the latest
    attempt (with ``outcome``) is at T."""
    account = Contacts(1, "账号", "weibo", "单位", None, None, None, None, None, None, T - 60 * DAY)
    activity = Activity(T - ok_days * DAY if ok_days is not None else None, T if outcome else None, outcome)
    if outcome is None and ok_days is None:
        activity = None  # type: ignore[assignment]
    last_post = T - post_days * DAY if post_days is not None else None
    return alerts.silence(account, activity, last_post, now=T, freshness_days=3)


@pytest.mark.parametrize(
    ("post_days", "ok_days", "outcome", "expected"),
    [
        (10, 0, "ok", 10),
        (9.99, 0, "ok", 9),
        (13.5, 0, "empty", 13),
        (20, 5, "blocked", None),  # a failed crawl is not silence (未能采集, as the check says)
        (20, 4, "auth_expired", None),
        (20, 0, "blocked", 20),  # a success within the freshness days still stands, as in the check
        (20, 1, "auth_expired", 19),
        (20, None, "error", None),
        (20, None, None, None),  # never collected
        (None, 0, "ok", 60),  # never posted: silent since filing
        (12, 2, "ok", 10),  # known only up to the last successful collection
        (1, 0, "ok", 1),
    ],
)
def test_silence(
    post_days: float | None, ok_days: float | None, outcome: str | None, expected: int | None
) -> None:
    measured = measure(post_days, ok_days, outcome)
    assert (measured.days if measured else None) == expected


@pytest.mark.parametrize(
    ("days", "roles"),
    [
        (9, []),
        (10, ["operator"]),
        (11, ["operator"]),
        (12, ["operator", "leader"]),
        (13, ["operator", "leader", "centre"]),
        (40, ["operator", "leader", "centre"]),
    ],
)
def test_due_steps_default_ladder(days: int, roles: list[str]) -> None:
    assert [r for _d, r in alerts.due_steps(days, list(DEFAULT_STEPS))] == roles


def test_ladder_from_config_then_profile_then_default(tmp_path: Path) -> None:
    assert list(alert_settings(load_config(None, env={})).steps) == [
        (10, "operator"),
        (12, "leader"),
        (13, "centre"),
    ]
    profile = tmp_path / "shengji.toml"
    profile.write_text(
        '[[escalation]]\ndays = 7\nto = "operator"\n[[escalation]]\ndays = 11\nto = "centre"\n',
        encoding="utf-8",
    )
    by_profile = load_config(None, env={"GOVMEDIA_PROFILE_NAME": str(profile)})
    assert list(alert_settings(by_profile).steps) == [(7, "operator"), (11, "centre")]
    both = load_config(None, env={"GOVMEDIA_PROFILE_NAME": str(profile), "GOVMEDIA_ALERTS_STEPS": "5:leader"})
    assert list(alert_settings(both).steps) == [(5, "leader")]


def test_dingtalk_signature_is_hmac_of_timestamp_and_secret() -> None:
    signed = dingtalk_signed("http://x/robot/send?access_token=t", "SECabc", now_ms=1700000000000)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(signed).query)
    expected = base64.b64encode(
        hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()
    ).decode()
    assert query["timestamp"] == ["1700000000000"] and query["sign"] == [expected]


# --- the pass, end to end ------------------------------------------------------------


def test_alert_pass_escalates_once_per_step_per_silence(  # type: ignore[no-untyped-def]
    any_db: str, smtp_server, webhook: Hooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    box, port = smtp_server
    channels_env(port, webhook, monkeypatch)
    url = dbmod.resolve_url(any_db)
    small_registry(url)
    a = account(url, 1, "十天未更新")
    b = account(url, 2, "十三天未更新", unit=COUNTY)
    c = account(url, 3, "采集失败", unit=DEPT)
    d = account(url, 4, "正常更新", unit=COUNTY)
    e = account(url, 5, "从未采集", unit=DEPT)
    f = account(url, 6, "十一天半")
    for acc, silent_days in ((a, 10.05), (b, 13.1), (c, 20), (d, 2), (e, 30), (f, 11.5)):
        posted(url, acc, T - silent_days * DAY, f"p{acc}")
    for acc in (a, b, d, f):
        crawled(url, acc, T)
    crawled(url, c, T - 4 * DAY)  # older than the freshness days, then blocked
    crawled(url, c, T, "blocked")

    sent = run_pass(url)
    assert all(r["status"] == "sent" for r in sent), sent
    steps = sorted({(r["account_id"], r["step"], r["days"]) for r in sent})
    assert steps == [
        (a, "operator", 10),
        (b, "centre", 13),
        (b, "leader", 13),
        (b, "operator", 13),
        (f, "operator", 11),
    ]
    assert len(sent) == 5 * 4  # each step: one e-mail and three webhooks
    assert sorted(r for rcpt, _m in box.messages for r in rcpt) == sorted(
        [
            "owner1@example.gov.cn",
            "owner2@example.gov.cn",
            "leader2@example.gov.cn",
            "centre@example.gov.cn",
            "owner6@example.gov.cn",
        ]
    )
    mail = box.to("leader2@example.gov.cn")[0]
    assert mail["Subject"] == "【政务新媒体无更新预警】兰州市城关区人民政府「十三天未更新」已13天未更新"
    assert "领导2" in mail.get_content() and "单项否决" in mail.get_content()

    wecom = [x for x in webhook.bodies("/wecom") if "领导2" in x["text"]["content"]]
    assert wecom[0]["msgtype"] == "text" and wecom[0]["text"]["mentioned_mobile_list"] == ["13712340002"]
    ding = [x for x in webhook.bodies("/dingtalk") if "负责人1" in x["text"]["content"]]
    assert ding[0]["at"] == {"atMobiles": ["13912340001"], "isAtAll": False}
    assert all(
        {"timestamp", "sign", "access_token"} <= set(q) for p, q, _b in webhook.received if p == "/dingtalk"
    )
    generic = next(x for x in webhook.bodies("/generic") if x["step"] == "centre")
    assert generic["type"] == "govmedia.silence" and generic["days"] == 13
    assert generic["account"]["name"] == "十三天未更新" and generic["recipient"]["phone"] == "13800000000"
    assert generic["last_post_at"].endswith("+08:00")
    recorded = {r["recipient"] for r in sent if r["channel"] == "wecom"}
    assert recorded == {f"{webhook.url}/wecom?key=******"}  # the robot key is not stored

    assert run_pass(url) == []  # once per step per silence
    assert len(box.messages) == 5

    posted(url, a, T + DAY, "a-new")  # a new post starts a new silence
    crawled(url, a, T + 11 * DAY + timedelta(hours=1))
    again = run_pass(url, now=T + 11 * DAY + timedelta(hours=2))
    assert {(r["account_id"], r["step"], r["days"]) for r in again} == {(a, "operator", 10)}
    assert len(box.to("owner1@example.gov.cn")) == 2


def test_failed_delivery_is_recorded_and_retried(
    tmp_path: Path,
    smtp_server,
    webhook: Hooks,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    box, port = smtp_server
    channels_env(port, webhook, monkeypatch)
    monkeypatch.setenv("GOVMEDIA_ALERTS_CHANNELS", "webhook")
    url = dbmod.resolve_url(str(tmp_path / "g.db"))
    small_registry(url)
    a = account(url, 1, "十天未更新")
    posted(url, a, T - 10 * DAY, "p1")
    crawled(url, a, T)
    webhook.failing.add("/wecom")
    first = {r["channel"]: r for r in run_pass(url)}
    assert first["wecom"]["status"] == "failed" and "93000" in first["wecom"]["error"]
    assert first["generic"]["status"] == "sent" and "email" not in first
    webhook.failing.clear()
    second = run_pass(url)
    assert [(r["channel"], r["status"], r["id"]) for r in second] == [("wecom", "sent", first["wecom"]["id"])]
    assert box.messages == []


# --- the command line ----------------------------------------------------------------


def test_cli_alert_test_and_list(
    cli,
    tmp_path: Path,
    smtp_server,
    webhook: Hooks,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    box, port = smtp_server
    dbmod.upgrade(str(tmp_path / "govmedia.db"))
    assert cli("alert test").code == 2  # no channel configured yet
    channels_env(port, webhook, monkeypatch)
    result = cli("alert test --to ops@example.gov.cn --format json")
    assert result.code == 0, result
    assert {r["channel"] for r in json.loads(result.out)} == {"email", "generic", "wecom", "dingtalk"}
    assert box.messages[0][0] == ["ops@example.gov.cn"]
    assert box.messages[0][1]["Subject"] == "【政务新媒体预警】测试消息"
    listed = json.loads(cli("alert list --format json").out)
    assert len(listed) == 4 and set(listed[0]) == set(ops.ALERT_KEYS)
    assert {r["step"] for r in listed} == {"test"}
    ran = cli("alert run --format json")
    assert ran.code == 0 and json.loads(ran.out) == []
