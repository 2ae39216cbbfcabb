"""The house layout of the letter templates, and a starter template for a new letter kind.

The templates in this folder are the source of the letters' wording: a legal officer edits them in Word
(README.md). This script holds no wording. It creates a new template with the layout every letter shares,
GB/T 9704-2012 (党政机关公文格式): A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title 2号
(22 pt) 方正小标宋简体, centred; body 3号 (16 pt) 仿宋_GB2312, first-line indent two characters, line spacing
exactly 28.95 pt (22 lines per page); page number "— N —" in the footer; then the parts every letter has
(title, number, addressee, body, legal basis, contact, closing, signature) for the officer to fill in:

    python templates_docx/scaffold.py new templates_docx/my_letter.docx

Rules kept here so that docxtpl can read the templates: every paragraph's text is written with a single
``add_run`` (so each Jinja tag sits in one run), and each ``{%p %}`` / ``{%tr %}`` / ``{%tc %}`` tag is
alone in its own paragraph, row or cell.
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent

LATIN_FONT = "Times New Roman"
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
PAGE_NUMBER_FONT = "宋体"
BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
TABLE_SIZE = Pt(14)  # 4号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
CHAR = Pt(16)  # one character of body text
LINE = Pt(28.95)  # 22 lines in the 225 mm type area
SEAL_LINES = 3  # empty lines between the closing and the signature, room for the seal


def set_fonts(rpr, latin: str, east_asian: str) -> None:
    """Name the fonts explicitly (w:eastAsia for Chinese text), dropping any theme font references."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.attrib.clear()
    for attr, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asian), ("cs", latin)):
        rfonts.set(qn(f"w:{attr}"), value)


def paragraph_style(doc, name: str, *, size=BODY_SIZE, font=BODY_FONT, align=None, indent=2 * CHAR,
                    right_indent=None, line=LINE, bold=None):
    style = doc.styles["Normal"] if name == "Normal" else doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = doc.styles["Normal"]
        style.quick_style = True
    fmt = style.paragraph_format
    fmt.first_line_indent = indent
    fmt.right_indent = right_indent
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.widow_control = False
    if align is not None:
        fmt.alignment = align
    style.font.size = size
    style.font.bold = bold
    set_fonts(style.element.get_or_add_rPr(), LATIN_FONT, font)
    return style


def setup_styles(doc) -> None:
    """Document defaults and the paragraph styles the layout uses."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    set_fonts(rpr, LATIN_FONT, BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
    spacing.set(qn("w:after"), "0")
    paragraph_style(doc, "Normal", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    paragraph_style(doc, "Letter Title", size=TITLE_SIZE, font=TITLE_FONT, align=WD_ALIGN_PARAGRAPH.CENTER,
                    indent=Pt(0), line=Pt(36))
    paragraph_style(doc, "Letter Number", align=WD_ALIGN_PARAGRAPH.CENTER, indent=Pt(0))
    paragraph_style(doc, "Letter Addressee", align=WD_ALIGN_PARAGRAPH.LEFT, indent=Pt(0))
    # 成文日期右空四字; the agency name sits right-aligned above it.
    paragraph_style(doc, "Letter Signature", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=Pt(0), right_indent=4 * CHAR)
    paragraph_style(doc, "Letter Table", size=TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.LEFT, indent=Pt(0),
                    line=Pt(22))
    paragraph_style(doc, "Letter Table Header", size=TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=Pt(0),
                    line=Pt(22), bold=True)


def setup_page(doc) -> None:
    """A4, GB/T 9704 margins, 22-line grid and the "— N —" page number."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(24)
    grid = section._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE.pt * 20)))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.paragraph_format.first_line_indent = Pt(0)
    parts = ["— ", ("begin", None), ("instr", " PAGE "), ("separate", None), "1", ("end", None), " —"]
    for part in parts:
        run = footer.add_run(part if isinstance(part, str) else None)
        run.font.size = PAGE_NUMBER_SIZE
        set_fonts(run._r.get_or_add_rPr(), PAGE_NUMBER_FONT, PAGE_NUMBER_FONT)
        if isinstance(part, tuple):
            kind, text = part
            if kind == "instr":
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = text
            else:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            run._r.append(element)


def para(doc, text: str = "", style: str = "Normal"):
    """One paragraph, its whole text in one run (so a Jinja tag is never split)."""
    p = doc.add_paragraph(style=style)
    if text:
        p.add_run(text)
    return p


def loop(doc, expr: str, body: str) -> None:
    """A repeated paragraph: the {%p for %} and {%p endfor %} tags each alone in their own paragraph."""
    para(doc, f"{{%p for {expr} %}}")
    para(doc, body)
    para(doc, "{%p endfor %}")


def cell_text(cell, text: str, style: str) -> None:
    cell.paragraphs[0].style = style
    if text:
        cell.paragraphs[0].add_run(text)


def table(doc) -> None:
    """A bordered table with the header row, printed only when ``table`` is not empty. Columns come from
    {%tc %} loops (docxtpl adjusts the grid to the number of cells); rows from a {%tr %} loop."""
    para(doc, "{%p if table %}")
    tbl = doc.add_table(rows=4, cols=3)
    tbl.style = doc.styles["Table Grid"]
    rows = [("{%tc for h in table_header %}", "{{ h }}", "{%tc endfor %}"),
            ("{%tr for row in table %}", "", ""),
            ("{%tc for cell in row %}", "{{ cell }}", "{%tc endfor %}"),
            ("{%tr endfor %}", "", "")]
    for r, texts in enumerate(rows):
        for cell, text in zip(tbl.rows[r].cells, texts, strict=True):
            cell_text(cell, text, "Letter Table Header" if r == 0 else "Letter Table")
    header_pr = tbl.rows[0]._tr.get_or_add_trPr()
    header_pr.append(OxmlElement("w:tblHeader"))  # repeat the header row on every page
    # Full width, fixed layout, no per-cell widths: the grid (which docxtpl rescales) decides the columns.
    tbl_pr = tbl._tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))
    width.set(qn("w:type"), "pct")
    width.set(qn("w:w"), "5000")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    width.addnext(layout)
    for tc_w in tbl._tbl.iter(qn("w:tcW")):
        tc_w.getparent().remove(tc_w)
    para(doc, "{%p endif %}")


def new_document() -> Document:
    """An empty document with the house styles and page setup, and no author or title metadata."""
    doc = Document()
    setup_styles(doc)
    setup_page(doc)
    for attr in ("author", "comments", "last_modified_by", "title", "subject", "keywords"):
        setattr(doc.core_properties, attr, "")
    return doc


def starter() -> Document:
    """A new letter template: the parts every letter has, with the body left for the legal officer."""
    doc = new_document()
    para(doc, "{{ title }}", "Letter Title")
    para(doc, "{{ number }}", "Letter Number")
    para(doc)
    para(doc, "{{ addressee }}：", "Letter Addressee")
    para(doc, "（在此输入正文。可用的占位符见 templates_docx/README.md。）")
    para(doc, "法律依据：{{ basis }}")
    para(doc, "{{p clause_contact }}")
    para(doc, "特此告知。")
    para(doc, "{{p clause_signature }}")
    return doc


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "new" or not argv[1].endswith(".docx"):
        print("usage: python templates_docx/scaffold.py new <path/to/new_letter.docx>", file=sys.stderr)
        return 2
    target = Path(argv[1])
    if target.exists():
        print(f"{target} exists; choose another name", file=sys.stderr)
        return 1
    starter().save(str(target))
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
