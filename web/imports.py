"""The bulk-import page: choose a process and a mode, upload a CSV or .xlsx file, watch the rows being
validated and imported, then read the line-by-line report. The templates to fill in (.xlsx or CSV) are made
from the same column list the import reads (app.services.import_columns).

The import runs in a thread of its own (its own application context and database session) while the page
streams: the service's progress callback feeds a queue, and the page's generator turns each step into a
``<progress>`` line as it arrives, so a browser shows the progress of a 10,000-row file with no script and a
single worker."""
from __future__ import annotations

import csv
import io
import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import quote

from flask import (
    Response,
    current_app,
    g,
    get_template_attribute,
    render_template,
    request,
    send_file,
    stream_with_context,
)
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from app.downloads import XLSX
from app.services import bulk_import as service
from app.services.import_columns import Column, NotImportable, columns, import_key
from app.services.users import find_user
from workflow.engine import ROLE_TITLES
from workflow.errors import InvalidData, NotPermitted, WorkflowError
from workflow.processes import PROCESSES

from . import bootstrap, bp
from .forms import flat_errors

MODE_TITLES = {
    service.ALL_OR_NOTHING: "全部正确才导入：文件中有任何错误，一件也不导入",
    service.GOOD_ROWS_ONLY: "只导入正确的行：跳过有错误的行，其余照常导入",
}
STAGE_TITLES = {"validate": "校验", "import": "导入"}
# Where the progress lines go in the running page (import_run.html): the page is rendered once, sent up to
# here, then the progress and the report follow as the import runs.
SLOT = "<!-- import-progress -->"
TEMPLATE_ROWS = 20_000  # rows of the .xlsx template that carry the drop-down lists and cell formats

log = logging.getLogger(__name__)


def importable(role: str) -> list:
    """The processes a user of this role may import (the service's roles, limited to those who may register
    a case of the process) whose registration fits in the cells of a row."""
    out = []
    for process in PROCESSES.values():
        if role not in service.IMPORT_ROLES or role not in process.open_roles:
            continue
        try:
            columns(process)
        except NotImportable:
            continue
        out.append(process)
    return out


def _require_import_role() -> list:
    allowed = importable(g.user.role)
    if not allowed:
        roles = "、".join(ROLE_TITLES[r] for r in service.IMPORT_ROLES)
        raise NotPermitted(f"批量导入需要角色：{roles}；您的角色（{ROLE_TITLES[g.user.role]}）不能批量导入")
    return allowed


@bp.app_context_processor
def import_helpers():
    return {"import_roles": service.IMPORT_ROLES}


# -- the form ----------------------------------------------------------------------------------------
@bp.get("/cases/import")
def import_form():
    allowed = _require_import_role()
    return _form(allowed, request.args.get("process"), service.ALL_OR_NOTHING, {})


def _form(allowed: list, chosen: str | None, mode: str, errors: dict, status: int = 200):
    names = [p.name for p in allowed]
    chosen = chosen if chosen in names else names[0]
    process = PROCESSES[chosen]
    return render_template("import.html", allowed=allowed, chosen=chosen, mode=mode, modes=MODE_TITLES,
                           errors=errors, columns=columns(process), key=import_key(process),
                           max_rows=service.MAX_ROWS), status


@bp.post("/cases/import")
def import_upload():
    allowed = _require_import_role()
    process, mode = request.form.get("process", ""), request.form.get("mode", "")
    upload = request.files.get("file")
    errors: dict[str, list[str]] = {}
    if process not in [p.name for p in allowed]:
        errors["process"] = ["请选择要导入的流程"]
    if mode not in service.MODES:
        errors["mode"] = ["请选择导入方式"]
    content = upload.read() if upload is not None else b""
    if upload is None or not upload.filename:
        errors["file"] = ["请选择要上传的文件（CSV UTF-8 或 .xlsx）"]
    elif not content:
        errors["file"] = ["文件是空的"]
    if errors:
        return _form(allowed, process, mode if mode in service.MODES else service.ALL_OR_NOTHING, errors, 422)
    run = ImportRun(current_app._get_current_object(), username=g.user.username, agency_code=g.user.agency_code,
                    process=process, content=content, filename=upload.filename, mode=mode)
    page = render_template("import_run.html", process=PROCESSES[process], mode=mode, modes=MODE_TITLES,
                           filename=upload.filename, slot=SLOT, inline_styles=_inline_styles())
    head, tail = page.split(SLOT, 1)
    response = Response(stream_with_context(_stream(run, head, tail)), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # a proxy in front (nginx) passes each part on at once
    return response


def _inline_styles() -> Markup:
    """Bootstrap's stylesheet and the pages' own, as the text of a <style> element."""
    return _stylesheets((Path(current_app.blueprints["bootstrap"].static_folder, "css", bootstrap.bootstrap_css_filename),
                         Path(bp.static_folder, "app.css")))


@cache
def _stylesheets(paths: tuple[Path, ...]) -> Markup:
    text = "\n".join(path.read_text(encoding="utf-8") for path in paths)
    if "</" in text:  # could end the <style> element early
        text = text.replace("</", "<\\/")
    return Markup(text)


def _stream(run: ImportRun, head: str, tail: str) -> Iterator[str]:
    yield head
    line = get_template_attribute("import_progress.html", "progress_line")
    for stage, done, total in run:
        yield str(line(stage, STAGE_TITLES.get(stage, stage), done, total))
    report = run.report
    yield render_template("import_report.html", run=run, report=report, labels=_labels(run.process),
                          bad=service.bad_rows(report) if report else 0, process=PROCESSES[run.process])
    yield tail


def _labels(process: str) -> dict[str, str]:
    labels = {c.name: c.label for c in columns(process)}
    return labels | {"_schema": "整行", "_row": "整行", "file": "文件"}


# -- the import, in a thread of its own --------------------------------------------------------------
@dataclass
class ImportRun:
    """One import running beside the page that shows it: iterate it for the progress steps (stage, done,
    total) as they happen; when the iteration ends, ``report`` (and ``failure`` if it stopped) is set."""

    app: object
    username: str
    agency_code: str
    process: str
    content: bytes
    filename: str
    mode: str
    report: dict | None = None
    failure: str = ""
    failure_errors: dict = field(default_factory=dict)
    _queue: queue.Queue = field(default_factory=queue.Queue)

    def __iter__(self) -> Iterator[tuple[str, int, int]]:
        worker = threading.Thread(target=self._work, name="bulk-import", daemon=False)
        worker.start()
        while (step := self._queue.get()) is not None:
            yield step
        worker.join()

    def _work(self) -> None:
        try:
            with self.app.app_context():
                self._import()
        finally:
            self._queue.put(None)

    def _import(self) -> None:
        try:
            # The signed-in user again, in this thread's session (an object is used by one session only).
            actor = find_user(self.username, agency_code=self.agency_code, field="user")
            self.report = service.import_cases(self.process, self.content, actor=actor, filename=self.filename,
                                               mode=self.mode, on_progress=self._progress)
        except service.ImportInterrupted as exc:
            self.report, self.failure = exc.details.get("report"), exc.message
        except InvalidData as exc:
            self.failure, self.failure_errors = exc.message, flat_errors(exc.errors)
        except WorkflowError as exc:
            self.failure = exc.message
        except Exception:
            log.exception("bulk import of %s by %s failed", self.process, self.username)
            self.failure = "导入失败：服务器内部错误，已记录日志。请稍后重试或联系系统管理员"

    def _progress(self, stage: str, done: int, total: int) -> None:
        self._queue.put((stage, done, total))


@bp.app_template_filter("import_messages")
def import_messages(errors: dict) -> list[tuple[str, str]]:
    """A report line's errors as (field, message) pairs."""
    return [(name, message) for name, messages in flat_errors(errors).items() for message in messages]


# -- the templates to fill in ------------------------------------------------------------------------
def _headers(cols: list[Column]) -> list[str]:
    """The header cells: each column's Chinese label (the import accepts it), its field name where two
    columns share a label or one has none."""
    labels = [c.label for c in cols]
    return [c.label if c.label and labels.count(c.label) == 1 else c.name for c in cols]


@bp.get("/cases/import/template/<process>.<any(csv, xlsx):fmt>")
def import_template(process: str, fmt: str):
    definition = PROCESSES.get(process)
    if definition is None:
        return render_template("error.html", title="未找到", message=f"没有流程 {process}"), 404
    try:
        cols = columns(definition)
    except NotImportable as exc:
        return render_template("error.html", title="不能批量导入", message=str(exc)), 404
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")  # Excel reads a CSV with a BOM as UTF-8
        csv.writer(out).writerow(_headers(cols))
        response = send_file(io.BytesIO(out.getvalue().encode("utf-8")), mimetype="text/csv")
    else:
        response = send_file(_template_workbook(definition, cols), mimetype=XLSX)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=import-template-{process}.{fmt}; "
        f"filename*=UTF-8''{quote(f'导入模板-{definition.title}.{fmt}')}")
    return response


def _template_workbook(process, cols: list[Column]) -> io.BytesIO:
    """A workbook whose first sheet is the file to fill in (header row, text columns formatted as text so
    long identity numbers stay exact, drop-down lists of the allowed codes) and whose second sheet says what
    each column takes. Only the first sheet is imported."""
    book = Workbook()
    sheet = book.active
    sheet.title = "导入数据"
    explain = book.create_sheet("填写说明")
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    key = import_key(process)
    for index, (col, header) in enumerate(zip(cols, _headers(cols), strict=True), start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True, color="C00000" if col.required else "000000")
        if col.required:
            cell.fill = required_fill
        note = [f"字段：{col.name}", "必填" if col.required else "选填", col.format]
        if col.choices:
            note.append("允许值：" + "；".join(f"{code} {title}".strip() for code, title in col.choices.items()))
        cell.comment = Comment("\n".join(note), "政务公开办理", width=320, height=160)
        sheet.column_dimensions[letter].width = max(12, min(40, 2 * len(header) + 4))
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        if col.kind == "text" or col.kind == "email":
            sheet.column_dimensions[letter].number_format = "@"  # typed digits stay text, never 1.1E+17
        elif col.kind == "date":
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
        codes = list(col.choices) if col.choices else (["是", "否"] if col.kind == "boolean" else [])
        if codes and len(",".join(codes)) < 250:
            rule = DataValidation(type="list", formula1='"' + ",".join(codes) + '"', allow_blank=True,
                                  showErrorMessage=True, errorTitle="取值不在列表中",
                                  error="请从下拉列表中选择（见“填写说明”）")
            rule.add(cells)
            sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"

    explain.append([f"{process.title}（{process.name}）批量导入：填写说明"])
    explain["A1"].font = Font(bold=True, size=13)
    for text in (
        "在第一个工作表“导入数据”中填写，第 1 行为列名，请勿改动；从第 2 行起每行一件案件。只读取第一个工作表。",
        "红色列名为必填列。空单元格表示未填写；其余内容按原样保存（不去除空格）。",
        "代码列填写“允许值”中的代码（可从下拉列表选择），不是中文名称。日期写作 YYYY-MM-DD 或使用日期单元格。",
        ("重复检查：" + "、".join(key) + " 相同的行视为同一案件") if key else "重复检查：完全相同的两行视为重复",
    ):
        explain.append([text])
    explain.append([])
    explain.append(["列名", "字段名", "必填", "格式", "允许值（代码 名称）"])
    for cell in explain[explain.max_row]:
        cell.font = Font(bold=True)
    for col, header in zip(cols, _headers(cols), strict=True):
        allowed = "\n".join(f"{code} {title}".strip() for code, title in col.choices.items())
        explain.append([header, col.name, "是" if col.required else "否", col.format, allowed])
        for cell in explain[explain.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDE", (28, 22, 6, 48, 40), strict=True):
        explain.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


# -- refusals ----------------------------------------------------------------------------------------
@bp.errorhandler(413)
def too_large(error):
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    return render_template("error.html", title="文件过大", message=f"上传的文件超过 {size}，请拆分后分批导入"), 413

