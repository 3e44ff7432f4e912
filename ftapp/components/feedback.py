"""Toasts for the outcome of an action."""

import reflex as rx

from ftapp.services import Level

_TOASTS = {Level.SUCCESS: rx.toast.success, Level.INFO: rx.toast.info, Level.ERROR: rx.toast.error}


def toast(level: Level, message: str) -> rx.event.EventSpec:
    """A toast of the given level."""
    return _TOASTS[level](message, close_button=True)
