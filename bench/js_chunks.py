"""Which JavaScript a cold load of a page fetches: every response of type script, its size.

Checks that a library one page uses (the history's charts: Recharts) is not loaded by the
others: a new signed-in browser context (empty cache) opens each page once, and the scripts
it fetched are listed with their decompressed sizes. Give several apps (``bench/serve.py``)
to compare two commits side by side:

    .venv/bin/python bench/serve.py --checkout /tmp/before --url-file /tmp/before.url &
    .venv/bin/python bench/serve.py --url-file /tmp/after.url &
    .venv/bin/python bench/js_chunks.py --url "$(cat /tmp/before.url)" --label before \\
        --url "$(cat /tmp/after.url)" --label after
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from playwright.sync_api import Browser, Response, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.apps import running_app
from bench.report import machine, publish
from bench.signin import signed_in_context
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS

PAGES = ("/", "/history")
SETTLE_MS = 1500
CHART_LIBRARY_MARK = "recharts-wrapper"
"""A class name only Recharts' code holds: a script with it carries the chart library."""


HASHED = re.compile(r"(.+)-[A-Za-z0-9_-]{8}\.js")


def stem(file_name: str) -> str:
    """A build file's name without its content hash: ``root-D_rBvGSl.js`` -> ``root``."""
    hashed = HASHED.fullmatch(file_name)
    return hashed.group(1) if hashed else file_name.removesuffix(".js")


def scripts_of(browser: Browser, url: str, path: str) -> tuple[dict[str, int], list[str]]:
    """The scripts a cold load of ``path`` fetched (name without hash -> decompressed bytes),
    and those that carry the chart library."""
    context = signed_in_context(browser, running_app(url))
    fetched: list[Response] = []
    page = context.new_page()
    page.on("response", lambda r: fetched.append(r) if r.request.resource_type == "script" else 0)
    page.goto(url + path, wait_until="networkidle")
    page.wait_for_timeout(SETTLE_MS)
    bodies = {stem(r.url.rsplit("/", 1)[-1].split("?")[0]): r.body() for r in fetched}
    context.close()
    charts = sorted(name for name, body in bodies.items() if CHART_LIBRARY_MARK.encode() in body)
    return {name: len(body) for name, body in bodies.items()}, charts


def kilobytes(sizes: dict[str, int]) -> str:
    return f"{sum(sizes.values()) / 1024:.1f} KB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True, help="a running app")
    parser.add_argument("--label", action="append", help="a name per --url")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    labels = args.label or [f"app {n + 1}" for n in range(len(args.url))]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        found = {
            (label, path): scripts_of(browser, url, path)
            for label, url in zip(labels, args.url, strict=True)
            for path in PAGES
        }
        version = browser.version
        browser.close()
    lines = [
        f"{machine(f'Chromium {version}')}",
        "",
        "| App | Page | Scripts | Total (decompressed) | Scripts with Recharts |",
        "| --- | --- | --- | --- | --- |",
    ]
    for (label, path), (sizes, charts) in found.items():
        carriers = ", ".join(charts) or "none"
        lines.append(f"| {label} | `{path}` | {len(sizes)} | {kilobytes(sizes)} | {carriers} |")
    for path in PAGES:
        if len(labels) < 2:
            break
        first, last = found[(labels[0], path)][0], found[(labels[-1], path)][0]
        added = sorted(set(last) - set(first))
        gone = sorted(set(first) - set(last))
        changed = [
            f"{name} ({(last[name] - first[name]) / 1024:+.1f} KB)"
            for name in sorted(set(first) & set(last))
            if abs(last[name] - first[name]) >= 100
        ]
        lines.append("")
        lines.append(f"`{path}`, {labels[-1]} vs {labels[0]}:")
        lines.append(f"- only in {labels[-1]}: " + (", ".join(_sized(last, added)) or "none"))
        lines.append(f"- only in {labels[0]}: " + (", ".join(_sized(first, gone)) or "none"))
        lines.append("- changed by 100 bytes or more: " + (", ".join(changed) or "none"))
    publish("\n".join(lines), args.out)


def _sized(sizes: dict[str, int], names: list[str]) -> list[str]:
    return [f"{name} ({sizes[name] / 1024:.1f} KB)" for name in names]


if __name__ == "__main__":
    main()
