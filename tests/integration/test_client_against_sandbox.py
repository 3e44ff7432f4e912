"""The real client, ``ftapp.upstream.UpstreamClient``, against a running standalone sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from ftapp.job_fields import JobInput
from ftapp.rules import JobStatus
from ftapp.upstream import (
    Deleted,
    Job,
    JobLimitReached,
    NotFound,
    PermissionDenied,
    Unauthorized,
    Unavailable,
    UpstreamClient,
    ValidationFailed,
)
from tests.helpers.servers import SandboxProcess, free_port
from tests.integration.helpers import (
    DEMO_KEY,
    JOB_LIMIT,
    OTHER_KEY,
    READONLY_KEY,
    TOO_MANY_JOBS,
    contract,
    valid_job,
)

ClientFactory = Callable[..., UpstreamClient]


@pytest.fixture
async def make_client() -> AsyncIterator[ClientFactory]:
    """``make_client(base_url, key, **options)``; every client is closed after the test."""
    clients: list[UpstreamClient] = []

    def make(base_url: str, key: str, **options: object) -> UpstreamClient:
        options.setdefault("retry_backoff_seconds", 0.01)
        client = UpstreamClient(base_url, key, **options)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def job_input(**overrides: object) -> JobInput:
    """A JobInput built without the rules' checks (to reach the API's own validation)."""
    return JobInput.model_validate(valid_job(**overrides))


async def test_round_trip(sandbox: SandboxProcess, make_client: ClientFactory) -> None:
    client = make_client(sandbox.api_url, DEMO_KEY)
    assert await client.health() is True

    models = await client.list_models()
    enum = contract()["components"]["schemas"]["JobInput"]["properties"]["baseModel"]["enum"]
    assert sorted(model.id for model in models) == sorted(enum)
    assert all(model.display_name for model in models)

    seeded = await client.list_jobs()
    assert len(seeded.jobs) == 6
    assert seeded.summary.total == 6
    assert (seeded.summary.completed, seeded.summary.running, seeded.summary.failed) == (3, 2, 1)
    assert all(job.created is not None and job.created_ago is None for job in seeded.jobs)

    wanted = job_input(name="client-round-trip", baseModel="Qwen/QwQ-32B", epochs=7)
    created = await client.create_job(wanted)
    assert isinstance(created, Job)
    assert created.status == JobStatus.RUNNING
    assert created.is_running
    assert (created.name, created.base_model, created.epochs) == (
        "client-round-trip",
        "Qwen/QwQ-32B",
        7,
    )
    assert (created.evaluation_epochs, created.warmup_epochs) == (1, 1)
    assert created.learning_rate == pytest.approx(0.0001)
    assert created.created_at is not None
    assert created.created_at.tzinfo is not None
    assert created.date == created.created_at
    assert created.created_ago is None  # it sent a time, so its wording is not kept

    assert await client.get_job(created.id) == created
    listed = await client.list_jobs()
    assert listed.jobs[0] == created
    assert listed.summary.running == 3

    deleted = await client.delete_job(created.id)
    assert isinstance(deleted, Deleted)
    assert deleted.message == "Job deleted successfully"
    with pytest.raises(NotFound):
        await client.get_job(created.id)
    assert len((await client.list_jobs()).jobs) == 6


async def test_validation_failed_carries_the_field_messages(
    sandbox: SandboxProcess, make_client: ClientFactory
) -> None:
    client = make_client(sandbox.api_url, OTHER_KEY)
    bad = job_input(name="x-", baseModel="gpt-4", epochs=2, evaluationEpochs=2, learningRate=3)
    with pytest.raises(ValidationFailed) as caught:
        await client.create_job(bad)
    error = caught.value
    assert error.status_code == 400
    assert set(error.fields) == {
        "name",
        "baseModel",
        "evaluationEpochs",
        "warmupEpochs",
        "learningRate",
    }
    assert all(isinstance(message, str) and message for message in error.fields.values())
    assert (await client.list_jobs()).jobs == []


async def test_permission_denied_for_a_readonly_key(
    sandbox: SandboxProcess, make_client: ClientFactory
) -> None:
    client = make_client(sandbox.api_url, READONLY_KEY)
    jobs = (await client.list_jobs()).jobs
    assert await client.get_job(jobs[0].id) == jobs[0]
    with pytest.raises(PermissionDenied) as on_create:
        await client.create_job(job_input())
    assert on_create.value.status_code == 403
    assert on_create.value.message == "Insufficient permissions to create jobs"
    with pytest.raises(PermissionDenied) as on_delete:
        await client.delete_job(jobs[0].id)
    assert on_delete.value.message == "Insufficient permissions to delete jobs"
    assert [job.id for job in (await client.list_jobs()).jobs] == [job.id for job in jobs]


async def test_not_found_for_unknown_and_foreign_jobs(
    sandbox: SandboxProcess, make_client: ClientFactory
) -> None:
    demo = make_client(sandbox.api_url, DEMO_KEY)
    other = make_client(sandbox.api_url, OTHER_KEY)
    demo_job = (await demo.list_jobs()).jobs[0]
    for job_id in ("no-such-job", "a/b", "..", demo_job.id):
        with pytest.raises(NotFound) as on_get:
            await other.get_job(job_id)
        assert on_get.value.status_code == 404
        with pytest.raises(NotFound):
            await other.delete_job(job_id)
    assert await demo.get_job(demo_job.id) == demo_job


async def test_job_limit_reached(sandbox: SandboxProcess, make_client: ClientFactory) -> None:
    client = make_client(sandbox.api_url, OTHER_KEY)
    jobs = [await client.create_job(job_input(name=f"limit-{i}")) for i in range(JOB_LIMIT)]
    with pytest.raises(JobLimitReached) as caught:
        await client.create_job(job_input(name="one-too-many"))
    assert caught.value.status_code == 429
    assert caught.value.message == TOO_MANY_JOBS["message"]
    await client.delete_job(jobs[0].id)
    await client.create_job(job_input(name="fits-again"))
    assert len((await client.list_jobs()).jobs) == JOB_LIMIT


@pytest.mark.parametrize("key", ["not-a-real-key", "sandbox-demo-key-typo"])
async def test_unauthorized_for_an_unknown_key(
    sandbox: SandboxProcess, make_client: ClientFactory, key: str
) -> None:
    client = make_client(sandbox.api_url, key)
    assert await client.health() is True  # health needs no key
    for call in (client.list_jobs, client.list_models, lambda: client.get_job("x")):
        with pytest.raises(Unauthorized) as caught:
            await call()
        assert caught.value.status_code == 401
        assert key not in caught.value.message
    with pytest.raises(Unauthorized):
        await client.create_job(job_input())
    with pytest.raises(Unauthorized):
        await client.delete_job("x")


async def test_unavailable_when_nothing_listens(make_client: ClientFactory) -> None:
    client = make_client(f"http://127.0.0.1:{free_port()}/api", DEMO_KEY, timeout_seconds=2.0)
    with pytest.raises(Unavailable):
        await client.list_jobs()
    with pytest.raises(Unavailable):
        await client.create_job(job_input())
    with pytest.raises(Unavailable):
        await client.delete_job("x")
    with pytest.raises(Unavailable):
        await client.health()


async def test_a_read_recovers_after_the_sandbox_restarts(
    sandbox: SandboxProcess, make_client: ClientFactory
) -> None:
    client = make_client(sandbox.api_url, OTHER_KEY)
    created = await client.create_job(job_input(name="survives-restart"))
    sandbox.stop()
    with pytest.raises(Unavailable):
        await client.get_job(created.id)
    sandbox.restart()  # same database, same port
    fetched = await client.get_job(created.id)
    assert fetched.model_dump(exclude={"created_ago"}) == created.model_dump(
        exclude={"created_ago"}
    )
