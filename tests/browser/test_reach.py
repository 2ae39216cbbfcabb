"""Reach: the main pages fit a 390 px phone screen and a 1280 px desktop without scrolling the document
sideways (a wide part such as the process diagram scrolls inside its own box); sign-in and opening a case
work with the keyboard alone, the focused element always visibly outlined; the sign-in page, the pages the
navigation links to (administration included) and the error page pass axe."""
from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.models import User
from app.services.registration import open_case
from tests import factories
from workflow.processes import PROCESSES

from .conftest import DESKTOP, PHONE
from .pages import check_axe, open_all_details, overflow, shot, sign_in


def _user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def a_case_with_history(live, staff) -> int:
    """A disclosure request assigned to the handler, with a correction notice issued (a letter, a stopped
    and a running clock, two events): registered on Monday 2026-11-23, the clock left there."""
    live.on("2026-11-23")
    with live.app.app_context():
        case = open_case("disclosure_request", factories.registration(arrived_on="2026-11-23"),
                         actor=_user(staff.registrar), assignee=_user(staff.handler)).case
        factories.fire(case, "request_correction", _user(staff.handler),
                       items=["所需信息的名称不明确，请写明文件名称或文号", "请写明所需信息的大致形成时间"])
        case_id = case.id
        db.session.remove()
    return case_id


def test_the_main_pages_fit_a_phone_and_a_desktop(live, staff, page):
    case = a_case_with_history(live, staff)
    pages = ["/", "/cases?open=yes", "/cases/new", *(f"/cases/new/{name}" for name in PROCESSES), f"/cases/{case}"]
    sign_in(page, staff.handler)
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        for url in pages:
            page.goto(url)
            open_all_details(page)  # the case page's trigger forms and clock explanations too
            assert overflow(page) <= 0, f"{url} at {viewport['width']} px is {overflow(page)} px too wide"
        if viewport is PHONE:
            page.goto("/")
            check_axe(page, "home at 390 px (navigation collapsed)")
            page.get_by_role("button", name="展开导航").click()
            expect(page.get_by_role("link", name="案件", exact=True)).to_be_visible()


FOCUS = """sel => {
  const e = document.activeElement, s = getComputedStyle(e);
  return {match: e.matches(sel), outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
          what: e.outerHTML.slice(0, 120)};
}"""


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching ``selector`` has the focus; every element focused on the way
    shows a visible outline."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS, selector)
        assert focus["outline"] != "none" and focus["width"] > 0, f"focus not visible on {focus['what']}"
        if focus["match"]:
            return
    raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


def test_sign_in_and_open_a_case_with_the_keyboard_alone(live, staff, page):
    case = a_case_with_history(live, staff)
    page.goto("/login")
    tab_to(page, ".skip-link")
    expect(page.locator(".skip-link")).to_be_visible()  # shown when focused
    tab_to(page, "#username")
    page.keyboard.type(staff.handler)
    tab_to(page, "#password")
    page.keyboard.type(factories.PASSWORD)
    tab_to(page, "button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile("^首页"))
    tab_to(page, f'main a[href="/cases/{case}"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/cases/{case}")
    # A trigger's form opens from the keyboard too.
    tab_to(page, "#t-receive_correction summary")
    page.keyboard.press("Enter")
    expect(page.locator("#t-receive_correction form")).to_be_visible()


def test_sign_in_navigation_administration_and_error_pages_pass_axe(live, staff, page, shots):
    page.goto("/login")
    check_axe(page, "sign-in")
    page.get_by_label("用户名").fill(staff.admin)
    page.get_by_label("密码").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".invalid-feedback")).to_be_visible()
    check_axe(page, "sign-in refused")

    sign_in(page, staff.admin)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="管理").click()
    expect(page.locator("h1")).to_be_visible()
    # Every other page a navigation links to: the main one's (home, list and registration are checked by the
    # walkthrough) and the administration's own when it has one.
    links = set()
    for url in ("/", page.url):
        page.goto(url)
        links |= set(page.locator("nav a[href^='/']").evaluate_all("as => as.map(a => a.getAttribute('href'))"))
    for href in sorted(links - {"/", "/cases?open=yes", "/cases/new"}):
        response = page.goto(href)
        assert response.ok, f"{href}: {response.status}"
        check_axe(page, href)

    rules = {rule.rule for rule in live.app.url_map.iter_rules()}
    if "/admin/calendar" in rules:
        page.goto("/admin/calendar")
        check_axe(page, "calendar administration")
        shot(page, shots, "calendar")

    response = page.goto("/cases/999999")
    assert response.status == 404
    check_axe(page, "not found")
