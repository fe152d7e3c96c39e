"""The PDF of a Word document, made by LibreOffice (``soffice --headless --convert-to pdf``).

LibreOffice is not a Python package: on Debian or Ubuntu it is ``apt-get install
libreoffice-writer-nogui``. When it is missing, ``converter`` refuses with that line before
anything is written. Each conversion runs with its own LibreOffice profile (so two at once
never collide) and with a font configuration that adds the Chinese font shipped in
``reports/fonts`` to the machine's own, so that the PDF shows Chinese even where no Chinese
font is installed (the official fonts 仿宋_GB2312 and 方正小标宋简体 are used where installed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from registry.errors import GovmediaError, InvalidValue
from reports.charts import SHIPPED_FONT

INSTALL = "apt-get install libreoffice-writer-nogui（Debian/Ubuntu，需 root 或 sudo）"
TIMEOUT = 300
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{fonts}</dir>
</fontconfig>
"""


def converter() -> str:
    """The ``soffice`` program, or the one-line refusal that says how to install it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise InvalidValue("--pdf", "是", f"未安装 LibreOffice，无法生成 PDF；安装方法：{INSTALL}")
    return found


def to_pdf(document: Path, *, timeout: int = TIMEOUT) -> Path:
    """Convert ``document`` (.docx) to a PDF beside it and return the PDF's path."""
    program = converter()
    target = document.with_suffix(".pdf")
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="govmedia-pdf-") as tmp:
        conf = Path(tmp) / "fonts.conf"
        conf.write_text(FONTS_CONF.format(fonts=SHIPPED_FONT.parent), encoding="utf-8")
        env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
        command = [
            program,
            "--headless",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(document.parent),
            str(document),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired:
            raise GovmediaError(f"LibreOffice 转换 PDF 超过 {timeout} 秒未完成：{document}") from None
    if not target.is_file():
        detail = (done.stderr or done.stdout or "").strip().splitlines()
        raise GovmediaError(f"LibreOffice 未能生成 PDF：{detail[-1] if detail else document}")
    return target
