"""The command line as a new member of staff meets it: help with no arguments and uncut at 80
columns, usage errors and database problems in Chinese, no empty database left behind,
``govmedia status`` saying what to do next, progress only on a terminal, crawl results that
name each account."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.app.cli import output
from registry import db as dbmod
from tests.app.test_cli_help import COMMANDS
from tests.factories import CITY, PROVINCE, active_account, small_registry

ROOT = Path(__file__).resolve().parents[2]
ENGLISH_TYPES = re.compile(r"<(str|int|float|bool|Path|list\[.*?\])>")


def test_no_arguments_prints_the_help_and_exits_0(cli) -> None:  # type: ignore[no-untyped-def]
    for argv in ([], ["account"], ["check"]):
        r = cli(argv)
        assert r.code == 0, r
        assert "用法" in r.out and "显示本帮助并退出" in r.out and not r.err


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_help_has_no_english_type_names(cli, path: list[str], command) -> None:  # type: ignore[no-untyped-def]
    r = cli([*path[1:], "--help"])
    assert r.code == 0
    assert not ENGLISH_TYPES.search(r.out), r.out
    for word in ("Usage:", "Options", "Arguments", "Commands", "[default", "[required]"):
        assert word not in r.out


@pytest.mark.parametrize("argv", [["--help"], ["check", "run", "--help"], ["account", "import", "--help"]])
def test_help_is_not_cut_at_80_columns(argv: list[str]) -> None:
    env = {**os.environ, "COLUMNS": "80", "TERMINAL_WIDTH": "80"}
    done = subprocess.run(
        [sys.executable, "-m", "monitor.app.cli.main", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert not [line for line in lines if line.rstrip(" │").endswith("…") and "用法" not in line]
    flat = re.sub(r"[\s│╭╮╰╯─]", "", done.stdout)
    import typer

    from monitor.app.cli.main import app

    root = typer.main.get_command(app)
    command = root
    for name in argv[:-1]:
        command = command.commands[name]  # type: ignore[attr-defined]
    texts = [p.help for p in command.params if getattr(p, "help", None)]
    texts += [c.help.split("\n\n")[0] for c in getattr(command, "commands", {}).values()]
    for text in texts:
        assert re.sub(r"\s", "", text.replace("[", "").replace("]", "")) in flat.replace("[", "").replace(
            "]", ""
        ), text


ENGLISH = re.compile(r"[A-Za-z]{3,}")
ALLOWED = {"table", "json", "csv", "xlsx", "help"}


def _prose(text: str) -> list[str]:
    """English words left in a message once quoted values, options and commands are removed."""
    text = re.sub(r"「[^」]*」|--[\w-]+|govmedia[^，。；）\n]*", " ", text)
    return [w for w in ENGLISH.findall(text) if w not in ALLOWED]


@pytest.mark.parametrize(
    "argv",
    [
        "account lis",
        "nosuch",
        "account list --stat",
        "account list --status",
        "account show",
        "account show abc",
        "account list --format xml",
        "account list extra words",
        "unit add --name x",
        "check run --kind weekly --sample-rate abc",
        "schedule history --limit 0",
        "--db",
        "finding confirm",
    ],
)
def test_usage_errors_are_chinese(cli, argv: str) -> None:  # type: ignore[no-untyped-def]
    small_registry()
    r = cli(argv.split())
    assert r.code == 2, r
    assert r.err.startswith("错误：") and r.err.count("\n") == 1, r
    assert not _prose(r.err), r.err
    assert "Traceback" not in r.err and "Did you mean" not in r.err


def test_a_typo_gets_the_chinese_suggestion(cli) -> None:  # type: ignore[no-untyped-def]
    assert "是否想用「list」" in cli("account lis").err
    assert "是否想用 --status" in cli("account list --stat").err


@pytest.mark.parametrize(
    ("db", "reason"),
    [
        ("{tmp}/no/such/dir/x.db", "不存在"),
        ("{tmp}/not-a-db.db", "不是 SQLite 数据库"),
        ("foo://x", "不支持的数据库地址"),
        ("postgresql://postgres@127.0.0.1:1/none", "连接被拒绝"),
    ],
)
def test_a_bad_database_is_one_chinese_line(cli, tmp_path: Path, db: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "not-a-db.db").write_text("这不是数据库" * 200, encoding="utf-8")
    r = cli(["--db", db.format(tmp=tmp_path), "account", "list"])
    assert r.code == 2 and reason in r.err, r
    for word in ("sqlite3", "OperationalError", "psycopg", "Error", "(Background"):
        assert word not in r.err


def test_a_missing_database_leaves_no_file_and_upgrade_says_it_created_one(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "新库.db"
    for argv in (
        ["account", "list"],
        ["status"],
        ["unit", "add", "--name", "x", "--level", "省级", "--region", "620000"],
    ):
        r = cli(["--db", str(target), *argv])
        assert r.code == 2 and "govmedia db upgrade" in r.err, r
    assert not target.exists()
    r = cli(["--db", str(target), "db", "upgrade"])
    assert r.code == 0 and "已创建数据库" in r.out and dbmod.HEAD in r.out, r
    r = cli(["--db", str(target), "db", "upgrade"])
    assert r.code == 0 and "已是最新版本" in r.out and "已创建" not in r.out
    older = tmp_path / "旧库.db"
    dbmod.upgrade(str(older), revision="0007_verdict_reason")
    r = cli(["--db", str(older), "db", "upgrade"])
    assert r.code == 0 and "已升级数据库结构：0007_verdict_reason →" in r.out, r
    r = cli(["--db", str(tmp_path / "nodir" / "x.db"), "db", "upgrade"])
    assert r.code == 2 and "文件夹" in r.err


def test_status_says_what_to_do_next(cli, sqlite_db: str) -> None:  # type: ignore[no-untyped-def]
    r = cli("status")
    assert r.code == 0 and "账号 0 个" in r.out and "govmedia unit import" in r.out, r
    small_registry(sqlite_db)
    active_account(sqlite_db, unit=CITY, platform="weibo", name="兰州发布", platform_id="1669879400")
    cli(
        [
            "account",
            "file",
            "--unit",
            PROVINCE,
            "--platform",
            "微博",
            "--name",
            "甘肃发布",
            "--platform-id",
            "1669879401",
        ]
    )
    r = cli("status")
    assert r.code == 0, r
    for needle in (
        "账号 2 个（待审核 1，已备案 1）",
        "待审核报备：1 个",
        "account approve --all-pending",
        "最近一次采集：从未采集",
        "govmedia crawl",
        "从未成功采集的账号：1 个",
        "兰州发布（新浪微博，兰州市人民政府",
        "最近一次检查：尚未检查",
        "下一个定时任务：",
    ):
        assert needle in r.out, needle
    data = json.loads(cli("status --format json").out)
    assert data["pending"] == 1 and data["accounts"] == {"pending": 1, "active": 1}
    assert data["never_collected"][0]["platform"] == "weibo" and data["next_job"]["job"] in (
        "crawl",
        "alerts",
        "weekly",
        "monthly",
        "circular",
    )


def test_status_loads_no_heavy_library(tmp_path: Path) -> None:
    from tests.app.test_startup import PROBE

    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    dbmod.dispose_engines()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "--db", db, "status"], capture_output=True, text=True, cwd=ROOT
    )
    code, loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert code == 0 and loaded == [], (loaded, done.stderr)


def test_a_check_on_a_registry_never_crawled_says_so(cli, sqlite_db: str) -> None:  # type: ignore[no-untyped-def]
    small_registry(sqlite_db)
    active_account(sqlite_db, unit=CITY, platform="weibo", name="兰州发布", platform_id="1669879400")
    r = cli("check run --kind 周抽查")
    assert r.code == 0 and "从未采集" in r.err and "govmedia crawl" in r.err, r


def test_progress_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

        def write(self, text: str) -> int:
            return len(text)

        def flush(self) -> None:
            pass

    assert not output.interactive()  # under pytest stderr is captured, not a terminal
    monkeypatch.setattr(sys, "stderr", Tty())
    assert output.interactive() and output.interactive("table")
    assert not output.interactive("json") and not output.interactive(output.Format.json)


def test_crawl_results_name_each_account(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from spiders.standin import StandinAccount, StandinServer, file_accounts, make_posts

    db = str(tmp_path / "govmedia.db")
    small_registry(db)
    fine = StandinAccount("weibo", "2000000001", "正常微博", posts=make_posts(2))
    with StandinServer([fine]) as server:
        file_accounts(db, server, [fine], unit=PROVINCE)
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        table = cli(f"--db {db} crawl")
        piped = cli(f"--db {db} crawl --format json")
    assert table.code == 0, table
    row = next(line for line in table.out.splitlines() if "正常微博" in line)
    assert PROVINCE in row and "新浪微博" in row and "采集成功" in row
    assert not table.err.strip() and not piped.err.strip()  # no progress bar when not a terminal
    assert json.loads(piped.out)[0]["outcome"] in ("ok", "empty")
