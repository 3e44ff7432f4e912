"""The create-job wizard in a real browser, against the app's embedded sandbox.

Every test here shares one app configuration (its own sandbox database, one listed model
refused by the sandbox), so the app starts once for the module; the read-only key, which
needs another configuration, comes last.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, expect

from ftapp.rules import MAX_JOBS_PER_WORKSPACE
from ftapp.sandbox.app import REFUSED_MODEL_MESSAGE
from tests.browser.wizard_pages import (
    LLAMA_NAME,
    budget,
    choose_model,
    complete_setup,
    expect_message,
    expect_valid,
    field,
    open_wizard,
    set_epochs,
    step_url,
)
from tests.helpers.browser import ARTIFACTS, AppServers
from tests.helpers.servers import SANDBOX_DRIVER_KEY, ServerProcess

REFUSED_MODEL = "deepseek-ai/DeepSeek-R1-Distill-Llama-70B"
REFUSED_MODEL_NAME = "DeepSeek R1 Distill Llama 70B"
DEMO_KEY = {"x-api-key": SANDBOX_DRIVER_KEY}
DRAFT_KEY = "ftapp.new-job.draft"

NAME_TOO_SHORT = "Job name must be at least 3 characters"
NAME_TOO_LONG = "Job name must be at most 50 characters"
NAME_TRAILING_DASH = "Job name must not end with a dash"
NAME_BAD_CHARS = "Job name may contain only letters, digits and dashes"
RATE_RANGE = "Learning rate must be between 0 and 1"


# --- fixtures and helpers ----------------------------------------------------------------


@pytest.fixture(scope="module")
def wizard_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("wizard") / "sandbox.db"


@pytest.fixture
def wizard_app(app_servers: AppServers, wizard_db: Path) -> ServerProcess:
    """The app on its embedded sandbox, with one listed model that POST /jobs refuses."""
    return app_servers.get(
        {"FT_SANDBOX_DB": str(wizard_db), "FT_SANDBOX_REFUSED_MODELS": REFUSED_MODEL}
    )


@pytest.fixture
def sandbox_api(wizard_app: ServerProcess) -> Iterator[httpx.Client]:
    """The same sandbox over HTTP, with the tests' key: to look at and set up jobs."""
    with httpx.Client(base_url=wizard_app.url + "/sandbox/api", headers=DEMO_KEY) as client:
        yield client


def stored_draft(page: Page) -> str | None:
    return page.evaluate(f"localStorage.getItem({DRAFT_KEY!r})")


def wait_for_draft_with(page: Page, text: str) -> None:
    page.wait_for_function(
        "([key, text]) => (localStorage.getItem(key) || '').includes(text)", arg=[DRAFT_KEY, text]
    )


def jobs_named(api: httpx.Client, name: str) -> list[dict]:
    return [job for job in api.get("/jobs").json()["jobs"] if job["name"] == name]


# --- rules at their boundaries, typed into the real inputs --------------------------------


def test_job_name_boundaries(page: Page, wizard_app: ServerProcess) -> None:
    open_wizard(page, wizard_app)
    name = field(page, "Job name")

    # Still typing: too short is said only once the field is left.
    name.fill("ab")
    expect_valid(name)
    name.blur()
    expect_message(name, NAME_TOO_SHORT)

    cases = [
        ("abc", None),
        ("a" * 50, None),
        ("a" * 51, NAME_TOO_LONG),
        ("my-job-", NAME_TRAILING_DASH),
        ("my_job", NAME_BAD_CHARS),
        ("-ok-1", None),
    ]
    for text, message in cases:
        name.fill(text)
        if message is None:
            expect_valid(name)
            expect(name).to_have_accessible_description(re.compile("^3 to 50 characters"))
        else:
            expect_message(name, message)


def test_epoch_budget_boundaries(page: Page, wizard_app: ServerProcess) -> None:
    open_wizard(page, wizard_app)
    complete_setup(page, "epoch-bounds")
    epochs, evaluation, warmup = (
        field(page, "Epochs"),
        field(page, "Evaluation epochs"),
        field(page, "Warm-up epochs"),
    )

    epochs.fill("0")
    expect_message(epochs, "Epochs must be at least 1")
    epochs.fill("1")
    expect_valid(epochs)
    expect_message(evaluation, budget(1))  # the defaults 1 + 1 are now over the budget
    expect_message(warmup, budget(1))

    set_epochs(page, "3", "2", "1")  # equal to the epochs
    for control in (epochs, evaluation, warmup):
        expect_valid(control)
    evaluation.fill("3")  # one above
    expect_message(evaluation, budget(3))
    expect_message(warmup, budget(3))

    set_epochs(page, "3", "2", "0")
    expect_valid(evaluation)
    epochs.fill("1")  # lowering epochs under the evaluation value already there
    expect_message(evaluation, budget(1))
    expect_message(warmup, budget(1))  # the rule is on the sum: both fields say it
    epochs.fill("2")
    expect_valid(evaluation)
    expect_valid(warmup)


def test_learning_rate_boundaries(page: Page, wizard_app: ServerProcess) -> None:
    open_wizard(page, wizard_app)
    complete_setup(page, "rate-bounds")
    rate = field(page, "Learning rate")

    for text, message in [
        ("0", None),
        ("1", None),
        ("1.0001", RATE_RANGE),
        ("-0.1", RATE_RANGE),
        ("1e-4", None),
        ("abc", "Learning rate must be a number"),
        ("0.0001", None),
    ]:
        rate.fill(text)
        if message is None:
            expect_valid(rate)
        else:
            expect_message(rate, message)
    rate.fill("")  # emptied while typing: said once the field is left
    expect_valid(rate)
    rate.blur()
    expect_message(rate, "Learning rate is required")


def test_steppers_stop_at_the_rules_bounds(page: Page, wizard_app: ServerProcess) -> None:
    open_wizard(page, wizard_app)
    complete_setup(page, "stepper-bounds")
    set_epochs(page, "1", "0", "0")

    def button(name: str) -> Locator:
        return page.get_by_role("button", name=name, exact=True)

    expect(button("Decrease Epochs")).to_be_disabled()
    expect(button("Decrease Evaluation epochs")).to_be_disabled()
    expect(button("Decrease Warm-up epochs")).to_be_disabled()

    button("Increase Evaluation epochs").click()
    expect(field(page, "Evaluation epochs")).to_have_value("1")
    expect(button("Increase Evaluation epochs")).to_be_disabled()  # 1 + 0 = 1 epoch
    expect(button("Increase Warm-up epochs")).to_be_disabled()
    expect(button("Decrease Epochs")).to_be_disabled()  # epochs may not go under 1 + 0

    button("Increase Warm-up epochs").click(force=True)  # at its bound: nothing happens
    button("Decrease Epochs").click(force=True)
    expect(field(page, "Warm-up epochs")).to_have_value("0")
    expect(field(page, "Epochs")).to_have_value("1")

    button("Increase Epochs").click()
    expect(field(page, "Epochs")).to_have_value("2")
    expect(button("Increase Warm-up epochs")).to_be_enabled()
    button("Increase Warm-up epochs").click()
    expect(field(page, "Warm-up epochs")).to_have_value("1")
    expect(button("Increase Warm-up epochs")).to_be_disabled()
    expect(button("Decrease Warm-up epochs")).to_be_enabled()
    for control in ("Epochs", "Evaluation epochs", "Warm-up epochs"):
        expect_valid(field(page, control))


# --- steps, navigation, the draft -----------------------------------------------------------


def test_fast_typing_is_kept_whole_and_counts_at_once(
    page: Page, wizard_app: ServerProcess
) -> None:
    """Every keystroke reaches the server at once (no debounce) and no answer rewrites the
    field while the user types; a click right after typing uses what was typed."""
    open_wizard(page, wizard_app)
    name = field(page, "Job name")
    typed = "typed-fast-0123456789-abcdefghij"
    name.press_sequentially(typed, delay=0)
    expect(name).to_have_value(typed)
    name.press_sequentially("_", delay=0)
    expect_message(name, "Job name may contain only letters, digits and dashes")
    name.press("Backspace")
    expect_valid(name)
    expect(name).to_have_value(typed)
    choose_model(page, LLAMA_NAME)
    page.get_by_role("button", name="Next").click()
    expect(page).to_have_url(step_url("configure"))

    field(page, "Epochs").fill("7")
    page.get_by_role("button", name="Next").click()  # at once: no waiting for a debounce
    expect(page).to_have_url(step_url("review"))
    expect(page.get_by_text(typed, exact=True)).to_be_visible()
    expect(page.get_by_text("7", exact=True)).to_be_visible()


def test_next_checks_only_this_step_and_focuses_the_first_invalid_field(
    page: Page, wizard_app: ServerProcess
) -> None:
    open_wizard(page, wizard_app)
    expect_valid(field(page, "Job name"))  # nothing said before the user acts

    page.get_by_role("button", name="Next").click()

    expect_message(field(page, "Job name"), "Job name is required")
    expect_message(field(page, "Base model"), "Choose a base model")
    expect(field(page, "Job name")).to_be_focused()
    expect(page).to_have_url(step_url("setup"))

    field(page, "Job name").fill("enter-goes-next")
    choose_model(page, LLAMA_NAME)
    field(page, "Job name").press("Enter")
    expect(page).to_have_url(step_url("configure"))


def test_back_forward_and_reload_on_each_step(page: Page, wizard_app: ServerProcess) -> None:
    open_wizard(page, wizard_app)
    expect(page).to_have_url(step_url("setup"))
    complete_setup(page, "nav-job")
    field(page, "Learning rate").fill("1e-4")
    page.get_by_role("button", name="Next").click()
    expect(page).to_have_url(step_url("review"))

    page.reload()
    expect(page.get_by_role("heading", name="Review", level=2)).to_be_visible()
    expect(page.get_by_text("nav-job")).to_be_visible()

    page.go_back()
    expect(page).to_have_url(step_url("configure"))
    expect(field(page, "Learning rate")).to_have_value("1e-4")
    page.reload()
    expect(field(page, "Learning rate")).to_have_value("1e-4")

    page.go_back()
    expect(page).to_have_url(step_url("setup"))
    expect(field(page, "Job name")).to_have_value("nav-job")
    page.reload()
    expect(field(page, "Job name")).to_have_value("nav-job")
    expect(field(page, "Base model")).to_have_text(LLAMA_NAME)

    page.go_forward()
    expect(page).to_have_url(step_url("configure"))
    page.go_forward()
    expect(page).to_have_url(step_url("review"))
    expect(page.get_by_role("heading", name="Review", level=2)).to_be_visible()

    page.get_by_role("button", name="Back").click()
    expect(page).to_have_url(step_url("configure"))
    page.get_by_role("button", name="Back").click()
    expect(page).to_have_url(step_url("setup"))
    expect(page.get_by_role("button", name="Back")).to_have_count(0)


def test_review_shows_every_value_and_edit_links(page: Page, wizard_app: ServerProcess) -> None:
    open_wizard(page, wizard_app)
    complete_setup(page, "review-job", "QwQ 32B")
    set_epochs(page, "5", "2", "1")
    field(page, "Learning rate").fill("2e-4")
    page.get_by_role("button", name="Next").click()

    review = page.get_by_role("form")
    for label, value in [
        ("Job name", "review-job"),
        ("Base model", "QwQ 32B"),
        ("Epochs", "5"),
        ("Evaluation epochs", "2"),
        ("Warm-up epochs", "1"),
        ("Learning rate", "0.0002"),
    ]:
        expect(review.get_by_text(label, exact=True)).to_be_visible()
        expect(review.get_by_text(value, exact=True)).to_be_visible()

    page.get_by_role("link", name="Edit Configure").click()
    expect(page).to_have_url(re.compile(r"/jobs/new/?\?step=configure&return=review$"))
    expect(field(page, "Epochs")).to_have_value("5")
    field(page, "Epochs").fill("6")
    page.get_by_role("button", name="Back to review").click()  # straight back, not via Next
    expect(page).to_have_url(step_url("review"))
    expect(review.get_by_text("6", exact=True)).to_be_visible()
    page.get_by_role("link", name="Edit Set up").click()
    expect(page).to_have_url(re.compile(r"/jobs/new/?\?step=setup&return=review$"))
    expect(field(page, "Job name")).to_have_value("review-job")
    page.get_by_role("button", name="Back to review").click()
    expect(page).to_have_url(step_url("review"))


def test_a_link_to_a_later_step_opens_the_first_invalid_step(
    page: Page, wizard_app: ServerProcess
) -> None:
    open_wizard(page, wizard_app, "?step=review")

    expect(page).to_have_url(step_url("setup"))
    expect_message(field(page, "Job name"), "Job name is required")


def test_the_draft_survives_reload_closing_the_tab_and_leaving(
    browser: Browser, wizard_app: ServerProcess
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    open_wizard(page, wizard_app)
    complete_setup(page, "kept-draft")
    field(page, "Epochs").fill("7")
    field(page, "Learning rate").fill("abc")
    field(page, "Learning rate").blur()
    wait_for_draft_with(page, '"learningRate":"abc"')

    page.reload()
    expect(field(page, "Epochs")).to_have_value("7")
    expect_message(field(page, "Learning rate"), "Learning rate must be a number")

    page.close()  # the tab is gone; the browser (context) keeps its storage
    page = context.new_page()
    open_wizard(page, wizard_app)
    expect(page).to_have_url(step_url("configure"))
    expect(field(page, "Epochs")).to_have_value("7")
    expect(field(page, "Learning rate")).to_have_value("abc")

    # Leaving through an in-app link asks first; staying keeps the page.
    messages: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(step_url("configure"))
    assert len(messages) == 1
    assert "The job has not been created yet" in messages[0]

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Fine-tuning jobs")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New job").click()
    expect(field(page, "Epochs")).to_have_value("7")

    # Closing the tab with unsubmitted work gets the browser's own prompt.
    kinds: list[str] = []
    page.on("dialog", lambda dialog: (kinds.append(dialog.type), dialog.accept()))
    page.close(run_before_unload=True)
    page.wait_for_event("close")
    assert kinds == ["beforeunload"]
    context.close()


def test_start_over_clears_the_draft_and_can_restore_it(
    page: Page, wizard_app: ServerProcess
) -> None:
    open_wizard(page, wizard_app)
    complete_setup(page, "cleared-job")

    page.get_by_role("button", name="Start over").click()

    expect(page).to_have_url(step_url("setup"))
    expect(field(page, "Job name")).to_have_value("")
    expect(page.get_by_role("status").filter(has_text="The form was cleared.")).to_be_visible()
    page.wait_for_function(f"!localStorage.getItem({DRAFT_KEY!r})")

    page.get_by_role("button", name="Restore previous draft").click()
    expect(page).to_have_url(step_url("configure"))
    page.get_by_role("button", name="Back").click()
    expect(field(page, "Job name")).to_have_value("cleared-job")


# --- submitting --------------------------------------------------------------------------


def fill_valid_job(page: Page, app: ServerProcess, name: str, model: str = LLAMA_NAME) -> None:
    open_wizard(page, app)
    complete_setup(page, name, model)
    page.get_by_role("button", name="Next").click()
    expect(page).to_have_url(step_url("review"))


def test_submit_shows_the_job_on_the_dashboard_and_clears_the_draft(
    page: Page, wizard_app: ServerProcess, sandbox_api: httpx.Client
) -> None:
    fill_valid_job(page, wizard_app, "created-in-browser")
    page.wait_for_function(f"(localStorage.getItem({DRAFT_KEY!r}) || '').includes('review')")
    submitted = page.evaluate(f"localStorage.getItem({DRAFT_KEY!r})")

    page.get_by_role("button", name="Submit").click()

    expect(page.get_by_role("heading", name="Fine-tuning jobs")).to_be_visible()
    table = page.get_by_role("table", name="Jobs")
    expect(table.get_by_role("link", name="created-in-browser", exact=True)).to_be_visible()
    expect(page.get_by_text("Job created-in-browser created.")).to_be_visible()
    assert not stored_draft(page)
    assert len(jobs_named(sandbox_api, "created-in-browser")) == 1

    page.get_by_role("navigation", name="Main").get_by_role("link", name="New job").click()
    expect(page).to_have_url(step_url("setup"))
    expect(field(page, "Job name")).to_have_value("")

    # A submitted draft never comes back: not from a late write of the old draft (in this tab
    # or a new one, which starts a new server session), nor after the storage is cleared.
    for tab in (page.context.new_page(), page):
        page.evaluate("([key, value]) => localStorage.setItem(key, value)", [DRAFT_KEY, submitted])
        tab.goto(wizard_app.url + "/jobs/new?step=review")
        expect(tab).to_have_url(step_url("setup"))
        expect(field(tab, "Job name")).to_have_value("")
    page.evaluate("localStorage.clear()")
    page.reload()
    expect(page).to_have_url(step_url("setup"))
    expect(field(page, "Job name")).to_have_value("")


def test_double_click_on_submit_creates_one_job(
    page: Page, wizard_app: ServerProcess, sandbox_api: httpx.Client
) -> None:
    fill_valid_job(page, wizard_app, "clicked-twice")

    page.get_by_role("button", name="Submit").dblclick()

    table = page.get_by_role("table", name="Jobs")
    expect(table.get_by_role("link", name="clicked-twice", exact=True)).to_be_visible()
    expect(table.get_by_role("link", name="clicked-twice", exact=True)).to_have_count(1)
    assert len(jobs_named(sandbox_api, "clicked-twice")) == 1


def test_an_unforeseen_400_lands_under_its_field_on_its_step(
    page: Page, wizard_app: ServerProcess, sandbox_api: httpx.Client
) -> None:
    fill_valid_job(page, wizard_app, "refused-model-job", REFUSED_MODEL_NAME)

    page.get_by_role("button", name="Submit").click()

    expect(page).to_have_url(step_url("setup"))
    expect_message(field(page, "Base model"), REFUSED_MODEL_MESSAGE)
    expect(page.get_by_role("alert")).to_contain_text("see the messages under the fields")
    expect(field(page, "Job name")).to_have_value("refused-model-job")
    assert jobs_named(sandbox_api, "refused-model-job") == []

    choose_model(page, LLAMA_NAME)
    expect_valid(field(page, "Base model"))


# --- clone ---------------------------------------------------------------------------------


def test_clone_opens_the_wizard_with_the_jobs_settings(
    page: Page, wizard_app: ServerProcess, sandbox_api: httpx.Client
) -> None:
    source = next(
        j for j in sandbox_api.get("/jobs").json()["jobs"] if j["name"] == "math-tutor-qwq"
    )

    open_wizard(page, wizard_app, f"?clone={source['id']}")

    expect(page).to_have_url(step_url("setup"))
    expect(field(page, "Job name")).to_have_value("math-tutor-qwq-copy")
    expect(field(page, "Base model")).to_have_text("QwQ 32B")
    expect(page.get_by_text("Settings copied from job math-tutor-qwq.")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(field(page, "Epochs")).to_have_value("8")
    expect(field(page, "Evaluation epochs")).to_have_value("2")
    expect(field(page, "Warm-up epochs")).to_have_value("1")
    expect(field(page, "Learning rate")).to_have_value("0.0001")


def test_clone_of_an_unknown_job_says_so(page: Page, wizard_app: ServerProcess) -> None:
    open_wizard(page, wizard_app, "?clone=no-such-job")

    expect(
        page.get_by_role("status").filter(has_text="There is no job no-such-job")
    ).to_be_visible()
    expect(page).to_have_url(step_url("setup"))


# --- when no job can be created --------------------------------------------------------------


@pytest.fixture
def fill_workspace(sandbox_api: httpx.Client) -> Iterator[Callable[[int], None]]:
    """``fill_workspace(n)`` adds jobs until the demo workspace holds ``n``; all are
    deleted afterwards."""
    added: list[str] = []

    def fill(count: int) -> None:
        present = len(sandbox_api.get("/jobs").json()["jobs"])
        for number in range(present, count):
            body = {
                "name": f"filler-{number}",
                "baseModel": "Qwen/QwQ-32B",
                "epochs": 1,
                "evaluationEpochs": 0,
                "warmupEpochs": 0,
                "learningRate": 0.1,
            }
            response = sandbox_api.post("/jobs", json=body)
            assert response.status_code == 201, response.text
            added.append(response.json()["id"])

    yield fill
    for job_id in added:
        sandbox_api.delete(f"/jobs/{job_id}")


def test_a_full_workspace_is_said_at_once_and_submit_is_off(
    page: Page, wizard_app: ServerProcess, fill_workspace: Callable[[int], None]
) -> None:
    fill_workspace(MAX_JOBS_PER_WORKSPACE)

    open_wizard(page, wizard_app)

    banner = page.get_by_role("alert").filter(has_text="10 of 10 jobs")
    expect(banner).to_be_visible()
    expect(banner.get_by_role("link", name="Go to the dashboard to delete jobs")).to_be_visible()

    complete_setup(page, "one-too-many")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("button", name="Submit")).to_be_disabled()


def test_a_workspace_filled_meanwhile_is_said_by_the_wizard_itself(
    page: Page, wizard_app: ServerProcess, fill_workspace: Callable[[int], None]
) -> None:
    fill_workspace(MAX_JOBS_PER_WORKSPACE - 1)
    fill_valid_job(page, wizard_app, "one-job-too-late")
    expect(page.get_by_role("button", name="Submit")).to_be_enabled()

    fill_workspace(MAX_JOBS_PER_WORKSPACE)  # e.g. from another tab: the shared feed tells

    banner = page.get_by_role("alert").filter(has_text="10 of 10 jobs")
    expect(banner).to_be_visible(timeout=20_000)
    expect(banner.get_by_role("link", name="Go to the dashboard to delete jobs")).to_have_attribute(
        "href", "/w/default"
    )
    expect(page.get_by_role("button", name="Submit")).to_be_disabled()
    expect(page).to_have_url(step_url("review"))
    expect(page.get_by_text("one-job-too-late")).to_be_visible()


def test_the_wizard_at_1280_and_375_light_and_dark(page: Page, wizard_app: ServerProcess) -> None:
    """Screenshots of every step for a person to look at; at 375 px nothing scrolls sideways."""

    def shoot(name: str) -> None:
        page.screenshot(path=ARTIFACTS / f"wizard-{name}.png", full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px"

    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            open_wizard(page, wizard_app, "?step=setup")
            page.get_by_role("button", name="Next").click()  # messages on every field
            expect_message(field(page, "Job name"), "Job name is required")
            shoot(f"setup-{width}-{scheme}")
            complete_setup(page, "a-rather-long-job-name-for-a-screenshot-2024")
            field(page, "Epochs").fill("1")
            expect_message(field(page, "Evaluation epochs"), budget(1))
            shoot(f"configure-{width}-{scheme}")
            field(page, "Epochs").fill("3")
            page.get_by_role("button", name="Next").click()
            expect(page).to_have_url(step_url("review"))
            shoot(f"review-{width}-{scheme}")
            page.get_by_role("button", name="Start over").click()
            expect(page).to_have_url(step_url("setup"))
            page.get_by_role("button", name="Dismiss").click()
            expect(page.get_by_role("status").filter(has_text="cleared")).to_have_count(0)


# --- a read-only key (another app configuration: last in this module) ----------------------


def test_a_read_only_key_is_told_before_typing_and_submit_is_off(
    page: Page, app_servers: AppServers, wizard_db: Path
) -> None:
    app = app_servers.get({"FT_SANDBOX_DB": str(wizard_db), "FT_API_KEY": "sandbox-readonly-key"})

    open_wizard(page, app)

    expect(page.get_by_role("alert").filter(has_text="may not create jobs")).to_be_visible()
    complete_setup(page, "read-only-job")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("button", name="Submit")).to_be_disabled()
