"""Crafted text that tries to forge or flood a log line, and the check that it did not."""

from __future__ import annotations

import logging
from collections.abc import Iterable

FORGED = (
    "eve\r\n2030-01-01 12:00:00 INFO ftapp.auth.sessions Signed in admin (password, role admin)."
    "\x1b[31m\x00\x85\u2028\u2029\t" + "x" * 10_000
)
"""Line breaks (also Unicode's), a forged log line, control characters, 10 KB."""

FORGED_HEADER = (
    b"203.0.113.9\x85\t2030-01-01 12:00:00 INFO ftapp.auth.sessions Signed in." + b"x" * 10_000
)
"""What an HTTP header value may carry: byte 0x85, which Starlette reads (latin-1) as NEL, a
line break to Python; a tab; a forged log line; 10 KB."""

LONGEST_LINE = 1_000
"""No log line built from untrusted text is longer (one_line cuts each text to 200 or less)."""


def assert_one_bounded_line(records: Iterable[logging.LogRecord], containing: str) -> None:
    """The records whose message contains ``containing``: at least one, each a single line of
    printable characters no longer than :data:`LONGEST_LINE`."""
    lines = [r.getMessage() for r in records if containing in r.getMessage()]
    assert lines, f"no log line contains {containing!r}"
    for line in lines:
        assert line.isprintable(), repr(line[:300])
        assert len(line) <= LONGEST_LINE, len(line)
