"""NewJobState's handlers against a mocked upstream (Reflex allows State() under pytest).

Background handlers are run through their function (``NewJobState.submit.fn(state)``):
outside a server, ``async with self`` is a no-op on a plain State.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Iterable
from typing import Any

import httpx
import pytest
import respx
from reflex.istate.data import PageData, ReflexURL, RouterData

from ftapp import services
from ftapp.pages.new_job.draft import Draft, SubmitMark, read_drafts, write_drafts
from ftapp.pages.new_job.form import DEFAULT_TEXTS, TEXT_LIMIT
from ftapp.pages.new_job.state import NewJobState
from ftapp.pages.workspace_state import ModelOption
from ftapp.services import connection, jobs
from tests.helpers.hosted_api import SECRET_KEY
from tests.unit.snapshots import job, snapshot

LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
QWQ = "Qwen/QwQ-32B"
MODELS = [
    {"id": LLAMA, "displayName": "Llama 3.1 8B Instruct"},
    {"id": QWQ, "displayName": "QwQ 32B"},
]
VALID = {**DEFAULT_TEXTS, "name": "my-job", "baseModel": LLAMA}
JOB = {
    "id": "job-1",
    "name": "support-bot",
    "baseModel": QWQ,
    "epochs": 8,
    "evaluationEpochs": 2,
    "warmupEpochs": 1,
    "learningRate": 0.0003,
    "status": "Completed",
}
BUDGET_1 = "Evaluation + warm-up epochs must not exceed 1 training epoch"


# --- helpers ------------------------------------------------------------------------------


def flatten(result: Any) -> list[Any]:
    if result is None:
        return []
    if isinstance(result, list | tuple):
        return [item for part in result for item in flatten(part)]
    return [result]


async def run_background(handler: Any, state: NewJobState) -> list[Any]:
    """Run a background handler to its end; returns what it yielded or returned."""
    result = handler.fn(state)
    if hasattr(result, "__aiter__"):
        return [event async for event in result if event is not None]
    return flatten(await result)


def handler_name(event: Any) -> str:
    """E.g. "_redirect" for ``rx.redirect(...)`` (its function's ``__name__`` is "fn")."""
    fn = event.handler.fn if hasattr(event, "handler") else event.fn
    return fn.__qualname__.rsplit(".", 1)[-1]


def arg(event: Any, name: str) -> Any:
    for key, value in event.args:
        if str(key) == name:
            return getattr(value, "_var_value", str(value))
    raise KeyError(name)


def redirects(events: Iterable[Any]) -> list[tuple[str, bool]]:
    """``(path, replace)`` of each redirect among ``events``."""
    return [
        (arg(event, "path"), arg(event, "replace"))
        for event in events
        if handler_name(event) == "_redirect"
    ]


def scripts(events: Iterable[Any]) -> list[str]:
    return [
        arg(event, "javascript_code") for event in events if handler_name(event) == "_call_script"
    ]


def at(state: NewJobState, query: str = "", workspace: str = "default") -> NewJobState:
    state.router = RouterData(
        url=ReflexURL(f"http://localhost:3000/w/{workspace}/jobs/new{query}"),
        _page=PageData(params={"workspace_slug": workspace}),
    )
    return state


def new_state(
    texts: dict[str, str] | None = None, step: str = "setup", models: bool = True
) -> NewJobState:
    """A state whose draft has been restored, with ``texts`` on ``step``."""
    state = NewJobState()
    state._draft_restored = True
    state.texts = dict(texts or DEFAULT_TEXTS)
    state.step = step
    if models:
        state.models = [ModelOption(id=m["id"], display_name=m["displayName"]) for m in MODELS]
    return state


async def open_at(state: NewJobState, query: str = "", workspace: str = "default") -> list[Any]:
    return flatten(await at(state, query, workspace).open_step())


def stored(state: NewJobState) -> Draft | None:
    """The stored draft of the default workspace, without its id (which tests compare
    apart)."""
    draft = read_drafts(state.draft).get("default")
    return None if draft is None else dataclasses.replace(draft, id="")


# --- opening the page: draft, step in the URL ----------------------------------------------


async def test_first_visit_lands_on_set_up_without_messages() -> None:
    state = NewJobState()

    events = await open_at(state)

    assert state.step == "setup"
    assert redirects(events) == [("/w/default/jobs/new?step=setup", True)]
    assert set(state.messages.values()) == {""}
    assert state.texts == DEFAULT_TEXTS
    assert state.draft == ""


@pytest.mark.parametrize("step", ["configure", "review"])
async def test_a_later_step_with_an_empty_form_opens_set_up_and_says_why(step: str) -> None:
    state = NewJobState()

    events = await open_at(state, f"?step={step}")

    assert state.step == "setup"
    assert redirects(events) == [("/w/default/jobs/new?step=setup", True)]
    assert state.messages["name"] == "Job name is required"
    assert state.messages["baseModel"] == "Choose a base model"


async def test_the_draft_in_the_browser_is_restored_with_its_step() -> None:
    state = NewJobState()
    state.draft = Draft(texts=VALID, step="review", touched=["name"]).to_json()

    events = await open_at(state)

    assert state.texts == VALID
    assert state.step == "review"
    assert state.touched == ["name"]
    assert redirects(events) == [("/w/default/jobs/new?step=review", True)]


async def test_a_link_to_review_opens_the_first_invalid_step_of_the_draft() -> None:
    state = NewJobState()
    state.draft = Draft(texts={**VALID, "epochs": "1"}, step="setup").to_json()

    events = await open_at(state, "?step=review")

    assert state.step == "configure"
    assert redirects(events) == [("/w/default/jobs/new?step=configure", True)]
    assert state.messages["warmupEpochs"] == BUDGET_1  # said once, under the budget's last field


async def test_a_valid_step_in_the_url_is_kept_without_a_redirect() -> None:
    state = new_state(VALID)

    events = await open_at(state, "?step=configure")

    assert redirects(events) == []
    assert events == [NewJobState.follow_workspace]  # the page then follows the workspace
    assert state.step == "configure"
    assert stored(state) == Draft(texts=VALID, step="configure")


async def test_an_unknown_step_in_the_url_falls_back_to_the_drafts_step() -> None:
    state = new_state(VALID, step="configure")

    events = await open_at(state, "?step=finish")

    assert state.step == "configure"
    assert redirects(events) == [("/w/default/jobs/new?step=configure", True)]


async def test_the_draft_is_restored_once_per_session_not_on_every_step() -> None:
    state = NewJobState()
    state.draft = Draft(texts=VALID, step="configure").to_json()
    await open_at(state, "?step=configure")
    state.set_field("name", "changed-here")
    state.draft = Draft(texts={**VALID, "name": "stale"}, step="configure").to_json()

    await open_at(state, "?step=configure")

    assert state.texts["name"] == "changed-here"


@pytest.mark.parametrize("raw", ["{not json", '{"v": 99}', "[]"])
async def test_a_garbled_draft_gives_the_defaults(raw: str) -> None:
    state = NewJobState()
    state.draft = raw

    await open_at(state)

    assert state.texts == DEFAULT_TEXTS
    assert state.step == "setup"


# --- typing: messages, the epoch budget, the draft ------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ab", ""),  # still typing: not told it is short yet...
        ("abc", ""),
        ("a" * 50, ""),
        ("a" * 51, "Job name must be at most 50 characters"),
        ("abc-", "Job name must not end with a dash"),
        ("ab_c", "Job name may contain only letters, digits and dashes"),
        ("a_", "Job name may contain only letters, digits and dashes"),
    ],
)
def test_typing_a_name_updates_its_message_and_the_draft(name: str, message: str) -> None:
    state = new_state()

    state.set_field("name", name)

    assert state.messages["name"] == message
    assert state.messages["baseModel"] == ""  # untouched fields stay quiet
    assert stored(state) == Draft(texts={**DEFAULT_TEXTS, "name": name}, touched=["name"])


def test_leaving_an_empty_field_shows_that_it_is_required() -> None:
    state = new_state()
    assert state.messages["name"] == ""

    state.touch_field("name", "")

    assert state.messages["name"] == "Job name is required"
    assert stored(state) == Draft(touched=["name"])


def test_lowering_epochs_rechecks_evaluation_and_warm_up_at_once() -> None:
    state = new_state(VALID, "configure")

    state.set_field("epochs", "1")

    assert state.messages["epochs"] == ""
    assert state.messages["evaluationEpochs"] == ""  # the budget is said once...
    assert state.messages["warmupEpochs"] == BUDGET_1  # ...under its last field

    state.set_field("warmupEpochs", "0")

    assert state.messages["evaluationEpochs"] == state.messages["warmupEpochs"] == ""


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("epochs", "0", "Epochs must be at least 1"),
        ("epochs", "", ""),  # said when the user leaves the field, not while they type
        ("epochs", "2.5", "Epochs must be a whole number"),
        ("evaluationEpochs", "2", ""),
        ("evaluationEpochs", "3", ""),  # the budget's message sits under warm-up epochs
        ("evaluationEpochs", "-1", "Evaluation epochs must be at least 0"),
        ("learningRate", "0", ""),
        ("learningRate", "1", ""),
        ("learningRate", "1e-4", ""),
        ("learningRate", "1.0001", "Learning rate must be between 0 and 1"),
        ("learningRate", "-0.1", "Learning rate must be between 0 and 1"),
        ("learningRate", "abc", "Learning rate must be a number"),
        ("learningRate", "", ""),  # said when the user leaves the field
    ],
)
def test_configure_fields_use_the_rules_messages(field: str, text: str, message: str) -> None:
    state = new_state(VALID, "configure")

    state.set_field(field, text)

    assert state.messages[field] == message


def test_an_unknown_field_is_ignored() -> None:
    state = new_state()

    state.set_field("apiKey", "x")
    state.touch_field("apiKey", "x")

    assert state.texts == DEFAULT_TEXTS
    assert state.draft == ""


# --- steppers ------------------------------------------------------------------------------


def test_steppers_move_by_one_and_stop_at_the_budget() -> None:
    state = new_state(VALID, "configure")
    assert state.can_decrease["epochs"] is True
    assert state.can_increase["evaluationEpochs"] is True

    state.step_field("epochs", -1)
    assert state.texts["epochs"] == "2"
    assert state.can_decrease["epochs"] is False  # evaluation + warm-up = 2
    assert state.input_min["epochs"] == "2"

    state.step_field("epochs", -1)
    assert state.texts["epochs"] == "2"

    assert state.can_increase["evaluationEpochs"] is False
    assert state.input_max["evaluationEpochs"] == "1"
    state.step_field("evaluationEpochs", 1)
    assert state.texts["evaluationEpochs"] == "1"

    state.step_field("evaluationEpochs", -1)
    state.step_field("evaluationEpochs", -1)
    assert state.texts["evaluationEpochs"] == "0"
    assert state.can_decrease["evaluationEpochs"] is False
    assert stored(state).texts["evaluationEpochs"] == "0"


def test_epochs_stepper_stops_at_one() -> None:
    state = new_state({**VALID, "epochs": "1", "evaluationEpochs": "0", "warmupEpochs": "0"})

    state.step_field("epochs", -1)

    assert state.texts["epochs"] == "1"
    assert state.can_decrease["epochs"] is False
    assert state.can_increase["epochs"] is True
    assert state.input_max["epochs"] == "1000"


def test_steppers_ignore_other_fields_and_steps() -> None:
    state = new_state(VALID, "configure")

    state.step_field("learningRate", 1)
    state.step_field("epochs", 5)

    assert state.texts == VALID


# --- Next and Back -------------------------------------------------------------------------


def test_next_on_an_invalid_set_up_stays_and_focuses_the_first_invalid_field() -> None:
    state = new_state()

    events = flatten(state.go_next())

    assert state.step == "setup"
    assert redirects(events) == []
    assert scripts(events) == ['document.getElementById("job-name")?.focus()']
    assert state.messages["name"] == "Job name is required"
    assert state.messages["baseModel"] == "Choose a base model"
    assert state.messages["epochs"] == ""


def test_next_checks_only_the_current_steps_fields() -> None:
    state = new_state({**VALID, "learningRate": "abc"})

    events = flatten(state.go_next())

    assert state.step == "configure"
    assert redirects(events) == [("/w/default/jobs/new?step=configure", False)]
    assert scripts(events) == ['document.getElementById("wizard-step-heading")?.focus()']
    assert state.messages["learningRate"] == ""
    assert stored(state).step == "configure"


def test_next_on_configure_checks_the_budget() -> None:
    state = new_state({**VALID, "warmupEpochs": "3"}, "configure")

    events = flatten(state.go_next())

    assert state.step == "configure"
    assert scripts(events) == ['document.getElementById("evaluation-epochs")?.focus()']

    state.set_field("warmupEpochs", "2")
    assert redirects(flatten(state.go_next())) == [("/w/default/jobs/new?step=review", False)]


def test_next_rejects_a_model_the_api_does_not_list() -> None:
    state = new_state({**VALID, "baseModel": "gone/model"})

    state.go_next()

    assert state.step == "setup"
    assert state.messages["baseModel"] == "Unknown base model: gone/model"


def test_next_on_review_submits() -> None:
    assert new_state(VALID, "review").go_next() == NewJobState.submit


def test_back_keeps_every_value() -> None:
    state = new_state({**VALID, "learningRate": "abc"}, "review")

    assert redirects(flatten(state.go_back())) == [("/w/default/jobs/new?step=configure", False)]
    assert redirects(flatten(state.go_back())) == [("/w/default/jobs/new?step=setup", False)]
    assert redirects(flatten(state.go_back())) == [("/w/default/jobs/new?step=setup", False)]
    assert state.texts["learningRate"] == "abc"


# --- submit ------------------------------------------------------------------------------


def created(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    return httpx.Response(201, json={**body, "id": "new-1", "status": "Running"})


async def submit(state: NewJobState) -> list[Any]:
    return await run_background(NewJobState.submit, state)


async def test_created_job_toasts_redirects_and_clears_the_draft(
    hosted_api: respx.MockRouter,
) -> None:
    route = hosted_api.post("/jobs").mock(side_effect=created)
    state = new_state({**VALID, "learningRate": " 1e-4 "}, "review")
    feed = connection.feed()
    feed.snapshot = snapshot(job("old", "old-job"))
    state._save_draft()

    events = await submit(state)

    assert json.loads(route.calls.last.request.content) == {
        "name": "my-job",
        "baseModel": LLAMA,
        "epochs": 3,
        "evaluationEpochs": 1,
        "warmupEpochs": 1,
        "learningRate": 0.0001,
    }
    assert redirects(events) == [("/w/default", False)]
    assert any("Job my-job created." in str(event) for event in events)
    assert state.texts == DEFAULT_TEXTS
    assert state.draft == ""
    assert state.step == "setup"
    assert state.submitting is False
    assert state.has_draft is False
    # Every open page of the workspace shows the new job at once.
    assert [listed.id for listed in feed.snapshot.job_list.jobs] == ["new-1", "old"]


async def test_a_second_submit_while_the_first_is_pending_sends_nothing(
    hosted_api: respx.MockRouter,
) -> None:
    sent = asyncio.Event()
    release = asyncio.Event()

    async def slow_create(request: httpx.Request) -> httpx.Response:
        sent.set()
        await release.wait()
        return created(request)

    route = hosted_api.post("/jobs").mock(side_effect=slow_create)
    state = new_state(VALID, "review")

    first = asyncio.create_task(submit(state))
    await sent.wait()
    assert state.submitting is True

    assert await submit(state) == []  # the second click or Enter

    release.set()
    await first
    assert route.call_count == 1


async def test_submit_with_invalid_values_sends_nothing_and_opens_their_step(
    hosted_api: respx.MockRouter,
) -> None:
    route = hosted_api.post("/jobs").mock(side_effect=created)
    state = new_state({**VALID, "learningRate": "2"}, "review")

    events = await submit(state)

    assert route.call_count == 0
    assert state.step == "configure"
    assert redirects(events) == [("/w/default/jobs/new?step=configure", False)]
    assert scripts(events) == ['document.getElementById("learning-rate")?.focus()']
    assert state.messages["learningRate"] == "Learning rate must be between 0 and 1"


async def test_a_submit_sent_while_the_workspace_is_full_gets_the_apis_answer(
    hosted_api: respx.MockRouter,
) -> None:
    """Submit is off in the page, but a script may still send it: the API decides."""
    message = "Your workspace has reached the maximum limit of 10 jobs."
    route = hosted_api.post("/jobs").respond(
        429, json={"error": "Too Many Jobs", "message": message}
    )
    state = new_state(VALID, "review")
    state._apply_workspace(snapshot(*[job(str(n), f"job-{n}") for n in range(10)]))
    assert state.workspace_full is True

    assert await submit(state) == []
    assert route.call_count == 1
    assert state.form_error == message
    assert state.texts == VALID


async def test_a_viewers_submit_is_refused_without_asking_the_api(
    hosted_api: respx.MockRouter, signed_in
) -> None:
    signed_in("viewer", "vera")
    route = hosted_api.post("/jobs").mock(side_effect=created)
    state = new_state(VALID, "review")

    assert await submit(state) == []
    assert route.call_count == 0
    assert state.form_error == "Viewers may not create jobs."
    assert state.texts == VALID


async def test_submit_only_from_the_review_step(hosted_api: respx.MockRouter) -> None:
    route = hosted_api.post("/jobs").mock(side_effect=created)

    assert await submit(new_state(VALID, "configure")) == []
    assert route.call_count == 0


async def test_an_api_field_message_opens_its_step_and_shows_under_the_field(
    hosted_api: respx.MockRouter,
) -> None:
    hosted_api.post("/jobs").respond(
        400, json={"error": "Validation failed", "fields": {"baseModel": "Not taking jobs"}}
    )
    state = new_state(VALID, "review")

    events = await submit(state)

    assert state.step == "setup"
    assert redirects(events) == [("/w/default/jobs/new?step=setup", False)]
    assert scripts(events) == ['document.getElementById("base-model")?.focus()']
    assert state.messages["baseModel"] == "Not taking jobs"
    assert "see the messages under the fields" in state.form_error
    assert state.texts == VALID
    assert stored(state).texts == VALID

    state.set_field("baseModel", QWQ)
    assert state.messages["baseModel"] == ""


async def test_the_first_api_field_decides_the_step(hosted_api: respx.MockRouter) -> None:
    hosted_api.post("/jobs").respond(
        400,
        json={"fields": {"learningRate": "Too high for this model", "warmupEpochs": "Too many"}},
    )
    state = new_state(VALID, "review")

    events = await submit(state)

    assert state.step == "configure"
    assert redirects(events) == [("/w/default/jobs/new?step=configure", False)]
    assert scripts(events) == ['document.getElementById("warmup-epochs")?.focus()']
    assert state.messages["learningRate"] == "Too high for this model"

    state.set_field("epochs", "4")  # the epoch budget's fields are re-checked together
    assert state.messages["warmupEpochs"] == ""
    assert state.messages["learningRate"] == "Too high for this model"


async def test_an_api_message_for_a_field_the_form_does_not_show_goes_on_top(
    hosted_api: respx.MockRouter,
) -> None:
    hosted_api.post("/jobs").respond(
        400, json={"error": "Validation failed", "fields": {"body": "Request body is odd"}}
    )
    state = new_state(VALID, "review")

    events = await submit(state)

    assert state.step == "review"
    assert redirects(events) == []
    assert state.form_error == "body: Request body is odd"
    assert set(state.messages.values()) == {""}


async def test_a_read_only_key_is_told_and_keeps_its_values(
    hosted_api: respx.MockRouter,
) -> None:
    hosted_api.post("/jobs").respond(403, json={"error": "Insufficient permissions"})
    state = new_state(VALID, "review")

    assert await submit(state) == []

    assert state.form_error == "This API key may not create jobs (it is read-only)."
    assert state.form_error_action == ""
    assert state.texts == VALID
    assert state.submitting is False
    assert connection.feed().snapshot.may_create is False  # every open page learns it too


async def test_a_full_workspace_shows_the_apis_message_and_the_dashboard(
    hosted_api: respx.MockRouter,
) -> None:
    message = "Your workspace has reached the maximum limit of 10 jobs."
    hosted_api.post("/jobs").respond(429, json={"error": "Too Many Jobs", "message": message})
    state = new_state(VALID, "review")

    assert await submit(state) == []

    assert state.form_error == message
    assert state.form_error_action == "dashboard"
    assert state.texts == VALID


async def test_an_unreachable_api_offers_retry_and_keeps_the_values(
    hosted_api: respx.MockRouter,
) -> None:
    # Refused at connect: nothing was sent, so no job can exist and Retry is safe.
    route = hosted_api.post("/jobs").mock(side_effect=httpx.ConnectError("refused"))
    state = new_state(VALID, "review")

    assert await submit(state) == []

    assert "cannot be reached" in state.form_error
    assert state.form_error_action == "retry"
    assert state.texts == VALID
    assert state.submitting is False
    assert stored_mark(state) is None  # no submit left to check

    route.mock(side_effect=created)
    events = await submit(state)  # Retry
    assert redirects(events) == [("/w/default", False)]
    assert state.form_error == ""


def stored_mark(state: NewJobState) -> dict | None:
    """The submit the browser's draft says is under way, if any."""
    draft = read_drafts(state.draft).get("default")
    return draft.submit.to_data() if draft and draft.submit else None


def listing(*jobs_: dict) -> dict:
    return {"jobs": list(jobs_), "summary": {"completed": 0, "running": len(jobs_), "failed": 0}}


def made_for(mark: dict, job_id: str = "new-1") -> dict:
    """The job the API made for the submit ``mark`` describes."""
    return {**mark["job"], "id": job_id, "status": "Running"}


async def test_a_timed_out_submit_that_made_the_job_is_reported_created_not_retried(
    hosted_api: respx.MockRouter,
) -> None:
    state = new_state(VALID, "review")
    sent: list[dict] = []

    def made_but_lost(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        raise httpx.ReadTimeout("the answer was lost")

    create = hosted_api.post("/jobs").mock(side_effect=made_but_lost)
    hosted_api.get("/jobs").mock(
        side_effect=lambda _request: httpx.Response(
            200, json=listing({**sent[0], "id": "new-1", "status": "Running"})
        )
    )

    events = await submit(state)

    assert create.call_count == 1
    assert redirects(events) == [("/w/default", False)]
    assert any("found the job" in str(event) for event in events)
    assert state.texts == DEFAULT_TEXTS  # the draft became a job
    assert stored_mark(state) is None


async def test_while_it_cannot_tell_the_form_stays_locked_and_keeps_checking(
    hosted_api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ftapp.pages.new_job import submission

    monkeypatch.setattr(submission, "CHECK_EVERY_SECONDS", 0.01)
    monkeypatch.setattr(jobs, "SETTLE_CHECK_SECONDS", 0.01)
    hosted_api.post("/jobs").mock(side_effect=httpx.ReadTimeout("the answer was lost"))
    listed = hosted_api.get("/jobs").mock(side_effect=httpx.ConnectError("down"))
    state = new_state(VALID, "review")

    events = await submit(state)

    assert [handler_name(e) for e in flatten(events)] == ["check_create"]
    assert state.submitting is True
    assert state.checking_create is True
    assert "checking whether your job was created" in state.form_error
    mark = stored_mark(state)
    assert mark is not None
    assert mark["job"]["name"] == "my-job"  # a reload or another tab checks it too

    # The API is back and lists the job: the check reports it created.
    listed.mock(side_effect=lambda _r: httpx.Response(200, json=listing(made_for(mark))))
    events = await run_background(NewJobState.check_create, state)

    assert redirects(events) == [("/w/default", False)]
    assert state.submitting is False
    assert state.checking_create is False
    assert stored_mark(state) is None
    await jobs.settle_lost_creates(5)


async def test_a_reload_with_a_submit_under_way_checks_before_offering_submit(
    hosted_api: respx.MockRouter,
) -> None:
    # A draft whose submit began long ago and whose job the API does not list: surely absent.
    draft = Draft(
        texts=dict(VALID),
        step="review",
        id="draft-1",
        submit=SubmitMark(
            job={
                "name": "my-job",
                "baseModel": LLAMA,
                "epochs": 3,
                "evaluationEpochs": 1,
                "warmupEpochs": 0,
                "learningRate": 0.0001,
            },
            started_at=1_000_000.0,
        ),
    )
    hosted_api.get("/jobs").respond(200, json=listing(job("old", "old-job")))
    state = NewJobState()
    state.draft = draft.to_json()

    events = await open_at(state, "?step=review")

    assert "check_create" in [handler_name(e) for e in events]
    assert state.submitting is True  # Submit waits for the check
    assert state.form_error.startswith("Your last submit of this form has no known outcome")

    await run_background(NewJobState.check_create, state)

    assert state.submitting is False
    assert state.checking_create is False
    assert state.form_error.startswith("The job was not created.")
    assert state.form_error_action == "retry"
    assert state.texts == VALID  # nothing typed is lost
    assert stored_mark(state) is None


async def test_a_crafted_submit_mark_is_forgotten(hosted_api: respx.MockRouter) -> None:
    state = NewJobState()
    raw = json.loads(Draft(texts=dict(VALID), id="d").to_json())
    raw["submit"] = {"job": {"name": 5}, "at": 1.0, "known": []}
    state.draft = json.dumps(raw)

    await open_at(state)
    await run_background(NewJobState.check_create, state)

    assert (state.submitting, state.checking_create, state.form_error) == (False, False, "")
    assert stored_mark(state) is None


async def test_an_unexpected_failure_does_not_leave_submit_pending(
    hosted_api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    hosted_api.post("/jobs").mock(side_effect=created)
    state = new_state(VALID, "review")

    async def broken(*_args: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("ftapp.upstream.UpstreamClient.create_job", broken)

    assert await submit(state) == []

    assert state.submitting is False
    assert state.form_error == jobs.UNEXPECTED
    assert state.form_error_action == "retry"
    assert state.texts == VALID


async def test_a_refused_key_is_reported_without_the_key(hosted_api: respx.MockRouter) -> None:
    hosted_api.post("/jobs").respond(401, json={"error": "Invalid API key"})
    state = new_state(VALID, "review")

    await submit(state)

    assert "API key was refused" in state.form_error
    assert state.form_error_action == ""
    assert SECRET_KEY not in json.dumps(state.dict(), default=str)


# --- clone, start over, restore ----------------------------------------------------------


async def test_clone_fills_the_form_from_the_job(hosted_api: respx.MockRouter) -> None:
    hosted_api.get("/jobs/job-1").respond(json=JOB)
    state = NewJobState()

    events = await open_at(state, "?clone=job-1")

    assert state.texts == {
        "name": "support-bot-copy",
        "baseModel": QWQ,
        "epochs": "8",
        "evaluationEpochs": "2",
        "warmupEpochs": "1",
        "learningRate": "0.0003",
    }
    assert state.step == "setup"
    assert redirects(events) == [
        ("/w/default/jobs/new?step=setup", True)
    ]  # the clone id leaves the URL
    assert state.notice == "Settings copied from job support-bot."
    assert state.can_restore is False
    assert stored(state).texts == state.texts


async def test_clone_over_a_draft_can_be_undone(hosted_api: respx.MockRouter) -> None:
    hosted_api.get("/jobs/job-1").respond(json=JOB)
    state = NewJobState()
    state.draft = Draft(texts=VALID, step="review").to_json()

    await open_at(state, "?clone=job-1&step=review")

    assert state.texts["name"] == "support-bot-copy"
    assert state.step == "setup"
    assert state.can_restore is True

    events = flatten(state.restore_previous())

    assert state.texts == VALID
    assert redirects(events) == [("/w/default/jobs/new?step=review", False)]
    assert state.can_restore is False


async def test_clone_of_an_unknown_job_says_so_and_keeps_the_form(
    hosted_api: respx.MockRouter,
) -> None:
    hosted_api.get("/jobs/nope").respond(404, json={"error": "Job not found"})
    state = NewJobState()

    events = await open_at(state, "?clone=nope")

    assert state.notice == "There is no job nope to copy (it may have been deleted)."
    assert state.texts == DEFAULT_TEXTS
    assert redirects(events) == [("/w/default/jobs/new?step=setup", True)]


async def test_clone_while_the_api_is_down_offers_to_try_again(
    hosted_api: respx.MockRouter,
) -> None:
    hosted_api.get("/jobs/job-1").mock(side_effect=httpx.ConnectError("refused"))
    state = NewJobState()

    await open_at(state, "?clone=job-1")

    assert "could not be loaded" in state.notice
    assert state.notice_link == "/w/default/jobs/new?clone=job-1"


def test_start_over_clears_the_form_and_the_draft_and_can_be_undone() -> None:
    state = new_state({**VALID, "epochs": "9"}, "configure")
    state.touched = ["name"]
    state.form_error = "old"

    events = flatten(state.start_over())

    assert state.texts == DEFAULT_TEXTS
    assert state.draft == ""
    assert state.touched == []
    assert state.form_error == ""
    assert redirects(events) == [("/w/default/jobs/new?step=setup", False)]
    assert state.can_restore is True

    state.restore_previous()
    assert state.texts == {**VALID, "epochs": "9"}
    assert state.step == "configure"
    assert state.touched == ["name"]


def test_dismissing_the_notice_forgets_the_replaced_draft() -> None:
    state = new_state(VALID)
    state.start_over()

    state.dismiss_notice()

    assert (state.notice, state.can_restore) == ("", False)
    assert state.restore_previous() is None
    assert state.texts == DEFAULT_TEXTS


def test_start_over_on_an_empty_form_has_nothing_to_restore() -> None:
    state = new_state()

    state.start_over()

    assert state.can_restore is False
    assert state.restore_previous() is None


# --- what the page shows ---------------------------------------------------------------


def test_review_shows_the_model_by_display_name_and_the_rate_as_sent() -> None:
    state = new_state({**VALID, "learningRate": "1e-4"}, "review")

    assert [(row.label, row.value) for row in state.review_setup] == [
        ("Job name", "my-job"),
        ("Base model", "Llama 3.1 8B Instruct"),
    ]
    assert [(row.label, row.value) for row in state.review_configure] == [
        ("Epochs", "3"),
        ("Evaluation epochs", "1"),
        ("Warm-up epochs", "1"),
        ("Learning rate", "0.0001"),
    ]


def test_review_without_the_model_list_shows_the_model_id() -> None:
    state = new_state(VALID, "review", models=False)

    assert state.review_setup[1].value == LLAMA


def test_hints_say_how_much_the_budget_leaves() -> None:
    state = new_state(VALID, "configure")

    assert state.hints["evaluationEpochs"].endswith("Up to 2 now.")
    assert state.hints["name"].startswith("3 to 50 characters")


def test_step_number_title_and_has_draft() -> None:
    state = new_state(step="review")
    assert (state.step_number, state.step_title, state.has_draft) == (3, "Review", False)

    state.set_field("name", "x")
    assert state.has_draft is True


def test_a_huge_paste_is_kept_only_up_to_the_form_text_limit() -> None:
    state = new_state()
    state.set_field("name", "n" * 5000)
    assert state.texts["name"] == "n" * TEXT_LIMIT
    assert state.messages["name"] == "Job name must be at most 50 characters"
    assert len(state.draft) < 2 * TEXT_LIMIT + 200


def test_a_short_name_is_told_when_the_user_leaves_the_field() -> None:
    state = new_state()
    state.set_field("name", "ab")
    assert state.messages["name"] == ""
    state.touch_field("name", "ab")
    assert state.messages["name"] == "Job name must be at least 3 characters"
    state.set_field("name", "abc")  # typing again: fixed at once
    assert state.messages["name"] == ""


def test_spaces_around_a_pasted_name_go_when_the_user_leaves_the_field() -> None:
    state = new_state()
    state.set_field("name", "  my-job  ")
    assert state.messages["name"] == ""
    revision = state.revisions.get("name", 0)
    state.touch_field("name", "  my-job  ")
    assert state.texts["name"] == "my-job"
    assert state.messages["name"] == ""
    assert state.revisions["name"] == revision + 1  # the page is redrawn with the trimmed name


def test_typing_never_redraws_the_field_the_user_types_in() -> None:
    state = new_state()
    for text in ("m", "my", "my-", "my-j", "my-job"):
        state.set_field("name", text)
    assert state.revisions.get("name", 0) == 0
    state.touch_field("name", "my-job")
    assert state.revisions.get("name", 0) == 0  # nothing to trim: no redraw either


def test_leaving_a_field_adopts_the_text_it_shows() -> None:
    """A keystroke whose event never arrived cannot leave the server with another text."""
    state = new_state()
    state.set_field("name", "my-jo")  # the last keystroke's event was lost
    state.touch_field("name", "my-job")
    assert state.texts["name"] == "my-job"
    assert stored(state).texts["name"] == "my-job"
    state.touch_field("name", "x" * 5000)
    assert state.texts["name"] == "x" * TEXT_LIMIT


def test_a_stepper_and_a_restored_draft_redraw_their_fields() -> None:
    state = new_state(VALID, "configure")
    before = dict(state.revisions)
    state.step_field("epochs", 1)
    assert state.revisions["epochs"] == before.get("epochs", 0) + 1
    assert state.revisions.get("warmupEpochs", 0) == before.get("warmupEpochs", 0)
    state.start_over()
    assert all(state.revisions[name] > before.get(name, 0) for name in DEFAULT_TEXTS)


def test_a_submit_mark_from_the_future_counts_as_begun_now() -> None:
    import time

    from ftapp.pages.new_job.submission import pending_of

    job_body = {
        "name": "my-job",
        "baseModel": LLAMA,
        "epochs": 3,
        "evaluationEpochs": 1,
        "warmupEpochs": 0,
        "learningRate": 0.0001,
    }
    pending = pending_of(SubmitMark(job=job_body, started_at=4_000_000_000.0).to_data(), "default")
    assert pending is not None
    assert pending.started_at <= time.time()  # so the check can conclude, not wait for good


# --- a draft per workspace --------------------------------------------------------------------


async def test_each_workspace_shows_its_own_draft_and_keeps_the_others(
    monkeypatch: pytest.MonkeyPatch, signed_in
) -> None:
    olga = signed_in("operator", "olga")

    async def enter(identity, slug):
        return identity.in_workspace(slug, olga.role)

    monkeypatch.setattr(services, "enter", enter)
    monkeypatch.setattr(services, "current_if_fresh", lambda _slug: None)  # no feed here
    ours = Draft(texts={**VALID, "name": "ours"}, step="configure", touched=["name"])
    state = NewJobState()
    state.draft = write_drafts({"default": ours})

    await open_at(state)
    assert state.texts["name"] == "ours"

    await open_at(state, workspace="team-b")
    assert state.texts == DEFAULT_TEXTS  # team-b's wizard: nothing typed there yet
    state.set_field("name", "theirs")
    drafts = read_drafts(state.draft)
    assert drafts["default"].texts["name"] == "ours"
    assert drafts["team-b"].texts["name"] == "theirs"

    await open_at(state)
    assert state.texts["name"] == "ours"
