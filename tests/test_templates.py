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
    footer = "".join(t.text or "" for t in section.footer._element.iter(docx.oxml.ns.qn("w:instrText")))
    assert footer.strip() == "PAGE"
    assert section.footer.paragraphs[0].text == "— 1 —"


def test_the_starter_template_of_a_new_letter_kind_passes_the_check(tmp_path):
    import importlib.util
    spec = importlib.util.spec_from_file_location("scaffold", TEMPLATES_DIR / "scaffold.py")
    scaffold = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scaffold)
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
