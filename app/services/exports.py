"""Case lists exported to CSV and .xlsx with the same filters as the page, streamed: rows are read from the
database in batches and written out as they come, so 100,000 cases take the memory of one batch."""
from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator

from openpyxl import Workbook
from sqlalchemy.orm import selectinload

from workflow.clock import is_late
from workflow.processes import PROCESSES

from ..extensions import db
from ..models import Case, User
from . import timesource
from .cases import CaseFilter, cases_query

HEADER = ["编号", "流程", "状态", "事项", "承办部门", "承办人", "收到日期", "期限", "期限为暂定", "是否逾期", "办结日期"]
BATCH = 1000


def case_rows(actor: User, **filters) -> Iterator[list]:
    """The header, then one row per case the filters select, in the list's order."""
    stmt = cases_query(actor, CaseFilter(**filters)).options(selectinload(Case.assignee))
    today, now, zone = timesource.today(), timesource.now(), timesource.local_zone()
    yield HEADER
    for case in db.session.scalars(stmt.execution_options(yield_per=BATCH)):
        process = PROCESSES.get(case.process)
        state = next((s.title for s in process.states if s.name == case.state), case.state) if process else case.state
        due = case.due_on.isoformat() if case.due_on else (
            case.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if case.due_at else "")
        late = case.closed_on is None and is_late(case.due_on, case.due_at, today=today, now=now)
        yield [case.reference, process.title if process else case.process, state, case.summary, case.department,
               (case.assignee.display_name or case.assignee.username) if case.assignee else "",
               case.received_on.isoformat(), due, "是" if case.due_provisional else "",
               "是" if late else "否", case.closed_on.isoformat() if case.closed_on else ""]


def csv_chunks(rows: Iterator[list]) -> Iterator[str]:
    """CSV text in chunks, starting with a byte-order mark so Excel reads the Chinese as UTF-8. A cell that
    a spreadsheet would take for a formula is prefixed with an apostrophe (CSV injection)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for i, row in enumerate(rows):
        writer.writerow([_inert(v) for v in row])
        if i % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _inert(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def xlsx_file(rows: Iterator[list], *, sheet: str = "案件") -> tempfile.SpooledTemporaryFile:
    """An .xlsx workbook written row by row (openpyxl's write-only mode) into a temporary file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet)
    for row in rows:
        sheet.append([_inert(v) for v in row])
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(out)
    out.seek(0)
    return out
