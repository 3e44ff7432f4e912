"""Workspaces on a running app: a person sees only the workspaces they belong to. A crafted
event naming another workspace (a raw Socket.IO client, as a script would send it) is refused,
logged and shows nothing of it; a membership granted on the command line opens it, and one
revoked there reloads the open tab, which is then refused."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from ftapp.pages.dashboard.state import DashboardState
from ftapp.settings import EMBEDDED_BASE_URL
from tests.helpers.rawsocket import RawReflexClient, Reply
from tests.helpers.servers import ServerProcess
from tests.integration.helpers import OTHER_KEY, app_on_its_sandbox, keyed, valid_job

PASSWORD = "a long enough password"
KEYS_SECRET = "the integration tests' key-encryption secret, long enough"
DRIVER_OTHER = "driver-key-of-workspace-other"
"""The tests' own key to the sandbox's workspace "other" (Team B's), to put a job there."""
TEAM_B = "team-b"
REVOKED_WITHIN_SECONDS = 8.0
"""The sweep runs every 2 s; a loaded machine may take a few more."""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One app for the module: a test that grants vera a membership ends it."""
    tmp_path = tmp_path_factory.mktemp("workspaces")
    keys = {DRIVER_OTHER: {"workspace": "other"}}
    with app_on_its_sandbox(
        tmp_path,
        "workspaces-app.log",
        0.5,
        FT_KEYS_SECRET=KEYS_SECRET,
        FT_SANDBOX_KEYS=json.dumps(keys),
    ) as server:
        added = server.run_cli(
            "workspaces", "add", "Team B", "--api-url", EMBEDDED_BASE_URL, stdin=OTHER_KEY + "\n"
        )
        assert added.returncode == 0, added.stdout + added.stderr
        made = server.run_cli("users", "add", "vera", "--role", "viewer", stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
        created = httpx.post(
            f"{server.url}/sandbox/api/jobs",
            json=valid_job(name="team-b-secret-run"),
            headers=keyed(DRIVER_OTHER),
            timeout=10,
        )
        assert created.status_code == 201, created.text
        yield server


def var(replies: list[Reply], name: str) -> list:
    found = []
    for reply in replies:
        try:
            found.append(reply.var(name))
        except KeyError:
            continue
    return found


async def open_dashboard_of(client: RawReflexClient, slug: str) -> list[Reply]:
    """What a tab is sent when it says it opened workspace ``slug``'s dashboard and follows it."""
    page = {"path": f"/w/{slug}", "query": {"workspace_slug": slug}}
    await client.send(DashboardState, "open_page", {}, **page)
    await client.send(DashboardState, "follow_feed", {}, **page)
    return await client.replies(within=6)


async def test_a_crafted_event_naming_another_workspace_is_refused_and_logged(
    app: ServerProcess,
) -> None:
    cookie = app.password_cookie("vera", PASSWORD)
    async with RawReflexClient.connect(app.url, origin=app.url, cookie=cookie) as client:
        await client.hydrate("/w/default")
        await client.replies(within=3)  # the default dashboard's own opening, first
        replies = await open_dashboard_of(client, TEAM_B)
    assert True in var(replies, "workspace_refused")
    assert "team-b-secret-run" not in json.dumps([reply.delta for reply in replies])
    assert "Refused vera access to workspace 'team-b'" in app.log()


async def test_a_membership_granted_on_the_command_line_opens_the_workspace(
    app: ServerProcess,
) -> None:
    granted = app.run_cli("workspaces", "grant", "vera", TEAM_B, "operator")
    assert granted.returncode == 0, granted.stdout + granted.stderr
    cookie = app.password_cookie("vera", PASSWORD)
    try:
        async with RawReflexClient.connect(app.url, origin=app.url, cookie=cookie) as client:
            await client.hydrate("/w/default")
            await client.replies(within=3)  # the default dashboard's own opening, first
            replies = await open_dashboard_of(client, TEAM_B)
    finally:
        app.run_cli("workspaces", "revoke", "vera", TEAM_B)
    shown = json.dumps([reply.delta for reply in replies])
    assert "team-b-secret-run" in shown
    assert True not in var(replies, "workspace_refused")
    assert "operator" in var(replies, "user_role")


async def test_a_revoked_membership_reloads_the_open_tab_which_is_then_refused(
    app: ServerProcess,
) -> None:
    """A member's tab that sends nothing is reloaded by the server when the membership ends
    (the revocation sweep, every 2 s), and the reloaded page is refused."""
    granted = app.run_cli("workspaces", "grant", "vera", TEAM_B, "viewer")
    assert granted.returncode == 0, granted.stdout + granted.stderr
    cookie = app.password_cookie("vera", PASSWORD)
    async with RawReflexClient.connect(app.url, origin=app.url, cookie=cookie) as client:
        await client.hydrate(f"/w/{TEAM_B}")
        assert "team-b-secret-run" in json.dumps([r.delta for r in await client.replies(6)])
        revoked = await asyncio.to_thread(app.run_cli, "workspaces", "revoke", "vera", TEAM_B)
        assert revoked.returncode == 0, revoked.stdout + revoked.stderr
        deadline = time.monotonic() + REVOKED_WITHIN_SECONDS
        replies: list[Reply] = []
        while not client.closed.is_set():
            assert time.monotonic() < deadline, "the revoked member's socket stayed open"
            replies += await client.replies(within=0.1)
    assert any("window.location.reload()" in str(e) for r in replies for e in r.events), replies
    async with RawReflexClient.connect(app.url, origin=app.url, cookie=cookie) as client:
        await client.hydrate(f"/w/{TEAM_B}")  # what the reload asks for
        reopened = await client.replies(within=6)
    assert True in var(reopened, "workspace_refused")
    assert "team-b-secret-run" not in json.dumps([reply.delta for reply in reopened])
