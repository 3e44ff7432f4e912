"""Where a dashboard navigation's time goes, measured inside the page.

Each navigation records, on the page's own clock (``performance.now()``, 0 = navigation
start): the HTML's arrival, DOMContentLoaded, the WebSocket's creation and opening, the
hydrate event's departure, the first message back, the moment the summary's "Total" shows a
number and the first row's link is in the table (the data on screen), and the main thread's
long tasks before that. Cold = a new browser context (empty cache), warm = a reload in it.

    .venv/bin/python bench/first_data.py [--repeats 9] [--out bench/first_data.md]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dashboard import browser_version
from bench.report import machine, publish
from bench.signin import signed_in_context
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.servers import SandboxLauncher, ServerProcess, start_app

# Installed before the page's own scripts: timestamps on the page's clock in window.__ft.
TIMELINE_PROBE = """
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
        if (String(event.data).startsWith("42")) mark("firstEvent");
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
  const dataShown = () => {
    const total = document.querySelector('[role="group"][aria-label="Total"]');
    const row = [...document.querySelectorAll("table")]
      .find((table) => table.caption && table.caption.textContent === "Jobs")
      ?.querySelector("tbody a");
    return total && /[1-9]/.test(total.textContent) && row;
  };
  new MutationObserver(() => { if (dataShown()) mark("dataShown"); })
    .observe(document, { subtree: true, childList: true, characterData: true });
})();
"""

PHASES = (
    ("responseEnd", "HTML received"),
    ("domContentLoaded", "DOMContentLoaded (scripts run)"),
    ("socketCreated", "WebSocket created"),
    ("socketOpen", "WebSocket open"),
    ("hydrateSent", "hydrate sent"),
    ("firstEvent", "first event back"),
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


def timelines(app: ServerProcess, repeats: int) -> tuple[list[dict], list[dict]]:
    """``repeats`` cold navigations (each in a new context) and a warm reload after each."""
    cold, warm = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        navigate_once = signed_in_context(browser, app).new_page()  # the build's first touch
        navigate_once.add_init_script(TIMELINE_PROBE)
        navigate(navigate_once, app.url + "/", reload=False)
        navigate_once.context.close()
        for _ in range(repeats):
            context = signed_in_context(browser, app)
            context.add_init_script(TIMELINE_PROBE)
            page = context.new_page()
            cold.append(navigate(page, app.url + "/", reload=False))
            warm.append(navigate(page, app.url + "/", reload=True))
            context.close()
        browser.close()
    return cold, warm


def median_row(label: str, key: str, cold: list[dict], warm: list[dict]) -> str:
    def median(runs: list[dict]) -> str:
        values = [run[key] for run in runs if key in run]
        return f"{statistics.median(values):.0f} ms" if values else "-"

    return f"| {label} | {median(cold)} | {median(warm)} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--url", help="measure an app already running with the tests' access token instead"
    )
    args = parser.parse_args()
    if args.url:
        running = ServerProcess(process=None, url=args.url.rstrip("/"), log_path=Path(os.devnull))
        cold, warm = timelines(running, args.repeats)
        publish(report(args.repeats, cold, warm), args.out)
        return

    workdir = Path(tempfile.mkdtemp(prefix="ftapp-bench-"))
    print(f"logs in {workdir}", file=sys.stderr)
    launcher = SandboxLauncher(workdir)
    sandbox = launcher(speed=10.0)
    app = start_app(
        {"FT_API_BASE_URL": sandbox.api_url, "FT_API_KEY": "sandbox-demo-key"},
        workdir / "app.log",
    )
    try:
        cold, warm = timelines(app, args.repeats)
    finally:
        app.stop()
        launcher.stop_all()

    publish(report(args.repeats, cold, warm), args.out)


def report(repeats: int, cold: list[dict], warm: list[dict]) -> str:
    lines = [
        machine(browser_version()),
        "",
        f"Medians of {repeats} navigations, on the page's clock (0 = navigation start).",
        "",
        "| Phase | Cold (new context) | Warm (reload) |",
        "| --- | --- | --- |",
        *(median_row(label, key, cold, warm) for key, label in PHASES),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
