"""The national indicators at their edges, on a registry built through the command line alone
(unit add, account file/approve/change/close/cancel, post import with and without --as-of, a
crawl of the stand-in platform, observe import, lexicon add, check run, finding confirm/dismiss),
on SQLite and PostgreSQL. Each account is one case a unit could challenge; each verdict is
asserted (docs/rules.md says why).

Times are relative to the check time ``T`` (an hour before the wall clock, on the minute),
because the registry's audit trail is written at the wall clock: every filing is "late"
(补充备案) with respect to ``T``, and the openings (开设日期, first posts) decide who was in
service at ``T``.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from registry import db as dbmod
from registry.timeutil import TZ

CHARS = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


@dataclass
class Case:
    """One account: its unit, how it is filed, what is known of it, the verdict at T."""

    key: str
    verdict: str | None  # at T; None: not checked at T
    rules: set[str] = field(default_factory=set)  # findings that must be there at T
    absent: set[str] = field(default_factory=set)  # findings that must not be there at T
    unit: str | None = None  # default: a unit of its own
    platform: str = "weibo"
    opened_on: timedelta | None = timedelta(days=700)  # before T; None: no 开设日期
    reason: str | None = None
    approve: bool = True
    posts: list[timedelta | tuple[timedelta, str]] = field(default_factory=list)  # ages before T
    dated: list[int] = field(default_factory=list)  # date-only posts, days before T's date
    source: str = (
        "as_of"  # as_of / old_as_of / archive / crawl_empty / crawl_blocked / archive_blocked / none
    )
    observation: tuple[str, str] | None = None  # (rule code or label, level)


def ages(*days: float) -> list[timedelta | tuple[timedelta, str]]:
    return [d * DAY for d in days]


REGULAR = ages(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29)
_RNG = random.Random(3)
SHORT = ["".join(_RNG.choice(CHARS) for _ in range(50)) for _ in range(3)]  # one unit's short posts
OWN = ["".join(_RNG.choice(CHARS) for _ in range(50)) for _ in range(3)]  # another unit's


def swapped(text: str) -> str:
    """A copy the way people copy: a prefix, and one phrase in the middle swapped."""
    return "转自县政府：" + text[:20] + "落实" + text[22:]


CASES = [
    # 1. the 14-day line, exactly as written
    Case("regular", "qualified", absent={"no_update", "update_warning"}, posts=REGULAR),
    Case("exactly_14d", "qualified", {"update_warning"}, {"no_update"}, posts=[14 * DAY, 20 * DAY]),
    Case("14d_minus_1min", "qualified", absent={"no_update"}, posts=[14 * DAY - MINUTE, 20 * DAY]),
    Case("14d_minus_6min", "qualified", absent={"no_update"}, posts=[14 * DAY - 6 * MINUTE, 20 * DAY]),
    Case("14d_plus_1min", "unqualified", {"no_update"}, {"update_warning"}, posts=[14 * DAY + MINUTE, 20 * DAY]),
    Case("idle_20d", "unqualified", {"no_update"}, posts=ages(20, 22, 24)),
    Case("warned_11d", "qualified", {"update_warning"}, {"no_update"}, posts=ages(11, 13, 15)),
    # 2. approximate times in the account's favour
    Case("date_only_14d_ago", "qualified", {"update_warning"}, {"no_update"}, dated=[14, 16]),
    Case("date_only_15d_ago", "unqualified", {"no_update"}, dated=[15, 17]),
    Case("date_only_today", "qualified", absent={"no_update", "update_warning"}, dated=[0, 2]),
    # 3. a new account is not silent yet
    Case("opened_5d_no_post", "qualified", absent={"no_update", "update_warning", "update_slow", "shell_account"},
         opened_on=5 * DAY, source="crawl_empty"),
    Case("opened_12d_no_post", "qualified", {"update_warning"}, {"no_update"}, opened_on=12 * DAY,
         source="crawl_empty"),
    Case("opened_long_ago_no_post", "unqualified", {"no_update", "shell_account"}, opened_on=400 * DAY,
         source="crawl_empty"),
    Case("filed_late_old_posts", "qualified", {"shell_account"}, {"no_update"}, opened_on=None,
         posts=ages(10, 100, 150)),
    Case("first_post_3d_ago", "qualified", absent={"shell_account", "no_update"}, opened_on=None, posts=ages(3)),
    # 4. a past check is a reconstruction of the past
    Case("opened_after_T", None, opened_on=None, posts=[-20 * MINUTE]),
    Case("closed_after_T", "qualified", posts=REGULAR),
    Case("cancelled_after_T", "qualified", posts=REGULAR),
    Case("moved_after_T", "qualified", absent={"duplicate_account"}, unit="迁出单位", posts=REGULAR),
    Case("stays_in_target", "qualified", absent={"duplicate_account"}, unit="迁入单位", posts=REGULAR),
    Case("pending", None, approve=False, posts=REGULAR),
    Case("withdrawn", None, approve=False, posts=REGULAR),
    # 5. what proves silence
    Case("archive_then_blocked", "uncollected", absent={"no_update"}, posts=ages(30, 32), source="archive_blocked"),
    Case("archive_only", "uncollected", absent={"no_update"}, posts=ages(25, 27), source="archive"),
    Case("manual_check_20d", "unqualified", {"no_update"}, posts=ages(20, 25), source="as_of"),
    # read in full 10 days before T: silence is proven only up to then (采集过期)
    Case("manual_check_10d_before", "uncollected", absent={"no_update"}, posts=ages(20, 25), source="old_as_of"),
    Case("blocked_only", "uncollected", source="crawl_blocked"),
    Case("never_collected", "uncollected", source="none"),
    Case("inspector_veto_only", "unqualified", {"no_interaction"}, source="none",
         observation=("no_interaction", "")),
    Case("inspector_deduct_only", "uncollected", {"broken_function"}, source="none",
         observation=("功能无法使用", "")),
    # 6. a second account with a recorded reason is a person's call
    Case("first_of_two", "qualified", {"duplicate_account"}, unit="有两个微博的单位", posts=REGULAR),
    Case("second_with_reason", "qualified", {"duplicate_account"}, unit="有两个微博的单位",
         reason="政务服务号与信息发布号分设", posts=REGULAR),
    # 7. copying measured the way people copy
    Case("short_original", "qualified", absent={"low_originality"},
         posts=[(d * DAY, t) for d, t in zip((6, 8, 10), SHORT, strict=True)]),
    Case("short_copier", "qualified", {"low_originality"},
         posts=[(d * DAY, swapped(t)) for d, t in zip((5, 7, 9), SHORT, strict=True)]),
    Case("own_weibo", "qualified", absent={"low_originality"}, unit="一次采集多元发布的单位",
         posts=[(d * DAY, t) for d, t in zip((4, 6, 8), OWN, strict=True)]),
    Case("own_douyin", "qualified", absent={"low_originality"}, unit="一次采集多元发布的单位", platform="douyin",
         posts=[(d * DAY - timedelta(hours=2), swapped(t)) for d, t in zip((4, 6, 8), OWN, strict=True)]),
    # 8. the indicators a person judges
    Case("state_secret_observed", "unqualified", {"state_secret"}, posts=REGULAR, observation=("泄露国家秘密", "")),
    Case("slow_response_observed", "qualified", {"slow_response"}, posts=REGULAR, observation=("留言办理不及时", "")),
    Case("privacy_observed", "qualified", {"privacy_leak"}, posts=REGULAR, observation=("个人信息泄露", "")),
    Case("illegal_hit", "qualified", {"illegal_content"}, posts=[*REGULAR[1:], (1 * DAY, "网传某违禁信息甲的链接")]),
    # 11. a candidate is reviewed once
    Case("serious_hit", "qualified", {"serious_error"}, posts=[*REGULAR[1:], (1 * DAY, "有媒体称台湾总统发表讲话")]),
]  # fmt: skip
assert len(CASES) >= 40


@dataclass
class World:
    db: str
    at: str  # --at text
    ids: dict[str, int]
    first: dict[str, Any]


def _ok(cli, db: str, *args: str) -> str:  # type: ignore[no-untyped-def]
    result = cli(["--db", db, *args])
    assert result.code == 0, (args, result)
    return result.out


def _json(cli, db: str, *args: str) -> Any:  # type: ignore[no-untyped-def]
    return json.loads(_ok(cli, db, *args, "--format", "json"))


def _local(moment: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(TZ).strftime(fmt)


def _units(cli, db: str) -> None:  # type: ignore[no-untyped-def]
    names = {c.unit or f"单位{c.key}" for c in CASES}
    for name in sorted(names):
        _ok(cli, db, "unit", "add", "--name", name, "--level", "county", "--region", "620102")


def _file(cli, db: str, case: Case, pid: str, t: datetime) -> int:  # type: ignore[no-untyped-def]
    args = ["account", "file", "--unit", case.unit or f"单位{case.key}", "--platform", case.platform]
    args += ["--name", f"{case.key}号", "--platform-id", pid]
    if case.opened_on is not None:
        args += ["--opened-on", _local(t - case.opened_on, "%Y-%m-%d")]
    if case.reason:
        args += ["--reason", case.reason]
    account = _json(cli, db, *args)
    if case.approve:
        _ok(cli, db, "account", "approve", str(account["id"]))
    return int(account["id"])


def _post_rows(case: Case, account_id: int, t: datetime, rng: random.Random) -> list[str]:
    rows = []
    for n, post in enumerate(case.posts):
        if isinstance(post, tuple):  # a given text, without a title (as a Weibo post)
            age, text, title = post[0], post[1], ""
        else:
            age, text, title = post, "".join(rng.choice(CHARS) for _ in range(120)), f"{case.key}{n}"
        rows.append(f"{account_id},{case.key}-{n},{_local(t - age)},{title},{text}")
    for n, days in enumerate(case.dated):
        day = (t.astimezone(TZ) - days * DAY).strftime("%Y-%m-%d")
        text = "".join(rng.choice(CHARS) for _ in range(120))
        rows.append(f"{account_id},{case.key}-d{n},{day},{case.key}d{n},{text}")
    return rows


def _crawl(cli, db: str, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from spiders.standin import StandinAccount, StandinServer

    faults = {"crawl_empty": "empty", "crawl_blocked": "blocked_432", "archive_blocked": "blocked_432"}
    crawled = [c for c in CASES if c.source in faults]
    accounts = [StandinAccount("weibo", _pid(c), f"{c.key}号", fault=faults[c.source]) for c in crawled]
    with StandinServer(accounts) as server:
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        args = ["crawl", *[a for c in crawled for a in ("--account", str(ids[c.key]))], "--format", "json"]
        results = json.loads(_ok(cli, db, *args))
    outcomes = {r["account_id"]: r["outcome"] for r in results}
    for c in crawled:
        assert outcomes[ids[c.key]] == ("empty" if c.source == "crawl_empty" else "blocked"), (c.key, results)


def _pid(case: Case) -> str:
    return f"{5_000_000 + CASES.index(case)}"


def _observations(cli, db: str, ids: dict[str, int], t: datetime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = ["账号ID,规则,级别,检查说明,检查时间"]
    for c in CASES:
        if c.observation:
            rule, level = c.observation
            rows.append(f"{ids[c.key]},{rule},{level},检查人员记录：{rule},{_local(t - 2 * DAY)}")
    path = tmp_path / "人工检查记录.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    _ok(cli, db, "observe", "import", str(path))


def _lifecycle(cli, db: str, ids: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    """Steps after T (the audit trail is written at the wall clock)."""
    _ok(cli, db, "account", "close", str(ids["closed_after_T"]), "--reason", "整合关停")
    _ok(cli, db, "account", "cancel", str(ids["cancelled_after_T"]), "--reason", "平台注销")
    _ok(cli, db, "account", "cancel", str(ids["withdrawn"]), "--reason", "撤回报备")
    _ok(cli, db, "account", "change", str(ids["moved_after_T"]), "--unit", "迁入单位", "--reason", "机构调整")


def build(cli, db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:  # type: ignore[no-untyped-def]
    real = dbmod.utcnow()
    t = (real - timedelta(hours=1)).replace(second=0, microsecond=0)
    _ok(cli, db, "db", "upgrade")
    _units(cli, db)
    ids = {c.key: _file(cli, db, c, _pid(c), t) for c in CASES}
    _ok(cli, db, "lexicon", "add", "某违禁信息甲", "--kind", "illegal")
    rng = random.Random(10)
    files: dict[str, list[str]] = {}
    for c in CASES:
        kind = {"archive_blocked": "archive", "old_as_of": "old_as_of", "archive": "archive"}.get(
            c.source, "as_of"
        )
        files.setdefault(kind, ["account,post_id,published_at,title,text"]).extend(
            _post_rows(c, ids[c.key], t, rng)
        )
    for kind, lines in files.items():
        (tmp_path / f"{kind}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    checked_at = _local(real - 5 * MINUTE, "%Y-%m-%d %H:%M:%S")
    assert "采集成功" in _ok(cli, db, "post", "import", str(tmp_path / "as_of.csv"), "--as-of", checked_at)
    long_ago = _local(t - 10 * DAY, "%Y-%m-%d %H:%M:%S")
    assert "采集成功" in _ok(cli, db, "post", "import", str(tmp_path / "old_as_of.csv"), "--as-of", long_ago)
    assert "未记为采集" in _ok(cli, db, "post", "import", str(tmp_path / "archive.csv"))
    _crawl(cli, db, ids, monkeypatch)
    _observations(cli, db, ids, t, tmp_path)
    _lifecycle(cli, db, ids)
    at = _local(t)
    first = _json(cli, db, "check", "run", "--kind", "monthly", "--at", at)
    return World(db, at, ids, first)


@pytest.fixture
def world(any_db: str, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:  # type: ignore[no-untyped-def]
    return build(cli, any_db, tmp_path, monkeypatch)


def _by_account(data: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {a["account_id"]: a for a in data["accounts"]}


def test_every_verdict_at_the_check_time(world: World) -> None:
    results = _by_account(world.first)
    wrong = []
    for case in CASES:
        row = results.get(world.ids[case.key])
        got = row["verdict"] if row else None
        rules = {f["rule"] for f in row["findings"]} if row else set()
        if got != case.verdict or not case.rules <= rules or case.absent & rules:
            wrong.append((case.key, case.verdict, got, sorted(rules)))
    assert wrong == [], wrong
    assert len(CASES) >= 40


def test_the_evidence_reads_as_a_person_would(world: World) -> None:
    results = _by_account(world.first)

    def find(key: str, rule: str) -> dict[str, Any]:
        row = results[world.ids[key]]
        return next(f for f in row["findings"] if f["rule"] == rule)

    late = find("14d_plus_1min", "no_update")["evidence"]
    assert late["metrics"]["whole_days"] == 14 and "距监测时间点14天" in late["note"]
    assert "最近一次发布为" in late["note"] and "年" in late["note"]
    approx = find("date_only_15d_ago", "no_update")["evidence"]
    assert approx["last_post_approximate"] is True and "不精确" in approx["note"]
    new = find("opened_long_ago_no_post", "no_update")["evidence"]
    assert "自开设" in new["note"] and new["opening_basis"] == "opened_on"
    dup = find("second_with_reason", "duplicate_account")
    assert dup["status"] == "candidate" and "政务服务号与信息发布号分设" in dup["evidence"]["note"]
    observed = find("state_secret_observed", "state_secret")
    assert observed["status"] == "confirmed" and observed["level"] == "veto"
    slow = find("slow_response_observed", "slow_response")
    assert slow["level"] == "deduct"  # the national profile's level, the inspector left it blank
    vetoed = results[world.ids["inspector_veto_only"]]
    assert vetoed["reason"] == {"basis": "veto", "rules": ["no_interaction"], "collection": "never"}


def test_a_check_now_sees_the_registry_as_it_is_now(world: World, cli) -> None:  # type: ignore[no-untyped-def]
    now = _by_account(_json(cli, world.db, "check", "run", "--kind", "monthly"))
    ids = world.ids
    assert ids["closed_after_T"] not in now and ids["cancelled_after_T"] not in now
    assert ids["opened_after_T"] in now
    moved = {f["rule"]: f for f in now[ids["moved_after_T"]]["findings"]}
    # moved into a unit that already runs a Weibo account, without a recorded reason: confirmed
    assert moved["duplicate_account"]["status"] == "confirmed"
    assert ids["pending"] not in now and ids["withdrawn"] not in now


def test_a_candidate_is_reviewed_once(world: World, cli) -> None:  # type: ignore[no-untyped-def]
    ids = world.ids
    second_run = _json(cli, world.db, "check", "run", "--kind", "monthly", "--at", world.at)
    second = _by_account(second_run)

    def candidate(data: dict[int, dict[str, Any]], key: str, rule: str) -> dict[str, Any] | None:
        return next((f for f in data[ids[key]]["findings"] if f["rule"] == rule), None)

    carried = candidate(second, "serious_hit", "serious_error")
    first = candidate(_by_account(world.first), "serious_hit", "serious_error")
    assert carried and first and carried["origin_id"] == first["id"]
    listed = _json(cli, world.db, "finding", "list", "--status", "candidate", "--rule", "serious_error")
    assert len(listed) == 1 and listed[0]["run_ids"] == [world.first["run_id"], second_run["run_id"]]
    _ok(cli, world.db, "finding", "dismiss", str(listed[0]["id"]), "--note", "引用他人原话，属正当报道")
    illegal = candidate(second, "illegal_hit", "illegal_content")
    assert illegal is not None
    _ok(cli, world.db, "finding", "confirm", str(illegal["id"]), "--note", "核实为违法有害内容")
    dup = candidate(second, "second_with_reason", "duplicate_account")
    assert dup is not None
    _ok(cli, world.db, "finding", "dismiss", str(dup["id"]), "--note", "服务号与订阅号功能不同，确有必要")
    third = _by_account(_json(cli, world.db, "check", "run", "--kind", "monthly", "--at", world.at))
    assert candidate(third, "serious_hit", "serious_error") is None  # dismissed: not raised again
    confirmed = candidate(third, "illegal_hit", "illegal_content")
    assert confirmed and confirmed["status"] == "confirmed"  # a confirmed hit is a veto at once
    assert third[ids["illegal_hit"]]["verdict"] == "unqualified"
    assert candidate(third, "second_with_reason", "duplicate_account") is None
    assert candidate(third, "first_of_two", "duplicate_account") is None  # the pair is decided


def test_calendar_periods_through_the_cli(world: World, cli) -> None:  # type: ignore[no-untyped-def]
    month = _json(cli, world.db, "check", "run", "--kind", "monthly", "--month", "2026-11")
    assert month["window"] == {"from": "2026-11-01T00:00:00+08:00", "to": "2026-11-30T23:59:59+08:00"}
    week = _json(cli, world.db, "check", "run", "--kind", "weekly", "--week", "2026-W48")
    assert week["window"] == {"from": "2026-11-23T00:00:00+08:00", "to": "2026-11-29T23:59:59+08:00"}
