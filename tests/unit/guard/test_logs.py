"""Logs: one short line per rejected event, no client data, no floods."""

from __future__ import annotations

import logging
import sys

import pytest
from prometheus_client import REGISTRY
from redis.exceptions import ConnectionError as RedisConnectionError

from ftapp.guard import logs

COOKIE = "ftapp_session=SECRET-SESSION-abc"
TOKEN = "3f1c0c1e-tab-token"


def record(message: str, *, exc: bool = False, name: str = "reflex.app") -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError(f"bad payload {COOKIE}")
        except ValueError:
            exc_info = sys.exc_info()
    return logging.LogRecord(name, logging.ERROR, __file__, 1, message, (), exc_info)


def text_of(entry: logging.LogRecord) -> str:
    return logging.Formatter().format(entry)


def test_an_unknown_event_is_one_line_without_headers_or_token() -> None:
    message = (
        "Error processing event queue entry for Event(name='reflex___state____state.nope', "
        f"payload={{'x': 1}}, router_data={{'headers': {{'cookie': '{COOKIE}'}}, "
        f"'token': '{TOKEN}'}})"
    )
    entry = record(message, exc=True, name="reflex_base.event.processor.event_processor")
    assert logs.OneLineEvents().filter(entry)
    text = text_of(entry)
    assert text == "rejected event nope: no such event"
    assert COOKIE not in text
    assert TOKEN not in text


def test_a_malformed_socket_message_is_one_line() -> None:
    entry = record("message async handler error", exc=True, name="engineio.server")
    logs.OneLineEvents().filter(entry)
    assert text_of(entry) == "rejected socket message: ValueError"


def refused(reason: str) -> float:
    return REGISTRY.get_sample_value("ftapp_events_refused_total", {"reason": reason}) or 0.0


def test_what_reflex_refuses_before_the_gate_is_counted_too() -> None:
    unknown, malformed = refused("unknown_event"), refused("malformed")
    message = "Error processing event queue entry for Event(name='state.crafted', payload={})"
    logs.OneLineEvents().filter(record(message, name="reflex_base.event.processor.event_processor"))
    logs.OneLineEvents().filter(record("message async handler error", exc=True))
    logs.OneLineEvents().filter(record("a handler failed", exc=True))  # not a refusal
    assert (refused("unknown_event"), refused("malformed")) == (unknown + 1, malformed + 1)


def test_client_text_cannot_forge_a_log_line() -> None:
    entry = record("Received event from session x\nINFO forged: admin signed in" + "y" * 400)
    logs.OneLineEvents().filter(entry)
    assert "\n" not in text_of(entry)


def test_updates_for_tabs_that_left_are_kept_to_a_few_lines_a_minute() -> None:
    event_filter = logs.OneLineEvents()
    kept = [
        event_filter.filter(record(f"Attempting to send delta to disconnected client '{TOKEN}'"))
        for _ in range(100)
    ]
    assert kept.count(True) == logs.DISCONNECTED_PER_MINUTE


def test_a_failing_handler_is_one_line(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="ftapp.events"):
        logs.backend_exception_handler(ValueError(f"invalid literal 'abc'\n{COOKIE[:5]}"))
    assert len(caplog.records) == 1
    assert "\n" not in caplog.text.strip()
    assert caplog.records[0].exc_info is None


def test_a_handler_that_cannot_reach_redis_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="ftapp.events"):
        toast = logs.backend_exception_handler(RedisConnectionError("Error 111 connecting"))
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "event ? failed: Redis cannot be reached (ConnectionError)"
    assert "ftapp cannot reach Redis" in str(toast)


def test_browser_error_reports_are_few_and_short(caplog: pytest.LogCaptureFixture) -> None:
    logs._frontend_reports.clear()
    with caplog.at_level(logging.ERROR, logger="ftapp.events"):
        for _ in range(50):
            logs.frontend_exception_handler(Exception("A" * 100_000))
    assert len(caplog.records) == logs.DISCONNECTED_PER_MINUTE
    assert all(len(entry.getMessage()) < 300 for entry in caplog.records)
