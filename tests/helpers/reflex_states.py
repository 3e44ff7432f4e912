"""Every page's Reflex State class by name, found by importing the pages' modules (so a new
page's State is included without a list to keep up); running a background handler in a unit
test."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import reflex as rx

import ftapp.pages


def page_states() -> dict[str, type[rx.State]]:
    """Class name -> State class, for every State defined under ``ftapp.pages``."""
    for module in pkgutil.walk_packages(ftapp.pages.__path__, "ftapp.pages."):
        importlib.import_module(module.name)
    found: dict[str, type[rx.State]] = {}
    pending: list[type] = [rx.State]
    while pending:
        for sub in pending.pop().__subclasses__():
            if sub.__module__.startswith("ftapp.pages."):
                found[sub.__name__] = sub
            pending.append(sub)
    return found


async def run_background(handler: Any, state: Any) -> list[Any]:
    """Run a background event handler of ``state`` to its end (its ``async with self`` takes
    the state itself); returns what it yielded or returned."""
    result = handler.fn(state)
    if hasattr(result, "__aiter__"):
        return [event async for event in result if event is not None]
    return [await result]
