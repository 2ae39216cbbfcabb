"""Table 三 of the annual report (issue 9.3) on two years of generated applications: every outcome and
applicant kind, carried-over cases and the edges of the year. The expected counts are computed here from the
generated list, by the official labels, not with the report's own query or row map."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import random
import re
import shutil
import subprocess
from collections import Counter
from types import SimpleNamespace

import docx
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.extensions import db as _db
from app.models import Case, Event
from app.services import annual_report as report
from app.services import cases as case_service
from app.services import pdf, proceedings
from app.services.cases import Backfill
from app.services.integrity import check_case
from tests import factories as f
from tests.api.helpers import Api
from tests.web.conftest import browser_for
from workflow.errors import InvalidData, NotPermitted
from workflow.processes.disclosure_request import APPLICANT_TYPES, OUTCOMES

YEAR = 2026
D = dt.date.fromisoformat
# The official label of the row each (state, reason) is counted in (国办公开办函〔2021〕30号, law.md §2.3).
LABEL = {("disclosed", "disclose"): "（一）予以公开", ("disclosed", "already_public"): "（一）予以公开",
         ("partially_disclosed", "partial"): "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
         ("withheld", "state_secret"): "1.属于国家秘密", ("withheld", "prohibited_by_law"): "2.其他法律行政法规禁止公开",
         ("withheld", "security_stability"): "3.危及“三安全一稳定”", ("withheld", "third_party_rights"): "4.保护第三方合法权益",
         ("withheld", "internal_affairs"): "5.属于三类内部事务信息", ("withheld", "process_information"): "6.属于四类过程性信息",
         ("withheld", "enforcement_case_file"): "7.属于行政执法案卷", ("withheld", "administrative_inquiry"): "8.属于行政查询事项",
         ("unavailable", "not_held"): "1.本机关不掌握相关政府信息",
         ("unavailable", "not_this_agency"): "1.本机关不掌握相关政府信息",
         ("unavailable", "needs_creation"): "2.没有现成信息需要另行制作",
         ("unavailable", "unclear_after_correction"): "3.补正后申请内容仍不明确",
         ("not_processed", "petition_complaint"): "1.信访举报投诉类申请", ("not_processed", "repeat_application"): "2.重复申请",
         ("not_processed", "publication"): "3.要求提供公开出版物",
         ("not_processed", "unreasonable_volume"): "4.无正当理由大量反复申请",
         ("not_processed", "confirm_or_reissue"): "5.要求行政机关确认或重新出具已获取信息",
         ("closed_other", "correction_lapsed"): "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
         ("closed_other", "fee_unpaid"): "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
         ("closed_other", "other"): "3.其他", ("closed_other", "withdrawn"): "3.其他"}
GROUP = {"withheld": "（三）不予公开", "unavailable": "（四）无法提供", "not_processed": "（五）不予处理",
         "closed_other": "（六）其他处理"}
COLUMN = {"natural_person": "自然人", "commercial_enterprise": "商业企业", "research_institution": "科研机构",
          "public_interest_organisation": "社会公益组织", "legal_service_institution": "法律服务机构",
          "other_organisation": "其他"}


def generate(count: int) -> list[dict]:
    """Applications received from November 2024 to December 2026, most of them closed within two months."""
    rng = random.Random(20261201)
    outcomes = [(state, reason) for state, reasons in OUTCOMES.items() for reason in reasons]
    first, days = D("2024-11-01"), (D("2026-12-31") - D("2024-11-01")).days
    specs = []
    for _ in range(count):
        received = first + dt.timedelta(days=rng.randrange(days + 1))
        closed = received + dt.timedelta(days=rng.randrange(70)) if rng.random() < 0.85 else None
        if closed is not None and closed > D("2026-12-31"):
            closed = None
        state, reason = rng.choice(outcomes) if closed else (rng.choice(["received", "in_progress"]), None)
        specs.append({"received": received, "closed": closed, "state": state, "reason": reason,
                      "applicant": rng.choice(list(APPLICANT_TYPES))})
    # The edges of the year, each kind once more.
    specs += [{"received": D("2025-12-31"), "closed": D("2026-01-01"), "state": "disclosed", "reason": "disclose",
               "applicant": "natural_person"},
              {"received": D("2025-12-31"), "closed": D("2025-12-31"), "state": "disclosed", "reason": "disclose",
               "applicant": "natural_person"},
              {"received": D("2026-01-01"), "closed": D("2026-12-31"), "state": "withheld", "reason": "state_secret",
               "applicant": "research_institution"},
              {"received": D("2026-12-31"), "closed": None, "state": "received", "reason": None,
               "applicant": "legal_service_institution"}]
    return specs


def expected_cells(specs: list[dict]) -> Counter:
    """(row label, column title) -> count, from the list alone."""
    start, end = D(f"{YEAR}-01-01"), D(f"{YEAR}-12-31")
    cells = Counter()
    for s in specs:
        if s["received"] > end or (s["closed"] is not None and s["closed"] < start):
            continue
        columns = [COLUMN[s["applicant"]], "总计"]
        labels = ["一、本年新收政府信息公开申请数量" if s["received"] >= start else "二、上年结转政府信息公开申请数量"]
        if s["closed"] is not None and s["closed"] <= end:
            labels += [LABEL[(s["state"], s["reason"])], "（七）总计"]
            if s["state"] in GROUP:
                labels.append(GROUP[s["state"]])
        else:
            labels.append("四、结转下年度继续办理")
        for label in labels:
            for column in columns:
                cells[(label, column)] += 1
    return cells


@pytest.fixture
def applications(app, db, clock):
    registrar = f.user("registrar", role="registrar")
    specs = generate(2000)
    template = f.open_case(registrar)  # a real case's data, as registered
    rows = []
    for n, s in enumerate(specs, 1):
        data = {**template.data, "applicant_type": s["applicant"]}
        rows.append(Case(agency_code="gzsft", process="disclosure_request", definition_version=1,
                         reference=f"黔司依申〔{s['received'].year}〕{10000 + n}号", state=s["state"], reason=s["reason"],
                         department="办公室", data=data, summary=f"申请{n}", received_on=s["received"],
                         closed_on=s["closed"], last_effective_on=s["closed"] or s["received"],
                         created_by_id=registrar.id, created_at=template.created_at,
                         updated_at=template.created_at))
    # Not counted: another process, another agency.
    rows.append(Case(agency_code="gzsft", process="opinion_response", definition_version=1, reference="舆情1",
                     state="detected", data={"applicant_type": "natural_person"}, received_on=D("2026-03-01"),
                     last_effective_on=D("2026-03-01"), created_by_id=registrar.id, created_at=template.created_at,
                     updated_at=template.created_at))
    rows.append(Case(agency_code="other", process="disclosure_request", definition_version=1, reference="他机关1",
                     state="received", data={"applicant_type": "natural_person"}, received_on=D("2026-03-01"),
                     last_effective_on=D("2026-03-01"), created_by_id=registrar.id, created_at=template.created_at,
                     updated_at=template.created_at))
    _db.session.add_all(rows)
    _db.session.commit()
    # The template case itself: received 2026-11-20, open.
    specs.append({"received": template.received_on, "closed": None, "state": template.state, "reason": None,
                  "applicant": template.data["applicant_type"]})
    return specs


@pytest.fixture
def auditor(app, db):
    return f.user("auditor", role="auditor", department="审计处")


def test_every_cell_of_table_three_matches_the_counts_made_from_the_applications(applications, auditor):
    table = report.table_three(auditor, YEAR)
    expected = expected_cells(applications)
    columns = {"natural_person": "自然人", "commercial_enterprise": "商业企业", "research_institution": "科研机构",
               "public_interest_organisation": "社会公益组织", "legal_service_institution": "法律服务机构",
               "other_organisation": "其他", "total": "总计"}
    from workflow.annual_report import ROWS
    got = Counter({(row.label, columns[c]): table.value(row.key, c) for row in ROWS for c in columns
                   if table.value(row.key, c)})
    assert got == +expected
    assert table.imbalances == {} and table.problems == []
    assert expected[("一、本年新收政府信息公开申请数量", "总计")] > 500  # the data reach every row
    assert all(expected[(label, "总计")] for label in set(LABEL.values()))


def test_each_cell_drills_down_to_its_cases(applications, auditor):
    cases = report.cell_cases(auditor, YEAR, "withheld", "research_institution", per_page=500).items
    assert len(cases) == report.table_three(auditor, YEAR).value("withheld", "research_institution")
    assert {c.state for c in cases} == {"withheld"}
    assert {c.data["applicant_type"] for c in cases} == {"research_institution"}
    assert all(D(f"{YEAR}-01-01") <= c.closed_on <= D(f"{YEAR}-12-31") for c in cases)
    edge = [c for c in cases if c.received_on == D("2026-01-01") and c.closed_on == D("2026-12-31")]
    assert len(edge) == 1
    carried = report.cell_cases(auditor, YEAR, "carried_out", "total", per_page=500)
    assert all(c.closed_on is None for c in carried.items)
    assert carried.total == len(carried.items) == report.table_three(auditor, YEAR).value("carried_out", "total")


def test_every_cell_counts_the_cases_its_drill_down_lists_page_by_page(applications, auditor):
    """The table counts groups; a cell's list selects its cases: the two agree in every cell, and the pages of
    a cell together are its cases, each once, the references those the generated list puts there."""
    from workflow.annual_report import ROWS
    table = report.table_three(auditor, YEAR)
    for row in ROWS:
        if row.key == "results":
            continue
        for column in COLUMN | {"total": "总计"}:
            assert report.cell_cases(auditor, YEAR, row.key, column, per_page=1).total == table.value(row.key, column)
    first = report.cell_cases(auditor, YEAR, "handled", "natural_person", per_page=7)
    ids = [c.id for n in range(1, first.pages + 1)
           for c in report.cell_cases(auditor, YEAR, "handled", "natural_person", page=n, per_page=7).items]
    assert len(ids) == len(set(ids)) == first.total == table.value("handled", "natural_person")
    assert ids == sorted(ids)
    assert all(c.data["applicant_type"] == "natural_person" and c.closed_on.year == YEAR
               for c in _db.session.scalars(sa.select(Case).where(Case.id.in_(ids))))
    with pytest.raises(InvalidData) as bad:
        report.cell_cases(auditor, YEAR, "results", "nobody")
    assert set(bad.value.errors) == {"row"} or set(bad.value.errors) == {"column"}


def test_a_case_the_table_cannot_place_is_named_with_the_imbalance_it_causes(applications, auditor, db):
    case = db.session.scalars(Case.__table__.select().where(Case.closed_on >= D("2026-02-01"),
                                                            Case.closed_on <= D("2026-11-30"))
                              .with_only_columns(Case.id).limit(1)).one()
    row = db.session.get(Case, case)
    row.state, row.reason = "closed_other", "lost_in_the_post"
    column = row.data["applicant_type"]
    db.session.commit()
    table = report.table_three(auditor, YEAR)
    assert [(p.case_id, p.what) for p in table.problems] == [
        (row.id, "办结结果 closed_other/lost_in_the_post 不属于“本年度办理结果”的任何一行")]
    received, accounted = table.imbalances[column]
    assert received == accounted + 1 and set(table.imbalances) == {column, "total"}


def test_only_approvers_auditors_and_administrators_read_the_report(applications, auditor):
    with pytest.raises(NotPermitted):
        report.table_three(f.user("handler", role="handler"), YEAR)
    with pytest.raises(InvalidData):
        report.table_three(auditor, 1999)


def test_the_workbook_is_in_the_official_layout(applications, auditor):
    table = report.table_three(auditor, YEAR)
    content = report.report_xlsx(table, report.table_four(auditor, YEAR), report.fees(auditor, YEAR), "贵州省司法厅")
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["表三", "表四", "六、收费"]
    sheet = book["表三"]
    assert sheet["A2"].value == "三、收到和处理政府信息公开申请情况"
    assert sheet["A3"].value == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert [sheet.cell(3, 3).value, sheet.cell(4, 3).value, sheet.cell(4, 4).value, sheet.cell(4, 9).value] == [
        "申请人情况", "自然人", "法人或其他组织", "总计"]
    assert [sheet.cell(5, c).value for c in range(4, 9)] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert {str(r) for r in sheet.merged_cells.ranges} >= {"A3:B5", "C3:I3", "C4:C5", "D4:H4", "I4:I5"}
    labels = {sheet.cell(r, 1).value or sheet.cell(r, 2).value: r for r in range(6, sheet.max_row + 1)}
    new = labels["一、本年新收政府信息公开申请数量"]
    assert [sheet.cell(new, c).value for c in range(3, 10)] == [
        table.value("new", k) for k in ("natural_person", "commercial_enterprise", "research_institution",
                                        "public_interest_organisation", "legal_service_institution",
                                        "other_organisation", "total")]
    assert sheet.cell(labels["（七）总计"], 9).value == table.value("handled", "total")


def test_the_report_in_the_api_and_on_its_page(app, applications, auditor):
    api = Api(app, "auditor")
    body = api.get("api.annual_table_three", year=YEAR).get_json()
    assert body["balanced"] is True and body["format"] == "国办公开办函〔2021〕30号"
    rows = {r["key"]: r for r in body["rows"]}
    assert rows["results"]["values"] is None
    table = report.table_three(auditor, YEAR)
    assert rows["handled"]["values"]["total"] == table.value("handled", "total")
    cell = api.get("api.annual_table_three_cell", year=YEAR, row="withheld_1", column="total").get_json()
    assert len(cell["cases"]) == cell["total"] == table.value("withheld_1", "total")
    second = api.get("api.annual_table_three_cell", year=YEAR, row="new", column="total", page=2,
                     per_page=100).get_json()
    assert (second["total"], second["page"], len(second["cases"])) == (table.value("new", "total"), 2, 100)
    assert api.get("api.annual_table_three_cell", year=YEAR, row="nope", column="total").status_code == 422
    workbook = api.get("api.annual_table_three_xlsx", year=YEAR)
    assert workbook.status_code == 200 and workbook.data[:2] == b"PK"
    assert Api(app, f.user("handler", role="handler").username).get("api.annual_table_three",
                                                                    year=YEAR).status_code == 403
    page = browser_for(app, "auditor").get(f"/reports/annual/{YEAR}").get_data(as_text=True)
    assert "各列均满足勾稽关系" in page and f"/reports/annual/{YEAR}/withheld_1/total" in page
    drill = browser_for(app, "auditor").get(f"/reports/annual/{YEAR}/withheld_1/total").get_data(as_text=True)
    assert f"1.属于国家秘密（总计）：{table.value('withheld_1', 'total')} 件" in drill
    pages = -(-table.value("new", "total") // 50)
    drill = browser_for(app, "auditor").get(f"/reports/annual/{YEAR}/new/total?page=2").get_data(as_text=True)
    assert f"第 2 / {pages} 页" in drill and f"/reports/annual/{YEAR}/new/total?page=3" in drill


def test_the_report_as_docx_in_the_official_layout_read_back_and_as_pdf(applications, auditor, tmp_path):
    content, filename = report.table_three_document(auditor, YEAR)
    assert filename == f"贵州省司法厅{YEAR}年度政府信息公开工作年度报告（表三、表四、收费）.docx"
    document = docx.Document(io.BytesIO(content))
    assert [p.text for p in document.paragraphs[:2]] == ["贵州省司法厅", f"{YEAR}年度政府信息公开工作年度报告"]
    three, four = document.tables
    assert three.cell(0, 0).text == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert [three.cell(1, c).text for c in (3, 4, 9)] == ["自然人", "法人或其他组织", "总计"]
    assert [three.cell(2, c).text for c in range(4, 9)] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    table = report.table_three(auditor, YEAR)
    columns = ["natural_person", "commercial_enterprise", "research_institution", "public_interest_organisation",
               "legal_service_institution", "other_organisation", "total"]
    printed = {}
    for row in three.rows[3:]:
        cells = row.cells
        assert len(cells) == 10
        printed[(cells[0].text, cells[1].text, cells[2].text)] = [int(c.text) for c in cells[3:]]
    expected = {}
    for key, labels in (("new", ("一、本年新收政府信息公开申请数量",) * 3), ("carried_in", ("二、上年结转政府信息公开申请数量",) * 3),
                        ("disclosed", ("三、本年度办理结果", "（一）予以公开", "（一）予以公开")),
                        ("withheld_1", ("三、本年度办理结果", "（三）不予公开", "1.属于国家秘密")),
                        ("other_3", ("三、本年度办理结果", "（六）其他处理", "3.其他")),
                        ("handled", ("三、本年度办理结果", "（七）总计", "（七）总计")),
                        ("carried_out", ("四、结转下年度继续办理",) * 3)):
        expected[labels] = [table.value(key, c) for c in columns]
    assert {k: printed[k] for k in expected} == expected
    assert len(printed) == 25  # 一, 二, （一）, （二）, 19 numbered rows (their groups have no row of their own), （七）, 四
    assert [c.text for c in four.rows[2].cells[:5]] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert "本年度发出政府信息公开信息处理费收费通知0件" in document.paragraphs[-1].text
    if shutil.which("soffice") is None and os.environ.get("CI") != "true":
        return
    pdf_path = tmp_path / "report.pdf"
    pdf_path.write_bytes(pdf.to_pdf([content])[0])
    text = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for words in (f"{YEAR}年度政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
                  "六、其他需要报告的事项", "1.属于国家秘密"):
        assert words in re.sub(r"\s", "", text), words
    assert str(table.value("handled", "total")) in text


# -- locking a year ------------------------------------------------------------------------------------
@pytest.fixture
def year_2025(app, db, clock):
    """Applications of 2025: one closed in 2025 (recorded afterwards), one still open at the end of 2025."""
    s = SimpleNamespace(registrar=f.user("registrar", role="registrar"), handler=f.user("handler", role="handler"),
                        approver=f.user("approver", role="approver"), admin=f.user("admin", role="admin"),
                        auditor=f.user("auditor", role="auditor", department="审计处"))
    s.withdrawn = f.open_case(s.registrar, arrived_on="2025-11-03")
    case_service.fire(s.withdrawn, "withdraw", actor=s.approver, params={"statement": "申请人来电撤回"},
                      effective_on="2025-11-10", backfill=Backfill(reason="线下已办理", letter_number="黔司撤〔2025〕1号"))
    s.still_open = f.open_case(s.registrar, arrived_on="2025-12-15", applicant_name="李四")
    return s


def test_a_locked_year_keeps_its_figures_and_its_workbook_byte_for_byte(year_2025):
    s = year_2025
    with pytest.raises(NotPermitted):
        report.lock_year(s.auditor, 2025)
    lock = report.lock_year(s.admin, 2025)
    table = report.table_three(s.auditor, 2025)
    assert lock.figures["table_3"] == table.cells and table.value("new", "total") == 2
    assert lock.figures["fees"] == {"notices": 0, "notice_amount": 0, "paid": 0, "paid_amount": 0}
    assert table.value("other_3", "natural_person") == 1 and table.value("carried_out", "natural_person") == 1
    first, _ = report.table_three_workbook(s.auditor, 2025)
    assert hashlib.sha256(first).hexdigest() == lock.workbook_sha256
    f.open_case(s.registrar, applicant_name="王五")  # received in 2026: nothing of 2025 changes
    again, filename = report.table_three_workbook(s.auditor, 2025)
    assert again == first and filename == "贵州省司法厅2025年度政府信息公开工作年度报告（表三、表四、收费）.xlsx"
    document, name = report.table_three_document(s.auditor, 2025)
    assert hashlib.sha256(document).hexdigest() == lock.document_sha256 and name.endswith("收费）.docx")
    assert "本年度报告已于2026年" in docx.Document(io.BytesIO(document)).paragraphs[4].text
    with pytest.raises(InvalidData) as twice:
        report.lock_year(s.admin, 2025)
    assert "2025 年度报告已于" in twice.value.errors["year"][0]


def test_a_change_that_would_alter_a_locked_figure_is_refused_naming_the_cell(year_2025, db):
    s = year_2025
    report.lock_year(s.admin, 2025)
    with pytest.raises(InvalidData) as late:
        f.open_case(s.registrar, arrived_on="2025-12-20", applicant_name="赵六")
    assert late.value.errors["arrived_on"] == [
        "2025 年度政府信息公开工作年度报告已于 2026-11-27 锁定，此操作将改变表三“一、本年新收政府信息公开申请数量”"
        "·“自然人”一格的数字，不能办理"]
    with pytest.raises(InvalidData) as backdated:
        case_service.fire(s.still_open, "withdraw", actor=s.approver, params={"statement": "撤回"},
                          effective_on="2025-12-30", backfill=Backfill(reason="线下已办理", letter_number=""))
    [message] = backdated.value.errors["effective_on"]
    assert message.startswith("2025 年度政府信息公开工作年度报告已于 2026-11-27 锁定，此操作将改变表三")
    assert db.session.get(Case, s.still_open.id).state == "received"  # nothing written
    # What leaves 2025's figures as they are goes ahead: working on the case now, closing it now.
    f.fire(s.still_open, "accept", s.handler)
    f.fire(s.still_open, "withdraw", s.registrar, statement="申请人撤回")
    assert report.table_three(s.auditor, 2025).cells == report.lock_of("gzsft", 2025).figures["table_3"]


def test_a_year_that_does_not_balance_cannot_be_locked(year_2025, db):
    s = year_2025
    row = db.session.get(Case, s.withdrawn.id)
    row.reason = "lost_in_the_post"
    db.session.commit()
    with pytest.raises(InvalidData) as refused:
        report.lock_year(s.admin, 2025)
    assert "不满足勾稽关系（1 件案件无法归入）" in refused.value.errors["year"][0]
    assert report.lock_of("gzsft", 2025) is None


def test_locking_through_the_api_and_the_page(app, year_2025):
    admin = Api(app, "admin")
    locked = admin.post("api.lock_annual_report", year=2025)
    assert locked.status_code == 201 and locked.get_json()["locked_by"] == "admin"
    assert admin.post("api.lock_annual_report", year=2025).status_code == 422
    assert Api(app, "auditor").post("api.lock_annual_report", year=2024).status_code == 403
    body = Api(app, "auditor").get("api.annual_table_three", year=2025).get_json()
    assert body["locked"]["workbook_sha256"] == locked.get_json()["workbook_sha256"]
    page = browser_for(app, "auditor").get("/reports/annual/2025").get_data(as_text=True)
    assert "本年度报告已于 2026-11-27" in page and "锁定 2025 年度报告" not in page
    unlocked = browser_for(app, "admin").get("/reports/annual/2024").get_data(as_text=True)
    assert "锁定 2024 年度报告（发布后锁定，不可撤销）" in unlocked


# -- table 四 and section 六 -------------------------------------------------------------------------------
def test_proceedings_are_counted_in_table_four_by_the_year_they_were_decided_or_left_pending(year_2025, db):
    s = year_2025
    replied = s.withdrawn  # closed on 2025-11-10
    first = proceedings.record_proceeding(replied.id, actor=s.approver, kind="reconsideration",
                                          filed_on=D("2025-12-01"), body="贵州省人民政府")
    assert [e.trigger for e in db.session.scalars(sa.select(Event).where(Event.case_id == replied.id)
                                                  .order_by(Event.seq))][-1] == "proceeding_filed"
    proceedings.decide_proceeding(first.proceeding.id, actor=s.approver, result="upheld", decided_on=D("2026-02-10"))
    second = proceedings.record_proceeding(replied.id, actor=s.admin, kind="lawsuit_after_reconsideration",
                                           filed_on=D("2026-03-01"), body="贵阳市中级人民法院")
    third = proceedings.record_proceeding(replied.id, actor=s.approver, kind="lawsuit", filed_on=D("2026-04-01"),
                                          body="贵阳市云岩区人民法院")
    proceedings.decide_proceeding(third.proceeding.id, actor=s.approver, result="corrected",
                                  decided_on=D("2026-09-30"), note="判决撤销答复，责令重新答复")
    assert (second.proceeding.result, second.proceeding.decided_on) == (None, None)
    four_2025, four_2026 = report.table_four(s.auditor, 2025), report.table_four(s.auditor, 2026)
    assert four_2025["reconsideration"] == {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1}
    assert four_2026["reconsideration"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1}
    assert four_2026["lawsuit"] == {"upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 1}
    assert four_2026["lawsuit_after_reconsideration"]["pending"] == 1
    assert check_case(db.session.get(Case, replied.id)) is None  # each step an event of the chain
    with pytest.raises(InvalidData) as twice:
        proceedings.decide_proceeding(third.proceeding.id, actor=s.approver, result="other",
                                      decided_on=D("2026-10-01"))
    assert "已于 2026-09-30 登记" in twice.value.errors["_schema"][0]
    with pytest.raises(InvalidData) as early:
        proceedings.record_proceeding(replied.id, actor=s.approver, kind="reconsideration", filed_on=D("2025-11-01"),
                                      body="x")
    assert "答复日期（2025-11-10）" in early.value.errors["filed_on"][0]
    with pytest.raises(InvalidData) as open_case:
        proceedings.record_proceeding(s.still_open.id, actor=s.approver, kind="reconsideration",
                                      filed_on=D("2026-01-05"), body="x")
    assert open_case.value.errors["_schema"] == ["只能就已答复（已办结）的政府信息公开申请登记复议或诉讼"]
    with pytest.raises(NotPermitted):
        proceedings.record_proceeding(replied.id, actor=s.handler, kind="lawsuit", filed_on=D("2026-05-01"), body="x")
    # Locked 2025: a proceeding filed in 2025 but recorded now would change its 尚未审结; deciding the one it
    # counted as pending in 2026 does not.
    report.lock_year(s.admin, 2025)
    assert report.lock_of("gzsft", 2025).figures["table_4"] == four_2025
    with pytest.raises(InvalidData) as locked:
        proceedings.record_proceeding(replied.id, actor=s.approver, kind="lawsuit", filed_on=D("2025-12-20"),
                                      body="贵阳市云岩区人民法院")
    assert locked.value.errors["filed_on"] == [
        "2025 年度政府信息公开工作年度报告已于 2026-11-27 锁定，此操作将改变表四“未经复议直接起诉”·“尚未审结”一格的数字，不能办理"]


def test_section_six_counts_fee_notices_and_payments_with_their_amounts(app, db, clock):
    registrar, handler = f.user("registrar", role="registrar"), f.user("handler", role="handler")
    auditor = f.user("auditor", role="auditor", department="审计处")
    paid = f.open_case(registrar, arrived_on="2026-10-12")
    f.fire(paid, "accept", handler, "2026-10-13")
    f.fire(paid, "issue_fee_notice", handler, "2026-10-26", basis="per_piece", pieces=15, served_on="2026-10-28")
    f.fire(paid, "fee_paid", handler, "2026-11-02")
    unpaid = f.open_case(registrar, applicant_name="李四", arrived_on="2026-11-02")
    f.fire(unpaid, "accept", handler, "2026-11-03")
    f.fire(unpaid, "issue_fee_notice", handler, "2026-11-03", basis="per_volume", pages=150)
    from workflow.fees import PER_PIECE, PER_VOLUME, compute, total
    first = total(compute(PER_PIECE, units=15))
    second = total(compute(PER_VOLUME, units=150))
    assert first > 0 and second > 0
    assert report.fees(auditor, 2026) == {"notices": 2, "notice_amount": first + second, "paid": 1,
                                          "paid_amount": first}
    assert report.fees(auditor, 2025) == {"notices": 0, "notice_amount": 0, "paid": 0, "paid_amount": 0}


def test_proceedings_and_the_other_tables_in_the_api_and_the_pages(app, year_2025):
    s = year_2025
    approver = Api(app, "approver")
    created = approver.post("api.create_proceeding", case_id=s.withdrawn.id,
                            json={"kind": "reconsideration", "filed_on": "2025-12-01", "body": "贵州省人民政府"})
    assert created.status_code == 201, created.get_json()
    decided = approver.post("api.decide_proceeding", proceeding_id=created.get_json()["id"],
                            json={"result": "corrected", "decided_on": "2026-01-20"})
    assert decided.status_code == 201 and decided.get_json()["result"] == "corrected"
    listed = Api(app, "auditor").get("api.list_proceedings", case_id=s.withdrawn.id).get_json()["items"]
    assert [(p["kind"], p["result"]) for p in listed] == [("reconsideration", "corrected")]
    four = Api(app, "auditor").get("api.annual_table_four", year=2026).get_json()
    assert four["values"]["reconsideration"]["corrected"] == 1 and four["columns"]["pending"] == "尚未审结"
    assert Api(app, "auditor").get("api.annual_fees", year=2026).get_json()["notices"] == 0
    refused = Api(app, "handler").post("api.create_proceeding", case_id=s.withdrawn.id,
                                       json={"kind": "lawsuit", "filed_on": "2026-02-01", "body": "法院"})
    assert refused.status_code == 403
    page = browser_for(app, "approver").get(f"/cases/{s.withdrawn.id}").get_data(as_text=True)
    assert "行政复议、行政诉讼" in page and "结果纠正" in page and "登记复议或诉讼" in page
    report_page = browser_for(app, "auditor").get("/reports/annual/2026").get_data(as_text=True)
    assert "四、政府信息公开行政复议、行政诉讼情况" in report_page and "本年发出收费通知 0 件" in report_page
    browser = browser_for(app, "approver")
    browser.get(f"/cases/{s.withdrawn.id}")
    answer = browser.post(f"/cases/{s.withdrawn.id}/proceedings", {"kind": "lawsuit", "filed_on": "2026-02-30",
                                                                   "body": "法院"})
    assert answer.status_code == 302
    assert "提起日期：应为日期，格式 YYYY-MM-DD" in browser.get(f"/cases/{s.withdrawn.id}").get_data(as_text=True)
