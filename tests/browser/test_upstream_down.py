"""The dashboard when the upstream API cannot be reached, and after it comes back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, AppServers
from tests.servers import SandboxLauncher, SandboxProcess


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[SandboxProcess]:
    """A standalone sandbox that a test may stop and start again on the same port."""
    launcher = SandboxLauncher(tmp_path)
    yield launcher()
    launcher.stop_all()


def test_error_message_when_upstream_is_down_then_recovery(
    page: Page, app_servers: AppServers, upstream: SandboxProcess
) -> None:
    app = app_servers.get({"FT_API_BASE_URL": upstream.api_url, "FT_API_KEY": "sandbox-demo-key"})

    page.goto(app.url + "/")
    table = page.get_by_role("table", name="Jobs")
    expect(table.get_by_role("link", name="summarizer-7")).to_be_visible()

    upstream.stop()
    page.reload()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("cannot be reached")
    page.screenshot(path=ARTIFACTS / "dashboard-upstream-down.png", full_page=True)

    upstream.start(upstream.port)
    page.reload()
    expect(table.get_by_role("link", name="summarizer-7")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
