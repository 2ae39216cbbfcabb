"""Plain factory functions with keyword defaults (no factory_boy)."""
from __future__ import annotations

import datetime as dt

from flask import current_app

from app.services import cases as case_service
from app.services import registration as registration_service
from app.services.users import create_user

PASSWORD = "correct-horse-battery"


def user(username: str | None = None, *, role: str = "handler", department: str = "办公室", agency_code=None):
    return create_user(username or role, role=role, password=PASSWORD, department=department,
                       agency_code=agency_code)


def registration(**overrides) -> dict:
    data = {
        "applicant_type": "natural_person",
        "applicant_name": "张三",
        "id_type": "resident_id_card",
        "id_number": "11010519491231002X",
        "phone": "13800000000",
        "address": "贵州省贵阳市云岩区中华北路1号",
        "description": "2025年度全省律师事务所年度考核结果",
        "form": "electronic",
        "delivery": "email",
        "email": "zhangsan@example.com",
        "channel": "in_person",
        "arrived_on": "2026-11-20",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def open_case(actor, *, process: str = "disclosure_request", **overrides):
    return registration_service.open_case(process, registration(**overrides), actor=actor).case


CST = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 11, 27, 10, 0, tzinfo=CST)  # the frozen clock's first instant (conftest), a Friday


def on_business_day(effective_on: dt.date | str | None) -> None:
    """Do the next step on its business date, as a caseworker would: the frozen clock moves to 10:00 that day
    (a letter is dated the day it is generated, so a step that sends one cannot carry an earlier date). Only
    within the test's past (up to the fixture's start, or wherever the test moved the clock): a business
    date after that stays in the future, and is refused."""
    if effective_on is None:
        return
    try:
        day = dt.date.fromisoformat(effective_on) if isinstance(effective_on, str) else effective_on
    except ValueError:
        return  # not a date: the service says so
    clock = current_app.config["CLOCK"]
    today = clock().astimezone(CST).date()
    if day < today or (today < day <= START.date()):
        clock.move_to(dt.datetime.combine(day, dt.time(10), CST))


def fire(case, trigger: str, actor, effective_on: dt.date | str | None = None, **params):
    on_business_day(effective_on)
    return case_service.fire(case, trigger, actor=actor, params=params, effective_on=effective_on)


def set_four_eyes(on: bool, agency: str = "gzsft") -> None:
    """Turn an agency's four-eyes rule on or off (in this test's app only): off, an approver may approve what
    they proposed, as in an office with a single approver."""
    from flask import current_app

    agencies = current_app.config["AGENCIES"]
    current_app.config["AGENCIES"] = {**agencies, agency: {**agencies[agency], "four_eyes": on}}


def token(client, username: str) -> dict:
    response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}
