"""The monitor's command line: the JSON contract, reviews, lexicon, relays, observations and
the inspection sheet round trip."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from registry import db
from tests.monitor.test_check_scenario import AT, NOW, build

RUN_KEYS = {
    "run_id",
    "kind",
    "at",
    "window",
    "sampled",
    "qualified",
    "unqualified",
    "uncollected",
    "pass_rate",
    "accounts",
}
ACCOUNT_KEYS = {"account_id", "unit", "platform", "name", "verdict", "score", "findings"}
FINDING_KEYS = {"id", "rule", "level", "status", "evidence"}
AT_TEXT = "2026-11-23 10:00"


@pytest.fixture
def scenario(sqlite_db: str) -> dict[str, int]:
    return build(sqlite_db)


def run_json(cli, *args: str) -> dict:  # type: ignore[no-untyped-def]
    r = cli(["check", "run", *args, "--format", "json"])
    assert r.code == 0, r
    return json.loads(r.out)


def test_run_json_contract(cli, scenario: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    data = run_json(cli, "--kind", "monthly", "--at", AT_TEXT)
    assert set(data) >= RUN_KEYS
    assert set(data["window"]) == {"from", "to"}
    assert data["at"] == "2026-11-23T10:00:00+08:00" and data["window"]["from"] == "2026-10-24T10:00:00+08:00"
    for acct in data["accounts"]:
        assert set(acct) >= ACCOUNT_KEYS
        for f in acct["findings"]:
            assert set(f) >= FINDING_KEYS and f["status"] in ("candidate", "confirmed", "dismissed")
    shown = cli(["check", "show", str(data["run_id"]), "--format", "json"])
    assert json.loads(shown.out)["accounts"] == data["accounts"]


def test_weekly_run_with_window_options(cli, scenario: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    data = run_json(
        cli,
        "--kind",
        "weekly",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-20",
        "--sample-rate",
        "0.5",
        "--seed",
        "9",
        "--profile",
        "gansu",
    )
    assert data["window"] == {"from": "2026-11-01T00:00:00+08:00", "to": "2026-11-20T23:59:59+08:00"}
    assert data["at"] == "2026-11-20T23:59:59+08:00"
    again = run_json(
        cli,
        "--kind",
        "weekly",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-20",
        "--sample-rate",
        "0.5",
        "--seed",
        "9",
        "--profile",
        "gansu",
    )
    assert [a["account_id"] for a in again["accounts"]] == [a["account_id"] for a in data["accounts"]]


def test_review_through_the_cli(cli, scenario: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    data = run_json(cli, "--kind", "monthly", "--at", AT_TEXT)
    cands = json.loads(cli("finding list --status candidate --format json").out)
    # the lexicon hit, and the two Weibo accounts of one unit filed with a reason (a person's call)
    assert sorted(f["rule"] for f in cands) == ["duplicate_account", "duplicate_account", "serious_error"]
    fid = next(f["id"] for f in cands if f["rule"] == "serious_error")
    assert cli(f"finding dismiss {fid}").code == 2  # a reason is required
    r = cli(["finding", "confirm", str(fid), "--note", "确认"])
    assert r.code == 0 and "已确认" in r.out
    shown = json.loads(cli(f"check show {data['run_id']} --format json").out)
    assert shown["unqualified"] == data["unqualified"] + 1
    assert cli(f"finding confirm {fid}").code == 2  # already confirmed
    r = cli(["finding", "dismiss", str(fid), "--note", "引用"])
    assert r.code == 0
    listed = json.loads(cli(f"finding list --run {data['run_id']} --rule serious_error --format json").out)
    assert listed[0]["status"] == "dismissed" and listed[0]["review_note"] == "引用"
    runs = json.loads(cli("check list --format json").out)
    assert runs[0]["run_id"] == data["run_id"] and runs[0]["pass_rate"] == 80.0
    assert cli("check list --format csv").out.startswith("批次,类型,监测时间点")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ("check run --kind yearly", "--kind"),
        ("check run --kind weekly --sample-rate 2", "--sample-rate"),
        ("check run --kind weekly --at yesterday", "--at"),
        ("check run --kind weekly --profile nosuch", "--profile"),
        ("check run --kind weekly --from 2026-11-20 --to 2026-11-01", "--from"),
        ("check show 999", "检查批次"),
        ("finding list --status open", "--status"),
        ("finding confirm 999", "问题ID"),
        ("lexicon add 某词 --kind rude", "类别"),
    ],
)
def test_bad_input_is_one_chinese_line(cli, sqlite_db: str, args: str, needle: str) -> None:  # type: ignore[no-untyped-def]
    r = cli(args)
    assert r.code == 2, r
    assert needle in r.err and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1


def test_lexicon_commands(cli, sqlite_db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    starter = json.loads(cli("lexicon list --format json").out)
    assert {e["kind"] for e in starter} == {"serious", "sensitive", "entertainment", "ad"}
    r = cli(["lexicon", "add", "某错误提法", "--kind", "serious", "--correct", "某正确提法"])
    assert r.code == 0
    assert cli(["lexicon", "add", "某错误提法", "--kind", "serious"]).code == 2
    f = tmp_path / "words.csv"
    f.write_text(
        "phrase,kind,correct\n新词一,sensitive,\n某错误提法,serious,x\n新词二,娱乐化,\n", encoding="utf-8"
    )
    r = cli(["lexicon", "import", str(f)])
    assert r.code == 0 and "已导入 2 个" in r.out
    listed = json.loads(cli("lexicon list --kind entertainment --format json").out)
    assert "新词二" in [e["phrase"] for e in listed]


def test_relay_add_and_report(cli, sqlite_db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ids = build(sqlite_db)
    f = tmp_path / "r.txt"
    from registry.checks.models import KeyRelease

    with db.session_scope(sqlite_db) as s:
        first = s.get(KeyRelease, 1)
        assert first is not None
        f.write_text(first.text, encoding="utf-8")
    published = (AT - timedelta(days=5)).astimezone().strftime("%Y-%m-%dT%H:%M:%S%z")
    r = cli(
        [
            "relay",
            "add",
            "--title",
            "同一篇",
            "--url",
            "https://gov/r2",
            "--text-file",
            str(f),
            "--published-at",
            published,
            "--due-hours",
            "48",
            "--unit",
            "兰州市某局",
            "--unit",
            "甘肃省某厅",
        ]
    )
    assert r.code == 0, r
    listed = json.loads(cli("relay list --format json").out)
    assert listed[1]["units"] == ["甘肃省某厅", "兰州市某局"] or set(listed[1]["units"]) == {
        "甘肃省某厅",
        "兰州市某局",
    }
    data = run_json(cli, "--kind", "monthly", "--at", AT_TEXT)
    second = next(x for x in data["relays"] if x["release_id"] == 2)
    assert (second["due"], second["relayed"]) == (5, 1)
    units = {u["unit"]: u for u in second["units"]}
    assert units["兰州市某局"]["on_time"] == 1 and units["甘肃省某厅"]["relayed"] == 0
    assert ids


def test_relay_add_rejects_bad_input(cli, sqlite_db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "r.txt"
    f.write_text("正文", encoding="utf-8")
    base = [
        "relay",
        "add",
        "--title",
        "T",
        "--url",
        "https://x.gov.cn/a",
        "--published-at",
        "2026-11-20 09:00",
    ]
    assert cli([*base, "--text-file", str(f), "--due-hours", "0"]).code == 2
    bad_url = cli([*base[:5], "u", *base[6:], "--text-file", str(f), "--due-hours", "5"])
    assert bad_url.code == 2 and "字段「--url」的值「u」无效" in bad_url.err
    assert cli([*base, "--text-file", str(tmp_path / "none.txt"), "--due-hours", "5"]).code == 2
    r = cli([*base, "--text-file", str(f), "--due-hours", "5", "--unit", "没有这个单位"])
    assert r.code == 2 and "没有这个单位" in r.err


def test_sheet_and_observations_round_trip(cli, scenario: dict[str, int], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = run_json(cli, "--kind", "monthly", "--at", AT_TEXT)
    sheet = tmp_path / "检查表.xlsx"
    assert cli(["check", "sheet", str(data["run_id"]), str(sheet)]).code == 0
    book = load_workbook(sheet)
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["账号ID", "主办单位", "平台", "账号名称"] and ws.max_row == 8
    regular = scenario["regular"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == regular:
            row[header.index("规则")].value = "no_interaction"
            row[header.index("检查说明")].value = "留言功能已关闭"
            row[header.index("检查时间")].value = "2026-11-22 15:00"
    book.save(sheet)
    r = cli(["observe", "import", str(sheet)])
    assert r.code == 0 and "1 条" in r.out
    after = run_json(cli, "--kind", "monthly", "--at", AT_TEXT)
    acct = next(a for a in after["accounts"] if a["account_id"] == regular)
    assert acct["verdict"] == "unqualified"
    [f] = acct["findings"]
    assert (f["rule"], f["level"], f["status"]) == ("no_interaction", "veto", "confirmed")
    assert f["evidence"]["note"] == "留言功能已关闭"


def test_observe_import_csv_jsonl_and_errors(cli, scenario: dict[str, int], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    csv_file = tmp_path / "o.csv"
    csv_file.write_text(
        "account,rule,level,note,observed_at\n"
        f"{scenario['copier']},commercial_ad,veto,推送商品广告,2026-11-21 09:00\n",
        encoding="utf-8",
    )
    assert cli(["observe", "import", str(csv_file)]).code == 0
    jl = tmp_path / "o.jsonl"
    jl.write_text(
        json.dumps(
            {
                "account": scenario["flagged"],
                "rule": "serious_error",
                "level": "veto",
                "note": "标题错字",
                "observed_at": "2026-11-22T08:00:00+08:00",
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    assert cli(["observe", "import", str(jl)]).code == 0
    data = run_json(cli, "--kind", "monthly", "--at", AT_TEXT)
    verdict = {a["account_id"]: a["verdict"] for a in data["accounts"]}
    assert verdict[scenario["copier"]] == "unqualified" and verdict[scenario["flagged"]] == "unqualified"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "account,rule,level,note,observed_at\n999,no_interaction,,x,\n1,bogus,,x,\n1,no_update,fatal,,then\n",
        encoding="utf-8",
    )
    r = cli(["observe", "import", str(bad)])
    assert r.code == 2
    for needle in ("第2行", "第3行", "第4行", "bogus", "fatal", "then"):
        assert needle in r.err
    assert cli(["observe", "import", str(tmp_path / "x.txt")]).code == 2


def test_help_is_chinese_and_complete(cli) -> None:  # type: ignore[no-untyped-def]
    for group, commands in {
        "check": ["run", "show", "list", "sheet"],
        "finding": ["list", "confirm", "dismiss"],
        "lexicon": ["add", "list", "import"],
        "relay": ["add", "list"],
        "observe": ["import"],
    }.items():
        for command in commands:
            r = cli([group, command, "--help"])
            assert r.code == 0, (group, command)
            assert "显示本帮助并退出" in r.out
            # the command's own description is Chinese
            head = r.out.split("--help")[0]
            assert sum("\u4e00" <= ch <= "\u9fff" for ch in head) >= 6, (group, command)


def test_now_is_the_default_check_time(cli, sqlite_db: str) -> None:  # type: ignore[no-untyped-def]
    data = run_json(cli, "--kind", "adhoc")
    assert data["sampled"] == 0 and data["pass_rate"] is None
    assert NOW  # the scenario's clock is not used here


def test_configured_profile_is_the_default(cli, scenario: dict[str, int], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    conf = tmp_path / "govmedia.toml"
    conf.write_text('[profile]\nname = "gansu"\n', encoding="utf-8")
    r = cli(["--config", str(conf), "check", "run", "--kind", "monthly", "--at", AT_TEXT, "--format", "json"])
    assert r.code == 0, r
    assert json.loads(r.out)["profile"] == "gansu"
    r = cli(
        [
            "--config",
            str(conf),
            "check",
            "run",
            "--kind",
            "monthly",
            "--at",
            AT_TEXT,
            "--profile",
            "national",
            "--format",
            "json",
        ]
    )
    assert json.loads(r.out)["profile"] == "national"
