"""marshmallow building blocks shared by the process definitions: text that comes back exactly as typed
(no trimming, no normalisation), bounded sizes, Chinese messages a caseworker understands."""
from __future__ import annotations

import re
import unicodedata

from marshmallow import RAISE, Schema, ValidationError, fields, validate
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidComponent
from stdnum.exceptions import ValidationError as NumberError

MAX_TEXT = 5000

# marshmallow's default messages in Chinese: the one translation of validation messages, used by the
# process schemas and the API schemas alike (both derive from ChineseSchema).
_EXACT = {
    "Missing data for required field.": "必填",
    "Field may not be null.": "不能为空",
    "Unknown field.": "未知字段",
    "Invalid input type.": "应为 JSON 对象",
    "Invalid type.": "应为 JSON 对象",
    "Invalid value.": "取值无效",
    "Not a valid string.": "应为文本",
    "Not a valid utf-8 string.": "应为 UTF-8 文本",
    "Not a valid integer.": "应为整数",
    "Not a valid number.": "应为数字",
    "Number too large.": "数值过大",
    "Not a valid boolean.": "应为是或否（true / false）",
    "Not a valid date.": "应为日期，格式 YYYY-MM-DD",
    "Not a valid datetime.": "应为时间，格式 YYYY-MM-DDTHH:MM:SS+08:00",
    "Not a valid aware datetime.": "必须包含时区，例如 +08:00",
    "Not a valid naive datetime.": "不能包含时区",
    "Not a valid email address.": "电子邮箱格式不正确",
    "Not a valid mapping type.": "应为 JSON 对象",
    "Not a valid list.": "应为列表",
    "Not a valid tuple.": "应为列表",
    "String does not match expected pattern.": "格式不正确",
}
_PATTERNS = [
    (r"Longer than maximum length (\d+)\.", r"不能超过 \1 个字符"),
    (r"Shorter than minimum length (\d+)\.", r"不能少于 \1 个字符"),
    (r"Length must be between (\d+) and (\d+)\.", r"长度应在 \1 到 \2 之间"),
    (r"Length must be (\d+)\.", r"长度应为 \1"),
    (r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\.", r"应在 \1 到 \2 之间"),
    (r"Must be greater than or equal to (\S+)\.", r"不能小于 \1"),
    (r"Must be less than or equal to (\S+)\.", r"不能大于 \1"),
    (r"Must be greater than (\S+)\.", r"应大于 \1"),
    (r"Must be less than (\S+)\.", r"应小于 \1"),
    (r"Must be one of: (.*)\.", r"取值应为：\1"),
    (r'"(.*)" cannot be formatted as a (\w+)\.', r"无法格式化：\1"),
]


def translate(messages):
    """marshmallow's validation messages, at any depth, in Chinese; Chinese messages pass unchanged."""
    if isinstance(messages, dict):
        return {k: translate(v) for k, v in messages.items()}
    if isinstance(messages, list):
        return [translate(m) for m in messages]
    if isinstance(messages, str):
        if messages in _EXACT:
            return _EXACT[messages]
        for pattern, replacement in _PATTERNS:
            if re.fullmatch(pattern, messages):
                return re.sub(pattern, replacement, messages)
    return messages


class ChineseSchema(Schema):
    """The base of every schema: unknown fields are refused and validation messages are in Chinese."""

    class Meta:
        unknown = RAISE

    def handle_error(self, error, data, **kwargs):
        raise ValidationError(translate(error.messages), data=error.data, valid_data=error.valid_data)


def described(label: str | None = None, help: str | None = None, titles: dict | None = None,
              metadata: dict | None = None) -> dict:
    """A field's description as its metadata: ``title`` (the Chinese label), ``description`` (help text)
    and, for a choice, ``x-enum-titles`` (code -> Chinese title). These keys pass unchanged into the
    JSON Schema and OpenAPI documents, the forms and the bulk-import columns."""
    out = dict(metadata or {})
    if label:
        out["title"] = label
    if help:
        out["description"] = help
    if titles:
        out["x-enum-titles"] = dict(titles)
    return out


class Base(ChineseSchema):
    """The base of trigger and registration data: every one may carry a comment."""

    comment = fields.String(validate=validate.Length(max=MAX_TEXT), metadata=described("备注"))


def Text(*, required=False, max_len=MAX_TEXT, min_len=None, label=None, help=None, **kw):
    """A text field kept exactly as typed; ``min_len`` counts non-blank characters."""
    validators = [validate.Length(max=max_len, error=f"不能超过 {max_len} 个字符"), _storable]
    if required or min_len:
        validators.append(_not_blank)
    return fields.String(required=required, validate=validators,
                         metadata=described(label, help, metadata=kw.pop("metadata", None)), **kw)


def _not_blank(value: str):
    if not value.strip():
        raise ValidationError("不能为空白")


def _storable(value: str):
    """Refuse what no letter or database can hold: control characters (other than tab and line breaks)
    and lone surrogates. Everything else is kept exactly as typed."""
    problem = unstorable(value)
    if problem:
        raise ValidationError(problem)


def unstorable(value: str) -> str | None:
    """Why a text cannot be stored or looked up (a NUL byte, another control character, a lone surrogate),
    or None when it can."""
    for position, char in enumerate(value, start=1):
        category = unicodedata.category(char)
        if category == "Cs" or (category == "Cc" and char not in "\t\n\r"):
            return f"第 {position} 个字符是不可见的控制字符或无效字符（U+{ord(char):04X}），请删除后重新提交"
    return None


def Choice(values, *, required=False, label=None, help=None, **kw):
    """One code of a vocabulary. ``values`` is a dict code -> Chinese title (the titles travel with the
    field, so forms, documents and import columns show them) or, for a nested vocabulary such as
    outcome -> reasons, a dict whose keys are the codes."""
    titles = {k: v for k, v in values.items() if isinstance(v, str)} if isinstance(values, dict) else None
    return fields.String(required=required, validate=validate.OneOf(list(values), error="取值应为：{choices}"),
                         metadata=described(label, help, titles or None, kw.pop("metadata", None)), **kw)


def Date(*, required=False, label=None, help=None, **kw):
    return fields.Date(required=required, metadata=described(label, help, metadata=kw.pop("metadata", None)), **kw)


def DateTime(*, required=False, label=None, help=None, **kw):
    """An instant with its UTC offset; a time without one is refused rather than guessed (an 8-hour
    error against a 5-hour limit is not a rounding error)."""
    return fields.AwareDateTime(required=required, metadata=described(label, help, metadata=kw.pop("metadata", None)), **kw)


def Int(*, required=False, min_value=None, max_value=None, label=None, help=None, **kw):
    return fields.Integer(required=required, strict=True,
                          validate=validate.Range(min=min_value, max=max_value, error="应在 {min} 到 {max} 之间"),
                          metadata=described(label, help, metadata=kw.pop("metadata", None)), **kw)


def TextList(*, required=False, max_items=50, max_len=1000, label=None, help=None, **kw):
    return fields.List(Text(required=True, max_len=max_len), required=required,
                       validate=validate.Length(min=1 if required else 0, max=max_items,
                                                error=f"应为 1 到 {max_items} 项"),
                       metadata=described(label, help, metadata=kw.pop("metadata", None)), **kw)


# -- identity documents ------------------------------------------------------------------------
# Both checks are python-stdnum's; where it differs from what the service needs, the difference is spelled
# out here and pinned in tests/workflow/test_identity_numbers.py.
#
# Common to both: stdnum first "compacts" a number (upper-cases it, drops spaces, and for credit codes
# dashes too) and would accept " 11010519491231002x". The service keeps text exactly as typed, so a number
# is accepted only if it is already in its compact form, as before.


def valid_resident_id(number: str) -> bool:
    """GB 11643-1999: 17 ASCII digits, a real birth date, and the ISO 7064 MOD 11-2 check character.

    ``stdnum.cn.ric.validate`` checks the length, the digits, the check character and the birth date, and
    then the region code (the first six digits) against its copy of the administrative division codes,
    *in force in the year of birth*. That last check is not used: the code on a card is the one in force
    where and when the card was issued, not at birth, so it refuses real numbers (someone born in 1990
    whose first card came from 贵阳市观山湖区, created 2012, holds 520115199...), and it does not know
    830000 (Taiwan residents' residence permits). So the region code is still not checked.

    Stricter than the old check: non-ASCII digits (full-width ０-９), which the old ``\\d`` let through.
    """
    if number != ric.compact(number):
        return False
    try:
        ric.validate(number)
    except InvalidComponent:  # the birth date or the region code: only a bad birth date counts
        try:
            ric.get_birth_date(number)
        except InvalidComponent:
            return False
    except NumberError:
        return False
    return True


# GB 32100-2015 registration authorities coded by a letter: A (中央军委改革和编制办公室), N (农业),
# Y (其他). stdnum.cn.uscc wants the first eight characters to be digits.
_LETTER_AUTHORITIES = "ANY"


def valid_credit_code(code: str) -> bool:
    """GB 32100-2015 unified social credit code: 18 characters with a MOD 31 check character.

    ``stdnum.cn.uscc.validate`` checks the length, the alphabet (digits and capitals without I, O, Z, S, V),
    the check character, and that characters 1-8 (authority, entity type, region code) are digits.

    Stricter than the old check: a letter in positions 2-8 (entity type and region code are digits), and a
    letter in position 1 other than A, N, Y. Kept as before: a letter authority A, N or Y, which stdnum
    refuses; the rest of such a code is checked by stdnum with a digit standing in for the letter, and the
    check character over the real code.
    """
    if len(code) != 18 or code != uscc.compact(code):
        return False
    if code[0] in _LETTER_AUTHORITIES:
        stand_in = "1" + code[1:17]
        return (uscc.is_valid(stand_in + uscc.calc_check_digit(stand_in))
                and uscc.calc_check_digit(code) == code[17])
    return uscc.is_valid(code)


def mask_identity_number(number: str) -> str:
    """Mask a natural person's identity number for publication: keep the first 6 and last 4."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
