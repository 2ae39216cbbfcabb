"""The columns of a bulk-import file, listed from a process's registration schema: one list feeds the import
(header check, cell conversion), GET /api/v1/imports/columns and the tables of docs/bulk_import.md."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from marshmallow import fields, validate

from workflow.engine import Process
from workflow.processes import PROCESSES, get_process

KIND_FORMATS = {
    "text": "文本",
    "choice": "代码，取值见“允许值”",
    "date": "日期 YYYY-MM-DD（也接受 YYYY/M/D；xlsx 可用日期单元格）",
    "datetime": "时间 YYYY-MM-DDTHH:MM:SS+08:00（xlsx 日期时间单元格按北京时间理解）",
    "integer": "整数",
    "number": "数字",
    "boolean": "是 或 否（也接受 true / false）",
    "email": "电子邮箱地址",
}
# The same formats in English, for the column tables of docs/bulk_import.md. (The Chinese ``format`` above is
# what GET /api/v1/imports/columns returns to the caseworker UI.)
KIND_FORMATS_EN = {
    "text": "text",
    "choice": "code, see “Allowed values”",
    "date": "date YYYY-MM-DD (YYYY/M/D also accepted; date cells in .xlsx)",
    "datetime": "date-time YYYY-MM-DDTHH:MM:SS+08:00 (.xlsx date-time cells are read as Beijing time)",
    "integer": "integer",
    "number": "number",
    "boolean": "是 or 否 (true / false also accepted)",
    "email": "email address",
}


@dataclass(frozen=True)
class Column:
    """One importable field: its header name, label, whether it is required, its format and allowed values."""

    name: str
    label: str
    required: bool
    kind: str
    format: str
    choices: dict[str, str] = field(default_factory=dict)  # code -> Chinese label ("" when unknown)
    format_en: str = ""  # ``format`` in English, for the documentation only (not part of to_dict)

    def to_dict(self) -> dict:
        out = asdict(self)
        del out["format_en"]
        return out


class NotImportable(ValueError):
    """The process's registration has a field a spreadsheet cell cannot hold (a list or a nested object)."""


def import_key(process: Process) -> tuple[str, ...]:
    """The process's natural key (field names): rows with the same values are the same case, reported as
    duplicates within the file and against existing cases; () when it has none."""
    return tuple(process.import_key)


def columns(process: Process | str) -> list[Column]:
    """Every importable column of a process, in the schema's order; raise NotImportable when a required
    field cannot be a cell."""
    process = get_process(process) if isinstance(process, str) else process
    schema = process.registration_schema()
    out = []
    # The shared ``comment`` of Base comes first in the schema; it reads better as the last column.
    for name, fld in sorted(schema.fields.items(), key=lambda kv: kv[0] == "comment"):
        if fld.dump_only:
            continue
        kind = _kind(fld)
        if kind is None:
            if fld.required:
                raise NotImportable(f"流程 {process.name} 的必填字段 {name} 不是单一值，不能批量导入")
            continue
        choices = _choices(fld)
        label = fld.metadata.get("title", "")
        out.append(Column(name, label, bool(fld.required), "choice" if choices is not None else kind,
                          _format(fld, kind, choices), choices or {}, _format(fld, kind, choices, english=True)))
    return out


def _kind(fld: fields.Field) -> str | None:
    for cls, kind in ((fields.Email, "email"), (fields.String, "text"), (fields.Date, "date"),
                      (fields.DateTime, "datetime"), (fields.Integer, "integer"), (fields.Number, "number"),
                      (fields.Boolean, "boolean")):
        if isinstance(fld, cls):
            return kind
    return None


def _choices(fld: fields.Field) -> dict[str, str] | None:
    """A choice field's codes with their Chinese titles (the field's ``x-enum-titles``; "" when none)."""
    one_of = next((v for v in fld.validators if isinstance(v, validate.OneOf)), None)
    if one_of is None:
        return None
    titles = fld.metadata.get("x-enum-titles", {})
    return {code: titles.get(code, "") for code in one_of.choices}


def _format(fld: fields.Field, kind: str, choices, english: bool = False) -> str:
    """The cell format of a field: in Chinese (the API and UI), or in English (the documentation)."""
    parts = [(KIND_FORMATS_EN if english else KIND_FORMATS)["choice" if choices is not None else kind]]
    for v in fld.validators:
        if isinstance(v, validate.Length) and v.max is not None and kind == "text" and choices is None:
            parts.append(f"at most {v.max} characters" if english else f"不超过 {v.max} 个字符")
        elif isinstance(v, validate.Range) and (v.min is not None or v.max is not None):
            bounds = f"{'' if v.min is None else v.min}–{'' if v.max is None else v.max}"
            parts.append(f"range {bounds}" if english else bounds)
        elif isinstance(v, validate.Regexp) and isinstance(v.error, str) and "{" not in v.error:
            # The error message is what the user sees, so it stays in Chinese in both versions.
            parts.append(f"invalid values are rejected with “{v.error}”" if english else v.error)
    return ("; " if english else "，").join(parts)


# -- documentation ---------------------------------------------------------------------------------
DOC_BEGIN, DOC_END = "<!-- columns:begin (generated: flask import-columns --write-doc) -->", "<!-- columns:end -->"


def columns_markdown(process: Process | str) -> str:
    """The column table of one process, in Markdown."""
    process = get_process(process) if isinstance(process, str) else process
    key = import_key(process)
    lines = [f"### {process.name} — {process.title}", ""]
    lines.append("Natural key (duplicate check): "
                 + (", ".join(f"`{k}`" for k in key) if key else "none; two identical rows are duplicates"))
    lines += ["", "| Column (header) | Label (also accepted as header) | Required | Format | Allowed values |",
              "|---|---|---|---|---|"]
    for col in columns(process):
        allowed = "<br>".join(f"`{code}` {label}".rstrip() for code, label in col.choices.items())
        # Required is 是/否 (yes/no), as the boolean cells are written.
        lines.append(f"| `{col.name}` | {col.label} | {'是' if col.required else '否'} | {col.format_en} | {allowed} |")
    return "\n".join(lines) + "\n"


def all_columns_markdown() -> str:
    """The generated block of docs/bulk_import.md: one table per registered, importable process."""
    parts = []
    for process in PROCESSES.values():
        try:
            parts.append(columns_markdown(process))
        except NotImportable as exc:
            parts.append(f"### {process.name} — {process.title}\n\nBulk import is not supported: {exc}\n")
    return "\n".join(parts)


def refresh_doc(text: str) -> str:
    """The document with its generated block replaced by the current tables."""
    head, _, rest = text.partition(DOC_BEGIN)
    _, _, tail = rest.partition(DOC_END)
    return f"{head}{DOC_BEGIN}\n\n{all_columns_markdown()}\n{DOC_END}{tail}"
