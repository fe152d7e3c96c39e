"""The circular as printed: ``--pdf`` converts it with LibreOffice, and the pages are rendered
to PNG (poppler's ``pdftoppm``) and looked at, so that a broken layout is caught: the pages
are A4, the annex pages landscape, every chart shows at its full height (a picture in a
fixed-pitch line is clipped to a strip), the text is Chinese in an embedded font.

CI installs LibreOffice and poppler (``scripts/ci-packages.sh``); elsewhere the test is
skipped when they are missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.reports.test_data import build, settle

CHART_BLUE = (0x2F, 0x55, 0x97)  # the bars of reports.charts
DPI = 50


def _tools() -> None:
    missing = [t for t in ("soffice", "pdftoppm", "pdfinfo", "pdftotext") if not shutil.which(t)]
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{', '.join(missing)} required in CI (scripts/ci-packages.sh installs them)")
        pytest.skip(
            f"{', '.join(missing)} not installed (apt-get install libreoffice-writer-nogui poppler-utils)"
        )


def _pages(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True
    ).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def _blue_rows(png: Path) -> int:
    """How many pixel rows of a rendered page show the bars' colour (a chart's drawn height)."""
    from PIL import Image

    image = Image.open(png).convert("RGB")
    width, height = image.size
    pixels = image.load()
    rows = 0
    for y in range(height):
        if any(
            all(abs(c - b) < 40 for c, b in zip(pixels[x, y], CHART_BLUE, strict=True))
            for x in range(0, width, 2)
        ):
            rows += 1
    return rows


def test_the_printed_circular_looks_right(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    _tools()
    monkeypatch.setenv("GOVMEDIA_REPORT_ISSUER", "甘肃省政务公开办公室")
    monkeypatch.setenv("GOVMEDIA_REPORT_DOC_NO", "甘政务公开办〔{year}〕{seq}号")
    monkeypatch.setenv("GOVMEDIA_REPORT_CC", "省委网信办")
    db = str(tmp_path / "g.db")
    build(db)
    settle(db)
    result = cli(
        f"--db {db} report circular --from 2026-07-01 --to 2026-09-30 --pdf --out {tmp_path / 'out'} --format json"
    )
    assert result.code == 0, result
    summary = json.loads(result.out)
    pdf = Path(summary["files"]["pdf"])
    pages = _pages(pdf)
    assert len(pages) >= 4
    portrait, landscape = (595, 842), (842, 595)
    shapes = [(round(w), round(h)) for w, h in pages]
    assert shapes[0] == portrait and shapes[-1] == portrait  # the body and the 版记
    assert landscape in shapes and set(shapes) <= {portrait, landscape}  # the annex pages
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    for words in ("甘肃省政务公开办公室文件", "甘政务公开办〔", "抄送：省委网信办", "问题账号清单", "图2"):
        assert words in text.replace(" ", ""), words
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "NotoSansSC" in fonts or "CJK" in fonts or "WenQuanYi" in fonts  # Chinese in a real font
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(pages)
    page_height = round(842 / 72 * DPI)
    drawn = [rows for rows in (_blue_rows(p) for p in images) if rows]
    # two bar charts (分平台, 分市州), each at least a sixth of a page high; a clipped one is a strip
    assert len(drawn) >= 1 and sum(drawn) >= 2 * page_height // 6, drawn


def test_without_libreoffice_pdf_is_refused_before_anything_is_written(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import reports.pdf

    monkeypatch.setattr(reports.pdf.shutil, "which", lambda name: None)
    db = str(tmp_path / "g.db")
    build(db)
    result = cli(
        f"--db {db} report circular --from 2026-07-01 --to 2026-09-30 --pdf --out {tmp_path / 'out'}"
    )
    assert (
        result.code == 2 and "未安装 LibreOffice" in result.err and "libreoffice-writer-nogui" in result.err
    )
    assert not (tmp_path / "out").exists()
