"""Plain factory functions with keyword defaults (no factory_boy)."""
from __future__ import annotations

import datetime as dt

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


def fire(case, trigger: str, actor, effective_on: dt.date | str | None = None, **params):
    return case_service.fire(case, trigger, actor=actor, params=params, effective_on=effective_on)


def token(client, username: str) -> dict:
    response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}
