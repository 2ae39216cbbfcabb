"""The agency's settings as an administrator reads them: its particulars, and for each process the rule-set
values in force, each marked fixed by law, the rule set's default, or the agency's configured value. All of
it comes from configuration (AGENCIES_FILE, docs/configuration.md); nothing here is stored or changed."""
from __future__ import annotations

from dataclasses import dataclass, field

from config import DEMO_CONTACT
from workflow.processes import PROCESSES

from .agencies import agency_settings

STATUTORY, DEFAULT, CONFIGURED = "statutory", "default", "configured"


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
        title, unit, basis = process.rule_titles.get(name, (name, "", ""))
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
