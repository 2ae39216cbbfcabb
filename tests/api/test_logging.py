"""Every refusal and conflict is logged at INFO with the case, trigger, actor and reason; every server error
at ERROR with its traceback; LOG_FORMAT=json writes one JSON object per line."""
from __future__ import annotations

import json
import logging

import pytest

from app import create_app
from app.extensions import db
from app.log_format import JsonFormatter
from config import TestingConfig
from tests import factories as f
from tests.api.helpers import Api, fire, register


@pytest.fixture(autouse=True)
def api_logger_enabled():
    # Running the migrations (alembic's fileConfig) disables the loggers that existed before it.
    logging.getLogger("api").disabled = False


@pytest.fixture
def handler(app):
    f.user("handler", role="handler")
    return Api(app, "handler")


def refusals(caplog):
    return [r for r in caplog.records if r.name == "api" and getattr(r, "event", None) == "refusal"]


def test_a_trigger_not_allowed_in_the_state_is_logged_with_case_trigger_actor_and_code(app, handler, caplog):
    case = register(handler)
    caplog.set_level(logging.INFO, logger="api")
    fire(handler, case, "approve", expect=409)
    (record,) = refusals(caplog)
    assert record.levelno == logging.INFO
    assert (record.status, record.code, record.case_id, record.trigger, record.actor) == (
        409, "trigger_not_allowed", case["id"], "approve", "handler")
    assert "当前状态" in record.reason and f"case={case['id']}" in record.getMessage()


def test_invalid_data_and_a_forbidden_role_are_logged(app, handler, caplog):
    f.user("auditor", role="auditor")
    auditor = Api(app, "auditor")
    caplog.set_level(logging.INFO, logger="api")
    assert handler.post("api.create_case", json={"process": "disclosure_request", "data": {}}).status_code == 422
    assert auditor.post("api.create_case", json={"process": "disclosure_request",
                                                   "data": f.registration()}).status_code == 403
    logged = [(r.status, r.code, r.actor) for r in refusals(caplog)]
    assert logged == [(422, "invalid_data", "handler"), (403, "not_permitted", "auditor")]
    assert "applicant_name" in refusals(caplog)[0].errors


def test_a_server_error_is_logged_with_its_traceback(database_url, clock, monkeypatch, caplog):
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": database_url, "CLOCK": clock,
                                     "PROPAGATE_EXCEPTIONS": False})
    with app.app_context():
        f.user("handler", role="handler")
        api = Api(app, "handler")

        def broken(*args, **kwargs):
            raise RuntimeError("the disk is full")

        monkeypatch.setattr("app.services.cases.get_case", broken)
        caplog.set_level(logging.INFO, logger="api")
        response = api.get("api.get_case", case_id=1)
        assert response.status_code == 500 and response.get_json()["code"] == "internal_server_error"
        (record,) = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "api"]
        assert record.exc_info[0] is RuntimeError and record.actor == "handler"
        assert "the disk is full" in JsonFormatter().format(record)
        db.session.remove()
        db.engine.dispose()


def test_json_lines_carry_the_fields_and_the_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("api", logging.ERROR, __file__, 1, "failed %s", ("x",), __import__("sys").exc_info())
    record.case_id, record.actor = 7, "handler"
    line = json.loads(JsonFormatter().format(record))
    assert (line["level"], line["logger"], line["message"], line["case_id"], line["actor"]) == (
        "ERROR", "api", "failed x", 7, "handler")
    assert "ValueError: boom" in line["traceback"]


def test_an_unknown_log_format_is_refused_at_start_up():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://", "LOG_FORMAT": "xml"})
