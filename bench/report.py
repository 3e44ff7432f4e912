"""How the benchmarks print what they measured: the machine line and the report itself."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path


def machine(extra: str = "") -> str:
    """E.g. "Machine: x86_64, 2 cores, Python 3.11.7, 2026-11-26." (``extra`` before the
    date, e.g. the browser's version)."""
    parts = [
        platform.machine(),
        f"{len(os.sched_getaffinity(0))} cores",
        f"Python {platform.python_version()}",
        *([extra] if extra else []),
        time.strftime("%Y-%m-%d"),
    ]
    return f"Machine: {', '.join(parts)}."


def publish(report: str, out: Path | None) -> None:
    """Print ``report`` and, with ``--out``, write it to that file too."""
    print(report)
    if out is not None:
        out.write_text(report + "\n")
