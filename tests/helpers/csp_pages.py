"""Pages shaped like a Reflex production build's, for the tests of the pages'
Content-Security-Policy (ftapp.csp) and of the ASGI layer that sends it."""

from __future__ import annotations

import os
from pathlib import Path

from ftapp import csp


def prerendered_page(*scripts: str) -> str:
    """A page shaped like Reflex's prerendered ones: inline scripts, a module script, an
    external script, styles."""
    inline = "".join(f"<script>{script}</script>" for script in scripts)
    return (
        '<!DOCTYPE html><html lang="en"><head><style>body{margin:0}</style>'
        f'<script src="/relative_time.js"></script>{inline}</head>'
        '<body><div id="root" style="color:red">x</div>'
        '<script type="module" async="">import "/assets/manifest-9d423e60.js";</script>'
        "</body></html>"
    )


def script_src(policy: str) -> list[str]:
    directive = next(d for d in policy.split("; ") if d.startswith("script-src "))
    return directive.split()[1:]


def build(static_dir: Path, pages: dict[str, str]) -> None:
    """What a Reflex production build leaves: the pages, then 404.html last."""
    for name, html in pages.items():
        (static_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (static_dir / name).write_text(html)
    marker = static_dir / csp.BUILD_FINISHED_MARKER
    marker.write_text(prerendered_page())
    stat = marker.stat()  # a build within the same clock tick still counts as new
    os.utime(marker, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
