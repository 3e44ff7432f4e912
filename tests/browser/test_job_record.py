"""What ftapp's record gives one job and the wizard, in the real app: a deleted job's page
(its record, timeline and Clone), the Review step's estimate, notes and tags (saved, kept,
read-only for a viewer). Records are written straight into the app's database, as the
recorder would have left them."""

from __future__ import annotations

import re
import time
import uuid

from playwright.sync_api import Page, expect

from tests.helpers.browser import ARTIFACTS, SandboxApi
from tests.helpers.job_records import EMBEDDED_WORKSPACE, add_finished, add_record
from tests.helpers.servers import ServerProcess

PASSWORD = "a long password for tests"
QWQ = "Qwen/QwQ-32B"
DEEPSEEK = "deepseek-ai/DeepSeek-R1-Distill-Llama-70B"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_a_deleted_jobs_page_shows_its_record_timeline_and_clone(
    page: Page, sandbox_app: ServerProcess
) -> None:
    job_id, name = str(uuid.uuid4()), unique("gone")
    now = int(time.time())
    add_record(
        sandbox_app.db_url,
        EMBEDDED_WORKSPACE,
        job_id,
        name,
        base_model=QWQ,
        epochs=7,
        created_at=now - 3 * 86400,
        duration_seconds=2460,
        deleted_at=now - 2 * 86400,
        deleted_by="bob",
        transitions=(
            ("Running", now - 3 * 86400 + 2, 2.0),
            ("Completed", now - 3 * 86400 + 2460, 5.0),
        ),
    )

    page.goto(f"{sandbox_app.url}/jobs/{job_id}")

    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(page.get_by_text("Deleted by bob 2 days ago")).to_be_visible()
    details = page.locator("dl")
    for label, value in [
        ("Status", "Completed"),
        ("Base model", "QwQ 32B"),
        ("Epochs", "7"),
        ("Run time", "took 41 min"),
    ]:
        item = details.locator("div").filter(has=page.get_by_text(label, exact=True)).first
        expect(item).to_contain_text(value)
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)
    # A record does not change any more: no "Live" line on its page.
    expect(page.get_by_text("From ftapp's record", exact=True)).to_be_visible()
    expect(page.get_by_role("status", name="Live updates")).to_have_count(0)
    timeline = page.get_by_role("list", name="Timeline")
    expect(timeline.get_by_role("listitem")).to_have_text(
        [
            re.compile("^Created"),
            re.compile("^First seen by ftapp"),
            re.compile("^Running.*within 2 s"),
            re.compile("^Completed.*within 5 s"),
            re.compile("^Deleted by bob"),
        ]
    )
    page.screenshot(path=ARTIFACTS / "job-record-1280.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=ARTIFACTS / "job-record-375.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Clone").click()
    expect(page.get_by_label("Job name")).to_have_value(f"{name}-copy")
    expect(
        page.get_by_text(f"Settings copied from job {name} (from ftapp's record")
    ).to_be_visible()
    page.goto(f"{sandbox_app.url}/jobs/new?step=configure")
    expect(page.get_by_label("Epochs", exact=True)).to_have_value("7")


def test_the_review_step_estimates_once_there_is_history(
    page: Page, sandbox_app: ServerProcess
) -> None:
    gone_id, name = str(uuid.uuid4()), unique("estimate")
    # 400 epochs: no other test's jobs are "similar" (within 25 %), whatever ran before.
    add_record(
        sandbox_app.db_url, EMBEDDED_WORKSPACE, gone_id, name, base_model=DEEPSEEK, epochs=400
    )

    page.goto(f"{sandbox_app.url}/jobs/new?clone={gone_id}")
    expect(page.get_by_label("Job name")).to_have_value(f"{name}-copy")
    page.goto(f"{sandbox_app.url}/jobs/new?step=review")
    expect(
        page.get_by_text("Too few similar finished jobs of this model to estimate")
    ).to_be_visible()

    add_finished(
        sandbox_app.db_url,
        EMBEDDED_WORKSPACE,
        unique("done"),
        [720, 900, 1080],
        base_model=DEEPSEEK,
        epochs=400,
    )
    page.reload()
    expect(
        page.get_by_text("Similar jobs took 12 min to 18 min (median 15 min, from 3 jobs)")
    ).to_be_visible()
    page.screenshot(path=ARTIFACTS / "new-job-review-estimate-1280.png", full_page=True)


def test_notes_are_saved_kept_after_a_reload_and_read_only_for_a_viewer(
    page: Page, visitor: Page, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    job = demo_api.create(unique("noted"))
    page.goto(f"{sandbox_app.url}/jobs/{job['id']}")
    expect(page.get_by_role("heading", name=job["name"], level=1)).to_be_visible()

    page.get_by_label("Tags").fill("bad tag!")
    page.get_by_role("button", name="Save notes").click()
    expect(page.get_by_text("Tag “tag!” may contain only letters")).to_be_visible()

    page.get_by_label("Notes").fill("<b>not bold</b>\nsecond line")
    page.get_by_label("Tags").fill("Baseline, lr-sweep")
    page.get_by_role("button", name="Save notes").click()
    expect(page.get_by_text("Notes and tags saved.")).to_be_visible()

    page.reload()
    expect(page.get_by_label("Notes")).to_have_value("<b>not bold</b>\nsecond line")
    expect(page.get_by_label("Tags", exact=True)).to_have_value("baseline, lr-sweep")
    expect(page.get_by_role("list", name="Saved tags").get_by_role("listitem")).to_have_text(
        ["baseline", "lr-sweep"]
    )
    expect(page.get_by_role("list", name="Timeline")).to_contain_text("Notes edited by admin")
    page.screenshot(path=ARTIFACTS / "job-notes-1280.png", full_page=True)

    # Found on /history by a word of its notes, and by a tag.
    page.goto(f"{sandbox_app.url}/history")
    search = page.get_by_label("Search the history")
    recorded = page.get_by_role("table", name="Recorded jobs").get_by_role("rowheader")
    for words in ("second line", "lr-sweep"):
        search.fill(words)
        expect(recorded).to_have_text([job["name"]])

    result = sandbox_app.run_cli("users", "add", "vic", "--role", "viewer", stdin=PASSWORD + "\n")
    assert result.returncode == 0 or "exists" in result.stderr, result.stderr
    visitor.goto(f"{sandbox_app.url}/jobs/{job['id']}")
    visitor.get_by_label("Username").fill("vic")
    visitor.get_by_label("Password").fill(PASSWORD)
    visitor.get_by_role("button", name="Sign in", exact=True).click()
    expect(visitor.get_by_role("heading", name=job["name"], level=1)).to_be_visible()
    expect(visitor.get_by_text("<b>not bold</b>")).to_be_visible()  # text, never markup
    expect(visitor.locator("main b")).to_have_count(0)
    expect(visitor.get_by_text("Viewers may not edit notes or tags.")).to_be_visible()
    expect(visitor.get_by_role("list", name="Saved tags")).to_contain_text("lr-sweep")
    expect(visitor.get_by_label("Notes")).to_have_count(0)
    expect(visitor.get_by_role("button", name="Save notes")).to_have_count(0)


def test_a_running_jobs_page_counts_its_run_time(
    page: Page, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    job = demo_api.create(unique("runs"), epochs=50)
    page.goto(f"{sandbox_app.url}/jobs/{job['id']}")
    item = page.locator("dl div").filter(has=page.get_by_text("Run time", exact=True)).first
    expect(item).to_contain_text(re.compile(r"running for \d+ s"))
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=ARTIFACTS / "job-running-375.png", full_page=True)


def test_a_running_job_says_when_it_usually_finishes_on_the_dashboard_and_its_page(
    page: Page, sandbox_app: ServerProcess, demo_api: SandboxApi
) -> None:
    # 600 epochs of DeepSeek: no other test's jobs are "similar"; three took 30 min each.
    add_finished(
        sandbox_app.db_url,
        EMBEDDED_WORKSPACE,
        unique("usual"),
        [1800, 1800, 1800],
        base_model=DEEPSEEK,
        epochs=600,
    )
    name = unique("estimated")
    job = demo_api.create(name, baseModel=DEEPSEEK, epochs=600)
    usual = re.compile(r"usually finishes in about (29|30) min")

    page.goto(f"{sandbox_app.url}/?q={name}")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=name))
    expect(row).to_contain_text(usual)
    # A job with no similar history gets no line.
    other = demo_api.create(unique("unusual"), baseModel=DEEPSEEK, epochs=900)
    page.goto(f"{sandbox_app.url}/?q={other['name']}")
    other_row = page.get_by_role("row").filter(has=page.get_by_role("link", name=other["name"]))
    expect(other_row).to_contain_text("Running")
    expect(other_row).not_to_contain_text("usually finishes")

    page.goto(f"{sandbox_app.url}/jobs/{job['id']}")
    estimate = page.locator("dl div").filter(has=page.get_by_text("Estimate", exact=True)).first
    expect(estimate).to_contain_text("Similar jobs took 30 min (median 30 min, from 3 jobs)")
    expect(estimate).to_contain_text(usual)
