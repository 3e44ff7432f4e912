"""Stopping cleanly: a SIGTERM while a create is in flight lets it finish. The job exists
once, its outcome reaches the page, the activity log has its line, the page is told that
ftapp is restarting, and it carries on by itself once ftapp is back on the same port."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from ftapp.settings import SANDBOX_DEMO_KEY
from tests.browser.wizard_pages import complete_setup, open_wizard, step_url
from tests.helpers.browser import APP_ORIGINS, ARTIFACTS, AppServers, wait_until_live
from tests.helpers.faultproxy import Fault, FaultProxy
from tests.helpers.servers import SandboxProcess, start_app

NAME = "made-while-stopping"


def test_a_sigterm_during_a_create_finishes_it_and_the_page_carries_on(
    page: Page, app_servers: AppServers, upstream: SandboxProcess, tmp_path: Path
) -> None:
    app_servers.stop()  # one app per checkout: this test runs its own, twice on one port
    with FaultProxy(upstream.origin) as proxy:
        env = {
            "FT_API_BASE_URL": proxy.url + "/api",
            "FT_API_KEY": SANDBOX_DEMO_KEY,
            "REFLEX_DB_URL": f"sqlite:///{tmp_path / 'app.db'}",
        }
        app = start_app(env, ARTIFACTS / "clean-stop-1.log")
        APP_ORIGINS.add(app.url)  # the page signs in on its first visit
        try:
            open_wizard(page, app)
            complete_setup(page, NAME)
            page.get_by_role("button", name="Next").click()
            expect(page).to_have_url(step_url("review"))

            # The API takes 3 s to answer the create; the app is told to stop meanwhile.
            proxy.rule = lambda method, path: (
                Fault.SLOW if (method, path) == ("POST", "/api/jobs") else None
            )
            page.get_by_role("button", name="Submit").click()
            expect(page.get_by_role("status").filter(has_text="Creating the job")).to_be_visible()
            os.kill(app.process.pid, signal.SIGTERM)
            expect(page.get_by_text("ftapp is restarting")).to_be_visible(timeout=10_000)
            page.screenshot(path=ARTIFACTS / "clean-stop-restarting.png", full_page=True)

            # The create finished before the process went, and the page heard how it ended.
            expect(page.get_by_text(f"Job {NAME} created.")).to_be_visible(timeout=20_000)
            app.process.wait(timeout=30)
            assert app.process.returncode == 0
            assert upstream.jobs_named(NAME) == 1
            assert app.activity_lines(NAME) == [f"{NAME} done"]
        finally:
            app.stop()

        # Back on the same port: the page reconnects by itself and shows the job.
        port = int(app.url.rsplit(":", 1)[1])
        started = time.monotonic()
        again = start_app(env, ARTIFACTS / "clean-stop-2.log", port=port)
        try:
            table = page.get_by_role("table", name="Jobs")
            expect(table.get_by_role("link", name=NAME)).to_be_visible(timeout=30_000)
            wait_until_live(page)
            assert time.monotonic() - started < 120
            assert upstream.jobs_named(NAME) == 1
            assert again.activity_lines(NAME) == [f"{NAME} done"]
        finally:
            again.stop()
