"""A whole-number input between "Decrease <label>" and "Increase <label>" buttons.

A stepper that may not move stays focusable and says so with ``aria-disabled`` (a disabled
button would drop the keyboard focus of someone pressing it); its handler does nothing then.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ftapp.components.layout import VISUALLY_HIDDEN

# The -/+ buttons replace the browser's own spin arrows.
_NO_SPIN_ARROWS = {
    "& input::-webkit-inner-spin-button, & input::-webkit-outer-spin-button": {
        "-webkit-appearance": "none",
        "margin": "0",
    },
    "& input": {"-moz-appearance": "textfield", "text_align": "center"},
}


def _stepper_button(
    icon: str, name: str, enabled: rx.Var[bool], on_click: Any, control_id: str
) -> rx.Component:
    return rx.icon_button(
        rx.icon(icon, size=16, aria_hidden="true"),
        # The name is hidden text, not aria-label: a search by label for the field ("get by
        # label Evaluation epochs") then finds the input alone, not its steppers too.
        rx.el.span(name, style=VISUALLY_HIDDEN),
        type="button",
        variant="soft",
        size="3",
        aria_controls=control_id,
        on_click=on_click,
        custom_attrs={
            "aria-disabled": rx.cond(enabled, "false", "true"),
            "data-disabled": rx.cond(enabled, rx.Var.create(None), "true"),
        },
    )


def stepper_input(
    *,
    label: str,
    control_id: str,
    key: rx.Var[str],
    default_value: rx.Var[str],
    on_change: Any,
    on_blur: Any,
    on_decrease: Any,
    on_increase: Any,
    can_decrease: rx.Var[bool],
    can_increase: rx.Var[bool],
    minimum: rx.Var[str],
    maximum: rx.Var[str],
    attrs: dict[str, rx.Var],
) -> rx.Component:
    """``[-] [number] [+]`` for one field; ``minimum``/``maximum`` are "" when unbounded.

    The number is uncontrolled: it starts at ``default_value`` and is redrawn with a new one
    when ``key`` changes (after a stepper press, say), never while the user types.
    """
    return rx.flex(
        _stepper_button("minus", f"Decrease {label}", can_decrease, on_decrease, control_id),
        rx.input(
            id=control_id,
            type="number",
            input_mode="numeric",
            step="1",
            min=minimum,
            max=maximum,
            key=key,
            default_value=default_value,
            on_change=on_change,
            on_blur=on_blur,
            size="3",
            width="100%",
            custom_attrs=attrs,
        ),
        _stepper_button("plus", f"Increase {label}", can_increase, on_increase, control_id),
        gap="8px",
        align="center",
        max_width="240px",
        style=_NO_SPIN_ARROWS,
    )
