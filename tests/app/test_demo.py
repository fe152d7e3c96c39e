"""The newcomer's path end to end: `govmedia demo` files the demo registry, crawls the
stand-in platforms with the real spiders, checks, and writes every report."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from monitor.app.demo import data as demo_data

PRINTED: dict[str, str] = {}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from monitor.app.cli.main import main

    out = tmp_path_factory.mktemp("demo") / "demo-output"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["demo", "--out", str(out)]) == 0
    PRINTED["summary"] = buffer.getvalue()
    return out, str(out / "govmedia.db")


def test_the_printed_summary_is_what_the_files_say(demo_run: tuple[Path, str], cli) -> None:  # type: ignore[no-untyped-def]
    """The summary on screen reads the stored results after the reviews, like the files."""
    out, db = demo_run
    printed = PRINTED["summary"]
    figures = json.loads(next((out / "季度通报").glob("季度通报_*.json")).read_text(encoding="utf-8"))
    docx_text = "\n".join(
        p.text for p in docx.Document(str(next((out / "季度通报").glob("*.docx")))).paragraphs
    )
    line = (
        f"检查 {figures['checked']} 个账号，合格 {figures['qualified']}，不合格 {figures['unqualified']}，"
        f"未能采集 {figures['uncollected']}"
    )
    assert line in printed, printed
    rate = re.search(r"合格率 (\d+\.\d+%)；列入整改台账", printed)
    assert rate and f"合格率{rate.group(1)}" in docx_text
    assert f"其中合格{figures['qualified']}个，不合格{figures['unqualified']}个" in docx_text
    weekly_id = max(r["run_id"] for r in _json(cli, db, "check list --format json") if r["kind"] == "weekly")
    weekly = _json(cli, db, f"check show {weekly_id} --format json")
    html = next((out / "周抽查").glob("第*次周抽查结果.html")).read_text(encoding="utf-8")
    assert f'<td class="num">{weekly["pass_rate_text"]}</td>' in html
    row = next(
        r
        for r in printed.splitlines()
        if r.strip().startswith(("│ " + str(weekly_id) + " ", "┃ " + str(weekly_id) + " "))
    )
    cells = [c.strip() for c in re.split(r"[│┃]", row) if c.strip()]
    assert cells[3:] == [
        str(weekly["sampled"]),
        str(weekly["qualified"]),
        str(weekly["unqualified"]),
        str(weekly["uncollected"]),
        weekly["pass_rate_text"],
    ], row


def _json(cli, db: str, args: str):  # type: ignore[no-untyped-def]
    r = cli(["--db", db, *args.split()])
    assert r.code == 0, r
    return json.loads(r.out)


def test_demo_writes_every_document(demo_run: tuple[Path, str]) -> None:
    out, _ = demo_run
    suffixes = {p.suffix for p in out.rglob("*") if p.is_file()}
    assert {".docx", ".html", ".xlsx", ".png", ".db"} <= suffixes
    assert list((out / "季度通报").glob("*.docx")) and list((out / "一对一反馈").glob("*.docx"))
    annex = next((out / "季度通报").glob("*附件*.xlsx"))
    assert load_workbook(annex).active.max_row > 1


def test_demo_registry_matches_the_plan(demo_run: tuple[Path, str], cli) -> None:  # type: ignore[no-untyped-def]
    _, db = demo_run
    accounts = _json(cli, db, "account list --format json")
    assert len(accounts) == len(demo_data.plan()) >= 150
    assert {a["status"] for a in accounts} == {"active"}
    assert len({a["region"][:4] for a in accounts if a["level"] == "city"}) == 14


def test_blocked_crawls_are_uncollected_never_silent(demo_run: tuple[Path, str], cli) -> None:  # type: ignore[no-untyped-def]
    _, db = demo_run
    plan = {a.platform_id: a for a in demo_data.plan()}
    accounts = {a["id"]: plan[a["platform_id"]] for a in _json(cli, db, "account list --format json")}
    runs = _json(cli, db, "check list --format json")
    weekly_id = max(r["run_id"] for r in runs if r["kind"] == "weekly")
    weekly = _json(cli, db, f"check show {weekly_id} --format json")
    assert weekly["kind"] == "weekly" and weekly["qualified"] > weekly["unqualified"] > 0
    failed = {"blocked", "gone", "auth_expired"}
    for row in weekly["accounts"]:
        behaviour = accounts[row["account_id"]].behaviour
        rules = {f["rule"] for f in row["findings"]}
        if behaviour in failed:
            assert row["verdict"] == "uncollected", row
        if row["verdict"] == "uncollected":
            assert "no_update" not in rules and "update_warning" not in rules, row
        if behaviour == "silent":
            assert row["verdict"] == "unqualified" and "no_update" in rules, row
        if behaviour == "warning":
            assert "no_update" not in rules and "update_warning" in rules, row
    assert (
        weekly["uncollected"]
        >= sum(1 for r in weekly["accounts"] if accounts[r["account_id"]].behaviour in failed)
        > 0
    )


def test_review_was_recorded(demo_run: tuple[Path, str], cli) -> None:  # type: ignore[no-untyped-def]
    _, db = demo_run
    confirmed = _json(cli, db, "finding list --rule serious_error --status confirmed --format json")
    dismissed = _json(cli, db, "finding list --rule entertainment --status dismissed --format json")
    assert confirmed and confirmed[0]["reviewer"] == "演示"
    assert dismissed and dismissed[0]["review_note"]


def test_demo_web_users_join_the_real_demo_registry(demo_run: tuple[Path, str]) -> None:
    """`demo --web` adds its users and filings to the registry the demo really built."""
    from monitor.app.demo.web import DEMO_PASSWORD, add_demo_users
    from tests.app.web_registry import client, login

    _, db = demo_run
    add_demo_users(db)
    supervisor = client(db)
    login(supervisor, "lanzhou", DEMO_PASSWORD)
    queue = supervisor.get("/approvals").text
    assert "城关发布抖音号" in queue and "城关融媒快手号" in queue
