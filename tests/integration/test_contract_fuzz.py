"""Fuzz the running sandbox with schemathesis against the contract document.

``test_sandbox_conforms_to_its_contract`` is one generated test per operation: schemathesis'
examples, coverage and fuzzing phases send valid and invalid requests (bounded by
``MAX_EXAMPLES``), authenticated with ``sandbox-other-key``, whose workspace starts empty in
a temporary database, so creating and deleting jobs is harmless.
``test_existing_jobs_conform_to_the_served_contract`` loads the document the sandbox serves
and adds what random ids cannot reach: 200 on a real job, 201 up to the limit, 429, 403.

Which checks, and why:

- ``not_a_server_error``: nothing we can send may yield a 5xx.
- ``status_code_conformance`` (via ``documented_status_or_401_without_a_key``): with a key,
  every status is one the contract documents for the operation (200/201/400/429, 403, and
  404 on ``/jobs/{id}``). The contract declares the ``x-api-key`` scheme but documents no
  401, so requests schemathesis deliberately sends without the key are instead required to
  get exactly 401.
- ``content_type_conformance`` and ``response_schema_conformance``: documented responses
  carry the documented media type, and their bodies validate against the contract's schemas
  (``Job`` as written, including ``createdAgo`` in ``required``).
- ``negative_data_rejection``: a body the contract's ``JobInput`` forbids (wrong type, missing
  field, model outside the enum, learning rate outside [0, 1]) is refused with a 4xx.
- ``ignored_auth`` and our stricter ``refuses_requests_without_a_key``: the same request sent
  without the key, or with an unknown one, is refused, with exactly 401 and a JSON ``error``.

Left out on purpose: ``positive_data_acceptance``. ``JobInput`` puts no bounds on the name or
the epoch counts, while the product rules (``ftapp.rules``) refuse e.g. a two-letter name or
``epochs: 0`` with the documented 400, so schema-valid bodies may rightly be refused. The
checks for unsupported methods and the stateful ones are not promised by the contract.
"""

from __future__ import annotations

import httpx
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers.servers import SandboxProcess
from tests.integration.helpers import (
    DEMO_KEY,
    JOB_LIMIT,
    OPENAPI_PATH,
    OTHER_KEY,
    READONLY_KEY,
    keyed,
    valid_job,
)

MAX_EXAMPLES = 40
PUBLIC_PATHS = {"/health", "/openapi.json"}  # the contract sets "security: []" on these
KNOWN_KEYS = {DEMO_KEY, READONLY_KEY, OTHER_KEY}


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            # The key as a configured header: schemathesis then treats requests as explicitly
            # authenticated (ignored_auth probes without it) and still sends a few requests
            # that deliberately lack it.
            "headers": {"x-api-key": OTHER_KEY},
            "generation": {
                "mode": "all",  # valid and invalid requests
                "max-examples": MAX_EXAMPLES,
                "database": "none",  # no .hypothesis/ directory in the repository
            },
        }
    )


# Loaded from the file the sandbox serves byte-for-byte (test_sandbox_http checks that), so
# the tests are generated at collection time and the sandbox's URL is given at call time.
# (schemathesis.pytest.from_fixture, which would load it from the running sandbox, fails
# under pytest 9.2: it sets ``Function._nodeid``, which pytest no longer has.)
schema = schemathesis.openapi.from_path(OPENAPI_PATH, config=_config())


# --- checks -------------------------------------------------------------------------------


def _needs_a_key(response: schemathesis.Response, case: schemathesis.Case) -> bool:
    """True for a request to a secured operation with the operation's own method.

    (The coverage phase also sends methods the path does not have; those get 405 first.)
    """
    return (
        case.operation.path not in PUBLIC_PATHS
        and response.request.method.upper() == case.operation.method.upper()
    )


def documented_status_or_401_without_a_key(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """``status_code_conformance`` for requests with a known key; exactly 401 without one."""
    key = response.request.headers.get("x-api-key")
    if _needs_a_key(response, case) and key not in KNOWN_KEYS:
        assert response.status_code == 401, (
            f"a request without a valid key answered {response.status_code}, expected 401"
        )
        return None
    return status_code_conformance(ctx, response, case)


def refuses_requests_without_a_key(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """The same request, sent without ``x-api-key`` and with an unknown one, gets 401."""
    if not _needs_a_key(response, case):
        return None
    sent = response.request
    headers = {k: v for k, v in sent.headers.items() if k.lower() != "x-api-key"}
    with httpx.Client(timeout=10.0) as client:
        for extra in ({}, keyed("fuzz-unknown-key")):
            anonymous = client.request(
                sent.method, sent.url, content=sent.body, headers={**headers, **extra}
            )
            assert anonymous.status_code == 401, (
                f"{sent.method} {sent.url} with {extra or 'no key'} answered "
                f"{anonymous.status_code}, expected 401"
            )
            body = anonymous.json()
            assert isinstance(body, dict), body
            assert isinstance(body.get("error"), str), body
    return None


CHECKS = [
    not_a_server_error,
    documented_status_or_401_without_a_key,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
    refuses_requests_without_a_key,
]


# --- tests --------------------------------------------------------------------------------


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_sandbox_conforms_to_its_contract(
    case: schemathesis.Case, shared_sandbox: SandboxProcess
) -> None:
    case.call_and_validate(base_url=shared_sandbox.api_url, checks=CHECKS)


def test_existing_jobs_conform_to_the_served_contract(sandbox: SandboxProcess) -> None:
    served = schemathesis.openapi.from_url(f"{sandbox.api_url}/openapi.json", config=_config())
    jobs, job = served["/jobs"], served["/jobs/{id}"]

    def call(case: schemathesis.Case, key: str = OTHER_KEY) -> schemathesis.Response:
        # hand-made cases do not get the configured header, so the key is passed here
        return case.call_and_validate(base_url=sandbox.api_url, headers=keyed(key), checks=CHECKS)

    created = []
    for i in range(JOB_LIMIT):
        response = call(jobs["POST"].Case(body=valid_job(name=f"fuzz-seed-{i}")))
        assert response.status_code == 201
        created.append(response.json()["id"])
    assert call(jobs["POST"].Case(body=valid_job())).status_code == 429
    assert call(jobs["GET"].Case()).json()["summary"]["running"] == JOB_LIMIT

    for job_id in created[:3]:
        assert call(job["GET"].Case(path_parameters={"id": job_id})).status_code == 200
        assert call(job["DELETE"].Case(path_parameters={"id": job_id})).status_code == 200
        assert call(job["GET"].Case(path_parameters={"id": job_id})).status_code == 404

    demo_id = call(jobs["GET"].Case(), READONLY_KEY).json()["jobs"][0]["id"]
    assert call(jobs["POST"].Case(body=valid_job()), READONLY_KEY).status_code == 403
    delete_demo = job["DELETE"].Case(path_parameters={"id": demo_id})
    assert call(delete_demo, READONLY_KEY).status_code == 403
    assert call(job["GET"].Case(path_parameters={"id": demo_id})).status_code == 404  # other ws
    assert call(served["/models"]["GET"].Case()).status_code == 200
