"""Browser tests: the caseworker pages served by a real server (werkzeug, in a thread) on a real database,
driven by Playwright in Debian's headless chromium (never a downloaded browser). Locally the tests skip
when chromium is missing; in CI (CI=true, where bin/test installs it) they fail instead.

The app's clock is the tests' FrozenClock: a test moves it to a working day and does each step on its day
(letters are dated the day they are generated, so the business date of a step is always today)."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db as _db
from config import TestingConfig
from tests import factories
from tests.factories import CST

CHROMIUM = shutil.which("chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass
class Live:
    """The served app: its address, the app (for setting up data in an app context) and its clock."""

    app: object
    url: str
    clock: object

    def on(self, day: str | dt.date) -> None:
        """Move the clock to 10:00 (Beijing time) on a day, as if the next step were done that morning."""
        day = dt.date.fromisoformat(day) if isinstance(day, str) else day
        self.clock.move_to(dt.datetime.combine(day, dt.time(10), CST))

    def today(self) -> str:
        return self.clock().astimezone(CST).date().isoformat()


@pytest.fixture
def live(database_url, clock):
    # A session that outlives the days the clock jumps over (the idle limit is tested in tests/web); static
    # files cached by the browser for the test's length instead of revalidated on every page (speed).
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": database_url, "CLOCK": clock,
                                     "WEB_SESSION_IDLE_MINUTES": 60 * 24 * 365, "SEND_FILE_MAX_AGE_DEFAULT": 600})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield Live(app, f"http://127.0.0.1:{server.server_port}", clock)
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


class Staff:
    """The users of 办公室 (the registrar's department, where the cases are registered), each created the first
    time a test names it (a password hash is slow): staff.registrar, staff.handler, staff.approver,
    staff.admin give their usernames."""

    ROLES = {"registrar": ("registrar", "registrar"), "handler": ("wang_handler", "handler"),
             "approver": ("zhao_approver", "approver"), "admin": ("admin", "admin")}

    def __init__(self, app):
        self.app, self.created = app, set()

    def __getattr__(self, role: str) -> str:
        if role not in Staff.ROLES:
            raise AttributeError(role)
        username, role = Staff.ROLES[role]
        if username not in self.created:
            with self.app.app_context():
                factories.user(username, role=role)
                _db.session.remove()
            self.created.add(username)
        return username


@pytest.fixture
def staff(live):
    return Staff(live.app)


@pytest.fixture(scope="package")
def browser():
    if CHROMIUM is None:
        message = "chromium is not installed (Debian's chromium package; bin/test installs it as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser, live):
    """new_page(viewport=PHONE) -> a page in a fresh context (its own cookies) on the live server."""
    contexts = []

    def make(viewport: dict = DESKTOP):
        context = browser.new_context(base_url=live.url, viewport=viewport, locale="zh-CN",
                                      timezone_id="Asia/Shanghai", accept_downloads=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def shots(tmp_path):
    """Where screenshots go: docs/screenshots/ when SCREENSHOTS=1 (to commit them), else the test's tmp_path
    (so that CI never modifies tracked files)."""
    return SCREENSHOTS if os.environ.get("SCREENSHOTS") == "1" else tmp_path
