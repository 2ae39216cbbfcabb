"""disclosure_request — 政府信息公开申请: the process of processes.md §1, declared as data.

Law: 政府信息公开条例 (2019) Art. 27-45; fees 国办函〔2020〕109号; remedies 行政复议法 (2023).
"""
from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, fields, validate, validates_schema

from .. import fees
from ..engine import (
    ADMIN,
    APPROVER,
    COUNTERPART,
    HANDLER,
    REGISTRAR,
    ClockSpec,
    Context,
    Guard,
    Process,
    State,
    Transition,
    as_json,
    pause_clock,
    restart_clock_named,
    resume_clock,
    set_data,
    start_clock,
    stop_all_clocks,
    stop_clock,
)
from ..errors import InvalidData
from ..fields import MAX_TEXT, Base, Choice, Date, Int, Text, TextList, described, valid_credit_code, valid_resident_id
from . import disclosure_request_letters as letters

# -- vocabulary ------------------------------------------------------------------------------------
APPLICANT_TYPES = {
    "natural_person": "自然人",
    "commercial_enterprise": "商业企业",
    "research_institution": "科研机构",
    "public_interest_organisation": "社会公益组织",
    "legal_service_institution": "法律服务机构",
    "other_organisation": "其他组织",
}
ID_TYPES = {
    "resident_id_card": "居民身份证",
    "passport": "护照",
    "hk_macao_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "foreign_permanent_residence": "外国人永久居留身份证",
    "unified_social_credit_code": "统一社会信用代码",
    "other": "其他身份证明",
}
PERSON_ID_TYPES = ("resident_id_card", "passport", "hk_macao_permit", "taiwan_permit",
                   "foreign_permanent_residence", "other")
CHANNELS = {
    "in_person": "当面提交",
    "registered_post": "挂号信等需签收的邮件",
    "ordinary_post": "平常信函",
    "online": "互联网渠道",
    "fax": "传真",
}
# Art. 31(2)(3): for these channels the receipt date is the day both sides confirmed.
CONFIRMATION_CHANNELS = ("ordinary_post", "online", "fax")
FORMS = {"paper": "纸质文本", "electronic": "电子文本", "inspection": "当场查阅、抄录", "other": "其他形式"}
DELIVERIES = {"post": "邮寄", "email": "电子邮件", "collect": "自行领取", "fax": "传真", "online": "网上获取"}

OUTCOMES = {
    "disclosed": {"disclose": "予以公开", "already_public": "已主动公开"},
    "partially_disclosed": {"partial": "部分公开"},
    "withheld": {
        "state_secret": "属于国家秘密",
        "prohibited_by_law": "其他法律行政法规禁止公开",
        "security_stability": "危及“三安全一稳定”",
        "third_party_rights": "保护第三方合法权益",
        "internal_affairs": "属于三类内部事务信息",
        "process_information": "属于四类过程性信息",
        "enforcement_case_file": "属于行政执法案卷",
        "administrative_inquiry": "属于行政查询事项",
    },
    "unavailable": {
        "not_held": "本机关不掌握相关政府信息",
        "not_this_agency": "非本机关政府信息",
        "needs_creation": "没有现成信息需要另行制作",
        "unclear_after_correction": "补正后申请内容仍不明确",
    },
    "not_processed": {
        "petition_complaint": "信访举报投诉类申请",
        "repeat_application": "重复申请",
        "publication": "要求提供公开出版物",
        "unreasonable_volume": "无正当理由大量反复申请",
        "confirm_or_reissue": "要求行政机关确认或重新出具已获取信息",
    },
    "closed_other": {
        "correction_lapsed": "申请人无正当理由逾期不补正",
        "fee_unpaid": "申请人逾期未按收费通知要求缴纳费用",
        "other": "其他",
        "withdrawn": "申请人撤回申请",
    },
}
# Reasons that a caseworker may propose; the others come from their own triggers.
PROPOSABLE = {state: [r for r in reasons if r not in ("correction_lapsed", "fee_unpaid", "withdrawn")]
              for state, reasons in OUTCOMES.items()}
WITHHOLDING_GROUNDS = OUTCOMES["withheld"]
# The outcomes (the reply's terminal states, same titles) and every proposable reason with its title.
OUTCOME_TITLES = {"disclosed": "予以公开", "partially_disclosed": "部分公开", "withheld": "不予公开",
                  "unavailable": "无法提供", "not_processed": "不予处理", "closed_other": "其他处理"}
# Every reason is a known code (one that only its own trigger sets is refused by the proposal's own check,
# with the outcome's reasons named); a form offers the proposable ones, grouped by outcome.
REASON_TITLES = {reason: title for reasons in OUTCOMES.values() for reason, title in reasons.items()}

# Time limits fixed by law: shown with the rules, never overridden by an agency's configuration.
STATUTORY = {
    "reply_days": 20,  # Art. 33 ¶2
    "extension_cap_days": 20,  # Art. 33 ¶2: total extension at most 20 WD
    "correction_notice_days": 7,  # Art. 30
    "consultation_days": 15,  # Art. 32, 34
}
# The agency's rule set: defaults an agency may change in configuration.
RULES = {
    "correction_days": 10,  # Art. 30 "reasonable period": the agency's rule set
    "fee_payment_days": 20,  # 109号 as restated by the provinces (law.md §1.6)
    "fee_pauses_reply_clock": True,  # 109号 is silent; rule-set option (law.md §9 open question 1)
    "reasons_days": 10,  # Art. 35 "reasonable": the agency's rule set
    "reasons_pause_reply_clock": False,
}
RULE_TITLES = {
    "reply_days": ("答复期限", "个工作日", "《政府信息公开条例》第三十三条第二款"),
    "extension_cap_days": ("延长答复期限的上限（累计）", "个工作日", "《政府信息公开条例》第三十三条第二款"),
    "correction_notice_days": ("一次性告知补正的期限", "个工作日", "《政府信息公开条例》第三十条"),
    "consultation_days": ("征求意见的答复期限", "个工作日", "《政府信息公开条例》第三十二条、第三十四条"),
    "correction_days": ("申请人补正的期限", "个工作日", "《政府信息公开条例》第三十条（“合理期限”，由本机关规则集确定）"),
    "fee_payment_days": ("缴纳信息处理费的期限", "个工作日", "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"),
    "fee_pauses_reply_clock": ("收费通知至缴费期间暂停答复期限", "", "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）未作规定，由规则集确定"),
    "reasons_days": ("申请人说明理由的期限", "个工作日", "《政府信息公开条例》第三十五条（“合理期限”，由本机关规则集确定）"),
    "reasons_pause_reply_clock": ("说明理由期间暂停答复期限", "", "《政府信息公开条例》第三十五条，由规则集确定"),
}


# -- registration ----------------------------------------------------------------------------------
class RegistrationSchema(Base):
    applicant_type = Choice(APPLICANT_TYPES, required=True, label="申请人类型")
    applicant_name = Text(required=True, max_len=200, label="申请人姓名或名称")
    id_type = Choice(ID_TYPES, required=True, label="身份证明类型")
    id_number = Text(required=True, max_len=64, label="身份证明号码")
    legal_representative = Text(max_len=100, label="法定代表人")
    contact_person = Text(max_len=100, label="联系人")
    phone = Text(max_len=40, label="联系电话")
    email = fields.Email(validate=validate.Length(max=200), error_messages={"invalid": "电子邮箱格式不正确"},
                         metadata=described("电子邮箱"))
    address = Text(max_len=500, label="通信地址")
    postcode = fields.String(validate=validate.Regexp(r"^\d{6}$", error="邮政编码应为 6 位数字"),
                             metadata=described("邮政编码"))
    description = Text(required=True, max_len=MAX_TEXT, label="所需政府信息的名称、文号或便于查询的特征性描述")
    document_title = Text(max_len=500, label="文件名称")
    document_number = Text(max_len=200, label="文号")
    form = Choice(FORMS, required=True, label="获取信息的形式")
    delivery = Choice(DELIVERIES, required=True, label="获取信息的方式")
    channel = Choice(CHANNELS, required=True, label="提交渠道")
    arrived_on = Date(required=True, label="申请到达日期", help=(
        "当面提交的，为提交之日；挂号信等需签收的邮件，为本机关签收之日。收到申请之日即起算答复期限"
        "（条例第三十一条第（一）（二）项）"))
    confirmed_on = Date(label="双方确认日期", help=(
        "平常信函、互联网渠道和传真提交的，收到申请之日为与申请人双方确认之日，必须填写；当面提交和需签收的"
        "邮件不填写（条例第三十一条第（二）（三）项）"))
    department = Text(max_len=100, label="承办部门")

    @validates_schema
    def check_identity_and_receipt(self, data, **kwargs):
        errors: dict[str, list[str]] = {}
        person = data.get("applicant_type") == "natural_person"
        id_type, number = data.get("id_type"), data.get("id_number", "")
        if person and id_type == "unified_social_credit_code":
            errors["id_type"] = ["自然人应提供个人身份证明（条例第二十九条第二款第（一）项）"]
        if not person and id_type in PERSON_ID_TYPES and id_type != "other":
            errors["id_type"] = ["法人或者其他组织应提供统一社会信用代码等组织身份证明"]
        if id_type == "resident_id_card" and not valid_resident_id(number):
            errors["id_number"] = ["居民身份证号码无效（应为 18 位，出生日期与校验码正确）"]
        if id_type == "unified_social_credit_code" and not valid_credit_code(number):
            errors["id_number"] = ["统一社会信用代码无效（应为 18 位，校验码正确）"]
        if not any(data.get(k) for k in ("phone", "email", "address")):
            errors["phone"] = ["应至少提供一种联系方式：电话、电子邮箱或通信地址（条例第二十九条第二款第（一）项）"]
        if data.get("delivery") == "post" and not data.get("address"):
            errors["address"] = ["选择邮寄的，应填写通信地址"]
        if data.get("delivery") == "email" and not data.get("email"):
            errors["email"] = ["选择电子邮件的，应填写电子邮箱"]
        channel = data.get("channel")
        arrived, confirmed = data.get("arrived_on"), data.get("confirmed_on")
        if channel in CONFIRMATION_CHANNELS and confirmed is None:
            errors["confirmed_on"] = ["平常信函、互联网渠道和传真提交的，收到申请之日为双方确认之日，必须填写（条例第三十一条）"]
        if channel not in CONFIRMATION_CHANNELS and confirmed is not None:
            errors["confirmed_on"] = ["此渠道的收到申请之日为提交或签收之日，不填写确认日期（条例第三十一条）"]
        if arrived and confirmed and confirmed < arrived:
            errors["confirmed_on"] = ["确认日期不能早于申请到达日期"]
        if arrived and arrived < dt.date(2019, 5, 15):
            errors["arrived_on"] = ["不能早于 2019年5月15日（现行条例施行日）"]
        if errors:
            raise ValidationError(errors)


def receipt_date(data: dict) -> dt.date:
    """Art. 31: submission or signing day; the day both sides confirmed for post, online and fax."""
    return data.get("confirmed_on") or data["arrived_on"]


def describe(data: dict) -> str:
    return f"{data.get('applicant_name', '')}：{data.get('description', '')[:60]}"


# -- trigger data ------------------------------------------------------------------------------------
class CorrectionSchema(Base):
    items = TextList(required=True, max_items=30, max_len=1000, label="需补正的事项")


class CorrectionReceivedSchema(Base):
    summary = Text(max_len=MAX_TEXT, label="补正内容摘要")


class ReasonsRequestSchema(Base):
    grounds = Text(required=True, label="超出合理范围的理由")  # why volume or frequency exceeds a reasonable range
    asked = Text(required=True, label="要求申请人说明的理由")  # which reasons the applicant is asked for


class ReasonsAcceptedSchema(Base):
    reply_due_on = Date(label="延后的答复期限")  # Art. 35: a later reasonable reply date


class ThirdPartySchema(Base):
    third_party_name = Text(required=True, max_len=200, label="第三方名称或姓名")
    third_party_address = Text(max_len=500, label="第三方地址")
    information = Text(required=True, label="涉及的政府信息")  # the information concerned, without the applicant's data
    impact = Text(required=True, label="可能损害第三方合法权益的理由")  # why disclosure may affect the third party's rights (Art. 32)
    # Art. 32: 15 WD "自收到征求意见书之日起"; defaults to the day the letter is issued (handed over in person)
    served_on = Date(label="意见书送达日期")


class OpinionSchema(Base):
    opinion = Choice({"consent": "同意公开", "objection": "不同意公开"}, required=True, label="第三方意见")
    reasons = Text(label="理由")

    @validates_schema
    def reasons_for_objection(self, data, **kwargs):
        if data.get("opinion") == "objection" and not (data.get("reasons") or "").strip():
            raise ValidationError({"reasons": ["不同意公开的，应记录其理由（条例第三十二条）"]})


class AgencyConsultationSchema(Base):
    agency_name = Text(required=True, max_len=200, label="被征求意见机关")
    agency_address = Text(max_len=500, label="被征求意见机关地址")
    information = Text(required=True, label="涉及的政府信息")
    served_on = Date(label="征求意见函送达日期")  # Art. 34: 15 WD from receipt of the letter


class FeeNoticeSchema(Base):
    basis = Choice({fees.PER_PIECE: "按件计收", fees.PER_VOLUME: "按量计收"}, required=True, label="计收方式")
    pieces = Int(min_value=1, max_value=10000, label="件数")
    pieces_already_this_month = Int(min_value=0, max_value=100000, label="本月已申请件数")
    pages = Int(min_value=1, max_value=1000000, label="页数")
    served_on = Date(label="通知送达日期")  # the day the applicant receives the notice; defaults to the issue date
    payment_method = Text(max_len=1000, label="缴费方式")

    @validates_schema
    def one_basis(self, data, **kwargs):
        # 109号 Art. 3: one basis per application, never both.
        if data.get("basis") == fees.PER_PIECE:
            if data.get("pieces") is None:
                raise ValidationError({"pieces": ["按件计收时必填件数"]})
            if data.get("pages") is not None:
                raise ValidationError({"pages": ["按件计收时不得同时按量计收（国办函〔2020〕109号第三条）"]})
        if data.get("basis") == fees.PER_VOLUME:
            if data.get("pages") is None:
                raise ValidationError({"pages": ["按量计收时必填页数"]})
            if data.get("pieces") is not None or data.get("pieces_already_this_month") is not None:
                raise ValidationError({"pieces": ["按量计收时不得同时按件计收（国办函〔2020〕109号第三条）"]})


class ExtensionSchema(Base):
    days = Int(required=True, min_value=1, max_value=20, label="延长天数（工作日）")
    reason = Text(required=True, label="延长理由")


class WithheldPartSchema(Base):
    part = Text(required=True, max_len=1000, label="不予公开的部分")
    ground = Choice(WITHHOLDING_GROUNDS, required=True, label="不予公开的理由类别")
    explanation = Text(max_len=2000, label="说明")


class ResponsibleAgencySchema(Base):
    name = Text(required=True, max_len=200, label="负责公开的机关名称")
    contact = Text(max_len=500, label="联系方式")


class EarlierReplySchema(Base):
    number = Text(required=True, max_len=100, label="原答复文号")
    date = Date(required=True, label="原答复日期")


class ProposalSchema(Base):
    outcome = Choice({o: OUTCOME_TITLES[o] for o in PROPOSABLE}, required=True, label="拟答复类型")
    reason = Choice(REASON_TITLES, required=True, label="答复理由", help="按拟答复类型选择具体情形",
                    metadata={"x-choice-groups": {OUTCOME_TITLES[o]: reasons for o, reasons in PROPOSABLE.items()
                                                  if reasons}})
    provided = Text(label="提供的信息及形式")  # what is provided and in which form
    obtain = Text(label="获取信息的时间、方式和地点")  # time, manner and place to obtain it (Art. 36(2))
    published_title = Text(max_len=500, label="已公开信息的名称")
    published_channel = Text(max_len=500, label="公开的途径")
    published_on = Date(label="公开日期")
    withheld_parts = fields.List(fields.Nested(WithheldPartSchema), validate=validate.Length(max=50),
                                 metadata=described("不予公开的部分"))
    # the agency's reasons (Art. 36: every refusal); for not_held, what was searched
    explanation = Text(label="理由说明")
    # closed_other/other: the rule that applies; 行政查询 (Art. 36(7)): the special law to follow
    legal_basis = Text(max_len=1000, label="法律依据")
    responsible_agency = fields.Nested(ResponsibleAgencySchema, metadata=described("负责公开的机关"))
    earlier_reply = fields.Nested(EarlierReplySchema, metadata=described("原答复"))
    proper_channel = Text(label="应当通过的途径")
    # Art. 15, 32: disclosing over a third party's objection needs the public interest that outweighs it
    public_interest = Text(label="不公开可能对公共利益造成重大影响的理由")
    publication_how = Text(label="获取公开出版物的途径")

    @validates_schema
    def what_the_reason_requires(self, data, **kwargs):
        outcome, reason = data.get("outcome"), data.get("reason")
        if outcome is None or reason is None:
            return
        if reason not in PROPOSABLE[outcome]:
            raise ValidationError({"reason": [f"“{outcome}”的理由应为：{', '.join(PROPOSABLE[outcome])}"]})
        # Art. 36: every refusal, "not available" and "not processed" reply gives the agency's reasons.
        need = {
            ("disclosed", "disclose"): ("provided", "obtain"),
            ("disclosed", "already_public"): ("published_title", "published_channel", "published_on"),
            ("partially_disclosed", "partial"): ("provided", "obtain", "withheld_parts"),
            # Art. 36(7): the applicant is told which law to follow and how (the special procedure).
            ("withheld", "administrative_inquiry"): ("legal_basis", "explanation"),
            ("withheld", None): ("explanation",),
            ("unavailable", None): ("explanation",),
            ("not_processed", "petition_complaint"): ("proper_channel", "explanation"),
            ("not_processed", "repeat_application"): ("earlier_reply", "explanation"),
            ("not_processed", "publication"): ("publication_how", "explanation"),
            ("not_processed", None): ("explanation",),
            ("closed_other", "other"): ("explanation", "legal_basis"),
        }
        required = need.get((outcome, reason)) or need.get((outcome, None)) or ()
        errors = {k: ["此答复类型必填"] for k in required if not data.get(k)}
        if errors:
            raise ValidationError(errors)


class RevisionSchema(Base):
    comment = Text(required=True, label="退回修改意见")


class WithdrawalSchema(Base):
    statement = Text(label="撤回声明")  # the applicant's words, if any


# -- guards ----------------------------------------------------------------------------------------
def _received_on(ctx: Context) -> dt.date:
    return dt.date.fromisoformat(ctx.data["received_on"])


within_correction_notice_period = Guard(
    "within_correction_notice_period",
    lambda ctx: ctx.effective_on <= ctx.calendar.add_working_days(_received_on(ctx), ctx.rules["correction_notice_days"]),
    "补正告知应在收到申请之日起7个工作日内一次性作出，已超过期限",
    "《政府信息公开条例》第三十条")
has_not_requested_correction = Guard(
    "has_not_requested_correction", lambda ctx: not ctx.fired("request_correction"),
    "补正告知只能一次性作出，本申请已经告知过补正", "《政府信息公开条例》第三十条（一次性告知）")
has_correction_window_passed = Guard(
    "has_correction_window_passed", lambda ctx: ctx.effective_on > ctx.reading("correction").due_on,
    "补正期限尚未届满，不能按逾期未补正处理", "《政府信息公开条例》第三十条")
has_consultation_period_passed = Guard(
    "has_consultation_period_passed", lambda ctx: ctx.effective_on > ctx.reading("consultation").due_on,
    "征求意见的15个工作日答复期限尚未届满", "《政府信息公开条例》第三十二条、第三十四条")
has_payment_window_passed = Guard(
    "has_payment_window_passed", lambda ctx: ctx.effective_on > ctx.reading("fee").due_on,
    "缴费期限尚未届满，不能按逾期未缴费处理", "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）")


def _within_reply_clock(ctx: Context) -> bool:
    """On or before the reply due date. A paused reply clock has no due date (it can still be paused in
    in_progress, e.g. a proposal made while awaiting reasons and returned for revision): there is then no
    running period to extend or to notify a fee within, so the rule does not hold."""
    due = ctx.reading("reply").due_on
    return due is not None and ctx.effective_on <= due


within_reply_period = Guard(
    "within_reply_period", _within_reply_clock,
    "延期应在答复期限届满前决定，答复期限已过", "《政府信息公开条例》第三十三条第二款")
within_extension_cap = Guard(
    "within_extension_cap",
    lambda ctx: ctx.reading("reply").extension + ctx.params["days"] <= ctx.rules["extension_cap_days"],
    "延长答复的期限最长不得超过20个工作日（累计）", "《政府信息公开条例》第三十三条第二款", needs_data=True)
has_positive_fee = Guard(
    "has_positive_fee", lambda ctx: letters.fee_total(ctx.params) > 0,
    "按所列件数或页数计算不应收费（在免费额度内），不能发出收费通知", "《政府信息公开信息处理费管理办法》第四条、第五条",
    needs_data=True)
has_service_after_notice = Guard(
    "has_service_after_notice", lambda ctx: _served_on(ctx) >= ctx.effective_on,
    "申请人收到收费通知的日期不能早于通知发出的日期", "《政府信息公开信息处理费管理办法》（缴费期限自收到通知次日起算）",
    needs_data=True)
has_service_after_consultation_letter = Guard(
    "has_service_after_consultation_letter", lambda ctx: _served_on(ctx) >= ctx.effective_on,
    "收到征求意见书（函）的日期不能早于发出的日期", "《政府信息公开条例》第三十二条、第三十四条（答复期限自收到之日起算）",
    needs_data=True)
within_fee_notice_period = Guard(
    "within_fee_notice_period", _within_reply_clock,
    "收费通知应在答复期限内发出", "《政府信息公开信息处理费管理办法》", needs_data=False)
has_requested_reasons = Guard(
    "has_requested_reasons",
    lambda ctx: ctx.params["reason"] != "unreasonable_volume" or bool(ctx.fired("request_reasons")),
    "以“无正当理由大量反复申请”不予处理前，应先要求申请人说明理由", "《政府信息公开条例》第三十五条", needs_data=True)
can_refuse_unreasonable_reasons = Guard(
    "can_refuse_unreasonable_reasons",
    lambda ctx: ctx.state != "awaiting_reasons"
    or (ctx.params["outcome"], ctx.params["reason"]) == ("not_processed", "unreasonable_volume"),
    "等待说明理由期间只能以“理由不合理，不予处理”拟定答复；理由合理的，请先执行“理由合理，继续办理”",
    "《政府信息公开条例》第三十五条", needs_data=True)
has_received_correction = Guard(
    "has_received_correction",
    lambda ctx: ctx.params["reason"] != "unclear_after_correction" or bool(ctx.fired("receive_correction")),
    "只有经补正后申请内容仍不明确的，才能以此理由答复", "《政府信息公开条例》第三十条", needs_data=True)
def _objected(ctx: Context) -> bool:
    """The third party's last answer was an objection (Art. 32)."""
    replies = ctx.fired("third_party_replied")
    return bool(replies) and replies[-1]["data"].get("opinion") == "objection"


has_public_interest_to_override_objection = Guard(
    "has_public_interest_to_override_objection",
    lambda ctx: ctx.params["outcome"] != "disclosed" or not _objected(ctx) or bool(ctx.params.get("public_interest")),
    "第三方不同意公开的，只有认为不公开可能对公共利益造成重大影响时才能决定公开，请说明理由（public_interest）",
    "《政府信息公开条例》第十五条、第三十二条", needs_data=True)
has_later_reply_date = Guard(
    "has_later_reply_date",
    lambda ctx: "reply_due_on" not in ctx.params
    or ctx.params["reply_due_on"] > (ctx.reading("reply").due_on or ctx.effective_on),
    "确定的合理答复期限应晚于原答复期限", "《政府信息公开条例》第三十五条", needs_data=True)


# -- effects ---------------------------------------------------------------------------------------
def _served_on(ctx: Context) -> dt.date:
    return ctx.params.get("served_on") or ctx.effective_on


def _pause_reply_if(rule: str, note: str):
    def effect(ctx: Context):
        if ctx.rules[rule]:
            pause_clock("reply", note)(ctx)
    return effect


def _resume_reply_if(rule: str, note: str):
    def effect(ctx: Context):
        if ctx.rules[rule]:
            resume_clock("reply", note)(ctx)
    return effect


def _extend_reply(ctx: Context):
    ctx.notes["due_before_extension"] = ctx.reading("reply").due_on.isoformat()
    ctx.clocks["reply"].extend(ctx.effective_on, ctx.params["days"], note=ctx.params["reason"])


def _set_later_reply_date(ctx: Context):
    if "reply_due_on" in ctx.params:
        ctx.clocks["reply"].set_due(ctx.effective_on, ctx.params["reply_due_on"], note="说明理由后确定的合理答复期限")


def _record_proposal(ctx: Context):
    ctx.data["proposal"] = as_json({k: v for k, v in ctx.params.items() if k != "comment"})


def _proposed_destination(ctx: Context) -> str:
    return ctx.data.get("proposal", {}).get("outcome", "")


def _take_proposal(ctx: Context):
    ctx.reason = ctx.data["proposal"]["reason"]


def _reply_letters(ctx: Context) -> tuple[str, ...]:
    """The reply, and when the agency discloses over the third party's objection, the written notice to the
    third party of what will be disclosed and why (Art. 32)."""
    proposal = ctx.data.get("proposal", {})
    overrides = proposal.get("outcome") in ("disclosed", "partially_disclosed") and bool(proposal.get("public_interest"))
    return ("reply", "third_party_disclosure_notice") if overrides and _objected(ctx) else ("reply",)


def _clear_proposal(ctx: Context):
    ctx.data.pop("proposal", None)


def _open(ctx: Context):
    received = receipt_date(ctx.params)
    if received > ctx.effective_on:  # effective_on is today when a case is opened
        field_name = "confirmed_on" if ctx.params.get("confirmed_on") else "arrived_on"
        raise InvalidData("提交的数据有误", {field_name: [f"收到申请之日不能晚于今天（{ctx.effective_on.isoformat()}）"]})
    ctx.data["received_on"] = received.isoformat()
    start_clock("reply", "reply_days", note="收到申请之日（条例第三十一条）",
                on=lambda c: dt.date.fromisoformat(c.data["received_on"]))(ctx)


# -- the definition --------------------------------------------------------------------------------
WORKERS = frozenset({REGISTRAR, HANDLER, APPROVER, ADMIN})
HANDLERS = frozenset({HANDLER, APPROVER, ADMIN})
APPROVERS = frozenset({APPROVER, ADMIN})
OPEN_STATES = ("received", "awaiting_correction", "awaiting_reasons", "in_progress", "consulting_third_party",
               "consulting_agency", "awaiting_fee", "under_review")

PROCESS = Process(
    name="disclosure_request",
    version=1,
    title="政府信息公开申请",
    reference_code="依申",
    initial="received",
    states=(
        State("received", "已登记"),
        State("awaiting_correction", "待补正"),
        State("awaiting_reasons", "待说明理由"),
        State("in_progress", "办理中"),
        State("consulting_third_party", "征求第三方意见"),
        State("consulting_agency", "征求其他机关意见"),
        State("awaiting_fee", "待缴费"),
        State("under_review", "待审核"),
        State("disclosed", OUTCOME_TITLES["disclosed"], terminal=True),
        State("partially_disclosed", OUTCOME_TITLES["partially_disclosed"], terminal=True),
        State("withheld", OUTCOME_TITLES["withheld"], terminal=True),
        State("unavailable", OUTCOME_TITLES["unavailable"], terminal=True),
        State("not_processed", OUTCOME_TITLES["not_processed"], terminal=True),
        State("closed_other", OUTCOME_TITLES["closed_other"], terminal=True),
    ),
    clocks=(
        ClockSpec("reply", "working_days", "答复期限"),
        ClockSpec("correction", "working_days", "补正期限", COUNTERPART),
        ClockSpec("reasons", "working_days", "说明理由期限", COUNTERPART),
        ClockSpec("consultation", "working_days", "征求意见答复期限", COUNTERPART),
        ClockSpec("fee", "working_days", "缴费期限", COUNTERPART),
    ),
    registration_schema=RegistrationSchema,
    rules=RULES,
    rule_titles=RULE_TITLES,
    statutory=STATUTORY,
    on_open=(_open,),
    describe=describe,
    basis="条例 Art. 27-45; 国办函〔2020〕109号; 行政复议法 (2023)",
    order=1,  # processes.md §1
    transitions=(
        Transition("accept", ("received",), "in_progress", "受理并开始办理", WORKERS),
        Transition("request_correction", ("received",), "awaiting_correction", "告知补正", WORKERS,
                   guards=(within_correction_notice_period, has_not_requested_correction),
                   effects=(stop_clock("reply", "告知补正，答复期限自收到补正后的申请之日起重新计算"),
                            start_clock("correction", "correction_days", note="补正期限")),
                   schema=CorrectionSchema, letter="correction_notice"),
        Transition("receive_correction", ("awaiting_correction",), "in_progress", "收到补正", WORKERS,
                   effects=(stop_clock("correction", "已补正"),
                            restart_clock_named("reply", "reply_days", note="收到补正后的申请之日（条例第三十条）")),
                   schema=CorrectionReceivedSchema),
        Transition("correction_lapsed", ("awaiting_correction",), "closed_other", "逾期未补正，不再处理", HANDLERS,
                   guards=(has_correction_window_passed,), effects=(stop_all_clocks(),),
                   reason="correction_lapsed", letter="reply"),
        Transition("request_reasons", ("received", "in_progress"), "awaiting_reasons", "要求说明理由", HANDLERS,
                   effects=(_pause_reply_if("reasons_pause_reply_clock", "要求说明理由"),
                            start_clock("reasons", "reasons_days", note="说明理由期限")),
                   schema=ReasonsRequestSchema, letter="reasons_notice"),
        Transition("accept_reasons", ("awaiting_reasons",), "in_progress", "理由合理，继续办理", HANDLERS,
                   guards=(has_later_reply_date,),
                   effects=(stop_clock("reasons", "已说明理由"),
                            _resume_reply_if("reasons_pause_reply_clock", "理由合理，恢复计时"),
                            _set_later_reply_date),
                   schema=ReasonsAcceptedSchema),
        Transition("consult_third_party", ("in_progress",), "consulting_third_party", "征求第三方意见", HANDLERS,
                   guards=(has_service_after_consultation_letter,),
                   effects=(pause_clock("reply", "征求第三方意见（条例第三十三条第三款）"),
                            start_clock("consultation", "consultation_days", on=_served_on,
                                        note="第三方收到征求意见书之日（条例第三十二条）")),
                   schema=ThirdPartySchema, letter="third_party_consultation"),
        Transition("third_party_replied", ("consulting_third_party",), "in_progress", "第三方已答复", HANDLERS,
                   effects=(stop_clock("consultation", "第三方已答复"), resume_clock("reply", "第三方已答复")),
                   schema=OpinionSchema),
        Transition("consultation_lapsed", ("consulting_third_party", "consulting_agency"), "in_progress",
                   "征求意见期满未答复", HANDLERS, guards=(has_consultation_period_passed,),
                   effects=(stop_clock("consultation", "逾期未答复"), resume_clock("reply", "征求意见期满"))),
        Transition("consult_agency", ("in_progress",), "consulting_agency", "征求其他机关意见", HANDLERS,
                   guards=(has_service_after_consultation_letter,),
                   effects=(pause_clock("reply", "征求其他机关意见（条例第三十三条第三款）"),
                            start_clock("consultation", "consultation_days", on=_served_on,
                                        note="其他机关收到征求意见函之日（条例第三十四条）")),
                   schema=AgencyConsultationSchema, letter="agency_consultation"),
        Transition("agency_replied", ("consulting_agency",), "in_progress", "其他机关已答复", HANDLERS,
                   effects=(stop_clock("consultation", "其他机关已答复"), resume_clock("reply", "其他机关已答复")),
                   schema=OpinionSchema),
        Transition("issue_fee_notice", ("in_progress",), "awaiting_fee", "发出收费通知", HANDLERS,
                   guards=(within_fee_notice_period, has_positive_fee, has_service_after_notice),
                   effects=(_pause_reply_if("fee_pauses_reply_clock", "收费通知至缴费期间"),
                            start_clock("fee", "fee_payment_days", on=_served_on,
                                        note="申请人收到收费通知之日（次日起算）")),
                   schema=FeeNoticeSchema, letter="fee_notice"),
        Transition("fee_paid", ("awaiting_fee",), "in_progress", "已缴费", HANDLERS,
                   effects=(stop_clock("fee", "已缴费"), _resume_reply_if("fee_pauses_reply_clock", "已缴费"))),
        Transition("fee_lapsed", ("awaiting_fee",), "closed_other", "逾期未缴费，不再处理", HANDLERS,
                   guards=(has_payment_window_passed,), effects=(stop_all_clocks(),), reason="fee_unpaid",
                   letter="reply"),
        Transition("extend", ("in_progress",), "in_progress", "延期答复", APPROVERS,
                   guards=(within_reply_period, within_extension_cap), effects=(_extend_reply,),
                   schema=ExtensionSchema, letter="extension_notice"),
        # Beyond the contract's sources: from awaiting_reasons, Art. 35 lets the agency find the reasons
        # unreasonable and not process the application; without this the record would have to say the
        # reasons were accepted first (accept_reasons) before refusing them.
        Transition("propose_reply", ("received", "in_progress", "awaiting_reasons"), "under_review", "拟定答复",
                   HANDLERS, guards=(has_requested_reasons, has_received_correction, can_refuse_unreasonable_reasons,
                                     has_public_interest_to_override_objection),
                   effects=(stop_clock("reasons", "已审查申请人说明的理由"), _record_proposal), schema=ProposalSchema),
        Transition("return_for_revision", ("under_review",), "in_progress", "退回修改", APPROVERS,
                   effects=(_clear_proposal,), schema=RevisionSchema, comment_required=True),
        # The reply ends the case in the state the approved proposal names: one of the proposable outcomes.
        Transition("approve", ("under_review",), None, "审核通过并答复", APPROVERS,
                   destination=_proposed_destination, dests=tuple(PROPOSABLE),
                   effects=(_take_proposal, stop_all_clocks("已答复")), letter=_reply_letters),
        Transition("withdraw", OPEN_STATES, "closed_other", "申请人撤回", WORKERS,
                   effects=(stop_all_clocks("申请人撤回"), set_data(withdrawn=lambda c: True)),
                   reason="withdrawn", schema=WithdrawalSchema, letter="reply"),
    ),
    letters=letters.LETTERS,
)
