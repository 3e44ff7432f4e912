"""The stylesheet the app ships: the Radix Themes rules its pages can use, and no others.

ftapp/frontend/lean_css.py drops the rules of Radix components no page renders and of
breakpoints no responsive prop names; these tests visit every page and state (with its
menus, lists, dialogs and tooltips open) and check that no Radix class on screen lost its
rules, and that the trim happened at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Browser, Page, expect

from tests.helpers.browser import HeldSocket, SandboxApi
from tests.helpers.page_states import STATES
from tests.helpers.servers import PROJECT_ROOT, ServerProcess

RADIX_STYLESHEET = PROJECT_ROOT / ".web/node_modules/@radix-ui/themes/styles.css"
RADIX_CLASS = re.compile(r"(?:(?:xs|sm|md|lg|xl)\\?:)?rt-[A-Za-z][A-Za-z0-9-]*")
"""E.g. rt-TableRoot, rt-r-gap-3, md:rt-r-gtc-4 (in a selector: md\\:rt-r-gtc-4)."""

CLASSES_ON_SCREEN = """() => [...new Set(
  [...document.querySelectorAll("[class]")].flatMap((element) => [...element.classList])
)]"""
SERVED_SELECTORS = """() => {
  const selectors = [];
  const walk = (rules) => {
    for (const rule of rules) {
      if (rule.selectorText) selectors.push(rule.selectorText);
      if (rule.styleSheet) walk(rule.styleSheet.cssRules);
      if (rule.cssRules) walk(rule.cssRules);
    }
  };
  for (const sheet of document.styleSheets) walk(sheet.cssRules);
  return selectors;
}"""


def radix_classes(texts: list[str]) -> set[str]:
    return {name.replace("\\", "") for text in texts for name in RADIX_CLASS.findall(text)}


def open_status_filter(page: Page) -> None:
    page.get_by_role("combobox", name="Filter by status").click()
    expect(page.get_by_role("listbox")).to_be_visible()


def hover_a_name(page: Page) -> None:
    page.get_by_role("link", name="summarizer-7").first.hover()
    expect(page.get_by_role("tooltip")).to_be_visible()


def open_phone_menu(page: Page) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("menu")).to_be_visible()


OVERLAYS: list[tuple[str, Callable[[Page], None]]] = [
    ("status filter", open_status_filter),
    ("tooltip", hover_a_name),
    ("phone menu", open_phone_menu),
]


def test_no_radix_class_on_any_page_lost_its_rules(
    browser: Browser, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    on_screen: set[str] = set()
    try:
        for _name, path, reach in STATES:
            page.goto(sandbox_app.url + path)
            expect(page.get_by_role("heading", level=1).first).to_be_visible()
            if reach is not None:
                reach(page)
            on_screen |= radix_classes(page.evaluate(CLASSES_ON_SCREEN))
        for _name, reach in OVERLAYS:
            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(sandbox_app.url + "/")
            expect(page.get_by_role("table", name="Jobs")).to_be_visible()
            reach(page)
            on_screen |= radix_classes(page.evaluate(CLASSES_ON_SCREEN))
        served = radix_classes(page.evaluate(SERVED_SELECTORS))
    finally:
        context.close()

    radix = radix_classes([RADIX_STYLESHEET.read_text()])
    styled_on_screen = on_screen & radix
    used = {"rt-TableRoot", "rt-SelectContent", "rt-TooltipContent", "rt-r-gap-3", "md:rt-r-gtc-4"}
    assert used <= styled_on_screen
    assert styled_on_screen <= served, f"rules dropped for: {sorted(styled_on_screen - served)}"
    # The trim happened: components no page uses, and breakpoints no prop names, have none.
    # (A job's notes use the text area since issue 18: its rules are served.)
    unused = {"rt-SliderRoot", "rt-AvatarRoot", "xs:rt-r-gap-3", "xl:rt-r-p-2"}
    assert unused <= radix
    assert not unused & served


def test_loading_placeholders_pulse_only_after_a_second(
    page: Page, sandbox_app: ServerProcess
) -> None:
    # Radix's pulse is repainted on the main thread each frame: a load shorter than a second
    # (most of them) is not slowed by it.
    HeldSocket(page)  # never released: the page never gets its data, the placeholders stay
    page.goto(sandbox_app.url + "/")
    placeholder = page.get_by_label("Loading jobs").locator(".rt-Skeleton").first
    expect(placeholder).to_be_visible()
    assert placeholder.evaluate("(element) => getComputedStyle(element).animationName") == (
        "rt-skeleton-pulse"
    )
    assert placeholder.evaluate("(element) => getComputedStyle(element).animationDelay") == "1s"
