"""Templates use only documented context keys; a user's own Word template with the
documented placeholders renders, and one with an unknown placeholder is refused."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import docx
import pytest

from reports import render
from reports.check_report import CheckContext
from reports.circular import CircularContext
from reports.notices import NoticeContext
from tests.reports.test_data import build, settle

TEMPLATES = Path(render.__file__).parent / "templates"


def _keys(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


@pytest.mark.parametrize(
    ("name", "cls"),
    [("circular.html.j2", CircularContext), ("check.html.j2", CheckContext)],
)
def test_html_templates_use_only_documented_keys(name: str, cls: type) -> None:
    used = render.html_template_variables(name)
    assert used and used <= _keys(cls), used - _keys(cls)


@pytest.mark.parametrize(
    ("name", "cls"), [("circular.docx", CircularContext), ("notice.docx", NoticeContext)]
)
def test_shipped_word_templates_use_only_documented_keys(name: str, cls: type) -> None:
    used = render.docx_template_variables(TEMPLATES / name)
    assert used and used <= _keys(cls), used - _keys(cls)


def test_every_context_field_is_documented_with_a_comment() -> None:
    import inspect

    import reports.circular as module

    source = inspect.getsource(module.CircularContext)
    for key in _keys(CircularContext):
        line = next(line for line in source.splitlines() if line.strip().startswith(f"{key}:"))
        assert "#" in line, key


def test_shipped_template_follows_gb_t_9704() -> None:
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_LINE_SPACING

    document = docx.Document(str(TEMPLATES / "circular.docx"))
    body, annex, last = document.sections
    assert round(body.top_margin.mm) == 37 and round(body.left_margin.mm) == 28
    assert round(body.page_width.mm) == 210 and round(body.page_height.mm) == 297
    assert annex.orientation == WD_ORIENT.LANDSCAPE and round(annex.page_width.mm) == 297
    assert last.orientation == WD_ORIENT.PORTRAIT
    assert last._sectPr.find(docx.oxml.ns.qn("w:vAlign")).get(docx.oxml.ns.qn("w:val")) == "bottom"
    face = {
        r.text: r.element.rPr.rFonts.get(docx.oxml.ns.qn("w:eastAsia"))
        for p in document.paragraphs
        for r in p.runs
        if r.text
    }
    assert face["{{ title }}"] == face["{{ masthead }}"] == "方正小标宋简体"
    assert face["一、总体情况"] == face["二、存在的问题"] == "黑体"
    assert face["（一）抓好问题整改。"] == "楷体_GB2312"
    assert face["{{ doc_no }}"] == face["{{ addressees }}："] == "仿宋_GB2312"
    title = next(p for p in document.paragraphs if p.text == "{{ title }}")
    assert title.runs[0].font.size.pt == 22
    opening = next(p for p in document.paragraphs if p.text == "{{ opening_text }}")
    assert opening.runs[0].font.size.pt == 16
    for key in ("chart_trend", "chart_platform", "chart_region"):
        picture = next(p for p in document.paragraphs if p.text == "{{ " + key + " }}")
        assert picture.paragraph_format.line_spacing_rule == WD_LINE_SPACING.SINGLE
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "—" in footer
    lang = document.styles["Normal"].element.rPr.find(docx.oxml.ns.qn("w:lang"))
    assert lang.get(docx.oxml.ns.qn("w:eastAsia")) == "zh-CN" and document.core_properties.language == "zh-CN"
    header = document.tables[0].rows[0]._tr.trPr
    assert header.find(docx.oxml.ns.qn("w:tblHeader")) is not None
    widths = [round(c.width.mm) for c in document.tables[0].rows[0].cells]
    assert widths[0] == min(widths) and widths[5] == max(widths)  # 序号 narrow, 问题描述 wide


def _user_template(path: Path, lines: list[str]) -> Path:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def test_a_user_template_with_documented_placeholders_renders(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "g.db")
    build(db)
    settle(db)
    template = _user_template(
        tmp_path / "mine.docx",
        [
            "某市政务服务数据管理局",
            "{{ doc_no }}",
            "{{ title }}",
            "本期合格率{{ pass_rate_text }}{{ change_text }}，不合格{{ unqualified }}个。",
            "{%p for p in problems %}",
            "{{ p.ordinal }}是{{ p.label }}（{{ p.accounts }}个）",
            "{%p endfor %}",
            "{{ chart_platform }}",
            "限{{ deadline_text }}前整改。",
        ],
    )
    out = tmp_path / "out"
    result = cli(
        f"--db {db} report circular --from 2026-07-01 --to 2026-09-30 --deadline 2026-11-15 "
        f"--doc-no 某数发〔2026〕3号 --template {template} --out {out} --format json"
    )
    assert result.code == 0, result
    document = docx.Document(json.loads(result.out)["files"]["docx"])
    text = [p.text for p in document.paragraphs]
    assert text[:3] == [
        "某市政务服务数据管理局",
        "某数发〔2026〕3号",
        "关于2026年第三季度全省政务新媒体抽查检查情况的通报",
    ]
    assert "本期合格率75.00%，较上季度提高8.33个百分点，不合格2个。" in text
    assert "一是未提供有效互动功能（1个）" in text and "限2026年11月15日前整改。" in text
    assert "一是原创率低（1个）" in text  # problems: all of them, vetoes first
    assert len(document.inline_shapes) == 1


def test_a_user_template_with_an_unknown_placeholder_is_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "g.db")
    build(db)
    template = _user_template(tmp_path / "typo.docx", ["{{ titel }}", "{{ pass_rate_text }}"])
    result = cli(
        f"--db {db} report circular --from 2026-07-01 --to 2026-09-30 --template {template} "
        f"--out {tmp_path / 'out'}"
    )
    assert result.code == 2 and "未定义的占位符：titel" in result.err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.docx"))


def test_a_file_that_is_not_a_word_document_is_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "g.db")
    build(db)
    bad = tmp_path / "bad.docx"
    bad.write_text("not a zip", encoding="utf-8")
    result = cli(
        f"--db {db} report circular --from 2026-07-01 --to 2026-09-30 --template {bad} "
        f"--out {tmp_path / 'out'}"
    )
    assert result.code == 2 and "不是可用的 Word 模板" in result.err
