"""What the terminal shows of a large check: the whole run's counts and at most
``TABLE_ROWS`` accounts, the unqualified and the uncollected first, with the command that
writes them all; JSON and files keep every account."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.app.cli import checks
from registry import db
from tests.monitor.test_check_scenario import AT, build


@pytest.fixture
def checked(cli, tmp_path: Path) -> tuple[str, str, dict]:  # type: ignore[no-untyped-def]
    url = db.resolve_url(str(tmp_path / "govmedia.db"))
    build(url)
    done = cli(["--db", url, "check", "run", "--kind", "monthly", "--at", AT.isoformat(), "--format", "json"])
    assert done.code == 0, done.err
    data = json.loads(done.out)
    return url, str(data["run_id"]), data


def test_a_small_check_lists_every_account_in_id_order(cli, checked) -> None:  # type: ignore[no-untyped-def]
    url, run_id, data = checked
    shown = cli(["--db", url, "check", "show", run_id])
    assert shown.code == 0
    names = [a["name"] for a in data["accounts"]]
    assert [line for line in shown.out.splitlines() if any(n in line for n in names)]  # the rows
    assert "表中列出" not in shown.out
    ids = [a["account_id"] for a in data["accounts"]]
    assert ids == sorted(ids) and data["sampled"] == len(ids) == 7


def test_a_large_check_lists_the_failing_first_and_says_how_to_get_all(
    cli, checked, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    url, run_id, data = checked
    monkeypatch.setattr(checks, "TABLE_ROWS", 3)
    shown = cli(["--db", url, "check", "show", run_id])
    assert shown.code == 0, shown.err
    out = shown.out
    assert f"抽查 7 个账号：合格 {data['qualified']}，不合格 {data['unqualified']}，" in out  # the whole run
    assert (
        f"表中列出 3 个账号（不合格、未能采集的在前），共 7 个；全部结果：govmedia check show {run_id}" in out
    )
    first = {a["account_id"] for a in data["accounts"] if a["verdict"] != "qualified"}
    assert len(first) == 3  # one unqualified, two uncollected: exactly the rows listed
    listed = [line for line in out.splitlines() if "不合格" in line or "未能采集" in line]
    assert listed and "合格率" in out
    whole = cli(["--db", url, "check", "show", run_id, "--format", "json"])
    assert len(json.loads(whole.out)["accounts"]) == 7  # scripts get every account


def test_the_overview_holds_the_failing_first_and_the_whole_counts(checked) -> None:  # type: ignore[no-untyped-def]
    from monitor.check.summary import run_overview

    url, run_id, data = checked
    with db.session_scope(url) as s:
        view = run_overview(s, run_id, listed=3)
    assert [a["verdict"] for a in view["accounts"]] == ["unqualified", "uncollected", "uncollected"]
    assert [a["account_id"] for a in view["accounts"][1:]] == sorted(
        a["account_id"] for a in view["accounts"][1:]
    )
    keys = ("sampled", "qualified", "unqualified", "uncollected", "pass_rate", "pass_rate_text", "run_id")
    assert {k: view[k] for k in keys} == {k: data[k] for k in keys}
    whole = {a["account_id"]: a for a in data["accounts"]}
    assert all(a == whole[a["account_id"]] for a in view["accounts"])  # the same rows as the JSON
