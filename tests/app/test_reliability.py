"""No traceback on any input: every input the adversarial run broke is one Chinese line naming
the field, the value and the reason, exit status 2, nothing written; the same message on SQLite
and PostgreSQL; unwritable output paths for every writer; notices whole or not at all."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from registry.db import get_engine, resolve_url
from registry.timeutil import TZ
from tests.factories import CITY, PROVINCE, active_account, small_registry

NINES = "9" * 20


def counts(db: str) -> dict[str, int]:
    """Rows per table (alembic's own excepted)."""
    engine = get_engine(db)
    with engine.connect() as conn:
        names = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
        return {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one() for t in names}


def refused(result: Any, field: str, value: str | None = None) -> None:
    """Exit 2, one Chinese line naming the field (and the value), no traceback."""
    assert result.code == 2, result
    assert "Traceback" not in result.err and not result.out.strip(), result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), result
    assert f"「{field}」" in lines[0], result
    if value is not None:
        assert f"「{value}」" in lines[0], result


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small registry with an active account, built once; each test works on a copy."""
    from registry.db import dispose_engines

    path = tmp_path_factory.mktemp("template") / "govmedia.db"
    small_registry(str(path))
    active_account(str(path), unit=CITY, platform="weibo", name="兰州发布", platform_id="2803301701")
    dispose_engines()
    return path


@pytest.fixture
def registry(template: Path, tmp_path: Path) -> str:
    import shutil

    db = tmp_path / "govmedia.db"
    shutil.copyfile(template, db)
    (tmp_path / "body.txt").write_text("转载的正文", encoding="utf-8")
    return str(db)


CRASHES = [  # (arguments, field, value): what the adversarial run found, and their neighbours
    (
        ["unit", "add", "--name", "乙", "--level", "county", "--region", "620102", "--parent", NINES],
        "--parent",
        NINES,
    ),
    (
        ["account", "file", "--unit", NINES, "--platform", "weibo", "--name", "x", "--platform-id", "1"],
        "--unit",
        NINES,
    ),
    (["crawl", "--account", NINES], "--account", NINES),
    (["crawl", "--account", "²"], "--account", "²"),
    (["schedule", "history", "--limit", NINES], "--limit", NINES),
    (["schedule", "history", "--limit", "0"], "--limit", "0"),
    (["alert", "list", "--limit", "-5"], "--limit", "-5"),
    (["check", "run", "--kind", "weekly", "--seed", NINES], "--seed", NINES),
    (["check", "run", "--kind", "weekly", "--seed", "１２"], "--seed", "１２"),
    (["rectify", "show", "²"], "整改事项ID", "²"),
    (["rectify", "record", NINES, "--note", "已整改"], "整改事项ID", NINES),
    (["account", "show", "٣"], "账号ID", "٣"),
    (["account", "approve", "1", "2147483648"], "账号ID", "2147483648"),
    (["finding", "confirm", "1e3"], "问题ID", "1e3"),
    (["check", "show", "0x10"], "检查批次ID", "0x10"),
    (["discover", "show", "--", "-1"], "线索ID", "-1"),
    (["post", "list", "--account", "1", "--since", "0001-01-01"], "--since", "0001-01-01"),
    (["post", "list", "--account", "1", "--since", "9999-12-31"], "--since", "9999-12-31"),
    (["check", "run", "--kind", "weekly", "--at", "2099-01-01"], "--at", "2099-01-01"),
    (["check", "run", "--kind", "weekly", "--at", "0001-01-01"], "--at", "0001-01-01"),
    (["check", "run", "--kind", "monthly", "--month", "9999-12"], "--month", "9999-12"),
    (["check", "run", "--kind", "weekly", "--week", "0001-W01"], "--week", "0001-W01"),
    (
        ["report", "circular", "--from", "9999-01-01", "--to", "9999-12-31", "--out", "c"],
        "--from",
        "9999-01-01",
    ),
    (
        [
            "report",
            "notices",
            "--from",
            "2026-01-01",
            "--to",
            "2026-03-31",
            "--out",
            "n",
            "--deadline",
            "0001-01-01",
        ],
        "--deadline",
        "0001-01-01",
    ),
    (["unit", "add", "--name", "单位\x1b[31m", "--level", "city", "--region", "620100"], "单位名称", None),
    (["unit", "add", "--name", "单位\u202e", "--level", "city", "--region", "620100"], "单位名称", None),
    (
        [
            "account",
            "file",
            "--unit",
            CITY,
            "--platform",
            "website",
            "--name",
            "站",
            "--platform-id",
            "s1",
            "--feed-url",
            "http://x:99999/feed",
            "--reason",
            "r",
        ],
        "采集地址",
        "http://x:99999/feed",
    ),
    (
        [
            "account",
            "file",
            "--unit",
            CITY,
            "--platform",
            "website",
            "--name",
            "站",
            "--platform-id",
            "s1",
            "--url",
            "javascript:alert(1)",
            "--reason",
            "r",
        ],
        "链接",
        "javascript:alert(1)",
    ),
    (["account", "close", "1", "--reason", "停更\x07"], "原因", None),
    (["account", "change", "1", "--name", "新名", "--reason", "第一行\n第二行"], "原因", None),
    (["--user", "张三\x1b]0;x\x07", "account", "close", "1", "--reason", "停更"], "--user", None),
    (["--user", "长" * 65, "account", "close", "1", "--reason", "停更"], "--user", None),
    (["lexicon", "add", "词\x00", "--kind", "sensitive"], "词语", None),
    (["rectify", "record", "1", "--note", "已整改", "--evidence", "javascript:alert(1)"], "--evidence", None),
    (["finding", "dismiss", "1", "--note", "误报\x1b[2J"], "--note", None),
    (["--db", "mysql://u@h/db", "account", "list"], "--db", "mysql://u@h/db"),
    (["--db", "postgresql://u:secret@h:x:y/db", "account", "list"], "--db", None),
    (["--db", "postgresql://u@h:99999/db", "account", "list"], "--db", None),
    (["account", "list", "--format", "xlsx", "--out", "body.txt/x.xlsx"], "--out", "body.txt/x.xlsx"),
    (["account", "export", "body.txt/x.csv"], "FILE", "body.txt/x.csv"),
    (["check", "sheet", "1", "body.txt/x.xlsx"], "文件", "body.txt/x.xlsx"),
    (["report", "check", "1", "--out", "body.txt"], "--out", "body.txt"),
    (["demo", "--out", "body.txt/demo"], "--out", "body.txt/demo"),
]


@pytest.mark.parametrize(("args", "field", "value"), CRASHES, ids=[" ".join(c[0])[:60] for c in CRASHES])
def test_each_crash_of_the_adversarial_run_is_one_line(
    cli, registry: str, args: list[str], field: str, value: str | None
) -> None:  # type: ignore[no-untyped-def]
    before = counts(registry)
    refused(cli(args), field, value)
    assert counts(registry) == before


def test_relay_times_urls_and_hours(cli, registry: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = ["relay", "add", "--title", "通知", "--text-file", str(tmp_path / "body.txt")]
    good = ["--url", "https://www.gov.cn/a", "--published-at", "2026-11-20 09:00", "--due-hours", "24"]
    before = counts(registry)
    for swap, field in (
        (("--published-at", "0001-01-01T00:00"), "--published-at"),
        (("--published-at", "9999-12-31 23:59"), "--published-at"),
        (("--url", "javascript:alert(1)"), "--url"),
        (("--url", "ftp://x.cn/a"), "--url"),
        (("--due-hours", NINES), "--due-hours"),
    ):
        args = list(good)
        args[args.index(swap[0]) + 1] = swap[1]
        refused(cli([*base, *args]), field, swap[1])
    assert counts(registry) == before
    assert cli([*base, *good]).code == 0


def test_a_check_time_in_the_future_is_refused_but_now_is_not(cli, registry: str) -> None:  # type: ignore[no-untyped-def]
    soon = (datetime.now(TZ) + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    refused(cli(["check", "run", "--kind", "weekly", "--at", soon]), "--at", soon)
    now = datetime.now(TZ).strftime("%Y-%m-%d %H:%M")  # within the clock tolerance
    assert cli(["check", "run", "--kind", "weekly", "--at", now]).code == 0


def test_post_import_refuses_future_posts_years_and_control_characters(
    cli, registry: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    later = (datetime.now(UTC) + timedelta(days=3)).isoformat(timespec="minutes")
    rows = [
        {"account": "1", "post_id": "a1", "published_at": "2099-01-01 10:00", "title": "未来"},
        {"account": "1", "post_id": "a2", "published_at": later, "title": "三天后"},
        {"account": "1", "post_id": "a3", "published_at": "0001-01-01 00:00", "title": "公元元年"},
        {"account": "1", "post_id": "a4", "published_at": "2026-11-01 10:00", "title": "标题\x1b[31m红"},
        {"account": "1", "post_id": "a5", "published_at": "2026-11-01 10:00", "url": "javascript:alert(1)"},
        {"account": NINES, "post_id": "a6", "published_at": "2026-11-01 10:00"},
        {"account": "1", "post_id": "a7\u202e", "published_at": "2026-11-01 10:00"},
        {"account": "1", "post_id": "a8", "published_at": "2026-11-01 10:00", "text": "正文\x00"},
    ]
    path = tmp_path / "posts.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    before = counts(registry)
    result = cli(["post", "import", str(path)])
    assert result.code == 2 and "Traceback" not in result.err, result
    assert f"有 {len(rows)} 处错误" in result.err, result
    for line in ("第1行", "第2行", "第3行", "第4行", "第5行", "第6行", "第7行", "第8行"):
        assert line in result.err
    assert "\x1b" not in result.err and "\u202e" not in result.err  # shown escaped, never live
    assert counts(registry) == before


def test_a_long_unit_name_gives_short_notice_file_names(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.reports.test_data import Q3, build, settle

    db = str(tmp_path / "r.db")
    build(db)
    settle(db)
    long_name = "甘肃省" + "某" * 90 + "人民政府"  # 96 characters, a valid unit name
    assert cli(["--db", db, "unit", "change", "1", "--name", long_name, "--reason", "更名"]).code == 0
    out = tmp_path / "notices"
    result = cli(
        ["--db", db, "report", "notices", "--from", str(Q3[0]), "--to", str(Q3[1]), "--out", str(out)]
    )
    assert result.code == 0, result
    names = [p.name for p in out.iterdir()]
    assert names and all(len(n.encode()) <= 200 for n in names)
    assert not [n for n in names if n.startswith(".")]  # no temporary folder left behind


def test_notices_are_written_all_or_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.reports.test_data import Q3, build, settle

    db = str(tmp_path / "r.db")
    build(db)
    settle(db)
    out = tmp_path / "notices"
    ok = cli(
        [
            "--db",
            db,
            "report",
            "notices",
            "--from",
            str(Q3[0]),
            "--to",
            str(Q3[1]),
            "--out",
            str(tmp_path / "a"),
            "--format",
            "json",
        ]
    )
    assert ok.code == 0, ok
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(names) >= 2
    db2 = str(tmp_path / "r2.db")
    build(db2)
    settle(db2)
    (out / names[-1]).mkdir(parents=True)  # a folder where the last notice should go
    before = counts(db2)
    result = cli(
        ["--db", db2, "report", "notices", "--from", str(Q3[0]), "--to", str(Q3[1]), "--out", str(out)]
    )
    refused(result, "--out")
    assert sorted(p.name for p in out.iterdir()) == [names[-1]]  # none of the others was left
    assert counts(db2) == before  # and no ledger item was marked as notified


def test_a_binary_config_and_files_are_one_line(cli, registry: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    binary = tmp_path / "bin.dat"
    binary.write_bytes(bytes(range(256)) * 4)
    refused(cli(["--config", str(binary), "account", "list"]), "配置文件")
    for suffix in (".xlsx", ".csv", ".jsonl"):
        copy = binary.with_suffix(suffix)
        copy.write_bytes(binary.read_bytes())
        for command in (
            ["lexicon", "import"],
            ["observe", "import"],
            ["post", "import"],
            ["account", "import"],
        ):
            result = cli([*command, str(copy)])
            assert result.code == 2 and "Traceback" not in result.err, (command, suffix, result)
    truncated = tmp_path / "cut.xlsx"
    cli(["account", "template", str(tmp_path / "whole.xlsx")])
    truncated.write_bytes((tmp_path / "whole.xlsx").read_bytes()[:700])
    refused(cli(["account", "import", str(truncated)]), "文件")
    sheetless = tmp_path / "empty.xlsx"
    with zipfile.ZipFile(sheetless, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    refused(cli(["observe", "import", str(sheetless)]), "文件")


PARITY = [  # inputs whose refusal differs by dialect unless checked before the database sees them
    ["--user", "长" * 65, "account", "close", "1", "--reason", "停更"],
    ["lexicon", "add", "词\x00", "--kind", "sensitive"],
    ["account", "show", "3000000000"],
    ["crawl", "--account", "2147483648"],
    ["unit", "add", "--name", "名" * 201, "--level", "city", "--region", "620100"],
    ["account", "file", "--unit", CITY, "--platform", "weibo", "--name", "甲", "--platform-id", "1" * 300],
    ["account", "file", "--unit", CITY, "--platform", "weibo", "--name", "乙", "--platform-id", "2803301702"],
    ["finding", "show", "2147483647"],
]


def test_the_same_inputs_give_the_same_message_on_sqlite_and_postgresql(
    cli, tmp_path: Path, pg_db: str
) -> None:  # type: ignore[no-untyped-def]
    messages: dict[str, list[str]] = {}
    for dialect, db in (("sqlite", str(tmp_path / "p.db")), ("postgresql", pg_db)):
        small_registry(db)
        active_account(db, unit=CITY, platform="weibo", name="兰州发布", platform_id="2803301701")
        before = counts(db)
        messages[dialect] = []
        for args in PARITY:
            result = cli(["--db", db, *args])
            assert result.code == 2 and "Traceback" not in result.err, (dialect, args, result)
            assert "数据库操作失败" not in result.err, (dialect, args, result)
            messages[dialect].append(result.err.replace(resolve_url(db), "DB"))
        assert counts(db) == before
    assert messages["sqlite"] == messages["postgresql"]


def test_province_unit_is_unchanged_by_refused_input(cli, registry: str) -> None:  # type: ignore[no-untyped-def]
    shown = json.loads(cli(["unit", "list", "--format", "json"]).out)
    assert PROVINCE in {u["name"] for u in shown}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GOVMEDIA_CRAWL_DELAY", "abc"),
        ("GOVMEDIA_CRAWL_DELAY", "inf"),
        ("GOVMEDIA_SCHEDULE_JOB_TIMEOUT", "nan"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [["crawl"], ["schedule", "run", "--once", "crawl"], ["schedule", "list"], ["discover", "run"],
     ["check", "run", "--kind", "weekly"], ["alert", "run"], ["registry", "audit"]],
)  # fmt: skip
def test_every_command_refuses_the_configuration_config_check_refuses(
    cli, registry: str, monkeypatch: pytest.MonkeyPatch, name: str, value: str, command: list[str]
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(name, value)
    checked = cli(["config", "check"])
    assert checked.code == 2 and name in checked.err
    before = counts(registry)
    result = cli(command)
    key = next(line for line in checked.err.splitlines() if name in line).split("「")[1].split("（")[0]
    refused(result, f"配置项 {key}（环境变量 {name}）", value)
    assert counts(registry) == before
