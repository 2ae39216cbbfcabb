"""policy_interpretation — 政策解读: the process of processes.md §2, declared as data.

Source: work_points_2019.txt 一(二) ("谁起草、谁解读"; policy document, interpretation plan and materials
organised, reviewed, signed and published together; 退文 without them; materials at the latest 5 WD after
issue; the head as "first interpreter" of major policies), 一(四) (channels); national rules law.md §5.
"""
from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, fields, validate

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
    start_clock,
    stop_all_clocks,
    stop_clock,
)
from ..fields import Base, Choice, Date, Text, TextList, described
from . import policy_interpretation_letters as letters
from .policy_interpretation_letters import CHANNELS, FORMS, MAJOR_FORMS, WORK_POINTS

RULES = {
    # work points 2019 一(二): materials at the latest 5 WD after issue (other agencies use 3, or 0 = same day).
    "interpretation_days": 5,
}
RULE_TITLES = {"interpretation_days": ("解读材料的发布期限", "个工作日", "政务公开工作要点一（二）")}


# -- data --------------------------------------------------------------------------------------------
def Flag(*, label=None, **kw):
    return fields.Boolean(error_messages={"invalid": "应为是或否（true / false）", "null": "不能为空"},
                          metadata=described(label), **kw)


def Choices(values, *, max_items=20, label=None):
    def distinct(items):
        if len(set(items)) != len(items):
            raise ValidationError("不能重复选择")
    return fields.List(Choice(values, required=True), validate=[
        validate.Length(max=max_items, error=f"最多 {max_items} 项"), distinct],
        error_messages={"invalid": "应为列表"}, metadata=described(label))


class _Interpretation(Base):
    """What a submission says about its interpretation (registration and `submit` share it)."""

    policy_title = Text(max_len=500, min_len=1, label="政策文件标题")  # a resubmission may correct it, never blank it
    document_number = Text(max_len=200, label="文号")  # optional until the document is issued
    major = Flag(label="是否重大政策")  # a major policy (重大政策)
    executive_meeting = Flag(label="是否经省政府常务会议审议")  # adopted by the provincial government's executive meeting: a major policy too
    plan_attached = Flag(label="是否附解读方案")  # 解读方案
    materials_attached = Flag(label="是否附解读材料")  # 解读材料
    interpreter = Text(max_len=200, label="解读人")
    interpreter_is_head = Flag(label="解读人是否为主要负责人")  # the agency head as "first interpreter"
    forms = Choices(FORMS, label="解读形式")
    channels = Choices(CHANNELS, label="发布渠道")
    other_channels = TextList(max_items=20, max_len=200, label="其他发布渠道")


class RegistrationSchema(_Interpretation):
    policy_title = Text(required=True, max_len=500, label="政策文件标题")
    department = Text(required=True, max_len=100, label="起草部门")  # the drafting department (谁起草、谁解读)
    registered_on = Date(label="登记日期")  # the registration (submission) date; today when not given


class SubmitSchema(_Interpretation):
    """Only the fields given change the case data; a resubmission sends what it corrected."""


class ReturnSchema(Base):
    reason = Text(required=True, label="退回理由")
    items = TextList(max_items=30, max_len=1000, label="需修改的事项")  # further points to correct, as the office typed them


class PublishSchema(Base):
    """The publication record: forms and channels as actually used (the interpreter was fixed at approval)."""

    document_number = Text(max_len=200, label="文号")
    forms = Choices(FORMS, label="解读形式")
    channels = Choices(CHANNELS, label="发布渠道")
    other_channels = TextList(max_items=20, max_len=200, label="其他发布渠道")


class PolicyFirstSchema(Base):
    document_number = Text(max_len=200, label="文号")
    issued_on = Date(label="政策文件印发日期")  # the policy document's issue date; the business date when not given
    refinement_reason = Text(required=True, label="解读材料需完善的理由")  # "确有必要对解读材料进行完善的": why the materials need refining


class PublishInterpretationSchema(PublishSchema):
    late_reason = Text(label="延迟发布的原因")


class WithdrawalSchema(Base):
    reason = Text(label="撤回理由")


def describe(data: dict) -> str:
    return f"{data.get('department', '')}：{letters.title_of(data) if data.get('policy_title') else ''}"


# -- guards ------------------------------------------------------------------------------------------
def _value(ctx: Context, key: str):
    """The value in force: what this trigger submits, else what the case holds."""
    return ctx.params[key] if key in ctx.params else ctx.data.get(key)


def _major(ctx: Context) -> bool:
    return bool(ctx.data.get("major") or ctx.data.get("executive_meeting"))


def _head_named(ctx: Context) -> bool:
    return bool(ctx.data.get("interpreter_is_head") and (ctx.data.get("interpreter") or "").strip())


def _issued_on(ctx: Context) -> dt.date:
    return ctx.params.get("issued_on") or ctx.effective_on


has_interpretation_plan = Guard(
    "has_interpretation_plan", lambda ctx: bool(ctx.data.get("plan_attached")),
    "未同步报送政策解读方案，不能审核通过，应予退文", WORK_POINTS)
has_interpretation_materials = Guard(
    "has_interpretation_materials", lambda ctx: bool(ctx.data.get("materials_attached")),
    "未同步报送政策解读材料，不能审核通过，应予退文", WORK_POINTS)
has_head_as_first_interpreter = Guard(
    "has_head_as_first_interpreter",
    lambda ctx: not _major(ctx) or _head_named(ctx),
    "重大政策（含经省政府常务会议审议通过的文件）应由单位主要负责人作为“第一解读人”，解读方案尚未明确",
    WORK_POINTS)
has_major_policy_form = Guard(
    "has_major_policy_form",
    lambda ctx: not _major(ctx) or any(f in MAJOR_FORMS for f in _value(ctx, "forms") or []),
    "重大政策应通过新闻发布会、政策吹风会或负责人接受访谈等方式解读，尚未安排其中任何一种", WORK_POINTS)
# The rules a submission must meet; what `return_submission` lists as missing.
APPROVAL_GUARDS = (has_interpretation_plan, has_interpretation_materials, has_head_as_first_interpreter,
                   has_major_policy_form)

has_something_to_correct = Guard(
    "has_something_to_correct",
    lambda ctx: bool(ctx.params.get("items")) or any(not g.check(ctx) for g in APPROVAL_GUARDS),
    "解读方案、解读材料和第一解读人均符合要求的，退文时应列明需要补正的具体事项", WORK_POINTS, needs_data=True)
has_document_number = Guard(
    "has_document_number", lambda ctx: bool((_value(ctx, "document_number") or "").strip()),
    "政策文件正式印发须有文号，请填写文号", "政策解读发布备案表必备要素（文号）", needs_data=True)
has_interpretation_forms = Guard(
    "has_interpretation_forms", lambda ctx: bool(_value(ctx, "forms")),
    "应记录解读形式", f"{WORK_POINTS}；政策解读发布备案表必备要素（解读形式）", needs_data=True)
has_publication_channels = Guard(
    "has_publication_channels", lambda ctx: bool(_value(ctx, "channels") or _value(ctx, "other_channels")),
    "应记录解读发布渠道（如门户网站“政策解读”专栏、“贵州司法”“黔微普法”微信公众号）",
    "《贵州省司法厅2019年政务公开工作要点》第一部分第（二）项、第（四）项", needs_data=True)
has_refinement_window = Guard(
    "has_refinement_window", lambda ctx: ctx.rules["interpretation_days"] > 0,
    "本机关规则要求政策文件与解读材料同时发布，不能先行发布政策文件", WORK_POINTS)


def _issue_date_in_order(ctx: Context) -> bool:
    approved = ctx.data.get("approved_on")
    issued = _issued_on(ctx)
    return (approved is None or dt.date.fromisoformat(approved) <= issued) and issued <= ctx.effective_on


has_valid_issue_date = Guard(
    "has_valid_issue_date", _issue_date_in_order,
    "政策文件印发日期应不早于审核通过之日，且不晚于本次登记的业务日期", "公文办理程序（先审签、后印发）", needs_data=True)


# -- effects -----------------------------------------------------------------------------------------
def _record(*keys: str):
    """Keep the values this trigger submits in the case data."""
    def effect(ctx: Context):
        for key in keys:
            if key in ctx.params:
                ctx.data[key] = as_json(ctx.params[key])
    return effect


def _open(ctx: Context):
    ctx.data["received_on"] = (ctx.params.get("registered_on") or ctx.effective_on).isoformat()
    for key in ("major", "executive_meeting", "plan_attached", "materials_attached", "interpreter_is_head"):
        ctx.data.setdefault(key, False)
    for key in ("forms", "channels", "other_channels"):
        ctx.data.setdefault(key, [])
    ctx.data.pop("registered_on", None)  # kept as received_on


def _submitted(ctx: Context):
    ctx.data["submitted_on"] = ctx.effective_on.isoformat()
    ctx.data["submissions"] = ctx.data.get("submissions", 0) + 1


def _returned(ctx: Context):
    # Recorded with the case so the 退文通知单 and an audit read the same list.
    missing = [g.name for g in APPROVAL_GUARDS if not g.check(ctx)]
    ctx.data.setdefault("returns", []).append({"on": ctx.effective_on.isoformat(), "missing": missing})
    ctx.notes["interpretation_days"] = ctx.rules["interpretation_days"]


def _approved(ctx: Context):
    ctx.data["approved_on"] = ctx.effective_on.isoformat()


def _policy_issued(ctx: Context):
    ctx.data["issued_on"] = _issued_on(ctx).isoformat()


# work points 2019 一(二): the clock runs from the policy document's issue date.
_start_interpretation_clock = start_clock(
    "interpretation", "interpretation_days", note="政策文件印发之日（政务公开工作要点一（二））",
    on=lambda ctx: dt.date.fromisoformat(ctx.data["issued_on"]))


def _interpretation_published(ctx: Context):
    reading = ctx.reading("interpretation")
    ctx.data["interpretation_published_on"] = ctx.effective_on.isoformat()
    ctx.data["interpretation_due_on"] = reading.due_on.isoformat()
    ctx.data["deadline_met"] = reading.met()


def _withdrawn(ctx: Context):
    ctx.data["withdrawn_on"] = ctx.effective_on.isoformat()
    if "reason" in ctx.params:
        ctx.data["withdrawal_reason"] = ctx.params["reason"]


SUBMISSION_KEYS = ("policy_title", "document_number", "major", "executive_meeting", "plan_attached",
                   "materials_attached", "interpreter", "interpreter_is_head", "forms", "channels", "other_channels")
PUBLICATION_KEYS = ("document_number", "forms", "channels", "other_channels")

# -- the definition ----------------------------------------------------------------------------------
DRAFTERS = frozenset({HANDLER, ADMIN})  # the drafting department's staff
OFFICE = frozenset({APPROVER, ADMIN})  # the office that approves and returns (厅办公室)
PUBLISHERS = frozenset({HANDLER, APPROVER, ADMIN})
PUBLICATION_GUARDS = (has_document_number, has_interpretation_forms, has_major_policy_form, has_publication_channels)

PROCESS = Process(
    name="policy_interpretation",
    version=1,
    title="政策解读",
    reference_code="解读",  # case register; the publication record is 解备, the return notice 退文
    initial="drafting",
    states=(
        State("drafting", "起草中"),
        State("submitted", "已报送待审核"),
        State("returned", "已退文"),
        State("approved", "已审签"),
        State("interpretation_pending", "政策已印发，解读材料完善中"),
        State("published", "已发布", terminal=True),
        State("withdrawn", "已撤回", terminal=True),
    ),
    clocks=(ClockSpec("interpretation", "working_days", "解读材料发布期限"),),
    registration_schema=RegistrationSchema,
    rules=RULES,
    rule_titles=RULE_TITLES,
    on_open=(_open,),
    describe=describe,
    basis="2019 work points 一(二)",
    order=2,  # processes.md §2
    transitions=(
        Transition("submit", ("drafting", "returned"), "submitted", "报送发文申请及解读材料", DRAFTERS,
                   effects=(_record(*SUBMISSION_KEYS), _submitted), schema=SubmitSchema),
        Transition("return_submission", ("submitted",), "returned", "退文", OFFICE,
                   guards=(has_something_to_correct,), effects=(_returned,), schema=ReturnSchema,
                   letter="return_notice"),
        Transition("approve", ("submitted",), "approved", "审核通过（同步审签）", OFFICE,
                   guards=APPROVAL_GUARDS, effects=(_approved,)),
        Transition("publish", ("approved",), "published", "政策文件与解读材料同日发布", PUBLISHERS,
                   guards=PUBLICATION_GUARDS,
                   effects=(_record(*PUBLICATION_KEYS), _policy_issued, _start_interpretation_clock,
                            stop_clock("interpretation", "政策文件与解读材料同日发布"), _interpretation_published),
                   schema=PublishSchema, letter="interpretation_record"),
        Transition("publish_policy_first", ("approved",), "interpretation_pending", "先行印发政策文件（解读材料完善中）",
                   PUBLISHERS, guards=(has_refinement_window, has_document_number, has_valid_issue_date),
                   effects=(_record("document_number", "refinement_reason"), _policy_issued,
                            _start_interpretation_clock),
                   schema=PolicyFirstSchema),
        Transition("publish_interpretation", ("interpretation_pending",), "published", "发布解读材料", PUBLISHERS,
                   guards=PUBLICATION_GUARDS,
                   effects=(_record(*PUBLICATION_KEYS, "late_reason"),
                            stop_clock("interpretation", "解读材料已发布"), _interpretation_published),
                   schema=PublishInterpretationSchema, letter="interpretation_record"),
        Transition("withdraw", ("drafting", "returned"), "withdrawn", "撤回", PUBLISHERS,
                   effects=(_withdrawn, stop_all_clocks("撤回")), schema=WithdrawalSchema),
    ),
    letters=letters.LETTERS,
)
