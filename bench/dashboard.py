"""Dashboard benchmark: time to the summary numbers, freshness, and upstream load per tab.

Runs the real app (production build) against a standalone sandbox on loopback, drives
headless Chromium, and prints a Markdown table (also written with --out). Figures are
medians of repeated runs; compare them as ratios within one run, not across machines.

    .venv/bin/python bench/dashboard.py [--repeats 7] [--window 30] [--out bench/dashboard.md]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from playwright.sync_api import Browser, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.apps import app_on_a_sandbox
from bench.report import machine, publish
from bench.signin import signed_in_context
from ftapp.sandbox.lifecycle import simulated_duration
from ftapp.settings import SANDBOX_DEMO_KEY
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS
from tests.helpers.servers import ServerProcess

DEMO_KEY = {"x-api-key": SANDBOX_DEMO_KEY}
NUMBER = re.compile(r"^[1-9]\d*$")


def summary_visible_ms(
    browser: Browser, app: ServerProcess, repeats: int
) -> tuple[list[float], list[float]]:
    """Navigation start -> the "Total" card shows a number and the first row is in the table:
    cold (a new context: empty cache) and warm (a reload in the same context)."""
    cold, warm = [], []
    for _ in range(repeats):
        context = signed_in_context(browser, app)
        page = context.new_page()
        for bucket in (cold, warm):
            start = time.perf_counter()
            page.goto(app.url + "/", wait_until="commit")
            page.get_by_role("group", name="Total", exact=True).get_by_text(NUMBER).wait_for()
            page.get_by_role("table", name="Jobs").get_by_role("link").first.wait_for()
            bucket.append((time.perf_counter() - start) * 1000)
        context.close()
    return cold, warm


def freshness_ms(
    browser: Browser, app: ServerProcess, api_url: str, speed: float, runs: int
) -> list:
    """Sandbox status change (computed from the job's stored times) -> badge change in the DOM."""
    delays = []
    page = signed_in_context(browser, app).new_page()
    page.goto(app.url + "/")
    page.get_by_role("table", name="Jobs").wait_for()
    with httpx.Client(base_url=api_url, headers=DEMO_KEY, timeout=10) as api:
        for index in range(runs):
            body = {
                "name": f"fresh-{index}",
                "baseModel": "meta-llama/Llama-3.1-8B-Instruct",
                "epochs": 1,
                "evaluationEpochs": 0,
                "warmupEpochs": 0,
                "learningRate": 0.0001,
            }
            job = api.post("/jobs", json=body).json()
            created = time.time()  # the sandbox stores its own clock's time; same machine
            changes_at = created + simulated_duration(job["id"], 1) / speed
            row = page.get_by_role("row").filter(has=page.get_by_role("link", name=body["name"]))
            row.get_by_text("Running").wait_for(timeout=30_000)
            row.get_by_text("Running").wait_for(state="detached", timeout=60_000)
            delays.append((time.time() - changes_at) * 1000)
            api.delete(f"/jobs/{job['id']}")
    page.close()
    return delays


def polls_per_minute(
    browser: Browser, app: ServerProcess, api_url: str, tabs: int, window: float
) -> float:
    """Upstream GET /jobs per minute while ``tabs`` dashboards are open (a job is running, so
    the poller uses its fastest interval)."""
    context = signed_in_context(browser, app)
    for _ in range(tabs):
        page = context.new_page()
        page.goto(app.url + "/")
        page.get_by_role("table", name="Jobs").wait_for()
    time.sleep(2)
    before = _list_jobs_count(api_url)
    time.sleep(window)
    after = _list_jobs_count(api_url)
    context.close()
    time.sleep(1)
    return (after - before) * 60 / window


def _start_a_long_job(api_url: str) -> None:
    body = {
        "name": "long-runner",
        "baseModel": "meta-llama/Llama-3.1-8B-Instruct",
        "epochs": 1000,  # the rules allow at most 1,000
        "evaluationEpochs": 0,
        "warmupEpochs": 0,
        "learningRate": 0.0001,
    }
    httpx.post(api_url + "/jobs", json=body, headers=DEMO_KEY, timeout=10).raise_for_status()


def _list_jobs_count(api_url: str) -> int:
    stats = httpx.get(api_url + "/_sandbox/stats", headers=DEMO_KEY, timeout=5).json()
    return stats["requests"].get("list_jobs", 0)


def browser_version() -> str:
    return subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--fresh-runs", type=int, default=5)
    parser.add_argument("--window", type=float, default=30.0, help="seconds per load window")
    parser.add_argument("--speed", type=float, default=10.0, help="sandbox time factor")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    with app_on_a_sandbox(args.speed) as (app, sandbox), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        cold, warm = summary_visible_ms(browser, app, args.repeats)
        fresh = freshness_ms(browser, app, sandbox.api_url, args.speed, args.fresh_runs)
        _start_a_long_job(sandbox.api_url)
        load = {
            n: polls_per_minute(browser, app, sandbox.api_url, n, args.window) for n in (1, 5, 20)
        }
        browser.close()

    lines = [
        machine(browser_version()),
        "",
        "| Measure | Median | Runs |",
        "| --- | --- | --- |",
        f"| Navigation -> summary and first row visible, cold (new browser context) | "
        f"{statistics.median(cold):.0f} ms | {len(cold)} |",
        f"| Navigation -> summary and first row visible, warm (same context) | "
        f"{statistics.median(warm):.0f} ms | {len(warm)} |",
        f"| Freshness: sandbox status change -> badge change in the DOM | "
        f"{statistics.median(fresh):.0f} ms (max {max(fresh):.0f}) | {len(fresh)} |",
    ]
    for tabs, per_minute in load.items():
        lines.append(
            f"| Upstream GET /jobs per minute, {tabs} dashboard tab{'s' if tabs > 1 else ''} | "
            f"{per_minute:.1f} | 1 window of {args.window:.0f} s |"
        )
    publish("\n".join(lines), args.out)


if __name__ == "__main__":
    main()
