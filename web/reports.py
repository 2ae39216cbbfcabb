"""The annual report's pages (approvers, auditors and administrators): table 三 for a year in the official
layout, the balance check per column with the cases behind any imbalance, every cell a link to its cases, and
the .xlsx download."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from app.downloads import workbook_download
from app.services import annual_report as report
from app.services import timesource
from app.services.agencies import agency_settings
from workflow import annual_report as layout
from workflow.errors import InvalidData

from . import bp

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
                           lock=report.lock_of(g.user.agency_code, year),
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


@bp.get(f"/reports/annual/{YEAR}.xlsx")
def annual_report_xlsx(year: int):
    content, filename = report.table_three_workbook(g.user, year)
    return workbook_download(content, ascii_name=f"annual-report-{year}-table-3.xlsx", filename=filename)


@bp.get(f"/reports/annual/{YEAR}/<row>/<column>")
def annual_report_cell(year: int, row: str, column: str):
    cases = report.cell_cases(g.user, year, row, column)
    return render_template("annual_report_cell.html", cases=cases, year=year, row=layout.ROW_KEYS[row],
                           column=layout.COLUMNS[column])
