"""Comparing recorded jobs and the history's charts in a real browser: records written
straight into the running app's database, two chosen and compared (the differing settings
marked in text), a fifth choice refused, the charts drawn with their text alternatives, and
the compare table on a phone scrolling within itself."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser import ARTIFACTS, wait_until_live
from tests.helpers.history_records import DAY, MISTRAL, T0, Recorded, insert
from tests.helpers.servers import ServerProcess

DURATION_CHART = "Average run time against epochs, per model"
OUTCOME_CHART = "Finished jobs by learning rate"


@pytest.fixture
def prefix(sandbox_app: ServerProcess) -> str:
    """Six jobs of this test's own (name prefix), with settings that differ."""
    tag = "c" + uuid.uuid4().hex[:6]
    insert(
        sandbox_app.db_url,
        [
            Recorded(
                f"{tag}-0001",
                f"{tag}-short",
                created_at=T0,
                created_by="bob",
                run_seconds=600,
                settings={"epochs": 2, "learningRate": 0.0001},
            ),
            Recorded(
                f"{tag}-0002",
                f"{tag}-long",
                "Failed",
                MISTRAL,
                T0 + DAY,
                run_seconds=2460,
                settings={"epochs": 8, "learningRate": 0.02},
            ),
            *[
                Recorded(
                    f"{tag}-000{n}",
                    f"{tag}-more-{n}",
                    created_at=T0 + n * DAY,
                    run_seconds=300 * n,
                    settings={"epochs": n},
                )
                for n in range(3, 7)
            ],
        ],
    )
    return tag


def open_history(page: Page, app: ServerProcess, query: str) -> None:
    page.goto(app.url + "/history" + query)
    expect(page.get_by_role("heading", name="History", exact=True)).to_be_visible()
    wait_until_live(page)


def compare_table(page: Page):
    return page.get_by_role("table", name="Compared jobs")


def row(page: Page, label: str):
    return (
        compare_table(page)
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=re.compile(rf"^{label}\s*(differs)?$")))
    )


def test_two_chosen_jobs_side_by_side_with_the_differences_marked(
    page: Page, sandbox_app: ServerProcess, prefix: str
) -> None:
    open_history(page, sandbox_app, f"?q={prefix}")
    compare = page.get_by_role("button", name=re.compile(r"^Compare \(\d\)$"))
    expect(compare).to_have_text("Compare (0)")
    expect(compare).to_be_disabled()
    page.get_by_role("checkbox", name=f"Select {prefix}-short").click()
    expect(compare).to_be_disabled()  # one job is not a comparison
    page.get_by_role("checkbox", name=f"Select {prefix}-long").click()
    expect(compare).to_have_text("Compare (2)")
    expect(compare).to_be_enabled()
    compare.click()

    expect(page).to_have_url(re.compile(rf"/history/compare\?ids={prefix}-0001,{prefix}-0002$"))
    expect(page.get_by_role("heading", name="Compare jobs")).to_be_visible()
    table = compare_table(page)
    expect(table.get_by_role("columnheader").get_by_role("link")).to_have_text(
        [f"{prefix}-short", f"{prefix}-long"]
    )
    expect(row(page, "Epochs")).to_contain_text("differs")
    expect(row(page, "Epochs")).to_contain_text("2")
    expect(row(page, "Epochs")).to_contain_text("8")
    expect(row(page, "Status")).to_contain_text("differs")
    expect(row(page, "Duration")).to_contain_text("took 10 min")
    expect(row(page, "Duration")).to_contain_text("took 41 min")
    expect(row(page, "Warm-up epochs")).not_to_contain_text("differs")
    expect(page.get_by_text(re.compile(r"^\d+ of \d+ rows differ\.$"))).to_be_visible()
    page.screenshot(path=ARTIFACTS / "history-compare-1280-light.png", full_page=True)

    only = page.get_by_role("switch", name="Show only the rows that differ")
    only.click()
    expect(only).to_be_checked()
    expect(row(page, "Warm-up epochs")).to_be_hidden()
    expect(row(page, "Epochs")).to_be_visible()
    shown = table.locator("tbody tr:visible")
    differing = int(page.get_by_text(re.compile(r"rows differ")).inner_text().split()[0])
    expect(shown).to_have_count(differing)
    only.click()
    expect(row(page, "Warm-up epochs")).to_be_visible()

    page.set_viewport_size({"width": 375, "height": 800})
    expect(row(page, "Epochs")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "history-compare-375-light.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375 px screen"
    region = page.get_by_role("region", name="Compared jobs, scrolls sideways")
    scrolls = (
        "region => [region, ...region.querySelectorAll('*')].some((element) =>"
        " element.scrollWidth > element.clientWidth + 1"
        " && ['auto', 'scroll'].includes(getComputedStyle(element).overflowX))"
    )
    assert region.evaluate(scrolls), "the compare table does not scroll within itself"

    table.get_by_role("link", name=f"{prefix}-long").click()
    expect(page).to_have_url(re.compile(rf"/jobs/{prefix}-0002$"))


def test_a_fifth_job_is_refused_with_a_message(
    page: Page, sandbox_app: ServerProcess, prefix: str
) -> None:
    open_history(page, sandbox_app, f"?q={prefix}")
    for name in ("short", "long", "more-3", "more-4"):
        page.get_by_role("checkbox", name=f"Select {prefix}-{name}").click()
    compare = page.get_by_role("button", name="Compare (4)")
    expect(compare).to_be_enabled()
    fifth = page.get_by_role("checkbox", name=f"Select {prefix}-more-5")
    fifth.click()
    expect(page.get_by_role("alert").filter(has_text="at most 4 jobs")).to_be_visible()
    expect(fifth).not_to_be_checked()
    expect(compare).to_be_enabled()
    page.get_by_role("checkbox", name=f"Select {prefix}-short").click()
    expect(page.get_by_role("button", name="Compare (3)")).to_be_enabled()


def test_a_link_with_unknown_ids_names_them(page: Page, sandbox_app: ServerProcess) -> None:
    page.goto(sandbox_app.url + "/history/compare?ids=no-such-job,nor-this-one")
    expect(
        page.get_by_text(re.compile("No recorded job has these ids: no-such-job"))
    ).to_be_visible()
    expect(compare_table(page)).to_have_count(0)


def test_the_charts_are_drawn_with_text_alternatives(
    page: Page, sandbox_app: ServerProcess, prefix: str
) -> None:
    open_history(page, sandbox_app, f"?q={prefix}")
    duration = page.get_by_role("img", name=DURATION_CHART)
    outcome = page.get_by_role("img", name=OUTCOME_CHART)
    expect(duration.locator("svg").first).to_be_visible()
    expect(outcome.locator("svg").first).to_be_visible()
    expect(duration.locator(".recharts-scatter-symbol").first).to_be_attached()
    expect(outcome.locator(".recharts-bar-rectangle").first).to_be_attached()
    described = duration.get_attribute("aria-describedby")
    summary = page.locator(f"#{described}")
    expect(summary).to_contain_text("Average run time by epochs, 6 finished jobs, 2 models")
    data = page.get_by_role("table", name=f"{DURATION_CHART} (data)")
    expect(data.get_by_role("row")).to_have_count(1 + 6)  # a header, a row per epoch count
    outcomes = page.get_by_role("table", name=f"{OUTCOME_CHART} (data)")
    expect(outcomes.get_by_role("row", name=re.compile("0.01 to 0.1"))).to_contain_text("1")
    page.get_by_role("img", name=DURATION_CHART).scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "history-charts-1280-light.png", full_page=True)

    page.get_by_role("combobox", name="Filter by status").click()
    page.get_by_role("option", name="Failed").click()
    expect(page.locator("#history-outcome-summary")).to_have_text(
        "Finished jobs by learning rate. 0.01 to 0.1: 0 completed, 1 failed."
    )

    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_role("combobox", name="Filter by status").click()
    page.get_by_role("option", name="All statuses").click()
    expect(page.get_by_role("img", name=DURATION_CHART).locator("svg").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "history-charts-375-light.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375 px screen"
