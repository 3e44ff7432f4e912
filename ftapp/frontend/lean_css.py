"""A Reflex plugin that ships only the Radix Themes CSS the app can use.

Radix's stylesheet holds every component (about 400 KB of its 700); the browser parses and
matches all of it on every cold load. The plugin writes ``postcss-lean-radix-themes.js`` (next
to this module) into ``.web`` and registers it after ``postcss-import`` in Reflex's PostCSS
config, so Vite's production build drops the rules of components no page renders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import reflex as rx

POSTCSS_PLUGIN = "postcss-lean-radix-themes.js"
_SOURCE = Path(__file__).with_name(POSTCSS_PLUGIN)
_POSTCSS_CONFIG = "postcss.config.js"
_ENTRY = f'"./{POSTCSS_PLUGIN}": {{}},'


def register(postcss_config: str) -> str:
    """``postcss_config`` with the plugin listed right after ``postcss-import`` (once)."""
    if _ENTRY in postcss_config:
        return postcss_config
    lines = postcss_config.splitlines()
    for number, line in enumerate(lines):
        if '"postcss-import"' in line:
            indent = line[: len(line) - len(line.lstrip())]
            lines.insert(number + 1, indent + _ENTRY)
            return "\n".join(lines) + "\n"
    # Reflex's config changed shape: build with the whole stylesheet rather than guess.
    return postcss_config


class LeanRadixThemesCss(rx.plugins.Plugin):
    """Drops the Radix Themes rules of components the app never renders (production build)."""

    def pre_compile(self, **context: Any) -> None:
        context["add_save_task"](lambda: (POSTCSS_PLUGIN, _SOURCE.read_text()))
        context["add_modify_task"](_POSTCSS_CONFIG, register)
