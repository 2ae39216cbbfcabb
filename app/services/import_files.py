"""Import files: the rows of a CSV (UTF-8, with or without BOM) or .xlsx file, the header matched to a
process's columns, and each cell converted to what the registration schema expects."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from . import timesource
from .import_columns import Column

EXCEL_DIGITS = 15  # Excel keeps 15 significant digits: a longer number typed in a cell is already altered


class FileError(Exception):
    """The file cannot be read as a table; ``line`` when known."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line, self.message = line, message


# -- reading ---------------------------------------------------------------------------------------
def read_rows(content: bytes, filename: str = "") -> list[tuple[int, list]]:
    """(line, cells) for each non-blank row, the header first; the line is the 1-based line of a CSV
    file (where a record starts) or the row number of the first worksheet of an .xlsx file."""
    if filename.lower().endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        return _read_xlsx(content)
    if filename.lower().endswith(".xls"):
        raise FileError(None, "不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV UTF-8")
    return _read_csv(content)


def _read_csv(content: bytes) -> list[tuple[int, list]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[:exc.start].count(b"\n") + 1
        raise FileError(line, f"CSV 文件应为 UTF-8 编码（第 {line} 行无法按 UTF-8 读取）；"
                               "在 Excel 中请另存为“CSV UTF-8（逗号分隔）”") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, start = [], 1
    try:
        for cells in reader:
            if any(cells):
                rows.append((start, cells))
            start = reader.line_num + 1  # a quoted cell may span lines: report where the record starts
    except csv.Error as exc:
        raise FileError(start, f"CSV 格式错误（第 {start} 行起）：{exc}") from None
    return rows


def _read_xlsx(content: bytes) -> list[tuple[int, list]]:
    # openpyxl warns about workbook features it drops (data validation, extensions): only values matter here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # a corrupt or foreign file fails in many ways inside openpyxl and zipfile
            raise FileError(None, "无法读取 .xlsx 文件（文件损坏或不是 Excel 工作簿）") from None
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # some writers store a wrong sheet size; read every row that exists
            return [(line, list(cells)) for line, cells in enumerate(sheet.iter_rows(values_only=True), 1)
                    if any(c is not None and c != "" for c in cells)]
        finally:
            book.close()


def match_header(cells: list, cols: list[Column]) -> tuple[list[Column | None], dict]:
    """Each position's column (None: no header); errors keyed by the header text."""
    by_name = {c.name: c for c in cols}
    by_label = {c.label: c for c in cols if c.label}
    found: list[Column | None] = []
    errors: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for index, cell in enumerate(cells):
        text = "" if cell is None else str(cell).strip()
        col = by_name.get(text) or by_label.get(text)
        if text and col is None:
            errors[text] = ["未知列（列名见 docs/bulk_import.md 或 GET /api/v1/imports/columns）"]
        if col is not None and col.name in seen:
            errors[col.name] = [f"列重复：第 {get_column_letter(seen[col.name] + 1)} 列和第 "
                                f"{get_column_letter(index + 1)} 列"]
            col = None
        if col is not None:
            seen[col.name] = index
        found.append(col)
    for col in cols:
        if col.required and col.name not in seen:
            errors.setdefault(col.name, []).append("缺少必填列")
    return found, errors


# -- cells -----------------------------------------------------------------------------------------
_ABSENT = object()
_SLASH_DATE = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})")


def convert_cell(col: Column, value: Any) -> Any:
    """A cell as the schema expects it (strings kept exactly as typed); _ABSENT for an empty cell; raise
    ValueError with the message for a cell that cannot be that column's value."""
    if value is None or value == "":
        return _ABSENT
    if isinstance(value, str):
        if col.kind == "integer" and re.fullmatch(r"[+-]?\d+", value):
            return int(value)
        if col.kind == "boolean" and value in ("是", "否"):
            return value == "是"
        if col.kind == "date" and (m := _SLASH_DATE.fullmatch(value)):
            return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
        return value
    if isinstance(value, dt.datetime):  # an Excel date or date-time cell
        if col.kind == "date":
            if value.time() != dt.time(0):
                raise ValueError("应为日期，不含时间")
            return value.date().isoformat()
        if col.kind == "datetime" and value.tzinfo is None:
            # Excel has no time zones: a date-time cell is the agency's wall-clock time (Asia/Shanghai).
            return value.replace(tzinfo=timesource.local_zone()).isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if col.kind in ("integer", "number"):
            return int(value) if isinstance(value, float) and value.is_integer() and col.kind == "integer" else value
        if abs(value) >= 10 ** EXCEL_DIGITS:
            raise ValueError("此单元格是数字，超过 15 位的数字已被 Excel 改写；请把该列设为“文本”格式后重新输入")
        return str(int(value)) if isinstance(value, int) or value.is_integer() else str(value)
    return str(value)


def convert_row(found: list[Column | None], cells: list) -> tuple[dict, dict]:
    """The row's data by field name (empty cells left out) and the cells that could not be converted."""
    data, errors = {}, {}
    for index, value in enumerate(cells):
        col = found[index] if index < len(found) else None
        if col is None:
            if value is not None and value != "":
                errors[f"第 {get_column_letter(index + 1)} 列"] = ["此列没有列名，不能导入其中的数据"]
            continue
        try:
            converted = convert_cell(col, value)
        except ValueError as exc:
            errors[col.name] = [str(exc)]
            continue
        if converted is not _ABSENT:
            data[col.name] = converted
    return data, errors
