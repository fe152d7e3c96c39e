"""Build the Word templates shipped in ``reports/templates`` (run: ``python -m reports.build_templates``).

The templates follow GB/T 9704-2012 (党政机关公文格式): A4, margins 37/35/28/26 mm, a fixed
28.95 pt line pitch (22 lines × 28 characters), 发文机关标志 in red 小标宋 over a red rule,
发文字号 in 3号 仿宋, the title in 2号 小标宋, 主送机关 flush left, body text in 3号 仿宋
with "一、" headings in 黑体 and "（一）" headings in 楷体, signature and 成文日期 右空四字,
版记 (抄送 / 印发) in 4号 仿宋 between rules, and page numbers "— 1 —" in 4号 宋体.

The documents only name the official fonts (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312);
the recipients' Word supplies them. Placeholders are docxtpl (Jinja2) tags; each one sits in
a single run. Users may copy a template, change letterhead and wording in Word, keep the
placeholders they need (see ``reports.circular.CircularContext``) and pass it with
``--template``.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

TEMPLATES = Path(__file__).parent / "templates"
XBS, FS, HT, KT, SONG = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
SIZE_2, SIZE_3, SIZE_4 = Pt(22), Pt(16), Pt(14)
PITCH = Pt(28.95)
RED = RGBColor(0xFF, 0x00, 0x00)


def new_document() -> DocumentType:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)
    normal = doc.styles["Normal"]
    _font(normal.font, FS, SIZE_3)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    _page_number(doc)
    return doc


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
    return para(doc, text, face=HT, indent=True)


def heading2(doc: DocumentType, text: str) -> Paragraph:
    return para(doc, text, face=KT, indent=True)


def tag(doc: DocumentType, text: str) -> Paragraph:
    """A paragraph-level docxtpl tag such as ``{%p for x in xs %}`` (removed when rendered)."""
    return para(doc, text)


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


def table(doc: DocumentType, headers: list[str], cells: list[str], loop: str) -> None:
    """A table whose data row repeats with a docxtpl ``{%tr for … %}`` loop."""
    t = doc.add_table(rows=4, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = t.rows
    for i, text in enumerate(headers):
        _cell(rows[0].cells[i], text, HT)
    _cell(rows[1].cells[0], "{%tr for r in " + loop + " %}", FS)
    for i, text in enumerate(cells):
        _cell(rows[2].cells[i], text, FS)
    _cell(rows[3].cells[0], "{%tr endfor %}", FS)


def _cell(cell: object, text: str, face: str) -> None:
    p = cell.paragraphs[0]  # type: ignore[attr-defined]
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    run = p.add_run(text)
    _font(run.font, face, Pt(10.5))


def letterhead(doc: DocumentType) -> None:
    para(doc, "{{ issuer }}文件", face=XBS, size=Pt(36), align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    para(doc, "")
    rule(para(doc, "{{ doc_no }}", align=WD_ALIGN_PARAGRAPH.CENTER), color="FF0000", size=12)
    para(doc, "")


def signature(doc: DocumentType) -> None:
    para(doc, "")
    para(doc, "{{ issuer }}", align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    para(doc, "{{ date_text }}", align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)


def colophon(doc: DocumentType) -> None:
    """版记: 抄送 and 印发机关 / 印发日期 in 4号 仿宋 between rules."""
    para(doc, "")
    cc = para(doc, "　抄送：{{ cc }}", size=SIZE_4)
    rule(cc, size=8, where="top")
    rule(cc, size=4)
    printed = para(doc, "　{{ printer }}　　　　　　　　{{ print_date_text }}印发", size=SIZE_4)
    rule(printed, size=8)


def build_circular(path: Path) -> Path:
    """The quarterly circular (季度通报): placeholders are ``CircularContext`` fields."""
    doc = new_document()
    letterhead(doc)
    para(doc, "{{ title }}", face=XBS, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "")
    para(doc, "{{ addressees }}：")
    body(
        doc,
        "按照政务新媒体“周抽查、月检查、季通报”工作要求，{{ issuer }}对{{ window_text }}"
        "政务新媒体开展了检查。现将有关情况通报如下：",
    )
    heading1(doc, "一、总体情况")
    body(
        doc,
        "截至{{ registry_date_text }}，共备案政务新媒体{{ registry_total }}个。按级别分，"
        "{{ registry_by_level_text }}；按平台分，{{ registry_by_platform_text }}。",
    )
    body(
        doc,
        "{{ window_text }}共开展检查{{ runs_count }}次，检查账号{{ checked }}个，占备案总数的"
        "{{ checked_share_text }}。其中合格{{ qualified }}个，不合格{{ unqualified }}个，"
        "合格率{{ pass_rate_text }}{{ change_text }}。",
    )
    body(doc, "{{ good_text }}")
    for key in ("recheck_text", "relay_text", "ledger_text"):
        tag(doc, "{%p if " + key + " %}")
        body(doc, "{{ " + key + " }}")
        tag(doc, "{%p endif %}")
    for key in ("chart_trend", "chart_platform", "chart_region"):
        para(doc, "{{ " + key + " }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    heading1(doc, "二、存在的问题")
    tag(doc, "{%p if not problems %}")
    body(doc, "本次检查未发现需要通报的问题。")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for p in problems %}")
    body(doc, "{{ p.ordinal }}是{{ p.label }}。{{ p.text }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if uncollected_count %}")
    body(
        doc,
        "另有{{ uncollected_count }}个账号在检查期间因平台限制等原因未能采集，未计入不合格，"
        "已列入人工核查清单（见附件2）。",
    )
    tag(doc, "{%p endif %}")
    heading1(doc, "三、整改要求")
    heading2(doc, "（一）抓好问题整改。")
    body(
        doc,
        "各地各部门要对照附件所列问题逐一整改，建立整改台账，于{{ deadline_text }}前将整改情况"
        "书面报送{{ issuer }}。整改不到位的，将在下一期通报中继续通报。",
    )
    heading2(doc, "（二）落实常态化监管。")
    body(
        doc,
        "严格落实“周抽查、月检查、季通报”要求，加强内容审核和日常更新，对维护能力差、"
        "关注用户少的账号及时关停整合，杜绝“空壳”“僵尸”账号。",
    )
    heading2(doc, "（三）做好人工核查。")
    body(doc, "对未能采集的账号，有关单位要配合做好人工核查，确保备案信息准确、账号正常运行。")
    para(doc, "")
    body(doc, "附件：1. {{ annex_title }}")
    body(doc, "　　　2. 未能采集账号人工核查清单")
    signature(doc)
    doc.add_page_break()
    para(doc, "附件1", face=HT)
    para(doc, "{{ annex_title }}", face=XBS, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    tag(doc, "{%p if annex_note %}")
    body(doc, "{{ annex_note }}")
    tag(doc, "{%p endif %}")
    table(
        doc,
        ["序号", "地区/主办单位", "账号名称", "平台", "问题类型", "问题描述", "最近更新时间", "证据链接"],
        [
            "{{ r.no }}",
            "{{ r.region_unit }}",
            "{{ r.account }}",
            "{{ r.platform }}",
            "{{ r.problem }}",
            "{{ r.description }}",
            "{{ r.last_update }}",
            "{{ r.evidence }}",
        ],
        "annex",
    )
    para(doc, "")
    para(doc, "附件2", face=HT)
    para(doc, "未能采集账号人工核查清单", face=XBS, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    table(
        doc,
        ["序号", "地区/主办单位", "账号名称", "平台", "最近采集情况"],
        ["{{ r.no }}", "{{ r.region_unit }}", "{{ r.account }}", "{{ r.platform }}", "{{ r.detail }}"],
        "uncollected",
    )
    colophon(doc)
    doc.save(str(path))
    return path


def build_notice(path: Path) -> Path:
    """The per-unit feedback (一对一反馈): placeholders are ``NoticeContext`` fields."""
    doc = new_document()
    letterhead(doc)
    para(doc, "{{ title }}", face=XBS, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "")
    para(doc, "{{ unit }}：")
    body(
        doc,
        "在{{ window_text }}的政务新媒体检查中，你单位有{{ account_count }}个账号存在"
        "{{ finding_count }}项问题，现反馈如下，请逐项核实整改。",
    )
    tag(doc, "{%p for i in items %}")
    body(
        doc,
        "{{ i.no }}. {{ i.account }}（{{ i.platform }}，整改事项编号{{ i.item_id }}）："
        "{{ i.problem }}。{{ i.description }}"
        "最近更新时间：{{ i.last_update }}。证据：{{ i.evidence }}",
    )
    tag(doc, "{%p endfor %}")
    body(
        doc,
        "请于{{ deadline_text }}前将整改情况（含整改措施、完成时间和佐证材料链接）书面报送"
        "{{ issuer }}。整改完成后，将在后续检查中复核。",
    )
    signature(doc)
    colophon(doc)
    doc.save(str(path))
    return path


def main() -> None:
    TEMPLATES.mkdir(exist_ok=True)
    print(build_circular(TEMPLATES / "circular.docx"))
    print(build_notice(TEMPLATES / "notice.docx"))


if __name__ == "__main__":
    main()
