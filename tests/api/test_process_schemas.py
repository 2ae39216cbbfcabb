"""GET /processes/{name} describes the payloads: the JSON Schema (2020-12) of the registration data and of
each trigger's data, with Chinese titles, formats, limits, nested objects and titled choices."""
from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from tests import factories as f
from tests.api.helpers import Api


@pytest.fixture
def definition(app):
    f.user("handler", role="handler")
    response = Api(app, "handler").get("api.get_process_definition", name="disclosure_request")
    assert response.status_code == 200
    return response.get_json()


def trigger_schema(definition, trigger):
    return next(t["schema"] for t in definition["triggers"] if t["trigger"] == trigger)


def test_the_registration_schema_has_labels_formats_limits_and_titled_choices(definition):
    schema = definition["registration_schema"]
    Draft202012Validator.check_schema(schema)
    props = schema["properties"]
    assert schema["additionalProperties"] is False and "applicant_name" in schema["required"]
    assert props["applicant_name"]["title"] == "申请人姓名或名称" and props["applicant_name"]["maxLength"] == 200
    assert props["email"]["format"] == "email" and props["email"]["maxLength"] == 200
    assert props["postcode"]["pattern"] == r"^\d{6}$"
    assert props["arrived_on"]["format"] == "date"
    channel = props["channel"]
    titles = channel["x-enum-titles"]
    assert set(channel["enum"]) == set(titles) and "online" in titles
    assert channel["oneOf"] == [{"const": code, "title": titles[code]} for code in channel["enum"]]


def test_a_valid_registration_satisfies_its_schema_and_an_invalid_one_does_not(definition):
    validator = Draft202012Validator(definition["registration_schema"],
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(f.registration())) == []
    bad = {**f.registration(), "channel": "pigeon", "postcode": "12", "extra": 1}
    assert {e.validator for e in validator.iter_errors(bad)} >= {"enum", "pattern", "additionalProperties"}


def test_trigger_schemas_include_nested_objects_limits_and_labels(definition):
    proposal = trigger_schema(definition, "propose_reply")
    parts = proposal["properties"]["withheld_parts"]
    assert parts["type"] == "array" and parts["maxItems"] == 50 and parts["title"] == "不予公开的部分"
    ground = parts["items"]["properties"]["ground"]
    assert ground["title"] and ground["oneOf"][0]["title"]
    assert proposal["properties"]["earlier_reply"]["properties"]["date"]["format"] == "date"
    days = trigger_schema(definition, "extend")["properties"]["days"]
    assert (days["minimum"], days["maximum"], days["title"]) == (1, 20, "延长天数（工作日）")
    items = trigger_schema(definition, "request_correction")["properties"]["items"]
    assert (items["maxItems"], items["items"]["maxLength"]) == (30, 1000)
    assert trigger_schema(definition, "accept") == {"type": "object", "properties": {}, "additionalProperties": False,
                                                     "description": "此操作不接受数据"}


def test_every_field_of_every_payload_has_a_chinese_title(app):
    f.user("handler", role="handler")
    items = Api(app, "handler").get("api.list_processes").get_json()["items"]

    def untitled(schema, where):
        for name, prop in schema.get("properties", {}).items():
            if "title" not in prop:
                yield f"{where}.{name}"
            yield from untitled(prop, f"{where}.{name}")
            yield from untitled(prop.get("items", {}), f"{where}.{name}[]")

    missing = [m for p in items for m in untitled(p["registration_schema"], p["name"])]
    missing += [m for p in items for t in p["triggers"] for m in untitled(t["schema"], f"{p['name']}.{t['trigger']}")]
    assert sorted(set(missing)) == []


def test_date_times_are_instants(app):
    f.user("handler", role="handler")
    definition = Api(app, "handler").get("api.get_process_definition", name="opinion_response").get_json()
    released = trigger_schema(definition, "release_information")["properties"]["released_at"]
    assert released["format"] == "date-time"
