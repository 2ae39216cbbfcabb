"""Sign-in and sign-out through the pages: refusals that say nothing about which part was wrong, sessions
kept on the server that end after inactivity (the app's frozen clock) and at sign-out, local redirects only,
and the limits on failed attempts per username and per address."""
from __future__ import annotations

from urllib.parse import quote

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import WebSession
from tests import factories
from tests.web.conftest import Browser, csrf_token

REFUSED = "用户名或密码不正确，或账号已停用"


@pytest.fixture
def registrar(app):
    return factories.user("registrar", role="registrar")


def browser(app, address: str = "127.0.0.1") -> Browser:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Browser(client)


def attempt(b: Browser, username: str, password: str, url: str = "/login"):
    b.get("/login")
    return b.post(url, {"username": username, "password": password})


def signed_in(b: Browser) -> bool:
    response = b.get("/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


# -- refusals ----------------------------------------------------------------------------------------
def test_a_wrong_password_and_an_unknown_user_get_the_same_generic_refusal(app, registrar):
    b = browser(app)
    wrong = attempt(b, "registrar", "not-the-password")
    wrong_html = wrong.get_data(as_text=True)
    unknown = attempt(b, "nobody-here", "not-the-password")
    unknown_html = unknown.get_data(as_text=True)
    assert wrong.status_code == unknown.status_code == 401
    assert REFUSED in wrong_html and REFUSED in unknown_html
    for html in (wrong_html, unknown_html):
        assert "不存在" not in html and "密码错误" not in html
        assert 'aria-invalid="true"' in html
    # The username typed comes back; the password never does.
    assert 'value="registrar"' in wrong_html and "not-the-password" not in wrong_html
    assert not signed_in(b)


def test_a_deactivated_user_is_refused_and_their_open_session_ends(app, registrar):
    b = browser(app)
    attempt(b, "registrar", factories.PASSWORD)
    assert signed_in(b)
    registrar.active = False
    db.session.commit()
    assert not signed_in(b)  # the session that was open ends at the next request
    refused = attempt(browser(app), "registrar", factories.PASSWORD)
    assert refused.status_code == 401 and REFUSED in refused.get_data(as_text=True)


def test_an_empty_form_is_refused_beside_its_fields(app):
    b = browser(app)
    response = attempt(b, "", "")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请输入用户名" in html and "请输入密码" in html


def test_a_sign_in_without_its_csrf_token_is_refused(app, registrar):
    b = browser(app)
    b.get("/login")
    response = b.post("/login", {"username": "registrar", "password": factories.PASSWORD}, token=False)
    assert response.status_code == 400
    assert not signed_in(b)


def test_pages_need_a_sign_in_and_come_back_after_it(app, registrar):
    b = browser(app)
    response = b.get("/cases?open=yes")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fcases%3Fopen%3Dyes"
    response = attempt(b, "registrar", factories.PASSWORD, url=response.headers["Location"])
    assert response.headers["Location"] == "/cases?open=yes"
    assert b.get("/login").headers["Location"] == "/"  # signed in: the sign-in page sends home


# -- the session -------------------------------------------------------------------------------------
def test_a_session_ends_after_the_idle_time_without_a_request_and_not_before(app, registrar, clock):
    app.config["WEB_SESSION_IDLE_MINUTES"] = 30
    b = browser(app)
    attempt(b, "registrar", factories.PASSWORD)
    clock.advance(minutes=30)
    assert signed_in(b)  # exactly the idle time: still open, and this request counts as activity
    clock.advance(minutes=29, seconds=59)
    assert signed_in(b)
    clock.advance(minutes=30, seconds=1)
    assert not signed_in(b)
    clock.advance(seconds=1)
    assert not signed_in(b)  # ended for good: a later request does not revive it


def test_the_idle_time_comes_from_the_configuration(app, registrar, clock):
    app.config["WEB_SESSION_IDLE_MINUTES"] = 5
    b = browser(app)
    attempt(b, "registrar", factories.PASSWORD)
    clock.advance(minutes=4)
    assert signed_in(b)
    clock.advance(minutes=5, seconds=1)
    assert not signed_in(b)


def test_sign_out_ends_the_session_on_the_server(app, registrar):
    b = browser(app)
    attempt(b, "registrar", factories.PASSWORD)
    assert signed_in(b)
    cookie = b.client.get_cookie("session").value
    response = b.post("/logout", {"csrf_token": csrf_token(b.last)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not signed_in(b)
    # The cookie as it was before signing out, replayed from another client: the server ended the session.
    replay = Browser(app.test_client())
    replay.client.set_cookie("session", cookie)
    response = replay.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_sign_out_without_a_csrf_token_changes_nothing(app, registrar):
    b = browser(app)
    attempt(b, "registrar", factories.PASSWORD)
    assert signed_in(b)
    assert b.post("/logout", token=False).status_code == 400
    assert signed_in(b)


NEXT = [
    ("/cases?open=yes", "/cases?open=yes"),
    ("/cases/new/disclosure_request", "/cases/new/disclosure_request"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\t/evil.example", "/"),  # a browser drops the tab: //evil.example
    ("http:/evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("evil.example", "/"),
]


def test_next_allows_local_paths_only(app, registrar):
    for target, landing in NEXT:
        b = browser(app)
        response = attempt(b, "registrar", factories.PASSWORD, url="/login?next=" + quote(target))
        assert response.status_code == 302
        assert response.headers["Location"] == landing, target
    # A browser reads "/\evil.example" as "//evil.example": the redirect escapes the backslash.
    b = browser(app)
    response = attempt(b, "registrar", factories.PASSWORD, url="/login?next=" + quote("/\\evil.example"))
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location


# -- limits ------------------------------------------------------------------------------------------
def test_five_failures_for_a_username_lock_it_even_with_the_right_password(app, registrar):
    b = browser(app)
    for _ in range(5):
        assert attempt(b, "registrar", "wrong-password").status_code == 401
    locked = attempt(b, "registrar", factories.PASSWORD)
    assert locked.status_code == 429
    assert "该用户登录失败次数过多" in locked.get_data(as_text=True)
    # From another address too: the count is per username (any spelling of it).
    assert attempt(browser(app, "10.0.0.9"), " Registrar ", factories.PASSWORD).status_code == 429
    assert not signed_in(b)
    # Another user is not locked out.
    factories.user("admin", role="admin")
    assert attempt(browser(app), "admin", factories.PASSWORD).status_code == 302


def test_four_failures_leave_the_username_open(app, registrar):
    b = browser(app)
    for _ in range(4):
        assert attempt(b, "registrar", "wrong-password").status_code == 401
    assert attempt(b, "registrar", factories.PASSWORD).status_code == 302


def test_twenty_failures_from_an_address_lock_that_address(app, registrar):
    b = browser(app, "10.0.0.7")
    for i in range(20):  # different usernames: the per-user limit never trips
        assert attempt(b, f"guess-{i}", "wrong-password").status_code == 401
    locked = attempt(b, "registrar", factories.PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.get_data(as_text=True)
    # Another address may still sign in as the same user.
    assert attempt(browser(app, "10.0.0.8"), "registrar", factories.PASSWORD).status_code == 302


def test_successful_sign_ins_do_not_count_toward_the_limits(app, registrar):
    for _ in range(25):  # more than either limit
        assert attempt(browser(app), "registrar", factories.PASSWORD).status_code == 302
    b = browser(app)
    for _ in range(4):
        attempt(b, "registrar", "wrong-password")
    assert attempt(b, "registrar", factories.PASSWORD).status_code == 302


def test_the_limits_come_from_the_configuration(app, registrar):
    app.config["SIGN_IN_LIMIT_PER_USER"] = "2 per 10 minutes"
    b = browser(app)
    for _ in range(2):
        assert attempt(b, "registrar", "wrong-password").status_code == 401
    assert attempt(b, "registrar", factories.PASSWORD).status_code == 429


def test_the_server_records_why_each_session_ended(app, registrar, clock):
    first, second = browser(app), browser(app)
    attempt(first, "registrar", factories.PASSWORD)
    attempt(second, "registrar", factories.PASSWORD)
    first.post("/logout", {"csrf_token": csrf_token(first.get("/").get_data(as_text=True))})
    clock.advance(minutes=31)
    assert not signed_in(second)
    rows = db.session.scalars(sa.select(WebSession).order_by(WebSession.id)).all()
    assert [r.end_reason for r in rows] == ["signed_out", "idle"]


@pytest.mark.real_password_hashing
def test_passwords_are_stored_with_scrypt(app):
    """Outside this test the suite hashes with one quick round (tests/conftest.py); production uses scrypt."""
    user = factories.user("scrypt_user", role="handler")
    assert user.password_hash.startswith("scrypt:") and user.check_password(factories.PASSWORD)
    assert not user.check_password(factories.PASSWORD + "x")
