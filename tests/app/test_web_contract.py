"""The stable contract of the workbench (issue 13, item 4) and its pages at work: the sign-in
form and its answers, the API equal to the CLI's JSON, the filing form with the CLI's
validation, the approval with its reason, the review queue one after another, the ledger
answered and closed, the downloads, and every action recorded under the signed-in user."""

from __future__ import annotations

import json
import re

import pytest

from registry.db import session_scope
from registry.filing import queries as listing
from tests.app.web_registry import CHENGGUAN, PASSWORD, build, client, csrf_of, login


@pytest.fixture
def reg(any_db: str):  # type: ignore[no-untyped-def]
    return build(any_db, copies=2)


def test_the_login_form_and_its_answers(reg) -> None:  # type: ignore[no-untyped-def]
    web = client(reg.db)
    assert web.get("/", follow_redirects=False).headers["location"] == "/login"
    form = web.get("/login")
    assert form.status_code == 200
    for field in ('name="username"', 'name="password"', 'type="hidden" name="csrf_token"'):
        assert field in form.text
    token = csrf_of(form.text)
    bad = web.post("/login", data={"username": "兰州监管", "password": "nope", "csrf_token": token})
    assert bad.status_code == 200 and "用户名或密码错误" in bad.text and 'name="username"' in bad.text
    token = csrf_of(web.get("/login").text)
    ok = web.post(
        "/login",
        data={"username": "兰州监管", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/"
    assert "govmedia_session=" in ok.headers["set-cookie"]
    home = web.get("/")
    assert home.status_code == 200 and "现状与下一步" in home.text and "<svg" in home.text
    csrf = csrf_of(home.text)
    out = web.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert web.get("/", follow_redirects=False).status_code == 303
    assert web.get("/api/accounts").status_code == 401


def test_the_api_returns_the_cli_json(reg, cli) -> None:  # type: ignore[no-untyped-def]
    web = client(reg.db)
    login(web, "省管理员")  # the whole registry: exactly what the centre's CLI lists
    for path, args in (
        ("/api/accounts", "account list --format json"),
        (
            "/api/accounts?status=pending&platform=微博",
            "account list --format json --status pending --platform 微博",
        ),
        ("/api/findings?status=candidate", "finding list --format json --status candidate"),
        (
            "/api/findings?status=待复核&rule=serious_error",
            "finding list --format json --status 待复核 --rule serious_error",
        ),
    ):
        r = cli(f"--db {reg.db} {args}")
        assert r.code == 0, r
        api = web.get(path)
        assert api.status_code == 200 and api.headers["content-type"].startswith("application/json")
        assert api.json() == json.loads(r.out), path
        assert api.json()  # not two empty lists
    assert web.get("/api/findings?status=nonsense").status_code == 400


def test_the_scoped_api_is_the_library_function_with_the_jurisdiction(reg) -> None:  # type: ignore[no-untyped-def]
    from registry.checks import queries as check_queries
    from registry.users.queries import user_scope
    from registry.users.store import find_user

    web = client(reg.db)
    login(web, "兰州复核")
    with session_scope(reg.db) as s:
        scope = user_scope(s, find_user(s, "兰州复核"))
        accounts = listing.list_accounts(s, unit_ids=scope.unit_ids)
        findings = check_queries.finding_list(s, status="candidate", unit_ids=scope.unit_ids)
    assert web.get("/api/accounts").json() == json.loads(json.dumps(accounts, default=str))
    assert web.get("/api/findings?status=candidate").json() == json.loads(json.dumps(findings, default=str))


def test_filing_uses_the_cli_validation_and_records_the_signed_in_user(reg, cli) -> None:  # type: ignore[no-untyped-def]
    web = client(reg.db)
    csrf = login(web, "城关填报")
    form = {
        "csrf_token": csrf,
        "platform": "新浪微博",
        "name": "城关微博",
        "platform_id": "12",
        "phone": "123",
    }
    r = web.post("/accounts", data=form)
    cli_error = cli(
        f"--db {reg.db} account file --unit {CHENGGUAN} --platform 新浪微博 --name 城关微博 --platform-id 12 --phone 123"
    )
    assert r.status_code == 400 and cli_error.code == 2
    shown = re.search(r'role="alert">([^<]*)<', r.text).group(1)  # type: ignore[union-attr]
    assert shown == cli_error.err.strip().removeprefix("错误：")
    assert 'value="城关微博"' in r.text  # the form keeps what was typed
    form.update(platform_id="1234567", phone="13800138000", reason="政务服务需要", user="冒名者")
    r = web.post("/accounts", data=form, follow_redirects=False)
    assert r.status_code == 303
    account_id = int(r.headers["location"].split("/")[2].split("?")[0])
    with session_scope(reg.db) as s:
        [event] = listing.history(s, account_id)
    assert event["actor"] == "城关填报" and event["action"] == "file"
    page = web.get(r.headers["location"])
    assert "已报备，状态：待审核" in page.text and "城关填报（城关区人民政府，填报人员）" in page.text


def test_approve_and_reject_with_a_reason(reg) -> None:  # type: ignore[no-untyped-def]
    web = client(reg.db)
    csrf = login(web, "兰州监管")
    first, second = reg.pending[CHENGGUAN]
    queue = web.get("/approvals").text
    assert f"/accounts/{first}/approve" in queue and f"/accounts/{second}/reject" in queue
    r = web.post(
        f"/accounts/{first}/approve", data={"csrf_token": csrf, "reason": "材料齐全"}, follow_redirects=False
    )
    assert r.status_code == 303
    missing = web.post(f"/accounts/{second}/reject", data={"csrf_token": csrf, "reason": " "})
    assert missing.status_code == 400 and "驳回必须说明原因" in missing.text
    r = web.post(
        f"/accounts/{second}/reject",
        data={"csrf_token": csrf, "reason": "主办单位填写有误", "back": "queue"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/approvals?done=rejected"
    with session_scope(reg.db) as s:
        approved = listing.history(s, first)[-1]
        rejected = listing.history(s, second)[-1]
    assert (approved["action"], approved["actor"], approved["reason"]) == ("approve", "兰州监管", "材料齐全")
    assert (rejected["action"], rejected["reason"]) == ("reject", "主办单位填写有误")
    again = web.post(f"/accounts/{first}/approve", data={"csrf_token": csrf}, follow_redirects=False)
    assert again.status_code == 409 and "已备案" in again.text


def test_the_review_queue_goes_one_after_another(reg) -> None:  # type: ignore[no-untyped-def]
    web = client(reg.db)
    csrf = login(web, "兰州复核")
    page = web.get("/review").text
    first, second = reg.findings[CHENGGUAN]
    assert f"/findings/{first}/confirm" in page and "待复核问题 2 条" in page
    assert "<mark>某某错误表述</mark>" in page and "工作动态0" in page and "https://example.org/" in page
    assert "词库" in page  # the rule's description
    r = web.post(
        f"/findings/{first}/confirm", data={"csrf_token": csrf, "note": "核实"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/review")
    page = web.get(r.headers["location"]).text
    assert "已确认，下一条" in page and f"/findings/{second}/dismiss" in page and "待复核问题 1 条" in page
    missing = web.post(f"/findings/{second}/dismiss", data={"csrf_token": csrf, "note": ""})
    assert missing.status_code == 400 and "排除问题必须" in missing.text
    web.post(f"/findings/{second}/dismiss", data={"csrf_token": csrf, "note": "引用原话"})
    assert "没有待复核的问题" in web.get("/review").text
    rows = {f["id"]: f for f in web.get("/api/findings").json()}
    assert rows[first]["status"] == "confirmed" and rows[first]["reviewer"] == "兰州复核"


def test_the_ledger_answered_by_the_filer_and_closed_by_the_supervisor(reg) -> None:  # type: ignore[no-untyped-def]
    item = reg.items[CHENGGUAN][0]
    filer, supervisor = client(reg.db), client(reg.db)
    fc, sc = login(filer, "城关填报"), login(supervisor, "兰州监管")
    assert "报送整改情况" in filer.get(f"/ledger/{item}").text
    bad = filer.post(
        f"/ledger/{item}/record", data={"csrf_token": fc, "note": "已整改", "evidence_url": "not a url"}
    )
    assert bad.status_code == 400 and "佐证链接" in bad.text
    r = filer.post(
        f"/ledger/{item}/record",
        data={"csrf_token": fc, "note": "已恢复更新", "evidence_url": "https://example.org/proof"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = supervisor.get(f"/ledger/{item}").text
    assert "已整改" in page and "销号" in page and "已恢复更新" in page
    r = supervisor.post(
        f"/ledger/{item}/close", data={"csrf_token": sc, "note": "复查通过"}, follow_redirects=False
    )
    assert r.status_code == 303
    page = supervisor.get(f"/ledger/{item}").text
    assert "已销号" in page and "城关填报" in page and "兰州监管" in page
    assert "已销号" in supervisor.get("/ledger?status=closed").text


def test_the_checks_page_and_the_circular_downloads(reg) -> None:  # type: ignore[no-untyped-def]
    web = client(reg.db)
    login(web, "兰州只读")
    page = web.get("/checks").text
    assert "检查批次" in page and "甘政务公开办〔2026〕1号" in page
    docx = web.get(f"/circulars/{reg.circular_id}/circular.docx")
    assert (
        docx.status_code == 200
        and docx.content[:2] == b"PK"
        and "attachment" in docx.headers["content-disposition"]
    )
    notices = web.get(f"/circulars/{reg.circular_id}/notices.zip")
    assert notices.status_code == 200 and notices.content[:2] == b"PK"
    assert web.get("/circulars/999/circular.docx").status_code == 404
    assert web.get(f"/circulars/{reg.circular_id}/circular.exe").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/", "/accounts", "/accounts?search=城关&status=待审核", "/approvals", "/review", "/ledger", "/checks"],
)
def test_every_page_is_chinese_and_scoped(reg, path: str) -> None:  # type: ignore[no-untyped-def]
    web = client(reg.db)
    login(web, "兰州监管")
    page = web.get(path)
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    assert "秦州" not in page.text and "天水" not in page.text
    text = re.sub(r"<[^>]+>", " ", page.text)
    assert not re.search(r"\b(Submit|Login|Logout|Error|None|pending|active)\b", text), text[:2000]
