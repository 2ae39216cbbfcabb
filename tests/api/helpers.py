"""Helpers shared by the API tests: a client that sends a token, registration and firing shortcuts, row
counts for "nothing written" checks, and the text of a .docx."""
from __future__ import annotations

import io

import docx
import sqlalchemy as sa
from flask import current_app, url_for

from app.models import Case, CaseClock, Document, Event, IdempotencyRecord, SerialCounter
from tests import factories as f


def url(endpoint: str, **values) -> str:
    """The path of an API endpoint (extra values become the query string)."""
    with current_app.test_request_context():
        return url_for(endpoint, **values)


class Api:
    """Calls the API as a deployed server runs it: each request in its own app context, hence its own
    database session, removed (rolled back) when the request ends. The `client` fixture instead shares the
    test's app context and session, so it cannot show what a request would have left uncommitted."""

    def __init__(self, app, username: str | None = None):
        self.app, self.client, self.headers = app, app.test_client(), {}
        if username:
            self.login(username)

    def login(self, username: str, password: str = f.PASSWORD):
        response = self.request("POST", "api.create_token", json={"username": username, "password": password})
        assert response.status_code == 201, response.get_json()
        self.headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
        return self

    def request(self, method: str, endpoint: str, *, json=None, data=None, headers=None, **values):
        with self.app.app_context():
            kwargs = {"json": json} if data is None else {"data": data, "content_type": "application/json"}
            return self.client.open(url(endpoint, **values), method=method,
                                    headers={**self.headers, **(headers or {})}, **kwargs)

    def get(self, endpoint: str, **values):
        return self.request("GET", endpoint, **values)

    def post(self, endpoint: str, json=None, **values):
        return self.request("POST", endpoint, json=json, **values)


def register(api: Api, *, department: str | None = None, assignee: str | None = None, **data) -> dict:
    body = {"process": "disclosure_request", "data": f.registration(**data)}
    body.update({k: v for k, v in (("department", department), ("assignee", assignee)) if v is not None})
    response = api.post("api.create_case", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["case"]


def fire(api: Api, case: dict | int, trigger: str, *, effective_on: str | None = None, expect: int = 201,
         headers=None, **data) -> dict:
    body = {"trigger": trigger, "data": data}
    if effective_on:
        body["effective_on"] = effective_on
        with api.app.app_context():
            f.on_business_day(effective_on)
    case_id = case if isinstance(case, int) else case["id"]
    response = api.request("POST", "api.fire_trigger", json=body, headers=headers, case_id=case_id)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def counts(db) -> dict:
    """Rows that a refused request must not leave behind (read afresh, outside any stale transaction)."""
    db.session.rollback()
    out = {model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
           for model in (Case, Event, Document, CaseClock, IdempotencyRecord)}
    out["sequences"] = sorted(db.session.execute(sa.select(SerialCounter.kind, SerialCounter.last_value)).all())
    return out


def paragraphs(content: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]
