"""policy_interpretation (processes.md §2) as a pure definition: every state × trigger, the guards with their
messages and basis, the roles, the data each trigger keeps, and the 5-working-day clock counted by hand.

Hand counts use the 2026 arrangement (law.md §7.1): 中秋 25–27 Sep off, Sunday 20 Sep a make-up working day;
国庆 1–7 Oct off, Saturday 10 Oct a make-up working day. "9/30(1)" = 30 September is working day 1.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import pytest
import yaml

from app.services import letter_templates
from workflow.calendar import WorkCalendar
from workflow.clock import Clock
from workflow.engine import ADMIN, APPROVER, AUDITOR, HANDLER, REGISTRAR, Context
from workflow.errors import GuardFailed, InvalidData, NotPermitted, TriggerNotAllowed
from workflow.letters import LetterInput, check_complete
from workflow.processes import get_engine
from workflow.processes.policy_interpretation import PROCESS, RULES

D = dt.date.fromisoformat
DEMO_GZSFT = {"name": "贵州省司法厅", "short_name": "黔司", "office": "贵州省司法厅政府信息公开工作机构（厅办公室）",
         "address": "贵州省贵阳市观山湖区", "postcode": "550081", "phone": "0851-00000000"}
ARTICLES = yaml.safe_load((Path(__file__).resolve().parents[2] / "templates_docx" / "articles.yaml")
                          .read_text(encoding="utf-8"))
ENGINE = get_engine("policy_interpretation")
CALENDAR = WorkCalendar()

STATES = ["drafting", "submitted", "returned", "approved", "interpretation_pending", "published", "withdrawn"]
TRIGGERS = ["submit", "return_submission", "approve", "publish", "publish_policy_first", "publish_interpretation",
            "withdraw"]
ROLE = {"submit": HANDLER, "return_submission": APPROVER, "approve": APPROVER, "publish": HANDLER,
        "publish_policy_first": HANDLER, "publish_interpretation": HANDLER, "withdraw": HANDLER}
PARAMS = {"return_submission": {"reason": "未随文报送解读材料"},
          "publish_policy_first": {"refinement_reason": "图解材料尚在设计"}}


def complete(**overrides) -> dict:
    """A submission that meets every rule: an ordinary policy with plan, materials, forms and channels."""
    data = {"policy_title": "贵州省法律援助条例实施办法", "department": "公共法律服务管理处",
            "document_number": "黔司发〔2026〕8号", "received_on": "2026-09-01",
            "major": False, "executive_meeting": False, "plan_attached": True, "materials_attached": True,
            "interpreter": "", "interpreter_is_head": False, "forms": ["materials", "qa"],
            "channels": ["portal", "wechat_guizhou_sifa"], "other_channels": [],
            "approved_on": "2026-09-28"}
    return data | overrides


def bare(**overrides) -> dict:
    """A major policy submitted with nothing: no plan, materials, head interpreter, forms, channels or number."""
    data = {"policy_title": "关于加强公共法律服务体系建设的意见", "department": "公共法律服务管理处",
            "received_on": "2026-09-01", "major": True, "executive_meeting": False, "plan_attached": False,
            "materials_attached": False, "interpreter_is_head": False, "forms": [], "channels": [],
            "other_channels": []}
    return data | overrides


def clocks(issued_on: str | None = None, limit: int = 5) -> dict:
    out = {spec.name: Clock(spec.name, spec.kind, spec.title) for spec in PROCESS.clocks}
    if issued_on:
        out["interpretation"].start(D(issued_on), limit, rules={"interpretation_days": limit})
    return out


def context(state: str, data: dict, *, params=None, on="2026-09-29", role=ADMIN, rules=None,
            issued_on=None) -> Context:
    if state == "interpretation_pending" and issued_on is None:
        issued_on = "2026-09-29"
    if issued_on:
        data = data | {"issued_on": issued_on}
    return Context(process=PROCESS, state=state, data=dict(data), params=dict(params or {}),
                   effective_on=D(on),
                   now=dt.datetime.combine(D(on), dt.time(10), dt.timezone(dt.timedelta(hours=8))),
                   calendar=CALENDAR, rules={**RULES, **(rules or {})}, role=role, history=[],
                   clocks=clocks(issued_on, (rules or RULES)["interpretation_days"]))


# -- every state × every trigger -----------------------------------------------------------------------
F = "forbidden"
APPROVAL = {"has_interpretation_plan", "has_interpretation_materials", "has_head_as_first_interpreter",
            "has_major_policy_form"}
PUBLICATION = {"has_document_number", "has_interpretation_forms", "has_major_policy_form", "has_publication_channels"}
# state -> trigger -> (with a complete submission, with a bare major-policy submission):
# a destination state (allowed), a set of failing guard names (guarded), or F (not allowed from this state).
TABLE = {
    "drafting": {"submit": ("submitted", "submitted"), "withdraw": ("withdrawn", "withdrawn")},
    "returned": {"submit": ("submitted", "submitted"), "withdraw": ("withdrawn", "withdrawn")},
    "submitted": {"return_submission": ({"has_something_to_correct"}, "returned"),
                  "approve": ("approved", APPROVAL)},
    "approved": {"publish": ("published", PUBLICATION),
                 "publish_policy_first": ("interpretation_pending", {"has_document_number"})},
    "interpretation_pending": {"publish_interpretation": ("published", PUBLICATION)},
    "published": {},
    "withdrawn": {},
}
CELLS = [(state, trigger, which, TABLE[state].get(trigger, (F, F))[i])
         for state in STATES for trigger in TRIGGERS for i, which in enumerate(("complete", "bare"))]


@pytest.mark.parametrize("state, trigger, which, expected", CELLS,
                         ids=[f"{s}-{t}-{w}" for s, t, w, _ in CELLS])
def test_every_state_and_trigger(state, trigger, which, expected):
    data = complete() if which == "complete" else bare()
    ctx = context(state, data, params=PARAMS.get(trigger), role=ROLE[trigger])
    if expected == F:
        with pytest.raises(TriggerNotAllowed) as err:
            ENGINE.fire(trigger, ctx)
        assert err.value.details["allowed"] == [t for t in TRIGGERS if TABLE[state].get(t)]
    elif isinstance(expected, set):
        with pytest.raises(GuardFailed) as err:
            ENGINE.fire(trigger, ctx)
        assert {f.name for f in err.value.failures} == expected
        assert ctx.state == state
    else:
        assert ENGINE.fire(trigger, ctx).to_state == expected == ctx.state


def test_the_table_covers_the_contract_and_the_definition():
    assert ENGINE.triggers() == TRIGGERS and [s.name for s in PROCESS.states] == STATES
    assert set(PROCESS.terminal_states) == {"published", "withdrawn"} and PROCESS.initial == "drafting"
    for state in STATES:
        assert ENGINE.allowed_from(state) == [t for t in TRIGGERS if TABLE[state].get(t)]


def test_statuses_show_the_approval_rules_before_anything_is_typed():
    statuses = {s.trigger: s for s in ENGINE.statuses(context("submitted", bare(), role=APPROVER))}
    assert not statuses["approve"].allowed
    assert {w["name"] for w in statuses["approve"].why} == APPROVAL
    assert statuses["return_submission"].allowed
    assert not statuses["submit"].allowed and statuses["submit"].why[0]["name"] == "state"


# -- roles ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("state, trigger, role", [
    ("drafting", "submit", REGISTRAR), ("drafting", "submit", APPROVER), ("drafting", "submit", AUDITOR),
    ("submitted", "approve", HANDLER), ("submitted", "return_submission", HANDLER),
    ("submitted", "approve", REGISTRAR), ("approved", "publish", REGISTRAR), ("drafting", "withdraw", AUDITOR),
])
def test_a_role_outside_its_duty_is_refused(state, trigger, role):
    with pytest.raises(NotPermitted):
        ENGINE.fire(trigger, context(state, complete(), params=PARAMS.get(trigger), role=role))


def test_the_drafting_department_submits_and_the_office_approves():
    ctx = context("drafting", complete(), role=HANDLER)
    ENGINE.fire("submit", ctx)
    ctx.role = APPROVER
    assert ENGINE.fire("approve", ctx).to_state == "approved"


# -- approval rules (work points 2019 一(二)) --------------------------------------------------------------
def _approval_failures(data: dict) -> dict:
    with pytest.raises(GuardFailed) as err:
        ENGINE.fire("approve", context("submitted", data, role=APPROVER))
    return {f.name: f for f in err.value.failures}


def test_approval_without_materials_names_what_is_missing_and_the_work_points():
    failures = _approval_failures(complete(materials_attached=False))
    assert set(failures) == {"has_interpretation_materials"}
    assert "解读材料" in failures["has_interpretation_materials"].message
    assert failures["has_interpretation_materials"].basis == "《贵州省司法厅2019年政务公开工作要点》第一部分第（二）项"


def test_a_major_policy_needs_the_head_as_first_interpreter_and_a_press_form():
    failures = _approval_failures(complete(major=True))
    assert set(failures) == {"has_head_as_first_interpreter", "has_major_policy_form"}
    assert "第一解读人" in failures["has_head_as_first_interpreter"].message
    assert "新闻发布会" in failures["has_major_policy_form"].message


def test_a_document_adopted_by_the_executive_meeting_is_a_major_policy():
    assert set(_approval_failures(complete(executive_meeting=True, interpreter="厅长 张某", interpreter_is_head=True))) \
        == {"has_major_policy_form"}


def test_the_head_flag_without_a_name_does_not_name_a_first_interpreter():
    failures = _approval_failures(complete(major=True, interpreter="  ", interpreter_is_head=True,
                                           forms=["materials", "policy_briefing"]))
    assert set(failures) == {"has_head_as_first_interpreter"}


@pytest.mark.parametrize("form", ["press_conference", "policy_briefing", "interview"])
def test_a_major_policy_with_the_head_and_any_press_form_is_approved(form):
    ctx = context("submitted", complete(major=True, interpreter="厅长 张某", interpreter_is_head=True,
                                        forms=["materials", form]), role=APPROVER)
    assert ENGINE.fire("approve", ctx).to_state == "approved"
    assert ctx.data["approved_on"] == "2026-09-29"


# -- data each trigger keeps -----------------------------------------------------------------------------
def test_submit_keeps_only_what_it_was_given_exactly_as_typed():
    ctx = context("returned", bare() | {"submissions": 1}, on="2026-09-21", role=HANDLER,
                  params={"plan_attached": True, "materials_attached": True, "interpreter": " 厅长 张某 ",
                          "interpreter_is_head": True, "forms": ["press_conference"]})
    ENGINE.fire("submit", ctx)
    assert ctx.data["interpreter"] == " 厅长 张某 " and ctx.data["forms"] == ["press_conference"]
    assert ctx.data["plan_attached"] is ctx.data["materials_attached"] is True
    assert ctx.data["major"] is True and ctx.data["channels"] == []  # not sent: unchanged
    assert ctx.data["submitted_on"] == "2026-09-21" and ctx.data["submissions"] == 2


@pytest.mark.parametrize("params, field", [
    ({"forms": ["materials", "materials"]}, "forms"),
    ({"forms": ["speech"]}, "forms"),
    ({"major": "perhaps"}, "major"),
    ({"policy_title": "   "}, "policy_title"),
    ({"department": "办公室"}, "department"),  # not a submission field: refused, never ignored
])
def test_submit_refuses_invalid_data(params, field):
    with pytest.raises(InvalidData) as err:
        ENGINE.fire("submit", context("drafting", complete(), params=params, role=HANDLER))
    assert field in err.value.errors


def test_a_return_needs_a_reason():
    with pytest.raises(InvalidData) as err:
        ENGINE.fire("return_submission", context("submitted", bare(), role=APPROVER))
    assert "reason" in err.value.errors


def test_a_return_records_what_was_missing():
    ctx = context("submitted", complete(major=True, plan_attached=False), on="2026-09-22", role=APPROVER,
                  params={"reason": "重大政策解读方案未报送"})
    ENGINE.fire("return_submission", ctx)
    assert ctx.data["returns"] == [{"on": "2026-09-22", "missing": [
        "has_interpretation_plan", "has_head_as_first_interpreter", "has_major_policy_form"]}]
    assert ctx.notes["interpretation_days"] == 5


def test_a_complete_submission_may_be_returned_when_the_office_lists_what_to_correct():
    ctx = context("submitted", complete(), role=APPROVER,
                  params={"reason": "解读材料与正文表述不一致", "items": ["第三部分“适用范围”与正文不一致"]})
    assert ENGINE.fire("return_submission", ctx).to_state == "returned"
    assert ctx.data["returns"][-1]["missing"] == []


def test_withdrawal_records_its_date_and_reason():
    ctx = context("returned", bare(), on="2026-10-09", role=HANDLER, params={"reason": "政策暂缓出台"})
    ENGINE.fire("withdraw", ctx)
    assert ctx.data["withdrawn_on"] == "2026-10-09" and ctx.data["withdrawal_reason"] == "政策暂缓出台"


# -- the 5-working-day clock, counted by hand --------------------------------------------------------------
@pytest.mark.parametrize("issued_on, days, due", [
    # 9/30(1), skip 10/1-10/7 国庆, 10/8(2), 10/9(3), 10/10 Sat make-up(4), skip 10/11 Sun, 10/12(5)
    pytest.param("2026-09-29", 5, "2026-10-12", id="across-national-day-with-the-saturday-make-up-day"),
    # skip 9/25-9/27 中秋, 9/28(1), 9/29(2), 9/30(3), skip 10/1-10/7, 10/8(4), 10/9(5)
    pytest.param("2026-09-24", 5, "2026-10-09", id="across-mid-autumn-and-national-day"),
    # skip 9/19 Sat, 9/20 Sun make-up(1), 9/21(2), 9/22(3), 9/23(4), 9/24(5)
    pytest.param("2026-09-18", 5, "2026-09-24", id="the-sunday-make-up-day-counts"),
    # rule set of another agency, 3 WD: 9/30(1), 10/8(2), 10/9(3)
    pytest.param("2026-09-29", 3, "2026-10-09", id="a-three-day-rule-set"),
    # 11/24(1) .. 11/27(4), skip 11/28-29 weekend, 11/30(5)
    pytest.param("2026-11-23", 5, "2026-11-30", id="an-ordinary-week"),
])
def test_publishing_the_policy_first_starts_the_clock_from_the_issue_date(issued_on, days, due):
    ctx = context("approved", complete(approved_on="2026-09-01"), on="2026-11-27", role=HANDLER,
                  rules={"interpretation_days": days},
                  params={"issued_on": issued_on, "refinement_reason": "图解材料尚在设计"})
    assert ENGINE.fire("publish_policy_first", ctx).to_state == "interpretation_pending"
    reading = ctx.reading("interpretation")
    assert (reading.status, reading.started_on, reading.due_on) == ("running", issued_on, D(due))
    assert reading.rules == {"interpretation_days": days}  # the value in force is recorded
    assert ctx.data["issued_on"] == issued_on and ctx.data["refinement_reason"] == "图解材料尚在设计"


def test_the_issue_date_defaults_to_the_business_date():
    ctx = context("approved", complete(), on="2026-09-29", role=HANDLER, params=PARAMS["publish_policy_first"])
    ENGINE.fire("publish_policy_first", ctx)
    assert ctx.data["issued_on"] == "2026-09-29" and ctx.reading("interpretation").due_on == D("2026-10-12")


@pytest.mark.parametrize("issued_on", ["2026-09-27", "2026-09-30"])
def test_an_issue_date_before_approval_or_after_the_business_date_is_refused(issued_on):
    ctx = context("approved", complete(approved_on="2026-09-28"), on="2026-09-29", role=HANDLER,
                  params={"issued_on": issued_on, "refinement_reason": "需完善"})
    with pytest.raises(GuardFailed) as err:
        ENGINE.fire("publish_policy_first", ctx)
    assert [f.name for f in err.value.failures] == ["has_valid_issue_date"]


def test_a_rule_set_of_zero_days_forbids_publishing_the_policy_first():
    ctx = context("approved", complete(), role=HANDLER, rules={"interpretation_days": 0},
                  params=PARAMS["publish_policy_first"])
    with pytest.raises(GuardFailed) as err:
        ENGINE.fire("publish_policy_first", ctx)
    assert [f.name for f in err.value.failures] == ["has_refinement_window"]
    assert not {s.trigger: s for s in ENGINE.statuses(ctx)}["publish_policy_first"].allowed


@pytest.mark.parametrize("published_on, met", [
    ("2026-10-09", True), ("2026-10-12", True),  # on the due date itself: in time
    ("2026-10-13", False), ("2026-10-20", False),
])
def test_publishing_the_interpretation_stops_the_clock_and_says_whether_it_held(published_on, met):
    ctx = context("interpretation_pending", complete(), on=published_on, role=HANDLER, issued_on="2026-09-29")
    assert ENGINE.fire("publish_interpretation", ctx).to_state == "published"
    reading = ctx.reading("interpretation")
    assert (reading.status, reading.stopped_on, reading.met()) == ("stopped", published_on, met)
    assert ctx.data["deadline_met"] is met and ctx.data["interpretation_due_on"] == "2026-10-12"
    assert ctx.data["interpretation_published_on"] == published_on


def test_publishing_on_the_same_day_records_a_clock_that_held():
    ctx = context("approved", complete(), on="2026-09-29", role=APPROVER,
                  params={"channels": ["portal", "wechat_qianwei_pufa"], "other_channels": ["黔东南州司法局网站"]})
    ENGINE.fire("publish", ctx)
    reading = ctx.reading("interpretation")
    assert (reading.started_on, reading.stopped_on, reading.due_on, reading.met()) == \
        ("2026-09-29", "2026-09-29", D("2026-10-12"), True)
    assert ctx.data["issued_on"] == ctx.data["interpretation_published_on"] == "2026-09-29"
    assert ctx.data["channels"] == ["portal", "wechat_qianwei_pufa"]
    assert ctx.data["other_channels"] == ["黔东南州司法局网站"]


def test_publishing_a_major_policy_keeps_a_press_form_on_the_record():
    data = complete(major=True, interpreter="厅长 张某", interpreter_is_head=True, forms=["interview"])
    with pytest.raises(GuardFailed) as err:
        ENGINE.fire("publish", context("approved", data, role=HANDLER, params={"forms": ["materials"]}))
    assert [f.name for f in err.value.failures] == ["has_major_policy_form"]


def test_a_document_number_given_at_publication_is_enough():
    ctx = context("approved", complete(document_number=None), role=HANDLER,
                  params={"document_number": "黔司通〔2026〕21号"})
    ENGINE.fire("publish", ctx)
    assert ctx.data["document_number"] == "黔司通〔2026〕21号"


# -- the publication record built from a case whose clock runs into a year without official data -----------
def test_the_record_of_a_deadline_counted_into_2027_says_it_is_provisional():
    # 12/29(1), 12/30(2), 12/31(3), skip 1/1 元旦 (fixed date) and the weekend 1/2-1/3, 1/4(4), 1/5(5):
    # 2027 has no official arrangement yet, so the due date 2027-01-05 is provisional.
    ctx = context("interpretation_pending", complete(), on="2027-01-05", role=HANDLER, issued_on="2026-12-28")
    ENGINE.fire("publish_interpretation", ctx)
    reading = ctx.reading("interpretation")
    assert (reading.due_on, reading.provisional, reading.met()) == (D("2027-01-05"), True, True)
    inp = LetterInput(kind="interpretation_record", number="黔司解备〔2027〕1号", issued_on=D("2027-01-05"),
                      agency=DEMO_GZSFT, case={"reference": "黔司解读〔2026〕9号", "process": PROCESS.name,
                                          "state": ctx.state, "reason": None, "received_on": "2026-09-01",
                                          "data": ctx.data},
                      params=ctx.params, readings={"interpretation": reading}, notes=ctx.notes, calendar=CALENDAR,
                      articles=ARTICLES)
    kind = PROCESS.letters["interpretation_record"]
    letter = kind.build(inp)
    check_complete("interpretation_record", letter, kind.required)
    assert (letter["provisional"], letter["same_day"], letter["met"], letter["due_on"], letter["days"]) == (
        True, False, True, "2027年1月5日", 5)
    # "谁起草、谁解读": an ordinary policy without a named interpreter is interpreted by its drafting department.
    assert (letter["interpreter"], letter["major"], letter["executive_meeting"]) == ("", False, False)
    document = docx.Document(io.BytesIO(letter_templates.render(DEMO_GZSFT, kind, letter)))
    [table] = document.tables
    rows = {row.cells[0].text: row.cells[1].text for row in table.rows}
    assert rows["发布情况"].endswith("\n解读材料于2027年1月5日发布，在规定期限内。")
    assert rows["备注"] == "期限计算涉及尚未公布官方节假日安排的年份，为临时期限。"
    table = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert table["解读人"] == "公共法律服务管理处（起草部门）" and table["是否重大政策"] == "否"
    assert table["解读发布期限"] == "2027年1月5日（印发后5个工作日内）" and table["是否按期发布"] == "是"
