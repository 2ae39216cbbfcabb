"""Bulk import from its page (/cases/import): a CSV of enforcement decisions with an invalid row is refused
as a whole (the default mode) with the row and its column in the report; corrected, both rows are
imported and listed. axe checks the page and its report. Skipped while the page is not in the app."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app import create_app
from config import TestingConfig

from .pages import check_axe, choose, sign_in


def _has_import_page() -> bool:
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return "/cases/import" in {rule.rule for rule in app.url_map.iter_rules()}


pytestmark = pytest.mark.skipif(not _has_import_page(), reason="the bulk import page /cases/import is not in "
                                "this branch yet (built beside it, merged later)")

HEADER = "decision_number,decision_date,decision_type,deciding_agency,party_type,party_name,party_id_number,category,conclusion"
GOOD = "黔司罚决〔2026〕21号,2026-11-20,administrative_penalty,贵州省司法厅,legal_person,贵州甲律师事务所,91520000MA6DKQ1A0P,律师事务所管理,警告"
BAD = "黔司罚决〔2026〕22号,2026-11-20,administrative_penalty,贵州省司法厅,legal_person,贵州乙律师事务所,91520000MA6DKQ1A0Q,律师事务所管理,警告"
FIXED = BAD.replace("91520000MA6DKQ1A0Q", "91520000MA6DL1K80D")


def csv_file(*rows: str) -> dict:
    return {"name": "decisions.csv", "mimeType": "text/csv", "buffer": "\n".join((HEADER, *rows)).encode()}


def upload(page, rows: tuple[str, ...]) -> None:
    page.goto("/cases/import")
    choose(page.locator("main form [name=process]"), "行政执法公示")
    page.locator("main form [name=file]").set_input_files(csv_file(*rows))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#report")).to_be_visible(timeout=30_000)


def test_bulk_import_from_its_page(live, staff, page):
    live.on("2026-11-27")
    sign_in(page, staff.registrar)
    page.goto("/cases/import")
    check_axe(page, "bulk import")

    upload(page, (GOOD, BAD))
    report = page.locator("#report").inner_text()
    assert re.search(r"\b3\b", report), report  # the line of the bad row (line 1 is the header), with its column
    assert "执法对象身份证号码或统一社会信用代码" in report or "party_id_number" in report, report
    check_axe(page, "bulk import report (refused)")
    page.goto("/cases?process=enforcement_disclosure")
    expect(page.locator("main [role=status]")).to_contain_text("共 0 件")

    upload(page, (GOOD, FIXED))
    check_axe(page, "bulk import report (imported)")
    page.goto("/cases?process=enforcement_disclosure")
    expect(page.locator("main [role=status]")).to_contain_text("共 2 件")
    expect(page.locator("main table")).to_contain_text("贵州乙律师事务所")
