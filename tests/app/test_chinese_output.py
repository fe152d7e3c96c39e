"""Chinese everywhere a person reads: no code word of the vocabulary in any table cell or message
of the main commands (``--format json`` keeps the codes: the scripts' contract), times to the
minute, and no English from Click, Typer or the database drivers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from registry.vocab import ALL
from tests.reports.test_data import build

CODES = {code.lower() for vocab in ALL.values() for code in vocab.codes}
# what may carry ASCII words without being a code shown to a person
NOT_PROSE = re.compile(
    r"https?://\S+|[\w.+-]+@[\w-]+\.[\w.]+|(?<![\w\u4e00-\u9fff])/[^\s，。；）│]+|--[A-Za-z][\w-]*|govmedia[^，。；）│\n]*"
)
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def code_words(text: str) -> set[str]:
    """Code words (``weibo``, ``pending``, ``weekly``…) in what a person reads."""
    prose = NOT_PROSE.sub(" ", text)
    return {w for w in re.findall(r"[A-Za-z_]+", prose) if w.lower() in CODES}


def cells(output: str) -> list[str]:
    """Every table cell and every other line of a command's output."""
    out: list[str] = []
    for line in output.splitlines():
        if "│" in line or "┃" in line:
            out += [c.strip() for c in re.split(r"[│┃]", line) if c.strip()]
        elif line.strip() and not set(line.strip()) <= set("┏┓┗┛┡┩└┘━─┳┻╇┴┼┬"):
            out.append(line.strip())
    return out


@pytest.mark.parametrize("word", ["weibo", "pending", "province", "weekly", "national", "notified"])
def test_the_checker_finds_the_words_the_issue_saw(word: str) -> None:
    assert code_words(f"│ 1 │ {word} │") == {word}
    assert not code_words(f"https://{word}.com/u/1 govmedia crawl --{word}")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> str:
    from monitor.app.cli.main import main
    from registry.db import dispose_engines

    base = tmp_path_factory.mktemp("chinese")
    db = str(base / "govmedia.db")
    runs = build(db)
    from monitor.check.review import review_finding
    from registry.checks.queries import list_findings
    from registry.db import session_scope

    with session_scope(db) as s:  # a formal circular needs every veto candidate reviewed
        for found in list_findings(s, status="candidate"):
            if found["level"] == "veto":
                review_finding(s, found["id"], status="dismissed", note="复核后排除", actor="tester")
    for argv in (
        ["report", "circular", "--from", "2026-07-01", "--to", "2026-09-30", "--out", str(base / "c")],
        [
            "account",
            "file",
            "--unit",
            "天水市人民政府",
            "--platform",
            "快手",
            "--name",
            "天水快手",
            "--platform-id",
            "ks_tianshui",
        ],
        ["account", "reject", "12", "--reason", "材料不全"],
    ):
        assert main(["--db", db, *argv]) == 0, argv
    dispose_engines()
    assert runs
    return db


MAIN_COMMANDS = [
    "status",
    "unit list",
    "unit history 兰州市人民政府",
    "account list",
    "account show 3",
    "account history 10",
    "account history 12",
    "check list",
    "check show 3",
    "finding list",
    "finding show 1",
    "rectify list",
    "rectify show 1",
    "lexicon list",
    "relay list",
    "alert list",
    "post list --account 1",
]


@pytest.mark.parametrize("command", MAIN_COMMANDS)
def test_no_code_words_in_tables_and_messages(cli, registry: str, command: str) -> None:  # type: ignore[no-untyped-def]
    r = cli(["--db", registry, *command.split()])
    assert r.code == 0, r
    leaks = {cell: code_words(cell) for cell in cells(r.out + r.err) if code_words(cell)}
    assert not leaks, leaks
    assert not ISO.search(r.out), "times are shown as 2026-12-01 14:06, not ISO"


@pytest.mark.parametrize("command", [c for c in MAIN_COMMANDS if c != "status"])
def test_csv_is_chinese_json_keeps_codes(cli, registry: str, command: str) -> None:  # type: ignore[no-untyped-def]
    if command.startswith(("finding show", "status")):
        return
    r = cli(["--db", registry, *command.split(), "--format", "csv"])
    assert r.code == 0, r
    leaks = {c: code_words(c) for line in r.out.splitlines() for c in line.split(",") if code_words(c)}
    assert not leaks, leaks


def test_json_keeps_codes_and_iso_times(cli, registry: str) -> None:  # type: ignore[no-untyped-def]
    accounts = json.loads(cli(["--db", registry, "account", "list", "--format", "json"]).out)
    assert {a["platform"] for a in accounts} >= {"wechat", "weibo"} and "rejected" in {
        a["status"] for a in accounts
    }
    history = json.loads(cli(["--db", registry, "account", "history", "3", "--format", "json"]).out)
    assert ISO.match(history[0]["at"]) and history[0]["action"] == "file"


def test_messages_of_steps_are_chinese(cli, registry: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for argv in (
        ["account", "refile", "12"],
        ["account", "approve", "--all-pending"],
        ["account", "close", "12", "--reason", "整合"],
        ["unit", "change", "天水市人民政府", "--name", "天水市政府", "--reason", "规范名称"],
        ["finding", "list", "--status", "已确认", "--region", "620500"],
        ["check", "list", "--format", "xlsx", "--out", str(tmp_path / "批次.xlsx")],
    ):
        r = cli(["--db", registry, *argv])
        assert r.code == 0, (argv, r)
        assert not code_words(r.out + r.err), (argv, r)


def test_xlsx_of_a_listing_is_chinese(cli, registry: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    target = tmp_path / "账号.xlsx"
    r = cli(["--db", registry, "account", "list", "--format", "xlsx", "--out", str(target)])
    assert r.code == 0 and "已写入" in r.out
    rows = list(load_workbook(target).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:4] == ("ID", "备案编号", "主办单位", "平台")
    assert not [c for row in rows for c in row if isinstance(c, str) and code_words(c)]


def test_ledger_by_unit_and_region(cli, registry: str) -> None:  # type: ignore[no-untyped-def]
    def accounts(args: list[str]) -> list[str]:
        r = cli(["--db", registry, "rectify", "list", *args, "--format", "json"])
        assert r.code == 0, r
        return sorted(i["account"] for i in json.loads(r.out))

    assert accounts([]) == ["兰州发布", "城关微博", "天水发布"]
    assert accounts(["--region", "620100"]) == ["兰州发布", "城关微博"]
    assert accounts(["--region", "620102"]) == ["城关微博"]
    assert accounts(["--unit", "6"]) == ["天水发布"]  # 天水市人民政府 (renamed by an earlier test)
    assert accounts(["--status", "已立项", "--region", "62"]) == ["兰州发布", "城关微博", "天水发布"]
