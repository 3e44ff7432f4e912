"""A small button that copies a value (e.g. a job id) to the clipboard."""

import reflex as rx


def copy_button(value: rx.Var[str], label: rx.Var[str] | str) -> rx.Component:
    """An icon button named ``label`` that copies ``value`` and confirms with a toast."""
    return rx.tooltip(
        rx.icon_button(
            rx.icon("copy", size=14),
            on_click=[rx.set_clipboard(value), rx.toast.info("Copied to the clipboard")],
            variant="ghost",
            size="1",
            color_scheme="gray",
            aria_label=label,
        ),
        content="Copy",
    )
