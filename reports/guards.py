"""Guards before anything official is written.

- A window that ends after today is refused (the checks of its last days have not run):
  exit status 2 with one line, unless the user asks for a draft (``--draft``).
- The circular is still written, but marked 征求意见稿 (a draft for comment, without a
  发文字号 and without opening ledger items), and the user is told why, when
  - serious-error (and other veto) candidates of the window's checks are still waiting for a
    person's review: the verdicts they would change are not final;
  - accounts of the window were never collected at all: nothing is known about them;
  - nothing was checked: a formal circular never says "检查账号0个…合格率—".
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from registry.checks import window as rd
from registry.errors import InvalidValue
from reports.text import cn_date
from reports.window import Window, WindowFacts


def refuse_open_window(window: Window, today: date, *, draft: bool, what: str = "正式通报") -> None:
    """A window that has not ended yet can only give a draft (of a circular; notices none)."""
    if window.end > today and not draft:
        hint = "；如需提前起草，请加 --draft" if what == "正式通报" else ""
        raise InvalidValue(
            "--to",
            window.end.isoformat(),
            f"检查窗口晚于今天（{cn_date(today)}）尚未结束，不能印发{what}{hint}",
        )


def draft_reasons(session: Session, facts: WindowFacts) -> list[str]:
    """Why the circular can only be a draft for comment (empty: it can be issued)."""
    reasons = []
    if facts.runs:
        pending = rd.findings_of(
            session, [r.id for r in facts.runs], statuses=("candidate",), levels=("veto",), judged_only=True
        )
        if pending:
            accounts = len({f.account_id for f in pending})
            reasons.append(
                f"检查窗口内有{len(pending)}条严重表述错误等单项否决问题（涉及{accounts}个账号）尚待人工复核"
                "（govmedia finding list --status candidate）"
            )
    never = [r for r in facts.uncollected.values() if r.collection == "never"]
    if never:
        reasons.append(f"{len(never)}个账号在检查窗口内从未成功采集，无法判定其更新情况（见附件2）")
    if not facts.runs:
        reasons.append("检查窗口内没有开展检查")
    elif not facts.checked:
        reasons.append("检查窗口内没有可判定的检查结果（被检查账号均未能采集）")
    return reasons
