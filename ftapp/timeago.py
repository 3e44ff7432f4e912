"""Relative times such as "3 minutes ago", used by the sandbox and the pages."""

from __future__ import annotations

_UNITS = (
    ("year", 365 * 24 * 3600),
    ("month", 30 * 24 * 3600),
    ("day", 24 * 3600),
    ("hour", 3600),
    ("minute", 60),
    ("second", 1),
)


def ago(seconds: float) -> str:
    """Describe how long ago something happened, ``seconds`` before now.

    >>> ago(5), ago(61), ago(7200)
    ('just now', '1 minute ago', '2 hours ago')
    """
    if seconds < 10:
        return "just now"
    for unit, size in _UNITS:
        count = int(seconds // size)
        if count >= 1:
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"  # pragma: no cover - seconds >= 10 always matches a unit
