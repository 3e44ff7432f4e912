"""Every page's Reflex State class by name, found by importing the pages' modules (so a new
page's State is included without a list to keep up)."""

from __future__ import annotations

import importlib
import pkgutil

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
