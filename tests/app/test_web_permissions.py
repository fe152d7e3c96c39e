"""The permission matrix of the workbench, through its HTTP interface, on SQLite and PostgreSQL:
every role × action × (inside / outside the jurisdiction).

Each role's actor is a 兰州 user (the filer: 城关's own), so 城关's objects are inside and 秦州's
outside. Every case acts on its own object (a pending filing, a candidate finding, a ledger
item, a rejected filing, an active account), so the cases are independent of their order.
Outside the jurisdiction every action answers 404 (as if the object did not exist); inside,
the roles that may not answer 403. The life-cycle steps (变更、重新报备、关停、注销) are the
filer's for its own unit and the supervisor's and admin's within their jurisdiction; their
forms (``GET …/change|close|cancel``) answer as their steps do.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.app.web_registry import ACTOR_OF_ROLE, CHENGGUAN, QINZHOU, Built, build, client, login

ROLES = ("admin", "supervisor", "reviewer", "filer", "readonly")
LIFE_CYCLE = frozenset({"admin", "supervisor", "filer"})
# action → the roles that may take it inside the jurisdiction
ACTIONS: dict[str, frozenset[str]] = {
    "view": frozenset(ROLES),
    "approve": frozenset({"supervisor"}),
    "reject": frozenset({"supervisor"}),
    "confirm": frozenset({"reviewer"}),
    "dismiss": frozenset({"reviewer"}),
    "record": frozenset({"filer"}),
    "close": frozenset({"supervisor"}),
    "reopen": frozenset({"supervisor"}),
    "change_form": LIFE_CYCLE,
    "change": LIFE_CYCLE,
    "refile": LIFE_CYCLE,
    "close_form": LIFE_CYCLE,
    "close_account": LIFE_CYCLE,
    "cancel_form": LIFE_CYCLE,
    "cancel_account": LIFE_CYCLE,
}
FORMS = ("view", "change_form", "close_form", "cancel_form")  # GET: 200 when allowed
# the life-cycle steps that act on an active account, and their forms
STEPS = ("change", "change_form", "close_account", "close_form", "cancel_account", "cancel_form")
SPARE = len(ROLES) * len(STEPS)
CASES = [(role, action, where) for action in ACTIONS for role in ROLES for where in ("inside", "outside")]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def registry(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """One registry per database for the whole matrix, with an object per case."""
    if request.param == "sqlite":
        yield build(
            str(tmp_path_factory.mktemp("matrix") / "govmedia.db"), copies=len(ROLES) * 2, lifecycle=SPARE
        )
        return
    from sqlalchemy import create_engine, text

    from registry import db as dbmod

    admin = create_engine(request.getfixturevalue("pg_server"), isolation_level="AUTOCOMMIT")
    name = f"govmedia_matrix_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield build(
            f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", copies=len(ROLES) * 2, lifecycle=SPARE
        )
    finally:
        dbmod.dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def sessions(registry: Built) -> dict[str, tuple[TestClient, str]]:
    """A signed-in client (and its CSRF token) per role."""
    out = {}
    for role, name in ACTOR_OF_ROLE.items():
        web = client(registry.db)
        out[role] = (web, login(web, name))
    return out


def _object(registry: Built, action: str, role: str, where: str) -> int:
    county = CHENGGUAN if where == "inside" else QINZHOU
    if action in STEPS:  # an active account per role and step (the forms look at the same one)
        return registry.spare[county][ROLES.index(role) * len(STEPS) + STEPS.index(action)]
    if action == "refile":
        return registry.rejected[county][ROLES.index(role)]
    slot = ROLES.index(role) * 2 + (0 if action in ("approve", "confirm", "record", "close") else 1)
    pool = {
        "view": registry.pending,
        "approve": registry.pending,
        "reject": registry.pending,
        "confirm": registry.findings,
        "dismiss": registry.findings,
        "record": registry.items,
        "close": registry.items,
        "reopen": registry.items,
    }[action]
    return pool[county][slot]


def _request(web: TestClient, csrf: str, action: str, target: int) -> Any:
    form = {"csrf_token": csrf, "reason": "核实", "note": "核实情况说明", "operator": "某运维公司"}
    path = {
        "view": f"/accounts/{target}",
        "approve": f"/accounts/{target}/approve",
        "reject": f"/accounts/{target}/reject",
        "confirm": f"/findings/{target}/confirm",
        "dismiss": f"/findings/{target}/dismiss",
        "record": f"/ledger/{target}/record",
        "close": f"/ledger/{target}/close",
        "reopen": f"/ledger/{target}/reopen",
        "change_form": f"/accounts/{target}/change",
        "change": f"/accounts/{target}/change",
        "refile": f"/accounts/{target}/refile",
        "close_form": f"/accounts/{target}/close",
        "close_account": f"/accounts/{target}/close",
        "cancel_form": f"/accounts/{target}/cancel",
        "cancel_account": f"/accounts/{target}/cancel",
    }[action]
    if action in FORMS:
        return web.get(path, follow_redirects=False)
    return web.post(path, data=form, follow_redirects=False)


# a life-cycle step's effect on the account: (status, operator) afterwards
AFTER = {
    "change": ("active", "某运维公司"),
    "refile": ("pending", None),
    "close_account": ("closed", None),
    "cancel_account": ("cancelled", None),
}


def _state(registry: Built, account_id: int) -> tuple[str, str | None]:
    from registry.db import session_scope
    from registry.filing.accounts import get_account

    with session_scope(registry.db) as s:
        account = get_account(s, account_id)
        return account.status, account.operator


@pytest.mark.parametrize(("role", "action", "where"), CASES)
def test_permission_matrix(
    registry: Built, sessions: dict[str, tuple[TestClient, str]], role: str, action: str, where: str
) -> None:
    web, csrf = sessions[role]
    if action == "reopen" and where == "inside" and role == "supervisor":
        _request(web, csrf, "close", _object(registry, action, role, where))  # reopen starts from closed
    target = _object(registry, action, role, where)
    before = _state(registry, target) if action in AFTER else None
    r = _request(web, csrf, action, target)
    allowed = role in ACTIONS[action]
    if before is not None:  # the account changed exactly when the step was allowed
        expected = AFTER[action] if allowed and where == "inside" else before
        assert _state(registry, target) == expected, (role, action, where)
    if where == "outside":
        assert r.status_code == 404, (role, action, r.status_code)
        assert "找不到" in r.text
    elif not allowed:
        assert r.status_code == 403, (role, action, r.status_code)
        assert "只有" in r.text or "本单位" in r.text
    else:
        assert r.status_code == (200 if action in FORMS else 303), (
            role,
            action,
            r.status_code,
            r.text[-600:],
        )


@pytest.mark.parametrize("role", ROLES)
def test_filing_is_for_the_filer_of_its_own_unit(
    registry: Built, sessions: dict[str, tuple[TestClient, str]], role: str
) -> None:
    web, csrf = sessions[role]
    form = {
        "csrf_token": csrf,
        "platform": "douyin",
        "name": f"{role}的抖音",
        "platform_id": str(9_000_000 + ROLES.index(role)),
    }
    r = web.post("/accounts", data=form, follow_redirects=False)
    assert r.status_code == (303 if role == "filer" else 403), r.text[-400:]
    page = web.get("/accounts/new", follow_redirects=False)
    assert page.status_code == (200 if role == "filer" else 403)


@pytest.mark.parametrize("role", ROLES)
def test_the_api_is_the_jurisdiction(
    registry: Built, sessions: dict[str, tuple[TestClient, str]], role: str
) -> None:
    web, _ = sessions[role]
    ids = {row["id"] for row in web.get("/api/accounts").json()}
    assert set(registry.pending[CHENGGUAN]) <= ids
    assert not ids & set(registry.pending[QINZHOU])
    findings = {row["account_id"] for row in web.get("/api/findings?status=candidate").json()}
    assert registry.active[QINZHOU] not in findings


def test_a_province_supervisor_sees_both_but_approves_neither_county(registry: Built) -> None:
    """分级备案: a county's filing goes to its city, not to the province."""
    web = client(registry.db)
    csrf = login(web, "省监管")
    target = registry.pending[QINZHOU][-1]
    assert web.get(f"/accounts/{target}").status_code == 200
    r = web.post(f"/accounts/{target}/approve", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 403 and "天水市人民政府" in r.text


def test_the_check_report_is_for_supervisors_of_the_whole_registry(registry: Built) -> None:
    whole, part = client(registry.db), client(registry.db)
    login(whole, "省监管")
    login(part, "兰州监管")
    r = whole.get(f"/checks/{registry.run_id}/report.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "attachment" in r.headers["content-disposition"]
    assert part.get(f"/checks/{registry.run_id}/report.xlsx").status_code == 403
    page = part.get(f"/checks/{registry.run_id}")
    assert "城关发布" in page.text and "秦州发布" not in page.text


@pytest.mark.parametrize("step", ["change", "refile", "close", "cancel"])
def test_a_filer_changes_its_own_unit_only(registry: Built, step: str) -> None:
    """兰州's filer sees 城关's accounts (its jurisdiction) but does not change, refile, close
    or cancel them: 城关 files its own; 兰州's supervisor may (the matrix)."""
    web = client(registry.db)
    csrf = login(web, "兰州填报")
    target = registry.rejected[CHENGGUAN][-1] if step == "refile" else registry.spare[CHENGGUAN][-1]
    assert web.get(f"/accounts/{target}").status_code == 200
    before = _state(registry, target)
    r = web.post(
        f"/accounts/{target}/{step}",
        data={"csrf_token": csrf, "reason": "核实", "operator": "某运维公司"},
        follow_redirects=False,
    )
    assert r.status_code == 403 and "填报人员只能办理本单位（兰州市人民政府）的事项" in r.text
    assert _state(registry, target) == before
    if step != "refile":
        assert web.get(f"/accounts/{target}/{step}").status_code == 403
