"""Writing the circular's files: charts (PNG), Word (.docx), HTML, the .xlsx annex, the
figures (.json) and, on request, a PDF (``reports.pdf``).

Rendering only: the ``CircularReport`` is complete before anything is written. File names
carry the window, e.g. ``季度通报_2026-07-01至2026-09-30.docx``. Charts are drawn with a
Chinese font or not at all (``reports.charts``): without one, the documents carry no
pictures, no captions and no sentence citing them, and the user is told why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.errors import InvalidValue
from registry.sheets import Sheet, write_workbook
from reports import charts, render
from reports.circular import IMAGES, CircularReport, clear_charts
from reports.groups import RateRow

ANNEX_HEADERS = [
    "序号",
    "地区/主办单位",
    "账号名称",
    "平台",
    "问题类型",
    "问题描述",
    "最近更新日期",
    "证据链接",
]
UNCOLLECTED_HEADERS = ["序号", "地区/主办单位", "账号名称", "平台", "最近采集情况"]
RATE_HEADERS = ["名称", "检查账号数", "合格", "不合格", "合格率（%）"]


@dataclass
class Written:
    """Paths of the files written, and the warnings the user should read."""

    files: dict[str, str] = field(default_factory=dict)
    charts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"files": self.files, "charts": self.charts, "warnings": self.warnings}


def ensure_dir(out: Path) -> Path:
    """Create the output directory, or say in one line why it cannot be used."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise InvalidValue("--out", str(out), "已存在同名文件，不是目录") from None
    except OSError as exc:
        raise InvalidValue("--out", str(out), f"无法创建目录：{exc.strerror or exc}") from None
    return out


CHART_NAMES = {
    "chart_trend": "图1各期合格率",
    "chart_platform": "图2分平台合格率",
    "chart_region": "图3分市州合格率",
}


def draw_charts(series: dict[str, charts.Series], out: Path, stem: str, written: Written) -> dict[str, str]:
    """Render each series to ``out/stem_key.png``; without a Chinese font, none (and one warning)."""
    if not series:
        return {}
    if charts.cjk_font() is None:
        written.warnings.append(charts.NO_FONT)
        return {}
    missing = charts.missing_glyphs(label for s in series.values() for label in s.labels)
    if missing:
        written.warnings.append(
            f"图表字体缺少“{missing}”，这些字在图中显示为方框（可运行 make fonts 安装完整中文字体）"
        )
    paths = {
        key: str(charts.render(s, out / f"{stem}_{CHART_NAMES.get(key, key.removeprefix('chart_'))}.png"))
        for key, s in series.items()
    }
    written.charts.extend(paths.values())
    return paths


def circular_sheets(report: CircularReport) -> list[Sheet]:
    ctx = report.context
    figures = report.figures
    summary: list[list[Any]] = [
        ["检查窗口", ctx.window_text],
        ["备案账号总数", ctx.registry_total],
        ["检查次数", ctx.runs_count],
        ["检查账号数", ctx.checked],
        ["占备案总数比例", ctx.checked_share_text],
        ["合格", ctx.qualified],
        ["不合格", ctx.unqualified],
        ["合格率", ctx.pass_rate_text],
        [
            f"{ctx.period_name}合格率",
            "" if figures["previous_pass_rate"] is None else f"{figures['previous_pass_rate']:.2f}%",
        ],
        ["变化（百分点）", "" if figures["change_points"] is None else figures["change_points"]],
        ["未能采集（人工核查）", ctx.uncollected_count],
        ["问题账号清单行数", ctx.annex_count],
        ["整改期限", ctx.deadline_text],
    ]
    trend = [*ctx.trend, *([report.trend_total] if report.trend_total else [])]
    return [
        Sheet(
            "问题账号清单",
            ANNEX_HEADERS,
            [
                [
                    r.no,
                    r.region_unit,
                    r.account,
                    r.platform,
                    r.problem,
                    r.description,
                    r.last_update,
                    r.evidence,
                ]
                for r in report.annex
            ],
            widths=(6, 30, 24, 12, 20, 50, 16, 60),
            title=f"附件1 {ctx.annex_title}",
        ),
        Sheet(
            "未能采集",
            UNCOLLECTED_HEADERS,
            [[r.no, r.region_unit, r.account, r.platform, r.detail] for r in report.uncollected],
            widths=(6, 30, 24, 12, 40),
            title="附件2 未能采集账号人工核查清单",
        ),
        Sheet("总体情况", ["指标", "数值"], summary, widths=(24, 30)),
        _rate_sheet("各期合格率", trend),
        _rate_sheet("分平台", ctx.platform_rates),
        _rate_sheet("分市州", ctx.city_rates),
        _rate_sheet("分县区", ctx.county_rates),
    ]


def _rate_sheet(name: str, rows: list[RateRow]) -> Sheet:
    return Sheet(
        name,
        RATE_HEADERS,
        [[r.label, r.checked, r.qualified, r.unqualified, r.rate] for r in rows],
        widths=(28, 12, 10, 10, 12),
    )


def stem_of(report: CircularReport) -> str:
    return f"季度通报_{report.window.start.isoformat()}至{report.window.end.isoformat()}"


def write_circular(
    report: CircularReport, out: Path, *, template: Path | None = None, pdf: bool = False
) -> Written:
    """Write the circular as .docx (from ``template`` or the shipped one), .html, .xlsx, .json
    and PNGs; with ``pdf``, also the PDF of the .docx (LibreOffice)."""
    from reports import pdf as pdfmod

    stem = stem_of(report)
    written = Written()
    chosen = template or render.TEMPLATES / "circular.docx"
    render.check_template(chosen, report.context)
    if pdf:
        pdfmod.converter()  # refuse before writing anything when LibreOffice is missing
    ensure_dir(out)
    drawn = draw_charts(report.series, out, stem, written)
    if not drawn:
        clear_charts(report.context)
    for key, path in drawn.items():
        setattr(report.context, key, path)
    docx = render.render_docx(chosen, report.context, IMAGES, out / f"{stem}.docx")
    written.files["docx"] = str(docx)
    written.files["html"] = str(
        render.render_html("circular.html.j2", report.context, IMAGES, out / f"{stem}.html")
    )
    written.files["xlsx"] = str(write_workbook(out / f"{stem}_附件.xlsx", circular_sheets(report)))
    figures = out / f"{stem}.json"
    figures.write_text(json.dumps(report.figures, ensure_ascii=False, indent=2), encoding="utf-8")
    written.files["json"] = str(figures)
    if pdf:
        written.files["pdf"] = str(pdfmod.to_pdf(docx))
    return written
