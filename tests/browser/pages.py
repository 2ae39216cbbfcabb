"""What the browser tests do on a page, as a person would: sign in through the form, fill a generated form
by its fields' names (choices picked by the title shown, or by their code), fire a trigger from its form on
the case page; and what they check on every page: axe (no serious or critical violation), no horizontal
overflow of the document, a visible focus."""
from __future__ import annotations

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from tests.factories import PASSWORD

AXE = Axe()
BLOCKING = ("serious", "critical")


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert "/login" not in page.url, page.locator(".invalid-feedback").all_inner_texts()


def check_axe(page: Page, where: str = "") -> None:
    """axe-core on the page as it is now: no violation of impact serious or critical."""
    violations = AXE.run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {where or page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {n['target']}: {n['failureSummary'].splitlines()[-1].strip()}" for n in v["nodes"][:5])
        for v in blocking)


def open_all_details(page: Page) -> None:
    """Every <details> open, so that axe and the layout checks see the trigger forms too."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def overflow(page: Page) -> int:
    """How far the document is wider than the window (0: no horizontal scrolling of the page)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def choose(select: Locator, wanted: str) -> None:
    """Pick the option whose shown title (or, failing that, code) is ``wanted``."""
    options = select.evaluate("s => Array.from(s.options).map(o => [o.value, o.textContent.trim()])")
    matches = [value for value, title in options if title == wanted] or [v for v, _ in options if v == wanted]
    assert matches, f"no option {wanted!r} in {select}: {options}"
    select.select_option(matches[0])


def fill(scope: Locator, values: dict) -> None:
    """Fill a form's fields by input name: text as typed (a list: one item per line), a select or radio
    button by the title shown, checkboxes by their titles."""
    for name, value in values.items():
        field = scope.locator(f'[name="{name}"]')
        kind = field.first.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if kind.startswith("select"):
            choose(field, value)
        elif kind in ("input:radio", "input:checkbox"):
            boxes = field.evaluate_all(
                "es => es.map(e => [e.id, e.value, e.labels.length ? e.labels[0].textContent.trim() : ''])")
            for wanted in [value] if isinstance(value, str) else value:
                ids = [i for i, _, title in boxes if title == wanted] or [i for i, v, _ in boxes if v == wanted]
                assert ids, f"no choice {wanted!r} for {name}: {boxes}"
                scope.locator(f'[id="{ids[0]}"]').check()
        else:
            field.fill("\n".join(value) if isinstance(value, list | tuple) else value)


def submit(page: Page, form: Locator) -> None:
    """Submit a form and wait for the page that answers; a refusal (anything but a redirect after the
    POST) fails with the messages the page shows."""
    with page.expect_navigation() as navigation:
        form.locator("button[type=submit]").click()
    answer = navigation.value
    if answer.request.redirected_from is None:
        errors = page.locator(".alert-danger, .invalid-feedback").all_inner_texts()
        raise AssertionError(f"{form} refused ({answer.status}): {errors}")
    assert answer.ok, f"{answer.url} answered {answer.status} after the redirect"


def fire(page: Page, trigger: str, values: dict | None = None) -> str:
    """Open the trigger's form on the case page (a <details> with id t-<trigger>), fill it, submit it; the
    case page comes back saying it was done. Returns the trigger's title."""
    details = page.locator(f"#t-{trigger}")
    expect(details).to_be_visible()
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()
    title = details.locator("summary").inner_text().strip()
    form = details.locator("form")
    fill(form, values or {})
    submit(page, form)
    expect(page.locator(".alert-success")).to_contain_text(f"已{title}")
    return title


def state_of(page: Page) -> str:
    return page.locator("#case-state").inner_text().strip()


def case_id(page: Page) -> int:
    match = re.search(r"/cases/(\d+)$", page.url.split("#")[0])
    assert match, page.url
    return int(match.group(1))


def shot(page: Page, folder: Path, name: str, *, max_height: int | None = None) -> Path:
    """A screenshot of the whole page (the viewport's width), or of its top ``max_height`` pixels, saved as
    folder/name.png."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.evaluate("document.activeElement && document.activeElement.blur()")  # no focus ring in the picture
    height = page.evaluate("document.documentElement.scrollHeight")
    if max_height and height > max_height:
        width = page.evaluate("document.documentElement.clientWidth")
        page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": max_height})
    else:
        page.screenshot(path=str(path), full_page=True)
    return path
