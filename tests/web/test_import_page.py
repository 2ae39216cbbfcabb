"""The bulk-import page: who may use it, the templates to fill in (made from the import's own column list),
the streamed page that shows the progress and then the line-by-line report, and the refusals (the form's own
errors, a missing CSRF token, a file too large, an import that stops part-way)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import sqlalchemy as sa
from openpyxl.utils import get_column_letter

from app.extensions import db
from app.models import Case
from app.services.import_columns import columns
from app.services.registration import open_case
from tests.web.conftest import Browser, csrf_token, fresh_g
from tests.web.test_pages import Controls, text_of
from workflow.processes import PROCESSES
from workflow.processes.disclosure_request import CHANNELS

PERSON_ID = "11010519491231002X"
HEADER = ["applicant_type", "applicant_name", "id_type", "id_number", "phone", "email", "description", "form",
          "delivery", "channel", "arrived_on"]


def row(i: int, **changes) -> dict:
    data = {"applicant_type": "natural_person", "applicant_name": f"张{i}", "id_type": "resident_id_card",
            "id_number": PERSON_ID, "phone": "13800000000", "email": f"z{i}@example.com",
            "description": f" 第{i}号：年度考核结果 ", "form": "electronic", "delivery": "email",
            "channel": "in_person", "arrived_on": "2026-11-20"}
    return data | changes


def csv_file(rows: list[dict], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(h, "") for h in header])
    return ("\ufeff" + out.getvalue()).encode()


def browse(app, username: str) -> Browser:
    b = Browser(app.test_client())
    b.sign_in(username)
    return b


def upload(b: Browser, content: bytes, *, filename: str = "申请.csv", process: str = "disclosure_request",
           mode: str = "all_or_nothing", token: bool = True):
    if token:
        b.get("/cases/import")
    return b.post("/cases/import", {"process": process, "mode": mode, "file": (io.BytesIO(content), filename)},
                  token=token, content_type="multipart/form-data")


def case_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Case))


def report_rows(html: str) -> list[tuple[str, str, str]]:
    """The error table: (line, field, message) per row, as text."""
    table = html[html.index('<table class="table table-sm table-bordered" id="errors"'):]
    table = table[:table.index("</table>")]
    return [tuple(text_of(cell).strip() for cell in re.findall(r"<td>(.*?)</td>", tr, re.S))
            for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S) if "<td>" in tr]


def totals(html: str) -> dict[str, int]:
    return {key: int(re.search(rf'id="total-{key}">(\d+)<', html).group(1))
            for key in ("rows", "valid", "imported", "bad")}


# -- who may import ----------------------------------------------------------------------------------
def test_the_import_page_for_each_role(app, staff):
    importable = [p.title for p in PROCESSES.values()]
    for username in ("registrar", "wang_handler", "admin"):
        b = browse(app, username)
        response = b.get("/cases/import")
        html = response.get_data(as_text=True)
        assert response.status_code == 200, username
        assert re.findall(r'<option value="\w+"[^>]*>([^<]+)</option>', html) == importable
        assert 'enctype="multipart/form-data"' in html and 'name="csrf_token"' in html
        assert Controls(html).values["f-mode-1"] == "all_or_nothing"  # the safe mode is the default
        assert "全部正确才导入" in html and "只导入正确的行" in html
        assert '<a class="nav-link active" aria-current="page" href="/cases/import">批量导入</a>' in html
    for username in ("zhao_approver", "auditor"):
        b = browse(app, username)
        response = b.get("/cases/import")
        assert response.status_code == 403
        assert "批量导入需要角色：登记人员、承办人员、系统管理员" in response.get_data(as_text=True)
        assert 'href="/cases/import"' not in b.get("/").get_data(as_text=True)
        before = case_count()
        b.get("/")
        assert upload(b, csv_file([row(1)]), token=False).status_code == 400
        b.get("/")
        response = b.post("/cases/import", {"process": "disclosure_request", "mode": "all_or_nothing",
                                            "file": (io.BytesIO(csv_file([row(1)])), "a.csv")},
                          content_type="multipart/form-data")
        assert response.status_code == 403 and case_count() == before


def test_the_page_lists_the_chosen_process_columns(app, staff):
    b = browse(app, "registrar")
    html = b.get("/cases/import?process=enforcement_disclosure").get_data(as_text=True)
    assert Controls(html).values["f-process"] == "enforcement_disclosure"
    table = html[html.index('id="columns"'):]
    for col in columns("enforcement_disclosure"):
        assert f"<td>{col.label}</td>" in table and f"<code>{col.name}</code>" in table
    assert "<code>administrative_penalty</code> 行政处罚" in table
    assert "重复检查：decision_number 相同的行视为同一案件" in text_of(table)
    for name in PROCESSES:
        assert f'href="/cases/import/template/{name}.xlsx"' in html
        assert f'href="/cases/import/template/{name}.csv"' in html
    # An unknown process shows the first one.
    html = b.get("/cases/import?process=nonsense").get_data(as_text=True)
    assert Controls(html).values["f-process"] == "disclosure_request"


# -- templates ---------------------------------------------------------------------------------------
def test_the_templates_carry_each_column_and_import_as_they_are_filled_in(app, staff):
    b = browse(app, "registrar")
    labels = [c.label for c in columns("disclosure_request")]
    response = b.get("/cases/import/template/disclosure_request.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=import-template-disclosure_request.csv; "
        "filename*=UTF-8''%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF-%E6%94%BF%E5%BA%9C%E4%BF%A1%E6%81%AF%E5%85%AC"
        "%E5%BC%80%E7%94%B3%E8%AF%B7.csv")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff") and next(csv.reader(io.StringIO(text[1:]))) == labels

    response = b.get("/cases/import/template/disclosure_request.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet, explain = book.worksheets
    assert sheet.title == "导入数据" and explain.title == "填写说明"
    assert [c.value for c in sheet[1]] == labels
    by_label = {c.value: c for c in sheet[1]}
    assert by_label["申请人类型"].font.color.rgb.endswith("C00000")  # required: red
    assert "natural_person 自然人" in by_label["申请人类型"].comment.text
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    letter = {label: get_column_letter(i) for i, label in enumerate(labels, start=1)}
    assert lists[f"{letter['提交渠道']}2:{letter['提交渠道']}20001"] == '"' + ",".join(CHANNELS) + '"'
    assert sheet.column_dimensions[letter["身份证明号码"]].number_format == "@"  # digits stay text
    assert [c.value for c in explain[8]][:3] == ["申请人类型", "applicant_type", "是"]

    # Filled in as a caseworker would (codes from the lists, a date cell, the ID number as text).
    values = {"申请人类型": "natural_person", "申请人姓名或名称": " 李雷 ", "身份证明类型": "resident_id_card",
              "身份证明号码": PERSON_ID, "联系电话": "0851-1234567",
              "所需政府信息的名称、文号或便于查询的特征性描述": "2025年度政府信息公开工作年度报告",
              "获取信息的形式": "electronic", "获取信息的方式": "collect", "提交渠道": "in_person",
              "申请到达日期": dt.datetime(2026, 11, 20)}
    for label, value in values.items():
        sheet.cell(row=2, column=labels.index(label) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    html = upload(b, out.getvalue(), filename="模板.xlsx").get_data(as_text=True)
    assert totals(html) == {"rows": 1, "valid": 1, "imported": 1, "bad": 0}, text_of(html)[-1500:]
    case = db.session.scalars(sa.select(Case)).one()
    assert (case.data["applicant_name"], case.data["id_number"], case.received_on) == (
        " 李雷 ", PERSON_ID, dt.date(2026, 11, 20))

    assert b.get("/cases/import/template/nonsense.xlsx").status_code == 404
    assert b.get("/cases/import/template/disclosure_request.pdf").status_code == 404


# -- importing ---------------------------------------------------------------------------------------
def test_a_good_file_streams_its_progress_then_the_report_with_links(app, staff):
    b = browse(app, "wang_handler")
    token = csrf_token(b.get("/cases/import").get_data(as_text=True))
    fresh_g()
    # Read part by part as a browser receives it (the test browser would read the whole page at once).
    response = b.client.post("/cases/import", data={
        "csrf_token": token, "process": "disclosure_request", "mode": "all_or_nothing",
        "file": (io.BytesIO(csv_file([row(i) for i in range(401)])), "申请.csv")}, content_type="multipart/form-data")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-store"
    chunks = iter(response.response)
    head = next(chunks)
    head = head.decode() if isinstance(head, bytes) else head
    # The page is on its way before the import has started: the title, the file and the mode.
    assert "<h1" in head and "申请.csv" in head and "全部正确才导入" in head and "导入结果" not in head
    assert case_count() == 0
    # Its styles come with it: a single worker, busy sending this page, could not serve a stylesheet, and the
    # browser would show nothing until it had one.
    assert '<link rel="stylesheet"' not in head and ".progress-bar" in head and ".overdue" in head
    rest = [c.decode() if isinstance(c, bytes) else c for c in chunks]
    response.close()
    steps = [re.search(r"<span>(.*?)</span>", c).group(1) for c in rest if 'class="step ' in c]
    assert steps == ["校验 200 / 401 行", "校验 400 / 401 行", "校验 401 / 401 行", "导入 401 / 401 行"]
    assert len(rest) == len(steps) + 2  # one part per step, then the report, then the end of the page
    assert "导入结果" in rest[-2] and rest[-1].rstrip().endswith("</html>")
    html = head + "".join(rest)
    assert totals(html) == {"rows": 401, "valid": 401, "imported": 401, "bad": 0}
    assert "已导入 401 件案件，全部行均已导入" in html
    cases = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
    assert len(cases) == 401
    assert {c.department for c in cases} == {"办公室"}  # the importer's department
    links = re.findall(r'<li class="list-inline-item"><a href="/cases/(\d+)">([^<]+)</a>', html)
    assert [(int(i), ref) for i, ref in links] == [(c.id, c.reference) for c in cases]
    assert f"编号 {cases[0].reference} 至 {cases[-1].reference}" in html
    assert 'href="/cases?process=disclosure_request&amp;sort=-id"' in html
    assert cases[0].data["description"] == " 第0号：年度考核结果 "  # stored as typed
    # They are ordinary cases: on the list and on their pages.
    assert b.get(f"/cases/{cases[0].id}").status_code == 200
    assert "共 401 件" in b.get("/cases?process=disclosure_request").get_data(as_text=True)


BAD_LINES = [row(1), row(2, arrived_on="2026-02-30"), row(3, channel="fax ", email="not-an-email"), row(4)]


def test_all_or_nothing_reports_every_bad_line_and_imports_nothing(app, staff):
    b = browse(app, "registrar")
    response = upload(b, csv_file(BAD_LINES))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and case_count() == 0
    assert totals(html) == {"rows": 4, "valid": 2, "imported": 0, "bad": 2}
    assert "文件有 2 行错误，未导入任何案件（导入方式为“全部正确才导入”）" in text_of(html)
    assert sorted(report_rows(html)) == sorted([
        ("3", "申请到达日期 arrived_on", "应为日期，格式 YYYY-MM-DD"),
        ("4", "提交渠道 channel", "取值应为：" + ", ".join(CHANNELS)),
        ("4", "电子邮箱 email", "电子邮箱格式不正确"),
    ])
    assert 'id="imported"' not in html


def test_good_rows_only_imports_the_good_lines_and_reports_the_others(app, staff):
    b = browse(app, "registrar")
    html = upload(b, csv_file(BAD_LINES), mode="good_rows_only").get_data(as_text=True)
    assert totals(html) == {"rows": 4, "valid": 2, "imported": 2, "bad": 2}
    assert "已导入 2 件案件；2 行有错误，未导入" in text_of(html)
    assert [line for line, _, _ in report_rows(html)] == ["3", "4", "4"]
    cases = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
    assert [c.data["applicant_name"] for c in cases] == ["张1", "张4"]
    assert re.findall(r"（第 (\d+) 行）", html) == ["2", "5"]


def test_a_wrong_header_refuses_the_file(app, staff):
    b = browse(app, "registrar")
    header = [h for h in HEADER if h != "applicant_type"] + ["申请人电话号码"]
    html = upload(b, csv_file([row(1)], header=header), mode="good_rows_only").get_data(as_text=True)
    assert case_count() == 0
    assert "文件无法导入，未导入任何案件" in text_of(html)
    rows = report_rows(html)
    assert ("1", "申请人类型 applicant_type", "缺少必填列") in rows
    assert any(r[:2] == ("1", "列“申请人电话号码”") and r[2].startswith("未知列") for r in rows)


def test_unreadable_files_are_reported(app, staff):
    b = browse(app, "registrar")
    html = upload(b, "申请人类型,申请人姓名\n".encode("gbk"), filename="gbk.csv").get_data(as_text=True)
    assert [r[:2] for r in report_rows(html)] == [("1", "文件")]
    assert "UTF-8" in report_rows(html)[0][2]
    html = upload(b, b"PK\x03\x04 not really a workbook", filename="x.xlsx").get_data(as_text=True)
    assert report_rows(html) == [("—", "文件", "无法读取 .xlsx 文件（文件损坏或不是 Excel 工作簿）")]


def test_duplicates_of_registered_cases_are_named(app, staff):
    existing = open_case("enforcement_disclosure", {
        "decision_number": "黔司罚决〔2026〕1号", "decision_date": "2026-03-01", "decision_type": "administrative_penalty",
        "deciding_agency": "贵州省司法厅", "party_type": "other_organisation", "party_name": "某某律师事务所"},
        actor=staff.registrar).case
    header = ["decision_number", "decision_date", "decision_type", "deciding_agency", "party_type", "party_name"]
    rows = [{"decision_number": f"黔司罚决〔2026〕{i}号", "decision_date": "2026-03-02",
             "decision_type": "administrative_penalty", "deciding_agency": "贵州省司法厅",
             "party_type": "other_organisation", "party_name": f"律所{i}"} for i in (1, 2, 2)]
    b = browse(app, "registrar")
    html = upload(b, csv_file(rows, header), process="enforcement_disclosure", mode="good_rows_only").get_data(
        as_text=True)
    assert sorted(report_rows(html)) == [
        ("2", "执法决定文书号 decision_number", f"已有相同 decision_number 的案件：{existing.reference}"),
        ("4", "执法决定文书号 decision_number", "与第 3 行的 decision_number 相同（文件内重复）"),
    ]
    assert totals(html)["imported"] == 1


# -- the form's own refusals ---------------------------------------------------------------------------
def test_the_form_is_refused_beside_its_fields_before_anything_is_read(app, staff):
    b = browse(app, "registrar")
    b.get("/cases/import")
    response = b.post("/cases/import", {"process": "enforcement_disclosure", "mode": "good_rows_only"},
                      content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    controls = Controls(html)
    assert controls.attrs["f-file"]["aria-invalid"] == "true"
    assert re.search(r'id="f-file-error">请选择要上传的文件', html)
    # What was chosen stays chosen.
    assert controls.values["f-process"] == "enforcement_disclosure" and controls.values["f-mode-2"] == "good_rows_only"
    response = upload(b, b"", filename="empty.csv")
    assert response.status_code == 422 and "文件是空的" in response.get_data(as_text=True)
    response = upload(b, csv_file([row(1)]), process="nonsense", mode="everything")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-process-error">请选择要导入的流程' in html and 'id="f-mode-error">请选择导入方式' in html
    assert case_count() == 0


def test_an_upload_without_the_csrf_token_imports_nothing(app, staff):
    b = browse(app, "registrar")
    b.get("/")
    response = upload(b, csv_file([row(1)]), token=False)
    assert response.status_code == 400 and case_count() == 0


def test_a_file_over_the_size_limit_is_refused(app, staff):
    # Small sizes: a test body over 500 KB would go through a temporary file the test client never closes.
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    b = browse(app, "registrar")
    content = csv_file([row(1)])
    response = upload(b, content + b" " * (64 * 1024 - len(content)))  # with the form around it: over 64 KB
    assert response.status_code == 413
    assert "上传的文件超过 64 KB" in response.get_data(as_text=True) and case_count() == 0
    app.config["MAX_CONTENT_LENGTH"] = 3 * 1024 * 1024
    assert upload(b, content + b" " * (64 * 1024)).status_code == 200


def test_an_import_that_stops_part_way_says_so_and_the_page_ends(app, staff, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("app.services.bulk_import.record_opening", broken)
    b = browse(app, "registrar")
    html = upload(b, csv_file([row(1), row(2)])).get_data(as_text=True)
    assert "导入中断：已导入 0 行（已提交的批次保留），其余未导入" in html
    assert totals(html) == {"rows": 2, "valid": 2, "imported": 0, "bad": 0}
    assert html.rstrip().endswith("</html>") and case_count() == 0

    monkeypatch.setattr("app.services.bulk_import.read_rows", broken)
    html = upload(b, csv_file([row(1)])).get_data(as_text=True)
    assert "导入失败：服务器内部错误" in html and "未导入任何案件" in html
    assert html.rstrip().endswith("</html>")


def test_a_handler_imports_into_his_department(app, staff):
    b = browse(app, "li_handler")
    html = upload(b, csv_file([row(1)])).get_data(as_text=True)
    assert totals(html)["imported"] == 1
    case = db.session.scalars(sa.select(Case)).one()
    assert case.department == "法治调研处" and case.created_by_id == staff.other_handler.id
    assert b.get(f"/cases/{case.id}").status_code == 200
    assert browse(app, "wang_handler").get(f"/cases/{case.id}").status_code == 404
