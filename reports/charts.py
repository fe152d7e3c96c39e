"""PNG charts for the circular (matplotlib, Agg backend), always labelled in Chinese.

The font: a full Chinese font installed on the machine when there is one (``make fonts``
installs WenQuanYi Micro Hei or Noto CJK), else the Noto Sans SC subset shipped in
``reports/fonts`` (GB 2312, SIL OFL), so a machine without Chinese fonts still draws Chinese.
There is no English or code fallback: when no Chinese font can be had at all, ``cjk_font``
is None and the circular is written without charts (``reports.publish`` says so). A label
with a character the chosen font lacks is reported by ``missing_glyphs``. A chart only draws
the figures it is given; every figure comes from the report's context, and its title is the
caption under the picture in the document, not part of the image.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib import pyplot as plt

SHIPPED_FONT = Path(__file__).parent / "fonts" / "NotoSansSC-GB2312.otf"
# Installed families preferred, best first; any other installed font that covers 中文 also works.
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
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Droid Sans Fallback",
)
PROBE = "政务新媒体合格率"
CJK_FILE_HINTS = ("cjk", "wqy", "uming", "ukai", "droidsansfallback", "sourcehan", "simhei", "msyh")
NO_FONT = "未找到中文字体，通报中不放图表（随软件提供的字体文件缺失；可运行 make fonts 安装免费中文字体）"


@dataclass(frozen=True)
class Series:
    """One chart's figures: Chinese labels and values in percent."""

    title: str  # the caption's words, e.g. 各月合格率（%）
    labels: Sequence[str]
    values: Sequence[float]
    kind: str = "bar"  # "bar" or "line"
    decimals: int = 2  # the profile's pass-rate decimals, for the figures on the bars


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family of the Chinese font the charts use, or None when none can be had."""
    family = _installed()
    if family is None:
        _add_new_system_fonts()
        family = _installed()
    if family is None and SHIPPED_FONT.is_file():
        try:
            font_manager.fontManager.addfont(str(SHIPPED_FONT))
            family = font_manager.FontProperties(fname=str(SHIPPED_FONT)).get_name()
        except (OSError, RuntimeError, ValueError):
            family = None
    return family


def _installed() -> str | None:
    entries = [f for f in font_manager.fontManager.ttflist if Path(f.fname) != SHIPPED_FONT]
    names = {f.name for f in entries}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    for entry in entries:
        # "Last Resort" maps every code point to a placeholder box: not a real CJK font
        if "Last Resort" not in entry.name and _covers(entry.fname, PROBE):
            return entry.name
    return None


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


def _charmap(path: str) -> dict[int, Any]:
    try:
        from matplotlib.ft2font import FT2Font

        return dict(FT2Font(path).get_charmap())
    except Exception:
        return {}


def _covers(path: str, text: str) -> bool:
    charmap = _charmap(path)
    return bool(charmap) and all(ord(ch) in charmap for ch in text)


def missing_glyphs(texts: Iterable[str]) -> str:
    """The characters of ``texts`` the chart font cannot draw ('' when it draws them all)."""
    family = cjk_font()
    if family is None:
        return ""
    try:
        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    except ValueError:
        return ""
    charmap = _charmap(path)
    wanted = {ch for text in texts for ch in text if not ch.isspace()}
    return "".join(sorted(ch for ch in wanted if ord(ch) not in charmap))


def render(series: Series, path: Path) -> Path:
    """Draw one chart to ``path`` (PNG, 150 dpi) and return the path; needs a Chinese font."""
    family = cjk_font()
    if family is None:
        raise RuntimeError(NO_FONT)
    labels, values = list(series.labels), list(series.values)
    path.parent.mkdir(parents=True, exist_ok=True)
    with plt.rc_context(_style(family)):  # type: ignore[arg-type]
        # at most 9 inches wide (printed 150 mm wide, the labels stay legible), never flatter than 2:1
        width = max(6.0, min(9.0, 0.45 * len(labels) + 3))
        fig, ax = plt.subplots(figsize=(width, max(3.6, width / 2)), dpi=150)
        try:
            positions = list(range(len(labels)))
            if series.kind == "line":
                ax.plot(positions, values, marker="o", color="#C00000")
            else:
                ax.bar(positions, values, color="#2F5597")
            for x, y in zip(positions, values, strict=True):
                ax.annotate(
                    f"{y:.{series.decimals}f}",
                    (x, y),
                    textcoords="offset points",
                    xytext=(0, 3),
                    ha="center",
                    fontsize=8,
                )
            crowded = len(labels) > 6
            ax.set_xticks(
                positions, labels, rotation=30 if crowded else 0, ha="right" if crowded else "center"
            )
            ax.set_xlim(-0.6, len(labels) - 0.4)
            ax.set_ylim(0, 108)
            ax.set_ylabel("合格率（%）")
            ax.grid(axis="y", alpha=0.3)
            fig.tight_layout()
            fig.savefig(path)
        finally:
            plt.close(fig)
    return path


def _style(family: str) -> dict[str, Any]:
    return {
        "axes.unicode_minus": False,
        "font.size": 9,
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
    }
