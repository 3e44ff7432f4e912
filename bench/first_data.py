"""Where a dashboard navigation's time goes, measured inside the page.

Each navigation records, on the page's own clock (``performance.now()``, 0 = navigation
start): the HTML's arrival, DOMContentLoaded, the WebSocket's creation and opening, the
hydrate event's departure, the first message back, the moment the summary's "Total" shows a
number and the first row's link is in the table (the data on screen), and the main thread's
long tasks before that. Cold = a new browser context (empty cache), warm = a reload in it.

    .venv/bin/python bench/first_data.py [--repeats 9] [--out bench/first_data.md]
    .venv/bin/python bench/first_data.py --url BEFORE --url AFTER  # apps of bench/serve.py
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.apps import app_on_a_sandbox, running_app
from bench.dashboard import browser_version
from bench.report import machine, publish
from bench.signin import signed_in_context
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS
from tests.helpers.servers import ServerProcess

DASHBOARD_SHOWN = """() => {
    const total = document.querySelector('[role="group"][aria-label="Total"]');
    const row = [...document.querySelectorAll("table")]
      .find((table) => table.caption && table.caption.textContent === "Jobs")
      ?.querySelector("tbody a");
    return total && /[1-9]/.test(total.textContent) && row;
  }"""
"""The dashboard's data on screen: the summary's "Total" shows a number and the first row's
link is in the table."""


def timeline_probe(data_shown: str = DASHBOARD_SHOWN, rows_key: str = "visible_rows") -> str:
    """A script installed before the page's own: timestamps on the page's clock in
    ``window.__ft``; ``dataShown`` once the JavaScript function ``data_shown`` is true,
    ``dataReceived`` at the first message naming ``rows_key``."""
    return _PROBE.replace("DATA_SHOWN", data_shown).replace("ROWS_KEY", rows_key)


_PROBE = """
(() => {
  const marks = (window.__ft = { longTasks: [] });
  const mark = (name) => { if (!(name in marks)) marks[name] = performance.now(); };
  const NativeSocket = window.WebSocket;
  class ProbedSocket extends NativeSocket {
    constructor(...args) {
      super(...args);
      mark("socketCreated");
      this.addEventListener("open", () => mark("socketOpen"));
      this.addEventListener("message", (event) => {
        const text = String(event.data);
        if (text.startsWith("42")) mark("firstEvent");
        if (text.includes("ROWS_KEY")) mark("dataReceived");
      });
    }
    send(data) {
      if (String(data).includes("hydrate")) mark("hydrateSent");
      return super.send(data);
    }
  }
  window.WebSocket = ProbedSocket;
  new PerformanceObserver((list) => {
    for (const task of list.getEntries()) marks.longTasks.push([task.startTime, task.duration]);
  }).observe({ type: "longtask", buffered: true });
  const dataShown = DATA_SHOWN;
  new MutationObserver(() => { if (dataShown()) mark("dataShown"); })
    .observe(document, { subtree: true, childList: true, characterData: true });
})();
"""
TIMELINE_PROBE = timeline_probe()
"""The dashboard's probe."""

SETTLE_MS = 1000
"""Before a warm reload: the cold load's leftovers (the browser caching compiled scripts,
effects after the data) are done, as when a person reloads a page they have been reading."""

PHASES = (
    ("responseEnd", "HTML received"),
    ("domContentLoaded", "DOMContentLoaded (scripts run)"),
    ("socketCreated", "WebSocket created"),
    ("socketOpen", "WebSocket open"),
    ("hydrateSent", "hydrate sent"),
    ("firstEvent", "first event back"),
    ("dataReceived", "the rows received"),
    ("dataShown", "summary and first row on screen"),
    ("longTaskMs", "long tasks before the data (sum)"),
)


def navigate(page: Page, url: str, *, reload: bool) -> dict[str, float]:
    """One navigation; its timeline in milliseconds from navigation start."""
    if reload:
        page.reload(wait_until="commit")
    else:
        page.goto(url, wait_until="commit")
    page.wait_for_function("window.__ft && window.__ft.dataShown", timeout=30_000)
    marks = page.evaluate(
        """() => {
          const nav = performance.getEntriesByType("navigation")[0];
          const { longTasks, ...rest } = window.__ft;
          const before = longTasks.filter(([start]) => start < rest.dataShown);
          return { ...rest, responseEnd: nav.responseEnd,
                   domContentLoaded: nav.domContentLoadedEventEnd,
                   longTaskMs: before.reduce((sum, [, duration]) => sum + duration, 0) };
        }"""
    )
    return {key: float(value) for key, value in marks.items()}


def timelines(
    apps: list[ServerProcess],
    repeats: int,
    pause: float = 0.0,
    *,
    path: str = "/",
    probe: str = TIMELINE_PROBE,
) -> dict[int, tuple[list, list]]:
    """Per app (by position: one app may be given twice, as a control): ``repeats`` cold
    navigations (each in a new context) and a warm reload after each, the apps taking turns
    in every round, in a shuffled order (so drift in the machine's load, and whatever the
    previous page left behind, hit all alike); ``pause`` seconds with no page
    open before each cold navigation (longer than the app's poll interval: every cold
    navigation is then a first visit after a quiet spell). The page at ``path``, its data
    on screen as ``probe`` says (the dashboard by default)."""
    runs: dict[int, tuple[list, list]] = {number: ([], []) for number in range(len(apps))}
    shuffler = random.Random(len(apps) * 1000 + repeats)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for round_number in range(repeats + 1):
            order = list(enumerate(apps))
            shuffler.shuffle(order)  # no app always follows the same one (or the idle gap)
            for number, app in order:
                time.sleep(pause)
                context = signed_in_context(browser, app)
                context.add_init_script(probe)
                page = context.new_page()
                cold = navigate(page, app.url + path, reload=False)
                page.wait_for_timeout(SETTLE_MS)  # as a person reloads: not mid-load
                warm = navigate(page, app.url + path, reload=True)
                context.close()
                if round_number:  # round 0 only warms the builds and the servers up
                    runs[number][0].append(cold)
                    runs[number][1].append(warm)
        browser.close()
    return runs


def median_of(runs: list[dict], key: str) -> str:
    values = [run[key] for run in runs if key in run]
    return f"{statistics.median(values):.0f} ms" if values else "-"


def paired_ratio(base: list[dict], other: list[dict]) -> str:
    """Median over rounds of other/base time to data, and how often other was faster."""
    ratios = [b["dataShown"] / a["dataShown"] for a, b in zip(base, other, strict=True)]
    wins = sum(ratio < 1 for ratio in ratios)
    return f"{statistics.median(ratios):.2f} (faster in {wins} of {len(ratios)})"


def report(repeats: int, runs: dict[int, tuple[list, list]], labels: list[str]) -> str:
    lines = [
        machine(browser_version()),
        "",
        f"Medians of {repeats} navigations per app, on the page's clock (0 = navigation "
        "start); cold = a new browser context, warm = a reload in it.",
        "",
        "| Phase | " + " | ".join(f"{label} cold | {label} warm" for label in labels) + " |",
        "| --- |" + " --- | --- |" * len(labels),
    ]
    for key, phase in PHASES:
        cells = [f"{median_of(cold, key)} | {median_of(warm, key)}" for cold, warm in runs.values()]
        lines.append(f"| {phase} | " + " | ".join(cells) + " |")
    if len(runs) > 1:
        (base_cold, base_warm), *others = runs.values()
        lines += ["", f"Time to data against {labels[0]}, per round (paired):", ""]
        for label, (cold, warm) in zip(labels[1:], others, strict=True):
            lines.append(
                f"- {label}: cold {paired_ratio(base_cold, cold)}, "
                f"warm {paired_ratio(base_warm, warm)}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--url",
        action="append",
        default=[],
        help="an app already running with the tests' access token (bench/serve.py); give "
        "several to compare them, the first as the baseline",
    )
    parser.add_argument("--label", action="append", default=[], help="a name per --url")
    parser.add_argument(
        "--pause", type=float, default=0.0, help="seconds with no page open before each cold run"
    )
    args = parser.parse_args()

    if args.url:
        apps = [running_app(url) for url in args.url]
        labels = args.label if len(args.label) == len(apps) else [app.url for app in apps]
        runs = timelines(apps, args.repeats, args.pause)
        publish(report(args.repeats, runs, labels), args.out)
        return

    with app_on_a_sandbox() as (app, _sandbox):
        runs = timelines([app], args.repeats, args.pause)
    publish(report(args.repeats, runs, ["this commit"]), args.out)


if __name__ == "__main__":
    main()
