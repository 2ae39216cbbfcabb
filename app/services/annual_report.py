"""Table 三 of the annual report (政府信息公开工作年度报告, 国办公开办函〔2021〕30号), computed from the cases of one
agency and year: every row and column of the official layout (workflow.annual_report), the balance identity
checked per column with the cases behind any imbalance, each cell's cases for drill-down, and the table as an
.xlsx workbook in the official layout.

Counted per application (one case), by its receipt date (Art. 31) and the business date it was closed:
new = received in the year; carried in = received before it and still open on 1 January; handled = closed in
the year, in the row of its terminal state and reason; carried out = received by 31 December and still open
then. Cases are read in one streamed scan of the agency's applications open at some point in the year."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from docxtpl import DocxTemplate
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from workflow import annual_report as layout
from workflow.engine import ADMIN, APPROVER, AUDITOR, ROLE_TITLES
from workflow.errors import InvalidData, NotPermitted
from workflow.processes.disclosure_request_letters import fee_total

from ..extensions import db
from ..models import FEE_STEPS, Case, Event, Proceeding, ReportLock, User
from . import letter_templates, timesource
from .agencies import agency_settings
from .paging import Page

PROCESS = "disclosure_request"
REPORT_ROLES = (APPROVER, AUDITOR, ADMIN)
COUNTED = ("new", "carried_in", "carried_out")  # besides the result rows


@dataclass(frozen=True)
class Problem:
    """A case the table cannot place: its outcome has no row, or its applicant no column."""

    case_id: int
    reference: str
    what: str


@dataclass
class TableThree:
    agency_code: str
    year: int
    cells: dict[str, dict[str, int]]  # row key -> column key -> count (parent rows summed)
    problems: list[Problem]

    def value(self, row: str, column: str) -> int:
        return self.cells.get(row, {}).get(column, 0)

    @property
    def imbalances(self) -> dict[str, tuple[int, int]]:
        """Per column whose identity fails: (一 + 二, 三（七）+ 四)."""
        out = {}
        for column in layout.COLUMNS:
            received = self.value("new", column) + self.value("carried_in", column)
            accounted = self.value("handled", column) + self.value("carried_out", column)
            if received != accounted:
                out[column] = (received, accounted)
        return out


def check_reader(actor: User) -> None:
    if actor.role not in REPORT_ROLES:
        raise NotPermitted("年度报告需要角色：" + "、".join(ROLE_TITLES[r] for r in REPORT_ROLES),
                           roles=list(REPORT_ROLES))


def check_year(year: int) -> None:
    if not 2008 <= year <= 2100:  # the Regulation took effect on 1 May 2008
        raise InvalidData("参数有误", {"year": ["年度应在 2008 至 2100 之间"]})


class _Year:
    """The SQL of one agency's applications in one year: which were open during it, and which way each
    counts (received in the year or before; closed in the year or carried out)."""

    def __init__(self, agency_code: str, year: int):
        self.start, self.end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        self.open_during = (Case.agency_code == agency_code, Case.process == PROCESS, Case.received_on <= self.end,
                            sa.or_(Case.closed_on.is_(None), Case.closed_on >= self.start))
        self.received_in = Case.received_on >= self.start
        self.closed_in = sa.and_(Case.closed_on.is_not(None), Case.closed_on <= self.end)
        self.applicant = Case.data["applicant_type"].as_string()

    def row(self, key: str):
        """The condition of the cases counted directly in a row (a leaf of the table)."""
        if key == "new":
            return self.received_in
        if key == "carried_in":
            return sa.not_(self.received_in)
        if key == "carried_out":
            return sa.not_(self.closed_in)
        outcomes = [Case.state == state if reason is None else sa.and_(Case.state == state, Case.reason == reason)
                    for state, reason in layout.ROW_KEYS[key].counts]
        return sa.and_(self.closed_in, sa.or_(*outcomes))

    def column(self, key: str):
        if key == "total":
            return self.applicant.in_([c for c in layout.COLUMNS if c != "total"])
        return self.applicant == key


def table_three(actor: User, year: int) -> TableThree:
    """The table for the actor's agency and the year: the applications open during the year counted by the
    database in groups of the same (received in the year, closed in the year, result, applicant), each group
    then placed in its rows."""
    check_reader(actor)
    check_year(year)
    q = _Year(actor.agency_code, year)
    stmt = (sa.select(q.received_in, q.closed_in, sa.case((q.closed_in, Case.state)),
                      sa.case((q.closed_in, Case.reason)), q.applicant, sa.func.count())
            .where(*q.open_during).group_by(sa.text("1, 2, 3, 4, 5")))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    problems: list[Problem] = []
    for received_in, closed_in, state, reason, applicant, n in db.session.execute(stmt):
        group = (bool(received_in), bool(closed_in), state, reason, applicant)
        column = layout.column_of(applicant)
        if column is None:
            problems += _problems(q, group, f"申请人类型 {applicant!r} 不属于表中任何一列")
            continue
        try:
            rows = layout.rows_for(bool(received_in), bool(closed_in), state, reason)
        except layout.Unplaced as exc:
            problems += _problems(q, group, f"办结结果 {exc} 不属于“本年度办理结果”的任何一行")
            rows = ["new" if received_in else "carried_in"]
        for key in rows:
            counts[(key, column)] += n
    return TableThree(actor.agency_code, year, _cells(counts), sorted(problems, key=lambda p: p.case_id))


def _problems(q: _Year, group: tuple, what: str) -> list[Problem]:
    """The cases of a group (received in the year, closed in it, state, reason, applicant) the table cannot
    place."""
    received_in, closed_in, state, reason, applicant = group
    same = [q.received_in == received_in, q.closed_in == closed_in,
            q.applicant == applicant if applicant is not None else q.applicant.is_(None)]
    if closed_in:
        same += [Case.state == state, Case.reason == reason if reason is not None else Case.reason.is_(None)]
    stmt = sa.select(Case.id, Case.reference).where(*q.open_during, *same).order_by(Case.id)
    return [Problem(case_id, reference, what) for case_id, reference in db.session.execute(stmt)]


def _cells(counts: dict[tuple[str, str], int]) -> dict[str, dict[str, int]]:
    cells: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (row, column), n in counts.items():
        cells[row][column] += n
    # The groups first, then 总计 (the sum of the groups).
    for row in [r for r in layout.ROWS if r.parts and r.key != "handled"] + [layout.ROW_KEYS["handled"]]:
        for part in row.parts:
            for column, n in cells[part].items():
                cells[row.key][column] += n
    for row in cells.values():
        row["total"] = sum(n for column, n in row.items() if column != "total")
    return {key: dict(values) for key, values in cells.items()}


def cell_cases(actor: User, year: int, row: str, column: str, *, page: int = 1, per_page: int = 50) -> Page:
    """One page of the cases counted in one cell (a parent row: those of its parts; the 总计 column: every
    column's), by id, with their number."""
    check_reader(actor)
    check_year(year)
    if row not in layout.ROW_KEYS or not (layout.ROW_KEYS[row].counts or layout.ROW_KEYS[row].parts
                                          or row in COUNTED):
        raise InvalidData("参数有误", {"row": [f"未知的行：{row}；可用：{', '.join(layout.ROW_KEYS)}"]})
    if column not in layout.COLUMNS:
        raise InvalidData("参数有误", {"column": [f"未知的列：{column}；可用：{', '.join(layout.COLUMNS)}"]})
    q = _Year(actor.agency_code, year)
    where = (*q.open_during, q.column(column), sa.or_(*(q.row(leaf) for leaf in layout.leaves(row))))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(*where))
    ids = db.session.scalars(sa.select(Case.id).where(*where).order_by(Case.id)
                             .limit(per_page).offset((page - 1) * per_page)).all()
    found = {c.id: c for c in db.session.scalars(sa.select(Case).where(Case.id.in_(ids)))} if ids else {}
    return Page([found[i] for i in ids], total, page, per_page)


# -- table 四 and section 六 ----------------------------------------------------------------------------------
def table_four(actor: User, year: int) -> dict[str, dict[str, int]]:
    """Table 四: per group (行政复议, 未经复议直接起诉, 复议后起诉), the proceedings decided in the year by result, those
    still pending at its end, and their total."""
    check_reader(actor)
    check_year(year)
    counts = {kind: dict.fromkeys(layout.FOUR_COLUMNS, 0) for kind in layout.GROUPS}
    stmt = sa.select(Proceeding.kind, Proceeding.filed_on, Proceeding.result, Proceeding.decided_on).where(
        Proceeding.agency_code == actor.agency_code, Proceeding.filed_on <= dt.date(year, 12, 31),
        sa.or_(Proceeding.decided_on.is_(None), Proceeding.decided_on >= dt.date(year, 1, 1)))
    for kind, filed_on, result, decided_on in db.session.execute(stmt):
        for group, column in layout.proceeding_cells(year, kind, filed_on, result, decided_on):
            counts[group][column] += 1
    return counts


def fees(actor: User, year: int) -> dict[str, int]:
    """Section 六's fees: the fee notices issued in the year and their amount (yuan), and the fees paid in the
    year and their amount (each payment at its notice's amount)."""
    check_reader(actor)
    check_year(year)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    # The condition is the partial index's own (models.FEE_STEPS), so the database reads that index alone.
    stmt = (sa.select(Event.case_id, Event.trigger, Event.effective_on, Event.data)
            .join(Case, Case.id == Event.case_id)
            .where(sa.text(FEE_STEPS), Case.agency_code == actor.agency_code, Case.process == PROCESS,
                   Event.effective_on <= end)
            .order_by(Event.case_id, Event.seq))
    out = {"notices": 0, "notice_amount": 0, "paid": 0, "paid_amount": 0}
    amount_due: dict[int, int] = {}
    for case_id, trigger, effective_on, data in db.session.execute(stmt):
        if trigger == "issue_fee_notice":
            amount_due[case_id] = fee_total(data)
            if effective_on >= start:
                out["notices"] += 1
                out["notice_amount"] += amount_due[case_id]
        elif effective_on >= start:
            out["paid"] += 1
            out["paid_amount"] += amount_due.get(case_id, 0)
    return out


# -- locked years ----------------------------------------------------------------------------------------
def lock_of(agency_code: str, year: int) -> ReportLock | None:
    return db.session.scalar(sa.select(ReportLock).where(ReportLock.agency_code == agency_code,
                                                         ReportLock.year == year))


def lock_year(actor: User, year: int) -> ReportLock:
    """Lock the year's report (administrators): its figures and workbook are stored as they are now, and no
    later change that would alter a figure is accepted. A report that does not balance cannot be locked."""
    if actor.role != ADMIN:
        raise NotPermitted("锁定年度报告需要角色：" + ROLE_TITLES[ADMIN], roles=[ADMIN])
    table = table_three(actor, year)
    existing = lock_of(actor.agency_code, year)
    if existing is not None:
        raise InvalidData("不能锁定", {"year": [f"{year} 年度报告已于 {_when(existing)} 锁定"]})
    if table.imbalances or table.problems:
        raise InvalidData("不能锁定", {"year": [f"{year} 年度报告表三不满足勾稽关系（{len(table.problems)} 件案件无法归入），"
                                                "请先更正"]})
    four, fee = table_four(actor, year), fees(actor, year)
    workbook = report_xlsx(table, four, fee, agency_settings(actor.agency_code)["name"])
    now = timesource.now()
    figures = {"table_3": table.cells, "table_4": four, "fees": fee}
    document = report_docx(actor.agency_code, year, figures, locked_on=now.astimezone(timesource.local_zone()).date())
    lock = ReportLock(agency_code=actor.agency_code, year=year, locked_by_id=actor.id, locked_at=now,
                      figures=figures, workbook=workbook, workbook_sha256=hashlib.sha256(workbook).hexdigest(),
                      document=document, document_sha256=hashlib.sha256(document).hexdigest())
    db.session.add(lock)
    db.session.commit()
    return lock


def _when(lock: ReportLock) -> str:
    return lock.locked_at.astimezone(timesource.local_zone()).strftime("%Y-%m-%d %H:%M")


def locked_years(agency_code: str) -> list[tuple[int, str]]:
    """The agency's locked years, each with the day it was locked."""
    zone = timesource.local_zone()
    # Asked in the middle of a step: flushing the step's half-made changes now would write the case row twice
    # (two versions for one step).
    with db.session.no_autoflush:
        rows = db.session.execute(sa.select(ReportLock.year, ReportLock.locked_at)
                                  .where(ReportLock.agency_code == agency_code).order_by(ReportLock.year)).all()
    return [(year, at.astimezone(zone).strftime("%Y-%m-%d")) for year, at in rows]


def report_key(case: Case) -> tuple | None:
    """What of a case the report counts: receipt and closing dates, terminal state and reason, applicant."""
    if case.process != PROCESS:
        return None
    return (case.received_on, case.closed_on, case.state, case.reason, (case.data or {}).get("applicant_type"))


def check_unlocked(agency_code: str, before: tuple | None, after: tuple | None, *, field: str) -> None:
    """Refuse a change of a case that would alter a figure of a locked year, naming the year and the cell.
    An open application stays in the same cells whatever its state: those changes are not looked at."""
    still_open = (before is not None and after is not None and before[1] is None and after[1] is None
                  and (before[0], before[4]) == (after[0], after[4]))
    if before == after or still_open:
        return
    for year, when in locked_years(agency_code):
        old, new = _case_cells(year, before), _case_cells(year, after)
        if old != new:
            row, column = min(old ^ new, key=_table_order)  # the first changed cell, reading the table
            raise InvalidData("年度报告已锁定", {field: [
                f"{year} 年度政府信息公开工作年度报告已于 {when} 锁定，此操作将改变表三“{layout.row_path(row)}”"
                f"·“{layout.COLUMNS.get(column, column)}”一格的数字，不能办理"]})


ROW_ORDER = {row.key: n for n, row in enumerate(layout.ROWS)}
COLUMN_ORDER = {column: n for n, column in enumerate(layout.COLUMNS)}


def _table_order(cell: tuple[str, str]) -> tuple[int, int]:
    return ROW_ORDER.get(cell[0], len(ROW_ORDER)), COLUMN_ORDER.get(cell[1], len(COLUMN_ORDER))


def _case_cells(year: int, key: tuple | None) -> set[tuple[str, str]]:
    if key is None:
        return set()
    received_on, closed_on, state, reason, applicant = key
    column = layout.column_of(applicant) or "?"
    try:
        rows = layout.rows_of(year, received_on, closed_on, state, reason)
    except layout.Unplaced:
        rows = ["new" if received_on >= dt.date(year, 1, 1) else "carried_in", "?"]
    return {(row, c) for row in rows for c in (column, "total")}


# -- the workbook ------------------------------------------------------------------------------------------
def table_three_workbook(actor: User, year: int) -> tuple[bytes, str]:
    """The year's tables as .xlsx, and its file name: a locked year's exactly as it was locked."""
    check_reader(actor)
    name = agency_settings(actor.agency_code)["name"]
    filename = f"{name}{year}年度政府信息公开工作年度报告（表三、表四、收费）.xlsx"
    lock = lock_of(actor.agency_code, year)
    if lock is not None:
        return lock.workbook, filename
    return report_xlsx(table_three(actor, year), table_four(actor, year), fees(actor, year), name), filename


def table_three_document(actor: User, year: int) -> tuple[bytes, str]:
    """The year's report as .docx (tables 三 and 四 and the fees in the official layout), and its file name:
    a locked year's exactly as it was locked."""
    check_reader(actor)
    check_year(year)
    filename = f"{agency_settings(actor.agency_code)['name']}{year}年度政府信息公开工作年度报告（表三、表四、收费）.docx"
    lock = lock_of(actor.agency_code, year)
    if lock is not None:
        if lock.document is not None:
            return lock.document, filename
        when = lock.locked_at.astimezone(timesource.local_zone()).date()
        return report_docx(actor.agency_code, year, lock.figures, locked_on=when), filename
    figures = {"table_3": table_three(actor, year).cells, "table_4": table_four(actor, year), "fees": fees(actor, year)}
    return report_docx(actor.agency_code, year, figures), filename


REPORT_TEMPLATE = "reports/annual_report.docx"
REPORT_VALUES = {"agency_name", "year", "locked_on", "t", "f", "fees", "letterhead"}


def report_template(agency: dict) -> letter_templates.Template:
    """The checked template of the report (raises TemplateRejected naming each problem, as for a letter)."""
    return letter_templates.load(agency, REPORT_TEMPLATE, allowed=REPORT_VALUES,
                                 required={"agency_name", "year", "t", "f", "fees"})


def report_docx(agency_code: str, year: int, figures: dict, *, locked_on: dt.date | None = None) -> bytes:
    """The report filled in from its figures (as stored with a lock, or computed now) with the template a
    legal officer keeps (templates_docx/reports/annual_report.docx, the agency's own copy first)."""
    agency = agency_settings(agency_code)
    template = report_template(agency)
    cells = figures["table_3"]
    values = {"agency_name": agency["name"], "year": year, "letterhead": "title",
              "locked_on": f"{locked_on.year}年{locked_on.month}月{locked_on.day}日" if locked_on else "",
              "t": {row.key: {c: cells.get(row.key, {}).get(c, 0) for c in layout.COLUMNS} for row in layout.ROWS},
              "f": figures["table_4"], "fees": figures["fees"]}
    document = DocxTemplate(io.BytesIO(template.content))
    document.render(values, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def report_xlsx(table: TableThree, four: dict, fee: dict, agency_name: str) -> bytes:
    """Tables 三 and 四 and section 六's fees, a sheet each, in the official layout."""
    book = Workbook()
    _table_three_sheet(book.active, table, agency_name)
    _table_four_sheet(book.create_sheet("表四"), table.year, four)
    sheet = book.create_sheet("六、收费")
    sheet.append(["六、其他需要报告的事项：政府信息公开信息处理费"])
    for label, value in (("本年发出收费通知（件）", fee["notices"]), ("收费通知金额（元）", fee["notice_amount"]),
                         ("本年实际收取（件）", fee["paid"]), ("实际收取金额（元）", fee["paid_amount"])):
        sheet.append([label, value])
    sheet.column_dimensions["A"].width = 30
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table_four_sheet(sheet, year: int, four: dict) -> None:
    box = Border(left=Side(style="thin"), right=Side(style="thin"), top=Side(style="thin"),
                 bottom=Side(style="thin"))
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.append([layout.TABLE_FOUR_TITLE])
    sheet.merge_cells("A1:O1")
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.cell(2, 1, "行政复议")
    sheet.merge_cells("A2:E3")
    sheet.cell(2, 6, "行政诉讼")
    sheet.merge_cells("F2:O2")
    sheet.cell(3, 6, "未经复议直接起诉")
    sheet.merge_cells("F3:J3")
    sheet.cell(3, 11, "复议后起诉")
    sheet.merge_cells("K3:O3")
    for g, kind in enumerate(layout.GROUPS):
        for c, column in enumerate(layout.FOUR_COLUMNS):
            sheet.cell(4, 1 + 5 * g + c, layout.FOUR_COLUMNS[column])
            sheet.cell(5, 1 + 5 * g + c, four[kind][column])
    for line in sheet.iter_rows(min_row=2, max_row=5, max_col=15):
        for cell in line:
            cell.border, cell.alignment = box, centre


def _table_three_sheet(sheet, table: TableThree, agency_name: str) -> None:
    """The table in the official layout: a three-level header over the applicant columns, the balance note
    in the corner, the rows with their official labels."""
    sheet.title = "表三"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.append([f"{agency_name} {table.year} 年度政府信息公开工作年度报告"])
    sheet.append([layout.TITLE])
    sheet.merge_cells("A1:I1")
    sheet.merge_cells("A2:I2")
    for cell in ("A1", "A2"):
        sheet[cell].font = Font(bold=True, size=14 if cell == "A1" else 12)
        sheet[cell].alignment = centre
    head = 3  # the header's first row
    sheet.cell(head, 1, layout.BALANCE_NOTE)
    sheet.merge_cells(start_row=head, start_column=1, end_row=head + 2, end_column=2)
    sheet.cell(head, 3, "申请人情况")
    sheet.merge_cells(start_row=head, start_column=3, end_row=head, end_column=9)
    sheet.cell(head + 1, 3, layout.COLUMNS["natural_person"])
    sheet.merge_cells(start_row=head + 1, start_column=3, end_row=head + 2, end_column=3)
    sheet.cell(head + 1, 4, layout.ORGANISATION_HEADER)
    sheet.merge_cells(start_row=head + 1, start_column=4, end_row=head + 1, end_column=8)
    for offset, key in enumerate(layout.ORGANISATIONS):
        sheet.cell(head + 2, 4 + offset, layout.COLUMNS[key])
    sheet.cell(head + 1, 9, layout.COLUMNS["total"])
    sheet.merge_cells(start_row=head + 1, start_column=9, end_row=head + 2, end_column=9)
    columns = ["natural_person", *layout.ORGANISATIONS, "total"]
    for offset, row in enumerate(layout.ROWS):
        r = head + 3 + offset
        sheet.cell(r, 1 if row.level == 0 else 2, row.label)
        if row.level == 0:
            sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        if row.key != "results":
            for c, key in enumerate(columns):
                sheet.cell(r, 3 + c, table.value(row.key, key))
    last = head + 2 + len(layout.ROWS)
    for line in sheet.iter_rows(min_row=head, max_row=last, max_col=9):
        for cell in line:
            cell.border = box
            cell.alignment = centre if cell.column > 2 or cell.row < head + 3 else Alignment(wrap_text=True,
                                                                                            vertical="center")
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 46
    for letter in "CDEFGHI":
        sheet.column_dimensions[letter].width = 11
