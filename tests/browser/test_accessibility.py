"""WCAG 2.2 AA in the browser: axe-core on every page and its states, light and dark, desktop
and phone; any serious or critical violation fails. Also a skip link and visible focus."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers.accessibility import serious_violations
from tests.helpers.browser import SandboxApi, wait_until_live
from tests.helpers.page_states import STATES, first_job, open_delete_dialog
from tests.helpers.servers import ServerProcess


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 375])
def test_every_page_and_state_meets_wcag_aa(
    browser: Browser, sandbox_app: ServerProcess, demo_api: SandboxApi, scheme: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(15_000)
    failures: dict[str, list[str]] = {}
    try:
        for name, path, reach in STATES:
            page.goto(sandbox_app.url + path)
            expect(page.get_by_role("heading", level=1).first).to_be_visible()
            if width < 520 and reach in (open_delete_dialog, first_job):
                page.set_viewport_size({"width": 1280, "height": 900})
                reach(page)
                page.set_viewport_size({"width": width, "height": 900})
            elif reach is not None:
                reach(page)
            page.wait_for_timeout(300)  # let transitions settle
            if found := serious_violations(page):
                failures[name] = found
            page.keyboard.press("Escape")
    finally:
        context.close()
    report = [f"{state}: {line}" for state, lines in failures.items() for line in lines]
    assert not report, "\n".join(report)


def test_sign_in_pages_meet_wcag_aa(visitor: Page, sandbox_app: ServerProcess) -> None:
    for scheme in ("light", "dark"):
        visitor.emulate_media(color_scheme=scheme)
        visitor.goto(sandbox_app.url + "/login")
        assert serious_violations(visitor) == []
        visitor.goto(sandbox_app.url + "/signed-out")
        assert serious_violations(visitor) == []


def test_a_skip_link_leads_past_the_header(page: Page, sandbox_app: ServerProcess) -> None:
    page.goto(sandbox_app.url + "/")
    wait_until_live(page)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_the_focus_is_always_visible(page: Page, sandbox_app: ServerProcess) -> None:
    page.goto(sandbox_app.url + "/")
    # Walk through the loaded page's controls (while the jobs load there are fewer, and a Tab
    # past the last one leaves the page).
    wait_until_live(page)
    expect(page.get_by_role("searchbox", name="Search jobs")).to_be_visible()
    for _ in range(20):
        page.keyboard.press("Tab")
        # A Radix text field draws its ring on the field's root, around the input.
        outline = page.evaluate(
            "(() => { const f = document.activeElement;"
            " const e = f.closest('.rt-TextFieldRoot') || f; const s = getComputedStyle(e);"
            " return [f.tagName, s.outlineStyle, s.outlineWidth, s.boxShadow]; })()"
        )
        _tag, style, width, shadow = outline
        assert (style != "none" and width != "0px") or shadow != "none", outline
