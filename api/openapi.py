"""The OpenAPI document, generated from the views' docstrings and the marshmallow schemas."""
from __future__ import annotations

import re
from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.yaml_utils import load_yaml_from_docstring
from flask import current_app, jsonify

from . import bp, schemas


@lru_cache(maxsize=1)
def _spec_dict(rules: tuple) -> dict:
    spec = APISpec(title="政务公开办理服务 API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name in ("TokenRequest", "CaseCreate", "TransitionRequest", "Case", "Event", "Document", "Clock",
                 "TriggerStatus", "CalendarLoad"):
        spec.components.schema(name, schema=getattr(schemas, f"{name}Schema"))
    for rule, view_doc in rules:
        operations = load_yaml_from_docstring(view_doc or "")
        if not operations:
            continue
        path, parameters = rule.replace(bp.url_prefix, "", 1), []
        for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule):
            path = re.sub(rf"<(?:\w+:)?{name}>", "{" + name + "}", path)
            parameters.append({"in": "path", "name": name, "required": True,
                               "schema": {"type": "integer" if converter == "int" else "string"}})
        spec.path(path=path, operations=operations, parameters=parameters or None)
    out = spec.to_dict()
    out["security"] = [{"bearer": []}]
    out["servers"] = [{"url": "/api/v1"}]
    return out


@bp.get("/openapi.json")
def openapi_document():
    rules = tuple(sorted((r.rule, current_app.view_functions[r.endpoint].__doc__)
                         for r in current_app.url_map.iter_rules() if r.endpoint.startswith("api.")))
    return jsonify(_spec_dict(rules))
