"""The permission matrix of the workbench, through its HTTP interface, on SQLite and PostgreSQL:
every role × action × (inside / outside the jurisdiction).

Each role's actor is a 兰州 user (the filer: 城关's own), so 城关's objects are inside and 秦州's
outside. Every case acts on its own object (a pending filing, a candidate finding, a ledger
item), so the cases are independent of their order. Outside the jurisdiction every action
answers 404 (as if the object did not exist); inside, the roles that may not answer 403.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.app.web_registry import ACTOR_OF_ROLE, CHENGGUAN, QINZHOU, Built, build, client, login

ROLES = ("admin", "supervisor", "reviewer", "filer", "readonly")
# action → the one role that may take it inside the jurisdiction (None: every role)
ACTIONS: dict[str, str | None] = {
    "view": None,
    "approve": "supervisor",
    "reject": "supervisor",
    "confirm": "reviewer",
    "dismiss": "reviewer",
    "record": "filer",
    "close": "supervisor",
    "reopen": "supervisor",
}
CASES = [(role, action, where) for action in ACTIONS for role in ROLES for where in ("inside", "outside")]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def registry(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """One registry per database for the whole matrix, with an object per case."""
    if request.param == "sqlite":
        yield build(str(tmp_path_factory.mktemp("matrix") / "govmedia.db"), copies=len(ROLES) * 2)
        return
    from sqlalchemy import create_engine, text

    from registry import db as dbmod

    admin = create_engine(request.getfixturevalue("pg_server"), isolation_level="AUTOCOMMIT")
    name = f"govmedia_matrix_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield build(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", copies=len(ROLES) * 2)
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
    form = {"csrf_token": csrf, "reason": "核实", "note": "核实情况说明"}
    path = {
        "view": f"/accounts/{target}",
        "approve": f"/accounts/{target}/approve",
        "reject": f"/accounts/{target}/reject",
        "confirm": f"/findings/{target}/confirm",
        "dismiss": f"/findings/{target}/dismiss",
        "record": f"/ledger/{target}/record",
        "close": f"/ledger/{target}/close",
        "reopen": f"/ledger/{target}/reopen",
    }[action]
    if action == "view":
        return web.get(path, follow_redirects=False)
    return web.post(path, data=form, follow_redirects=False)


@pytest.mark.parametrize(("role", "action", "where"), CASES)
def test_permission_matrix(
    registry: Built, sessions: dict[str, tuple[TestClient, str]], role: str, action: str, where: str
) -> None:
    web, csrf = sessions[role]
    if action == "reopen" and where == "inside" and role == "supervisor":
        _request(web, csrf, "close", _object(registry, action, role, where))  # reopen starts from closed
    target = _object(registry, action, role, where)
    r = _request(web, csrf, action, target)
    allowed = ACTIONS[action] in (None, role)
    if where == "outside":
        assert r.status_code == 404, (role, action, r.status_code)
        assert "找不到" in r.text
    elif not allowed:
        assert r.status_code == 403, (role, action, r.status_code)
        assert "只有" in r.text or "本单位" in r.text
    else:
        assert r.status_code == (200 if action == "view" else 303), (
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
