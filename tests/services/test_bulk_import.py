"""Bulk import: every bad row of a file reported with its line and reasons, nothing imported from a file with
errors unless good_rows_only, valid rows registered exactly as open_case registers them."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from app.cli_import import import_cases_command, import_columns_command
from app.models import Case, CaseClock, Event, SerialCounter
from app.services import bulk_import as service
from app.services.import_columns import DOC_BEGIN, DOC_END, all_columns_markdown, columns
from app.services.integrity import check_case
from app.services.registration import open_case
from tests import factories as f
from workflow.errors import InvalidData, NotPermitted
from workflow.processes.disclosure_request import CHANNELS
from workflow.processes.enforcement_disclosure import DECISION_TYPES
from workflow.processes.enforcement_disclosure import PROCESS as ENFORCEMENT

ROOT = Path(__file__).resolve().parents[2]
PERSON_ID = "11010519491231002X"  # GB 11643: valid birth date and check character
BAD_PERSON_ID = "110105194912310021"  # same number, wrong check character
CREDIT_CODE = "91520000MA6DK1234C"  # GB 32100: valid check character
FIRST = dt.date(2026, 1, 1)
FUTURE = dt.date(2026, 11, 30)  # the clock fixture's today is Fri 2026-11-27
CHANNEL_CHOICES = "取值应为：" + ", ".join(CHANNELS)
TYPE_CHOICES = "取值应为：" + ", ".join(DECISION_TYPES)


# -- generated files -------------------------------------------------------------------------------
DISCLOSURE_HEADER = ["applicant_type", "applicant_name", "id_type", "id_number", "phone", "email", "address",
                     "description", "form", "delivery", "channel", "arrived_on"]


def disclosure_rows(n: int) -> tuple[list[list], dict[int, dict]]:
    """n rows of disclosure_request, 7 of every 20 invalid; the expected errors by file line (header = 1)."""
    rows, expected = [], {}
    for i in range(n):
        line, k = i + 2, i % 20
        row = {"applicant_type": "natural_person", "applicant_name": f"张{i}", "id_type": "resident_id_card",
               "id_number": PERSON_ID, "phone": 13800000000, "email": f"z{i}@example.com",
               "address": "贵州省贵阳市云岩区中华北路1号",
               "description": f" 第{i}号：2025年度律师事务所年度考核结果 ",  # spaces kept as typed
               "form": "electronic", "delivery": "email", "channel": "in_person",
               "arrived_on": FIRST + dt.timedelta(days=i % 300)}
        if k == 3:
            row["arrived_on"] = "2026-02-30"
            expected[line] = {"arrived_on": ["应为日期，格式 YYYY-MM-DD"]}
        elif k == 5:  # two problems in one row, both reported; "fax " is not "fax" (kept as typed)
            row.update(channel="fax ", email="not-an-email")
            expected[line] = {"channel": [CHANNEL_CHOICES], "email": ["电子邮箱格式不正确"]}
        elif k == 7:
            row["channel"] = "carrier_pigeon"
            expected[line] = {"channel": [CHANNEL_CHOICES]}
        elif k == 11:
            row["applicant_name"] = None
            expected[line] = {"applicant_name": ["必填"]}
        elif k == 13:
            row["id_number"] = BAD_PERSON_ID
            expected[line] = {"id_number": ["居民身份证号码无效（应为 18 位，出生日期与校验码正确）"]}
        elif k == 17:  # the previous (valid) row once more
            row = dict(zip(DISCLOSURE_HEADER, rows[-1], strict=True))
            expected[line] = {"_row": [f"与第 {line - 1} 行完全相同（文件内重复）"]}
        elif k == 19:
            row["arrived_on"] = FUTURE  # refused by the process's opening effect, with its message
            expected[line] = {"arrived_on": ["收到申请之日不能晚于今天（2026-11-27）"]}
        rows.append([row[c] for c in DISCLOSURE_HEADER])
    return rows, expected


ENFORCEMENT_HEADER = ["decision_number", "decision_date", "decision_type", "deciding_agency", "party_type",
                      "party_name", "party_id_number", "category", "conclusion"]
PARTIES = [("natural_person", PERSON_ID), ("legal_person", CREDIT_CODE), ("other_organisation", None)]


def enforcement_row(i: int) -> dict:
    party_type, number = PARTIES[i % 3]
    return {"decision_number": f"黔司罚决〔2026〕{i + 1}号", "decision_date": FIRST + dt.timedelta(days=i % 300),
            "decision_type": list(DECISION_TYPES)[i % len(DECISION_TYPES)], "deciding_agency": "贵州省司法厅",
            "party_type": party_type, "party_name": f"当事人{i}", "party_id_number": number,
            "category": "律师执业监管", "conclusion": f"给予警告（第{i}件）"}


def enforcement_rows(n: int) -> tuple[list[list], dict[int, dict]]:
    """n rows of enforcement_disclosure, 6 of every 20 invalid; the expected errors by file line."""
    rows, expected = [], {}
    for i in range(n):
        line, k, row = i + 2, i % 20, enforcement_row(i)
        if k == 2:
            row["decision_date"] = "2026-02-30"
            expected[line] = {"decision_date": ["应为日期，格式 YYYY-MM-DD"]}
        elif k == 5:
            row["decision_type"] = "administrative_fine"
            expected[line] = {"decision_type": [TYPE_CHOICES]}
        elif k == 8:
            row["party_name"] = None
            expected[line] = {"party_name": ["必填"]}
        elif k == 11:
            row.update(party_type="natural_person", party_id_number=BAD_PERSON_ID)
            expected[line] = {"party_id_number": ["自然人应填写有效的居民身份证号码（18 位，出生日期与校验码正确）"]}
        elif k == 14:  # another decision filed under the previous row's number
            row["decision_number"] = rows[-1][0]
            expected[line] = {"decision_number": [f"与第 {line - 1} 行的 decision_number 相同（文件内重复）"]}
        elif k == 17:
            row["decision_date"] = FUTURE  # open_case refuses a received_on after today; named on its source
            expected[line] = {"decision_date": ["不能晚于今天（2026-11-27）"]}
        rows.append([row[c] for c in ENFORCEMENT_HEADER])
    return rows, expected


def _text(value) -> str:
    return "" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)


def csv_bytes(header: list, rows: list[list], *, bom: bool = True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_text(v) for v in row] for row in rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def xlsx_bytes(header: list, rows: list[list]) -> bytes:
    """Dates as date cells and numbers as number cells, as a department's spreadsheet holds them."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def expected_report(expected: dict[int, dict]) -> list[dict]:
    return [{"line": line, "errors": errors} for line, errors in sorted(expected.items())]


def count(model) -> int:
    from app.extensions import db
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def registrar(app):
    return f.user("registrar", role="registrar", department="登记岗")


def run(content: bytes, actor, *, process="disclosure_request", filename="cases.csv", **kw) -> dict:
    return service.import_cases(process, content, actor=actor, filename=filename, **kw)


# -- the 10,000-row files ----------------------------------------------------------------------------
@pytest.mark.slow
def test_a_ten_thousand_row_csv_with_errors_is_reported_line_by_line_and_nothing_is_imported(
        app, tmp_path, registrar):
    rows, expected = disclosure_rows(10_000)
    path = write(tmp_path, "disclosure.csv", csv_bytes(DISCLOSURE_HEADER, rows))
    report = run(path.read_bytes(), registrar, filename=path.name)
    assert len(expected) == 3500  # 7 of every 20 rows
    assert report == {"process": "disclosure_request", "mode": "all_or_nothing", "file": "disclosure.csv",
                      "rows": 10_000, "valid": 6500, "imported": 0, "errors": expected_report(expected),
                      "cases": []}
    assert (count(Case), count(Event), count(CaseClock), count(SerialCounter)) == (0, 0, 0, 0)


@pytest.mark.slow
def test_good_rows_only_imports_exactly_the_valid_rows_of_a_ten_thousand_row_xlsx(app, db, tmp_path, registrar):
    rows, expected = disclosure_rows(10_000)
    path = write(tmp_path, "disclosure.xlsx", xlsx_bytes(DISCLOSURE_HEADER, rows))
    report = run(path.read_bytes(), registrar, filename=path.name, mode="good_rows_only")
    assert report["errors"] == expected_report(expected)
    assert (report["rows"], report["valid"], report["imported"]) == (10_000, 6500, 6500)
    valid_lines = [line for line in range(2, 10_002) if line not in expected]
    assert [c["line"] for c in report["cases"]] == valid_lines
    # Numbered in file order from one sequence: 黔司依申〔2026〕1号 … 6500号.
    assert [c["reference"] for c in report["cases"][:2]] == ["黔司依申〔2026〕1号", "黔司依申〔2026〕2号"]
    assert report["cases"][-1]["reference"] == "黔司依申〔2026〕6500号"
    assert (count(Case), count(Event), count(CaseClock)) == (6500, 6500, 6500)
    # Line 2 is row 0: a date cell and a number cell become the schema's strings; text exactly as typed.
    case = db.session.get(Case, report["cases"][0]["id"])
    assert case.data["arrived_on"] == case.data["received_on"] == "2026-01-01"
    assert case.data["phone"] == "13800000000"
    assert case.data["description"] == " 第0号：2025年度律师事务所年度考核结果 "
    # Received Thu 2026-01-01 (holiday until Sat Jan 3; Sun Jan 4 is a make-up working day): 20 WD are
    # Jan 4 (1), Jan 5..9 (6), Jan 12..16 (11), Jan 19..23 (16), Jan 26..29 (20).
    assert (case.state, case.due_on) == ("received", dt.date(2026, 1, 29))


@pytest.mark.slow
def test_an_enforcement_file_reports_duplicate_decision_numbers_in_the_file_and_in_the_database(
        app, tmp_path, registrar):
    rows, expected = enforcement_rows(10_000)
    # Decision 1 was registered before: its row (line 2) is a duplicate of an existing case.
    existing = open_case("enforcement_disclosure", _enforcement_data(enforcement_row(0)),
                                      actor=registrar).case
    expected[2] = {"decision_number": [f"已有相同 decision_number 的案件：{existing.reference}"]}
    path = write(tmp_path, "decisions.csv", csv_bytes(ENFORCEMENT_HEADER, rows, bom=False))
    report = run(path.read_bytes(), registrar, process="enforcement_disclosure", filename=path.name,
                 mode="good_rows_only")
    assert len(expected) == 3001
    assert report["errors"] == expected_report(expected)
    assert (report["valid"], report["imported"]) == (6999, 6999)
    assert count(Case) == 7000
    # The existing case took serial 1 of 2026; the import continues the same sequence.
    code = ENFORCEMENT.reference_code
    assert existing.reference == f"黔司{code}〔2026〕1号"
    assert [c["reference"] for c in report["cases"][:2]] == [f"黔司{code}〔2026〕2号", f"黔司{code}〔2026〕3号"]
    assert [c["line"] for c in report["cases"][:2]] == [3, 5]  # line 4 has a bad date


def _enforcement_data(row: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items() if v is not None}


# -- same result as open_case ----------------------------------------------------------------------
def test_an_imported_case_is_the_case_open_case_registers(app, db, registrar):
    data = f.registration(channel="online", arrived_on="2026-11-20", confirmed_on="2026-11-23")
    direct = open_case("disclosure_request", data, actor=registrar).case
    report = run(csv_bytes(list(data), [list(data.values())]), registrar)
    imported = db.session.get(Case, report["cases"][0]["id"])

    def shape(case):
        event = db.session.scalars(sa.select(Event).where(Event.case_id == case.id)).one()
        clocks = [(c.name, c.kind, c.party, c.ops, c.status, c.due_on, c.provisional) for c in case.clocks]
        return (case.process, case.state, case.data, case.received_on, case.due_on, case.due_provisional,
                case.department, case.last_effective_on, clocks,
                (event.seq, event.trigger, event.to_state, event.role, event.actor_name, event.effective_on,
                 event.data, event.clocks, event.prev_hash))

    assert shape(imported) == shape(direct)
    # Art. 31: online, confirmed Mon 2026-11-23; 20 WD: Nov 24..27 (4), Nov 30..Dec 4 (9), Dec 7..11 (14),
    # Dec 14..18 (19), Dec 21 (20).
    assert imported.due_on == dt.date(2026, 12, 21)
    assert (direct.reference, imported.reference) == ("黔司依申〔2026〕1号", "黔司依申〔2026〕2号")
    assert check_case(imported) is None


# -- files and headers -----------------------------------------------------------------------------
def test_the_header_must_name_known_columns_once_and_every_required_column(app, registrar):
    header = ["applicant_name", "applicant_name", "nickname", "id_type", "id_number", "description", "form",
              "delivery", "channel", "arrived_on"]
    report = run(csv_bytes(header, [["张三"] * len(header)]), registrar, mode="good_rows_only")
    assert report["errors"] == [{"line": 1, "errors": {
        "applicant_name": ["列重复：第 A 列和第 B 列"],
        "nickname": ["未知列（列名见 docs/bulk_import.md 或 GET /api/v1/imports/columns）"],
        "applicant_type": ["缺少必填列"]}}]
    assert (report["rows"], report["imported"], count(Case)) == (1, 0, 0)


def test_chinese_labels_are_accepted_as_headers_and_slash_dates_as_dates(app, db, registrar):
    labels = {c.name: c.label for c in columns("enforcement_disclosure")}
    row = _enforcement_data(enforcement_row(1)) | {"decision_date": "2026/3/5"}
    report = run(csv_bytes([labels[k] for k in row], [list(row.values())]), registrar,
                 process="enforcement_disclosure")
    assert (report["errors"], report["imported"]) == ([], 1)
    assert db.session.get(Case, report["cases"][0]["id"]).data["decision_date"] == "2026-03-05"


def test_csv_lines_count_physical_lines_across_quoted_line_breaks_and_blank_lines(app, registrar):
    good = _enforcement_data(enforcement_row(0))
    text = ",".join(ENFORCEMENT_HEADER) + "\n"
    text += ",".join(f'"{good.get(c, "")}"' for c in ENFORCEMENT_HEADER[:-1]) + ',"第一行\n第二行"\n'
    text += "\n"  # a blank line is skipped but keeps its number
    bad = enforcement_row(1) | {"decision_type": "fine"}
    text += ",".join(_text(bad[c]) for c in ENFORCEMENT_HEADER) + "\n"
    report = run(text.encode(), registrar, process="enforcement_disclosure")
    # Header line 1; the first record spans lines 2-3; line 4 is blank; the bad record is on line 5.
    assert report["errors"] == [{"line": 5, "errors": {"decision_type": [TYPE_CHOICES]}}]
    assert report["rows"] == 2


def test_a_csv_that_is_not_utf8_is_refused_naming_the_first_bad_line(app, registrar):
    content = (",".join(DISCLOSURE_HEADER) + "\n" + "natural_person,张三\n").encode("gbk")
    report = run(content, registrar)
    assert report["errors"] == [{"line": 2, "errors": {"file": [
        "CSV 文件应为 UTF-8 编码（第 2 行无法按 UTF-8 读取）；在 Excel 中请另存为“CSV UTF-8（逗号分隔）”"]}}]


@pytest.mark.parametrize("content, filename, message", [
    (b"", "empty.csv", "第 1 行应为列名（字段名）"),
    (b"\n\napplicant_name\n", "late.csv", "第 1 行应为列名（字段名）"),
    (b"PK\x03\x04 not really a workbook", "broken.xlsx", "无法读取 .xlsx 文件（文件损坏或不是 Excel 工作簿）"),
    (b"\xd0\xcf\x11\xe0", "old.xls", "不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV UTF-8"),
])
def test_unreadable_files_are_reported_as_a_whole(app, registrar, content, filename, message):
    report = run(content, registrar, filename=filename)
    assert [m for e in report["errors"] for m in e["errors"]["file"]] == [message]
    assert report["imported"] == 0


def test_a_header_without_rows_imports_nothing(app, registrar):
    report = run(csv_bytes(ENFORCEMENT_HEADER, []), registrar, process="enforcement_disclosure")
    assert report["errors"] == [{"line": 1, "errors": {"file": ["文件中没有数据行"]}}]


def test_xlsx_cells_are_converted_by_the_column_type_and_excel_damage_is_named(app, db, registrar):
    header = ENFORCEMENT_HEADER + ["comment"]
    ok = enforcement_row(0)
    rows = [
        [ok[c] for c in ENFORCEMENT_HEADER] + [20261127],  # a number typed in a text column becomes its digits
        [enforcement_row(1)[c] for c in ENFORCEMENT_HEADER[:1]]
        + [dt.datetime(2026, 3, 5, 14, 30)] + [enforcement_row(1)[c] for c in ENFORCEMENT_HEADER[2:]] + [None],
        # An 18-digit identity number typed as a number: Excel has already changed its last digits.
        [enforcement_row(3)[c] for c in ENFORCEMENT_HEADER[:6]] + [110105194912310020]
        + [enforcement_row(3)[c] for c in ENFORCEMENT_HEADER[7:]] + [None],
    ]
    report = run(xlsx_bytes(header, rows), registrar, process="enforcement_disclosure", filename="x.xlsx",
                 mode="good_rows_only")
    assert report["errors"] == [
        {"line": 3, "errors": {"decision_date": ["应为日期，不含时间"]}},
        {"line": 4, "errors": {"party_id_number": [
            "此单元格是数字，超过 15 位的数字已被 Excel 改写；请把该列设为“文本”格式后重新输入"]}}]
    case = db.session.get(Case, report["cases"][0]["id"])
    assert (case.data["decision_date"], case.data["comment"]) == ("2026-01-01", "20261127")


def test_an_excel_date_time_cell_is_beijing_time_and_a_typed_time_needs_its_offset(app, db, registrar):
    header = ["title", "summary", "source", "detected_at", "department"]
    rows = [["某律所收费争议", "网民反映收费过高", "网络媒体", dt.datetime(2026, 11, 27, 8, 0), "律师工作管理处"],
            ["某律所收费争议", "网民反映收费过高", "网络媒体", "2026-11-27T08:00:00", "律师工作管理处"]]
    report = run(xlsx_bytes(header, rows), registrar, process="opinion_response", filename="o.xlsx",
                 mode="good_rows_only")
    assert [e["line"] for e in report["errors"]] == [3] and set(report["errors"][0]["errors"]) == {"detected_at"}
    case = db.session.get(Case, report["cases"][0]["id"])
    assert case.data["detected_at"] == "2026-11-27T08:00:00+08:00"


def test_a_file_over_the_row_limit_is_refused_at_the_first_row_past_it(app, registrar):
    rows = [[enforcement_row(i)[c] for c in ENFORCEMENT_HEADER] for i in range(5)]
    report = run(csv_bytes(ENFORCEMENT_HEADER, rows), registrar, process="enforcement_disclosure", max_rows=3)
    assert report["errors"] == [{"line": 5, "errors": {"file": [
        "一次最多导入 3 行，请拆分文件或使用命令行 flask import-cases"]}}]
    assert count(Case) == 0


def test_data_under_a_column_without_a_header_is_refused(app, registrar):
    row = [_text(v) for v in enforcement_row(0).values()] + ["多出来的"]
    report = run(csv_bytes(ENFORCEMENT_HEADER, [row]), registrar, process="enforcement_disclosure")
    assert report["errors"] == [{"line": 2, "errors": {"第 J 列": ["此列没有列名，不能导入其中的数据"]}}]


# -- who, how and in which transactions -----------------------------------------------------------
@pytest.mark.parametrize("role", ["approver", "auditor"])
def test_only_registrars_handlers_and_administrators_may_import(app, role):
    actor = f.user(role, role=role)
    with pytest.raises(NotPermitted):
        run(csv_bytes(ENFORCEMENT_HEADER, []), actor, process="enforcement_disclosure")


def test_an_unknown_mode_is_refused(app, registrar):
    with pytest.raises(InvalidData) as exc:
        run(b"", registrar, mode="some_rows")
    assert exc.value.errors == {"mode": ["取值应为：all_or_nothing, good_rows_only"]}


def test_each_batch_is_committed_on_its_own_and_an_interruption_keeps_the_committed_batches(app, db, registrar):
    rows = [[enforcement_row(i)[c] for c in ENFORCEMENT_HEADER] for i in range(7)]
    seen = []

    def progress(stage, done, total):
        seen.append((stage, done, total))
        if stage == "import" and done == 3:
            raise KeyboardInterrupt  # Ctrl-C after the first batch
    with pytest.raises(service.ImportInterrupted) as exc:
        run(csv_bytes(ENFORCEMENT_HEADER, rows), registrar, process="enforcement_disclosure", batch_size=3,
            on_progress=progress)
    report = exc.value.details["report"]
    assert (report["imported"], [c["line"] for c in report["cases"]]) == (3, [2, 3, 4])
    assert count(Case) == 3 and seen == [("validate", 7, 7), ("import", 3, 7)]
    # Importing the file again in good_rows_only mode adds only the four rows that are not in yet.
    again = run(csv_bytes(ENFORCEMENT_HEADER, rows), registrar, process="enforcement_disclosure", batch_size=3,
                mode="good_rows_only")
    assert [e["line"] for e in again["errors"]] == [2, 3, 4] and again["imported"] == 4
    assert count(Case) == 7


# -- columns and documentation ---------------------------------------------------------------------
def test_columns_are_listed_from_the_registration_schema(app):
    cols = {c.name: c for c in columns("disclosure_request")}
    assert list(cols)[-1] == "comment"
    assert cols["channel"].required and cols["channel"].kind == "choice"
    assert cols["channel"].choices["ordinary_post"] == "平常信函"
    assert not cols["confirmed_on"].required and cols["confirmed_on"].kind == "date"
    assert cols["applicant_name"].format == "文本，不超过 200 个字符"
    assert cols["postcode"].format == "文本，邮政编码应为 6 位数字"


def test_the_documented_column_tables_are_the_generated_ones():
    text = (ROOT / "docs" / "bulk_import.md").read_text(encoding="utf-8")
    block = text.split(DOC_BEGIN)[1].split(DOC_END)[0]
    assert block.strip() == all_columns_markdown().strip(), "run: flask import-columns --write-doc docs/bulk_import.md"


# -- command line ----------------------------------------------------------------------------------
def test_the_command_exits_1_and_lists_the_bad_lines_when_nothing_is_imported(app, tmp_path, registrar):
    rows, expected = enforcement_rows(40)
    path = write(tmp_path, "decisions.xlsx", xlsx_bytes(ENFORCEMENT_HEADER, rows))
    result = app.test_cli_runner().invoke(import_cases_command, [str(path), "--process", "enforcement_disclosure",
                                                                 "--as", "registrar"])
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert out[0] == "decisions.xlsx（enforcement_disclosure，all_or_nothing）：数据行 40，有效 28，有错误 12，已导入 0"
    assert f"{'4':<8}{'decision_date':<24}应为日期，格式 YYYY-MM-DD" in out
    assert len(out) == 2 + len(expected)
    assert "校验: 100%" in result.stderr  # the progress bar
    assert count(Case) == 0


def test_the_command_imports_the_good_rows_and_writes_the_report_as_json(app, tmp_path, registrar):
    rows, expected = enforcement_rows(40)
    path = write(tmp_path, "decisions.csv", csv_bytes(ENFORCEMENT_HEADER, rows))
    result = app.test_cli_runner().invoke(import_cases_command, [
        str(path), "--process", "enforcement_disclosure", "--good-rows-only", "--as", "registrar",
        "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["errors"] == expected_report(expected) and report["imported"] == 28 == count(Case)


def test_the_command_needs_an_importing_user(app, tmp_path):
    path = write(tmp_path, "d.csv", csv_bytes(ENFORCEMENT_HEADER, []))
    result = app.test_cli_runner().invoke(import_cases_command, [str(path), "--process", "enforcement_disclosure"])
    assert result.exit_code == 1 and "请用 --as 指定导入人" in result.stderr
    f.user("admin", role="admin")
    f.user("auditor", role="auditor")
    result = app.test_cli_runner().invoke(import_cases_command, [str(path), "--process", "enforcement_disclosure",
                                                                 "--as", "auditor"])
    assert result.exit_code == 1 and "批量导入需要角色：登记人员、承办人员、系统管理员" in result.stderr
    # Without --as, the agency's only administrator imports.
    result = app.test_cli_runner().invoke(import_cases_command, [str(path), "--process", "enforcement_disclosure"])
    assert result.exit_code == 1 and "文件中没有数据行" in result.stdout


def test_the_columns_command_refreshes_the_generated_block_only(app, tmp_path):
    doc = write(tmp_path, "doc.md", f"# 标题\n\n{DOC_BEGIN}\nold\n{DOC_END}\n\n结尾\n".encode())
    result = app.test_cli_runner().invoke(import_columns_command, ["--write-doc", str(doc)])
    assert result.exit_code == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# 标题\n\n") and text.endswith(f"{DOC_END}\n\n结尾\n") and "old" not in text
    assert "| `decision_number` | 执法决定文书号 | 否 |" in text
