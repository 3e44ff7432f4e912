"""A page on another origin, opened in the same browser, cannot drive ftapp: its WebSocket is
refused, its requests get no answer it may read, and it cannot frame the dashboard."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.helpers.servers import SANDBOX_DRIVER_KEY, ServerProcess

EVIL_PAGE = """<!doctype html><title>evil</title><body>
<iframe id="frame" src="{app}/" width="800" height="600"></iframe>
<script>
window.results = {{socket: "pending", fetch: "pending"}};
const ws = new WebSocket("{ws}/_event/?EIO=4&transport=websocket&token=evil-tab");
ws.onopen = () => window.results.socket = "open";
ws.onerror = () => {{ if (window.results.socket === "pending") window.results.socket = "error"; }};
ws.onclose = () => {{ if (window.results.socket === "pending") window.results.socket = "closed"; }};
fetch("{app}/sandbox/api/jobs", {{headers: {{"x-api-key": "{key}"}}}})
  .then(r => r.text()).then(t => window.results.fetch = "read " + t.length)
  .catch(() => window.results.fetch = "blocked");
</script></body>"""


@pytest.fixture
def evil_origin(tmp_path: Path, sandbox_app: ServerProcess) -> Iterator[str]:
    """Another site on loopback (another port) serving a page that tries to use ftapp."""
    ws = sandbox_app.url.replace("http://", "ws://")
    (tmp_path / "index.html").write_text(
        EVIL_PAGE.format(app=sandbox_app.url, ws=ws, key=SANDBOX_DRIVER_KEY)
    )
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_page_on_another_origin_cannot_reach_ftapp(page: Page, evil_origin: str) -> None:
    page.goto(evil_origin + "/index.html")
    page.wait_for_function(
        "window.results.socket !== 'pending' && window.results.fetch !== 'pending'",
        timeout=15_000,
    )
    results = page.evaluate("window.results")
    assert results["socket"] in ("error", "closed"), results
    assert results["fetch"] == "blocked", results
    framed = page.frame_locator("#frame")
    page.wait_for_timeout(1000)
    assert framed.get_by_role("heading", name="Fine-tuning jobs").count() == 0
