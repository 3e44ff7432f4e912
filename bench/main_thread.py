"""Where the browser's main thread goes during a cold dashboard load, by phase and script.

For each cold navigation (a new browser context), Chromium's sampling profiler runs from
the navigation until the data is on screen; its samples are split into three phases on the
page's clock (``bench/first_data.py``'s marks): before DOMContentLoaded (HTML, CSS, scripts),
from there to the hydrate's departure (React hydrating the page), and from the rows' arrival
to their commit (React rendering them). In each, the time per script (content hash dropped),
"(program)" (the browser's own work: parsing, style, layout, paint), the garbage collector
and idle time. A React DevTools hook counts the component tree's fibers at each commit: the
page as hydrated and with its data.

    .venv/bin/python bench/main_thread.py [--repeats 6] [--url URL]  # URL: bench/serve.py
"""

from __future__ import annotations

import argparse
import collections
import re
import statistics
import sys
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.apps import app_on_a_sandbox, running_app
from bench.dashboard import browser_version
from bench.first_data import TIMELINE_PROBE
from bench.report import machine, publish
from bench.signin import signed_in_context
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS
from tests.helpers.servers import ServerProcess

# React calls a DevTools hook on every commit, production builds included.
FIBER_PROBE = """
window.__ftCommits = [];
window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
  supportsFiber: true, renderers: new Map(),
  inject(renderer) { this.renderers.set(1, renderer); return 1; },
  checkDCE() {}, onScheduleFiberRoot() {}, onCommitFiberUnmount() {}, onPostCommitFiberRoot() {},
  onCommitFiberRoot(_id, root) {
    let fibers = 0;
    const walk = (fiber) => {
      for (; fiber; fiber = fiber.sibling) { fibers++; walk(fiber.child); }
    };
    walk(root.current.child);
    window.__ftCommits.push([performance.now(), fibers]);
  },
};
"""

PHASES = {
    "before DOMContentLoaded": ("navigationStart", "domContentLoaded"),
    "DOMContentLoaded to hydrate sent": ("domContentLoaded", "hydrateSent"),
    "rows received to rows on screen": ("dataReceived", "dataShown"),
}
BROWSER_WORK = {"(program)", "(garbage collector)", "(idle)"}


def script_name(url: str, function: str) -> str:
    """A sample's script without its content hash ("entry.client"), or the browser's work."""
    if function in BROWSER_WORK:
        return function
    name = url.rsplit("/", 1)[-1]
    return re.sub(r"-[\w-]{8}\.js$", "", name) or "(browser and page scripts)"


def profile_once(browser: Browser, app: ServerProcess) -> tuple[dict, dict, list]:
    """One cold load: {phase: {script: ms}}, the page's marks, and [time, fibers] per commit."""
    context = signed_in_context(browser, app)
    context.add_init_script(TIMELINE_PROBE + FIBER_PROBE)
    page = context.new_page()
    page.goto(app.url + "/favicon.ico")  # the page's renderer, so the profiler follows it
    cdp = context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 100})
    cdp.send("Profiler.start")
    page.goto(app.url + "/", wait_until="commit")
    page.wait_for_function("window.__ft && window.__ft.dataShown", timeout=30_000)
    marks = page.evaluate(
        """() => ({ ...window.__ft, longTasks: undefined, navigationStart: 0,
             domContentLoaded: performance.getEntriesByType("navigation")[0]
               .domContentLoadedEventStart })"""
    )
    page_now = page.evaluate("performance.now()")
    profile = cdp.send("Profiler.stop")["profile"]
    commits = page.evaluate("window.__ftCommits")
    context.close()

    # The profile's clock (microseconds) against the page's (milliseconds), to within the
    # round trip of the evaluate above.
    offset_ms = profile["endTime"] / 1000 - page_now
    nodes = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    phases: dict[str, collections.Counter] = {name: collections.Counter() for name in PHASES}
    clock = profile["startTime"]
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        clock += delta
        at = clock / 1000 - offset_ms
        frame = nodes[node_id]
        for name, (start, end) in PHASES.items():
            if marks[start] <= at < marks[end]:
                phases[name][script_name(frame["url"], frame["functionName"])] += delta / 1000
    return phases, marks, commits


def report(runs: list[tuple[dict, dict, list]]) -> str:
    lines = [machine(browser_version()), "", f"Medians of {len(runs)} cold loads.", ""]
    for name, (start, end) in PHASES.items():
        spans = [marks[end] - marks[start] for _, marks, _ in runs]
        scripts = {script for phases, _, _ in runs for script in phases[name]}
        shares = {
            script: statistics.median(phases[name].get(script, 0.0) for phases, _, _ in runs)
            for script in scripts
        }
        top = sorted(shares.items(), key=lambda item: -item[1])[:8]
        lines.append(f"- {name} ({statistics.median(spans):.0f} ms): ")
        lines[-1] += ", ".join(f"{script} {ms:.0f} ms" for script, ms in top if ms >= 1)
    before = [
        max((f for t, f in commits if t < marks["dataReceived"]), default=0)
        for _, marks, commits in runs
    ]
    after = [max((f for _, f in commits), default=0) for _, _, commits in runs]
    lines += [
        "",
        f"React fibers: {statistics.median(before):.0f} as hydrated, "
        f"{statistics.median(after):.0f} with the data.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--url", help="an app already running (bench/serve.py)")
    args = parser.parse_args()

    def measure(app: ServerProcess) -> list:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            profile_once(browser, app)  # warms the build and the server up
            return [profile_once(browser, app) for _ in range(args.repeats)]

    if args.url:
        runs = measure(running_app(args.url))
    else:
        with app_on_a_sandbox() as (app, _sandbox):
            runs = measure(app)
    publish(report(runs), args.out)


if __name__ == "__main__":
    main()
