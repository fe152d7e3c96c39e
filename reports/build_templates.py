"""Build the Word templates shipped in ``reports/templates`` (run: ``python -m reports.build_templates``).

The templates follow GB/T 9704-2012 (党政机关公文格式): A4, margins 37/35/28/26 mm, a fixed
28.95 pt line pitch (22 lines × 28 characters), 发文机关标志 in red 小标宋 over a red rule,
发文字号 in 3号 仿宋 (left out when there is none), the title in 2号 小标宋, 主送机关 flush
left, body text in 3号 仿宋 with "一、" headings in 黑体 and "（一）" headings in 楷体,
signature and 成文日期 右空四字, the annexes on landscape pages (their header row repeated
on every page), and the 版记 (抄送 / 印发, the 抄送 line only when there is one) in 4号 仿宋
between rules at the foot of the last page; page numbers "— 1 —" in 4号 宋体. Pictures sit
in paragraphs of single line spacing (the body's fixed pitch would clip them), each with a
caption 图1 … under it. The document language is zh-CN.

The documents only name the official fonts (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312);
the recipients' Word supplies them. Placeholders are docxtpl (Jinja2) tags; each one sits in
a single run. Users may copy a template, change letterhead and wording in Word, keep the
placeholders they need (see ``reports.circular.CircularContext``) and pass it with
``--template``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

TEMPLATES = Path(__file__).parent / "templates"
XBS, FS, HT, KT, SONG = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
SIZE_2, SIZE_3, SIZE_4, SIZE_5 = Pt(22), Pt(16), Pt(14), Pt(10.5)
PITCH = Pt(28.95)
RED = RGBColor(0xFF, 0x00, 0x00)
LANGUAGE = "zh-CN"
# the annex tables on a landscape page (body width 239 mm): 序号 narrow, 问题描述 wide
ANNEX_COLUMNS = [
    ("序号", "{{ r.no }}", 12),
    ("地区/主办单位", "{{ r.region_unit }}", 38),
    ("账号名称", "{{ r.account }}", 32),
    ("平台", "{{ r.platform }}", 22),
    ("问题类型", "{{ r.problem }}", 26),
    ("问题描述", "{{ r.description }}", 56),
    ("最近更新日期", "{{ r.last_update }}", 28),
    ("证据链接", "{{ r.link }}", 25),
]
UNCOLLECTED_COLUMNS = [
    ("序号", "{{ r.no }}", 12),
    ("地区/主办单位", "{{ r.region_unit }}", 62),
    ("账号名称", "{{ r.account }}", 45),
    ("平台", "{{ r.platform }}", 24),
    ("最近采集情况", "{{ r.detail }}", 96),
]


def new_document() -> DocumentType:
    doc = Document()
    _portrait(doc.sections[0])
    normal = doc.styles["Normal"]
    _font(normal.font, FS, SIZE_3)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    _language(doc)
    _page_number(doc)
    return doc


def _portrait(section: Section) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)


def _landscape(section: Section) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(26), Mm(24)
    section.left_margin, section.right_margin = Mm(30), Mm(28)
    section.footer_distance = Mm(12)


def _language(doc: DocumentType) -> None:
    """zh-CN for the document and for its Chinese text (w:eastAsia), as a Chinese Word writes
    it; Latin text and digits stay en-US, so that a number is never broken across lines."""
    doc.core_properties.language = LANGUAGE
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    holders = [doc.styles["Normal"].element.get_or_add_rPr()]
    if defaults is not None:
        run_defaults = defaults.find(qn("w:rPrDefault"))
        if run_defaults is not None and run_defaults.find(qn("w:rPr")) is not None:
            holders.append(run_defaults.find(qn("w:rPr")))
    for r_pr in holders:
        lang = r_pr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            r_pr.append(lang)
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), LANGUAGE)


def _font(font: object, east_asia: str, size: Pt, bold: bool = False, color: RGBColor | None = None) -> None:
    font.name = east_asia  # type: ignore[attr-defined]
    font.size = size  # type: ignore[attr-defined]
    font.bold = bold  # type: ignore[attr-defined]
    if color is not None:
        font.color.rgb = color  # type: ignore[attr-defined]
    r_pr = font.element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), east_asia)


def para(
    doc: DocumentType,
    text: str,
    *,
    face: str = FS,
    size: Pt = SIZE_3,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = False,
    right_chars: int = 0,
    color: RGBColor | None = None,
) -> Paragraph:
    """One paragraph holding ``text`` in a single run (so docxtpl tags stay whole)."""
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size.pt * 2)
    if right_chars:
        p.paragraph_format.right_indent = Pt(size.pt * right_chars)
    if text:
        run = p.add_run(text)
        _font(run.font, face, size, bold, color)
    return p


def body(doc: DocumentType, text: str) -> Paragraph:
    return para(doc, text, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)


def heading1(doc: DocumentType, text: str) -> Paragraph:
    p = para(doc, text, face=HT, indent=True)
    p.paragraph_format.keep_with_next = True
    return p


def heading2(doc: DocumentType, text: str) -> Paragraph:
    p = para(doc, text, face=KT, indent=True)
    p.paragraph_format.keep_with_next = True
    return p


def tag(doc: DocumentType, text: str) -> Paragraph:
    """A paragraph-level docxtpl tag such as ``{%p for x in xs %}`` (removed when rendered)."""
    return para(doc, text)


def when(doc: DocumentType, condition: str, text: str, *, style: str = "body") -> None:
    """A paragraph printed only when ``condition`` holds (docxtpl ``{%p if %}``)."""
    tag(doc, "{%p if " + condition + " %}")
    {"body": body, "heading2": heading2}[style](doc, text)
    tag(doc, "{%p endif %}")


def rule(p: Paragraph, *, color: str = "000000", size: int = 8, where: str = "bottom") -> None:
    """A horizontal rule under (or over) a paragraph: the red 版头 line and the 版记 lines."""
    p_pr = p._p.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        p_pr.append(borders)
    edge = OxmlElement(f"w:{where}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), "1")
    edge.set(qn("w:color"), color)
    borders.append(edge)


def _page_number(doc: DocumentType) -> None:
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for piece in ("— ", None, " —"):
        run = p.add_run()
        _font(run.font, SONG, SIZE_4)
        if piece is not None:
            run.text = piece
            continue
        for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            run._r.append(el)


def _on(parent: Any, name: str, **attrs: str) -> None:
    el = OxmlElement(name)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    parent.append(el)


def table(doc: DocumentType, columns: list[tuple[str, str, int]], loop: str) -> Table:
    """A fixed-width table whose data row repeats with a docxtpl ``{%tr for … %}`` loop; the
    header row repeats on every page and no row breaks across pages."""
    t = doc.add_table(rows=4, cols=len(columns))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    tbl_pr = t._tbl.tblPr
    _on(tbl_pr, "w:tblLayout", type="fixed")
    for i, (_, _, width) in enumerate(columns):
        t.columns[i].width = Mm(width)
        for row in t.rows:
            row.cells[i].width = Mm(width)
    rows = t.rows
    for i, (header, _, _) in enumerate(columns):
        _cell(rows[0].cells[i], header, HT, center=True)
    _cell(rows[1].cells[0], "{%tr for r in " + loop + " %}", FS)
    for i, (_, cell, _) in enumerate(columns):
        _cell(rows[2].cells[i], cell, FS, center=i in (0, 3))
    _cell(rows[3].cells[0], "{%tr endfor %}", FS)
    header = rows[0]._tr.get_or_add_trPr()
    _on(header, "w:tblHeader", val="true")
    _on(header, "w:cantSplit", val="true")
    _on(rows[2]._tr.get_or_add_trPr(), "w:cantSplit", val="true")
    return t


def _cell(cell: object, text: str, face: str, *, center: bool = False) -> None:
    p = cell.paragraphs[0]  # type: ignore[attr-defined]
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    _font(run.font, face, SIZE_5)


def letterhead(doc: DocumentType, *, number: bool = True) -> None:
    """版头: the masthead in red, the 发文字号 when there is one, the red rule."""
    para(doc, "")
    para(doc, "{{ masthead }}", face=XBS, size=Pt(36), align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    para(doc, "")
    if number:
        tag(doc, "{%p if doc_no %}")
        para(doc, "{{ doc_no }}", align=WD_ALIGN_PARAGRAPH.CENTER)
        tag(doc, "{%p endif %}")
    red = para(doc, "")
    red.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    rule(red, color="FF0000", size=12)
    para(doc, "")


def title_block(doc: DocumentType) -> None:
    para(doc, "{{ title }}", face=XBS, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    tag(doc, "{%p if draft_mark %}")
    para(doc, "{{ draft_mark }}", face=KT, align=WD_ALIGN_PARAGRAPH.CENTER)
    tag(doc, "{%p endif %}")
    para(doc, "")


def signature(doc: DocumentType) -> None:
    para(doc, "")
    para(doc, "")
    para(doc, "{{ issuer }}", align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    para(doc, "{{ date_text }}", align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)


def colophon(doc: DocumentType, *, drop: Mm | None = None) -> None:
    """版记: 抄送 (when there is one) and 印发机关 / 印发日期 in 4号 仿宋 between rules; ``drop``
    is the space above it on a page of its own (the foot of the page even where a viewer
    ignores the section's bottom alignment)."""
    printed = "　{{ printer }}　　　　　　　　{{ print_date_text }}印发"
    tag(doc, "{%p if cc %}")
    cc = para(doc, "　抄送：{{ cc }}", size=SIZE_4)
    cc.paragraph_format.space_before = drop
    rule(cc, size=8, where="top")
    rule(cc, size=4)
    rule(para(doc, printed, size=SIZE_4), size=8)
    tag(doc, "{%p else %}")
    alone = para(doc, printed, size=SIZE_4)
    alone.paragraph_format.space_before = drop
    rule(alone, size=8, where="top")
    rule(alone, size=8)
    tag(doc, "{%p endif %}")


def picture(doc: DocumentType, key: str) -> None:
    """A chart: its picture in a single-spaced paragraph, kept with its caption 图N under it."""
    tag(doc, "{%p if " + key + " %}")
    p = para(doc, "{{ " + key + " }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.space_before = Pt(6)
    caption = para(doc, "{{ " + key + "_caption }}", face=KT, size=SIZE_4, align=WD_ALIGN_PARAGRAPH.CENTER)
    caption.paragraph_format.space_after = Pt(6)
    tag(doc, "{%p endif %}")


def _bottom(section: Section) -> None:
    """Align the section's text to the foot of the page (the 版记 on the last page)."""
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    align = OxmlElement("w:vAlign")
    align.set(qn("w:val"), "bottom")
    if grid is not None:
        grid.addprevious(align)
    else:
        sect_pr.append(align)


def overview(doc: DocumentType) -> None:
    heading1(doc, "一、总体情况")
    body(doc, "{{ registry_text }}")
    body(doc, "{{ results_text }}")
    for key in ("good_text", "recheck_text", "relay_text", "ledger_text", "discovery_text", "charts_text"):
        when(doc, key, "{{ " + key + " }}")
    for key in ("chart_trend", "chart_platform", "chart_region"):
        picture(doc, key)


def problems(doc: DocumentType) -> None:
    heading1(doc, "二、存在的问题")
    when(doc, "not problems and not unqualified", "本次检查未发现需要通报的问题。")
    when(doc, "veto_heading", "{{ veto_heading }}", style="heading2")
    when(doc, "unqualified_text", "{{ unqualified_text }}")
    tag(doc, "{%p for p in veto_problems %}")
    body(doc, "{{ p.ordinal }}是{{ p.label }}。{{ p.text }}")
    tag(doc, "{%p endfor %}")
    when(doc, "other_heading", "{{ other_heading }}", style="heading2")
    tag(doc, "{%p for p in other_problems %}")
    body(doc, "{{ p.ordinal }}是{{ p.label }}。{{ p.text }}")
    tag(doc, "{%p endfor %}")
    when(doc, "uncollected_text", "{{ uncollected_text }}")


def requirements(doc: DocumentType) -> None:
    heading1(doc, "三、整改要求")
    heading2(doc, "（一）抓好问题整改。")
    body(
        doc,
        "本次检查发现的具体问题将一对一进行反馈。各地各部门要对照问题逐一整改，建立整改台账，"
        "于{{ deadline_text }}前将整改情况书面报送{{ issuer }}。整改不到位的，将在下一期通报中继续通报。",
    )
    heading2(doc, "（二）落实常态化监管。")
    body(
        doc,
        "严格落实“周抽查、月检查、季通报”要求，加强内容审核和日常更新，对维护能力差、"
        "关注用户少的账号及时关停整合，杜绝“空壳”“僵尸”账号。",
    )
    when(doc, "uncollected_count", "（三）做好人工核查。", style="heading2")
    when(
        doc,
        "uncollected_count",
        "对未能采集的账号，有关单位要配合做好人工核查，确保备案信息准确、账号正常运行。",
    )


def annexes(doc: DocumentType) -> None:
    """End the body's section; the annex pages (landscape) only when there is an annex; then
    the last section (portrait, text at the foot of the page) for the 版记."""
    _landscape(doc.add_section(WD_SECTION.NEW_PAGE))
    tag(doc, "{%p if attachments %}")
    tag(doc, "{%p if annex_label %}")
    para(doc, "{{ annex_label }}", face=HT).paragraph_format.keep_with_next = True
    para(
        doc, "{{ annex_title }}", face=XBS, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER
    ).paragraph_format.keep_with_next = True
    when(doc, "annex_note", "{{ annex_note }}")
    table(doc, ANNEX_COLUMNS, "annex")
    para(doc, "")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if uncollected_label %}")
    para(doc, "{{ uncollected_label }}", face=HT).paragraph_format.keep_with_next = True
    title = para(doc, "未能采集账号人工核查清单", face=XBS, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.keep_with_next = True
    table(doc, UNCOLLECTED_COLUMNS, "uncollected")
    tag(doc, "{%p endif %}")
    last = doc.add_section(WD_SECTION.NEW_PAGE)
    tag(doc, "{%p endif %}")
    _portrait(last)
    _bottom(last)


def build_circular(path: Path) -> Path:
    """The quarterly circular (季度通报): placeholders are ``CircularContext`` fields."""
    doc = new_document()
    letterhead(doc)
    title_block(doc)
    para(doc, "{{ addressees }}：")
    body(doc, "{{ opening_text }}")
    overview(doc)
    problems(doc)
    requirements(doc)
    para(doc, "")
    tag(doc, "{%p for a in attachments %}")
    body(doc, "{{ a }}")
    tag(doc, "{%p endfor %}")
    signature(doc)
    annexes(doc)
    colophon(doc, drop=Mm(180))
    doc.save(str(path))
    return path


def build_notice(path: Path) -> Path:
    """The per-unit feedback (一对一反馈): placeholders are ``NoticeContext`` fields."""
    doc = new_document()
    letterhead(doc, number=False)
    title_block(doc)
    para(doc, "{{ unit }}：")
    body(doc, "{{ opening_text }}")
    tag(doc, "{%p for i in items %}")
    body(doc, "{{ i.text }}")
    tag(doc, "{%p endfor %}")
    body(doc, "{{ closing_text }}")
    signature(doc)
    para(doc, "")
    para(doc, "")
    colophon(doc)
    doc.save(str(path))
    return path


def main() -> None:
    TEMPLATES.mkdir(exist_ok=True)
    print(build_circular(TEMPLATES / "circular.docx"))
    print(build_notice(TEMPLATES / "notice.docx"))


if __name__ == "__main__":
    main()
