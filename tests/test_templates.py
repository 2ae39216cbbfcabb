"""The docxtpl letter templates (templates_docx/): only contract variables, every value printed exactly
(escaped, never truncated), no leftovers when optional parts are empty, GB/T 9704 page setup, and the
committed files match what build_templates.py writes."""
from __future__ import annotations

import importlib.util
import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.shared import Mm
from docx.table import Table
from docxtpl import DocxTemplate

from workflow.processes import letter_templates

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates_docx"
TEMPLATES = letter_templates()  # every template a process's letters name
CONTRACT = {"agency_name", "title", "number", "addressee", "recital", "paragraphs", "items", "after_items",
            "table_header", "table", "basis", "remedies", "contact", "closing", "issue_date"}
NASTY = '张三 & <李四> "测试"'
SEAL_LINES = 3
EMPTY_LINES = 1 + SEAL_LINES  # the line under the number, and the room for the seal


def full_context() -> dict:
    return {
        "agency_name": "贵州省某某厅 & <办公室>",
        "title": "政府信息公开申请补正告知书",
        "number": "黔司补正〔2026〕3号",
        "addressee": NASTY,
        "recital": "本机关于2026年3月2日收到你通过互联网渠道提出的政府信息公开申请，申请获取：A&B<C>的“文件”。",
        "paragraphs": ["经审查，你的申请内容不明确。现一次性告知如下：", "第二段 'quoted' & <tag/>"],
        "items": ["所需信息的名称 <不明确>", "文号 & 年份", "申请人 ]]> 证件"],
        "after_items": ["请于2026年3月16日前提交补正后的申请。", "逾期不补正的，视为放弃申请。"],
        "table_header": ["计费区段", "数量（页）", "金额（元）"],
        "table": [["第1至100页 & <免费>", "100", "0"], ["101—200页", "50", "50"]],
        "basis": "《中华人民共和国政府信息公开条例》第三十条",
        "remedies": "如对本答复不服，可以自收到本答复之日起60日内向贵州省人民政府申请行政复议。",
        "contact": "联系机构：政务公开办公室；地址：贵阳市某路1号；邮政编码：550000；联系电话：0851-12345678",
        "closing": "特此告知。",
        "issue_date": "2026年11月27日",
    }


def empty_context() -> dict:
    ctx = full_context() | {"items": [], "table": [], "table_header": [], "remedies": ""}
    del ctx["after_items"]  # missing is allowed, as well as empty
    return ctx


def render(name: str, context: dict) -> docx.document.Document:
    template = DocxTemplate(TEMPLATES_DIR / name)
    template.render(context, autoescape=True)
    out = io.BytesIO()
    template.save(out)
    out.seek(0)
    return docx.Document(out)


def blocks(document) -> list:
    """Body content in order: a paragraph's text, or a table as a list of rows of cell texts."""
    return [[[cell.text for cell in row.cells] for row in block.rows] if isinstance(block, Table) else block.text
            for block in document.iter_inner_content()]


def expected_blocks(ctx: dict, *, table_after_first: bool) -> list:
    table = [[ctx["table_header"], *ctx["table"]]] if ctx["table"] else []
    first, rest = ctx["paragraphs"][:1], ctx["paragraphs"][1:]
    body = [*first, *table, *rest] if table_after_first else [*first, *rest]
    body += [f"{i}. {item}" for i, item in enumerate(ctx["items"], 1)] + list(ctx.get("after_items", []))
    if not table_after_first:
        body += table
    return [ctx["title"], ctx["number"], "", f"{ctx['addressee']}：", ctx["recital"], *body,
            f"法律依据：{ctx['basis']}", *([ctx["remedies"]] if ctx["remedies"] else []), ctx["contact"],
            ctx["closing"], *[""] * SEAL_LINES, ctx["agency_name"], ctx["issue_date"]]


def test_every_template_exists():
    assert sorted(p.name for p in TEMPLATES_DIR.glob("*.docx")) == sorted(TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
def test_variables_are_the_contract(name):
    used = DocxTemplate(TEMPLATES_DIR / name).get_undeclared_template_variables()
    assert used <= CONTRACT, f"{name} uses keys outside the contract: {used - CONTRACT}"
    assert used == CONTRACT, f"{name} does not print {CONTRACT - used}"


@pytest.mark.parametrize("name", TEMPLATES)
def test_full_context_printed_exactly_in_order(name):
    ctx = full_context()
    document = render(name, ctx)
    assert blocks(document) == expected_blocks(ctx, table_after_first=name == "fee_notice.docx")
    texts = [p.text for p in document.paragraphs]
    assert f"{NASTY}：" in texts
    assert "贵州省某某厅 & <办公室>" in texts


@pytest.mark.parametrize("name", TEMPLATES)
def test_empty_optional_parts_leave_nothing_behind(name):
    ctx = empty_context()
    document = render(name, ctx)
    assert blocks(document) == expected_blocks(ctx, table_after_first=name == "fee_notice.docx")
    texts = [p.text for p in document.paragraphs]
    assert document.tables == []
    assert not any(re.match(r"\s*\d+\.", t) for t in texts)
    assert texts.count("") == EMPTY_LINES
    assert full_context()["remedies"] not in texts
    assert not any("{" in t or "}" in t for t in texts)


@pytest.mark.parametrize("name", TEMPLATES)
def test_layout_gb_t_9704(name):
    document = render(name, full_context())
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
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "Letter Title" and paragraphs[1].style.name == "Letter Number"
    assert paragraphs[3].style.name == "Letter Addressee"
    assert styles["Letter Addressee"].paragraph_format.first_line_indent == 0
    assert [p.style.name for p in paragraphs[-2:]] == ["Letter Signature"] * 2
    footer = "".join(t.text or "" for t in section.footer._element.iter(docx.oxml.ns.qn("w:instrText")))
    assert footer.strip() == "PAGE"
    assert section.footer.paragraphs[0].text == "— 1 —"


def test_committed_templates_match_the_builder(tmp_path):
    spec = importlib.util.spec_from_file_location("build_templates", TEMPLATES_DIR / "build_templates.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    built = builder.main(tmp_path)
    assert sorted(p.name for p in built) == sorted(TEMPLATES)
    for path in built:
        with zipfile.ZipFile(path) as fresh, zipfile.ZipFile(TEMPLATES_DIR / path.name) as committed:
            assert sorted(fresh.namelist()) == sorted(committed.namelist())
            for part in fresh.namelist():
                assert fresh.read(part) == committed.read(part), (
                    f"{path.name}:{part} differs; run python templates_docx/build_templates.py")
