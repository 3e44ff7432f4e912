"""The wizard when the upstream API cannot be reached: the models and the submit say so and
offer Retry, and nothing typed is lost."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from ftapp.settings import SANDBOX_DEMO_KEY
from tests.browser.wizard_pages import choose_model, field, open_wizard, step_url
from tests.helpers.browser import ARTIFACTS, AppServers
from tests.helpers.servers import SandboxProcess


def test_models_and_submit_offer_retry_while_the_api_is_down(
    page: Page, app_servers: AppServers, upstream: SandboxProcess
) -> None:
    app = app_servers.get({"FT_API_BASE_URL": upstream.api_url, "FT_API_KEY": SANDBOX_DEMO_KEY})

    upstream.stop()
    open_wizard(page, app)
    models_alert = page.get_by_role("alert").filter(has_text="cannot be reached")
    expect(models_alert).to_be_visible()
    expect(field(page, "Base model")).to_be_disabled()
    expect(field(page, "Base model")).to_have_text("Models could not be loaded")
    page.screenshot(path=ARTIFACTS / "wizard-models-down.png", full_page=True)

    upstream.start(upstream.port)
    models_alert.get_by_role("button", name="Retry").click()
    expect(models_alert).to_have_count(0)
    field(page, "Job name").fill("sent-after-retry")
    choose_model(page, "QwQ 32B")
    page.get_by_role("button", name="Next").click()
    field(page, "Learning rate").fill("3e-4")
    page.get_by_role("button", name="Next").click()
    expect(page).to_have_url(step_url("review"))

    upstream.stop()
    page.get_by_role("button", name="Submit").click()
    submit_alert = page.get_by_role("alert").filter(has_text="cannot be reached")
    expect(submit_alert).to_be_visible()
    expect(page).to_have_url(step_url("review"))
    expect(page.get_by_text("sent-after-retry")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "wizard-submit-down.png", full_page=True)

    upstream.start(upstream.port)
    submit_alert.get_by_role("button", name="Retry").click()
    table = page.get_by_role("table", name="Jobs")
    expect(table.get_by_role("link", name="sent-after-retry", exact=True)).to_be_visible()
