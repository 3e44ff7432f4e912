"""Benchmark the create-job wizard in headless Chromium against the embedded sandbox.

- Keystroke to message: with a valid job name typed, one more key makes it invalid; the time
  from that key's ``keydown`` to the field's message in the page (and, for the way back,
  from Backspace until the message is gone).
- Submit to dashboard: from the click on Submit until the new job's row is on the dashboard.

Times are taken inside the page (``performance.now()``, a MutationObserver), so Playwright's
own round trips are not counted. Run it alone (it starts the app in production mode, as the
browser tests do, and they share the ``.web`` build):

    .venv/bin/python bench/wizard_latency.py [--runs 30] [--submits 15]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.signin import signed_in_context
from tests.helpers.servers import PROJECT_ROOT, SANDBOX_DRIVER_KEY, ServerProcess, start_app

CHROMIUM = os.environ.get("FT_CHROMIUM", "/usr/bin/chromium")
INVALID_NAME_MESSAGE = "Job name may contain only letters, digits and dashes"

_WATCH_MESSAGE = """
([controlId, expected]) => {
  window.__benchStop?.();
  const input = document.getElementById(controlId);
  const bench = (window.__bench = {keys: []});
  const onKey = () => { bench.keys.push(performance.now()); };
  const check = () => {
    const message = document.getElementById(controlId + "-message");
    const now = performance.now();
    if (message && message.textContent.includes(expected)) {
      if (bench.shownAt === undefined) bench.shownAt = now;
    } else if (bench.shownAt !== undefined && bench.goneAt === undefined) {
      bench.goneAt = now;
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
  input.addEventListener("keydown", onKey, true);
  window.__benchStop = () => {
    observer.disconnect();
    input.removeEventListener("keydown", onKey, true);
  };
}
"""

_WATCH_ROW = """
(jobName) => {
  const bench = (window.__bench = {});
  const submit = [...document.querySelectorAll("button")].find(
    (b) => b.textContent.trim() === "Submit");
  submit.addEventListener("click", () => { bench.clickedAt = performance.now(); }, true);
  const observer = new MutationObserver(() => {
    const links = document.querySelectorAll("table a");
    if ([...links].some((a) => a.textContent === jobName)) {
      bench.rowAt = performance.now();
      observer.disconnect();
    }
  });
  // React may reuse the table's rows and only change their text: watch both.
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
}
"""


def median_report(label: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return (
        f"| {label} | {len(samples)} | {statistics.median(samples):.0f} ms | {p90:.0f} ms | "
        f"{ordered[0]:.0f} ms | {ordered[-1]:.0f} ms |"
    )


def keystroke_latencies(page: Page, app: ServerProcess, runs: int) -> tuple[list, list]:
    """``runs`` samples of key -> message shown, and Backspace -> message gone (ms)."""
    page.goto(app.url + "/jobs/new")
    name = page.get_by_label("Job name", exact=True)
    name.fill("bench-job")
    name.blur()
    name.focus()
    page.keyboard.press("End")
    shown, gone = [], []
    for run in range(runs + 3):  # three warm-up rounds first
        page.evaluate(_WATCH_MESSAGE, ["job-name", INVALID_NAME_MESSAGE])
        page.keyboard.press("_")
        page.wait_for_function("window.__bench.shownAt !== undefined")
        page.keyboard.press("Backspace")
        page.wait_for_function("window.__bench.goneAt !== undefined")
        bench = page.evaluate("window.__bench")
        if run >= 3:
            typed, erased = bench["keys"][0], bench["keys"][1]
            shown.append(bench["shownAt"] - typed)
            gone.append(bench["goneAt"] - erased)
    return shown, gone


def submit_latencies(page: Page, app: ServerProcess, runs: int) -> list[float]:
    """``runs`` samples of Submit click -> the new job's row on the dashboard (ms)."""
    samples = []
    api = httpx.Client(base_url=app.url + "/sandbox/api", headers={"x-api-key": SANDBOX_DRIVER_KEY})
    for run in range(runs + 1):  # one warm-up round first
        job_name = f"bench-submit-{run}"
        page.goto(app.url + "/jobs/new?step=setup")
        page.get_by_label("Job name", exact=True).fill(job_name)
        page.get_by_label("Base model", exact=True).click()
        page.get_by_role("option", name="QwQ 32B").click()
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_role("heading", name="Configure")).to_be_visible()
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_role("button", name="Submit")).to_be_enabled()
        page.evaluate(_WATCH_ROW, job_name)
        page.get_by_role("button", name="Submit").click()
        page.wait_for_function("window.__bench.rowAt !== undefined")
        bench = page.evaluate("window.__bench")
        if run >= 1:
            samples.append(bench["rowAt"] - bench["clickedAt"])
        for job in api.get("/jobs").json()["jobs"]:  # stay under the 10-job limit
            if job["name"] == job_name:
                api.delete(f"/jobs/{job['id']}")
    api.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="keystroke samples")
    parser.add_argument("--submits", type=int, default=15, help="submit samples")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        app = start_app(
            {"FT_SANDBOX_DB": str(Path(tmp) / "sandbox.db")},
            PROJECT_ROOT / "test-artifacts" / "bench-app.log",
        )
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
                )
                context = signed_in_context(browser, app, viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.set_default_timeout(15_000)
                shown, gone = keystroke_latencies(page, app, args.runs)
                submits = submit_latencies(page, app, args.submits)
                chromium_version = browser.version
                browser.close()
        finally:
            app.stop()

    print(f"Machine: {os.cpu_count()} cores (nproc), {platform.platform()}")
    print(f"Python {platform.python_version()}, Chromium {chromium_version} (headless)")
    print()
    print("| Measure | Runs | Median | p90 | Min | Max |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(median_report("Keystroke to message shown", shown))
    print(median_report("Keystroke to message gone", gone))
    print(median_report("Submit click to row on the dashboard", submits))


if __name__ == "__main__":
    main()
