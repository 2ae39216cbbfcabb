"""The annual report's pages (approvers, auditors and administrators): table 三 for a year in the official
layout, the balance check per column with the cases behind any imbalance, every cell a link to its cases, and
the .xlsx download."""
from __future__ import annotations

import datetime as dt

from flask import flash, g, redirect, render_template, request, url_for

from app.downloads import DOCX, made_download, table_download
from app.services import annual_report as report
from app.services import proceedings, timeliness, timesource
from app.services.agencies import agency_settings
from workflow import annual_report as layout
from workflow.errors import InvalidData

from . import bp
from .forms import page_number

YEAR = "<int(min=2008, max=2100):year>"


@bp.get("/reports/annual")
def annual_report_home():
    report.check_reader(g.user)
    raw = request.args.get("year", "")
    year = int(raw) if raw.isascii() and raw.isdigit() and len(raw) == 4 else timesource.today().year - 1
    return redirect(url_for("web.annual_report", year=year))


@bp.get(f"/reports/annual/{YEAR}")
def annual_report(year: int):
    table = report.table_three(g.user, year)
    return render_template("annual_report.html", table=table, layout=layout, year=year,
                           lock=report.lock_of(g.user.agency_code, year), four=report.table_four(g.user, year),
                           fees=report.fees(g.user, year),
                           columns=["natural_person", *layout.ORGANISATIONS, "total"],
                           agency=agency_settings(g.user.agency_code))


@bp.post(f"/reports/annual/{YEAR}/lock")
def lock_annual_report(year: int):
    try:
        lock = report.lock_year(g.user, year)
    except InvalidData as exc:
        flash("；".join(m for messages in exc.errors.values() for m in messages), "danger")
    else:
        flash(f"{year} 年度报告已锁定（Excel 的 SHA-256：{lock.workbook_sha256}）", "success")
    return redirect(url_for("web.annual_report", year=year))


def proceeding_list(case) -> list | None:
    """A replied application's reconsiderations and lawsuits, for its page (None: not one)."""
    if case.process != report.PROCESS or case.closed_on is None:
        return None
    return proceedings.case_proceedings(case)


@bp.post("/cases/<int(max=2147483647):case_id>/proceedings")
def record_proceeding(case_id: int):
    form = request.form
    try:
        filed_on = _date(form.get("filed_on", ""), "filed_on")
        recorded = proceedings.record_proceeding(case_id, actor=g.user, kind=form.get("kind", ""), filed_on=filed_on,
                                                 body=form.get("body", "").strip())
    except InvalidData as exc:
        flash(_said(exc), "danger")
    else:
        flash(f"已登记{layout.PROCEEDING_KINDS[recorded.proceeding.kind]}", "success")
    return redirect(url_for("web.case_page", case_id=case_id) + "#proceedings-h")


@bp.post("/proceedings/<int(max=2147483647):proceeding_id>/decision")
def decide_proceeding(proceeding_id: int):
    form = request.form
    try:
        decided_on = _date(form.get("decided_on", ""), "decided_on")
        recorded = proceedings.decide_proceeding(proceeding_id, actor=g.user, result=form.get("result", ""),
                                                 decided_on=decided_on, note=form.get("note", "").strip())
    except InvalidData as exc:
        flash(_said(exc), "danger")
        case_id = proceedings.case_of(proceeding_id, actor=g.user)
    else:
        flash(f"已登记结果：{layout.RESULTS[recorded.proceeding.result]}", "success")
        case_id = recorded.proceeding.case_id
    return redirect(url_for("web.case_page", case_id=case_id) + "#proceedings-h")


LABELS = {"kind": "类别", "filed_on": "提起日期", "body": "复议机关或法院", "result": "结果", "decided_on": "结果日期",
          "note": "说明", "_schema": ""}


def _said(exc: InvalidData) -> str:
    return "；".join(f"{LABELS.get(k, k)}：{m}" if LABELS.get(k, k) else m
                    for k, messages in exc.errors.items() for m in messages)


def _date(raw: str, field: str):
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidData("提交的数据有误", {field: ["应为日期，格式 YYYY-MM-DD"]}) from None


@bp.get(f"/reports/annual/{YEAR}.xlsx")
def annual_report_xlsx(year: int):
    content, filename = report.table_three_workbook(g.user, year)
    return made_download(content, ascii_name=f"annual-report-{year}-table-3.xlsx", filename=filename)


@bp.get(f"/reports/annual/{YEAR}.docx")
def annual_report_docx(year: int):
    content, filename = report.table_three_document(g.user, year)
    return made_download(content, ascii_name=f"annual-report-{year}.docx", filename=filename, media_type=DOCX)


@bp.get(f"/reports/annual/{YEAR}/<row>/<column>")
def annual_report_cell(year: int, row: str, column: str):
    cases = report.cell_cases(g.user, year, row, column, page=page_number(request.args))
    return render_template("annual_report_cell.html", page=cases, year=year, row=layout.ROW_KEYS[row],
                           column=layout.COLUMNS[column])


@bp.get("/reports/timeliness")
def timeliness_page():
    """Timeliness statistics for a period, per process and time limit, with a chart of the share met."""
    report.check_reader(g.user)
    today = timesource.today()
    args, errors = request.args, {}
    since = _arg_date(args, "since", dt.date(today.year, 1, 1), errors)
    until = _arg_date(args, "until", today, errors)
    process = args.get("process") or None
    department = args.get("department", "").strip() or None
    figures = []
    if not errors:
        try:
            figures = timeliness.timeliness(g.user, since=since, until=until, process=process, department=department)
        except InvalidData as exc:
            errors = exc.errors
    if args.get("format") == "xlsx" and not errors:
        rows = timeliness.rows(figures)
        return table_download(rows, "xlsx", ascii_stem="timeliness", title="办理时效统计")
    return render_template("timeliness.html", figures=figures, since=since, until=until, process=process,
                           department=department or "", errors=errors), 422 if errors else 200


def _arg_date(args, name: str, default: dt.date, errors: dict) -> dt.date:
    raw = args.get(name, "")
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = ["应为日期，格式 YYYY-MM-DD"]
        return default
