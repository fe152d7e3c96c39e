"""Charts the server draws as SVG (no script, no external library): a line of pass rates over
the recent runs and horizontal bars of pass rates by platform or region.

The input is already computed (labels and rates from the stored verdicts, by the one
pass-rate function); this module only draws. Every label is escaped; colours are
presentation attributes, so the page's Content-Security-Policy needs no inline style.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

INK = "#1f2d3d"
GRID = "#d8dee6"
LINE = "#b3261e"
BAR = "#2f5d8a"


@dataclass(frozen=True)
class Point:
    label: str
    rate: Decimal | None  # None: nothing checked (no bar, no point)
    note: str = ""  # e.g. "合格 12 / 不合格 3"


def _text(x: float, y: float, body: str, *, anchor: str = "middle", size: int = 12, fill: str = INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}">{escape(body)}</text>'
    )


def trend(points: Sequence[Point], *, title: str, width: int = 640, height: int = 260) -> Markup:
    """A line of pass rates (0–100 %) over the runs, oldest on the left."""
    left, right, top, bottom = 48, 16, 28, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [_open(width, height, title), _text(width / 2, 18, title, size=14)]
    for pct in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - pct / 100)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 6, y + 4, f"{pct}%", anchor="end", size=11))
    step = plot_w / max(len(points) - 1, 1)
    coords = []
    for i, point in enumerate(points):
        x = left + (step * i if len(points) > 1 else plot_w / 2)
        parts.append(_text(x, height - bottom + 18, point.label, size=11))
        if point.rate is not None:
            y = top + plot_h * (1 - float(point.rate) / 100)
            coords.append(f"{x:.1f},{y:.1f}")
            note = escape(point.note)
            dot = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{LINE}">'
            parts.append(f"{dot}<title>{note}</title></circle>")
            parts.append(_text(x, y - 8, f"{point.rate}%", size=11, fill=LINE))
    if len(coords) > 1:
        parts.append(f'<polyline points="{" ".join(coords)}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    if not points:
        parts.append(_text(width / 2, height / 2, "尚无检查结果"))
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(points: Sequence[Point], *, title: str, width: int = 640) -> Markup:
    """Horizontal bars of pass rates (0–100 %), one per label, in the order given."""
    row, left, right, top = 26, 170, 70, 30
    height = top + row * max(len(points), 1) + 12
    plot_w = width - left - right
    parts = [_open(width, height, title), _text(width / 2, 18, title, size=14)]
    for i, point in enumerate(points):
        y = top + row * i
        parts.append(_text(left - 8, y + 16, point.label, anchor="end"))
        if point.rate is None:
            parts.append(_text(left + 4, y + 16, "无可计算的结果", anchor="start", size=11))
            continue
        w = plot_w * float(point.rate) / 100
        parts.append(
            f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{BAR}">'
            f"<title>{escape(point.note)}</title></rect>"
        )
        parts.append(_text(left + w + 6, y + 16, f"{point.rate}%", anchor="start", size=11))
    if not points:
        parts.append(_text(width / 2, top + 16, "尚无检查结果"))
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" class="chart">'
    )
