"""Untrusted text on its way into an event the server sends to the browser.

Reflex 0.10 encodes a Var inside a plain string as ``<reflex.Var>hash</reflex.Var>`` and
decodes any string that contains the opening tag when it becomes a JavaScript literal
(``LiteralStringVar.create``, reached by ``rx.toast``, ``rx.call_script``, ``rx.redirect``...).
For anything but a known hash between the tags its decoding loop never advances: one crafted
job name froze the whole backend while it grew past a gigabyte. :func:`safe_text` breaks the
opening tag with a zero-width space, which reads the same and can never match again.
"""

from __future__ import annotations

import re

from reflex_base import constants

VAR_OPENING_TAG = constants.REFLEX_VAR_OPENING_TAG
_BROKEN_TAG = "<reflex\u200b.Var>"
# Reflex's pattern treats the "." as any character: break every spelling it would match.
_TAG_PATTERN = re.compile(re.escape("<reflex") + "." + re.escape("Var>"))


def safe_text(text: object) -> str:
    """``text`` as a str that Reflex will never re-parse as Var markup."""
    return _TAG_PATTERN.sub(_BROKEN_TAG, str(text))


def one_line(text: object, limit: int = 200) -> str:
    """``text`` for a log line: no line breaks or control characters, at most ``limit``."""
    flat = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return flat if len(flat) <= limit else f"{flat[:limit]}… [{len(flat)} chars]"
