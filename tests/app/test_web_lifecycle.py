"""The filing life cycle on the workbench (变更、重新报备、关停、注销), on SQLite and PostgreSQL:
the change form prefilled and sending only what changed, the CLI's validation and messages,
a rejected filing's reason shown to its filer who changes and refiles it, closing and
cancelling behind a confirmation page, 409 when the state no longer allows a step, and every
step recorded under the signed-in user."""

from __future__ import annotations

import re
from typing import Any

import pytest

from monitor.app.web.lifecycle import changed_fields, typed_values
from registry.db import session_scope
from registry.filing import accounts as filing
from registry.filing import queries as listing
from tests.app.web_registry import CHENGGUAN, build, client, login


@pytest.fixture
def reg(any_db: str):  # type: ignore[no-untyped-def]
    return build(any_db, lifecycle=2)


def _alert(page: str) -> str:
    return re.search(r'role="alert">([^<]*)<', page).group(1)  # type: ignore[union-attr]


def _history(db: str, account_id: int) -> list[dict[str, Any]]:
    with session_scope(db) as s:
        return listing.history(s, account_id)


def _detail(db: str, account_id: int) -> dict[str, Any]:
    with session_scope(db) as s:
        return listing.account_detail(s, account_id)


def _form_of(page: str) -> dict[str, str]:
    """What a browser sends from the change form as shown (inputs, the textarea with CR LF
    line ends, the selected option)."""
    form = dict(re.findall(r'<input type="(?:text|hidden)" name="(\w+)" value="([^"]*)"', page))
    note = re.search(r'<textarea name="note"[^>]*>([^<]*)</textarea>', page)
    form["note"] = note.group(1).replace("\n", "\r\n") if note else ""
    chosen = re.search(r'<option value="(\w*)" selected>', page)
    form["verified"] = chosen.group(1) if chosen else ""
    return {k: v.replace("&#34;", '"').replace("&amp;", "&") for k, v in form.items()}


def test_the_change_form_is_prefilled_and_sends_only_what_changed(reg) -> None:  # type: ignore[no-untyped-def]
    account = reg.spare[CHENGGUAN][0]
    with session_scope(reg.db) as s:
        filing.change(
            s,
            account,
            reason="补充",
            actor="factory",
            phone="13800138000",
            note="第一行\n第二行",
            verified=True,
        )
    web = client(reg.db)
    csrf = login(web, "城关填报")
    page = web.get(f"/accounts/{account}/change")
    assert page.status_code == 200
    assert 'name="phone" value="13800138000"' in page.text and 'name="name" value="城关头条0"' in page.text
    assert '<option value="yes" selected>' in page.text and "第一行\n第二行</textarea>" in page.text
    form = _form_of(page.text)
    assert form["csrf_token"] == csrf
    form.update(phone="0931-8888888", operator="某运维公司", reason="负责人调整")
    r = web.post(f"/accounts/{account}/change", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/accounts/{account}?done=changed"
    last = _history(reg.db, account)[-1]
    assert (last["action"], last["actor"], last["reason"]) == ("change", "城关填报", "负责人调整")
    assert last["changes"] == {"phone": ["13800138000", "0931-8888888"], "operator": [None, "某运维公司"]}
    assert "已变更备案信息" in web.get(r.headers["location"]).text


# (filed, typed, sent to accounts.change)
DIFFS = [
    ({"phone": "1"}, {"phone": "1"}, {}),  # the same value: not sent
    ({"phone": "1"}, {"phone": "2"}, {"phone": "2"}),
    ({"phone": "1"}, {"phone": ""}, {"phone": ""}),  # blank: cleared
    ({"phone": "1"}, {}, {}),  # absent from the form: left as it is
    ({"verified": ""}, {"verified": ""}, {}),
    ({"verified": ""}, {"verified": "yes"}, {"verified": True}),
    ({"verified": "yes"}, {"verified": "no"}, {"verified": False}),
    ({"verified": "yes"}, {"verified": ""}, {}),  # no choice changes nothing
    ({"verified": "no"}, {"verified": "maybe"}, {}),
    ({"note": "a\nb"}, {"note": "a\nb"}, {}),
    ({"name": "甲"}, {"name": "乙"}, {"name": "乙"}),
]


@pytest.mark.parametrize(("filed", "typed", "sent"), DIFFS)
def test_only_changed_fields_are_sent(
    filed: dict[str, str], typed: dict[str, str], sent: dict[str, Any]
) -> None:
    assert changed_fields(filed, typed) == sent


def test_typed_values_read_a_browser_form() -> None:
    typed = typed_values({"note": " a\r\nb ", "owner_email": "x@example.org", "csrf_token": "t", "unit": "9"})
    assert typed == {"note": "a\nb", "email": "x@example.org"}  # no unit: not changed on the web
    assert typed_values({"email": "a@b.cn", "owner_email": "c@d.cn"}) == {"email": "a@b.cn"}


def test_a_change_uses_the_cli_validation_and_writes_nothing_when_refused(reg, cli) -> None:  # type: ignore[no-untyped-def]
    account = reg.spare[CHENGGUAN][0]
    web = client(reg.db)
    csrf = login(web, "城关填报")
    before = _history(reg.db, account)
    for field, value, option in (
        ("url", "javascript:alert(1)", "--url"),
        ("phone", "123", "--phone"),
        ("owner_email", "不是邮箱", "--email"),
        ("name", "名称\x1b[31m", "--name"),
    ):
        r = web.post(
            f"/accounts/{account}/change",
            data={"csrf_token": csrf, "reason": "调整", "operator": "新运维", field: value},
        )
        expected = cli(["--db", reg.db, "account", "change", str(account), option, value, "--reason", "调整"])
        assert r.status_code == 400 and expected.code == 2, (field, r.status_code, expected)
        assert _alert(r.text) == expected.err.strip().removeprefix("错误："), field
        assert 'value="新运维"' in r.text  # the form keeps what was typed
    missing = web.post(f"/accounts/{account}/change", data={"csrf_token": csrf, "operator": "新运维"})
    assert missing.status_code == 400 and "变更必须说明原因" in _alert(missing.text)
    same = web.post(
        f"/accounts/{account}/change", data={"csrf_token": csrf, "reason": "x", "name": "城关头条0"}
    )
    assert same.status_code == 400 and "没有需要变更的字段" in _alert(same.text)
    assert _history(reg.db, account) == before and _detail(reg.db, account)["operator"] is None


def test_a_rename_a_cleared_field_and_the_other_spelling_of_the_email(reg) -> None:  # type: ignore[no-untyped-def]
    account = reg.spare[CHENGGUAN][1]
    web = client(reg.db)
    csrf = login(web, "兰州监管")  # a supervisor changes within its jurisdiction
    form = {"csrf_token": csrf, "reason": "改名", "name": "城关新闻", "owner_email": "a@example.org"}
    assert web.post(f"/accounts/{account}/change", data=form, follow_redirects=False).status_code == 303
    cleared = {"csrf_token": csrf, "reason": "邮箱停用", "email": ""}
    assert web.post(f"/accounts/{account}/change", data=cleared, follow_redirects=False).status_code == 303
    detail = _detail(reg.db, account)
    assert (
        detail["name"] == "城关新闻" and detail["former_names"] == ["城关头条1"] and detail["email"] is None
    )
    assert [e["actor"] for e in _history(reg.db, account)][-2:] == ["兰州监管", "兰州监管"]


def test_rejected_changed_refiled_and_approved(reg) -> None:  # type: ignore[no-untyped-def]
    supervisor, filer = client(reg.db), client(reg.db)
    sc, fc = login(supervisor, "兰州监管"), login(filer, "城关填报")
    target = reg.pending[CHENGGUAN][0]
    r = supervisor.post(
        f"/accounts/{target}/reject",
        data={"csrf_token": sc, "reason": "请补充负责人手机号码"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    home = filer.get("/").text
    block = home.split("被驳回的报备")[1].split("</section>")[0]
    assert f'href="/accounts/{target}"' in block and "请补充负责人手机号码" in block and "兰州监管" in block
    page = filer.get(f"/accounts/{target}").text
    assert "该报备已被驳回" in page and "驳回理由：请补充负责人手机号码" in page
    assert f'action="/accounts/{target}/refile"' in page and f'href="/accounts/{target}/change"' in page
    assert f"/accounts/{target}" in filer.get("/accounts?status=rejected").text
    r = filer.post(
        f"/accounts/{target}/change",
        data={"csrf_token": fc, "reason": "按驳回意见补充", "owner": "张三", "phone": "13900139000"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = filer.post(
        f"/accounts/{target}/refile", data={"csrf_token": fc, "reason": "已补充"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == f"/accounts/{target}?done=refiled"
    page = filer.get(r.headers["location"]).text
    assert "已重新报备，状态：待审核" in page and "该报备已被驳回" not in page
    assert f"/accounts/{target}" not in filer.get("/").text.split("现状与下一步")[1].split("下一步")[0]
    again = filer.post(f"/accounts/{target}/refile", data={"csrf_token": fc}, follow_redirects=False)
    assert again.status_code == 409 and "不能重新报备（只有已驳回的账号可以重新报备）" in _alert(again.text)
    assert f"/accounts/{target}/approve" in supervisor.get("/approvals").text
    r = supervisor.post(f"/accounts/{target}/approve", data={"csrf_token": sc}, follow_redirects=False)
    assert r.status_code == 303
    steps = [(e["action"], e["actor"]) for e in _history(reg.db, target)]
    assert steps == [
        ("file", "factory"),
        ("reject", "兰州监管"),
        ("change", "城关填报"),
        ("refile", "城关填报"),
        ("approve", "兰州监管"),
    ]


def test_close_then_cancel_behind_a_confirmation_page(reg) -> None:  # type: ignore[no-untyped-def]
    account = reg.spare[CHENGGUAN][0]
    web = client(reg.db)
    csrf = login(web, "城关填报")
    page = web.get(f"/accounts/{account}").text
    assert f'href="/accounts/{account}/close"' in page and f'href="/accounts/{account}/cancel"' in page
    assert f'action="/accounts/{account}/close"' not in page  # the account page only links to the step
    confirm = web.get(f"/accounts/{account}/close")
    assert confirm.status_code == 200 and "确认关停账号" in confirm.text and "停更公告" in confirm.text
    assert f'action="/accounts/{account}/close"' in confirm.text and 'name="reason"' in confirm.text
    missing = web.post(f"/accounts/{account}/close", data={"csrf_token": csrf, "reason": " "})
    assert missing.status_code == 400 and "关停必须说明原因" in _alert(missing.text)
    assert "确认关停" in missing.text and _detail(reg.db, account)["status"] == "active"
    r = web.post(
        f"/accounts/{account}/close", data={"csrf_token": csrf, "reason": "整合关停"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == f"/accounts/{account}?done=closed"
    page = web.get(r.headers["location"]).text
    assert "账号已关停" in page and f'href="/accounts/{account}/close"' not in page
    assert f'href="/accounts/{account}/change"' not in page  # a closed account is not changed
    for path in (f"/accounts/{account}/close", f"/accounts/{account}/change"):
        refused = web.get(path)
        assert refused.status_code == 409 and "当前状态为「已关停」" in _alert(refused.text)
    again = web.post(f"/accounts/{account}/close", data={"csrf_token": csrf, "reason": "x"})
    assert again.status_code == 409 and "不能关停" in _alert(again.text)
    change = web.post(f"/accounts/{account}/change", data={"csrf_token": csrf, "reason": "x", "name": "新"})
    assert change.status_code == 409 and "不能变更" in _alert(change.text)
    assert "确认注销账号" in web.get(f"/accounts/{account}/cancel").text
    r = web.post(
        f"/accounts/{account}/cancel",
        data={"csrf_token": csrf, "reason": "平台已注销"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "账号已注销" in web.get(r.headers["location"]).text
    again = web.post(f"/accounts/{account}/cancel", data={"csrf_token": csrf, "reason": "x"})
    assert again.status_code == 409 and "当前状态为「已注销」" in _alert(again.text)
    last = _history(reg.db, account)[-2:]
    assert [(e["action"], e["actor"], e["reason"]) for e in last] == [
        ("close", "城关填报", "整合关停"),
        ("cancel", "城关填报", "平台已注销"),
    ]


def test_a_pending_filing_is_withdrawn_by_cancelling_it(reg) -> None:  # type: ignore[no-untyped-def]
    target = reg.pending[CHENGGUAN][0]
    web = client(reg.db)
    csrf = login(web, "城关填报")
    page = web.get(f"/accounts/{target}").text
    assert f'href="/accounts/{target}/cancel"' in page and f'href="/accounts/{target}/close"' not in page
    assert web.get(f"/accounts/{target}/close").status_code == 409  # only an active account closes
    r = web.post(
        f"/accounts/{target}/cancel", data={"csrf_token": csrf, "reason": "撤回报备"}, follow_redirects=False
    )
    assert r.status_code == 303 and _detail(reg.db, target)["status"] == "cancelled"


@pytest.mark.parametrize(
    ("user", "offered"), [("城关填报", True), ("兰州监管", True), ("兰州管理员", True), ("兰州复核", False),
                          ("兰州只读", False), ("兰州填报", False)]
)  # fmt: skip
def test_the_account_page_offers_the_steps_the_user_may_take(reg, user: str, offered: bool) -> None:  # type: ignore[no-untyped-def]
    web = client(reg.db)
    login(web, user)
    account, rejected = reg.spare[CHENGGUAN][0], reg.rejected[CHENGGUAN][0]
    page = web.get(f"/accounts/{account}").text
    for step in ("change", "close", "cancel"):
        assert (f'href="/accounts/{account}/{step}"' in page) is offered, step
    page = web.get(f"/accounts/{rejected}").text
    assert "驳回理由：主办单位填写有误" in page  # everyone who sees the account sees why
    assert (f'action="/accounts/{rejected}/refile"' in page) is offered


def test_the_newest_rejection_is_the_one_shown(reg) -> None:  # type: ignore[no-untyped-def]
    from registry.filing.rejections import latest_rejections, rejected_filings
    from registry.filing.units import find_unit

    first, second = reg.rejected[CHENGGUAN]
    with session_scope(reg.db) as s:
        filing.refile(s, first, actor="城关填报")
        filing.reject(s, first, reason="仍缺少负责人", actor="兰州监管")
    with session_scope(reg.db) as s:
        assert latest_rejections(s, [first])[first]["reason"] == "仍缺少负责人"
        assert latest_rejections(s, [reg.active[CHENGGUAN]]) == {}  # never rejected
        unit = find_unit(s, CHENGGUAN).id
        rows = rejected_filings(s, unit_ids=[unit])
        assert [r["id"] for r in rows] == [first, second]  # the latest rejected first
        assert rejected_filings(s, unit_ids=[unit], limit=1)[0]["id"] == first
    web = client(reg.db)
    login(web, "城关填报")
    assert "驳回理由：仍缺少负责人" in web.get(f"/accounts/{first}").text
    home = web.get("/").text.split("被驳回的报备")[1].split("</section>")[0]
    assert "仍缺少负责人" in home and home.count("主办单位填写有误") == 1
