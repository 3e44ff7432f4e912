"""Toasts for the outcome of an action."""

import reflex as rx

_TOASTS = {"success": rx.toast.success, "info": rx.toast.info, "error": rx.toast.error}


def toast(level: str, message: str) -> rx.event.EventSpec:
    """A toast of the given level (``success``, ``info`` or ``error``)."""
    return _TOASTS.get(level, rx.toast.info)(message, close_button=True)
