"""PNG charts for the circular and the check sheet (matplotlib, Agg backend).

Chinese labels need a CJK font from the machine (``make fonts`` installs a free one where
apt is available). When none is found the charts still render: labels fall back to codes
and dates, titles to English, and a single warning (``FontWarning``) says so. A chart only
draws the figures it is given; every figure comes from the report's context.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib import pyplot as plt

# Preferred families, best first; any other family whose file covers 中文 also works.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Serif CJK SC",
    "AR PL UKai CN",
    "AR PL UMing CN",
    "AR PL SungtiL GB",
    "AR PL KaitiM GB",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Droid Sans Fallback",
)
PROBE = "政务新媒体合格率"


class FontWarning(UserWarning):
    """未找到中文字体：图表改用代码和英文标注（运行 make fonts 安装免费中文字体）。"""


@dataclass(frozen=True)
class Series:
    """One chart's figures: labels (Chinese and fallback) and values in percent."""

    title: str
    title_fallback: str
    labels: Sequence[str]
    fallback_labels: Sequence[str]
    values: Sequence[float]
    kind: str = "bar"  # "bar" or "line"


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of a CJK font installed on this machine, or None."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    _add_new_system_fonts()
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    for entry in font_manager.fontManager.ttflist:
        # "Last Resort" maps every code point to a placeholder box: not a real CJK font
        if "Last Resort" not in entry.name and _covers(entry.fname):
            return entry.name
    return None


CJK_FILE_HINTS = (
    "cjk",
    "wqy",
    "uming",
    "ukai",
    "gbsn",
    "gkai",
    "droidsansfallback",
    "sourcehan",
    "simhei",
    "simsun",
    "msyh",
    "fang",
    "kai",
    "hei",
    "song",
)


def _add_new_system_fonts() -> None:
    """Register CJK fonts installed after matplotlib built its font cache (``make fonts``)."""
    known = {f.fname for f in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        name = path.lower().replace("-", "").replace("_", "")
        if path not in known and any(hint in name for hint in CJK_FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue


def _covers(path: str) -> bool:
    try:
        from matplotlib.ft2font import FT2Font

        font = FT2Font(path)
        charmap = font.get_charmap()
    except Exception:
        return False
    return all(ord(ch) in charmap for ch in PROBE)


def font_warning() -> str | None:
    """The Chinese line to show the user when charts fall back, else None."""
    if cjk_font() is None:
        return "未找到中文字体，图表改用代码和英文标注（可运行 make fonts 安装免费中文字体）"
    return None


def render(series: Series, path: Path) -> Path:
    """Draw one chart to ``path`` (PNG, 150 dpi) and return the path."""
    family = cjk_font()
    if family is None:
        warnings.warn(FontWarning(font_warning()), stacklevel=2)
        labels, title = list(series.fallback_labels), series.title_fallback
    else:
        labels, title = list(series.labels), series.title
    path.parent.mkdir(parents=True, exist_ok=True)
    values = list(series.values)
    with plt.rc_context(_style(family)):  # type: ignore[arg-type]
        width = max(6.0, min(14.0, 0.6 * len(labels) + 3))
        fig, ax = plt.subplots(figsize=(width, 3.6), dpi=150)
        try:
            positions = list(range(len(labels)))
            if series.kind == "line":
                ax.plot(positions, values, marker="o", color="#C00000")
            else:
                ax.bar(positions, values, color="#2F5597")
            for x, y in zip(positions, values, strict=True):
                ax.annotate(
                    f"{y:.2f}", (x, y), textcoords="offset points", xytext=(0, 3), ha="center", fontsize=8
                )
            ax.set_xticks(
                positions,
                labels,
                rotation=30 if len(labels) > 6 else 0,
                ha="right" if len(labels) > 6 else "center",
            )
            ax.set_ylim(0, 105)
            ax.set_ylabel("%")
            ax.set_title(title)
            ax.grid(axis="y", alpha=0.3)
            fig.tight_layout()
            fig.savefig(path)
        finally:
            plt.close(fig)
    return path


def _style(family: str | None) -> dict[str, Any]:
    style: dict[str, Any] = {"axes.unicode_minus": False, "font.size": 9}
    if family is not None:
        style["font.family"] = "sans-serif"
        style["font.sans-serif"] = [family, "DejaVu Sans"]
    return style
