"""Forms generated from a process's marshmallow schemas: each field with its Chinese label, help text,
choices and their titles, read from the field's metadata (``workflow.fields.described``). The pages only
present and collect; the service validates with the same schema and its messages are shown beside each
field. What a person typed is sent back into the form unchanged when it is refused."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from marshmallow import Schema, fields, validate

LONG_TEXT = 200  # a text field allowing more characters than this is a text area
LIST_ROWS = 3  # blank rows offered for a list of nested records


@dataclass
class FormField:
    name: str  # the form's input name: dotted for nested records, "parts.0.ground" for list rows
    key: str  # the schema's field name
    kind: str  # text, textarea, lines, select, checkboxes, yesno, date, datetime, integer, email, group, rows
    label: str
    help: str = ""
    required: bool = False
    choices: list[tuple[str, str]] = field(default_factory=list)
    groups: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)  # choices under headings
    max_length: int | None = None
    children: list[FormField] = field(default_factory=list)  # a group's fields
    rows: list[list[FormField]] = field(default_factory=list)  # a list of records: one field list per row
    id_prefix: str = "f-"  # one per form, so that two forms of a page never share an element id

    @property
    def id(self) -> str:
        return self.id_prefix + self.name.replace(".", "-")


def form_fields(schema: type[Schema] | None, prefix: str = "", rows: dict | None = None,
                id_prefix: str = "f-") -> list[FormField]:
    """The fields of a schema, in declaration order; ``rows`` says how many rows each list of records
    shows (the submitted count when a form comes back); ``id_prefix`` starts their element ids (a page
    with several forms gives each its own)."""
    if schema is None:
        return []
    out = []
    for key, f in schema._declared_fields.items():
        if f.dump_only:
            continue
        out.append(_field(key, f, prefix, rows or {}, id_prefix))
    return out


def _field(key: str, f: fields.Field, prefix: str, rows: dict, id_prefix: str) -> FormField:
    meta = f.metadata
    name = prefix + key
    out = FormField(name=name, key=key, kind="text", label=meta.get("title") or key,
                    help=meta.get("description", ""), required=f.required, id_prefix=id_prefix)
    if isinstance(f, fields.Nested):
        out.kind, out.children = "group", form_fields(_schema_of(f), name + ".", rows, id_prefix)
    elif isinstance(f, fields.List) and isinstance(f.inner, fields.Nested):
        count = max(rows.get(name, 0), 1 if f.required else 0) + LIST_ROWS
        out.kind = "rows"
        out.rows = [form_fields(_schema_of(f.inner), f"{name}.{i}.", rows, id_prefix) for i in range(count)]
    elif isinstance(f, fields.List):
        inner_choices = _choices(f.inner)
        if inner_choices:
            out.kind, out.choices = "checkboxes", inner_choices
        else:
            out.kind, out.max_length = "lines", _max_length(f.inner)
    elif isinstance(f, fields.Boolean):
        out.kind = "yesno"
    elif isinstance(f, fields.Date):
        out.kind = "date"
    elif isinstance(f, fields.DateTime):
        out.kind = "datetime"
    elif isinstance(f, fields.Integer):
        out.kind = "integer"
    elif _choices(f):
        out.kind, out.choices = "select", _choices(f)
        titles = dict(out.choices)
        out.groups = [(heading, [(code, titles.get(code, code)) for code in codes])
                      for heading, codes in meta.get("x-choice-groups", {}).items()]
    elif isinstance(f, fields.Email):
        out.kind, out.max_length = "email", _max_length(f)
    else:
        out.max_length = _max_length(f)
        patterned = any(isinstance(v, validate.Regexp) for v in _validators(f))  # a code: one line
        out.kind = "text" if patterned or (out.max_length or LONG_TEXT + 1) <= LONG_TEXT else "textarea"
    return out


def _schema_of(f: fields.Nested) -> type[Schema]:
    nested = f.nested
    return nested if isinstance(nested, type) else type(nested)


def _choices(f: fields.Field) -> list[tuple[str, str]]:
    titles = f.metadata.get("x-enum-titles") or {}
    for v in _validators(f):
        if isinstance(v, validate.OneOf):
            return [(str(code), titles.get(code, str(code))) for code in v.choices]
    return []


def _max_length(f: fields.Field) -> int | None:
    for v in _validators(f):
        if isinstance(v, validate.Length) and v.max is not None:
            return v.max
    return None


def _validators(f: fields.Field) -> list:
    return list(f.validators or [])


# -- reading a submitted form -----------------------------------------------------------------------
def read(schema: type[Schema] | None, form, prefix: str = "") -> dict:
    """The data a form submitted, shaped as the schema loads it: empty inputs left out (an optional field
    not given), text exactly as typed, one line per item for a list of texts."""
    data = {}
    for key, f in ((schema._declared_fields.items()) if schema else ()):
        name = prefix + key
        value = _read_field(f, name, form)
        if value is not None:
            data[key] = value
    return data


def _read_field(f: fields.Field, name: str, form):
    if isinstance(f, fields.Nested):
        value = read(_schema_of(f), form, name + ".")
        return value or None
    if isinstance(f, fields.List) and isinstance(f.inner, fields.Nested):
        items = []
        for i in range(row_count(form, name)):
            item = read(_schema_of(f.inner), form, f"{name}.{i}.")
            if item:
                items.append(item)
        return items or None
    if isinstance(f, fields.List):
        if _choices(f.inner):
            return form.getlist(name) or None
        text = form.get(name, "")
        lines = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
        return lines or None
    raw = form.get(name)
    if raw is None or raw == "":
        return None
    if isinstance(f, fields.Boolean):
        return {"yes": True, "no": False}.get(raw, raw)
    if isinstance(f, fields.Integer):
        return int(raw) if raw.strip().isascii() and raw.strip().lstrip("-").isdigit() else raw
    if isinstance(f, fields.DateTime):
        return _with_offset(raw)
    return raw


def row_count(form, name: str) -> int:
    """How many rows of a list of records a form submitted (the highest row index present, plus one)."""
    prefix = name + "."
    indices = [int(k[len(prefix):].split(".", 1)[0]) for k in form.keys()
               if k.startswith(prefix) and k[len(prefix):].split(".", 1)[0].isdigit()]
    return max(indices) + 1 if indices else 0


def row_counts(schema: type[Schema] | None, form) -> dict:
    counts = {}
    for key, f in ((schema._declared_fields.items()) if schema else ()):
        if isinstance(f, fields.List) and isinstance(f.inner, fields.Nested):
            counts[key] = row_count(form, key)
    return counts


def _with_offset(raw: str) -> str:
    """A browser's datetime-local value ("2026-11-27T09:30") is Beijing time: give it its offset."""
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        return raw  # refused by the schema, with its message
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return value.isoformat()


def flat_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """The service's nested error messages keyed by form input name ("parts.0.ground")."""
    out: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                out.update(flat_errors(value, name + "."))
            elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                out[name] = value
            elif isinstance(value, list):
                out[name] = [str(v) for v in value]
            else:
                out[name] = [str(value)]
    elif errors:
        out[prefix.rstrip(".") or "_schema"] = [str(e) for e in errors] if isinstance(errors, list) else [str(errors)]
    return out


def labels(fields_: list[FormField]) -> dict[str, str]:
    """Input name -> label of every field, nested ones included (the error summary names fields by label)."""
    out = {}
    for f in fields_:
        out[f.name] = f.label
        out.update(labels(f.children))
        for i, row in enumerate(f.rows, start=1):
            out.update({k: f"{f.label} 第 {i} 项 {v}" for k, v in labels(row).items()})
    return out


def page_number(args) -> int:
    """The ``page`` query argument of a list, 1 when it is missing or not a page number."""
    raw = args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100000 else 1
