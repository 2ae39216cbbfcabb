"""A legal officer's edit reaches the next letter with no code change: a sentence changed in a copy of a template
in the agency's own folder is in the letter issued next, an agency's own article table is what its letters cite,
and a broken template in that folder stops the letter (and the transition) with the reason, writing nothing."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
import pytest
import sqlalchemy as sa
import yaml

from app.models import Document, Event
from app.services import cases as case_service
from app.services.letter_templates import TemplateRejected
from config import DEMO_GZSFT
from tests import factories

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates_docx"
SENTENCE = "答复期限自本机关收到补正后的申请之日起计算。"


@pytest.fixture
def people(app):
    return factories.user("registrar", role="registrar"), factories.user("handler", role="handler")


@pytest.fixture
def agency_folder(app, tmp_path, monkeypatch):
    """The agency's own template folder, configured; empty until a test copies a template into it."""
    monkeypatch.setitem(app.config, "AGENCIES", {**app.config["AGENCIES"],
                                                 "gzsft": {**DEMO_GZSFT, "templates_dir": str(tmp_path)}})
    return tmp_path


def edit_in_word(path: Path, old: str, new: str) -> None:
    """What an edit in Word does to the file: the paragraph's text changes, everything else stays."""
    document = docx.Document(path)
    paragraph = next(p for p in document.paragraphs if old in p.text)
    text = paragraph.text.replace(old, new)
    for run in paragraph.runs[1:]:
        run.text = ""
    paragraph.runs[0].text = text
    document.save(path)


def correction_letter(people) -> list[str]:
    registrar, handler = people
    case = factories.open_case(registrar)
    result = case_service.fire(case, "request_correction", actor=handler, params={"items": ["请写明年份"]})
    return [p.text for p in docx.Document(io.BytesIO(result.documents[0].content)).paragraphs]


def test_a_sentence_changed_in_the_agencys_copy_of_a_template_is_in_the_next_letter(people, agency_folder):
    assert any(SENTENCE in line for line in correction_letter(people))  # the shipped wording
    shutil.copy(TEMPLATES_DIR / "correction_notice.docx", agency_folder)
    edit_in_word(agency_folder / "correction_notice.docx", SENTENCE, "答复期限自本机关收到完整的补正材料之日起重新计算。")
    letter = correction_letter(people)
    assert any("答复期限自本机关收到完整的补正材料之日起重新计算。" in line for line in letter)
    assert not any(SENTENCE in line for line in letter)


def test_a_shared_clause_changed_once_changes_every_letter_that_includes_it(people, agency_folder):
    shutil.copy(TEMPLATES_DIR / "_contact.docx", agency_folder)
    edit_in_word(agency_folder / "_contact.docx", "联系机构：", "承办机构：")
    assert any(line.startswith("承办机构：贵州省司法厅政府信息公开工作机构") for line in correction_letter(people))


def test_the_agencys_own_article_table_is_what_its_letters_cite(people, agency_folder):
    table = yaml.safe_load((TEMPLATES_DIR / "articles.yaml").read_text(encoding="utf-8"))
    table["laws"]["条例"] = "《政府信息公开条例》"
    (agency_folder / "articles.yaml").write_text(yaml.safe_dump(table, allow_unicode=True), encoding="utf-8")
    assert "法律依据：《政府信息公开条例》第三十条" in correction_letter(people)


def test_a_broken_template_stops_the_letter_and_the_transition_and_writes_nothing(app, db, people, agency_folder):
    registrar, handler = people
    case = factories.open_case(registrar)
    shutil.copy(TEMPLATES_DIR / "correction_notice.docx", agency_folder)
    edit_in_word(agency_folder / "correction_notice.docx", "{{ correction_due }}", "{{ correction_deadline }}")
    events = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    with pytest.raises(TemplateRejected) as info:
        case_service.fire(case, "request_correction", actor=handler, params={"items": ["请写明年份"]})
    assert "未知的占位符 {{ correction_deadline }}" in info.value.message
    assert info.value.details["path"] == str(agency_folder / "correction_notice.docx")
    db.session.rollback()
    assert case.state == "received"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == events
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_the_check_command_names_each_refused_template_and_fails(app, agency_folder):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["check-templates"])
    assert result.exit_code == 0 and "gzsft\treply.docx\tOK" in result.output
    shutil.copy(TEMPLATES_DIR / "reply.docx", agency_folder)
    edit_in_word(agency_folder / "reply.docx", "{{ obtain }}", "{{ obtain")
    result = runner.invoke(args=["check-templates", "--agency", "gzsft"])
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if line.startswith("gzsft\treply.docx\t")]
    assert "（“获取的时间、方式和地点：{{ obtain”）：{{ 与 }} 不成对，标记不完整" in line
    assert "gzsft\tcorrection_notice.docx\tOK" in result.output


def test_an_agencys_article_table_that_lacks_an_entry_is_refused_naming_it(app, people, agency_folder):
    table = yaml.safe_load((TEMPLATES_DIR / "articles.yaml").read_text(encoding="utf-8"))
    del table["disclosure_request"]["grounds"]["state_secret"]
    del table["enforcement_disclosure"]
    (agency_folder / "articles.yaml").write_text(yaml.safe_dump(table, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TemplateRejected) as info:
        correction_letter(people)
    assert info.value.details["problems"] == ["缺少条目 disclosure_request.grounds.state_secret",
                                              "缺少条目 enforcement_disclosure"]
    result = app.test_cli_runner().invoke(args=["check-templates", "--agency", "gzsft"])
    assert result.exit_code == 1 and "gzsft\tarticles.yaml\t缺少条目 disclosure_request.grounds.state_secret" in result.output
