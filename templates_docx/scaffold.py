"""The house layout of the letter templates, and a starter template for a new letter kind.

The templates in this folder are the source of the letters' wording: a legal officer edits them in Word
(README.md). This script holds no wording. It creates a new template with the layout every letter shares,
GB/T 9704-2012 (党政机关公文格式): A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title 2号
(22 pt) 方正小标宋简体, centred; body 3号 (16 pt) 仿宋_GB2312, first-line indent two characters, line spacing
exactly 28.95 pt (22 lines per page); page number "— N —" in the footer; then the parts every letter has
(title, number, addressee, body, legal basis, contact, closing, signature) for the officer to fill in:

    python templates_docx/scaffold.py new templates_docx/my_letter.docx

A record (登记表, 备案表, 记录, 公示) takes the form layout instead: the same page, title and number, then a
bordered table of label and value rows (4号; labels centred in a column of 45 mm; rows that never split
across pages; the header row repeated on each page) ending with the row of the agency's name and date, with
room for the seal:

    python templates_docx/scaffold.py new --form templates_docx/my_record.docx

and brings existing templates (a legal officer's edited copy too) back to the house layout — page setup,
character grid, styles, headers and footers, the keeping together of the signature block and of table
rows, the form table of a record — without touching the text of any paragraph:

    python templates_docx/scaffold.py apply-layout templates_docx/*.docx

Rules kept here so that docxtpl can read the templates: every paragraph's text is written with a single
``add_run`` (so each Jinja tag sits in one run), and each ``{%p %}`` / ``{%tr %}`` / ``{%tc %}`` tag is
alone in its own paragraph, row or cell.
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

HERE = Path(__file__).resolve().parent

LATIN_FONT = "Times New Roman"
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
PAGE_NUMBER_FONT = "宋体"
BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
TABLE_SIZE = Pt(14)  # 4号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
LETTERHEAD_SIZE = Pt(26)  # 1号: the agency's name of the red letterhead (信函格式)
RED = RGBColor(0xFF, 0x00, 0x00)
CHAR = Pt(16)  # one character of body text
LINE = Pt(28.95)  # 22 lines in the 225 mm type area
TYPE_WIDTH = Mm(210 - 28 - 26)  # 156 mm
CHARS_PER_LINE = 28
# The character grid: 22 lines (w:linePitch 579 twentieths of a point, 28.95 pt) of 28 characters. 28
# characters of 3号 (448 pt) are wider than the 156 mm type width (442.2 pt): a character may take 15.79 pt.
# Word encodes that as a negative w:charSpace (-849), but LibreOffice (7.4, which makes the PDF copies) lays
# out a grid finer than the font wrongly — a dozen characters a line, or one. So the grid is declared
# "linesAndChars" at the pitch of 3号 (charSpace 0) and the body text is condensed by 0.25 pt (w:spacing -5
# in the Normal style): 15.75 pt a character, 28 on a full line (tests/services/test_letter_pdfs.py).
CHAR_SPACE = 0
CONDENSED = -5  # twentieths of a point: 28 × 15.75 pt = 441 pt ≤ 442.2 pt < 29 × 15.75 pt
SEAL_LINES = 3  # empty lines between the closing and the signature, room for the seal
PAGE_NUMBER_INDENT = PAGE_NUMBER_SIZE  # 单页码居右空一字，双页码居左空一字 (GB/T 9704 7.5): one 4号 character
# The form layout of a record: 4号 text on lines of 22 pt off the body's grid, a label column of 45 mm, rows
# at least 10 mm high, the text centred in them with 1 mm above and under it; outer border 1.5 pt, inner lines
# 0.5 pt; the signature row high enough for the seal.
FORM_SIZE = TABLE_SIZE
FORM_LINE = Pt(22)
FORM_LABEL_WIDTH = Mm(45)  # a label of eight characters on one line
FORM_ROW_HEIGHT = Mm(10)
FORM_OUTER_BORDER, FORM_INNER_BORDER = 12, 4  # eighths of a point
FORM_CELL_PADDING, FORM_CELL_MARGIN = Mm(1), Mm(1.9)  # above and under a cell's text; left and right
FORM_LABEL, FORM_VALUE, FORM_SIGNATURE = "Form Label", "Form Value", "Form Signature"


def set_fonts(rpr, latin: str, east_asian: str) -> None:
    """Name the fonts explicitly (w:eastAsia for Chinese text), dropping any theme font references."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.attrib.clear()
    for attr, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asian), ("cs", latin)):
        rfonts.set(qn(f"w:{attr}"), value)


def condense(rpr, twentieths: int) -> None:
    """Character spacing (w:spacing in a w:rPr), in twentieths of a point."""
    for old in rpr.findall(qn("w:spacing")):
        rpr.remove(old)
    rpr.insert_element_before(OxmlElement("w:spacing", {qn("w:val"): str(twentieths)}), *RPR_AFTER_SPACING)


RPR_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
                     "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
                     "w:specVanish", "w:oMath")


def paragraph_style(doc, name: str, *, size=BODY_SIZE, font=BODY_FONT, align=None, indent=2 * CHAR,
                    right_indent=None, line=LINE, bold=None, keep_with_next=None, keep_together=None, grid=True):
    """The paragraph style ``name``, added or brought back to the house values (so applying it twice
    changes nothing). ``grid=False``: its lines keep their own spacing instead of snapping to the body's
    28.95 pt grid (the 4号 lines of a form)."""
    names = {style.name for style in doc.styles}
    style = doc.styles[name] if name in names else doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
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
    fmt.keep_with_next = keep_with_next
    fmt.keep_together = keep_together
    if align is not None:
        fmt.alignment = align
    style.font.size = size
    style.font.bold = bold
    set_fonts(style.element.get_or_add_rPr(), LATIN_FONT, font)
    ppr = style.element.get_or_add_pPr()
    for old in ppr.findall(qn("w:snapToGrid")):
        ppr.remove(old)
    if not grid:
        ppr.insert_element_before(OxmlElement("w:snapToGrid", {qn("w:val"): "0"}),
                                  *PPR_ORDER[PPR_ORDER.index("w:snapToGrid") + 1:])
    return style


def setup_styles(doc, *, form: bool = False) -> None:
    """Document defaults and the paragraph styles the layout uses (a record's form styles too, for a form)."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    set_fonts(rpr, LATIN_FONT, BODY_FONT)
    for tag in ("w:sz", "w:szCs"):  # 3号 as the default too: the character grid counts from it
        size = rpr.find(qn(tag))
        if size is None:
            size = OxmlElement(tag)
            rpr.append(size)
        size.set(qn("w:val"), str(round(BODY_SIZE.pt * 2)))
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
    spacing.set(qn("w:after"), "0")
    paragraph_style(doc, "Normal", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    condense(doc.styles["Normal"].element.get_or_add_rPr(), CONDENSED)
    paragraph_style(doc, "Letter Title", size=TITLE_SIZE, font=TITLE_FONT, align=WD_ALIGN_PARAGRAPH.CENTER,
                    indent=Pt(0), line=Pt(36))
    paragraph_style(doc, "Letter Number", align=WD_ALIGN_PARAGRAPH.CENTER, indent=Pt(0))
    paragraph_style(doc, "Letter Addressee", align=WD_ALIGN_PARAGRAPH.LEFT, indent=Pt(0))
    # The closing (特此告知。) and the signature block stay on one page: the closing keeps with the seal lines,
    # which keep with the agency's name, which keeps with the date, so a page break before the date takes
    # the closing along and the signature is never alone on a page (GB/T 9704 7.3.5).
    paragraph_style(doc, "Letter Closing", keep_with_next=True, keep_together=True)
    # 成文日期右空四字; the agency name sits right-aligned above it.
    paragraph_style(doc, "Letter Signature", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=Pt(0), right_indent=4 * CHAR,
                    keep_with_next=True, keep_together=True)
    paragraph_style(doc, "Letter Table", size=TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.LEFT, indent=Pt(0),
                    line=Pt(22))
    paragraph_style(doc, "Letter Table Header", size=TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=Pt(0),
                    line=Pt(22), bold=True)
    if form:
        # A record's rows: the label centred, the value from the left, the agency's name and date at the right.
        paragraph_style(doc, FORM_LABEL, size=FORM_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=Pt(0),
                        line=FORM_LINE, grid=False)
        paragraph_style(doc, FORM_VALUE, size=FORM_SIZE, align=WD_ALIGN_PARAGRAPH.LEFT, indent=Pt(0),
                        line=FORM_LINE, grid=False)
        paragraph_style(doc, FORM_SIGNATURE, size=FORM_SIZE, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=Pt(0),
                        right_indent=2 * FORM_SIZE, line=FORM_LINE, grid=False)


def setup_page(doc) -> None:
    """A4, GB/T 9704 margins, the 28 × 22 character grid, the page numbers "— N —" (odd pages right, even
    pages left) and the first-page header that prints the red letterhead when the agency has one."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(24)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.attrib.clear()
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(LINE.pt * 20)))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))
    doc.settings.odd_and_even_pages_header_footer = True  # w:evenAndOddHeaders
    section.different_first_page_header_footer = True  # w:titlePg: the first page carries the letterhead
    for header in (section.header, section.even_page_header):
        blank(header)
    letterhead(section.first_page_header)
    for footer in (section.first_page_footer, section.footer):  # the first page is an odd page
        page_number(footer, WD_ALIGN_PARAGRAPH.RIGHT)
    page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


def _clear(part):
    """A header or footer of its own (not linked to the previous section's), emptied."""
    part.is_linked_to_previous = False
    element = part._element
    for child in list(element):
        element.remove(child)
    return part


# The order of a w:pPr's children (ECMA-376 CT_PPrBase), for the properties python-docx does not set itself.
PPR_ORDER = ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
             "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
             "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
             "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
             "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
             "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def set_ppr(paragraph, element) -> None:
    """Put ``element`` in the paragraph's w:pPr at its place in the schema order, replacing any of its kind."""
    ppr = paragraph._p.get_or_add_pPr()
    tag = element.tag
    for old in ppr.findall(tag):
        ppr.remove(old)
    local = "w:" + tag.split("}")[1]
    ppr.insert_element_before(element, *PPR_ORDER[PPR_ORDER.index(local) + 1:])


def _plain(paragraph, align, *, size=PAGE_NUMBER_SIZE):
    """A header or footer paragraph outside the body's grid and indents."""
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Pt(0)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = size
    set_ppr(paragraph, OxmlElement("w:snapToGrid", {qn("w:val"): "0"}))


def blank(header) -> None:
    _clear(header)
    _plain(header.add_paragraph(), WD_ALIGN_PARAGRAPH.LEFT, size=Pt(1))


def letterhead(header) -> None:
    """信函格式 (GB/T 9704 10.1): the agency's name in red 小标宋, centred, with the red double line (thick
    over thin) under it, printed on the first page when the agency's ``letterhead`` is "red"; nothing for
    "title" (the agency's name is printed in the signature only)."""
    _clear(header)
    _plain(header.add_paragraph('{%p if letterhead == "red" %}'), WD_ALIGN_PARAGRAPH.CENTER)
    name = header.add_paragraph()
    _plain(name, WD_ALIGN_PARAGRAPH.CENTER, size=Pt(LETTERHEAD_SIZE.pt * 1.5))
    run = name.add_run("{{ agency_name }}")
    run.font.size, run.font.color.rgb = LETTERHEAD_SIZE, RED
    set_fonts(run._r.get_or_add_rPr(), TITLE_FONT, TITLE_FONT)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (("val", "thickThinSmallGap"), ("sz", "24"), ("space", "8"), ("color", "FF0000")):
        bottom.set(qn(f"w:{attr}"), value)
    borders.append(bottom)
    set_ppr(name, borders)
    _plain(header.add_paragraph("{%p endif %}"), WD_ALIGN_PARAGRAPH.CENTER)
    _plain(header.add_paragraph(), WD_ALIGN_PARAGRAPH.LEFT, size=Pt(1))  # a header is never empty


def page_number(footer, align) -> None:
    """"— N —" in 4号 半角宋体, one character in from the outer edge of the type area."""
    _clear(footer)
    paragraph = footer.add_paragraph()
    _plain(paragraph, align)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = PAGE_NUMBER_INDENT
    else:
        paragraph.paragraph_format.left_indent = PAGE_NUMBER_INDENT
    parts = ["— ", ("begin", None), ("instr", " PAGE "), ("separate", None), "1", ("end", None), " —"]
    for part in parts:
        run = paragraph.add_run(part if isinstance(part, str) else None)
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
    keep_rows(tbl)
    para(doc, "{%p endif %}")


def keep_rows(tbl) -> None:
    """No row splits across pages (w:cantSplit), and the header rows at the top of the table — those
    in the "Letter Table Header" style — are repeated on every page (w:tblHeader)."""
    heading = True
    for row in tbl.rows:
        styles = {p.style.name for cell in row.cells for p in cell.paragraphs}
        heading = heading and styles == {"Letter Table Header"}
        tr_pr = row._tr.get_or_add_trPr()
        for tag, wanted in (("w:cantSplit", True), ("w:tblHeader", heading)):
            present = tr_pr.find(qn(tag))
            if wanted and present is None:
                tr_pr.append(OxmlElement(tag))
            elif not wanted and present is not None:
                tr_pr.remove(present)
        # One order whatever was there before (a form's row height too), so that laying out twice is a no-op.
        order = ("w:tblHeader", "w:cantSplit", "w:trHeight")
        for child in sorted((c for c in tr_pr if c.tag in {qn(t) for t in order}),
                            key=lambda c: order.index("w:" + c.tag.split("}")[1])):
            tr_pr.append(child)


def is_tag(text: str) -> bool:
    """A paragraph that holds only a {%p %} block tag (not printed)."""
    return text.startswith("{%p ") and text.endswith("%}")


def keep_signature_together(doc) -> None:
    """The closing of a letter — the paragraph before {{p clause_signature }}, or each alternative of the
    block there — takes the "Letter Closing" style (keep with next); the empty lines before the agency's
    name in the signature clause keep with the next line too. With the "Letter Signature" style (keep with
    next) the closing, the room for the seal, the agency's name and the date move to a new page together."""
    paragraphs = doc.paragraphs
    texts = [p.text.strip() for p in paragraphs]
    if "{{p clause_signature }}" in texts:
        depth = 0
        for paragraph, text in zip(reversed(paragraphs[:texts.index("{{p clause_signature }}")]),
                                   reversed(texts[:texts.index("{{p clause_signature }}")]), strict=True):
            if is_tag(text):
                opening = text.startswith(("{%p if ", "{%p for "))
                depth += -1 if opening else 1 if text.startswith(("{%p endif", "{%p endfor")) else 0
            elif text:
                paragraph.style = doc.styles["Letter Closing"]
            if depth <= 0 and text:
                break
    signature = next((i for i, p in enumerate(paragraphs) if p.style.name == "Letter Signature"), None)
    if signature is not None:
        for paragraph in reversed(paragraphs[:signature]):
            if paragraph.text.strip():
                break
            paragraph.paragraph_format.keep_with_next = True


# -- the form layout of a record ------------------------------------------------------------------------
# The order of a w:tblPr's children (ECMA-376 CT_TblPr).
TBLPR_ORDER = ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
               "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
               "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def _set_child(parent, element, order) -> None:
    """Put ``element`` in ``parent`` at its place in the schema ``order``, replacing any of its kind."""
    for old in parent.findall(element.tag):
        parent.remove(old)
    local = "w:" + element.tag.split("}")[1]
    parent.insert_element_before(element, *order[order.index(local) + 1:])


def is_form_table(tbl) -> bool:
    """A record's table: its rows are labels (style "Form Label") and values."""
    return any(p.style.name == FORM_LABEL for row in tbl.rows for p in row.cells[0].paragraphs)


def is_form(doc) -> bool:
    return any(is_form_table(tbl) for tbl in doc.tables)


def form_table(tbl) -> None:
    """The house layout of a record's table: the full type width, a label column of 45 mm and the value
    column, an outer border of 1.5 pt and inner lines of 0.5 pt, rows at least 10 mm high with their text
    centred vertically, 1 mm clear of the lines above and under it. The rows' own properties (no split, the
    header repeated) are keep_rows'."""
    tbl_pr = tbl._tbl.tblPr
    _set_child(tbl_pr, OxmlElement("w:tblW", {qn("w:w"): "5000", qn("w:type"): "pct"}), TBLPR_ORDER)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        size = FORM_OUTER_BORDER if side in ("top", "left", "bottom", "right") else FORM_INNER_BORDER
        borders.append(OxmlElement(f"w:{side}", {qn("w:val"): "single", qn("w:sz"): str(size), qn("w:space"): "0",
                                                 qn("w:color"): "000000"}))
    _set_child(tbl_pr, borders, TBLPR_ORDER)
    _set_child(tbl_pr, OxmlElement("w:tblLayout", {qn("w:type"): "fixed"}), TBLPR_ORDER)
    margins = OxmlElement("w:tblCellMar")
    for side, value in (("top", FORM_CELL_PADDING), ("left", FORM_CELL_MARGIN), ("bottom", FORM_CELL_PADDING),
                        ("right", FORM_CELL_MARGIN)):
        margins.append(OxmlElement(f"w:{side}", {qn("w:w"): str(round(value.pt * 20)), qn("w:type"): "dxa"}))
    _set_child(tbl_pr, margins, TBLPR_ORDER)
    columns = len(tbl._tbl.tblGrid.gridCol_lst)
    widths = [FORM_LABEL_WIDTH, TYPE_WIDTH - FORM_LABEL_WIDTH] if columns == 2 else [TYPE_WIDTH // columns] * columns
    for grid_col, width in zip(tbl._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid_col.w = width
    for row in tbl.rows:
        tr_pr = row._tr.get_or_add_trPr()
        for old in tr_pr.findall(qn("w:trHeight")):
            tr_pr.remove(old)
        tr_pr.append(OxmlElement("w:trHeight", {qn("w:val"): str(round(FORM_ROW_HEIGHT.pt * 20)),
                                                qn("w:hRule"): "atLeast"}))
        for tc in row._tr.tc_lst:
            span = tc.grid_span
            start = sum(c.grid_span for c in row._tr.tc_lst[:row._tr.tc_lst.index(tc)])
            tc.width = sum(widths[start:start + span], Emu(0))
            tc_pr = tc.get_or_add_tcPr()
            tc_pr.vAlign_val = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def apply_layout(doc) -> None:
    """Bring a template (a letter, a record's form or a clause, as a legal officer may have edited it) back
    to the house layout: page setup, grid, styles, headers and footers, tables (a record's form table as
    well), the signature block kept together. The text of every paragraph stays as it is; applying it twice
    changes nothing more."""
    form = is_form(doc)
    setup_styles(doc, form=form)
    setup_page(doc)
    for tbl in doc.tables:
        if is_form_table(tbl):
            form_table(tbl)
        keep_rows(tbl)
    if form and not doc.paragraphs[-1].text:
        end_paragraph(doc.paragraphs[-1])
    keep_signature_together(doc)


def new_document(*, form: bool = False) -> Document:
    """An empty document with the house styles and page setup, and no author or title metadata."""
    doc = Document()
    setup_styles(doc, form=form)
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
    para(doc, "特此告知。", "Letter Closing")
    para(doc, "{{p clause_signature }}")
    return doc


def form_rows(doc, rows: list[tuple], *, header=("项目", "内容")):
    """A record's table: the header row, then one row per (label, value[, style]); a value given as a list
    is one paragraph each (the signature row: the agency's name and date, style "Form Signature"). A row
    whose label is a {%tr %} tag (its value empty) is not printed: it marks the rows printed once per entry
    or only when a condition holds."""
    tbl = doc.add_table(rows=1 + len(rows), cols=2)
    tbl.style = doc.styles["Table Grid"]
    for cell, text in zip(tbl.rows[0].cells, header, strict=True):
        cell_text(cell, text, "Letter Table Header")
    for (label, value, *style), row in zip(rows, tbl.rows[1:], strict=True):
        cell_text(row.cells[0], label, FORM_LABEL)
        paragraphs = value if isinstance(value, list) else [value]
        style = style[0] if style else FORM_VALUE
        cell_text(row.cells[1], paragraphs[0], style)
        for text in paragraphs[1:]:
            paragraph = row.cells[1].add_paragraph(style=style)
            if text:
                paragraph.add_run(text)
    form_table(tbl)
    keep_rows(tbl)
    return tbl


def end_of_form(doc) -> None:
    """The paragraph a document must end with, after its table: one point high, so that a table that
    fills its page is never followed by a page of its own."""
    end_paragraph(para(doc))


def end_paragraph(paragraph) -> None:
    _plain(paragraph, WD_ALIGN_PARAGRAPH.LEFT, size=Pt(1))
    mark = OxmlElement("w:rPr")
    mark.append(OxmlElement("w:sz", {qn("w:val"): "2"}))
    mark.append(OxmlElement("w:szCs", {qn("w:val"): "2"}))
    set_ppr(paragraph, mark)


# The value of a record's last row: room for the seal (two empty lines), the agency's name and the date; and
# the value of its contact row.
SIGNATURE_ROW = ["", "", "{{ agency_name }}", "{{ issue_date }}"]
CONTACT_VALUE = ("{{ contact.office }}；地址：{{ contact.address }}{% if contact.postcode %}（邮政编码：{{ contact.postcode }}）"
                 "{% endif %}；联系电话：{{ contact.phone }}")


def form_starter() -> Document:
    """A new record template: title, number and the form table with the rows every record has — the legal
    basis, the contact, 经办人 and 审核人 (signed by hand on the printed record), the agency's seal row — the
    rows of its own left for the legal officer (one example row)."""
    doc = new_document(form=True)
    para(doc, "{{ title }}", "Letter Title")
    para(doc, "{{ number }}", "Letter Number")
    para(doc)
    form_rows(doc, [("事项", "（在此输入内容。可用的占位符见 templates_docx/README.md。）"),
                    ("法律依据", "{{ basis }}"),
                    ("联系方式", CONTACT_VALUE),
                    ("经办人", ""),
                    ("审核人", ""),
                    ("填报单位（盖章）", SIGNATURE_ROW, FORM_SIGNATURE)])
    end_of_form(doc)
    return doc


USAGE = """usage: python templates_docx/scaffold.py new [--form] <path/to/new_letter.docx>
       python templates_docx/scaffold.py apply-layout <template.docx>..."""


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "apply-layout" and all(a.endswith(".docx") for a in argv[1:]):
        for name in argv[1:]:
            doc = Document(name)
            apply_layout(doc)
            doc.save(name)
            print(f"laid out {name}")
        return 0
    form = "--form" in argv[1:]
    names = [a for a in argv[1:] if a != "--form"]
    if not argv or argv[0] != "new" or len(names) != 1 or not names[0].endswith(".docx"):
        print(USAGE, file=sys.stderr)
        return 2
    target = Path(names[0])
    if target.exists():
        print(f"{target} exists; choose another name", file=sys.stderr)
        return 1
    (form_starter() if form else starter()).save(str(target))
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
