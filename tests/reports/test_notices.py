"""一对一反馈: one Word notice per unit with problems, naming only its own accounts."""

from __future__ import annotations

import json
from pathlib import Path

import docx

from tests.reports.test_data import build, settle


def test_one_notice_per_unit_with_only_its_own_accounts(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "g.db")
    build(db)
    settle(db)
    out = tmp_path / "notices"
    res = cli(
        f"--db {db} report notices --from 2026-07-01 --to 2026-09-30 --deadline 2026-11-15 "
        f"--out {out} --format json"
    )
    assert res.code == 0, res
    summary = json.loads(res.out)
    assert summary["units"] == 3 and summary["notified"] == 3
    texts = {
        unit: "\n".join(p.text for p in docx.Document(path).paragraphs)
        for unit, path in summary["files"].items()
    }
    assert set(texts) == {"兰州市人民政府", "城关区人民政府", "天水市人民政府"}
    lanzhou = texts["兰州市人民政府"]
    assert "兰州市人民政府：" in lanzhou and "兰州发布" in lanzhou
    assert "天水发布" not in lanzhou and "城关微博" not in lanzhou
    assert "你单位1个账号存在的1项问题反馈如下" in lanzhou
    assert (
        "1. “兰州发布”微信公众号：内容不更新。监测时间点前2周内无更新，最近一次更新为2026年6月20日。"
        "证据链接：https://example.org/gh_000000000003。（整改事项编号1）"
    ) in lanzhou  # sentences in the rule's words, a date, no ISO time
    assert "请于2026年11月15日前将整改情况" in lanzhou
    assert "（征求意见稿）" not in lanzhou and "抄送" not in lanzhou
    assert "<script>" in texts["城关区人民政府"]  # untrusted text is shown literally, never as markup


def test_notices_reuse_the_circulars_deadline(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "g.db")
    build(db)
    settle(db)
    window = "--from 2026-07-01 --to 2026-09-30"
    assert cli(f"--db {db} report circular {window} --deadline 2026-11-20 --out {tmp_path / 'c'}").code == 0
    res = cli(f"--db {db} report notices {window} --out {tmp_path / 'n'} --format json")
    assert json.loads(res.out)["deadline"] == "2026-11-20"


def test_a_window_without_problems_writes_no_notice(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "g.db")
    build(db)
    res = cli(
        f"--db {db} report notices --from 2025-01-01 --to 2025-03-31 --out {tmp_path / 'n'} --format json"
    )
    assert res.code == 0 and json.loads(res.out)["units"] == 0


def test_notices_of_a_window_that_has_not_ended_are_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "g.db")
    build(db)
    res = cli(f"--db {db} report notices --from 2026-07-01 --to 2099-09-30 --out {tmp_path / 'n'}")
    assert res.code == 2 and "尚未结束，不能印发一对一反馈" in res.err and "--draft" not in res.err
