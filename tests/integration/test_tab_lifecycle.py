"""A tab's life on the server: while polls find nothing new it is sent nothing; once closed,
its state is freed after a short grace (not after Reflex's hour), while open tabs, and tabs
that come back within the grace, keep theirs."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator

import httpx
import pytest

from ftapp.pages.new_job.state import NewJobState
from tests.helpers.rawsocket import RawReflexClient, Reply
from tests.helpers.servers import ServerProcess
from tests.integration.helpers import app_on_its_sandbox, list_job_polls

GRACE_SECONDS = 2.0
POLL_SECONDS = 0.5
WIZARD = "/jobs/new"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with app_on_its_sandbox(
        tmp_path_factory.mktemp("closed-tabs"),
        "tab-lifecycle-app.log",
        POLL_SECONDS,
        FT_CLOSED_TAB_GRACE_SECONDS=str(GRACE_SECONDS),
    ) as server:
        yield server


def tab(app: ServerProcess, cookie: str, token: str) -> contextlib.AbstractAsyncContextManager:
    return RawReflexClient.connect(app.url, origin=app.url, cookie=cookie, token=token)


async def name_text(client: RawReflexClient) -> str:
    """The wizard's "Job name" text as the server holds it (a hydrate sends the whole state)."""
    await client.hydrate(WIZARD)
    replies = await client.replies(within=10, until=lambda reply: has_texts(reply))
    found = [reply.var("texts") for reply in replies if has_texts(reply)]
    assert found, "the hydrate sent no form"
    return found[0]["name"]


def has_rows(reply: Reply) -> bool:
    try:
        return bool(reply.var("visible_rows"))
    except KeyError:
        return False


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

    # The tab that stayed open all along (longer than the grace) kept its state: reloaded
    # now, it finds it.
    async with tab(app, cookie, "open-tab") as reloaded:
        assert await name_text(reloaded) == "still-open"


async def test_polls_that_find_nothing_new_send_an_open_tab_nothing(app: ServerProcess) -> None:
    # The seeded jobs change no status for minutes: every poll in the window finds the same list.
    async with tab(app, app.sign_in_cookie(), "quiet-tab") as client:
        await client.hydrate("/w/default")
        assert any(has_rows(r) for r in await client.replies(within=10, until=has_rows))
        await client.replies(within=1)  # what the page's start sends
        polls_before = list_job_polls(app)
        quiet = await client.replies(within=POLL_SECONDS * 8)
        polls = list_job_polls(app) - polls_before
        assert polls >= 4, "the feed kept polling"
        assert quiet == [], f"{len(quiet)} messages for {polls} polls that found nothing new"


def test_a_page_request_polls_the_list_before_the_page_connects(app: ServerProcess) -> None:
    # As a server-rendered page fetches its data with the request, the list is polled while
    # the browser loads the page's scripts, not after its socket opens.
    cookie = app.sign_in_cookie()
    html = {"accept": "text/html", "cookie": cookie}
    time.sleep(3 * POLL_SECONDS)  # no tab: the loop has stopped, the list is stale
    before = list_job_polls(app)

    for path, headers in (("/activity", html), ("/", {"accept": "text/html"})):
        response = httpx.get(app.url + path, headers=headers, timeout=10, follow_redirects=True)
        assert response.status_code == 200  # the activity log; the sign-in page
    time.sleep(3 * POLL_SECONDS)
    assert list_job_polls(app) == before  # not the activity log, nobody signed out

    assert httpx.get(app.url + "/w/default", headers=html, timeout=10).status_code == 200
    deadline = time.monotonic() + 5
    while list_job_polls(app) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list_job_polls(app) == before + 1  # polled, and no socket yet
    time.sleep(4 * POLL_SECONDS)
    assert list_job_polls(app) == before + 1  # no page came: that one poll, then it stops
