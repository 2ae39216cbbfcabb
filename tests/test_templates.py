"""The letter templates of templates_docx/ as a legal officer keeps them: every template a letter names exists
and passes the check made when it is loaded, every file there is used, the GB/T 9704 page setup holds, and a
template that is broken (an unknown placeholder, a malformed tag, a missing required element, a broken
clause, not a .docx at all) is refused with the place and the reason."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from app.services import letter_templates as lt
from config import DEMO_GZSFT
from workflow.processes import PROCESSES, letter_templates

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates_docx"
LETTERS = {kind.name: kind for process in PROCESSES.values() for kind in process.letters.values()}
CORRECTION = LETTERS["correction_notice"]


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
    assert {"title", "number", "addressee", "agency_name", "issue_date", "contact", *letter.required} <= printed


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
    if not name.startswith("_"):
        closing = [p for p in document.paragraphs if p.style.name == "Letter Closing"]
        assert closing and all(p.text.startswith("特此") for p in closing)


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
