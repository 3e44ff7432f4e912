"""A time shown as "5 minutes ago", kept current in the browser by assets/relative_time.js."""

import reflex as rx

SCRIPT = rx.script(src="/relative_time.js")
"""Add once per page (the app puts it in every page's head)."""


def relative_time(timestamp: rx.Var[float], fallback: rx.Var[str] | str, short: bool = False):
    """A span showing how long ago ``timestamp`` (Unix seconds) was.

    ``fallback`` is the server's wording, shown until the script takes over (and kept when
    the timestamp is 0, i.e. unknown).
    """
    return rx.el.span(
        fallback,
        data_relative_ts=timestamp,
        data_relative_style="short" if short else "long",
    )
