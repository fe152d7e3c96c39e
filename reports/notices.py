"""Per-unit feedback (一对一反馈): one Word document per unit that has problems.

Each notice lists only the unit's own accounts and findings (from the circular's annex), one
numbered paragraph each, written in sentences: the account (“兰州发布”新浪微博账号), the
problem, what was found, the evidence link when there is one, and the ledger item number to
quote when reporting back; then the deadline. It cites the circular by title and 发文字号
and carries no number of its own.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from registry import paths
from registry.errors import InvalidValue
from reports import render
from reports.circular import CircularReport
from reports.problems import AnnexRow
from reports.publish import Written, ensure_dir
from reports.wording import account_word, quote


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
    text: str = ""  # the finished paragraph


@dataclass
class NoticeContext:
    """Placeholders of ``notice.docx``."""

    issuer: str  # 发文机关（落款）
    masthead: str  # 版头
    draft_mark: str  # “（征求意见稿）”或空
    doc_no: str  # 所依据通报的发文字号（反馈本身不编号）
    title: str  # 标题
    unit: str  # 主送：被反馈单位
    window_text: str  # 检查窗口
    account_count: int  # 存在问题的账号数
    finding_count: int  # 问题数
    opening_text: str  # 开头：依据的通报、窗口、问题数
    items: list[NoticeItem]
    closing_text: str  # 整改期限和报送要求
    deadline_text: str  # 整改期限
    date_text: str  # 成文日期
    cc: str  # 抄送（为空时不印）
    printer: str  # 印发机关
    print_date_text: str  # 印发日期


def item_text(item: NoticeItem) -> str:
    """'1. “兰州发布”新浪微博账号：内容不更新。监测时间点前2周内无更新，…。证据链接：…。（整改事项编号12）'"""
    text = f"{item.no}. {quote(item.account)}{item.platform}{account_word(item.platform)}：{item.problem}。"
    description = item.description.rstrip("。；; ")
    if description and description != item.problem:
        text += f"{description}。"
    if item.evidence:
        text += f"证据链接：{item.evidence}。"
    return text + (f"（整改事项编号{item.item_id}）" if item.item_id else "")


def unit_notices(report: CircularReport, item_ids: dict[tuple[int, str], int]) -> list[NoticeContext]:
    """One context per unit with annex rows, in annex order."""
    ctx = report.context
    by_unit: dict[int, list[AnnexRow]] = defaultdict(list)
    for row in report.annex:
        by_unit[row.unit_id].append(row)
    cited = f"根据《{ctx.title}》（{ctx.doc_no}），" if ctx.doc_no else ""
    notices = []
    for rows in by_unit.values():
        items = []
        for n, r in enumerate(rows, start=1):
            item = NoticeItem(
                n, r.account, r.platform, r.problem, r.description, r.last_update, r.evidence,
                item_ids.get((r.account_id, r.rule), 0),
            )  # fmt: skip
            item.text = item_text(item)
            items.append(item)
        accounts = len({r.account_id for r in rows})
        notices.append(
            NoticeContext(
                issuer=ctx.issuer,
                masthead=ctx.masthead,
                draft_mark=ctx.draft_mark,
                doc_no=ctx.doc_no,
                title=f"关于{report.subject}发现问题的反馈",
                unit=rows[0].unit,
                window_text=ctx.window_text,
                account_count=accounts,
                finding_count=len(rows),
                opening_text=(
                    f"{cited}现将{ctx.window_text}政务新媒体检查中你单位{accounts}个账号存在的"
                    f"{len(rows)}项问题反馈如下，请逐项核实整改："
                ),
                items=items,
                closing_text=(
                    f"请于{ctx.deadline_text}前将整改情况（含整改措施、完成时间和佐证材料链接）书面报送"
                    f"{ctx.issuer}，报送时注明整改事项编号。整改完成后，将在后续检查中复核。"
                ),
                deadline_text=ctx.deadline_text,
                date_text=ctx.date_text,
                cc="",
                printer=ctx.printer,
                print_date_text=ctx.print_date_text,
            )
        )
    return notices


def safe_filename(name: str) -> str:
    """A unit's name as part of a file name (``registry.paths.safe_filename``)."""
    return paths.safe_filename(name, fallback="unit")


def write_notices(notices: list[NoticeContext], out: Path, *, template: Path | None = None) -> Written:
    """Write every notice, or none: they are rendered into a temporary folder inside ``out``
    and moved into place only once all of them are written."""
    import shutil
    import tempfile

    written = Written()
    chosen = template or render.TEMPLATES / "notice.docx"
    ensure_dir(out)
    names = [f"一对一反馈_{n:03d}_{safe_filename(notice.unit)}.docx" for n, notice in enumerate(notices, 1)]
    try:
        staging = Path(tempfile.mkdtemp(prefix=".govmedia-", dir=out))
    except OSError as exc:
        raise InvalidValue("--out", str(out), f"无法写入：{paths.write_reason(exc)}") from None
    moved: list[Path] = []
    try:
        for name, notice in zip(names, notices, strict=True):
            render.render_docx(chosen, notice, (), staging / name)
        for name, notice in zip(names, notices, strict=True):
            os.replace(staging / name, out / name)
            moved.append(out / name)
            written.files[notice.unit] = str(out / name)
    except OSError as exc:
        for path in moved:  # nothing half-done: the notices moved so far go as well
            path.unlink(missing_ok=True)
        raise InvalidValue("--out", str(out), f"无法写入一对一反馈：{paths.write_reason(exc)}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written
