"""With a read-only key: the dashboard says so, and a delete is refused with a clear message."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import AppServers
from tests.servers import ServerProcess


@pytest.fixture
def read_only_app(app_servers: AppServers, embedded_db) -> ServerProcess:
    return app_servers.get(
        {"FT_SANDBOX_DB": str(embedded_db), "FT_API_KEY": "sandbox-readonly-key"}
    )


def test_read_only_key_cannot_create_or_delete(page: Page, read_only_app: ServerProcess) -> None:
    page.goto(read_only_app.url + "/")
    table = page.get_by_role("table", name="Jobs")
    expect(table.get_by_role("link", name="summarizer-7")).to_be_visible()

    button = page.get_by_role("button", name="New job")
    expect(button).to_be_disabled()
    expect(button).to_have_accessible_description(re.compile("may not create jobs"))

    page.get_by_role("button", name="Delete summarizer-7").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("This API key may not delete jobs.")).to_be_visible()
    expect(table.get_by_role("link", name="summarizer-7")).to_be_visible()
