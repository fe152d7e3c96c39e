"""The circular's relay sentence and its annex say the same thing: an account the checks could
not collect is in neither (its relays are unknown), and every 未转载 / 逾期 account-time the
text counts is an annex row of 未按时转载重要信息."""

from __future__ import annotations

from datetime import date

from monitor.check.run import run_check
from registry import db
from registry.filing import accounts as filing
from reports.circular import compute_circular
from reports.window import Window
from tests.monitor.test_check_scenario import AT, NOW, build


def test_relay_sentence_and_annex_agree(any_db: str) -> None:
    url = db.resolve_url(any_db)
    ids = build(url)
    with db.session_scope(url) as s:  # a third account of the release's unit that no crawl reached
        extra = filing.file_account(
            s,
            unit="兰州市某局",
            platform="douyin",
            name="从未采集号",
            platform_id="1000099",
            opened_on="2025-01-01",
            actor="t",
        )
        filing.approve(s, extra.id, actor="t")
        run_check(s, kind="monthly", actor="t", at=AT, now=NOW, seed=1)
    with db.session_scope(url) as s:
        report = compute_circular(
            s, window=Window(date(2026, 11, 1), date(2026, 11, 30)), today=date(2026, 12, 1)
        )
    text = report.context.relay_text
    # due: flagged (on time), copier and imported (missed); the uncollected account is left out
    assert "应转载3个账号次" in text and "按时转载1个账号次" in text and "未转载2个账号次" in text
    missed = sorted(r.account_id for r in report.annex if r.rule == "relay_missed")
    assert missed == sorted([ids["copier"], ids["imported"]])
    assert extra.id not in {r.account_id for r in report.annex}
    assert report.figures["relay"]["due"] == 3
