"""Per-unit feedback (一对一反馈): one Word document per unit that has problems.

Each notice lists only the unit's own accounts and findings (from the circular's annex),
with the evidence, the ledger item number to quote when reporting back, and the deadline.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from reports import render
from reports.circular import CircularReport
from reports.problems import AnnexRow
from reports.publish import Written, ensure_dir


@dataclass
class NoticeItem:
    """One problem in a notice."""

    no: int
    account: str
    platform: str
    problem: str
    description: str
    last_update: str
    evidence: str
    item_id: int  # 整改台账事项编号，报送整改情况时引用


@dataclass
class NoticeContext:
    """Placeholders of ``notice.docx``."""

    issuer: str  # 发文机关
    doc_no: str  # 发文字号（通报的）
    title: str  # 标题
    unit: str  # 主送：被反馈单位
    window_text: str  # 检查窗口
    account_count: int  # 存在问题的账号数
    finding_count: int  # 问题数
    items: list[NoticeItem]
    deadline_text: str  # 整改期限
    date_text: str  # 成文日期
    cc: str  # 抄送
    printer: str  # 印发机关
    print_date_text: str  # 印发日期


def unit_notices(report: CircularReport, item_ids: dict[tuple[int, str], int]) -> list[NoticeContext]:
    """One context per unit with annex rows, in annex order."""
    ctx = report.context
    by_unit: dict[int, list[AnnexRow]] = defaultdict(list)
    for row in report.annex:
        by_unit[row.unit_id].append(row)
    notices = []
    for rows in by_unit.values():
        unit = rows[0].unit
        items = [
            NoticeItem(
                n,
                r.account,
                r.platform,
                r.problem,
                r.description,
                r.last_update,
                r.evidence or "无",
                item_ids.get((r.account_id, r.rule), 0),
            )
            for n, r in enumerate(rows, start=1)
        ]
        notices.append(
            NoticeContext(
                issuer=ctx.issuer,
                doc_no=ctx.doc_no,
                title=f"关于{unit}政务新媒体检查问题的反馈",
                unit=unit,
                window_text=ctx.window_text,
                account_count=len({r.account_id for r in rows}),
                finding_count=len(rows),
                items=items,
                deadline_text=ctx.deadline_text,
                date_text=ctx.date_text,
                cc="",
                printer=ctx.printer,
                print_date_text=ctx.print_date_text,
            )
        )
    return notices


def safe_filename(name: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", name).strip("_") or "unit"


def write_notices(notices: list[NoticeContext], out: Path, *, template: Path | None = None) -> Written:
    written = Written()
    chosen = template or render.TEMPLATES / "notice.docx"
    ensure_dir(out)
    for n, notice in enumerate(notices, start=1):
        path = out / f"一对一反馈_{n:03d}_{safe_filename(notice.unit)}.docx"
        written.files[notice.unit] = str(render.render_docx(chosen, notice, (), path))
    return written
