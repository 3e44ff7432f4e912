"""A time shown as "5 minutes ago", a run time counting up ("12 min") or a usual finish
counting down, kept current in the browser by assets/relative_time.js."""

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


def running_for(since: rx.Var[float], fallback: rx.Var[str] | str):
    """A span showing the time since ``since`` (Unix seconds) as a run time, e.g. "12 min"
    (``fallback``, the server's wording, until the script takes over)."""
    return rx.el.span(fallback, data_relative_ts=since, data_relative_style="duration")


def finishing_at(usual_end: rx.Var[float], fallback: rx.Var[str] | str):
    """A span counting down to ``usual_end`` (Unix seconds): "usually finishes in about
    3 min", then "running longer than usual"."""
    return rx.el.span(fallback, data_relative_ts=usual_end, data_relative_style="until")
