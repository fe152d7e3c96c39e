"""Rebuild the Chinese font shipped in ``reports/fonts`` (a subset of Noto Sans SC).

The charts of the circular must draw Chinese on a machine without Chinese fonts, and LibreOffice
needs a Chinese font to turn the circular into a PDF. The package therefore ships Noto Sans SC
(SIL Open Font License 1.1), cut down to what a circular prints: the 6,763 characters of
GB 2312, ASCII and Latin-1, and the punctuation of Chinese text. That keeps it under 2 MB.

Usage (the source is ``NotoSansSC-Regular.otf`` of Noto CJK 2.004, for example from the PyPI
wheel ``pylopdf-fonts-zh-cn`` or the notofonts/noto-cjk release)::

    .venv/bin/python scripts/subset_font.py path/to/NotoSansSC-Regular.otf
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

TARGET = Path(__file__).resolve().parents[1] / "reports" / "fonts" / "NotoSansSC-GB2312.otf"
RANGES = [
    (0x20, 0x7E),  # ASCII
    (0xA0, 0xFF),  # Latin-1
    (0x2010, 0x2027),  # dashes, quotation marks, ellipsis
    (0x2030, 0x203B),  # per mille, primes
    (0x2103, 0x2103),  # ℃
    (0x2160, 0x216B),  # Roman numerals
    (0x2460, 0x2473),  # circled numbers
    (0x3000, 0x303F),  # CJK punctuation: 、。〈〉《》「」〔〕
    (0xFF01, 0xFF5E),  # full-width forms
]


def gb2312() -> set[str]:
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def characters() -> set[str]:
    chars = gb2312()
    for first, last in RANGES:
        chars |= {chr(c) for c in range(first, last + 1)}
    return chars


def main(source: str) -> None:
    font = TTFont(source)
    options = subset.Options()
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.name_languages = ["*"]
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in characters()])
    subsetter.subset(font)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(TARGET))
    print(f"{TARGET} ({TARGET.stat().st_size} bytes)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
