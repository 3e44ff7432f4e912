"""The history at 100,000 records, in the real app on its sandbox, driven by headless Chromium.

Starts a standalone sandbox and the app in production mode (as ``bench/first_data.py``), writes
``--records`` realistic records (and their transitions) for the app's workspace straight into
its database, then measures:

- ``/history`` cold and warm: navigation to the first row on screen, on the page's clock
  (``bench/first_data.py``'s probe, its data being the first row of "Recorded jobs");
- a sort and a filter round trip in the open page: from pressing the "Created" sort button
  (newest <-> oldest) or the status filter's option (All <-> Failed) to the rows changing,
  p50 / p95;
- the download of every record as CSV and as JSON: time to the first byte and to the last,
  size, rows, and the server's memory (RSS) sampled every 20 ms during the download: the
  backend worker and the app's whole process group, before / peak / after;
- with ``--before-url`` (an app of another checkout from ``bench/serve.py``, e.g. the commit
  before the history): the dashboard's cold and warm time to data, this app (holding the
  records) against that one, paired per round, that one again as a control.

    .venv/bin/python bench/history.py [--records 100000] [--repeats 9] [--round-trips 30]
    .venv/bin/python bench/history.py --before-url "$(cat /tmp/before.url)" --out FILE
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
from playwright.sync_api import Locator, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import first_data
from bench.apps import app_on_a_sandbox, running_app
from bench.dashboard import browser_version
from bench.report import machine, publish
from bench.signin import signed_in_context
from ftapp.services.feed import workspace_identity
from ftapp.settings import SANDBOX_DEMO_KEY
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS
from tests.helpers.history_records import insert, many
from tests.helpers.servers import ServerProcess, processes_in_group, resident_bytes

SEED_BATCH = 10_000
HISTORY_SHOWN = """() => [...document.querySelectorAll("table")]
    .find((table) => table.caption && table.caption.textContent === "Recorded jobs")
    ?.querySelector("tbody a")"""
"""The history's data on screen: the first row's link is in the "Recorded jobs" table."""
HISTORY_PROBE = first_data.timeline_probe(HISTORY_SHOWN, rows_key="csv_href")
ROW_NAMES = """() => [...document.querySelectorAll("table")]
    .find((table) => table.caption && table.caption.textContent === "Recorded jobs")
    ?.querySelector("tbody")?.innerText"""
ARM_ROUND_TRIP = (
    """() => {
  const rows = ROW_NAMES;
  const trip = (window.__trip = { before: rows(), start: null, end: null });
  document.addEventListener("pointerdown", () => { trip.start = performance.now(); },
                            { capture: true, once: true });
  const observer = new MutationObserver(() => {
    if (trip.start !== null && rows() !== trip.before) {
      trip.end = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
}"""
).replace("ROW_NAMES", ROW_NAMES)
"""From the next press of a pointer until the table's rows differ from what they were."""


def seed(app: ServerProcess, api_url: str, count: int) -> float:
    """Write ``count`` records, with their transitions, for the workspace of the app on
    ``api_url`` with the demo key; the seconds it took."""
    workspace = workspace_identity(api_url, SANDBOX_DEMO_KEY)
    started = time.perf_counter()
    for offset in range(0, count, SEED_BATCH):
        jobs = many(min(SEED_BATCH, count - offset), prefix=f"bench{offset // SEED_BATCH:02d}")
        for job in jobs:
            job.workspace = workspace
        insert(app.db_url, jobs)
    return time.perf_counter() - started


def open_history(page: Page, app: ServerProcess) -> Locator:
    """The history page, live; its table."""
    page.goto(app.url + "/history")
    page.wait_for_function(HISTORY_SHOWN, timeout=60_000)
    page.locator('main[aria-busy="false"]').wait_for(timeout=30_000)
    return page.get_by_role("table", name="Recorded jobs")


def round_trip(page: Page, act: Callable[[], None]) -> float:
    """Milliseconds from the pointer press in ``act`` to the rows changing."""
    page.evaluate(ARM_ROUND_TRIP)
    act()
    page.wait_for_function("window.__trip.end !== null", timeout=60_000)
    return float(page.evaluate("window.__trip.end - window.__trip.start"))


def round_trips(app: ServerProcess, count: int) -> dict[str, list[float]]:
    """``count`` sorts (newest <-> oldest first) and ``count`` filters (All <-> Failed),
    alternating, in one open page (after a warm-up of each)."""
    times: dict[str, list[float]] = {"sort": [], "filter": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = signed_in_context(browser, app, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        table = open_history(page, app)
        created = table.get_by_role("columnheader", name="Created", exact=True).get_by_role(
            "button"
        )
        status = page.get_by_role("combobox", name="Filter by status")
        choices = ("Failed", "All statuses")

        def choose(option: str) -> Callable[[], None]:
            return lambda: page.get_by_role("option", name=option, exact=True).click()

        for n in range(count + 2):
            sort = round_trip(page, created.click)
            status.click()
            page.get_by_role("option", name=choices[0]).wait_for()
            filtered = round_trip(page, choose(choices[n % 2]))
            if n >= 2:  # the first two only warm the page and the server up
                times["sort"].append(sort)
                times["filter"].append(filtered)
        browser.close()
    return times


def group_processes(pgid: int) -> dict[int, tuple[int, int]]:
    """``{pid: (parent pid, RSS bytes)}`` of the processes in process group ``pgid``."""
    return {
        int(entry.name): (int(fields[1]), resident_bytes(entry))
        for entry, fields in processes_in_group(pgid)
    }


def backend_worker(app: ServerProcess) -> int:
    """The pid of the app's backend worker: the largest process of its group that is not the
    ``reflex run`` supervisor (the group's leader)."""
    leader = app.process.pid
    processes = group_processes(leader)
    workers = {pid: rss for pid, (_, rss) in processes.items() if pid != leader}
    return max(workers, key=workers.__getitem__) if workers else leader


class MemorySampler:
    """RSS of the backend worker and of the whole group every 20 ms, in a thread."""

    def __init__(self, app: ServerProcess) -> None:
        self.pgid = app.process.pid
        self.worker = backend_worker(app)
        self.samples: list[tuple[int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> tuple[int, int]:
        processes = group_processes(self.pgid)
        worker = processes.get(self.worker, (0, 0))[1]
        return worker, sum(rss for _, rss in processes.values())

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.samples.append(self.now())

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def download(app: ServerProcess, cookie: str, export_format: str) -> dict[str, float]:
    """One download of every record; its times (s), size (MB), rows and memory (MB)."""
    url = f"{app.url}/history/export.{export_format}"
    sampler = MemorySampler(app)
    time.sleep(1.0)
    before = sampler.now()
    body = bytearray()
    with sampler, httpx.Client(timeout=600) as client:
        started = time.perf_counter()
        first_byte = 0.0
        with client.stream("GET", url, headers={"cookie": cookie}) as response:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                first_byte = first_byte or time.perf_counter() - started
                body += chunk
        total = time.perf_counter() - started
    if export_format == "csv":
        rows = len(list(csv.reader(io.StringIO(body.decode())))) - 1  # the header
    else:
        rows = len(json.loads(body))
    time.sleep(2.0)
    after = sampler.now()
    peak = max(sampler.samples or [before], key=lambda sample: sample[0])
    peak_group = max(sample[1] for sample in sampler.samples or [before])
    mb = 1024 * 1024
    return {
        "first_byte": first_byte,
        "total": total,
        "size": len(body) / mb,
        "rows": rows,
        "worker_before": before[0] / mb,
        "worker_peak": peak[0] / mb,
        "worker_after": after[0] / mb,
        "group_before": before[1] / mb,
        "group_peak": peak_group / mb,
        "group_after": after[1] / mb,
    }


def downloads(app: ServerProcess, repeats: int) -> Iterator[tuple[str, list[dict[str, float]]]]:
    cookie = app.sign_in_cookie()
    for export_format in ("csv", "json"):
        yield export_format, [download(app, cookie, export_format) for _ in range(repeats)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report_history(
    records: int, seconds: float, runs: dict[int, tuple[list, list]], repeats: int
) -> list[str]:
    cold, warm = runs[0]
    lines = [
        f"{records:,} records (and their transitions) written in {seconds:.0f} s.",
        "",
        f"`/history`, navigation to the first row on screen (median of {repeats}, page's clock):",
        "",
        "| Phase | cold | warm |",
        "| --- | --- | --- |",
    ]
    for key, phase in first_data.PHASES:
        phase = "first row on screen" if key == "dataShown" else phase
        lines.append(
            f"| {phase} | {first_data.median_of(cold, key)} | {first_data.median_of(warm, key)} |"
        )
    return lines


def report_round_trips(times: dict[str, list[float]]) -> list[str]:
    what = {
        "sort": 'press on "Created" (newest <-> oldest first) to the rows changed',
        "filter": "press on a status option (All <-> Failed) to the rows changed",
    }
    lines = ["", "| Round trip | n | p50 | p95 | max |", "| --- | --- | --- | --- | --- |"]
    for kind, values in times.items():
        lines.append(
            f"| {what[kind]} | {len(values)} | {percentile(values, 0.5):.0f} ms | "
            f"{percentile(values, 0.95):.0f} ms | {max(values):.0f} ms |"
        )
    return lines


def report_downloads(results: list[tuple[str, list[dict[str, float]]]]) -> list[str]:
    lines = [
        "",
        "| Download (median of runs; memory: max over runs) | first byte | all | size | rows "
        "| backend worker RSS before / peak / after | process group RSS before / peak / after |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for export_format, runs in results:

        def median(key: str, runs: list[dict[str, float]] = runs) -> float:
            return statistics.median(run[key] for run in runs)

        def most(key: str, runs: list[dict[str, float]] = runs) -> float:
            return max(run[key] for run in runs)

        lines.append(
            f"| {export_format.upper()} ({len(runs)} runs) | {median('first_byte') * 1000:.0f} ms "
            f"| {median('total'):.2f} s | {median('size'):.1f} MB | {median('rows'):,.0f} | "
            f"{median('worker_before'):.0f} / {most('worker_peak'):.0f} / "
            f"{median('worker_after'):.0f} MB | {median('group_before'):.0f} / "
            f"{most('group_peak'):.0f} / {median('group_after'):.0f} MB |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=9, help="cold navigations per page")
    parser.add_argument("--round-trips", type=int, default=30, help="of each kind")
    parser.add_argument("--downloads", type=int, default=3, help="of each format")
    parser.add_argument(
        "--before-url", help="another checkout's app (bench/serve.py) for the dashboard pairing"
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    with app_on_a_sandbox() as (app, sandbox):
        seconds = seed(app, sandbox.api_url, args.records)
        history = first_data.timelines([app], args.repeats, path="/history", probe=HISTORY_PROBE)
        lines = [machine(browser_version()), ""]
        lines += report_history(args.records, seconds, history, args.repeats)
        lines += report_round_trips(round_trips(app, args.round_trips))
        lines += report_downloads(list(downloads(app, args.downloads)))
        if args.before_url:
            before = running_app(args.before_url)
            labels = ["before", f"after ({args.records:,} records)", "before (again)"]
            dashboard = first_data.timelines([before, app, before], args.repeats)
            lines += ["", "The dashboard:", ""]
            lines += first_data.report(args.repeats, dashboard, labels).splitlines()[2:]
    publish("\n".join(lines), args.out)


if __name__ == "__main__":
    main()
