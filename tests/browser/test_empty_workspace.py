"""A workspace without jobs: an empty state that says so, with the way to create one."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser import AppServers
from tests.helpers.servers import ServerProcess


@pytest.fixture
def empty_app(app_servers: AppServers, tmp_path_factory: pytest.TempPathFactory) -> ServerProcess:
    db = tmp_path_factory.mktemp("empty") / "sandbox.db"
    return app_servers.get({"FT_SANDBOX_DB": str(db), "FT_API_KEY": "sandbox-other-key"})


def test_empty_workspace_says_so(page: Page, empty_app: ServerProcess) -> None:
    page.goto(empty_app.url + "/")
    expect(page.get_by_text("No fine-tuning jobs yet.")).to_be_visible()
    expect(page.get_by_role("table", name="Jobs")).to_have_count(0)
    expect(page.get_by_role("group", name="Total", exact=True)).to_contain_text("0")
    expect(page.get_by_role("group", name="Quota")).to_contain_text("0 of 10 jobs")
    expect(page.get_by_role("button", name="New job")).to_be_enabled()
