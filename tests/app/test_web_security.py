"""Attacks on the workbench: CSRF without (or with another session's) token (also on the forms
of the filing life cycle), XSS in a post's text and an account's name (also on the change form), IDOR across jurisdictions, brute-force lockout (per name and per
address, across processes because it is in the database), no user enumeration, the security
headers, cookies, and no secret in any log."""

from __future__ import annotations

import logging
import re

import pytest

from registry.db import session_scope
from registry.filing import accounts as filing
from registry.filing import queries as listing
from registry.users import logins
from registry.users.logins import Throttle
from tests.app.web_registry import CHENGGUAN, PASSWORD, QINZHOU, build, client, csrf_of, login

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def reg(any_db: str):  # type: ignore[no-untyped-def]
    return build(any_db, copies=2)


def test_a_form_without_its_csrf_token_changes_nothing(reg) -> None:  # type: ignore[no-untyped-def]
    web = client(reg.db)
    login(web, "兰州监管")
    target = reg.pending[CHENGGUAN][0]
    for form in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
        r = web.post(f"/accounts/{target}/approve", data=form, follow_redirects=False)
        assert r.status_code == 403 and "安全令牌" in r.text
    other = client(reg.db)
    foreign = login(other, "省监管")  # a valid token of another session is not this session's
    r = web.post(f"/accounts/{target}/approve", data={"csrf_token": foreign}, follow_redirects=False)
    assert r.status_code == 403
    assert web.get("/api/accounts").json()[0]["status"] == "pending"
    r = web.post("/logout", data={}, follow_redirects=False)
    assert r.status_code == 403 and web.get("/", follow_redirects=False).status_code == 200


def test_the_life_cycle_forms_need_their_token(any_db: str) -> None:
    """变更、重新报备、关停、注销 without this session's token: 403, and the account unchanged."""
    reg = build(any_db, lifecycle=1)
    web = client(reg.db)
    login(web, "城关填报")
    foreign = login(client(reg.db), "兰州监管")  # a valid token of another session
    active, rejected = reg.spare[CHENGGUAN][0], reg.rejected[CHENGGUAN][0]
    with session_scope(reg.db) as s:
        before = {a: (listing.account_detail(s, a), len(listing.history(s, a))) for a in (active, rejected)}
    for path in (
        f"/accounts/{active}/change",
        f"/accounts/{rejected}/refile",
        f"/accounts/{active}/close",
        f"/accounts/{active}/cancel",
    ):
        for token in ({}, {"csrf_token": ""}, {"csrf_token": "forged"}, {"csrf_token": foreign}):
            form = {**token, "reason": "核实", "name": "被篡改的名称", "phone": "13800138000"}
            r = web.post(path, data=form, follow_redirects=False)
            assert r.status_code == 403 and "安全令牌" in r.text, (path, token)
    with session_scope(reg.db) as s:
        after = {a: (listing.account_detail(s, a), len(listing.history(s, a))) for a in (active, rejected)}
    assert after == before


def test_the_login_form_needs_its_token_too(reg) -> None:  # type: ignore[no-untyped-def]
    web = client(reg.db)
    r = web.post("/login", data={"username": "兰州监管", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403 and "govmedia_session" not in r.headers.get("set-cookie", "")


def test_xss_in_a_post_and_an_account_name_is_shown_as_text(any_db: str) -> None:
    reg = build(any_db, post_text=f"正文{XSS}某某错误表述{XSS}", account_name=f"发布{XSS}")
    web = client(reg.db)
    login(web, "兰州复核")
    pages = [
        web.get("/review").text,
        web.get(f"/accounts/{reg.active[CHENGGUAN]}").text,
        web.get("/accounts?search=发布").text,
        web.get("/ledger").text,
    ]
    for page in pages:
        assert "<script>" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page
    with session_scope(reg.db) as s:  # a rejection's reason is shown to the filer as text too
        filing.reject(s, reg.pending[CHENGGUAN][0], reason=f"理由{XSS}", actor="兰州监管")
    filer = client(reg.db)
    login(filer, "城关填报")
    for path in ("/", f"/accounts/{reg.pending[CHENGGUAN][0]}", *(
        f"/accounts/{reg.active[CHENGGUAN]}/{step}" for step in ("change", "close", "cancel")
    )):  # fmt: skip
        page = filer.get(path).text
        assert "<script>" not in page and "<img src=x" not in page and "&lt;script&gt;" in page, path
    review = pages[0]
    assert "<mark>某某错误表述</mark>" in review  # the highlight is markup, the text around it is not
    assert re.search(r"正文&lt;script&gt;alert\(&#34;x&#34;\)&lt;/script&gt;", review)


def test_idor_across_jurisdictions_is_404_like_a_missing_object(reg) -> None:  # type: ignore[no-untyped-def]
    web = client(reg.db)
    csrf = login(web, "兰州监管")
    missing = web.get("/accounts/99999")
    foreign = web.get(f"/accounts/{reg.active[QINZHOU]}")
    assert missing.status_code == foreign.status_code == 404
    assert missing.text.replace("99999", "") == foreign.text.replace(str(reg.active[QINZHOU]), "")
    for path in (
        f"/accounts/{reg.pending[QINZHOU][0]}/approve",
        f"/accounts/{reg.pending[QINZHOU][0]}/reject",
        f"/findings/{reg.findings[QINZHOU][0]}/confirm",
        f"/ledger/{reg.items[QINZHOU][0]}/close",
        f"/accounts/{reg.active[QINZHOU]}/change",
        f"/accounts/{reg.active[QINZHOU]}/close",
        f"/accounts/{reg.active[QINZHOU]}/cancel",
        f"/accounts/{reg.pending[QINZHOU][0]}/refile",
        "/accounts/99999/change",
    ):
        assert (
            web.post(path, data={"csrf_token": csrf, "reason": "x", "note": "x", "name": "x"}).status_code
            == 404
        )
    for step in ("change", "close", "cancel"):
        missing, foreign = (
            web.get(f"/accounts/99999/{step}"),
            web.get(f"/accounts/{reg.active[QINZHOU]}/{step}"),
        )
        assert missing.status_code == foreign.status_code == 404
        assert missing.text.replace("99999", "") == foreign.text.replace(str(reg.active[QINZHOU]), "")
    assert web.get(f"/ledger/{reg.items[QINZHOU][0]}").status_code == 404
    assert "秦州" not in web.get("/api/accounts").text
    assert "秦州" not in web.get("/api/findings").text


def _try(web, name: str, password: str):  # type: ignore[no-untyped-def]
    token = csrf_of(web.get("/login").text)
    return web.post(
        "/login", data={"username": name, "password": password, "csrf_token": token}, follow_redirects=False
    )


def test_brute_force_locks_the_name_even_for_the_right_password(reg) -> None:  # type: ignore[no-untyped-def]
    web = client(reg.db, throttle=Throttle(per_name=3, per_address=100, window_minutes=15))
    for _ in range(3):
        r = _try(web, "兰州监管", "wrong-password")
        assert r.status_code == 200 and "用户名或密码错误" in r.text
    r = _try(web, "兰州监管", PASSWORD)
    assert r.status_code == 200 and "登录失败次数过多" in r.text
    fresh = client(reg.db, throttle=Throttle(per_name=3, per_address=100, window_minutes=15))
    assert "登录失败次数过多" in _try(fresh, "兰州监管", PASSWORD).text  # another process: same lock
    assert _try(web, "兰州复核", PASSWORD).status_code == 303  # other names are not locked


def test_brute_force_locks_the_address(reg) -> None:  # type: ignore[no-untyped-def]
    web = client(reg.db, throttle=Throttle(per_name=100, per_address=4, window_minutes=15))
    for n in range(4):
        _try(web, f"猜测{n}", "x")
    assert "登录失败次数过多" in _try(web, "兰州复核", PASSWORD).text


def test_the_lock_ends_with_its_window(reg) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from registry.db import utcnow

    throttle = Throttle(per_name=2, per_address=100, window_minutes=15)
    then = utcnow() - timedelta(minutes=16)
    with session_scope(reg.db) as s:
        for _ in range(2):
            logins.sign_in(s, name="兰州监管", password="x", address="1.2.3.4", throttle=throttle, now=then)
    with session_scope(reg.db) as s:
        assert logins.sign_in(
            s, name="兰州监管", password=PASSWORD, address="1.2.3.4", throttle=throttle
        ).user


def test_no_user_enumeration(reg) -> None:  # type: ignore[no-untyped-def]
    web = client(reg.db)
    unknown = _try(web, "没有这个人", "wrong-password")
    wrong = _try(web, "兰州监管", "wrong-password")
    assert unknown.status_code == wrong.status_code == 200

    def message(page: str) -> str:
        return re.search(r'role="alert">([^<]*)<', page).group(1)  # type: ignore[union-attr]

    assert message(unknown.text) == message(wrong.text) == "用户名或密码错误"


def test_a_disabled_user_cannot_sign_in_and_its_sessions_end(reg, cli) -> None:  # type: ignore[no-untyped-def]
    web = client(reg.db)
    login(web, "兰州只读")
    assert cli(["--db", reg.db, "user", "disable", "兰州只读"]).code == 0
    assert web.get("/", follow_redirects=False).headers["location"] == "/login"
    assert "用户名或密码错误" in _try(client(reg.db), "兰州只读", PASSWORD).text


def test_headers_and_cookies(reg) -> None:  # type: ignore[no-untyped-def]
    web = client(reg.db)
    page = web.get("/login")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY" and page.headers["referrer-policy"] == "same-origin"
    assert "<script" not in page.text
    r = _try(web, "兰州监管", PASSWORD)
    cookie = r.headers["set-cookie"]
    assert "govmedia_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP on this test client


def test_secure_cookies_behind_a_trusted_https_proxy_only(reg) -> None:  # type: ignore[no-untyped-def]
    proxied = client(reg.db, trust_proxy=True, proxy_addresses=("testclient",))
    headers = {"X-Forwarded-Proto": "https"}
    page = proxied.get("/login", headers=headers)
    assert "Secure" in page.headers["set-cookie"] and "strict-transport-security" not in page.headers
    untrusted = client(reg.db)  # the same header from a client that is not the proxy is ignored
    page = untrusted.get("/login", headers=headers)
    assert "Secure" not in page.headers["set-cookie"]


def test_no_secret_in_the_logs(reg, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    web = client(reg.db)
    csrf = login(web, "兰州监管")
    session_id = web.cookies.get("govmedia_session")
    web.get("/")
    web.post(f"/accounts/{reg.pending[CHENGGUAN][0]}/approve", data={"csrf_token": csrf})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert session_id and session_id not in logged and csrf not in logged and PASSWORD not in logged
    with session_scope(reg.db) as s:
        from sqlalchemy import select

        from registry.users.models import User, WebSession

        assert session_id not in set(s.scalars(select(WebSession.digest)))  # only its digest is kept
        assert all(h and h.startswith("$argon2id$") for h in s.scalars(select(User.password_hash)))
