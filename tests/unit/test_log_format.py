"""Log lines: readable text by default, one JSON object per line with FT_LOG_FORMAT=json,
naming the request, tab, person, workspace and outcome they belong to, and nothing secret."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from ftapp import log_format

TOKEN = "tab-token-SECRET-4f1c"


@pytest.fixture(autouse=True)
def logging_as_it_was() -> Iterator[None]:
    """Each test configures logging; the next test module finds it as before."""
    root, ftapp_logger = logging.getLogger(), logging.getLogger("ftapp")
    levels, handlers = (root.level, ftapp_logger.level), list(root.handlers)
    yield
    root.setLevel(levels[0])
    ftapp_logger.setLevel(levels[1])
    root.handlers[:] = handlers


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """What ftapp's configured handler writes, for the test's duration."""
    stream = io.StringIO()
    log_format.configure("json")
    root = logging.getLogger()
    handler = next(h for h in root.handlers if getattr(h, "_ftapp_handler", False))
    handler.setStream(stream)  # type: ignore[attr-defined]
    log_format.start()
    yield stream
    root.removeHandler(handler)
    log_format.start()


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_one_json_object_per_line_with_what_it_belongs_to(captured: io.StringIO) -> None:
    log = logging.getLogger("ftapp.services.membership")
    log_format.start(request="req-1", tab=log_format.tab_id(TOKEN))
    log_format.bind(user="vera", workspace="team-b")
    log.warning("Refused %s\naccess", "vera", extra={"outcome": "refused"})
    [line] = lines(captured)
    assert line["level"] == "WARNING"
    assert line["logger"] == "ftapp.services.membership"
    assert line["event"] == "Refused vera\naccess"  # a line break stays inside the one line
    assert (line["request"], line["user"], line["workspace"], line["outcome"]) == (
        "req-1",
        "vera",
        "team-b",
        "refused",
    )
    assert line["tab"] == log_format.tab_id(TOKEN)
    assert line["time"].endswith("+00:00")
    assert TOKEN not in captured.getvalue()
    assert captured.getvalue().count("\n") == 1


def test_a_new_request_forgets_the_last_ones_facts(captured: io.StringIO) -> None:
    log_format.start(request="req-1")
    log_format.bind(user="vera")
    log_format.start(request="req-2")
    logging.getLogger("ftapp").info("next")
    [line] = lines(captured)
    assert line["request"] == "req-2"
    assert "user" not in line


def test_an_error_names_its_kind_and_trace(captured: io.StringIO) -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("ftapp").exception("it failed")
    [line] = lines(captured)
    assert line["error"] == "RuntimeError"
    assert "boom" in line["traceback"]


def test_ftapp_speaks_from_info_other_libraries_from_warning(captured: io.StringIO) -> None:
    logging.getLogger("ftapp.auth.sessions").info("Signed in vera")
    logging.getLogger("httpx").info("HTTP Request: GET https://example.test/api/jobs")
    logging.getLogger("httpx").warning("a library's warning")
    assert [line["event"] for line in lines(captured)] == ["Signed in vera", "a library's warning"]


def test_only_known_facts_can_be_bound() -> None:
    with pytest.raises(ValueError, match="not a log context field"):
        log_format.bind(api_key="x")


def test_the_default_is_a_line_a_person_reads() -> None:
    log_format.configure("text")
    root = logging.getLogger()
    handler = next(h for h in root.handlers if getattr(h, "_ftapp_handler", False))
    try:
        record = logging.LogRecord(
            "ftapp.x", logging.WARNING, __file__, 1, "Job polls fail", (), None
        )
        text = handler.format(record)
    finally:
        root.removeHandler(handler)
    assert text.endswith(" WARNING ftapp.x: Job polls fail")
    assert not text.startswith("{")


def test_configuring_again_replaces_the_handler() -> None:
    log_format.configure("text")
    log_format.configure("json")
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_ftapp_handler", False)]
    assert len(ours) == 1
    root.removeHandler(ours[0])


async def test_each_request_has_an_id_in_its_lines_and_its_answer() -> None:
    seen: list[str] = []

    async def app(scope, receive, send) -> None:
        seen.append(log_format._context.get({}).get("request", ""))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    transport = httpx.ASGITransport(app=log_format.RequestIds(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        first, second = await asyncio.gather(client.get("/"), client.get("/"))
    assert {first.headers["x-request-id"], second.headers["x-request-id"]} == set(seen)
    assert len(set(seen)) == 2
