"""WorkspaceState: the facts every page shows, from the shared feed's snapshots."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx
from redis.exceptions import ConnectionError as RedisConnectionError
from reflex_base.event.context import EventContext

from ftapp import services
from ftapp.pages import workspace_state
from ftapp.pages.dashboard.state import DashboardState
from ftapp.pages.new_job.state import NewJobState
from ftapp.pages.without_state import show_without_state
from ftapp.pages.workspace_state import ModelOption, WorkspaceState
from ftapp.services import Snapshot, connection
from tests.helpers.fakes import eventually
from tests.unit.snapshots import job, snapshot

LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
QWQ = "Qwen/QwQ-32B"
FULL = "Your workspace holds 10 of 10 jobs, the maximum. Delete a job to create another."
READ_ONLY = "This API key may not create jobs (it is read-only)."


def page_state() -> WorkspaceState:
    """A page's State, whose workspace facts live in its WorkspaceState parent (a parent
    State alone cannot reach the substates whose computed vars read its vars)."""
    return NewJobState()


def jobs(count: int) -> list[dict]:
    return [job(str(number), f"job-{number}", "Completed") for number in range(count)]


def test_nothing_is_known_before_the_first_list() -> None:
    state = page_state()
    state._apply_workspace(Snapshot())
    assert (state.job_count, state.create_blocked_reason, state.workspace_full) == (-1, "", False)
    assert (state.quota_text, state.quota_percent, state.updated_at) == ("0 of 10 jobs", 0, 0.0)


def test_models_keep_the_apis_order_and_names() -> None:
    state = page_state()
    state._apply_workspace(Snapshot(models={QWQ: "QwQ 32B", LLAMA: "Llama 3.1 8B Instruct"}))
    assert state.models == [
        ModelOption(QWQ, "QwQ 32B"),
        ModelOption(LLAMA, "Llama 3.1 8B Instruct"),
    ]
    assert state._model_ids() == [QWQ, LLAMA]
    assert state.models_error == ""


def test_a_models_error_shows_only_while_there_are_no_models() -> None:
    state = page_state()
    state._apply_workspace(Snapshot(models_error="The API cannot be reached."))
    assert (state.models, state.models_error) == ([], "The API cannot be reached.")
    assert state._model_ids() is None

    state._apply_workspace(Snapshot(models={LLAMA: "Llama"}))
    assert (state.models, state.models_error) == ([ModelOption(LLAMA, "Llama")], "")


@pytest.mark.parametrize(
    ("count", "may_create", "reason", "full"),
    [
        (10, True, FULL, True),
        (6, False, READ_ONLY, False),
        (9, True, "", False),
        (9, None, "", False),
    ],
)
def test_creating_is_blocked_with_a_reason(
    count: int, may_create: bool | None, reason: str, full: bool
) -> None:
    state = page_state()
    state._apply_workspace(snapshot(*jobs(count), may_create=may_create))
    assert (state.job_count, state.create_blocked_reason, state.workspace_full) == (
        count,
        reason,
        full,
    )
    assert state.quota_text == f"{count} of 10 jobs"
    assert state.quota_percent == count * 10


def test_a_failed_poll_says_why_and_keeps_the_count() -> None:
    state = page_state()
    good = snapshot(*jobs(3))
    state._apply_workspace(good)
    state._apply_workspace(
        Snapshot(job_list=good.job_list, fetched_at=good.fetched_at, error="Down.", failures=1)
    )
    assert (state.job_count, state.feed_error, state.updated_at) == (3, "Down.", good.fetched_at)


def test_an_unchanged_snapshot_changes_no_var() -> None:
    """Nothing changed, nothing to send: an unchanged var is not assigned again."""
    state = page_state()
    state._apply_workspace(snapshot(*jobs(3), models={LLAMA: "Llama"}))
    state._clean()

    state._apply_workspace(snapshot(*jobs(3), models={LLAMA: "Llama"}))

    assert state.dirty_vars == set()
    state._apply_workspace(snapshot(*jobs(4), models={LLAMA: "Llama"}))
    sent = {name for name in state.dirty_vars if not name.startswith("_")}  # backend vars stay
    assert sent == {"job_count"}


async def test_a_page_follows_the_feed_and_retry_asks_for_the_models_again(
    hosted_api: respx.MockRouter,
) -> None:
    hosted_api.get("/jobs").respond(json={"jobs": jobs(4), "summary": {"completed": 4}})
    hosted_api.post("/jobs").respond(400, json={"error": "Validation failed", "fields": {}})
    hosted_api.delete(path__regex=r"/jobs/[0-9a-f-]{36}$").respond(404, json={"error": "Not found"})
    models = hosted_api.get("/models")
    models.mock(side_effect=httpx.ConnectError("refused"))
    state = NewJobState()

    async def follow() -> None:
        async for _event in NewJobState.follow_workspace.fn(state):
            pass

    task = asyncio.create_task(follow())
    try:
        await eventually(lambda: state.job_count == 4 and state.models_error)
        assert "cannot be reached" in state.models_error
        assert state.create_blocked_reason == ""

        models.mock(return_value=httpx.Response(200, json=[{"id": LLAMA, "displayName": "L"}]))
        state.retry_models()
        await eventually(lambda: state.models)
        assert state.models == [ModelOption(LLAMA, "L")]
        assert state.models_error == ""
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    await asyncio.sleep(0)
    assert connection.feed().watchers == 0  # the page's subscription ended with its handler


async def test_polls_that_find_nothing_new_are_skipped(
    hosted_api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No lock, no delta: a tab applies a snapshot only when what it shows changed."""
    listed = hosted_api.get("/jobs")
    listed.respond(json={"jobs": jobs(2), "summary": {"completed": 2}})
    hosted_api.get("/models").respond(json=[{"id": LLAMA, "displayName": "L"}])
    hosted_api.post("/jobs").respond(400, json={"error": "Validation failed", "fields": {}})
    hosted_api.delete(path__regex=r"/jobs/[0-9a-f-]{36}$").respond(404, json={"error": "No"})
    applied: list[int] = []
    apply = WorkspaceState._apply_workspace

    def counting(self: WorkspaceState, snapshot: Snapshot):
        applied.append(snapshot.version)
        return apply(self, snapshot)

    monkeypatch.setattr(WorkspaceState, "_apply_workspace", counting)
    state = NewJobState()

    async def follow() -> None:
        async for _event in NewJobState.follow_workspace.fn(state):
            pass

    task = asyncio.create_task(follow())
    feed = connection.feed()
    try:
        await eventually(lambda: state.job_count == 2 and state.models)
        settled, settled_polls = len(applied), feed.polls
        for more in range(1, 4):
            feed.poke()
            await eventually(lambda more=more: feed.polls >= settled_polls + more)
        await asyncio.sleep(0.05)
        assert len(applied) == settled  # three polls, nothing new: nothing applied
        listed.respond(json={"jobs": jobs(3), "summary": {"completed": 3}})
        feed.poke()
        await eventually(lambda: state.job_count == 3)
        assert len(applied) == settled + 1
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def test_a_viewer_is_told_why_creating_and_deleting_are_off(signed_in) -> None:
    state = page_state()
    state._apply_user(signed_in("viewer", "vera"))
    state._apply_workspace(snapshot(*jobs(3), may_create=True))
    assert (state.user_name, state.user_role) == ("vera", "viewer")
    assert state.create_blocked_reason == "Viewers may not create jobs."
    assert state.delete_blocked_reason == "Viewers may not delete jobs."
    assert state.may_view_activity is False


def test_an_operators_blocks_come_from_the_key_and_the_workspace(signed_in) -> None:
    state = page_state()
    state._apply_user(signed_in("operator", "olga"))
    state._apply_workspace(snapshot(*jobs(3), may_create=False))
    assert state.create_blocked_reason == READ_ONLY
    assert state.delete_blocked_reason == ""
    state._apply_workspace(snapshot(*jobs(10), may_create=True))
    assert state.create_blocked_reason == FULL


def test_a_key_that_may_not_delete_turns_delete_off_with_its_reason(signed_in) -> None:
    state = page_state()
    state._apply_workspace(snapshot(*jobs(3), may_delete=False))
    state._apply_user(signed_in("operator", "olga"))
    assert state.delete_blocked_reason == "This API key may not delete jobs (it is read-only)."
    state._apply_workspace(snapshot(*jobs(3), may_delete=None))  # e.g. a new key, not yet asked
    assert state.delete_blocked_reason == ""
    viewer = page_state()
    viewer._apply_user(signed_in("viewer", "vera"))
    viewer._apply_workspace(snapshot(*jobs(3), may_delete=False))
    assert viewer.delete_blocked_reason == "Viewers may not delete jobs."  # the role says first


def test_admins_see_the_activity_link(signed_in) -> None:
    state = page_state()
    state._apply_user(signed_in("admin", "ada"))
    assert state.may_view_activity is True


def test_a_job_this_tab_saw_running_is_announced_when_it_finishes() -> None:
    state = page_state()
    assert state._apply_workspace(snapshot(job("a", "alpha"), job("b", "beta"))) == []

    events = state._apply_workspace(
        snapshot(job("a", "alpha", "Completed"), job("b", "beta", "Failed"))
    )

    texts = [str(event) for event in events]
    assert len(events) == 2
    assert "Job alpha completed." in texts[0]
    assert "Job beta failed." in texts[1]
    assert "View job" in texts[0]
    assert (
        state._apply_workspace(snapshot(job("a", "alpha", "Completed"), job("b", "beta", "Failed")))
        == []
    )  # said once


def test_jobs_already_finished_when_the_tab_opens_are_not_announced() -> None:
    state = page_state()
    assert state._apply_workspace(snapshot(job("a", "alpha", "Completed"))) == []
    assert state._apply_workspace(snapshot(job("a", "alpha", "Failed"))) == []


async def test_a_page_opens_with_the_feeds_current_list_and_the_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """on_load shows what the feed holds, so the first message after it carries the data."""
    current = snapshot(*jobs(3), models={LLAMA: "Llama"})
    monkeypatch.setattr(services, "current_if_fresh", lambda _slug: current)
    state = DashboardState()
    await state._show_current(state._apply_snapshot)
    assert (state.user_name, state.job_count, state.models) == (
        "olga",
        3,
        [ModelOption(LLAMA, "Llama")],
    )
    assert [row.name for row in state._rows] == ["job-0", "job-1", "job-2"]
    assert state.loading is False


async def test_a_page_opens_waiting_when_the_feed_holds_nothing_current(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "current_if_fresh", lambda _slug: None)
    state = DashboardState()
    await state._show_current(state._apply_snapshot)
    assert state.user_name == "olga"
    assert (state.job_count, state._rows, state.loading) == (-1, [], True)


async def test_while_the_state_cannot_be_had_the_tab_is_still_told_how_fresh_its_data_is(
    hosted_api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Redis, a tab's State lives in Redis: while Redis is down the follow goes on, and
    tells the tab why its data stopped updating without the State; once the State can be had
    again, those vars are sent again, changed or not (the State never held what was shown)."""
    listed = hosted_api.get("/jobs")
    listed.respond(json={"jobs": jobs(2), "summary": {"completed": 2}})
    hosted_api.get("/models").respond(json=[{"id": LLAMA, "displayName": "L"}])
    hosted_api.post("/jobs").respond(400, json={"error": "Validation failed", "fields": {}})
    hosted_api.delete(path__regex=r"/jobs/[0-9a-f-]{36}$").respond(404, json={"error": "No"})
    store_down = False
    enter = WorkspaceState.__aenter__

    async def aenter(self: WorkspaceState) -> WorkspaceState:
        if store_down:
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379.")
        return await enter(self)

    shown: list[tuple[type, dict]] = []

    async def show(state: type, values: dict) -> None:
        shown.append((state, dict(values)))

    monkeypatch.setattr(WorkspaceState, "__aenter__", aenter)
    monkeypatch.setattr(workspace_state, "show_without_state", show)
    state = NewJobState()

    async def follow() -> None:
        async for _event in NewJobState.follow_workspace.fn(state):
            pass

    task = asyncio.create_task(follow())
    feed = connection.feed()
    try:
        await eventually(lambda: state.job_count == 2 and state.updated_at)
        store_down = True
        listed.respond(503, json={"error": "Unavailable"})
        feed.poke()
        await eventually(lambda: shown)
        ((target, values),) = shown
        assert target is WorkspaceState
        assert values["feed_error"] != ""
        assert values["updated_at"] == state.updated_at
        assert state.feed_error == "", "the State itself could not be changed"

        store_down = False
        state._clean()
        listed.respond(json={"jobs": jobs(2), "summary": {"completed": 2}})
        feed.poke()
        await eventually(lambda: "feed_error" in state.dirty_vars)
        assert {"feed_error", "key_refused", "updated_at"} <= state.dirty_vars
        assert state.feed_error == ""
        assert not task.done(), "the tab still follows the feed"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_values_shown_without_the_state_are_the_delta_reflex_would_send() -> None:
    sent: list[tuple[str, dict]] = []

    async def emit_delta(token: str, delta: dict) -> None:
        sent.append((token, delta))

    async def enqueue(token: str, *events: object) -> None:
        raise AssertionError("nothing is enqueued")

    context = EventContext(
        token="tab-1", state_manager=None, enqueue_impl=enqueue, emit_delta_impl=emit_delta
    )
    reset = EventContext.set(context)
    try:
        await show_without_state(
            WorkspaceState, {"feed_error": "Redis is gone.", "updated_at": 1.5}
        )
    finally:
        EventContext.reset(reset)
    name = WorkspaceState.get_full_name()
    assert sent == [
        ("tab-1", {name: {"feed_error_rx_state_": "Redis is gone.", "updated_at_rx_state_": 1.5}})
    ]
    assert str(DashboardState.feed_error) == f"{name.replace('.', '__')}.feed_error_rx_state_"
