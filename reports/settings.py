"""Who issues the circular, to whom, under what number: plain values the application builds
from ``[report]`` in ``govmedia.toml`` (and ``GOVMEDIA_REPORT_…``); the reports never read
configuration themselves.

- ``issuer``: 发文机关, in the opening, the 整改要求 and the 落款 (default 省政务公开办公室);
- ``masthead``: 版头 (发文机关标志), in red over the red rule (default: issuer + 文件);
- ``addressees``: 主送机关 (default 各市（州）人民政府，省政府各部门);
- ``cc``: 抄送 in the 版记, omitted when empty;
- ``printed_by``: 印发机关 in the 版记 (default: the issuer);
- ``doc_no``: the 发文字号 pattern with ``{year}`` and ``{seq}`` (the tool keeps the sequence
  per year, ``registry.ledger.numbers``); no 发文字号 is printed when it is empty;
- ``basis``: the documents the opening cites (default: 国办秘函〔2019〕19号 and the home rules);
- ``scope``: the jurisdiction word 全省 / 全区 / 全市 / 全州 / 全县 (default 全省);
- ``deadline_workdays``: the 整改期限 in working days after the issue date (default 15).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NATIONAL_INDICATORS = "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）"
SCOPES = ("全省", "全区", "全市", "全州", "全县")
# the short word for "this jurisdiction", e.g. 全省 → 本省
HOME = {"全省": "本省", "全区": "本区", "全市": "本市", "全州": "本州", "全县": "本县"}


@dataclass(frozen=True)
class CircularSettings:
    """The issuing office's settings for its circulars and notices (see the module docstring)."""

    issuer: str = "省政务公开办公室"
    masthead: str = ""
    addressees: str = "各市（州）人民政府，省政府各部门"
    cc: str = ""
    printed_by: str = ""
    doc_no: str = ""
    basis: tuple[str, ...] | None = None  # None: the national indicators and the home rules
    scope: str = "全省"
    deadline_workdays: int = 15

    @property
    def masthead_text(self) -> str:
        return self.masthead or f"{self.issuer}文件"

    @property
    def printer(self) -> str:
        return self.printed_by or self.issuer

    def number(self, year: int, seq: int) -> str:
        """The 发文字号 of the ``seq``-th circular of ``year`` (empty without a pattern)."""
        return self.doc_no.format(year=year, seq=seq) if self.doc_no else ""

    def documents(self) -> tuple[str, ...]:
        """The configured basis, else the national indicators and '本省政务新媒体管理有关规定'."""
        if self.basis is not None:
            return self.basis
        return (NATIONAL_INDICATORS, f"{HOME.get(self.scope, '本省')}政务新媒体管理有关规定")

    @property
    def home(self) -> str:
        """'本省' for 全省, '本市' for 全市 …"""
        return HOME.get(self.scope, "本地")

    def basis_text(self) -> str:
        """'《甲》（…号）和《乙》' — the basis as the opening cites it, with 《》 added where missing."""
        items = [cite(b) for b in self.documents() if b.strip()]
        if not items:
            return ""
        if len(items) == 1:
            return items[0]
        return "、".join(items[:-1]) + "和" + items[-1]


def cite(document: str) -> str:
    """'检查指标（国办秘函〔2019〕19号）' → '《检查指标》（国办秘函〔2019〕19号）'; a text that has its
    《》 already, or a phrase such as '本省政务新媒体管理有关规定', stays as it is."""
    text = document.strip()
    title, sep, number = text.partition("（")
    if "《" in text or not sep or not number.endswith("号）"):
        return text
    return f"《{title}》（{number}"


def check_doc_no(pattern: str) -> str:
    """A 发文字号 pattern: ``{seq}`` required, ``{year}`` allowed, nothing else in braces."""
    text = pattern.strip()
    if not text:
        return text
    fields = re.findall(r"\{([^{}]*)\}", text)
    unknown = [f for f in fields if f not in ("year", "seq")]
    if unknown:
        raise ValueError("只能使用 {year} 和 {seq}，不认识 {" + unknown[0] + "}")
    if "seq" not in fields:
        raise ValueError("应含 {seq}（年度内序号），如 甘政务公开办〔{year}〕{seq}号")
    try:
        text.format(year=2026, seq=1)
    except (ValueError, IndexError, KeyError):
        raise ValueError("花括号不成对，应如 甘政务公开办〔{year}〕{seq}号") from None
    return text
