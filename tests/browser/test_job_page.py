"""The page of one job, against the app's embedded sandbox."""

from __future__ import annotations

import re
from urllib.parse import quote

from playwright.sync_api import Page, expect

from tests.helpers.browser import ARTIFACTS, SandboxApi
from tests.helpers.servers import ServerProcess


def test_job_page_shows_every_field(
    page: Page, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    job = demo_api.create(
        "page-fields",
        baseModel="Qwen/QwQ-32B",
        epochs=7,
        evaluationEpochs=2,
        warmupEpochs=3,
        learningRate=0.00002,
    )
    page.goto(sandbox_app.url + "/")
    page.get_by_role("table", name="Jobs").get_by_role("link", name="page-fields").click()

    expect(page.get_by_role("heading", name="page-fields", level=1)).to_be_visible()
    expect(page).to_have_url(f"{sandbox_app.url}/w/default/jobs/{job['id']}")
    details = page.locator("dl")
    for label, value in [
        ("Status", "Running"),
        ("ID", job["id"]),
        ("Base model", "QwQ 32B"),
        ("Epochs", "7"),
        ("Evaluation epochs", "2"),
        ("Warm-up epochs", "3"),
        ("Learning rate", "0.00002"),
        ("Created", job["createdAt"][:10]),
    ]:
        item = details.locator("div").filter(has=page.get_by_text(label, exact=True)).first
        expect(item).to_contain_text(value)
    expect(page.get_by_role("link", name="Clone")).to_have_attribute(
        "href", f"/w/default/jobs/new?clone={quote(job['id'], safe='')}"
    )
    page.screenshot(path=ARTIFACTS / "job-1280-light.png", full_page=True)


def test_unknown_job_gets_a_friendly_not_found_page(page: Page, sandbox_app: ServerProcess) -> None:
    page.goto(sandbox_app.url + "/jobs/no-such-job")
    expect(page.get_by_role("heading", name="Job not found")).to_be_visible()
    expect(page.get_by_text("no-such-job")).to_be_visible()
    page.get_by_role("link", name="Back to the dashboard").click()
    expect(page.get_by_role("heading", name="Fine-tuning jobs")).to_be_visible()


def test_delete_from_the_job_page_returns_to_the_dashboard(
    page: Page, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    job = demo_api.create("delete-me-here")
    page.goto(f"{sandbox_app.url}/jobs/{job['id']}")
    expect(page.get_by_role("heading", name="delete-me-here")).to_be_visible()

    page.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("delete-me-here")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("heading", name="delete-me-here")).to_be_visible()

    page.get_by_role("button", name="Delete").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Fine-tuning jobs")).to_be_visible()
    expect(page.get_by_text("Deleted “delete-me-here”.")).to_be_visible()
    expect(
        page.get_by_role("table", name="Jobs").get_by_role("link", name="delete-me-here")
    ).to_have_count(0)
    assert "delete-me-here" not in demo_api.job_names()


def test_job_page_notices_a_deletion_elsewhere(
    page: Page, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    job = demo_api.create("deleted-elsewhere")
    page.goto(f"{sandbox_app.url}/jobs/{job['id']}")
    expect(page.get_by_role("heading", name="deleted-elsewhere")).to_be_visible()

    demo_api.delete(job["id"])
    # The feed polls every ~2 s while jobs run; the page updates without a reload.
    expect(page.get_by_text("This job has been deleted")).to_be_visible(timeout=20_000)


def test_clone_button_opens_the_wizard_with_the_jobs_settings(
    page: Page, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    job = demo_api.create("clone-source", baseModel="Qwen/QwQ-32B", epochs=5)
    page.goto(f"{sandbox_app.url}/jobs/{job['id']}")
    expect(page.get_by_role("heading", name="clone-source")).to_be_visible()

    page.get_by_role("link", name="Clone").click()

    expect(page).to_have_url(re.compile(r"/jobs/new"))
    expect(page.get_by_label("Job name")).to_have_value("clone-source-copy")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label("Epochs", exact=True)).to_have_value("5")
