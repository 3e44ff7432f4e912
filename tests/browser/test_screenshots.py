"""Every page at 1280 and 375 px, light and dark: nothing overflows the viewport sideways,
and screenshots land in test-artifacts/ for people to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.helpers.browser import ARTIFACTS, SandboxApi
from tests.helpers.servers import ServerProcess


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_fit_the_screen(
    browser: Browser, sandbox_app: ServerProcess, demo_api: SandboxApi, width: int, scheme: str
) -> None:
    job_id = demo_api.jobs()["jobs"][0]["id"]
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    try:
        for name, path, heading in [
            ("dashboard", "/", "Fine-tuning jobs"),
            ("job", f"/jobs/{job_id}", None),
            ("job-not-found", "/jobs/missing", "Job not found"),
        ]:
            page.goto(sandbox_app.url + path)
            if heading:
                expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
            else:
                expect(page.get_by_role("heading", level=1)).to_be_visible()
            page.wait_for_timeout(300)  # let the chart and fonts settle for the picture
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} at {width}px overflows by {overflow}px"
            page.screenshot(path=ARTIFACTS / f"{name}-{width}-{scheme}.png", full_page=True)
    finally:
        context.close()
