"""The ASGI layers in front of Reflex: headers (the pages' CSP), the Origin guard, the sandbox
mount."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from reflex.utils.precompressed_staticfiles import PrecompressedStaticFiles
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from ftapp import asgi, csp, routes
from tests.helpers.csp_pages import build, prerendered_page, script_src

ORIGIN = "http://localhost:3000"


async def page(request) -> PlainTextResponse:
    return PlainTextResponse(f"page {request.url.path}")


async def socket(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("hello")
    await websocket.close()


async def sandbox_jobs(request) -> JSONResponse:
    return JSONResponse({"path": request.url.path, "root_path": request.scope["root_path"]})


INNER = Starlette(routes=[Route("/{path:path}", page), WebSocketRoute("/_event/", socket)])
SANDBOX = Starlette(routes=[Route("/api/jobs", sandbox_jobs)])


def stack(*, hsts: bool = False) -> TestClient:
    app = asgi.mount("/sandbox", SANDBOX)(INNER)
    app = asgi.OriginGuard(app, origins=asgi.allowed_origins(ORIGIN))
    return TestClient(asgi.SecurityHeaders(app, hsts=hsts))


def test_every_response_carries_the_security_headers() -> None:
    with stack() as client:
        for path in ("/", "/assets/app.js", "/sandbox/api/jobs", "/missing"):
            headers = client.get(path).headers
            assert headers["x-frame-options"] == "DENY"
            assert headers["x-content-type-options"] == "nosniff"
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
            assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
            assert "strict-transport-security" not in headers


def test_a_built_page_is_served_with_the_hashes_of_its_inline_scripts(tmp_path: Path) -> None:
    build(
        tmp_path,
        {"index.html": prerendered_page("boot()"), "jobs/new/index.html": prerendered_page("w()")},
    )
    (tmp_path / "index.html.gz").write_bytes(gzip.compress((tmp_path / "index.html").read_bytes()))
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "root-AbCdEf12.js").write_text("export default 1;")
    # Reflex's own file server for the build, as the app serves it.
    files = PrecompressedStaticFiles(directory=tmp_path, html=True, encodings=["gzip"])
    client = TestClient(asgi.SecurityHeaders(files, page_policy=csp.PagePolicy(tmp_path)))
    for encoding in ("gzip", "identity"):
        served = client.get("/", headers={"accept-encoding": encoding})
        assert served.headers.get("content-encoding", "identity") == encoding
        assert served.headers["content-type"].startswith("text/html")
        sources = script_src(served.headers["content-security-policy"])
        assert "'unsafe-inline'" not in sources
        for digest in csp.inline_script_hashes(served.text):
            assert f"'sha256-{digest}'" in sources
        assert "frame-ancestors 'none'" in served.headers["content-security-policy"]
    wizard = client.get("/jobs/new/").headers["content-security-policy"]
    assert wizard == served.headers["content-security-policy"]  # one policy for all pages
    asset = client.get("/assets/root-AbCdEf12.js")
    assert asset.headers["content-security-policy"] == csp.NO_INLINE_SCRIPTS


def test_a_response_with_its_own_policy_keeps_it() -> None:
    own = "default-src 'none'"

    async def sign_in_page(request) -> PlainTextResponse:
        return PlainTextResponse("x", headers={"content-security-policy": own})

    app = asgi.SecurityHeaders(Starlette(routes=[Route("/login", sign_in_page)]))
    with TestClient(app) as client:
        assert client.get("/login").headers["content-security-policy"] == own


def test_hsts_over_https_only() -> None:
    with stack(hsts=True) as client:
        assert client.get("/").headers["strict-transport-security"].startswith("max-age=")


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://localhost:3001"])
def test_a_request_from_another_origin_is_refused(origin: str) -> None:
    with stack() as client:
        response = client.post("/sandbox/api/jobs", headers={"origin": origin})
        assert response.status_code == 403
        assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("origin", [None, ORIGIN, "http://127.0.0.1:3000"])
def test_requests_from_the_app_or_without_an_origin_pass(origin: str | None) -> None:
    headers = {"origin": origin} if origin else {}
    with stack() as client:
        assert client.get("/", headers=headers).status_code == 200


def test_a_websocket_from_another_origin_is_refused_at_the_handshake() -> None:
    with stack() as client:
        with pytest.raises(WebSocketDisconnect) as refused:  # noqa: SIM117
            with client.websocket_connect("/_event/", headers={"origin": "http://evil.example"}):
                pass
        assert refused.value.code == 1008
        with client.websocket_connect("/_event/", headers={"origin": ORIGIN}) as websocket:
            assert websocket.receive_text() == "hello"


def test_the_mounted_app_sees_its_prefix_as_root_path() -> None:
    with stack() as client:
        body = client.get("/sandbox/api/jobs").json()
        assert body == {"path": "/sandbox/api/jobs", "root_path": "/sandbox"}
        assert client.get("/sandboxes").text == "page /sandboxes"  # not under the mount


def test_loopback_origins_allow_each_spelling_of_loopback() -> None:
    assert asgi.allowed_origins("http://localhost:3030") == [
        "http://localhost:3030",
        "http://127.0.0.1:3030",
        "http://[::1]:3030",
    ]
    assert asgi.allowed_origins("https://ft.example.com") == ["https://ft.example.com"]


def test_a_very_long_path_segment_is_not_looked_up_as_a_file() -> None:
    with TestClient(asgi.ShortPaths(INNER)) as client:
        long_id = "a" * 5000
        assert client.get(f"/jobs/{long_id}").text == "page /jobs/_"
        assert client.get("/jobs/short-id").text == "page /jobs/short-id"


HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def page_requests(callback=None) -> tuple[TestClient, list[str]]:
    asked: list[str] = []
    app = asgi.OnPageRequest(
        INNER, routes.follows_workspace, callback or (lambda path: asked.append(path))
    )
    return TestClient(app), asked


@pytest.mark.parametrize("path", ["/w/default", "/w/team-b/jobs/new", "/w/default/jobs/job-123"])
def test_asking_for_a_workspace_page_runs_the_hook_and_serves_the_page(path: str) -> None:
    client, asked = page_requests()
    response = client.get(path, headers=HTML)
    assert response.text == f"page {path}"
    assert asked == [path]


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/w/default/activity", HTML),  # a page without the job list
        ("GET", "/assets/root-AbCdEf12.js", {"accept": "*/*"}),
        ("GET", "/w/default", {"accept": "application/json"}),
        ("HEAD", "/w/default", HTML),
        ("POST", "/w/default/jobs/new", HTML),
        ("GET", "/jobs/new", HTML),  # before workspaces: redirected elsewhere
    ],
)
def test_other_requests_do_not_run_the_hook(method: str, path: str, headers: dict) -> None:
    client, asked = page_requests()
    client.request(method, path, headers=headers)
    assert asked == []


def test_a_failing_hook_is_logged_and_the_page_still_served(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(_path: str) -> None:
        raise RuntimeError("feed gone")

    client, _ = page_requests(broken)
    response = client.get("/w/default", headers=HTML)
    assert response.status_code == 200
    assert "page request hook failed" in caplog.text


@pytest.mark.parametrize(
    ("path", "cookie", "expected"),
    [
        ("/", None, "/w/default"),
        ("/", "team-b", "/w/team-b"),
        ("/", "../evil", "/w/default"),  # not a slug: the default
        ("/?x=1", None, "/w/default?x=1"),
        ("/jobs/new?step=review", "team-b", "/w/default/jobs/new?step=review"),
        ("/jobs/job-123", None, "/w/default/jobs/job-123"),
        ("/history?status=Failed", None, "/w/default/history?status=Failed"),
        ("/history/compare?ids=a,b", None, "/w/default/history/compare?ids=a,b"),
        ("/activity", None, "/w/default/activity"),
    ],
)
def test_links_from_before_workspaces_lead_to_the_same_page(
    path: str, cookie: str | None, expected: str
) -> None:
    app = asgi.LegacyPaths(INNER, routes.legacy_target, routes.LAST_WORKSPACE_COOKIE)
    with TestClient(app, follow_redirects=False) as client:
        if cookie is not None:
            client.cookies.set(routes.LAST_WORKSPACE_COOKIE, cookie)
        response = client.get(path)
    assert response.status_code == 307
    assert response.headers["location"] == expected
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/w/default", "/w/team-b/jobs/new", "/assets/x.js", "/login"])
def test_paths_of_today_are_served_as_they_are(path: str) -> None:
    app = asgi.LegacyPaths(INNER, routes.legacy_target, routes.LAST_WORKSPACE_COOKIE)
    with TestClient(app, follow_redirects=False) as client:
        assert client.get(path).text == f"page {path}"
