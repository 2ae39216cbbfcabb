"""A process is one module: a fifth process, defined only in this file, is registered and driven through the
API (registration, triggers, guards, clocks, a letter from its own template, the process description) and the
bulk import, with no edit to any shared file. When this test passes, adding a process needs its definition,
its letters with their templates, and its tests, and nothing else."""
from __future__ import annotations

import datetime as dt
import importlib.util
import io
from pathlib import Path

import docx
import pytest

from config import DEMO_GZSFT
from tests import factories as f
from tests.api.helpers import Api, url
from workflow import processes
from workflow.engine import (
    ADMIN,
    APPROVER,
    HANDLER,
    REGISTRAR,
    ClockSpec,
    Context,
    Guard,
    LetterKind,
    Process,
    State,
    Transition,
    start_clock,
    stop_all_clocks,
)
from workflow.fields import Base, Choice, Date, Text
from workflow.letters import LetterInput, base_context, cn_date

KINDS = {"inquiry": "咨询", "suggestion": "建议"}


class Registration(Base):
    subject = Text(required=True, max_len=100, label="来信事项")
    kind = Choice(KINDS, required=True, label="来信类别")
    received_on = Date(required=True, label="收到日期")
    department = Text(max_len=100, label="承办部门")


class AnswerSchema(Base):
    answer = Text(required=True, label="答复内容")


def _not_before_receipt(ctx: Context) -> bool:
    return ctx.effective_on >= dt.date.fromisoformat(ctx.data["received_on"])


def answer_record(inp: LetterInput) -> dict:
    data = inp.case["data"]
    return base_context(inp, title="来信答复记录", addressee=data.get("department") or "承办部门",
                        basis="本机关来信办理规则", received_on=cn_date(data["received_on"]), subject=data["subject"],
                        answer=inp.params["answer"])


def write_template(folder: Path) -> None:
    """The letter's wording, written with the house layout kit as a legal officer's template would be."""
    spec = importlib.util.spec_from_file_location("scaffold", Path(__file__).resolve().parents[1] / "templates_docx"
                                                  / "scaffold.py")
    kit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(kit)
    document = kit.new_document()
    for text, style in [("{{ title }}", "Letter Title"), ("{{ number }}", "Letter Number"), ("", "Normal"),
                        ("{{ addressee }}：", "Letter Addressee"), ("{{ received_on }}收到来信：{{ subject }}。", "Normal"),
                        ("答复：{{ answer }}", "Normal"), ("法律依据：{{ basis }}", "Normal"),
                        ("{{p clause_contact }}", "Normal"), ("特此记录。", "Normal"),
                        ("{{p clause_signature }}", "Normal")]:
        kit.para(document, text, style)
    document.save(str(folder / "answer_record.docx"))


LETTER_PROCESS = Process(
    name="letter_reply",
    version=1,
    title="来信答复",
    reference_code="来信",
    initial="received",
    states=(State("received", "已收到"), State("answered", "已答复", terminal=True)),
    clocks=(ClockSpec("answer", "working_days", "答复时限"),),
    registration_schema=Registration,
    rules={"answer_days": 5},
    on_open=(start_clock("answer", "answer_days", on=lambda ctx: dt.date.fromisoformat(ctx.data["received_on"])),),
    open_roles=frozenset({REGISTRAR, HANDLER, ADMIN}),
    order=5,
    import_key=("subject", "received_on"),
    transitions=(
        Transition("answer", ("received",), "answered", "答复", frozenset({HANDLER, APPROVER, ADMIN}),
                   guards=(Guard("has_date_after_receipt", _not_before_receipt, "答复日期不能早于收到日期",
                                 "本机关来信办理规则"),),
                   effects=(stop_all_clocks("已答复"),), schema=AnswerSchema, letter="answer_record"),
    ),
    # Its template is in the agency's own folder (the fixture writes it); the shared clauses come from templates_docx/.
    letters={"answer_record": LetterKind("answer_record", "来信答复记录", "来答", "answer_record.docx",
                                         answer_record, required=("basis", "answer"),
                                         variables=("received_on", "subject", "answer"))},
)


@pytest.fixture
def letter_process():
    processes.register(LETTER_PROCESS)
    yield LETTER_PROCESS
    processes.unregister(LETTER_PROCESS.name)


@pytest.fixture
def own_templates(app, tmp_path, monkeypatch):
    """The agency's own template folder, holding the new process's letter template."""
    write_template(tmp_path)
    monkeypatch.setitem(app.config, "AGENCIES", {**app.config["AGENCIES"],
                                                 "gzsft": {**DEMO_GZSFT, "templates_dir": str(tmp_path)}})
    return tmp_path


def test_a_process_defined_outside_the_package_is_registered_described_driven_and_imported(app, letter_process,
                                                                                          own_templates):
    f.user("registrar", role="registrar")
    f.user("handler", role="handler")
    registrar, handler = Api(app, "registrar"), Api(app, "handler")

    described = handler.get("api.get_process_definition", name="letter_reply").get_json()
    assert described["title"] == "来信答复"
    assert [s["name"] for s in described["states"]] == ["received", "answered"]
    assert "letter_reply" in [p["name"] for p in handler.get("api.list_processes").get_json()["items"]]

    created = registrar.post("api.create_case", json={"process": "letter_reply", "data": {
        "subject": "询问律师执业年度考核时间", "kind": "inquiry", "received_on": "2026-11-26"}})
    assert created.status_code == 201, created.get_json()
    case = created.get_json()["case"]
    assert case["reference"] == "黔司来信〔2026〕1号"
    assert case["due_on"] == "2026-12-03"  # Thu 26 Nov + 5 working days (Fri, Mon-Thu)

    refused = registrar.post("api.create_case", json={"process": "letter_reply", "data": {
        "subject": "x", "kind": "complaint", "received_on": "2026-11-26"}})
    assert refused.status_code == 422
    assert "kind" in refused.get_json()["errors"]

    triggers = handler.get("api.list_triggers", case_id=case["id"]).get_json()["triggers"]
    assert [(t["trigger"], t["allowed"]) for t in triggers] == [("answer", True)]
    fired = handler.post("api.fire_trigger", case_id=case["id"], json={
        "trigger": "answer", "data": {"answer": "每年3月31日前完成考核 & <公告>"}})
    assert fired.status_code == 201, fired.get_json()
    body = fired.get_json()
    assert body["case"]["state"] == "answered" and body["case"]["terminal"] is True
    [letter] = body["documents"]
    content = handler.get("api.get_document_content", document_id=letter["id"]).data
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    assert "来信答复记录" in text and "答复：每年3月31日前完成考核 & <公告>" in text

    upload = ("subject,kind,received_on\n询问公证收费标准,inquiry,2026-11-25\n"
              "建议公开行政复议决定,suggestion,2026-11-20\n询问公证收费标准,inquiry,2026-11-25\n").encode()
    with app.app_context():
        response = registrar.client.post(
            url("api.create_import", process="letter_reply", mode="good_rows_only"), headers=registrar.headers,
            data={"file": (io.BytesIO(upload), "letters.csv")}, content_type="multipart/form-data")
    report = response.get_json()
    assert response.status_code == 201, report
    assert (report["rows"], report["imported"]) == (3, 2)
    assert [e["line"] for e in report["errors"]] == [4]  # the same subject and date as line 2
    columns = handler.get("api.list_import_columns", process="letter_reply").get_json()
    assert columns["import_key"] == ["subject", "received_on"]
    assert {c["name"]: c["label"] for c in columns["columns"]}["kind"] == "来信类别"
    assert {c["name"]: c["choices"] for c in columns["columns"]}["kind"] == KINDS


def test_unregistering_leaves_the_shipped_processes_as_they_were(letter_process):
    assert list(processes.PROCESSES)[-1] == "letter_reply"
    processes.unregister("letter_reply")
    assert "letter_reply" not in processes.PROCESSES
    processes.register(LETTER_PROCESS)  # the fixture removes it again
