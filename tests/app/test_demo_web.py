"""``govmedia demo --web``: a demo user for each role signs in to the workbench over the demo
registry, and the command prints the address and the logins before it serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.app.demo import data as dd
from monitor.app.demo.web import DEMO_PASSWORD, DEMO_USERS, add_demo_users
from registry.db import session_scope, upgrade
from registry.filing import units
from registry.vocab import USER_ROLE
from tests.app.web_registry import client, login


def _demo_units(db: str) -> None:
    upgrade(db)
    with session_scope(db) as s:
        for u in dd.units():
            units.add_unit(
                s, name=u.name, level=u.level, region=u.region, kind=u.kind, parent=u.parent, actor="t"
            )


def test_every_role_has_a_demo_user_who_signs_in(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    _demo_units(db)
    users = add_demo_users(db)
    assert {u.role for u in users} == set(USER_ROLE.codes)
    for user in users:
        web = client(db)
        login(web, user.name, DEMO_PASSWORD)
    supervisor = client(db)
    login(supervisor, "lanzhou", DEMO_PASSWORD)
    queue = supervisor.get("/approvals").text
    assert "城关发布抖音号" in queue and "城关融媒快手号" in queue


def test_demo_web_prints_the_address_and_the_logins(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from monitor.app.demo import run as demo_run

    served: list[tuple[str, int]] = []

    def fake_demo(out: Path, *, seed: int = 2026):  # type: ignore[no-untyped-def]
        db = str(out / "govmedia.db")
        out.mkdir(parents=True)
        _demo_units(db)
        return demo_run.DemoSummary(db=db, out=out, circular={"window": {"from": "", "to": ""}, "checked": 0,
                                    "qualified": 0, "unqualified": 0, "uncollected": 0, "pass_rate_text": "—",
                                    "ledger_opened": 0})  # fmt: skip

    monkeypatch.setattr(demo_run, "run_demo", fake_demo)
    monkeypatch.setattr(
        "monitor.app.web.server.serve", lambda settings, host, port: served.append((host, port))
    )
    r = cli(["demo", "--out", str(tmp_path / "d"), "--web", "--port", "8123"])
    assert r.code == 0, r
    assert served == [("127.0.0.1", 8123)]
    assert "http://127.0.0.1:8123/" in r.out and DEMO_PASSWORD in r.out
    for user in DEMO_USERS:
        assert user.name in r.out and user.role_label in r.out


def test_web_refuses_a_missing_database_in_one_line(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    r = cli(["--db", str(tmp_path / "none.db"), "web", "--port", "8123"])
    assert r.code == 2 and "govmedia db upgrade" in r.err and "Traceback" not in r.err
    r = cli(["--db", str(tmp_path / "none.db"), "web", "--port", "0"])
    assert r.code == 2 and "--port" in r.err
