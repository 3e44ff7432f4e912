"""Every page under the Content-Security-Policy it is served with: no inline script allowed
but the build's own (by hash), and not one violation, also when the server sends scripts
(toasts, focus moves) that Reflex runs with eval."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect

from tests.helpers.browser import SandboxApi, wait_until_live
from tests.helpers.servers import ServerProcess

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.ftappCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}: ${event.sample}`
  );
});
"""


class Violations:
    """What the page reports breaking its policy: ``securitypolicyviolation`` events and the
    browser's console messages about the Content Security Policy."""

    def __init__(self, page: Page) -> None:
        self.seen: list[str] = []
        page.expose_function("ftappCspViolation", self._reported)
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self._console)

    def _reported(self, violation: str) -> None:
        self.seen.append(violation)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.seen.append(f"console: {message.text}")


def script_sources(response: Response | None) -> list[str]:
    assert response is not None
    policy = response.headers["content-security-policy"]
    directive = next(d for d in policy.split("; ") if d.startswith("script-src "))
    return directive.split()[1:]


@pytest.fixture
def watched(browser: Browser) -> Iterator[tuple[Page, Violations]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page, Violations(page)
    context.close()


def test_the_sign_in_page_runs_no_script_and_breaks_nothing(
    browser: Browser, sandbox_app: ServerProcess
) -> None:
    context = browser.plain_context()  # type: ignore[attr-defined]
    page = context.new_page()
    violations = Violations(page)
    try:
        response = page.goto(sandbox_app.url + "/")  # a visitor lands on the sign-in form
        assert response is not None
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        assert violations.seen == []
    finally:
        context.close()


def test_every_app_page_and_its_scripts_run_without_a_violation(
    watched: tuple[Page, Violations], sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    page, violations = watched
    job = demo_api.create("csp-job")
    pages = {
        "dashboard": ("/", "Fine-tuning jobs"),
        "job page": (f"/jobs/{job['id']}", "csp-job"),
        "wizard": ("/jobs/new?step=setup", "New job"),
        "activity": ("/activity", "Activity"),
        "404": ("/no/such/page", "Page not found"),
    }
    for name, (path, heading) in pages.items():
        sources = script_sources(page.goto(sandbox_app.url + path))  # waits for "load"
        assert "'unsafe-inline'" not in sources, name
        assert any(source.startswith("'sha256-") for source in sources), name
        assert violations.seen == [], name  # the page's own inline scripts all ran
        expect(page.get_by_role("heading", level=1).first).to_contain_text(heading)
        if name != "404":
            wait_until_live(page)
        assert violations.seen == [], name

    # Scripts Reflex evaluates: a compiled rx.call_script (the skip link)...
    page.goto(sandbox_app.url + "/")
    wait_until_live(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # ...and what a handler sends: the toast, then the focus on the next row's Delete.
    page.get_by_role("button", name="Delete csp-job").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Deleted “csp-job”.")).to_be_visible()
    assert violations.seen == []
