"""The configured agencies and the rule-set values in force for each of their processes."""
from __future__ import annotations

from flask import current_app

from workflow.processes import get_process


def agency_settings(code: str) -> dict:
    """One agency's configuration (name, contact details, reconsideration bodies, rule overrides)."""
    return current_app.config["AGENCIES"][code]


def rules_for(agency: dict, process: str) -> dict:
    """The values in force for a process at an agency: rule-set defaults, the agency's overrides, and
    the statutory limits no configuration can change."""
    return get_process(process).rules_with(agency.get("rules", {}).get(process, {}))
