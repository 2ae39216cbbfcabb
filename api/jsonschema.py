"""JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it) of the payloads a process accepts, generated from
its marshmallow schemas by apispec's converter: the Chinese label as ``title``, the help text as
``description``, formats, limits, nested objects inline, and for a choice both ``enum`` and
``oneOf: [{const, title}]`` (the form generic clients understand) besides the original ``x-enum-titles``."""
from __future__ import annotations

import copy
from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

NO_DATA = {"type": "object", "properties": {}, "additionalProperties": False,
           "description": "此操作不接受数据"}


def _converter():
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)  # None: nested schemas inline
    APISpec(title="schemas", version="1", openapi_version="3.1.0", plugins=[plugin])
    return plugin.converter


@cache
def _cached(schema: type[Schema]) -> dict:
    return _with_enum_titles(_converter().schema2jsonschema(schema))


def json_schema(schema: type[Schema] | None) -> dict:
    """The JSON Schema of the data a schema loads; an object with no properties when there is none."""
    return copy.deepcopy(NO_DATA if schema is None else _cached(schema))


def _with_enum_titles(node):
    if isinstance(node, list):
        return [_with_enum_titles(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _with_enum_titles(v) for k, v in node.items()}
    if "enum" in out and "x-enum-titles" in out:
        titles = out["x-enum-titles"]
        out["oneOf"] = [{"const": code, "title": titles.get(code, code)} for code in out["enum"]]
    return out
