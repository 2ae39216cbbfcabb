"""The caseworker's pages: home, case list, registration, the case page with its trigger forms, the
approval preview, and the letters. Each view reads its input, calls one service and renders the result;
a refused command re-renders its form with what was typed and the reasons beside each field."""
from __future__ import annotations

import datetime as dt
import itertools

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import login_required

from app.downloads import DOCX, stored_file, table_download
from app.services import audit_log, deliveries, documents, exports
from app.services import cases as service
from app.services.audit import SYSTEM_EVENTS
from app.services.errors import ConcurrentUpdate, NotFound, OutOfScope
from app.services.registration import open_case
from app.services.users import departments, find_user
from app.services.worklist import home_lists
from workflow.diagram import svg
from workflow.errors import GuardFailed, InvalidData, NotPermitted, WorkflowError
from workflow.letters import DELIVERY_METHODS
from workflow.processes import PROCESSES, get_engine, get_process

from . import bp
from .auth import attempt
from .forms import flat_errors, form_fields, labels, page_number, read, row_counts
from .reports import proceeding_list

PER_PAGE = 25


@bp.before_request
def require_sign_in():
    if request.endpoint in ("web.sign_in", "web.static"):
        return None
    return login_required(lambda: None)()


@bp.errorhandler(NotFound)
def not_found(error):
    if isinstance(error, OutOfScope):
        audit_log.record(audit_log.DENIED, attempt(), user=g.user, status=404, code=error.code, message=error.message,
                         case_id=error.case_id)
    return render_template("error.html", title="未找到", message=error.message), 404


@bp.errorhandler(NotPermitted)
def not_permitted(error):
    g.refusal = {"code": error.code, "message": error.message}
    return render_template("error.html", title="无权操作", message=error.message), 403


@bp.errorhandler(429)
def too_many(error):
    return render_template("error.html", title="请求过于频繁", message=error.description), 429


@bp.errorhandler(400)
def bad_request(error):
    # Flask-WTF's CSRF refusal is a 400: a form without its token (or an expired one) changes nothing.
    return render_template("error.html", title="请求无效",
                           message=getattr(error, "description", "") or "请求无效，请返回重新提交"), 400


# -- home and lists ------------------------------------------------------------------------------
@bp.get("/")
def home():
    lists = home_lists(actor=g.user)
    # The list's due_before is exclusive: the day after the horizon lists what the home page counts.
    return render_template("home.html", lists=lists, due_before=lists.horizon + dt.timedelta(days=1))


LIST_ARGS = ("process", "state", "department", "assignee", "q", "due_before", "overdue", "received_from",
             "received_to", "open", "sort")


def case_filter_from(args) -> tuple[dict, dict]:
    """The list filters from a query string; a malformed value is reported under its field."""
    filters, errors = {}, {}
    for key in ("process", "state", "department", "assignee"):
        if args.get(key):
            filters[key] = args[key]
    if args.get("q"):
        filters["text"] = args["q"]
    if args.get("sort"):
        filters["sort"] = args["sort"]
    for key in ("due_before", "received_from", "received_to"):
        if args.get(key):
            try:
                filters[key] = dt.date.fromisoformat(args[key])
            except ValueError:
                errors[key] = ["应为日期，格式 YYYY-MM-DD"]
    if args.get("overdue") in ("yes", "no"):
        filters["overdue"] = args["overdue"] == "yes"
    if args.get("open") == "yes":
        filters["open_only"] = True
    return filters, errors


@bp.get("/cases")
def case_list():
    filters, errors = case_filter_from(request.args)
    page = page_number(request.args)
    result = None
    if not errors:
        try:
            result = service.list_cases(actor=g.user, page=page, per_page=PER_PAGE, **filters)
        except InvalidData as exc:
            errors = exc.errors
        except WorkflowError as exc:  # an unknown process
            errors = exc.details.get("errors") or {"process": [exc.message]}
    return render_template("cases.html", page=result, errors=errors, args=request.args,
                           sorts=service.SORTS), 422 if errors else 200


# -- registration ------------------------------------------------------------------------------------
@bp.get("/cases/new")
def choose_process():
    allowed = [p for p in sorted(PROCESSES.values(), key=lambda p: p.order) if g.user.role in p.open_roles]
    return render_template("choose_process.html", allowed=allowed)


@bp.route("/cases/new/<process>", methods=["GET", "POST"])
def register(process: str):
    if process not in PROCESSES:
        abort(404)
    definition = get_process(process)
    schema = definition.registration_schema
    errors, values, status = {}, request.form, 200
    if request.method == "POST":
        data = read(schema, request.form)
        try:
            assignee = find_user(request.form["assignee"], agency_code=g.user.agency_code, field="assignee") \
                if request.form.get("assignee") else None
            result = open_case(process, data, actor=g.user, department=request.form.get("department") or None,
                               assignee=assignee)
        except InvalidData as exc:
            errors, status = flat_errors(exc.errors), 422
        except NotPermitted as exc:
            errors, status = {"_schema": [exc.message]}, 403
        else:
            flash(f"已登记：{result.case.reference}", "success")
            return redirect(url_for("web.case_page", case_id=result.case.id))
    fields = form_fields(schema, rows=row_counts(schema, request.form))
    return render_template("register.html", process=definition, fields=fields, values=values, errors=errors,
                           labels=labels(fields) | {"assignee": "承办人"},
                           departments=departments(agency_code=g.user.agency_code),
                           may_register=g.user.role in definition.open_roles), status


# -- the case page ----------------------------------------------------------------------------------
def _case_page(case, *, status: int = 200, open_trigger: str | None = None, errors=None, values=None,
               conflict=None):
    if status >= 400:  # for the auditor's record of the refusal (web.auth.record_refusal)
        said = "；".join(f"{field}: {m}" if field != "_schema" else m
                        for field, messages in (errors or {}).items() for m in messages)
        g.refusal = {"code": {403: "not_permitted", 409: "conflict"}.get(status, "invalid_data"),
                     "message": said or ("案件已被他人更新（版本冲突）" if conflict is not None else ""),
                     "case_id": case.id, "trigger": open_trigger}
    process = get_process(case.process)
    engine = get_engine(case.process)
    statuses = service.triggers_of(case, actor=g.user)
    trigger_fields = {}
    for s in statuses:
        step = engine.step(s.trigger, case.state)
        if s.allowed and step is not None:
            form = values if (values is not None and s.trigger == open_trigger) else {}
            trigger_fields[s.trigger] = form_fields(step.schema, rows=row_counts(step.schema, form) if form else {},
                                                    id_prefix=f"f-{s.trigger}-")
    events, chain_ok = service.case_events(case)
    return render_template(
        "case.html", case=case, process=process, statuses=statuses, trigger_fields=trigger_fields,
        clocks=service.case_clocks(case), events=events, chain_ok=chain_ok,
        letters=service.case_documents(case), data_fields=form_fields(process.registration_schema),
        open_trigger=open_trigger, errors=errors or {}, values=values or {}, conflict=conflict,
        diagram=diagram_svg(case, events), labels_of=labels, delivery_methods=DELIVERY_METHODS,
        trigger_titles={**SYSTEM_EVENTS, **{t.trigger: t.title for t in process.transitions}},
        event_fields=_event_fields(process), proceedings=proceeding_list(case)), status


def _event_fields(process) -> dict[str, dict]:
    """Per trigger, its payload's fields by key: the timeline shows an event's data with labels and titles."""
    return {t.trigger: {f.key: f for f in form_fields(t.schema)} for t in process.transitions}


def diagram_svg(case, events) -> str:
    path = [e.to_state for e in events]  # register's to_state is the initial state
    return svg(get_process(case.process), current=case.state, path=path)


@bp.get("/cases/<int(max=2147483647):case_id>")
def case_page(case_id: int):
    return _case_page(service.get_case(case_id, actor=g.user))


@bp.post("/cases/<int(max=2147483647):case_id>/triggers/<trigger>")
def fire(case_id: int, trigger: str):
    case = service.get_case(case_id, actor=g.user)
    step = get_engine(case.process).step(trigger, case.state)
    schema = step.schema if step else None
    data = read(schema, request.form)
    version = request.form.get("version", "")
    expected = int(version) if version.isascii() and version.isdigit() and len(version) < 10 else None
    if expected is None:
        return _case_page(case, status=422, open_trigger=trigger, values=request.form,
                          errors={"_schema": ["表单缺少案件版本，请刷新页面后重新提交"]})
    try:
        result = service.fire(case, trigger, actor=g.user, params=data, expected_version=expected,
                              effective_on=request.form.get("effective_on") or None)
    except ConcurrentUpdate:
        seen = request.form.get("seen_seq", "0")
        seen = int(seen) if seen.isascii() and seen.isdigit() and len(seen) < 10 else 0
        changes = [e for e in service.case_events(case)[0] if e.seq > seen]
        return _case_page(case, status=409, open_trigger=trigger, values=request.form, conflict=changes)
    except InvalidData as exc:
        return _case_page(case, status=422, open_trigger=trigger, values=request.form,
                          errors=flat_errors(exc.errors))
    except GuardFailed as exc:
        return _case_page(case, status=409, open_trigger=trigger, values=request.form,
                          errors={"_schema": [f"{f.message}（依据：{f.basis}）" for f in exc.failures]})
    except NotPermitted as exc:
        return _case_page(case, status=403, open_trigger=trigger, values=request.form,
                          errors={"_schema": [exc.message]})
    except WorkflowError as exc:  # unknown trigger, not allowed from this state
        return _case_page(case, status=409, open_trigger=trigger, values=request.form,
                          errors={"_schema": [exc.message]})
    titles = "、".join(d.title for d in result.documents)
    flash(f"已{step.title}" + (f"，已生成：{titles}" if titles else ""), "success")
    return redirect(url_for("web.case_page", case_id=case.id))


@bp.get("/cases/<int(max=2147483647):case_id>/preview/<trigger>")
def preview(case_id: int, trigger: str):
    """The letters a trigger would issue now, rendered and not issued (nothing is saved)."""
    case = service.get_case(case_id, actor=g.user)
    try:
        drafts = service.preview_letters(case, trigger, actor=g.user)
    except NotPermitted:
        raise  # 403, as firing it would be
    except WorkflowError as exc:
        return render_template("error.html", title="无法预览", message=exc.message), 409
    return render_template("preview.html", case=case, trigger=trigger, drafts=drafts,
                           title=get_engine(case.process).step(trigger, case.state).title)


# -- letters -------------------------------------------------------------------------------------
@bp.get("/documents/<int(max=2147483647):document_id>")
def letter(document_id: int):
    doc = documents.get_document(document_id, actor=g.user)
    return stored_file(doc.content, media_type=DOCX, ascii_name=f"document-{doc.id}.docx", filename=doc.filename,
                       sha256=doc.sha256)


@bp.get("/documents/<int(max=2147483647):document_id>/pdf")
def letter_pdf(document_id: int):
    doc = documents.get_document_pdf(document_id, actor=g.user)
    return stored_file(doc.pdf, media_type="application/pdf", ascii_name=f"document-{doc.id}.pdf",
                       filename=doc.filename.removesuffix(".docx") + ".pdf", sha256=doc.pdf_sha256, inline=True)


# -- exports ------------------------------------------------------------------------------------------
@bp.get("/cases/export.<any(csv, xlsx):fmt>")
def export_cases(fmt: str):
    filters, errors = case_filter_from(request.args)
    if errors:
        return render_template("error.html", title="导出条件有误",
                               message="；".join(f"{k}：{'、'.join(v)}" for k, v in errors.items())), 422
    try:
        rows = exports.case_rows(g.user, **filters)
        first = next(rows)  # the filters are checked here, before the response starts
    except WorkflowError as exc:  # named by field, as the list names them
        errors = getattr(exc, "errors", None) or exc.details.get("errors") or {"process": [exc.message]}
        return render_template("error.html", title="导出条件有误",
                               message="；".join(f"{k}：{'、'.join(v)}" for k, v in errors.items())), 422
    return table_download(itertools.chain([first], rows), fmt, ascii_stem="cases", title="案件列表")


@bp.post("/documents/<int(max=2147483647):document_id>/delivery")
def record_delivery(document_id: int):
    """Record how and when a letter was served (once; a record is never overwritten)."""
    doc = documents.get_document(document_id, actor=g.user)
    form = request.form
    served_on = None
    errors = {}
    try:
        served_on = dt.date.fromisoformat(form.get("served_on", ""))
    except ValueError:
        errors["served_on"] = ["应为日期，格式 YYYY-MM-DD"]
    if not errors:
        try:
            deliveries.record_delivery(doc.id, actor=g.user, method=form.get("method", ""), served_on=served_on,
                                       tracking_number=form.get("tracking_number", ""), note=form.get("note", ""))
        except InvalidData as exc:
            errors = flat_errors(exc.errors)
        except WorkflowError as exc:  # already served, not permitted
            errors = {"_schema": [exc.message]}
    if errors:
        case = service.get_case(doc.case_id, actor=g.user)
        return _case_page(case, status=422, open_trigger=f"serve-{doc.id}", values=form, errors=errors)
    flash(f"已登记送达：{doc.number}", "success")
    return redirect(url_for("web.case_page", case_id=doc.case_id) + "#letters-h")
