"""The circular: figures computed from a known registry, and the generated .docx, .xlsx,
.html and charts opened to check that every number agrees (see test_data for the scenario
and its expected figures); the guards before anything official is written; the 发文字号."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from registry.db import session_scope
from reports.circular import compute_circular
from reports.settings import CircularSettings
from reports.window import Window
from tests.reports.test_data import FORMULA, Q3, build, settle

ARGS = "report circular --from 2026-07-01 --to 2026-09-30 --deadline 2026-11-15"


def _docx_text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def _generate(cli, tmp_path: Path, db: str, extra: str = "", out: str = "out") -> dict:  # type: ignore[no-untyped-def]
    result = cli(f"--db {db} {ARGS} --out {tmp_path / out} --format json {extra}")
    assert result.code == 0, result
    return json.loads(result.out)


def test_figures_follow_the_window_rules(any_db: str) -> None:
    build(any_db)
    with session_scope(any_db) as s:
        report = compute_circular(s, window=Window(*Q3), today=date(2026, 10, 8))
    f = report.figures
    assert (f["registry_total"], f["checked"], f["qualified"], f["unqualified"], f["uncollected"]) == (
        9,
        8,
        6,
        2,
        1,
    )
    assert (f["pass_rate"], f["previous_pass_rate"], f["change_points"]) == (75.0, 66.67, 8.33)
    assert f["recheck"] == {
        "previous_unqualified": 2,
        "rechecked": 2,
        "still_unqualified": 1,
        "now_qualified": 1,
        "not_rechecked": 0,
    }
    assert f["problems"] == {"no_interaction": 1, "no_update": 1, "low_originality": 1}
    assert f["registry_by_level"] == {"province": 3, "city": 4, "county": 2}
    ctx = report.context
    assert ctx.pass_rate_text == "75.00%" and ctx.change_text == "，较上季度提高8.33个百分点"
    assert ctx.checked_share_text == "88.89%"
    assert ctx.recheck_text == "上季度不合格的2个账号中，本期复查2个，仍有1个不合格，1个已整改合格。"
    # vetoes (不合格) numbered apart from the other problems
    assert [(p.ordinal, p.rule) for p in ctx.veto_problems] == [("一", "no_interaction"), ("二", "no_update")]
    assert [(p.ordinal, p.rule) for p in ctx.other_problems] == [("一", "low_originality")]
    assert (
        ctx.veto_heading == "（一）判定为不合格的问题。" and ctx.other_heading == "（二）需要整改的其他问题。"
    )
    # weekly + monthly runs: 抽查检查; a calendar quarter is named as one
    assert ctx.title == "关于2026年第三季度全省政务新媒体抽查检查情况的通报"
    assert ctx.opening_text.startswith(
        "根据《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）和本省政务新媒体管理有关规定要求，"
        "省政务公开办公室于2026年7月1日至9月30日对全省政务新媒体开展了抽查检查。"
    )
    # the uncollected account is listed for follow-up, never as a failure
    assert [r.account for r in ctx.uncollected] == ["甘肃教育发布"]
    assert "甘肃教育发布" not in {r.account for r in ctx.annex}
    # the trend: the previous quarter, then each month of this one that had a check
    assert [(r.label, r.rate_text) for r in ctx.trend] == [
        ("第二季度", "66.67%"),
        ("7月", "75.00%"),
        ("9月", "75.00%"),
    ]
    # account 4's misstatement candidate is unreviewed: only a draft for comment
    assert report.draft and ctx.draft_mark == "（征求意见稿）" and ctx.doc_no == ""
    assert "1条严重表述错误等单项否决问题（涉及1个账号）尚待人工复核" in report.draft_reasons[0]


def test_every_number_in_the_docx_matches_the_annex_and_the_charts(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "g.db")
    build(db)
    settle(db)
    summary = _generate(cli, tmp_path, db)
    text = _docx_text(Path(summary["files"]["docx"]))
    book = load_workbook(summary["files"]["xlsx"])
    overview = {row[0]: row[1] for row in book["总体情况"].iter_rows(min_row=2, values_only=True)}
    annex = list(book["问题账号清单"].iter_rows(min_row=3, values_only=True))
    follow_up = list(book["未能采集"].iter_rows(min_row=3, values_only=True))
    # headline figures: text == annex overview == JSON
    assert f"共备案政务新媒体{overview['备案账号总数']}个" in text
    assert (
        f"检查账号{overview['检查账号数']}个，占备案总数的{overview['占备案总数比例']}。"
        f"其中合格{overview['合格']}个，不合格{overview['不合格']}个，合格率{overview['合格率']}"
    ) in text
    assert overview["合格率"] == f"{summary['pass_rate']:.2f}%"
    assert "较上季度提高8.33个百分点" in text and overview["变化（百分点）"] == 8.33
    # the unqualified count equals the distinct accounts with a veto problem in the annex
    vetoes = {row[2] for row in annex if row[4] in ("未提供有效互动功能", "内容不更新")}
    assert len(vetoes) == overview["不合格"]
    # each numbered problem's count equals its rows in the annex, and the names it lists
    per_type = Counter(row[4] for row in annex)
    found = re.findall(r"[一二三四五六七八九十]+是(.+?)。共(\d+)个账号", text)
    assert found and sum(int(n) for _, n in found) == len(annex)
    for label, count in found:
        assert per_type[label] == int(count), label
    assert sum(per_type.values()) == len(annex) == summary["annex_rows"] == 3
    assert "为天水市人民政府“天水发布”微信公众号。" in text  # named with unit and platform
    # the docx annex table carries the same rows as the spreadsheet
    document = docx.Document(summary["files"]["docx"])
    table_rows = [[c.text for c in row.cells] for row in document.tables[0].rows[1:]]
    assert [r[2] for r in table_rows] == [r[2] for r in annex]
    assert f"另有{len(follow_up)}个账号" in text and follow_up[0][2] == "甘肃教育发布"
    # charts: one picture each, captioned and cited, drawn from the same rows as the rate sheets
    assert len(document.inline_shapes) == 3 == len(summary["charts"])
    assert "第二季度及本期各月合格率见图1，分平台合格率见图2，分市州合格率见图3。" in text
    assert "图1  第二季度及本期各月合格率（%）" in text and "图3  分市州合格率（%）" in text
    platform = {row[0]: row[4] for row in book["分平台"].iter_rows(min_row=2, values_only=True)}
    assert platform == {"微信公众号": 50.0, "新浪微博": 100.0, "抖音": 100.0}  # 2 of 4 WeChat fail
    trend = [(row[0], row[4]) for row in book["各期合格率"].iter_rows(min_row=2, values_only=True)]
    assert trend == [
        ("第二季度", summary["previous_pass_rate"]),
        ("7月", 75.0),
        ("9月", 75.0),
        ("本期", summary["pass_rate"]),
    ]
    assert summary["trend"] == [
        {"label": "第二季度", "checked": 6, "qualified": 4, "pass_rate": 66.67},
        {"label": "7月", "checked": 4, "qualified": 3, "pass_rate": 75.0},
        {"label": "9月", "checked": 8, "qualified": 6, "pass_rate": 75.0},
    ]
    for chart in summary["charts"]:
        assert Path(chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chart_series_are_the_context_rows(sqlite_db: str) -> None:
    build(sqlite_db)
    with session_scope(sqlite_db) as s:
        report = compute_circular(s, window=Window(*Q3), today=date(2026, 10, 8))
    ctx = report.context
    assert list(report.series["chart_platform"].values) == [r.rate for r in ctx.platform_rates]
    assert list(report.series["chart_region"].labels) == [r.label for r in ctx.city_rates]
    assert list(report.series["chart_trend"].labels) == ["第二季度", "7月", "9月"]
    assert {r.label: r.rate_text for r in ctx.city_rates} == {
        "省直部门": "100.00%",
        "兰州市": "75.00%",
        "天水市": "50.00%",
    }


def test_untrusted_text_is_escaped_and_neutralised(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "g.db")
    build(db)
    summary = _generate(cli, tmp_path, db)
    html = Path(summary["files"]["html"]).read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "javascript:" not in html
    cells = [
        c
        for row in load_workbook(summary["files"]["xlsx"])["问题账号清单"].iter_rows(values_only=True)
        for c in row
        if isinstance(c, str)
    ]
    assert "'" + FORMULA in cells and FORMULA not in cells
    document = docx.Document(summary["files"]["docx"])
    descriptions = [row.cells[5].text for row in document.tables[0].rows[1:]]
    assert "原创比例偏低 <script>alert('x')</script>" in descriptions  # shown literally, XML-escaped


def test_a_window_without_checks_is_a_draft_that_prints_no_empty_figures(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "g.db")
    build(db)
    out = tmp_path / "empty"
    result = cli(f"--db {db} report circular --from 2025-01-01 --to 2025-03-31 --out {out} --format json")
    assert result.code == 0, result
    summary = json.loads(result.out)
    assert (summary["checked"], summary["pass_rate"], summary["charts"]) == (0, None, [])
    assert summary["draft"] and summary["draft_reasons"] == ["检查窗口内没有开展检查"]
    assert summary["circular_id"] is None and summary["ledger_opened"] == 0
    text = _docx_text(Path(summary["files"]["docx"]))
    assert "（征求意见稿）" in text and "2025年1月1日至3月31日未开展检查，暂无检查结果。" in text
    assert "合格率—" not in text and "检查账号0个" not in text
    assert "提示：检查窗口内没有开展检查，通报标为征求意见稿" in result.err


def test_a_window_that_has_not_ended_is_refused_unless_a_draft(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "g.db")
    build(db)
    window = "--from 2026-07-01 --to 2099-09-30"
    refused = cli(f"--db {db} report circular {window} --out {tmp_path / 'a'}")
    assert refused.code == 2 and "尚未结束" in refused.err and "--draft" in refused.err
    assert len(refused.err.strip().splitlines()) == 1 and not (tmp_path / "a").exists()
    drafted = cli(f"--db {db} report circular {window} --draft --out {tmp_path / 'b'} --format json")
    assert drafted.code == 0, drafted
    summary = json.loads(drafted.out)
    assert summary["draft"] and summary["doc_no"] == "" and summary["circular_id"] is None
    assert "（征求意见稿）" in _docx_text(Path(summary["files"]["docx"]))


def test_a_never_collected_account_makes_a_draft(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from registry.checks.models import CheckResult

    db = str(tmp_path / "g.db")
    build(db)
    settle(db)
    with session_scope(db) as s:  # account 9 was never collected at all
        for result in s.query(CheckResult).filter(CheckResult.account_id == 9):
            result.collection = "never"
    summary = _generate(cli, tmp_path, db)
    assert summary["draft"] and summary["draft_reasons"] == [
        "1个账号在检查窗口内从未成功采集，无法判定其更新情况（见附件2）"
    ]


def test_a_formal_circular_takes_the_next_number_of_the_year_and_keeps_it(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GOVMEDIA_REPORT_DOC_NO", "甘政务公开办〔{year}〕{seq}号")
    db = str(tmp_path / "g.db")
    build(db)
    settle(db)
    first = _generate(cli, tmp_path, db)
    year = date.today().year
    assert not first["draft"] and first["doc_no"] == f"甘政务公开办〔{year}〕1号"
    assert first["ledger_opened"] == 3
    assert f"甘政务公开办〔{year}〕1号" in _docx_text(Path(first["files"]["docx"]))
    again = _generate(cli, tmp_path, db, out="again")  # regenerating keeps the number
    assert again["doc_no"] == first["doc_no"] and again["ledger_opened"] == 0
    other = cli(
        f"--db {db} report circular --from 2026-04-01 --to 2026-06-30 --out {tmp_path / 'q2'} --format json"
    )
    assert json.loads(other.out)["doc_no"] == f"甘政务公开办〔{year}〕2号"
    given = _generate(cli, tmp_path, db, extra="--doc-no 甘政务公开办〔2026〕99号", out="given")
    assert given["doc_no"] == "甘政务公开办〔2026〕99号"  # an explicit number wins
    ledger = json.loads(cli(f"--db {db} rectify list --format json").out)
    assert {i["doc_no"] for i in ledger} >= {"甘政务公开办〔2026〕99号"}


def test_the_number_follows_the_year_of_the_issue_date(sqlite_db: str, tmp_path: Path) -> None:
    from reports import service

    build(sqlite_db)
    settle(sqlite_db)
    settings = CircularSettings(doc_no="某办〔{year}〕{seq}号")
    with session_scope(sqlite_db) as s:
        q2 = service.circular(
            s, start=date(2026, 4, 1), end=date(2026, 6, 30), out=tmp_path / "a", actor="t",
            settings=settings, today=date(2026, 12, 30),
        )  # fmt: skip
        q3 = service.circular(
            s, start=date(2026, 7, 1), end=date(2026, 9, 30), out=tmp_path / "b", actor="t",
            settings=settings, today=date(2027, 1, 4),
        )  # fmt: skip
    assert (q2["doc_no"], q3["doc_no"]) == ("某办〔2026〕1号", "某办〔2027〕1号")


def test_the_default_deadline_is_the_configured_number_of_working_days(sqlite_db: str) -> None:
    build(sqlite_db)
    with session_scope(sqlite_db) as s:
        report = compute_circular(
            s, window=Window(*Q3), settings=CircularSettings(deadline_workdays=5), today=date(2026, 9, 30)
        )
    # 10月1日–7日 国庆节; 8日、9日, 10日（星期六，调休上班）, 12日, 13日
    assert report.deadline == date(2026, 10, 13) and report.context.deadline_text == "2026年10月13日"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("--from 2026-09-30 --to 2026-07-01", "不能早于"),
        ("--from 2026-13-01 --to 2026-12-31", "字段「--from」的值「2026-13-01」无效"),
        ("--from 2026-07-01 --to 2026-09-30 --deadline soon", "字段「--deadline」"),
        ("--from 2026-07-01 --to 2026-09-30 --template missing.docx", "文件不存在"),
        ("--from 2026-07-01 --to 2026-09-30 --out a-file.txt", "已存在同名文件，不是目录"),
    ],
)
def test_bad_input_is_one_chinese_line(cli, tmp_path: Path, args: str, message: str) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "g.db")
    build(db)
    (tmp_path / "a-file.txt").write_text("x", encoding="utf-8")
    out = "" if "--out" in args else f"--out {tmp_path / 'o'}"
    result = cli(f"--db {db} report circular {args} {out}")
    assert result.code == 2 and message in result.err and "Traceback" not in result.err


def test_a_wrong_report_setting_is_refused_in_one_line(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GOVMEDIA_REPORT_DOC_NO", "甘政务公开办〔{year}〕号")
    db = str(tmp_path / "g.db")
    build(db)
    result = cli(f"--db {db} {ARGS} --out {tmp_path / 'o'}")
    assert result.code == 2 and "report.doc_no" in result.err and "{seq}" in result.err


def test_long_lists_stay_in_the_xlsx_annex(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import reports.circular

    monkeypatch.setattr(reports.circular, "INLINE_LIMIT", 2)
    db = str(tmp_path / "g.db")
    build(db)
    summary = _generate(cli, tmp_path, db)
    document = docx.Document(summary["files"]["docx"])
    assert "问题账号清单共3行、未能采集账号1个，篇幅所限不在正文中列出" in _docx_text(
        Path(summary["files"]["docx"])
    )
    assert len(document.tables[0].rows) == 1  # header only
    annex = list(
        load_workbook(summary["files"]["xlsx"])["问题账号清单"].iter_rows(min_row=3, values_only=True)
    )
    assert len(annex) == summary["annex_rows"] == 3


def test_relay_figures_come_from_the_latest_run_in_the_window(sqlite_db: str) -> None:
    from registry.checks import store as checks
    from registry.checks.inputs import add_release
    from tests.reports.test_data import result, utc

    build(sqlite_db)
    with session_scope(sqlite_db) as s:
        release = add_release(
            s,
            title="重要政策发布",
            url="https://example.gov.cn/policy",
            text="政策全文",
            published_at=utc(2026, 9, 1),
            due_hours=48,
            units=[],
            exact_hash=1,
            actor="t",
        )
        run = {
            "kind": "adhoc",
            "at": utc(2026, 9, 20),
            "window_from": utc(2026, 9, 1),
            "window_to": utc(2026, 9, 20),
            "sample_rate": None,
            "seed": 1,
            "profile": "national",
            "thresholds": {},
            "actor": "t",
            "population": 3,
        }
        relays = [
            {"release_id": release.id, "account_id": 1, "relayed_at": utc(2026, 9, 1, 12), "on_time": True},
            {"release_id": release.id, "account_id": 2, "relayed_at": utc(2026, 9, 5), "on_time": False},
            {"release_id": release.id, "account_id": 5, "relayed_at": None, "on_time": False},
        ]
        checks.store_run(
            s,
            run=run,
            results=[result(1, "qualified"), result(2, "qualified"), result(5, "qualified")],
            relays=relays,
        )
    with session_scope(sqlite_db) as s:
        report = compute_circular(s, window=Window(*Q3), today=date(2026, 10, 8))
    assert report.figures["relay"] == {"releases": 1, "due": 3, "relayed": 2, "on_time": 1}
    assert report.context.relay_text == (
        "重点信息转载方面，本期共下达转载任务1条，应转载3个账号次，按时转载1个账号次，按时转载率33.33%；"
        "逾期转载1个账号次，未转载1个账号次。"
    )


def test_a_problem_found_outside_the_checks_is_numbered_after_theirs(sqlite_db: str) -> None:
    """The hook for other sources (e.g. discovery of accounts that run without being filed)."""
    from reports.circular_text import Problem

    build(sqlite_db)
    extra = Problem("unfiled", "未经备案开设账号", "deduct", ("兰州市人民政府“兰州城管”抖音账号",), 1)
    with session_scope(sqlite_db) as s:
        report = compute_circular(s, window=Window(*Q3), today=date(2026, 10, 8), extra_problems=[extra])
    others = report.context.other_problems
    assert [(p.ordinal, p.rule) for p in others] == [("一", "low_originality"), ("二", "unfiled")]
    assert others[1].text == "共1个账号存在此问题，为兰州市人民政府“兰州城管”抖音账号。"
    assert report.figures["problems"]["unfiled"] == 1
