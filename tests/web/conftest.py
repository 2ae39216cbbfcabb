"""Page tests: a browser-like client that signs in through the sign-in form and posts forms with their
CSRF token, as a browser does."""
from __future__ import annotations

import re

import pytest
from flask import g

from tests import factories

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|id="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


class Browser:
    """A test client that keeps cookies and fills forms' CSRF tokens from the page it last read."""

    def __init__(self, client):
        self.client = client
        self.last = ""

    @staticmethod
    def _fresh_g() -> None:
        # The test's app context is shared by every request of the test (Flask reuses it), and so is ``g``,
        # where Flask-Login keeps the signed-in user and Flask-WTF the CSRF token: each request starts with
        # an empty ``g``, as in a server, so that two browsers in one test stay two people.
        vars(g._get_current_object()).clear()

    def get(self, url: str, **kw):
        self._fresh_g()
        response = self.client.get(url, **kw)
        if response.mimetype == "text/html":
            self.last = response.get_data(as_text=True)
        return response

    def post(self, url: str, data: dict | None = None, *, token: bool = True, **kw):
        data = dict(data or {})
        if token:
            data.setdefault("csrf_token", csrf_token(self.last or self.get("/login").get_data(as_text=True)))
        self._fresh_g()
        response = self.client.post(url, data=data, **kw)
        if response.mimetype == "text/html":
            self.last = response.get_data(as_text=True)
        return response

    def sign_in(self, username: str, password: str = factories.PASSWORD):
        self.get("/login")
        response = self.post("/login", {"username": username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response


class Staff:
    """One user of each role in 办公室, and a handler of another department."""

    def __init__(self):
        self.registrar = factories.user("registrar", role="registrar")
        self.handler = factories.user("wang_handler", role="handler")
        self.other_handler = factories.user("li_handler", role="handler", department="法治调研处")
        self.approver = factories.user("zhao_approver", role="approver")
        self.auditor = factories.user("auditor", role="auditor")
        self.admin = factories.user("admin", role="admin")


@pytest.fixture
def staff(app):
    return Staff()


def browser_for(app, username: str) -> Browser:
    b = Browser(app.test_client())
    b.sign_in(username)
    return b


@pytest.fixture
def as_user(app, staff):
    """as_user("wang_handler") -> a signed-in Browser."""
    return lambda username: browser_for(app, username)
