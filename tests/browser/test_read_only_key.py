"""With a read-only key: every page says what is off and why before anyone tries."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser import AppServers
from tests.helpers.servers import ServerProcess

NO_CREATE = "This API key may not create jobs (it is read-only)."
NO_DELETE = "This API key may not delete jobs (it is read-only)."


@pytest.fixture
def read_only_app(app_servers: AppServers, embedded_db) -> ServerProcess:
    return app_servers.get(
        {"FT_SANDBOX_DB": str(embedded_db), "FT_API_KEY": "sandbox-readonly-key"}
    )


def test_read_only_key_turns_create_and_delete_off_with_reasons(
    page: Page, read_only_app: ServerProcess
) -> None:
    page.goto(read_only_app.url + "/")
    table = page.get_by_role("table", name="Jobs")
    expect(table.get_by_role("link", name="summarizer-7")).to_be_visible()

    button = page.get_by_role("button", name="New job")
    expect(button).to_be_disabled()
    expect(button).to_have_accessible_description(NO_CREATE)
    delete = table.get_by_role("button", name="Delete summarizer-7")
    expect(delete).to_be_disabled()
    expect(delete).to_have_accessible_description(NO_DELETE)

    table.get_by_role("link", name="summarizer-7").click()
    expect(page).to_have_url(re.compile(r"/jobs/"))
    delete = page.get_by_role("button", name="Delete", exact=True)
    clone = page.get_by_role("button", name="Clone", exact=True)
    expect(delete).to_be_disabled()
    expect(delete).to_have_accessible_description(NO_DELETE)
    expect(clone).to_be_disabled()
    expect(clone).to_have_accessible_description(NO_CREATE)
    expect(page.get_by_text(NO_CREATE)).to_be_visible()
    expect(page.get_by_text(NO_DELETE)).to_be_visible()
