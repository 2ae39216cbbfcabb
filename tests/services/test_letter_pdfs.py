"""The PDF copy of every letter of disclosure_request, made by LibreOffice and read back with poppler
(pdfinfo, pdftotext): the letters are those the tests of test_disclosure_letters.py issue (every kind, every
reply variant), issued again here by the same test functions and converted in one soffice call; then a long
correction notice (30 items of two lines) for the page numbers of odd and even pages and the character grid.

GB/T 9704-2012 as checked here: 22 lines of 28 characters of 3号 on the 156 mm type width; "— N —" one
character in from the right edge of the type area on odd pages and from the left edge on even pages; the
signature (agency name and date) on the same page as body text; the required elements printed."""
from __future__ import annotations

import hashlib
import io
import logging
import re

import docx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import undefer

from app import create_app
from app.extensions import db as _db
from app.models import Document, SerialCounter
from app.services import pdf
from app.services.timesource import FrozenClock
from config import TestingConfig
from tests import factories
from tests.conftest import fresh_database
from tests.factories import START
from tests.services import pdf_checks
from tests.services import test_disclosure_letters as letters
from tests.services.pdf_checks import (
    Issued,
    check_elements,
    check_page_numbers,
    check_signature,
    convert,
    flat,
    needs_tools,
    stored_letters,
)

# The tests of test_disclosure_letters.py that issue the letters: every kind and every reply variant.
KIND_TESTS = ["test_correction_notice", "test_reasons_notice", "test_third_party_consultation_does_not_reveal_the_applicant",
              "test_agency_consultation", "test_fee_notice_per_piece", "test_fee_notice_per_volume",
              "test_extension_notice", "test_partial_disclosure_lists_each_withheld_part_with_its_ground_and_article",
              "test_disclosing_over_a_third_partys_objection_needs_the_public_interest_and_notifies_the_third_party",
              "test_withdrawal_confirmation_has_no_remedies_clause"]
LONG_ITEM = ("所需政府信息的名称、文号或者其他特征描述应当足以使本机关确定所申请的政府信息的范围，并写明该信息的制作机关、"
             "大致形成时间、保存机构以及申请人所知道的其他能够帮助本机关检索该政府信息的线索和有关情况说明")
# The most a correction notice takes (CorrectionSchema): 30 items, of two lines each.
LONG_ITEMS = [LONG_ITEM] + [f"第{i}项：请补充提供与所申请政府信息有关的文件名称、发文字号以及大致的形成时间" for i in range(2, 31)]


def issue_all(staff, clock) -> list[list[Issued]]:
    """Run the letter tests one after the other in one database, keeping what each issued; the letter
    numbers restart for each test, as in a database of its own."""
    issued = []
    runs = [(name, lambda name=name: getattr(letters, name)(staff)) for name in KIND_TESTS]
    runs += [(f"reply-{param.id}", lambda param=param: letters.test_reply_variant(staff, clock, *param.values))
             for param in letters.VARIANTS]
    runs.append(("long-correction-notice", lambda: letters.fire(letters.open_case(staff), "request_correction",
                                                                staff.handler, "2026-11-04", items=LONG_ITEMS)))
    for name, run in runs:
        clock.move_to(START)
        run()
        issued.append(stored_letters(name))
        if _db.engine.dialect.name == "postgresql":  # letters are never deleted: the suite's superuser may
            _db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
        _db.session.execute(sa.delete(Document))
        _db.session.execute(sa.delete(SerialCounter).where(SerialCounter.kind.like("letter:%")))
        _db.session.commit()
    return issued


@pytest.fixture(scope="module")
def issued(database_template, tmp_path_factory) -> dict[str, list[Issued]]:
    """Every letter of the letter tests and the long one, each with its PDF copy (one soffice call)."""
    folder = tmp_path_factory.mktemp("letters")
    clock = FrozenClock(START)
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": fresh_database(database_template, folder),
                                     "CLOCK": clock})
    with app.app_context():
        try:
            found = issue_all(letters.make_staff(), clock)
        finally:
            _db.session.remove()
            _db.engine.dispose()
    convert([letter for run in found for letter in run], folder)
    return {run[0].test: run for run in found}


RUNS = KIND_TESTS + [f"reply-{param.id}" for param in letters.VARIANTS] + ["long-correction-notice"]
staff = letters.staff


@needs_tools
@pytest.mark.parametrize("name", RUNS)
def test_every_letter_prints_its_elements_in_the_pdf(issued, name):
    for letter in issued[name]:
        check_elements(letter)


@needs_tools
@pytest.mark.parametrize("name", RUNS)
def test_the_signature_is_never_alone_on_its_page(issued, name):
    for letter in issued[name]:
        check_signature(letter)


@needs_tools
def test_the_long_letter_runs_over_pages_numbered_on_the_outer_edge(issued):
    [letter] = issued["long-correction-notice"]
    assert letter.pages >= 3
    check_page_numbers(letter)  # odd pages on the right, even pages on the left


@needs_tools
def test_a_full_line_holds_28_characters_and_a_page_22_lines(issued):
    [letter] = issued["long-correction-notice"]
    # The long item wraps: its middle line is a full line of 3号 characters, 28 of them.
    lines = [flat(line) for line in letter.text(1).splitlines()]
    full = [line for line in lines if line and re.fullmatch(r"[\u4e00-\u9fff，、。：；]+", line)]
    assert max(map(len, full)) == 28
    assert any(len(line) == 28 and line in LONG_ITEM for line in full)
    # Page 2 is all items, one line each, on the 22-line grid: 22 lines of body text.
    body = [w for w in letter.words(2) if w[2] < pdf_checks.TYPE_BOTTOM]
    tops = sorted({round(w[2]) for w in body})
    assert len(tops) == 22
    pitch = (tops[-1] - tops[0]) / 21
    assert pitch == pytest.approx(28.95, abs=0.3)


# -- issuing stores the PDF copy; the API serves it --------------------------------------------------------
@needs_tools
def test_an_issued_letter_has_its_pdf_copy_served_with_its_sha256(app, client, staff, db):
    app.config["LETTER_PDF"] = "auto"
    case = letters.open_case(staff)
    letter = letters.fire(case, "request_correction", staff.handler, "2026-11-04", items=["文号"])
    db.session.expire_all()
    row = db.session.scalar(sa.select(Document).options(undefer(Document.pdf)).where(Document.id == letter.row.id))
    assert row.pdf.startswith(b"%PDF-") and row.pdf_sha256 == hashlib.sha256(row.pdf).hexdigest()
    response = client.get(f"/api/v1/documents/{row.id}/pdf", headers=factories.token(client, "wang_handler"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == row.pdf
    assert response.headers["X-Content-SHA256"] == row.pdf_sha256 and response.headers["ETag"] == f'"{row.pdf_sha256}"'
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]


def test_without_libreoffice_the_letter_is_issued_without_a_pdf_and_it_is_said_once(app, client, staff, db, monkeypatch,
                                                                                  caplog):
    app.config["LETTER_PDF"] = "auto"
    monkeypatch.setattr(pdf, "converter", lambda: None)
    monkeypatch.setattr(pdf, "_warned", False)
    case = letters.open_case(staff)
    with caplog.at_level(logging.WARNING, logger="app.services.pdf"):
        first = letters.fire(case, "request_correction", staff.handler, "2026-11-04", items=["文号"])
        letters.fire(case, "withdraw", staff.registrar, "2026-11-05")
    assert [r.levelname for r in caplog.records if r.name == "app.services.pdf"] == ["WARNING"]
    assert first.row.pdf is None and first.row.pdf_sha256 is None
    response = client.get(f"/api/v1/documents/{first.row.id}/pdf", headers=factories.token(client, "wang_handler"))
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"
    assert client.get(f"/api/v1/documents/{first.row.id}/content",
                      headers=factories.token(client, "wang_handler")).status_code == 200


def test_a_failed_conversion_leaves_the_letter_issued_without_a_pdf(app, staff, monkeypatch, caplog):
    app.config["LETTER_PDF"] = "auto"

    def fails(letters, **kwargs):
        raise pdf.ConversionFailed("soffice exited with 1")
    monkeypatch.setattr(pdf, "to_pdf", fails)
    case = letters.open_case(staff)
    letter = letters.fire(case, "request_correction", staff.handler, "2026-11-04", items=["文号"])
    assert letter.row.id is not None and letter.row.pdf is None
    assert "no PDF copy of letters 黔司补正〔2026〕1号" in caplog.text


@pytest.mark.parametrize("letterhead, printed", [("title", []), ("red", ["贵州省司法厅"])])
def test_the_red_letterhead_is_printed_at_the_top_of_the_first_page_when_the_agency_has_one(
        app, staff, monkeypatch, letterhead, printed):
    monkeypatch.setitem(app.config, "AGENCIES", {**app.config["AGENCIES"],
                                                 "gzsft": {**app.config["AGENCIES"]["gzsft"], "letterhead": letterhead}})
    case = letters.open_case(staff)
    letter = letters.fire(case, "request_correction", staff.handler, "2026-11-04", items=["文号"])
    header = docx.Document(io.BytesIO(letter.row.content)).sections[0].first_page_header
    assert [p.text for p in header.paragraphs if p.text] == printed
    assert letter.paragraphs[-2:] == ["贵州省司法厅", "2026年11月4日"]  # the signature either way
