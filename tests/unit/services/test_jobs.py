"""The services' job actions: against the real sandbox in-process (the app's own wiring, an
ASGI transport), and against a mocked hosted API for answers the sandbox never gives."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx

from ftapp import services
from ftapp.auth.roles import Identity, Role
from ftapp.job_fields import JobInput
from ftapp.rules import MAX_JOBS_PER_WORKSPACE
from ftapp.services import NextAction, connection, jobs
from ftapp.services.workspace import NO_DELETE_KEY, READ_ONLY_KEY
from ftapp.settings import SANDBOX_DEMO_KEY
from tests.helpers.hosted_api import SECRET_KEY
from tests.unit.snapshots import job, snapshot

OPERATOR = Identity(1, "olga", Role.OPERATOR, "0" * 16, 2**31)
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
QWQ = "Qwen/QwQ-32B"


def job_input(name: str = "new-job", model: str = LLAMA) -> JobInput:
    return JobInput(
        name=name,
        base_model=model,
        epochs=3,
        evaluation_epochs=1,
        warmup_epochs=1,
        learning_rate=0.0001,
    )


@pytest.fixture
def sandbox_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """The app on its embedded sandbox (no hosted API), on a fresh database."""
    for name in ("FT_API_BASE_URL", "FT_API_KEY", "FT_SANDBOX_REFUSED_MODELS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FT_SANDBOX_DB", str(tmp_path / "sandbox.db"))
    connection.reset()
    yield monkeypatch
    connection.reset()


def use_key(env: pytest.MonkeyPatch, key: str) -> None:
    env.setenv("FT_API_KEY", key)
    connection.reset()


async def seeded_jobs() -> dict[str, str]:
    """Name -> id of the demo workspace's jobs, as the sandbox lists them."""
    listed = await connection.upstream().list_jobs()
    return {listed_job.name: listed_job.id for listed_job in listed.jobs}


# --- against the embedded sandbox --------------------------------------------------------


async def test_get_job_finds_a_job_and_says_when_there_is_none(sandbox_env) -> None:
    ids = await seeded_jobs()

    found = await services.get_job(ids["summarizer-7"])
    missing = await services.get_job("no-such-job")

    assert found.job is not None
    assert found.job.name == "summarizer-7"
    assert (found.missing, found.error) == (False, "")
    assert (missing.job, missing.missing, missing.error) == (None, True, "")


async def test_create_job_answers_the_created_job_and_the_feed_shows_it(sandbox_env) -> None:
    feed = connection.feed()
    feed.snapshot = snapshot(job("old", "old-job"))

    outcome = await services.create_job(job_input("fresh-one"), OPERATOR)

    assert isinstance(outcome, services.Created)
    assert outcome.job.name == "fresh-one"
    assert outcome.message == "Job fresh-one created."
    assert (await services.get_job(outcome.job.id)).job is not None
    assert [listed.name for listed in feed.snapshot.job_list.jobs] == ["fresh-one", "old-job"]


async def test_a_model_the_api_refuses_comes_back_as_a_field_message(sandbox_env) -> None:
    sandbox_env.setenv("FT_SANDBOX_REFUSED_MODELS", QWQ)
    connection.reset()

    outcome = await services.create_job(job_input(model=QWQ), OPERATOR)

    assert isinstance(outcome, services.Refused)
    assert set(outcome.field_messages) == {"baseModel"}
    assert outcome.message == jobs.API_REFUSED_VALUES
    assert outcome.next_action is NextAction.NONE


async def test_a_read_only_key_is_refused_and_every_page_learns_it(sandbox_env) -> None:
    use_key(sandbox_env, "sandbox-readonly-key")

    outcome = await services.create_job(job_input(), OPERATOR)

    assert outcome == services.Refused(READ_ONLY_KEY)
    assert connection.feed().snapshot.may_create is False


async def test_a_full_workspace_offers_the_dashboard(sandbox_env) -> None:
    use_key(sandbox_env, "sandbox-other-key")  # an empty workspace
    for number in range(MAX_JOBS_PER_WORKSPACE):
        assert isinstance(
            await services.create_job(job_input(f"job-{number}"), OPERATOR), services.Created
        )

    outcome = await services.create_job(job_input("one-too-many"), OPERATOR)

    assert isinstance(outcome, services.Refused)
    assert "maximum limit of 10 jobs" in outcome.message
    assert outcome.next_action is NextAction.DASHBOARD


async def test_delete_names_the_job_as_the_api_knows_it(sandbox_env) -> None:
    ids = await seeded_jobs()

    outcome = await services.delete_job(ids["summarizer-7"], OPERATOR)
    again = await services.delete_job(ids["summarizer-7"], OPERATOR)

    assert (outcome.gone, outcome.level, outcome.message) == (
        True,
        services.Level.SUCCESS,
        "Deleted “summarizer-7”.",
    )
    assert (again.gone, again.level) == (True, services.Level.INFO)
    assert again.message == "That job was already deleted."
    assert "summarizer-7" not in await seeded_jobs()


async def test_a_read_only_key_may_not_delete(sandbox_env) -> None:
    use_key(sandbox_env, "sandbox-readonly-key")
    ids = await seeded_jobs()

    outcome = await services.delete_job(ids["summarizer-7"], OPERATOR)

    assert (outcome.gone, outcome.level) == (False, services.Level.ERROR)
    assert outcome.message == NO_DELETE_KEY
    assert "summarizer-7" in await seeded_jobs()
    assert connection.feed().snapshot.may_delete is False  # every open page turns Delete off


async def test_the_feed_learns_what_the_key_may_do_before_anyone_tries(sandbox_env) -> None:
    before = await seeded_jobs()
    for key, allowed in [("sandbox-readonly-key", False), (SANDBOX_DEMO_KEY, True)]:
        use_key(sandbox_env, key)
        feed = connection.feed()
        async with asyncio.timeout(10):
            async for snapshot in feed.watch():
                if snapshot.job_list is not None:
                    break
        assert (snapshot.may_create, snapshot.may_delete) == (allowed, allowed)
    assert await seeded_jobs() == before  # the probes created and deleted nothing


async def test_an_unexpected_error_while_creating_is_a_refusal_to_retry(
    sandbox_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(_job: JobInput):
        raise RuntimeError("a bug")

    monkeypatch.setattr(connection.upstream(), "create_job", broken)

    outcome = await services.create_job(job_input(), OPERATOR)

    assert outcome == services.Refused(jobs.UNEXPECTED, next_action=NextAction.RETRY)


def test_split_api_fields() -> None:
    fields = {"body": "Request body must be valid JSON", "learningRate": "Too high", "name": "Bad"}
    assert jobs.split_api_fields(fields) == (
        {"name": "Bad", "learningRate": "Too high"},
        ["body: Request body must be valid JSON"],
    )
    assert jobs.split_api_fields({}) == ({}, [])


# --- deleting, against a mocked hosted API --------------------------------------------------


@pytest.fixture
def fresh_feed(hosted_api: respx.MockRouter):
    """A feed for the mocked API that already knows two jobs."""
    feed = connection.feed()
    feed.snapshot = snapshot(job("a", "alpha"), job("b", "beta", "Completed"))
    return feed


async def test_delete_removes_the_job_from_the_shared_feed(
    hosted_api: respx.MockRouter, fresh_feed
) -> None:
    route = hosted_api.delete("/jobs/a").respond(json={"message": "Job deleted successfully"})

    outcome = await services.delete_job("a", OPERATOR)

    assert route.call_count == 1
    assert route.calls.last.request.headers["x-api-key"] == SECRET_KEY
    assert outcome.gone is True
    assert (outcome.level, outcome.message) == ("success", "Deleted “alpha”.")
    assert [job.id for job in fresh_feed.snapshot.job_list.jobs] == ["b"]
    assert fresh_feed.snapshot.summary.running == 0


async def test_delete_of_a_job_already_gone_removes_its_row(
    hosted_api: respx.MockRouter, fresh_feed
) -> None:
    hosted_api.delete("/jobs/a").respond(404, json={"error": "Job not found"})
    outcome = await services.delete_job("a", OPERATOR)
    assert outcome.gone is True
    assert outcome.level == "info"
    assert "already deleted" in outcome.message
    assert [job.id for job in fresh_feed.snapshot.job_list.jobs] == ["b"]


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (
            httpx.Response(403, json={"error": "Insufficient permissions to delete jobs"}),
            NO_DELETE_KEY,
        ),
        (httpx.Response(503), "Could not delete “alpha”. The Job Training API cannot be reached"),
    ],
)
async def test_a_refused_delete_keeps_the_job(
    hosted_api: respx.MockRouter, fresh_feed, response: httpx.Response, message: str
) -> None:
    hosted_api.delete("/jobs/a").mock(return_value=response)
    outcome = await services.delete_job("a", OPERATOR)
    assert outcome.gone is False
    assert outcome.level == "error"
    assert outcome.message.startswith(message)
    assert SECRET_KEY not in outcome.message
    assert [job.id for job in fresh_feed.snapshot.job_list.jobs] == ["a", "b"]


async def test_an_id_longer_than_any_real_one_is_not_asked_about(
    hosted_api: respx.MockRouter,
) -> None:
    found = await services.get_job("x" * 5000)
    assert (found.job, found.missing) == (None, True)
    assert hosted_api.calls.call_count == 0


async def test_a_job_the_shared_list_does_not_hold_yet_joins_it(
    hosted_api: respx.MockRouter,
) -> None:
    feed = connection.feed()
    feed.snapshot = snapshot(job("old", "old-job"))
    hosted_api.get("/jobs/new").respond(json=job("new", "made-elsewhere"))

    found = await services.get_job("new")

    assert found.job is not None
    assert [listed.id for listed in feed.snapshot.job_list.jobs] == ["new", "old"]
