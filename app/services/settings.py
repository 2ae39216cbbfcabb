"""The agency's settings as an administrator reads them: its particulars, and for each process the rule-set
values in force, each marked fixed by law, the rule set's default, or the agency's configured value. All of
it comes from configuration (AGENCIES_FILE, docs/configuration.md); nothing here is stored or changed."""
from __future__ import annotations

from dataclasses import dataclass, field

from config import DEMO_CONTACT
from workflow.processes import PROCESSES

from .agencies import agency_settings

STATUTORY, DEFAULT, CONFIGURED = "statutory", "default", "configured"

REGULATIONS = "《政府信息公开条例》"
FEES = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"
WORK_POINTS = "《贵州省司法厅2019年政务公开工作要点》"

# What each rule means, its unit and where it comes from. A rule a process adds without an entry here is
# shown by its code.
RULE_TITLES: dict[str, tuple[str, str, str]] = {
    # disclosure_request
    "reply_days": ("答复期限", "个工作日", REGULATIONS + "第三十三条第二款"),
    "extension_cap_days": ("延长答复期限的上限（累计）", "个工作日", REGULATIONS + "第三十三条第二款"),
    "correction_notice_days": ("一次性告知补正的期限", "个工作日", REGULATIONS + "第三十条"),
    "consultation_days": ("征求意见的答复期限", "个工作日", REGULATIONS + "第三十二条、第三十四条"),
    "correction_days": ("申请人补正的期限", "个工作日", REGULATIONS + "第三十条（“合理期限”，由本机关规则集确定）"),
    "fee_payment_days": ("缴纳信息处理费的期限", "个工作日", FEES),
    "fee_pauses_reply_clock": ("收费通知至缴费期间暂停答复期限", "", FEES + "未作规定，由规则集确定"),
    "reasons_days": ("申请人说明理由的期限", "个工作日", REGULATIONS + "第三十五条（“合理期限”，由本机关规则集确定）"),
    "reasons_pause_reply_clock": ("说明理由期间暂停答复期限", "", REGULATIONS + "第三十五条，由规则集确定"),
    # enforcement_disclosure
    "publish_days_licence_penalty": ("行政许可、行政处罚决定的公示期限", "个工作日", WORK_POINTS + "二（三）"),
    "publish_days_other": ("其他执法决定的公示期限", "个工作日",
                           WORK_POINTS + "二（三）；国办发〔2018〕118号"),
    "withdrawal_days": ("撤下公示信息的期限", "个工作日",
                        WORK_POINTS + "二（三）；行政处罚决定不超过 3 个工作日（《中华人民共和国行政处罚法》第四十八条第二款）"),
    "publication_years": ("执法决定的公示年限", "年", "本机关规则集"),
    "publication_years_natural_person": ("当事人为自然人的公示年限", "年", "本机关规则集"),
    # opinion_response
    "information_hours": ("发布权威信息的时限", "小时", "国办发〔2016〕80号"),
    "press_conference_hours": ("举行新闻发布会的时限", "小时", "国办发〔2016〕61号、80号"),
    "response_hours": ("回应其他政务舆情的时限", "小时", "国办发〔2016〕61号"),
    # policy_interpretation
    "interpretation_days": ("解读材料的发布期限", "个工作日", "政务公开工作要点一（二）"),
}


@dataclass(frozen=True)
class RuleValue:
    """One value in force: ``kind`` is statutory (fixed by law, shown to be seen, never configured),
    default (the rule set's default) or configured (the agency's value, ``default`` the one it replaces)."""

    name: str
    title: str
    unit: str
    basis: str
    value: object
    kind: str
    default: object = None
    source: str = ""


@dataclass(frozen=True)
class ProcessRules:
    name: str
    title: str
    values: list[RuleValue]
    ignored: list[str] = field(default_factory=list)  # configured keys that change nothing, with why


def agency_overview(code: str) -> dict:
    """The agency's particulars and, per process, its rule-set values in force with their source."""
    agency = agency_settings(code)
    configured = agency.get("rules") or {}
    processes = [process_rules(process, configured.get(name) or {}) for name, process in PROCESSES.items()]
    unknown = [f"rules.{name}：没有名为 {name} 的流程，此项配置不起作用" for name in configured if name not in PROCESSES]
    return {"agency": agency, "processes": processes, "unknown_processes": unknown,
            "demo_contact": bool(agency.get("phone")) and agency.get("phone") == DEMO_CONTACT["phone"]}


def process_rules(process, overrides: dict) -> ProcessRules:
    in_force = process.rules_with(overrides)
    values = []
    for name, value in in_force.items():
        title, unit, basis = RULE_TITLES.get(name, (name, "", ""))
        if name in process.statutory:
            values.append(RuleValue(name, title, unit, basis, value, STATUTORY, source="法律、法规规定"))
        elif name in overrides:
            values.append(RuleValue(name, title, unit, basis, value, CONFIGURED, default=process.rules[name],
                                    source=f"AGENCIES_FILE：rules.{process.name}.{name}"))
        else:
            values.append(RuleValue(name, title, unit, basis, value, DEFAULT,
                                    source=f"流程定义 workflow/processes/{process.name}.py 的 RULES"))
    values.sort(key=lambda v: v.kind != STATUTORY)  # the limits fixed by law first
    ignored = []
    for name in overrides:
        if name in process.statutory:
            ignored.append(f"rules.{process.name}.{name}：法定期限，配置不能更改，此项不起作用")
        elif name not in process.rules:
            ignored.append(f"rules.{process.name}.{name}：不是此流程的规则项，此项不起作用")
    return ProcessRules(process.name, process.title, values, ignored)
