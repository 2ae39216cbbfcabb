"""opinion_response — 政务舆情回应: the process of processes.md §4, declared as data.

Sources: 国办发〔2016〕80号 (authoritative information within 5 hours), 国办发〔2016〕61号 (press conference
within 24 hours; other matters within 48 hours), work points 2019 一(三). Every clock is an hour clock that
runs from the recorded detection instant, whenever the matter is assessed.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from ..engine import (
    ADMIN,
    APPROVER,
    HANDLER,
    ClockSpec,
    Context,
    Guard,
    Process,
    State,
    Transition,
    as_json,
    start_hour_clock,
    stop_clock,
)
from ..errors import InvalidData
from ..fields import Base, Choice, DateTime, Text
from . import opinion_response_letters as letters

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The record says what each severity requires (templates_docx/response_record.docx); these are the form's words.
SEVERITIES = {
    "major_emergency": "涉及特别重大、重大突发事件的政务舆情",
    "ordinary": "其他政务舆情",
}

RULES = {
    "information_hours": 5,  # 国办发〔2016〕80号: authoritative information within 5 hours at the latest
    "press_conference_hours": 24,  # 国办发〔2016〕61号 (and 80号): press conference within 24 hours
    "response_hours": 48,  # 国办发〔2016〕61号: other government-affairs opinion within 48 hours
}
RULE_TITLES = {
    "information_hours": ("发布权威信息的时限", "小时", "国办发〔2016〕80号"),
    "press_conference_hours": ("举行新闻发布会的时限", "小时", "国办发〔2016〕61号、80号"),
    "response_hours": ("回应其他政务舆情的时限", "小时", "国办发〔2016〕61号"),
}

# Which clocks the assessed severity starts: (clock, rule, note).
CLOCKS_BY_SEVERITY = {
    "major_emergency": (
        ("information", "information_hours", "自监测发现时起算（国办发〔2016〕80号）"),
        ("press_conference", "press_conference_hours", "自监测发现时起算（国办发〔2016〕61号、80号）"),
    ),
    "ordinary": (
        ("response", "response_hours", "自监测发现时起算（国办发〔2016〕61号）"),
    ),
}


# -- registration ----------------------------------------------------------------------------------
class RegistrationSchema(Base):
    title = Text(required=True, max_len=200, label="舆情事项")  # the matter, in a line
    summary = Text(required=True, label="舆情内容摘要")  # what is being said, where, by whom
    source = Text(required=True, max_len=200, label="舆情来源")  # e.g. 网络媒体, 省网信办转办
    detected_at = DateTime(required=True, label="监测发现时间")
    department = Text(required=True, max_len=100, label="主管部门")  # 谁主管谁负责: the responsible department (61号)


def describe(data: dict) -> str:
    return f"{data.get('title', '')}（{data.get('source', '')}）"


# -- trigger data ----------------------------------------------------------------------------------
class AssessmentSchema(Base):
    severity = Choice(SEVERITIES, required=True, label="舆情等级")
    assessment = Text(label="研判意见")  # the 研判 opinion, as typed


class ReleaseSchema(Base):
    released_at = DateTime(required=True, label="发布时间")
    channel = Text(required=True, max_len=500, label="发布渠道")  # e.g. 门户网站、“贵州司法”微信公众号
    content = Text(required=True, label="发布内容")


class PressConferenceSchema(Base):
    held_at = DateTime(required=True, label="发布会时间")
    speakers = Text(max_len=500, label="发布人")  # 80号: principal leaders should speak
    summary = Text(required=True, label="发布会内容摘要")


class ResponseSchema(Base):
    responded_at = DateTime(required=True, label="回应时间")
    response = Text(required=True, label="回应内容")
    channel = Text(max_len=500, label="回应渠道")


# -- guards ----------------------------------------------------------------------------------------
def detected_at(ctx: Context) -> dt.datetime:
    return dt.datetime.fromisoformat(ctx.data["detected_at"])


def _instant_not_in_future(key: str) -> Guard:
    return Guard("has_instant_not_in_future", lambda ctx: ctx.params[key] <= ctx.now,
                 "记录的时间不能晚于当前时间", "如实记录舆情回应过程", needs_data=True)


def _instant_after_detection(key: str) -> Guard:
    return Guard("has_instant_after_detection", lambda ctx: ctx.params[key] >= detected_at(ctx),
                 "记录的时间不能早于监测发现舆情的时间", "时限自监测发现时起算（国办发〔2016〕61号、80号）",
                 needs_data=True)


def _in_order(list_key: str, key: str, what: str) -> Guard:
    # The first entry stops its clock, so a later entry may not predate it: the list stays in time order
    # and "the first" is also the earliest.
    def check(ctx: Context) -> bool:
        earlier = ctx.data.get(list_key) or []
        return not earlier or ctx.params[key] >= dt.datetime.fromisoformat(earlier[-1][key])
    return Guard(f"has_{list_key}_in_order", check, f"{what}时间不能早于已记录的上一次{what}时间",
                 "按时间顺序如实记录", needs_data=True)


has_information_and_press_conference = Guard(
    "has_information_and_press_conference",
    lambda ctx: ctx.data["severity"] != "major_emergency"
    or (bool(ctx.data.get("releases")) and bool(ctx.data.get("press_conferences"))),
    "涉及特别重大、重大突发事件的政务舆情，应先记录权威信息发布和新闻发布会，再登记回应",
    "国办发〔2016〕80号（5小时内发布权威信息）、国办发〔2016〕61号（24小时内举行新闻发布会）")


def _instant_guards(key: str) -> tuple[Guard, ...]:
    return (_instant_not_in_future(key), _instant_after_detection(key))


# -- effects ---------------------------------------------------------------------------------------
def _open(ctx: Context):
    """Record the detection instant and the received date (its date in Asia/Shanghai)."""
    detected = ctx.params["detected_at"]
    if detected > ctx.now:
        raise InvalidData("提交的数据有误", {"detected_at": ["监测发现时间不能晚于当前时间"]})
    ctx.data["detected_at"] = detected.isoformat()
    ctx.data["received_on"] = detected.astimezone(SHANGHAI).date().isoformat()


def _assess(ctx: Context):
    ctx.data["severity"] = ctx.params["severity"]
    if "assessment" in ctx.params:
        ctx.data["assessment"] = ctx.params["assessment"]
    # The clocks run from the detection instant, not from the assessment (61号, 80号: "最迟").
    for name, rule, note in CLOCKS_BY_SEVERITY[ctx.params["severity"]]:
        start_hour_clock(name, rule, at=detected_at, note=note)(ctx)


def _entry(ctx: Context) -> dict:
    """The trigger's data as stored in the case: instants as ISO strings with their offset, text as typed."""
    return as_json({k: v for k, v in ctx.params.items() if k != "comment"})


def _append_to(list_key: str):
    def effect(ctx: Context):
        ctx.data.setdefault(list_key, []).append(_entry(ctx))
    effect.__name__ = f"record_{list_key}"
    return effect


def _stop_at(name: str, key: str, note: str):
    """Stop an hour clock at the instant recorded in the trigger's data (not when it was typed in)."""
    return stop_clock(name, note, at=lambda ctx: ctx.params[key])


def _record_response(ctx: Context):
    ctx.data["response"] = _entry(ctx)


# -- the definition --------------------------------------------------------------------------------
HANDLERS = frozenset({HANDLER, APPROVER, ADMIN})

PROCESS = Process(
    name="opinion_response",
    version=1,
    title="政务舆情回应",
    reference_code="舆情",
    initial="detected",
    states=(
        State("detected", "已监测登记"),
        State("assessed", "已研判"),
        State("responded", "已回应", terminal=True),
    ),
    clocks=(
        ClockSpec("information", "hours", "发布权威信息时限"),
        ClockSpec("press_conference", "hours", "举行新闻发布会时限"),
        ClockSpec("response", "hours", "回应时限"),
    ),
    registration_schema=RegistrationSchema,
    rules=RULES,
    rule_titles=RULE_TITLES,
    on_open=(_open,),
    describe=describe,
    basis="2019 work points 一(三); 国办发〔2016〕61号、80号",
    order=4,  # processes.md §4
    transitions=(
        Transition("assess", ("detected",), "assessed", "研判定级", HANDLERS,
                   effects=(_assess,), schema=AssessmentSchema),
        Transition("release_information", ("assessed",), "assessed", "发布权威信息", HANDLERS,
                   guards=(*_instant_guards("released_at"), _in_order("releases", "released_at", "发布")),
                   effects=(_append_to("releases"),
                            _stop_at("information", "released_at", "首次发布权威信息")),
                   schema=ReleaseSchema),
        Transition("hold_press_conference", ("assessed",), "assessed", "举行新闻发布会", HANDLERS,
                   guards=(*_instant_guards("held_at"), _in_order("press_conferences", "held_at", "发布会")),
                   effects=(_append_to("press_conferences"),
                            _stop_at("press_conference", "held_at", "首次举行新闻发布会")),
                   schema=PressConferenceSchema),
        Transition("respond", ("assessed",), "responded", "登记回应", HANDLERS,
                   guards=(has_information_and_press_conference, *_instant_guards("responded_at")),
                   effects=(_record_response, _stop_at("response", "responded_at", "已回应")),
                   schema=ResponseSchema, letter="response_record"),
    ),
    letters=letters.LETTERS,
)
