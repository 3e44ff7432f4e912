"""safe_text: untrusted text can never reach Reflex's Var re-parsing; one_line: nor forge a
log line."""

from __future__ import annotations

import pytest
from reflex_base.vars.base import LiteralVar

from ftapp.guard.text import one_line, safe_text
from tests.helpers.log_injection import FORGED

CRAFTED = [
    "<reflex.Var>x</reflex.Var>",
    '<reflex.Var>{"state": "x"}</reflex.Var>',
    "<reflex.Var></reflex.Var>",
    "<reflex.Var>123</reflex.Var>",
    "<reflexXVar>x</reflexXVar><reflex.Var>y</reflex.Var>",
    "<reflex.Var>" * 1000 + "</reflex.Var>",
    "<reflex.<reflex.Var>Var>x</reflex.Var>",
]


@pytest.mark.parametrize("crafted", CRAFTED)
def test_crafted_markup_becomes_a_plain_literal(crafted: str) -> None:
    # Unguarded, the first two loop forever inside LiteralVar.create and the next two raise.
    literal = str(LiteralVar.create(f"Deleted “{safe_text(crafted)}”."))
    assert literal.startswith('"Deleted')
    assert "<reflex.Var>" not in safe_text(crafted)


def test_ordinary_text_is_unchanged() -> None:
    for text in ("support-bot-llama", "Deleted “a-b”.", "<b>bold</b>", "reflex.Var"):
        assert safe_text(text) == text


def test_one_line_removes_line_breaks_and_controls_and_shortens() -> None:
    assert one_line("a\nINFO forged line\r\x1b[31m") == "a INFO forged line  [31m"
    assert one_line("x" * 500, 10) == "x" * 10 + "… [500 chars]"


def test_one_line_turns_crafted_text_into_one_bounded_line() -> None:
    line = one_line(FORGED)
    assert line.isprintable()  # no \r, \n, \x85, \u2028, escape or NUL left
    assert line.startswith("eve  2030-01-01 12:00:00 INFO")  # the forged line stays inside
    assert line.endswith(f"… [{len(FORGED)} chars]")
    assert len(line) < 250
