"""The letter templates of templates_docx/ as a legal officer keeps them: every template a letter names exists
and passes the check made when it is loaded, every file there is used, the GB/T 9704 page setup holds (a
letter's layout, or a record's form of label and value rows), and a template that is broken (an unknown
placeholder, a malformed tag, a missing required element, a broken clause, not a .docx at all) is refused with
the place and the reason."""
from __future__ import annotations

import io
import shutil
from copy import deepcopy
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from app.services import letter_templates as lt
from config import DEMO_GZSFT
from workflow.letters import FORM_REQUIRED
from workflow.processes import PROCESSES, letter_templates

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates_docx"
LETTERS = {kind.name: kind for process in PROCESSES.values() for kind in process.letters.values()}
CORRECTION = LETTERS["correction_notice"]
# The records laid out as forms. The first four processes' are 备案表, 不予公示记录, 舆情回应登记表 and the 公示; each
# later process asserts its own in its tests.
FORMS = {kind.template for kind in LETTERS.values() if kind.form}
FIRST_FOUR = ("disclosure_request", "policy_interpretation", "enforcement_disclosure", "opinion_response")


def test_the_records_are_forms_and_the_letters_are_not():
    first_four = {kind.template for name in FIRST_FOUR for kind in PROCESSES[name].letters.values() if kind.form}
    assert first_four == {"interpretation_record.docx", "exemption_record.docx", "response_record.docx",
                     "enforcement_publication.docx"}


def test_every_template_a_letter_names_exists_and_every_file_is_used():
    clauses = {f"_{c}.docx" for name in LETTERS for c in lt.template_for(DEMO_GZSFT, LETTERS[name]).clauses}
    assert clauses == {"_application.docx", "_contact.docx", "_remedies.docx", "_signature.docx"}
    assert {p.name for p in TEMPLATES_DIR.glob("*.docx")} == set(letter_templates()) | clauses


@pytest.mark.parametrize("kind", sorted(LETTERS))
def test_every_template_passes_the_check_and_prints_what_its_letter_requires(kind):
    letter = LETTERS[kind]
    template = lt.template_for(DEMO_GZSFT, letter)
    printed = set(template.variables)
    for clause in template.clauses:
        printed |= lt.load(DEMO_GZSFT, f"_{clause}.docx", allowed=lt.variables_of(letter), required=set()).variables
    assert {"title", "number", "agency_name", "issue_date", "contact", *letter.required} <= printed
    # A letter prints its addressee line; of the first four processes' forms only two print one (the others'
    # addressee is stored with the record).
    if not letter.form:
        assert "addressee" in printed
    elif letter.name in {k for name in FIRST_FOUR for k in PROCESSES[name].letters}:
        assert ("addressee" in printed) is (letter.name in ("interpretation_record", "response_record"))


@pytest.mark.parametrize("name", sorted(p.name for p in TEMPLATES_DIR.glob("*.docx")))
def test_layout_gb_t_9704(name):
    document = docx.Document(TEMPLATES_DIR / name)
    section = document.sections[0]
    for actual, mm in [(section.page_width, 210), (section.page_height, 297), (section.top_margin, 37),
                       (section.bottom_margin, 35), (section.left_margin, 28), (section.right_margin, 26)]:
        assert abs(actual - Mm(mm)) <= Mm(0.5), (actual.mm, mm)
    styles = document.styles
    title, normal = styles["Letter Title"], styles["Normal"]
    assert title.font.size.pt == 22 and normal.font.size.pt == 16
    assert title.element.rPr.rFonts.get(docx.oxml.ns.qn("w:eastAsia")) == "方正小标宋简体"
    assert normal.element.rPr.rFonts.get(docx.oxml.ns.qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.paragraph_format.first_line_indent.pt == 32
    assert normal.paragraph_format.line_spacing.pt == pytest.approx(28.95, abs=0.05)
    if not name.startswith("_"):
        paragraphs = document.paragraphs
        assert (paragraphs[0].text, paragraphs[0].style.name) == ("{{ title }}", "Letter Title")
        assert (paragraphs[1].text, paragraphs[1].style.name) == ("{{ number }}", "Letter Number")
        if name in FORMS:
            check_form(document)
        else:
            assert (paragraphs[3].text, paragraphs[3].style.name) == ("{{ addressee }}：", "Letter Addressee")
            assert paragraphs[-1].text == "{{p clause_signature }}"
    grid = section._sectPr.find(qn("w:docGrid"))
    assert (grid.get(qn("w:type")), grid.get(qn("w:linePitch"))) == ("linesAndChars", "579")
    assert document.settings.odd_and_even_pages_header_footer and section.different_first_page_header_footer
    for footer, side in [(section.first_page_footer, "right"), (section.footer, "right"),
                         (section.even_page_footer, "left")]:
        instr = "".join(t.text or "" for t in footer._element.iter(qn("w:instrText")))
        assert instr.strip() == "PAGE" and footer.paragraphs[0].text == "— 1 —"
        fmt = footer.paragraphs[0].paragraph_format
        assert (fmt.alignment.name.lower(), (fmt.right_indent if side == "right" else fmt.left_indent).pt) == (side, 14)
    assert [p.text for p in section.first_page_header.paragraphs][:3] == [
        '{%p if letterhead == "red" %}', "{{ agency_name }}", "{%p endif %}"]
    for table in document.tables:
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert styles["Letter Closing"].paragraph_format.keep_with_next
    assert styles["Letter Signature"].paragraph_format.keep_with_next
    if not name.startswith("_") and name not in FORMS:
        closing = [p for p in document.paragraphs if p.style.name == "Letter Closing"]
        assert closing and all(p.text.startswith("特此") for p in closing)


def check_form(document) -> None:
    """A record's form: title, number, then one bordered table — the header row repeated on each page, then
    label | value rows that never split, 4号 off the body's grid, a label column of 45 mm — ending with the
    agency's name and the date with room for the seal; no addressee line, no closing, no signature clause.
    The document ends with a paragraph one point high (no page of its own after a full table)."""
    paragraphs = document.paragraphs
    assert [p.text for p in paragraphs] == ["{{ title }}", "{{ number }}", "", ""]
    assert paragraphs[-1].paragraph_format.line_spacing == Pt(1)
    [table] = document.tables
    header, *rows = table.rows
    assert {p.style.name for c in header.cells for p in c.paragraphs} == {"Letter Table Header"}
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    for row in rows:
        assert [p.style.name for p in row.cells[0].paragraphs] == ["Form Label"] and row.cells[0].text
        assert row._tr.trPr.find(qn("w:tblHeader")) is None and row._tr.trPr.find(qn("w:cantSplit")) is not None
        height = row._tr.trPr.find(qn("w:trHeight"))
        assert (height.get(qn("w:hRule")), height.get(qn("w:val"))) == ("atLeast", "567")  # 10 mm
    widths = [round(c.w.mm) for c in table._tbl.tblGrid.gridCol_lst]
    assert widths == [45, 111]  # the type width, 156 mm
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.tag.split("}")[1]: b.get(qn("w:sz")) for b in borders} == {
        "top": "12", "left": "12", "bottom": "12", "right": "12", "insideH": "4", "insideV": "4"}
    signature = rows[-1]
    assert signature.cells[0].text.endswith("（盖章）")
    assert [p.text for p in signature.cells[1].paragraphs] == ["", "", "{{ agency_name }}", "{{ issue_date }}"]
    assert {p.style.name for p in signature.cells[1].paragraphs} == {"Form Signature"}
    styles = document.styles
    for style in ("Form Label", "Form Value", "Form Signature"):
        assert styles[style].font.size.pt == 14 and styles[style].paragraph_format.line_spacing == Pt(22)
        assert styles[style].element.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
    assert not [p for p in paragraphs if p.style.name in ("Letter Addressee", "Letter Closing", "Letter Signature")]


def load_scaffold():
    import importlib.util
    spec = importlib.util.spec_from_file_location("scaffold", TEMPLATES_DIR / "scaffold.py")
    scaffold = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scaffold)
    return scaffold


def every_text(document) -> list[str]:
    parts = [document.element.body] + [rel.target_part.element for rel in document.part.rels.values()
                                       if rel.reltype.endswith(("/header", "/footer"))]
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for part in parts for p in part.iter(qn("w:p"))]


@pytest.mark.parametrize("name", sorted(p.name for p in TEMPLATES_DIR.glob("*.docx")))
def test_apply_layout_keeps_every_paragraphs_text_and_changes_nothing_the_second_time(tmp_path, name):
    scaffold = load_scaffold()
    # A legal officer's edit in Word: the layout lost (a line grid, one footer, a split row), the text kept.
    document = docx.Document(TEMPLATES_DIR / name)
    section = document.sections[0]
    section._sectPr.find(qn("w:docGrid")).set(qn("w:type"), "lines")
    section.left_margin = Mm(20)
    document.settings.odd_and_even_pages_header_footer = False
    for table in document.tables:
        for row in table.rows:
            for cant_split in row._tr.trPr.findall(qn("w:cantSplit")):
                row._tr.trPr.remove(cant_split)
    document.save(tmp_path / name)
    body_before = [p.text for p in docx.Document(tmp_path / name).paragraphs]
    cells_before = [c.text for t in docx.Document(tmp_path / name).tables for r in t.rows for c in r.cells]
    assert scaffold.main(["apply-layout", str(tmp_path / name)]) == 0
    once = (tmp_path / name).read_bytes()
    laid_out = docx.Document(io.BytesIO(once))
    assert [p.text for p in laid_out.paragraphs] == body_before
    assert [c.text for t in laid_out.tables for r in t.rows for c in r.cells] == cells_before
    assert every_text(laid_out) == every_text(docx.Document(TEMPLATES_DIR / name))  # as committed
    assert abs(laid_out.sections[0].left_margin - Mm(28)) <= Mm(0.5)
    assert scaffold.main(["apply-layout", str(tmp_path / name)]) == 0
    twice = (tmp_path / name).read_bytes()
    import zipfile
    first, second = zipfile.ZipFile(io.BytesIO(once)), zipfile.ZipFile(io.BytesIO(twice))
    assert {n: first.read(n) for n in first.namelist()} == {n: second.read(n) for n in second.namelist()}


def test_the_starter_template_of_a_new_letter_kind_passes_the_check(tmp_path):
    scaffold = load_scaffold()
    assert scaffold.main(["new", str(tmp_path / "new_letter.docx")]) == 0
    variables, problems = lt.inspect((tmp_path / "new_letter.docx").read_bytes(), allowed=lt.variables_of(CORRECTION))
    assert problems == []
    assert {"title", "number", "addressee", "basis", "clause_contact", "clause_signature"} == variables


def test_the_starter_template_of_a_new_record_is_a_form_that_passes_the_check(tmp_path):
    scaffold = load_scaffold()
    assert scaffold.main(["new", "--form", str(tmp_path / "new_record.docx")]) == 0
    content = (tmp_path / "new_record.docx").read_bytes()
    variables, problems = lt.inspect(content, allowed=lt.variables_of(LETTERS["exemption_record"]))
    assert problems == []
    assert variables == {"title", "number", "basis", "contact", "agency_name", "issue_date"} >= set(FORM_REQUIRED)
    check_form(docx.Document(io.BytesIO(content)))
    # Laid out again, it stays a form, unchanged.
    assert scaffold.main(["apply-layout", str(tmp_path / "new_record.docx")]) == 0
    check_form(docx.Document(tmp_path / "new_record.docx"))
    assert scaffold.main(["new", "--form", str(tmp_path / "new_record.docx")]) == 1  # never overwritten


# -- broken templates are refused with the place and the reason ------------------------------------------
def agency_with(tmp_path: Path, name: str, edit) -> dict:
    """An agency whose folder holds an edited copy of one template (as a legal officer's Word edit would)."""
    shutil.copy(TEMPLATES_DIR / name, tmp_path / name)
    document = docx.Document(tmp_path / name)
    edit(document)
    document.save(tmp_path / name)
    return {**DEMO_GZSFT, "templates_dir": str(tmp_path)}


def replace_text(old: str, new: str):
    def edit(document):
        for paragraph in document.paragraphs:
            if old in paragraph.text:
                text = paragraph.text.replace(old, new)
                for run in paragraph.runs[1:]:
                    run.text = ""
                paragraph.runs[0].text = text
                return
        raise AssertionError(f"no paragraph with {old}")
    return edit


def refused(agency: dict, letter=CORRECTION) -> list[str]:
    with pytest.raises(lt.TemplateRejected) as info:
        lt.template_for(agency, letter)
    assert info.value.code == "template_invalid"
    return info.value.details["problems"]


def test_an_unknown_placeholder_is_refused_naming_it_and_its_paragraph(tmp_path):
    agency = agency_with(tmp_path, "correction_notice.docx", replace_text("{{ correction_due }}", "{{ correction_date }}"))
    [problem] = refused(agency)
    assert problem.startswith("未知的占位符 {{ correction_date }}（在“请{{ you }}于{{ correction_date }}前向本机关提交")


def test_a_malformed_tag_is_refused_naming_the_paragraph(tmp_path):
    agency = agency_with(tmp_path, "correction_notice.docx", replace_text("{{ correction_due }}前", "{{ correction_due 前"))
    [problem] = refused(agency)
    assert problem.startswith("第 10 段（“请{{ you }}于{{ correction_due 前向本机关提交")  # as Word counts them
    assert problem.endswith("{{ 与 }} 不成对，标记不完整")


def test_a_tag_jinja_cannot_read_is_refused_naming_where(tmp_path):
    agency = agency_with(tmp_path, "correction_notice.docx", replace_text("{{ correction_due }}前", "{{ correction_due | }}前"))
    [problem] = refused(agency)
    assert "段附近（“" in problem and "correction_due |" in problem


def test_a_template_without_a_required_element_is_refused(tmp_path):
    agency = agency_with(tmp_path, "correction_notice.docx", replace_text("{{ number }}", "黔司补正〔2026〕号"))
    assert refused(agency) == ["缺少必备内容：{{ number }}"]


def test_a_letter_without_its_addressee_line_is_refused(tmp_path):
    agency = agency_with(tmp_path, "correction_notice.docx", replace_text("{{ addressee }}：", "申请人："))
    assert refused(agency) == ["缺少必备内容：{{ addressee }}"]


def test_a_form_without_the_agencys_name_and_date_is_refused(tmp_path):
    def unsigned(document):
        [table] = document.tables
        for paragraph in table.rows[-1].cells[1].paragraphs:
            for run in paragraph.runs:
                run.text = ""
    agency = agency_with(tmp_path, "exemption_record.docx", unsigned)
    assert refused(agency, LETTERS["exemption_record"]) == ["缺少必备内容：{{ agency_name }}",
                                                           "缺少必备内容：{{ issue_date }}"]


def test_a_form_needs_no_addressee_and_a_legal_officer_adds_a_row_in_word(tmp_path):
    # The 公示 prints no addressee (a form has no addressee line); a row copied in Word, its label and value
    # changed, prints with the others.
    def add_row(document):
        [table] = document.tables
        table.rows[-1]._tr.addprevious(deepcopy(table.rows[-2]._tr))  # a copy of the row above the signature
        label, value = table.rows[-2].cells
        label.paragraphs[0].runs[0].text, value.paragraphs[0].runs[0].text = "公示单位", "{{ agency_name }}"
    agency = agency_with(tmp_path, "enforcement_publication.docx", add_row)
    publication = LETTERS["enforcement_publication"]
    template = lt.template_for(agency, publication)
    assert template.path == tmp_path / "enforcement_publication.docx" and "addressee" not in template.variables
    rendered = docx.Document(io.BytesIO(lt.render(agency, publication, {
        "title": "行政执法决定公示", "number": "黔司执公〔2026〕1号", "agency_name": "贵州省司法厅",
        "issue_date": "2026年10月15日", "contact": {"office": "厅办公室", "address": "贵阳市", "phone": "0851-1"},
        "basis": "依据", "deciding_agency": "贵州省司法厅", "decision_type": "行政处罚", "party_name": "李四",
        "decision_date": "2026年9月30日", "published_on": "2026年10月15日", "period_years": 2,
        "period_ends_on": "2028年10月15日"})))
    rows = [[c.text for c in row.cells] for row in rendered.tables[0].rows]
    assert rows[-2:] == [["公示单位", "贵州省司法厅"], ["公示机关（盖章）", "\n\n贵州省司法厅\n2026年10月15日"]]


def test_a_broken_clause_is_refused_naming_its_file(tmp_path):
    agency = agency_with(tmp_path, "_contact.docx", replace_text("{{ contact.phone }}", "{{ telephone }}"))
    problem, consequence = refused(agency)
    assert problem.startswith("_contact.docx：未知的占位符 {{ telephone }}")
    assert consequence == "缺少必备内容：{{ contact }}"  # what the broken clause was there to print


def test_a_file_that_is_not_a_docx_is_refused(tmp_path):
    (tmp_path / "correction_notice.docx").write_bytes(b"not a zip")
    assert refused({**DEMO_GZSFT, "templates_dir": str(tmp_path)}) == ["不是有效的 .docx 文件（BadZipFile）"]


def test_a_valid_edit_is_accepted_and_read_again_when_the_file_changes(tmp_path):
    agency = agency_with(tmp_path, "correction_notice.docx", replace_text("特此告知。", "特此通知。"))
    first = lt.template_for(agency, CORRECTION)
    assert first.path == tmp_path / "correction_notice.docx"
    assert "特此通知。" in [p.text for p in docx.Document(io.BytesIO(first.content)).paragraphs]
    document = docx.Document(tmp_path / "correction_notice.docx")
    replace_text("特此通知。", "此致。")(document)
    document.save(tmp_path / "correction_notice.docx")
    second = lt.template_for(agency, CORRECTION)
    assert "此致。" in [p.text for p in docx.Document(io.BytesIO(second.content)).paragraphs]
