"""The Content-Security-Policy of the app's pages: no inline script runs unless the build put it
there.

Reflex 0.10 prerenders every page into ``.web/build/client/**.html`` with a few inline boot
scripts (the color-mode script, React Router's context, route-module imports and scroll
restoration, React's streaming helpers). They change with every build, so ``script-src``
names each one by the sha256 of its text, read from the built pages (:class:`PagePolicy`),
instead of allowing every inline script with ``'unsafe-inline'``.

Two allowances remain, because Reflex 0.10 needs them:

- ``'unsafe-eval'`` in ``script-src``: ``applyEvent`` in ``.web/utils/state.js`` (copied
  from ``reflex_base/.templates/web/utils/state.js``) runs every ``_call_script`` event with
  ``eval(event.payload.javascript_code)``, and a ``_call_function`` event that a handler sends
  (its function arrives as text) with ``eval(event.payload.function)()``. ftapp sends both:
  every toast from a handler (``rx.toast`` is ``run_script``, a ``_call_function``;
  ``ftapp/pages/browser_events.py`` ``toast``, ``ftapp/guard/logs.py``), every
  ``rx.call_script`` (the helpers in ``ftapp/pages/browser_events.py``, ``RequireSession`` in
  ``ftapp/auth/state.py``, the skip link in ``ftapp/components/layout.py``).
- ``'unsafe-inline'`` in ``style-src``: emotion writes ``<style>`` tags at run time and the
  components set ``style`` attributes.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

BUILD_FINISHED_MARKER = "404.html"
"""Reflex copies the SPA fallback page to this name after each production build, last."""


def policy(script_hashes: Iterable[str] = ()) -> str:
    """The policy, letting run only the inline scripts whose sha256 (base64) is given (none:
    no inline script at all)."""
    allowed = " ".join(f"'sha256-{digest}'" for digest in sorted(set(script_hashes)))
    scripts = " ".join(part for part in ("'self'", allowed, "'unsafe-eval'") if part)
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",  # also the same-origin WebSocket (CSP3)
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


NO_INLINE_SCRIPTS = policy()
"""The policy of every response that is not a page."""


class _InlineScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.texts: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._open = []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._open is not None:
            self.texts.append("".join(self._open))
            self._open = None


def inline_script_hashes(html: str) -> set[str]:
    """The sha256 (base64) of each inline script of ``html``, as a browser computes it (over
    the script's UTF-8 text, line breaks normalized as the HTML parser does)."""
    parser = _InlineScripts()
    parser.feed(html)
    parser.close()
    return {
        base64.b64encode(hashlib.sha256(_normalized(text).encode()).digest()).decode()
        for text in parser.texts
    }


def _normalized(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


class PagePolicy:
    """The policy for the pages built in ``static_dir``: a call returns it, naming the inline
    scripts of every prerendered page there; it reads the pages again after a new build."""

    def __init__(self, static_dir: Path) -> None:
        self.static_dir = static_dir
        self._build: tuple[int, int, int] | None = None
        self._policy = NO_INLINE_SCRIPTS

    def __call__(self) -> str:
        try:
            marker = (self.static_dir / BUILD_FINISHED_MARKER).stat()
            build = (marker.st_ino, marker.st_mtime_ns, marker.st_size)
        except OSError:  # not built (yet): no inline script may run
            build = None
        if build != self._build:
            hashes: set[str] = set()
            if build is not None:
                for page in sorted(self.static_dir.rglob("*.html")):
                    hashes |= inline_script_hashes(page.read_text(encoding="utf-8"))
            self._build, self._policy = build, policy(hashes)
        return self._policy


def reflex_build_dir() -> Path:
    """Where Reflex's production build puts the pages it serves (as Reflex's own frontend
    mount finds them)."""
    from reflex.utils import prerequisites
    from reflex_base import constants
    from reflex_base.config import get_config

    frontend_path = get_config().frontend_path.strip("/")
    return (prerequisites.get_web_dir() / constants.Dirs.STATIC / frontend_path).resolve()
