"""enforcement_disclosure — 行政执法公示: the process of processes.md §3, declared as data.

Sources: 国办发〔2018〕118号 (publish agency, party, category and conclusion after a decision);
《贵州省司法厅2019年政务公开工作要点》二(三) (20 WD; licence and penalty decisions 7 WD; take down within
3 WD); 行政处罚法 (2021) Art. 48 ¶2 (withdraw a revoked or illegal penalty decision within 3 days, with
public reasons; working days per Art. 85).
"""
from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, validates_schema

from ..engine import (
    ADMIN,
    APPROVER,
    HANDLER,
    REGISTRAR,
    ClockSpec,
    Context,
    Guard,
    Process,
    State,
    Transition,
    start_clock,
    stop_all_clocks,
    stop_clock,
)
from ..fields import Base, Choice, Date, Text, valid_credit_code, valid_resident_id
from . import enforcement_disclosure_letters as letters

# -- vocabulary (the words the letters print for a code live with them) ---------------------------------
DECISION_TYPES = letters.DECISION_TYPES
PARTY_TYPES = letters.PARTY_TYPES
REVOCATION_EVENTS = letters.REVOCATION_EVENTS
# The choices of the exemption form; what the record says of each ground is in articles.yaml (grounds).
EXEMPTION_GROUNDS = {
    "state_secret": "涉及国家秘密",
    "prohibited_by_law": "法律、行政法规禁止公开",
    "security_stability": "危及“三安全一稳定”",
    "commercial_secret": "涉及商业秘密",
    "personal_privacy": "涉及个人隐私",
    "other": "其他法定事由",
}
# work points 2019 二(三): licence and penalty decisions within 7 WD, every other decision within 20 WD.
SHORT_DEADLINE_TYPES = ("administrative_licence", "administrative_penalty")
# The fields that may be registered blank and completed when publishing (they are often worded for
# publication only then); the party and the deciding agency are facts of registration.
COMPLETABLE = ("decision_number", "category", "conclusion")

RULES = {
    "publish_days_licence_penalty": 7,  # work points 2019 二(三)
    "publish_days_other": 20,  # work points 2019 二(三); 国办发〔2018〕118号
    "withdrawal_days": 3,  # work points 2019 二(三); 行政处罚法 Art. 48 ¶2
    "publication_years": 5,  # rule set: how long a decision stays published
    "publication_years_natural_person": 2,  # rule set: shorter where the party is a natural person
}
RULE_TITLES = {
    "publish_days_licence_penalty": ("行政许可、行政处罚决定的公示期限", "个工作日", "《贵州省司法厅2019年政务公开工作要点》二（三）"),
    "publish_days_other": ("其他执法决定的公示期限", "个工作日", "《贵州省司法厅2019年政务公开工作要点》二（三）；国办发〔2018〕118号"),
    "withdrawal_days": ("撤下公示信息的期限", "个工作日",
                        "《贵州省司法厅2019年政务公开工作要点》二（三）；行政处罚决定不超过 3 个工作日（《中华人民共和国行政处罚法》第四十八条第二款）"),
    "publication_years": ("执法决定的公示年限", "年", "本机关规则集"),
    "publication_years_natural_person": ("当事人为自然人的公示年限", "年", "本机关规则集"),
}
# 行政处罚法 Art. 48 ¶2 (days are working days, Art. 85): a penalty decision is withdrawn within 3 days.
# Statute, not rule set: a configuration may shorten the withdrawal limit but never lengthen it for penalties.
PENALTY_WITHDRAWAL_DAYS = 3


# -- registration: flat fields only, one row = one decision (bulk import builds on this schema) --------
class RegistrationSchema(Base):
    decision_number = Text(max_len=200, label="执法决定文书号")
    decision_date = Date(required=True, label="执法决定日期")
    decision_type = Choice(DECISION_TYPES, required=True, label="执法行为类型")
    deciding_agency = Text(required=True, max_len=200, label="执法机关")
    party_type = Choice(PARTY_TYPES, required=True, label="执法对象类型")
    party_name = Text(required=True, max_len=200, label="执法对象名称")
    party_id_number = Text(max_len=64, label="执法对象身份证号码或统一社会信用代码")
    category = Text(max_len=200, label="执法类别")
    conclusion = Text(label="执法结论")
    department = Text(max_len=100, label="承办部门")

    @validates_schema
    def check_party_identity(self, data, **kwargs):
        party, number = data.get("party_type"), data.get("party_id_number")
        if party == "natural_person" and not valid_resident_id(number or ""):
            raise ValidationError({"party_id_number": ["自然人应填写有效的居民身份证号码（18 位，出生日期与校验码正确）"]})
        if party == "legal_person" and not valid_credit_code(number or ""):
            raise ValidationError({"party_id_number": ["法人应填写有效的统一社会信用代码（18 位，校验码正确）"]})
        if party == "other_organisation" and number and not valid_credit_code(number):
            raise ValidationError({"party_id_number": ["统一社会信用代码无效（18 位，校验码正确）；没有的可不填"]})


def describe(data: dict) -> str:
    return f"{data.get('decision_number') or '（未填文号）'} {data.get('party_name', '')}：{data.get('category') or ''}"


# -- trigger data ------------------------------------------------------------------------------------
class PublishSchema(Base):
    decision_number = Text(max_len=200, label="决定文书号")
    category = Text(max_len=200, label="执法类别")
    conclusion = Text(label="执法结论")
    channel = Text(max_len=500, label="公开渠道")  # where it is published, e.g. the portal's enforcement column


class ExemptionSchema(Base):
    ground = Choice(EXEMPTION_GROUNDS, required=True, label="不予公开的理由")
    explanation = Text(required=True, label="说明")  # the agency's reasons, in its own words
    basis = Text(max_len=500, label="法律依据")  # the legal provision, typed when the ground is "other"

    @validates_schema
    def basis_for_other(self, data, **kwargs):
        if data.get("ground") == "other" and not (data.get("basis") or "").strip():
            raise ValidationError({"basis": ["选择“其他法定事由”的，应写明不予公示的法律依据"]})


class RevocationSchema(Base):
    event = Choice(REVOCATION_EVENTS, required=True, label="情形")
    event_on = Date(required=True, label="发生日期")  # the day the decision was revoked, confirmed illegal or ordered remade
    authority = Text(max_len=500, label="作出机关及文书")  # who did it and by which instrument, e.g. a reconsideration decision


class WithdrawalSchema(Base):
    statement = Text(required=True, label="撤下说明")  # the public statement of reasons (行政处罚法 Art. 48 ¶2)


# -- helpers ---------------------------------------------------------------------------------------
def _blank(value) -> bool:
    return not (value or "").strip()


def publish_rule(data: dict) -> str:
    """The rule-set key of the publication limit for the decision's type."""
    return "publish_days_licence_penalty" if data["decision_type"] in SHORT_DEADLINE_TYPES else "publish_days_other"


def add_years(day: dt.date, years: int) -> dt.date:
    """The corresponding day ``years`` later; 29 February becomes 28 February (民法典 Art. 202)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def publication_period_end(published_on: dt.date, years: int) -> dt.date:
    """The last day of a publication period of ``years`` calendar years from the publication date.

    民法典 Art. 201-202: the start day is not counted and the corresponding day of the final year is the
    last day, so a decision published on 2026-10-15 for 2 years is published until 2028-10-15 inclusive.
    """
    return add_years(published_on, years)


def missing_publication_fields(data: dict, params: dict) -> list[str]:
    """Required published fields that are blank in the case data and not supplied now."""
    needed = ["deciding_agency", "party_name", "category", "conclusion", "decision_number"]
    if data.get("party_type") in ("natural_person", "legal_person"):
        needed.append("party_id_number")
    return [f for f in needed if _blank(data.get(f)) and _blank(params.get(f))]


# -- guards ----------------------------------------------------------------------------------------
has_publication_fields = Guard(
    "has_publication_fields", lambda ctx: not missing_publication_fields(ctx.data, ctx.params),
    "公示前应具备执法机关、执法对象、执法类别、执法结论和执法决定文书号，尚有缺项，请在公示时补充",
    "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》"
    "（国办发〔2018〕118号）；《贵州省司法厅2019年政务公开工作要点》二（三）", needs_data=True)
can_complete_only_blank_fields = Guard(
    "can_complete_only_blank_fields",
    lambda ctx: all(_blank(ctx.data.get(f)) or ctx.params[f] == ctx.data[f] for f in COMPLETABLE if f in ctx.params),
    "登记时已填写的文书号、执法类别或执法结论不能在公示时更改，公示内容应与执法决定一致",
    "国办发〔2018〕118号（公示信息应准确）", needs_data=True)
has_event_date_in_range = Guard(
    "has_event_date_in_range",
    lambda ctx: dt.date.fromisoformat(ctx.data["decision_date"]) <= ctx.params["event_on"] <= ctx.effective_on,
    "撤销、确认违法或者要求重新作出的日期不能早于执法决定作出之日，也不能晚于本次登记的业务日期",
    "《中华人民共和国行政处罚法》第四十八条第二款", needs_data=True)
has_publication_period_ended = Guard(
    "has_publication_period_ended",
    lambda ctx: ctx.effective_on > dt.date.fromisoformat(ctx.data["publication"]["period_ends_on"]),
    "公示期限尚未届满，不能按公示期满撤下",
    "本机关行政执法公示规则（公示年限由规则集确定，自公示之日起按年计算：《中华人民共和国民法典》第二百零一条、第二百零二条）")


# -- effects ---------------------------------------------------------------------------------------
def _open(ctx: Context):
    # The decision date is the case's received_on and the start of the publication clock.
    ctx.data["received_on"] = ctx.data["decision_date"]
    start_clock("publication", publish_rule(ctx.data), note="执法决定作出之日（当日不计入）",
                on=lambda c: dt.date.fromisoformat(c.data["decision_date"]))(ctx)


def _start_withdrawal_clock(ctx: Context):
    limit = ctx.rules["withdrawal_days"]
    recorded = {"withdrawal_days": limit}
    if ctx.data["decision_type"] == "administrative_penalty" and limit > PENALTY_WITHDRAWAL_DAYS:
        limit = recorded["penalty_withdrawal_days_statutory"] = PENALTY_WITHDRAWAL_DAYS
    ctx.clocks["withdrawal"].start(ctx.params["event_on"], limit, rules=recorded,
                                   note="撤销、确认违法或者要求重新作出之日（当日不计入）")


def _complete_fields(ctx: Context):
    for name in COMPLETABLE:
        if name in ctx.params:
            ctx.data[name] = ctx.params[name]


def _record_publication(ctx: Context):
    """What was published, the period it stays published and whether the deadline held."""
    reading = ctx.reading("publication")
    natural = ctx.data["party_type"] == "natural_person"
    rule = "publication_years_natural_person" if natural else "publication_years"
    years = ctx.rules[rule]
    record = {
        "published_on": ctx.effective_on.isoformat(),
        "due_on": reading.due_on.isoformat(),
        "on_time": ctx.effective_on <= reading.due_on,
        "party_id_published": letters.published_party_id(ctx.data),
        "rules": {rule: years},
        "period_ends_on": publication_period_end(ctx.effective_on, years).isoformat(),
    }
    if ctx.params.get("channel"):
        record["channel"] = ctx.params["channel"]
    ctx.data["publication"] = record
    ctx.notes["publication_on_time"] = record["on_time"]


def _record_exemption(ctx: Context):
    ctx.data["exemption"] = {"ground": ctx.params["ground"], "decided_on": ctx.effective_on.isoformat()}


def _record_revocation(ctx: Context):
    ctx.data["revocation"] = {"event": ctx.params["event"], "event_on": ctx.params["event_on"].isoformat(),
                              **({"authority": ctx.params["authority"]} if "authority" in ctx.params else {})}


def _record_withdrawal(ctx: Context):
    reading = ctx.reading("withdrawal")
    ctx.data["withdrawal"] = {"withdrawn_on": ctx.effective_on.isoformat(), "due_on": reading.due_on.isoformat(),
                              "on_time": ctx.effective_on <= reading.due_on}
    ctx.notes["withdrawal_on_time"] = ctx.data["withdrawal"]["on_time"]


def _record_expiry(ctx: Context):
    ctx.data["publication"]["expired_on"] = ctx.effective_on.isoformat()


# -- the definition --------------------------------------------------------------------------------
WORKERS = frozenset({REGISTRAR, HANDLER, APPROVER, ADMIN})
HANDLERS = frozenset({HANDLER, APPROVER, ADMIN})
APPROVERS = frozenset({APPROVER, ADMIN})

PROCESS = Process(
    name="enforcement_disclosure",
    version=1,
    title="行政执法公示",
    reference_code="执登",  # case register; the publication letter is 执公
    initial="decided",
    states=(
        State("decided", "待公示"),
        State("published", "已公示"),
        State("withdrawal_pending", "待撤下"),
        State("withdrawn", "已撤下", terminal=True),
        State("exempted", "不予公示", terminal=True),
        State("expired", "公示期满", terminal=True),
    ),
    clocks=(
        ClockSpec("publication", "working_days", "公示期限"),
        ClockSpec("withdrawal", "working_days", "撤下期限"),
    ),
    registration_schema=RegistrationSchema,
    rules=RULES,
    rule_titles=RULE_TITLES,
    on_open=(_open,),
    describe=describe,
    basis="2019 work points 二(三); 行政处罚法 Art. 48",
    order=3,  # processes.md §3
    import_key=("decision_number",),
    transitions=(
        # Publishing late is still publishing: the delay is recorded, never a reason to refuse.
        Transition("publish", ("decided",), "published", "公示执法决定", HANDLERS,
                   guards=(has_publication_fields, can_complete_only_blank_fields),
                   effects=(_complete_fields, stop_clock("publication", "已公示"), _record_publication),
                   schema=PublishSchema, letter="enforcement_publication"),
        # Not publishing is a decision the head of the office takes, with its legal ground on record.
        Transition("exempt", ("decided",), "exempted", "依法不予公示", APPROVERS,
                   effects=(stop_all_clocks("依法不予公示"), _record_exemption),
                   schema=ExemptionSchema, letter="exemption_record"),
        Transition("revoke", ("published",), "withdrawal_pending", "登记决定被撤销、确认违法或要求重新作出", WORKERS,
                   guards=(has_event_date_in_range,),
                   effects=(_start_withdrawal_clock, _record_revocation),
                   schema=RevocationSchema),
        Transition("withdraw_publication", ("withdrawal_pending",), "withdrawn", "撤下公示信息", HANDLERS,
                   effects=(stop_clock("withdrawal", "已撤下"), _record_withdrawal),
                   schema=WithdrawalSchema, letter="withdrawal_statement"),
        Transition("expire", ("published",), "expired", "公示期满撤下", HANDLERS,
                   guards=(has_publication_period_ended,), effects=(_record_expiry,)),
    ),
    letters=letters.LETTERS,
)
