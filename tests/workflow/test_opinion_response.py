"""opinion_response without a database: every state × trigger (allowed, guarded, forbidden), the data and
guards of each trigger, and the hour clocks worked out by hand from the detection instant."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from workflow.calendar import WorkCalendar
from workflow.clock import Clock
from workflow.engine import AUDITOR, HANDLER, REGISTRAR, Context, load
from workflow.errors import GuardFailed, InvalidData, NotPermitted, TriggerNotAllowed
from workflow.letters import LetterInput
from workflow.processes import get_engine
from workflow.processes.opinion_response_letters import clock_values, response_record

ENGINE = get_engine("opinion_response")
PROCESS = ENGINE.process
CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2027, 1, 10, 12, 0, tzinfo=CST)  # later than every instant below
DETECTED = "2026-11-27T10:00:00+08:00"
ARTICLES = yaml.safe_load((Path(__file__).resolve().parents[2] / "templates_docx" / "articles.yaml")
                          .read_text(encoding="utf-8"))
TRIGGERS = ("assess", "release_information", "hold_press_conference", "respond")


def registration(**overrides) -> dict:
    data = {"title": "网传某律师事务所违规收费", "summary": "微博话题阅读量超过100万，涉及律师收费投诉处理。",
            "source": "网络媒体", "detected_at": DETECTED, "department": "律师工作管理处"}
    return data | overrides


def new_case(*, now: dt.datetime = NOW, rules: dict | None = None, **overrides) -> Context:
    """A freshly registered case, as open_case builds it: validated data, then the on_open effects."""
    params = load(PROCESS.registration_schema, registration(**overrides))
    data = {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in params.items()}
    clocks = {spec.name: Clock(spec.name, spec.kind, spec.title) for spec in PROCESS.clocks}
    ctx = Context(process=PROCESS, state=PROCESS.initial, data=data, params=params,
                  effective_on=now.astimezone(CST).date(), now=now, calendar=WorkCalendar(),
                  rules={**PROCESS.rules, **(rules or {})}, role=HANDLER, history=[], clocks=clocks)
    ENGINE.open(ctx)
    return ctx


def fire(ctx: Context, trigger: str, *, role: str = HANDLER, **params) -> Context:
    ctx.role, ctx.params = role, params
    ENGINE.fire(trigger, ctx)
    ctx.history.append({"trigger": trigger, "effective_on": ctx.effective_on, "data": ctx.params})
    return ctx


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def hours_after(start: str, **delta) -> str:
    return (at(start) + dt.timedelta(**delta)).isoformat()


# A valid submission for each trigger, 1-3 hours after the detection instant.
VALID = {
    "assess": {"severity": "ordinary"},
    "release_information": {"released_at": "2026-11-27T11:00:00+08:00", "channel": "门户网站",
                            "content": "关于网传信息的情况通报"},
    "hold_press_conference": {"held_at": "2026-11-27T12:00:00+08:00", "speakers": "厅长", "summary": "通报调查进展"},
    "respond": {"responded_at": "2026-11-27T13:00:00+08:00", "response": "已责成核查，结果将及时公布。"},
}


def setup(name: str) -> Context:
    ctx = new_case()
    if name == "detected":
        return ctx
    severity = "ordinary" if "ordinary" in name else "major_emergency"
    fire(ctx, "assess", severity=severity)
    if name in ("assessed_major_released", "assessed_major_complete", "responded_major"):
        fire(ctx, "release_information", **VALID["release_information"])
    if name in ("assessed_major_complete", "responded_major"):
        fire(ctx, "hold_press_conference", **VALID["hold_press_conference"])
    if name.startswith("responded"):
        fire(ctx, "respond", **VALID["respond"])
    return ctx


# -- every state × every trigger ---------------------------------------------------------------------
F, G = "forbidden", "guarded"
TABLE = {
    #                           assess        release        conference     respond
    "detected":                ("assessed",   F,             F,             F),
    "assessed_major":          (F,            "assessed",    "assessed",    G),
    "assessed_major_released": (F,            "assessed",    "assessed",    G),
    "assessed_major_complete": (F,            "assessed",    "assessed",    "responded"),
    "assessed_ordinary":       (F,            "assessed",    "assessed",    "responded"),
    "responded_major":         (F,            F,             F,             F),
    "responded_ordinary":      (F,            F,             F,             F),
}
CASES = [(setup_name, trigger, row[i]) for setup_name, row in TABLE.items() for i, trigger in enumerate(TRIGGERS)]


@pytest.mark.parametrize("setup_name, trigger, expected", CASES)
def test_every_state_and_trigger(setup_name, trigger, expected):
    ctx = setup(setup_name)
    state = ctx.state
    status = next(s for s in ENGINE.statuses(ctx) if s.trigger == trigger)
    if expected == F:
        assert not status.allowed and status.why[0]["name"] == "state"
        with pytest.raises(TriggerNotAllowed) as exc:
            fire(ctx, trigger, **VALID[trigger])
        assert trigger not in exc.value.details["allowed"]
        assert exc.value.details["allowed"] == ENGINE.allowed_from(state)
    elif expected == G:
        assert not status.allowed
        assert [w["name"] for w in status.why] == ["has_information_and_press_conference"]
        with pytest.raises(GuardFailed) as exc:
            fire(ctx, trigger, **VALID[trigger])
        assert [g.name for g in exc.value.failures] == ["has_information_and_press_conference"]
        assert "国办发〔2016〕80号" in exc.value.failures[0].basis
    else:
        assert status.allowed and status.why == []
        fire(ctx, trigger, **VALID[trigger])
        assert ctx.state == expected
    if expected in (F, G):
        assert ctx.state == state


def test_the_table_covers_every_state_and_trigger():
    states = {setup(name).state for name in TABLE}
    assert states == {s.name for s in PROCESS.states}
    assert set(ENGINE.triggers()) == set(TRIGGERS)
    assert PROCESS.terminal_states == ("responded",)


@pytest.mark.parametrize("role", [REGISTRAR, AUDITOR])
@pytest.mark.parametrize("setup_name, trigger", [("detected", "assess"), ("assessed_ordinary", "release_information"),
                                                 ("assessed_ordinary", "hold_press_conference"),
                                                 ("assessed_ordinary", "respond")])
def test_only_handlers_approvers_and_admins_act(role, setup_name, trigger):
    ctx = setup(setup_name)
    with pytest.raises(NotPermitted):
        fire(ctx, trigger, role=role, **VALID[trigger])


# -- registration ------------------------------------------------------------------------------------
def test_registration_records_the_detection_instant_and_its_shanghai_date():
    # 2026-11-26 16:30 UTC is 2026-11-27 00:30 in Asia/Shanghai: the case is received on the 27th.
    ctx = new_case(detected_at="2026-11-26T16:30:00Z")
    assert ctx.data["detected_at"] == "2026-11-26T16:30:00+00:00"
    assert ctx.data["received_on"] == "2026-11-27"
    assert not any(clock.started for clock in ctx.clocks.values())  # severity decides, at assess


def test_typed_text_comes_back_exactly():
    title, summary = "  标题 & <原样>  ", "第一行\n  第二行  "
    ctx = new_case(title=title, summary=summary, source=" 省网信办转办 ")
    assert (ctx.data["title"], ctx.data["summary"], ctx.data["source"]) == (title, summary, " 省网信办转办 ")


@pytest.mark.parametrize("overrides, field", [
    ({"detected_at": "2026-11-27T10:00:00"}, "detected_at"),  # no offset: refused, not guessed
    ({"detected_at": "昨天"}, "detected_at"),
    ({"department": None}, "department"),
    ({"source": "   "}, "source"),
    ({"channel": "微博"}, "channel"),  # unknown field
])
def test_registration_refuses_invalid_data(overrides, field):
    data = {k: v for k, v in registration(**overrides).items() if v is not None}
    with pytest.raises(InvalidData) as exc:
        load(PROCESS.registration_schema, data)
    assert field in exc.value.errors


def test_a_detection_instant_in_the_future_is_refused():
    with pytest.raises(InvalidData) as exc:
        new_case(now=at("2026-11-27T09:59:59+08:00"))
    assert "detected_at" in exc.value.errors


# -- trigger data and guards ---------------------------------------------------------------------------
def test_assess_records_severity_and_the_assessment_as_typed():
    ctx = fire(new_case(), "assess", severity="major_emergency", assessment=" 涉及公共安全，升级处置 ")
    assert ctx.data["severity"] == "major_emergency" and ctx.data["assessment"] == " 涉及公共安全，升级处置 "
    with pytest.raises(InvalidData) as exc:
        fire(new_case(), "assess", severity="major")
    assert "severity" in exc.value.errors


@pytest.mark.parametrize("trigger, key", [("release_information", "released_at"),
                                          ("hold_press_conference", "held_at"), ("respond", "responded_at")])
def test_instants_may_not_be_in_the_future_or_before_detection(trigger, key):
    ctx = setup("assessed_major_complete")
    future = VALID[trigger] | {key: hours_after(NOW.isoformat(), seconds=1)}
    with pytest.raises(GuardFailed) as exc:
        fire(ctx, trigger, **future)
    assert [g.name for g in exc.value.failures] == ["has_instant_not_in_future"]
    before = VALID[trigger] | {key: "2026-11-27T09:59:00+08:00"}
    with pytest.raises(GuardFailed) as exc:
        fire(ctx, trigger, **before)
    assert [g.name for g in exc.value.failures][0] == "has_instant_after_detection"
    naive = VALID[trigger] | {key: "2026-11-27T11:00:00"}
    with pytest.raises(InvalidData) as exc:
        fire(ctx, trigger, **naive)
    assert key in exc.value.errors


def test_every_release_and_conference_is_kept_in_order_and_only_the_first_stops_its_clock():
    ctx = fire(new_case(), "assess", severity="major_emergency")
    fire(ctx, "release_information", released_at="2026-11-27T11:00:00+08:00", channel="门户网站", content="通报一")
    fire(ctx, "release_information", released_at="2026-11-27T18:00:00+08:00", channel="“贵州司法”微信公众号",
         content="通报二")
    fire(ctx, "hold_press_conference", held_at="2026-11-28T09:00:00+08:00", summary="第一场")
    fire(ctx, "hold_press_conference", held_at="2026-11-29T09:00:00+08:00", summary="第二场", speakers="厅长")
    assert [r["content"] for r in ctx.data["releases"]] == ["通报一", "通报二"]
    assert ctx.data["releases"][1] == {"released_at": "2026-11-27T18:00:00+08:00",
                                       "channel": "“贵州司法”微信公众号", "content": "通报二"}
    assert [c["held_at"] for c in ctx.data["press_conferences"]] == ["2026-11-28T09:00:00+08:00",
                                                                    "2026-11-29T09:00:00+08:00"]
    assert [op["op"] for op in ctx.clocks["information"].ops] == ["start", "stop"]
    assert ctx.reading("information").stopped_on == "2026-11-27T11:00:00+08:00"
    assert ctx.reading("press_conference").stopped_on == "2026-11-28T09:00:00+08:00"
    # A later entry that predates the last one is refused: the first entry must stay the earliest.
    with pytest.raises(GuardFailed) as exc:
        fire(ctx, "release_information", released_at="2026-11-27T10:30:00+08:00", channel="微博", content="补录")
    assert [g.name for g in exc.value.failures] == ["has_releases_in_order"]
    with pytest.raises(GuardFailed) as exc:
        fire(ctx, "hold_press_conference", held_at="2026-11-28T08:00:00+08:00", summary="补录")
    assert [g.name for g in exc.value.failures] == ["has_press_conferences_in_order"]


def test_an_ordinary_matter_may_release_information_without_starting_emergency_clocks():
    ctx = fire(setup("assessed_ordinary"), "release_information", **VALID["release_information"])
    assert not ctx.clocks["information"].started and not ctx.clocks["press_conference"].started
    assert ctx.reading("response").status == "running"
    fire(ctx, "respond", **VALID["respond"])
    assert ctx.data["response"] == VALID["respond"]
    assert ctx.reading("response").stopped_on == VALID["respond"]["responded_at"]


# -- hour clocks, worked out by hand -------------------------------------------------------------------
GOLDEN = [
    # detected_at, severity, clock, due instant (Asia/Shanghai)
    # Same day: 10:00 + 5 h = 15:00; + 24 h = next day 10:00; + 48 h = two days later 10:00.
    ("2026-11-27T10:00:00+08:00", "major_emergency", "information", "2026-11-27T15:00:00+08:00"),
    ("2026-11-27T10:00:00+08:00", "major_emergency", "press_conference", "2026-11-28T10:00:00+08:00"),
    ("2026-11-27T10:00:00+08:00", "ordinary", "response", "2026-11-29T10:00:00+08:00"),
    # Across midnight: 21:30 + 5 h = 02:30 on the 28th; a Saturday makes no difference to an hour clock.
    ("2026-11-27T21:30:00+08:00", "major_emergency", "information", "2026-11-28T02:30:00+08:00"),
    ("2026-11-27T21:30:00+08:00", "major_emergency", "press_conference", "2026-11-28T21:30:00+08:00"),
    ("2026-11-27T21:30:00+08:00", "ordinary", "response", "2026-11-29T21:30:00+08:00"),
    # Month end: 30 November 20:15 + 5 h = 1 December 01:15; + 24 h = 1 December 20:15; + 48 h = 2 December.
    ("2026-11-30T20:15:00+08:00", "major_emergency", "information", "2026-12-01T01:15:00+08:00"),
    ("2026-11-30T20:15:00+08:00", "major_emergency", "press_conference", "2026-12-01T20:15:00+08:00"),
    ("2026-11-30T20:15:00+08:00", "ordinary", "response", "2026-12-02T20:15:00+08:00"),
    # Given in UTC: 16:30Z on 30 November is 00:30 on 1 December in Shanghai; + 5 h = 05:30.
    ("2026-11-30T16:30:00Z", "major_emergency", "information", "2026-12-01T05:30:00+08:00"),
    # Year end, into a year without official calendar data: hour clocks ignore the calendar.
    ("2026-12-31T23:00:00+08:00", "ordinary", "response", "2027-01-02T23:00:00+08:00"),
]


@pytest.mark.parametrize("detected, severity, name, due", GOLDEN)
def test_hour_clocks_fall_due_exactly_their_hours_after_detection(detected, severity, name, due):
    ctx = fire(new_case(detected_at=detected), "assess", severity=severity)
    reading = ctx.reading(name)
    assert reading.due_at == at(due)
    assert reading.started_on == at(detected).isoformat()
    assert reading.rules == {f"{name}_hours": PROCESS.rules[f"{name}_hours"]}
    assert not reading.provisional
    other = {"major_emergency": {"response"}, "ordinary": {"information", "press_conference"}}[severity]
    assert not any(ctx.clocks[n].started for n in other)


def _close(detected: str, severity: str, name: str, stopped: str) -> Context:
    ctx = fire(new_case(detected_at=detected), "assess", severity=severity)
    release = {"release_information": {"released_at": stopped, "channel": "门户网站", "content": "权威信息"},
               "hold_press_conference": {"held_at": stopped, "summary": "发布会"}}
    if name == "information":
        fire(ctx, "release_information", **release["release_information"])
    if name == "press_conference":
        fire(ctx, "hold_press_conference", **release["hold_press_conference"])
    if name == "response":
        fire(ctx, "respond", responded_at=stopped, response="已回应")
    return ctx


@pytest.mark.parametrize("detected, severity, name, due", GOLDEN)
@pytest.mark.parametrize("offset, met", [(dt.timedelta(0), True), (dt.timedelta(minutes=-1), True),
                                         (dt.timedelta(minutes=1), False), (dt.timedelta(seconds=1), False)])
def test_a_clock_is_met_up_to_and_including_its_due_instant(detected, severity, name, due, offset, met):
    stopped = (at(due) + offset).isoformat()
    ctx = _close(detected, severity, name, stopped)
    reading = ctx.reading(name)
    assert reading.status == "stopped" and reading.stopped_on == stopped
    assert reading.met() is met


def test_the_record_values_say_whether_each_clock_was_met_and_by_how_much_it_was_missed():
    # Detected 27 November 21:30: information due 28 November 2:30, press conference 28 November 21:30.
    ctx = _close("2026-11-27T21:30:00+08:00", "major_emergency", "information", "2026-11-28T02:29:00+08:00")
    assert clock_values("press_conference", ctx.reading("press_conference")) == {
        "name": "press_conference", "limit": 24, "due_at": "2026年11月28日21时30分", "done_at": "", "met": None,
        "overrun": ""}
    fire(ctx, "hold_press_conference", held_at="2026-11-28T23:45:30+08:00", summary="发布会")
    assert clock_values("information", ctx.reading("information")) == {
        "name": "information", "limit": 5, "due_at": "2026年11月28日2时30分", "done_at": "2026年11月28日2时29分",
        "met": True, "overrun": ""}
    assert clock_values("press_conference", ctx.reading("press_conference")) == {
        "name": "press_conference", "limit": 24, "due_at": "2026年11月28日21时30分",
        "done_at": "2026年11月28日23时45分", "met": False, "overrun": "2小时15分钟"}


def test_the_agency_rule_set_decides_the_hours_and_is_recorded_with_the_clock():
    ctx = new_case(rules={"information_hours": 4, "press_conference_hours": 12})
    fire(ctx, "assess", severity="major_emergency")
    assert ctx.reading("information").due_at == at("2026-11-27T14:00:00+08:00")
    assert ctx.reading("press_conference").due_at == at("2026-11-27T22:00:00+08:00")
    assert ctx.reading("press_conference").rules == {"press_conference_hours": 12}


def test_the_response_record_gives_the_matter_timeline_clocks_and_rules_as_values():
    ctx = setup("responded_major")
    inp = LetterInput(kind="response_record", number="黔司舆回〔2026〕1号", issued_on=dt.date(2026, 11, 27),
                      agency={"name": "贵州省司法厅", "office": "厅办公室", "address": "贵阳市", "postcode": "550081",
                              "phone": "0851-00000000"},
                      case={"reference": "黔司舆情〔2026〕1号", "process": "opinion_response", "state": ctx.state,
                            "reason": None, "received_on": ctx.data["received_on"], "data": ctx.data},
                      params=ctx.params, readings={n: c.evaluate(ctx.calendar) for n, c in ctx.clocks.items()
                                                   if c.started}, articles=ARTICLES)
    letter = response_record(inp)
    assert letter["addressee"] == "律师工作管理处"
    assert (letter["detected_at"], letter["matter"], letter["source"]) == ("2026年11月27日10时00分",
                                                                         "网传某律师事务所违规收费", "网络媒体")
    assert (letter["severity"], letter["hours"]) == ("major_emergency", {"information": 5, "press_conference": 24})
    assert letter["releases"] == [{"at": "2026年11月27日11时00分", "channel": "门户网站", "content": "关于网传信息的情况通报"}]
    assert letter["press_conferences"] == [{"at": "2026年11月27日12时00分", "speakers": "厅长", "summary": "通报调查进展"}]
    assert letter["response"] == {"at": "2026年11月27日13时00分", "channel": "", "text": "已责成核查，结果将及时公布。"}
    assert [(c["name"], c["met"]) for c in letter["clocks"]] == [("information", True), ("press_conference", True)]
    assert letter["basis"] == ("《〈关于全面推进政务公开工作的意见〉实施细则》（国办发〔2016〕80号）；"
                               "《国务院办公厅关于在政务公开工作中进一步做好政务舆情回应的通知》（国办发〔2016〕61号）；"
                               "《贵州省司法厅2019年政务公开工作要点》一（三）")
