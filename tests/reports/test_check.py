"""The result sheet of one check run: totals, sample, problem accounts with evidence,
candidates awaiting review, and the comparison with the previous run of the same kind."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook

from monitor.check import review
from registry.checks import queries as check_queries
from registry.db import session_scope
from tests.reports.test_data import build


def _sheet(cli, db: str, run: int, out: Path) -> dict:  # type: ignore[no-untyped-def]
    res = cli(f"--db {db} report check {run} --out {out} --format json")
    assert res.code == 0, res
    return json.loads(res.out)


def test_the_monthly_sheet_compares_with_the_previous_monthly_run(cli, any_db: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runs = build(any_db)
    summary = _sheet(cli, any_db, runs["monthly"], tmp_path / "m")
    assert (summary["sampled"], summary["qualified"], summary["unqualified"], summary["uncollected"]) == (
        9,
        6,
        2,
        1,
    )
    assert summary["pass_rate"] == "75.00%"
    html = Path(summary["files"]["html"]).read_text(encoding="utf-8")
    assert f"上一次月检查（第{runs['q2']}次" in html and "合格率66.67%；本次较上次提高8.33个百分点" in html
    book = load_workbook(summary["files"]["xlsx"])
    bad = list(book["不合格账号"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in bad) == ["兰州发布", "天水发布"]
    assert ("兰州发布", "2026-06-20 10:00") in {(r[0], r[7]) for r in bad}
    assert [r[0] for r in book["未能采集"].iter_rows(min_row=2, values_only=True)] == ["甘肃教育发布"]


def test_candidates_are_listed_for_review_and_escaped(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "g.db")
    runs = build(db)
    summary = _sheet(cli, db, runs["weekly"], tmp_path / "w")
    assert summary["candidates"] == 1 and summary["unqualified"] == 1
    html = Path(summary["files"]["html"]).read_text(encoding="utf-8")
    assert "无上一次同类检查。" in html and "https://example.org/p/4" in html
    candidates = list(
        load_workbook(summary["files"]["xlsx"])["待复核问题"].iter_rows(min_row=2, values_only=True)
    )
    assert [(r[1], r[4], r[6]) for r in candidates] == [("兰州教育", "严重表述错误", "待复核")]


def test_a_confirmation_after_the_run_is_reflected(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "g.db")
    runs = build(db)
    with session_scope(db) as s:
        candidate = next(
            f for f in check_queries.list_findings(s, run_id=runs["weekly"]) if f["status"] == "candidate"
        )
        review.review_finding(s, candidate["id"], status="confirmed", note="人工复核属实", actor="tester")
    summary = _sheet(cli, db, runs["weekly"], tmp_path / "w")
    assert (summary["unqualified"], summary["candidates"], summary["pass_rate"]) == (2, 0, "50.00%")


def test_an_unknown_run_is_one_chinese_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "g.db")
    build(db)
    res = cli(f"--db {db} report check 999 --out {tmp_path / 'x'}")
    assert res.code == 2 and "找不到该检查" in res.err
