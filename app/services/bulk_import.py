"""Bulk intake of cases from a CSV or .xlsx file: every row is validated as open_case validates it before
anything is written, every bad row is reported with its line and reasons, and the valid rows are written
in batches, one transaction per batch, through open_case's own building blocks."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from marshmallow import ValidationError

from workflow.engine import ADMIN, HANDLER, REGISTRAR, ROLE_TITLES, Context
from workflow.errors import InvalidData, NotPermitted, WorkflowError
from workflow.processes import get_engine, get_process

from ..extensions import db
from ..models import Case, User
from . import documents, timesource
from .agencies import agency_settings
from .calendar import current_calendar
from .import_columns import NotImportable, columns, import_key
from .import_files import FileError, convert_row, match_header, read_rows
from .registration import build_case, prepare_opening, record_opening

ALL_OR_NOTHING, GOOD_ROWS_ONLY = "all_or_nothing", "good_rows_only"
MODES = (ALL_OR_NOTHING, GOOD_ROWS_ONLY)
IMPORT_ROLES = (REGISTRAR, HANDLER, ADMIN)
BATCH_SIZE = 500  # one transaction each: short enough not to hold the case-number sequence for long
MAX_ROWS = 20_000  # per HTTP request: ~20 s of work, inside gunicorn's 30 s worker timeout; the CLI has none

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]  # (stage "validate" | "import", done, total)


class ImportInterrupted(WorkflowError):
    """Writing stopped part-way (database failure or interruption); ``report`` says what was committed."""

    code = "import_interrupted"


@dataclass
class _Prepared:
    """A valid row, ready to write: its loaded data and the context its opening effects ran on."""

    line: int
    params: dict
    ctx: Context
    received_on: dt.date


# -- validation ------------------------------------------------------------------------------------
class _Validator:
    """Validates rows exactly as open_case does: the registration schema, then the opening effects, then
    the receipt date not after today."""

    def __init__(self, process: str, actor: User):
        self.engine = get_engine(process)
        self.definition = self.engine.process
        self.schema = self.definition.registration_schema()  # one instance: loading is reentrant
        self.agency = agency_settings(actor.agency_code)
        self.calendar = current_calendar()
        self.today, self.now, self.role = timesource.today(), timesource.now(), actor.role

    def check(self, line: int, data: dict) -> tuple[_Prepared | None, dict]:
        try:
            params = self.schema.load(data)
        except ValidationError as exc:
            return None, exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        try:
            ctx, received_on = prepare_opening(self.engine, params, role=self.role, agency=self.agency,
                                               calendar=self.calendar, today=self.today, now=self.now)
        except InvalidData as exc:
            return None, exc.errors  # a receipt date after today is named by the column that gave it
        return _Prepared(line, params, ctx, received_on), {}


def _key_of(data: dict, names: tuple[str, ...]) -> tuple | None:
    if any(n not in data for n in names):
        return None
    return tuple(str(data[n]) for n in names)


def _existing_keys(process: str, agency_code: str, names: tuple[str, ...], keys: list[tuple]) -> dict[tuple, str]:
    """Existing cases of the process with one of these key values: key -> case reference."""
    found: dict[tuple, str] = {}
    exprs = [Case.data[n].as_string() for n in names]
    wanted = set(keys)
    firsts = sorted({k[0] for k in keys})
    for i in range(0, len(firsts), 500):
        stmt = (sa.select(Case.reference, *exprs)
                .where(Case.process == process, Case.agency_code == agency_code, exprs[0].in_(firsts[i:i + 500])))
        for reference, *values in db.session.execute(stmt):
            if tuple(values) in wanted:
                found.setdefault(tuple(values), reference)
    return found


def _add(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


# -- the use case ----------------------------------------------------------------------------------
def import_cases(process: str, content: bytes, *, actor: User, filename: str = "", mode: str = ALL_OR_NOTHING,
                 batch_size: int = BATCH_SIZE, max_rows: int | None = MAX_ROWS,
                 on_progress: Progress | None = None) -> dict:
    """Validate every row of a file, then (all valid, or good_rows_only) register the valid rows as cases.
    Returns the report {process, mode, file, rows, valid, imported, errors: [{line, errors}], cases}."""
    definition = get_process(process)
    # The roles that may register a case of this process, limited to the registering roles.
    roles = [r for r in IMPORT_ROLES if r in getattr(definition, "open_roles", IMPORT_ROLES)]
    if actor.role not in roles:
        raise NotPermitted("批量导入需要角色：" + "、".join(ROLE_TITLES[r] for r in roles), roles=roles)
    if mode not in MODES:
        raise InvalidData("提交的数据有误", {"mode": [f"取值应为：{', '.join(MODES)}"]})
    try:
        cols = columns(process)
    except NotImportable as exc:
        raise InvalidData("此流程不支持批量导入", {"process": [str(exc)]}) from None
    report = {"process": process, "mode": mode, "file": filename, "rows": 0, "valid": 0, "imported": 0,
              "errors": [], "cases": []}
    progress = on_progress or (lambda *_: None)
    try:
        rows = read_rows(content, filename)
    except FileError as exc:
        report["errors"].append({"line": exc.line, "errors": {"file": [exc.message]}})
        return report
    if not rows or rows[0][0] != 1:
        report["errors"].append({"line": 1, "errors": {"file": ["第 1 行应为列名（字段名）"]}})
        return report
    found, header_errors = match_header(rows[0][1], cols)
    body = rows[1:]
    report["rows"] = len(body)
    if header_errors:  # a wrong header makes every row meaningless: stop before reading them
        report["errors"].append({"line": 1, "errors": header_errors})
        return report
    if not body:
        report["errors"].append({"line": 1, "errors": {"file": ["文件中没有数据行"]}})
        return report
    if max_rows is not None and len(body) > max_rows:
        report["errors"].append({"line": body[max_rows][0], "errors": {"file": [
            f"一次最多导入 {max_rows} 行，请拆分文件或使用命令行 flask import-cases"]}})
        return report

    prepared, errors = _validate(process, body, found, actor=actor, progress=progress)
    report["valid"] = len(prepared)
    report["errors"] = [{"line": line, "errors": errors[line]} for line in sorted(errors)]
    if errors and mode == ALL_OR_NOTHING:
        return report
    _write(process, prepared, actor=actor, batch_size=batch_size, progress=progress, report=report)
    return report


def bad_rows(report: dict) -> int:
    """How many data rows the report refuses (header and whole-file errors are not rows)."""
    return sum(1 for e in report["errors"] if e["line"] != 1 and "file" not in e["errors"])


def _validate(process: str, body: list, found: list, *, actor: User, progress: Progress):
    validator = _Validator(process, actor)
    names = import_key(validator.definition)
    prepared: list[_Prepared] = []
    errors: dict[int, dict] = {}
    first_line: dict[tuple, int] = {}
    for done, (line, cells) in enumerate(body, 1):
        data, row_errors = convert_row(found, cells)
        if row_errors:
            # Also list the schema's messages for the other fields, so one pass shows every problem.
            row_errors = {**validator.schema.validate(data), **row_errors}
        else:
            ok, row_errors = validator.check(line, data)
            if ok is not None:
                prepared.append(ok)
        key = _key_of(data, names) if names else tuple(data.get(c.name) for c in found if c)
        if key is not None and any(v is not None for v in key):
            if key not in first_line:
                first_line[key] = line
            elif names:
                _add(row_errors, names[0], f"与第 {first_line[key]} 行的 {'、'.join(names)} 相同（文件内重复）")
            else:
                _add(row_errors, "_row", f"与第 {first_line[key]} 行完全相同（文件内重复）")
        if row_errors:
            errors[line] = row_errors
        if done % 200 == 0 or done == len(body):
            progress("validate", done, len(body))
    if names and first_line:
        existing = _existing_keys(process, actor.agency_code, names, list(first_line))
        for key, reference in existing.items():
            line = first_line[key]
            _add(errors.setdefault(line, {}), names[0], f"已有相同 {'、'.join(names)} 的案件：{reference}")
    return [p for p in prepared if p.line not in errors], errors


def _reserve_numbers(agency_code: str, kind: str, years: list[int]) -> list[int]:
    """Case-number serials for rows received in these years, in row order: one block per year from the
    same sequence as every other registration, so numbers never collide with a case registered meanwhile."""
    next_serial = {year: documents.next_number(agency_code, year, kind, count=years.count(year))
                   for year in sorted(set(years))}
    serials = []
    for year in years:
        serials.append(next_serial[year])
        next_serial[year] += 1
    return serials


def _write(process: str, prepared: list[_Prepared], *, actor: User, batch_size: int, progress: Progress,
           report: dict) -> None:
    """One transaction per batch: its cases, their clocks and opening events, as open_case writes them."""
    engine = get_engine(process)
    agency = agency_settings(actor.agency_code)
    try:
        for start in range(0, len(prepared), batch_size):
            batch = prepared[start:start + batch_size]
            now = timesource.now()
            serials = _reserve_numbers(agency["code"], f"case:{process}", [p.received_on.year for p in batch])
            built = [build_case(engine, p.ctx, p.received_on, actor=actor, agency=agency, serial=serial, now=now,
                                department=p.params.get("department"))
                     for p, serial in zip(batch, serials, strict=True)]
            cases = [case for case, _ in built]
            db.session.add_all(cases)
            db.session.flush()  # the ids are needed by the events' hash chain
            for (case, snapshot), p in zip(built, batch, strict=True):
                record_opening(case, actor=actor, params=p.params, received_on=p.received_on, snapshot=snapshot)
            db.session.flush()
            written = [{"line": p.line, "id": c.id, "reference": c.reference} for p, c in zip(batch, cases, strict=True)]
            db.session.commit()
            report["cases"] += written
            report["imported"] += len(written)
            progress("import", report["imported"], len(prepared))
    except (Exception, KeyboardInterrupt) as exc:
        db.session.rollback()
        if isinstance(exc, Exception):
            log.exception("bulk import of %s interrupted after %d rows", process, report["imported"])
        raise ImportInterrupted(f"导入中断：已导入 {report['imported']} 行（已提交的批次保留），其余未导入",
                                report=report) from exc
