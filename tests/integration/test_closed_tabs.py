"""A closed tab's server-side state is freed after a short grace (not after Reflex's hour),
while open tabs, and tabs that come back within the grace, keep theirs."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from ftapp.pages.new_job.state import NewJobState
from tests.rawsocket import RawReflexClient, Reply
from tests.servers import ServerProcess, start_app

GRACE_SECONDS = 2.0
WIZARD = "/jobs/new"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("closed-tabs")
    env = {
        "FT_SANDBOX_DB": str(folder / "sandbox.db"),
        "FT_CLOSED_TAB_GRACE_SECONDS": str(GRACE_SECONDS),
    }
    server = start_app(env, Path("test-artifacts") / "closed-tabs-app.log")
    yield server
    server.stop()


def tab(app: ServerProcess, cookie: str, token: str) -> contextlib.AbstractAsyncContextManager:
    return RawReflexClient.connect(app.url, origin=app.url, cookie=cookie, token=token)


async def name_text(client: RawReflexClient) -> str:
    """The wizard's "Job name" text as the server holds it (a hydrate sends the whole state)."""
    await client.hydrate(WIZARD)
    replies = await client.replies(within=10, until=lambda reply: has_texts(reply))
    found = [reply.var("texts") for reply in replies if has_texts(reply)]
    assert found, "the hydrate sent no form"
    return found[0]["name"]


def has_texts(reply: Reply) -> bool:
    try:
        reply.var("texts")
    except KeyError:
        return False
    return True


async def type_name(client: RawReflexClient, text: str) -> None:
    await client.send(NewJobState, "set_field", {"name": "name", "value": text}, path=WIZARD)
    await client.replies(within=5, until=has_texts)


async def test_a_closed_tab_is_freed_after_the_grace_and_open_tabs_keep_their_state(
    app: ServerProcess,
) -> None:
    cookie = app.sign_in_cookie()
    async with tab(app, cookie, "open-tab") as open_tab:
        assert await name_text(open_tab) == ""
        await type_name(open_tab, "still-open")

        async with tab(app, cookie, "closed-tab") as closing:
            await name_text(closing)
            await type_name(closing, "typed-then-closed")

        # Back within the grace (a reload): the tab finds its state.
        async with tab(app, cookie, "closed-tab") as back:
            assert await name_text(back) == "typed-then-closed"

        # Gone for longer than the grace (and a sweep): its state is freed, and coming back
        # later starts afresh.
        await asyncio.sleep(GRACE_SECONDS * 2.5)
        async with tab(app, cookie, "closed-tab") as later:
            assert await name_text(later) == ""

        # The tab that stayed open all along (longer than the grace) kept its state.
        assert await name_text(open_tab) == "still-open"
