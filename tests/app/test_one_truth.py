"""One truth: every figure of a check agrees everywhere it is shown.

One registry, checked on SQLite and PostgreSQL with the national profile (pass/fail only)
and the gansu profile (scored out of 100). The same run is then read through ``check show``,
the check report (.html/.xlsx), the circular (.docx text, .xlsx annex and chart sheets,
.json figures), the per-unit notices and the rectification ledger, and every count and rate
must be the same. The registry is built so that the three bugs this guards against would
show: an account that fails only on score (gansu), a pass rate of 29/32 = 90.625 % that a
float rounds to 90.62 but 四舍五入 gives 90.63, and an account known only from ``post
import`` that must get its early warning like a crawled one.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import docx
import pytest
from openpyxl import load_workbook

from registry import db as dbmod
from registry.collection import store as collection
from registry.db import session_scope
from registry.filing import accounts as filing
from registry.filing import units
from registry.timeutil import TZ

AT = datetime(2026, 11, 28, 10, 0, tzinfo=TZ).astimezone(UTC)
WINDOW = ("2026-11-01", "2026-11-30")
CHARS = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]
REGULAR, SILENT, BLOCKED = 27, 3, 2  # + 1 imported, + 1 that fails on score in gansu


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(CHARS) for _ in range(240))


def _posts(rng: random.Random, prefix: str, *, every_days: float, newest_days: float) -> list[dict[str, Any]]:
    out, age = [], newest_days
    while age < 33:
        out.append(
            {
                "post_id": f"{prefix}-{age:g}",
                "title": f"政务动态{prefix}",
                "text": _text(rng),
                "published_at": AT - timedelta(days=age),
            }
        )
        age += every_days
    return out


CHINESE = {
    "regular": "政务发布",
    "silent": "停更发布",
    "blocked": "拦截发布",
    "imported": "导入发布",
    "scored": "扣分发布",
}


def build(db: str, tmp_path: Path, cli, *, chinese: bool = False) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """34 accounts, one per county unit: 27 regular, 3 silent for 20 days, 2 blocked, 1 whose
    posts come only from ``post import`` (silent 11 days: early warning, not a veto), and 1
    regular account that an inspector found wanting five times (update_slow ×5: −50 points).
    The returned ids are keyed ``role00``; the accounts are named so too, or in Chinese
    (``停更发布28``) with ``chinese``."""
    dbmod.upgrade(db)
    rng = random.Random(35)
    roles = ["regular"] * REGULAR + ["silent"] * SILENT + ["blocked"] * BLOCKED + ["imported", "scored"]
    ids: dict[str, int] = {}
    now = dbmod.utcnow()
    with session_scope(db) as s:
        units.add_unit(s, name="甘肃省人民政府", level="province", region="620000", actor="t")
        units.add_unit(
            s, name="兰州市人民政府", level="city", region="620100", parent="甘肃省人民政府", actor="t"
        )
        for n, role in enumerate(roles):
            unit = f"兰州市某区{n:02d}人民政府"
            units.add_unit(
                s, name=unit, level="county", region=f"6201{n + 2:02d}", parent="兰州市人民政府", actor="t"
            )
            name = f"{CHINESE[role]}{n:02d}" if chinese else f"{role}{n:02d}"
            account = filing.file_account(
                s, unit=unit, platform="weibo", name=name, platform_id=f"{1000000 + n}", actor="t",
                owner="张工", phone="13900000000", opened_on="2025-06-01",
            )  # fmt: skip
            filing.approve(s, account.id, actor="t")
            account.approved_at = AT - timedelta(days=60)  # filed before the window
            ids[f"{role}{n:02d}"] = account.id
            if role in ("regular", "scored"):
                collection.upsert_posts(s, account.id, _posts(rng, f"p{n}", every_days=2, newest_days=0.5))
                collection.record_attempt(s, account_id=account.id, outcome="ok", at=now)
            elif role == "silent":
                collection.upsert_posts(s, account.id, _posts(rng, f"p{n}", every_days=2, newest_days=20))
                collection.record_attempt(s, account_id=account.id, outcome="ok", at=now)
            elif role == "blocked":
                collection.record_attempt(s, account_id=account.id, outcome="ok", at=now - timedelta(days=30))
                collection.record_attempt(
                    s, account_id=account.id, outcome="blocked", at=now, http_status=418
                )
    imported = next(v for k, v in ids.items() if k.startswith("imported"))
    lines = ["account,post_id,published_at,title,text"]
    for post in _posts(rng, "imp", every_days=2, newest_days=11):
        when = post["published_at"].astimezone(TZ).strftime("%Y-%m-%d %H:%M")
        lines.append(f"{imported},{post['post_id']},{when},{post['title']},{post['text']}")
    path = tmp_path / "导入内容.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # an inspector read the account's pages in full just now: a collection as of then
    as_of = now.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")
    assert cli(["--db", db, "post", "import", str(path), "--as-of", as_of]).code == 0
    scored = next(v for k, v in ids.items() if k.startswith("scored"))
    obs = tmp_path / "人工检查.csv"
    obs.write_text(
        "账号ID,规则,级别,检查说明,检查时间\n"
        + "".join(f"{scored},update_slow,deduct,第{i}次发现更新不及时,2026-11-27 09:00\n" for i in range(5)),
        encoding="utf-8",
    )
    assert cli(["--db", db, "observe", "import", str(obs)]).code == 0
    return ids


def _json(cli, db: str, *args: str) -> Any:  # type: ignore[no-untyped-def]
    result = cli(["--db", db, *args])
    assert result.code == 0, result
    return json.loads(result.out)


def _docx_text(path: str) -> str:
    document = docx.Document(path)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _sheet(path: str, name: str, skip: int) -> list[tuple[Any, ...]]:
    return [r for r in load_workbook(path)[name].iter_rows(min_row=skip + 1, values_only=True) if any(r)]


EXPECTED = {
    # profile: (qualified, unqualified, uncollected, pass rate text)
    "national": (29, 3, 2, "90.63%"),  # 29/32 = 90.625 → 90.63 (四舍五入), never 90.62
    "gansu": (28, 4, 2, "87.50%"),  # the scored account (50 points) fails too
}


@pytest.mark.parametrize("profile", ["national", "gansu"])
def test_every_figure_agrees_everywhere(any_db: str, profile: str, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ids = build(any_db, tmp_path, cli)
    qualified, unqualified, uncollected, rate = EXPECTED[profile]
    at = AT.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    run = _json(
        cli, any_db, "check", "run", "--kind", "monthly", "--at", at, "--profile", profile, "--format", "json"
    )
    shown = _json(cli, any_db, "check", "show", str(run["run_id"]), "--format", "json")
    assert shown == run
    assert (run["qualified"], run["unqualified"], run["uncollected"], run["pass_rate_text"]) == (
        qualified,
        unqualified,
        uncollected,
        rate,
    )
    assert run["pass_rate"] == float(rate.rstrip("%"))
    listed = _json(cli, any_db, "check", "list", "--format", "json")[0]
    assert (listed["qualified"], listed["unqualified"], listed["pass_rate_text"]) == (
        qualified,
        unqualified,
        rate,
    )
    scored = next(a for a in run["accounts"] if a["name"].startswith("scored"))
    if profile == "gansu":
        assert scored["verdict"] == "unqualified" and scored["score"] == 50.0
        assert scored["reason"] == {"basis": "score", "score": 50.0, "pass": 60.0}
    else:
        assert scored["verdict"] == "qualified" and scored["reason"] == {"basis": "passed"}
    silent = [a for a in run["accounts"] if a["name"].startswith("silent")]
    assert all(a["reason"] == {"basis": "veto", "rules": ["no_update"]} for a in silent)
    imported = next(a for a in run["accounts"] if a["name"].startswith("imported"))
    assert imported["verdict"] == "qualified" and imported["collection"] == "collected"
    bad_names = {a["name"] for a in run["accounts"] if a["verdict"] == "unqualified"}

    # the check report: HTML page and workbook
    report = _json(
        cli,
        any_db,
        "report",
        "check",
        str(run["run_id"]),
        "--out",
        str(tmp_path / "check"),
        "--format",
        "json",
    )
    html = Path(report["files"]["html"]).read_text(encoding="utf-8")
    assert f'<td class="num">{rate}</td>' in html and f"不合格账号（{unqualified}个）" in html
    summary = dict(_sheet(report["files"]["xlsx"], "检查结果", 1))
    assert (summary["合格"], summary["不合格"], summary["未能采集"], summary["合格率"]) == (
        qualified,
        unqualified,
        uncollected,
        rate,
    )
    assert report["pass_rate"] == rate

    # the circular: text, annex, chart sheets and figures
    circ = _json(
        cli, any_db, "report", "circular", "--from", WINDOW[0], "--to", WINDOW[1], "--out", str(tmp_path / "circ"),
        "--format", "json",
    )  # fmt: skip
    assert (circ["checked"], circ["qualified"], circ["unqualified"], circ["uncollected"]) == (
        qualified + unqualified,
        qualified,
        unqualified,
        uncollected,
    )
    assert circ["pass_rate_text"] == rate and circ["pass_rate"] == run["pass_rate"]
    text = _docx_text(circ["files"]["docx"])
    assert f"其中合格{qualified}个，不合格{unqualified}个，合格率{rate}" in text
    annex = _sheet(circ["files"]["xlsx"], "问题账号清单", 2)
    annex_accounts = {row[2] for row in annex}
    assert bad_names <= annex_accounts  # every unqualified account is named in the annex
    follow_up = _sheet(circ["files"]["xlsx"], "未能采集", 2)
    assert len(follow_up) == uncollected
    trend = _sheet(circ["files"]["xlsx"], "各期合格率", 1)
    assert trend[-1][1:5] == (qualified + unqualified, qualified, unqualified, float(rate.rstrip("%")))
    platform = _sheet(circ["files"]["xlsx"], "分平台", 1)
    assert platform == [
        ("新浪微博", qualified + unqualified, qualified, unqualified, float(rate.rstrip("%")))
    ]
    figures = json.loads(Path(circ["files"]["json"]).read_text(encoding="utf-8"))
    assert {k: figures[k] for k in ("checked", "qualified", "unqualified", "uncollected", "pass_rate")} == {
        k: circ[k] for k in ("checked", "qualified", "unqualified", "uncollected", "pass_rate")
    }
    # the circular's problems and its Word annex are the stored confirmed findings, per account
    confirmed = Counter(
        rule
        for a in run["accounts"]
        if a["verdict"] != "uncollected"
        for rule in {
            f["rule"]
            for f in a["findings"]
            if f["status"] == "confirmed" and f["level"] in ("veto", "deduct")
        }
    )
    assert figures["problems"] == dict(confirmed)
    assert (
        f"共备案政务新媒体{len(ids)}个" in text
        and f"共开展检查1次，检查账号{qualified + unqualified}个" in text
    )
    word_annex = [
        [c.text for c in row.cells] for row in docx.Document(circ["files"]["docx"]).tables[0].rows[1:]
    ]
    assert [(r[2], r[4]) for r in word_annex] == [(r[2], r[4]) for r in annex]
    assert {r[2] for r in follow_up} == {a["name"] for a in run["accounts"] if a["verdict"] == "uncollected"}
    assert not circ["draft"] and circ["circular_id"] is not None

    # the ledger and the notices name the same problems as the annex
    ledger = _json(cli, any_db, "rectify", "list", "--format", "json")
    assert sorted((i["account"], i["rule"]) for i in ledger) == sorted(
        (row[2], _rule_code(row[4])) for row in annex
    )
    notices = _json(
        cli, any_db, "report", "notices", "--from", WINDOW[0], "--to", WINDOW[1], "--out", str(tmp_path / "n"),
        "--format", "json",
    )  # fmt: skip
    named = set()
    for path in notices["files"].values():
        named |= {name for name in annex_accounts if name in _docx_text(path)}
    assert named == annex_accounts and notices["notified"] == len(ledger)
    assert ids  # the builder's accounts were all checked
    assert len(run["accounts"]) == len(ids)


def _rule_code(label: str) -> str:
    from registry.vocab import RULE

    return RULE.code(label)


def test_an_account_known_from_post_import_gets_its_early_warning(
    sqlite_db: str, tmp_path: Path, cli, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The check judges an imported account on its import; the early-warning pass reads the
    same collection activity, so the account's 11 days of silence are warned about."""
    ids = build(sqlite_db, tmp_path, cli)
    monkeypatch.setenv(
        "GOVMEDIA_WEBHOOK_GENERIC", "http://127.0.0.1:9/hook"
    )  # nothing listens: a failed delivery
    sent = _json(cli, sqlite_db, "alert", "run", "--format", "json")
    warned = {row["account_id"] for row in sent if row["step"] == "operator"}
    imported = next(v for k, v in ids.items() if k.startswith("imported"))
    assert imported in warned
    blocked = {v for k, v in ids.items() if k.startswith("blocked")}
    assert not warned & blocked  # 未能采集 is not silence, for the warnings as for the check
