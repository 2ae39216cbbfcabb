"""The auditor's pages (auditors and administrators): events filtered every way, sign-ins and refused
attempts, due-date changes, replies approved by their proposer, each paginated and exportable with the same
filters; and a case as it stood on a past date. The tables are the exports' rows, so a page and its download
never differ."""
from __future__ import annotations

import datetime as dt
import itertools

from flask import g, redirect, render_template, request, url_for

from app.downloads import table_download
from app.services import audit, timesource
from app.services import cases as case_service
from app.services.audit_log import KIND_TITLES, RecordFilter
from workflow.engine import ROLE_TITLES
from workflow.errors import InvalidData, WorkflowError
from workflow.processes import PROCESSES

from . import bp
from .forms import form_fields

PER_PAGE = 50
TABLES = {"events": "事件", "records": "登录与被拒绝的操作", "due-date-changes": "期限变更", "self-approved": "自行批准的答复"}
EVENT_ARGS = ("case", "process", "actor", "role", "trigger", "state", "since", "until")
RECORD_ARGS = ("kind", "username", "status", "case_id", "since", "until")


def _dates(args, names, errors) -> dict:
    out = {}
    for name in names:
        value = args.get(name, "").strip()
        if value:
            try:
                out[name] = dt.date.fromisoformat(value)
            except ValueError:
                errors[name] = ["应为日期，格式 YYYY-MM-DD"]
    return out


def _filters(table: str, args) -> tuple[object | None, dict]:
    """The table's filter from the query string, and any malformed value by field."""
    errors: dict[str, list[str]] = {}
    if table in ("events", "due-date-changes"):
        values = {k: args.get(k).strip() for k in EVENT_ARGS[:-2] if args.get(k, "").strip()}
        values |= _dates(args, ("since", "until"), errors)
        return audit.EventFilter(**values), errors
    if table == "records":
        values = {k: args.get(k).strip() for k in ("kind", "username") if args.get(k, "").strip()}
        for name in ("status", "case_id"):
            raw = args.get(name, "").strip()
            if raw:
                if raw.isascii() and raw.isdigit() and len(raw) < 10:
                    values[name] = int(raw)
                else:
                    errors[name] = ["应为整数"]
        values |= _dates(args, ("since", "until"), errors)
        return RecordFilter(**values), errors
    return None, errors


def _rows(table: str, filters):
    if table == "events":
        return audit.event_rows(g.user, filters)
    if table == "records":
        return audit.record_rows(g.user, filters)
    if table == "due-date-changes":
        return audit.due_date_changes(g.user, filters)
    return audit.self_approved_rows(g.user)


@bp.get("/audit")
def audit_home():
    return redirect(url_for("web.audit_page", table="events"))


@bp.get("/audit/<any('events', 'records', 'due-date-changes', 'self-approved'):table>")
def audit_page(table: str):
    audit.check_auditor(g.user)  # 403 with the reason (views.not_permitted)
    filters, errors = _filters(table, request.args)
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1
    header, rows, more = [], [], False
    if not errors:
        try:
            found = _rows(table, filters)
            header = next(found)
            chunk = list(itertools.islice(found, (page - 1) * PER_PAGE, page * PER_PAGE + 1))
            found.close()  # the rest is not read: the database cursor ends here
            rows, more = chunk[:PER_PAGE], len(chunk) > PER_PAGE
        except InvalidData as exc:
            errors = exc.errors
    status = 422 if errors else 200
    return render_template("audit.html", table=table, tables=TABLES, header=header, rows=rows, page=page,
                           more=more, errors=errors, args=request.args, processes=PROCESSES,
                           roles=ROLE_TITLES, kinds=KIND_TITLES), status


@bp.get("/audit/<any('events', 'records', 'due-date-changes', 'self-approved'):table>.<any(csv, xlsx):fmt>")
def audit_export(table: str, fmt: str):
    audit.check_auditor(g.user)
    filters, errors = _filters(table, request.args)
    if errors:
        return render_template("error.html", title="导出条件有误",
                               message="；".join(f"{k}：{'、'.join(v)}" for k, v in errors.items())), 422
    try:
        rows = _rows(table, filters)
        first = next(rows)  # the filters are checked here, before the response starts
    except WorkflowError as exc:
        found = getattr(exc, "errors", None) or {"_": [exc.message]}
        return render_template("error.html", title="导出条件有误",
                               message="；".join(f"{k}：{'、'.join(v)}" for k, v in found.items())), 422
    return table_download(itertools.chain([first], rows), fmt, ascii_stem=f"audit-{table}", title=TABLES[table])


@bp.get("/cases/<int(max=2147483647):case_id>/as-of")
def case_as_of(case_id: int):
    """The case as it stood at the end of a chosen day: state, reason, clocks, data and the events so far."""
    audit.check_auditor(g.user)
    case = case_service.get_case(case_id, actor=g.user)
    raw = request.args.get("date", "")
    try:
        day = dt.date.fromisoformat(raw) if raw else timesource.today()
    except ValueError:
        return render_template("error.html", title="日期有误", message="日期应为 YYYY-MM-DD 格式"), 422
    then = audit.case_as_of(g.user, case, day)
    process = PROCESSES.get(case.process)
    fields = form_fields(process.registration_schema)
    return render_template("as_of.html", case=case, day=day, then=then, process=process, data_fields=fields,
                           field_keys={f.key for f in fields}, extra_labels={"proposal": "拟定的答复意见"},
                           state_title=audit.state_title, trigger_title=audit.trigger_title, roles=ROLE_TITLES,
                           zone=timesource.local_zone())
