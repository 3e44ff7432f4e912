"""A labelled form field whose hint and message are tied to its control.

The control's ``aria-describedby`` names the message while there is one and the hint
otherwise, so assistive technology (and a test) reads exactly what the field says now.
"""

from __future__ import annotations

import reflex as rx


def hint_id(control_id: str) -> str:
    """The id of the hint under control ``control_id``."""
    return f"{control_id}-hint"


def message_id(control_id: str) -> str:
    """The id of the message under control ``control_id``."""
    return f"{control_id}-message"


def described_by(control_id: str, message: rx.Var[str]) -> rx.Var[str]:
    """The control's ``aria-describedby``: its message while there is one, else its hint."""
    return rx.cond(message != "", message_id(control_id), hint_id(control_id))


def control_attrs(
    control_id: str, message: rx.Var[str], shared: tuple[str, rx.Var[bool]] | None = None
) -> dict[str, rx.Var]:
    """``aria-describedby`` and ``aria-invalid`` for the control of a field.

    ``shared`` = (another control's id, whether its message is about this field too): a rule
    spanning several fields is said once, under the last of them, and every field it spans
    is invalid and described by that one message.
    """
    described = described_by(control_id, message)
    invalid = message != ""
    if shared is not None:
        other_id, applies = shared
        described = rx.cond(
            message != "",
            message_id(control_id),
            rx.cond(applies, message_id(other_id), hint_id(control_id)),
        )
        invalid = invalid | applies
    return {
        "aria-describedby": described,
        "aria-invalid": rx.cond(invalid, "true", "false"),
    }


def form_field(
    label: str,
    control_id: str,
    control: rx.Component,
    hint: rx.Var[str] | str,
    message: rx.Var[str],
) -> rx.Component:
    """Label above ``control``, then its hint, then its message (red, announced politely)."""
    return rx.box(
        rx.el.label(
            rx.text(label, as_="span", size="2", weight="medium"),
            html_for=control_id,
            display="block",
            margin_bottom="6px",
        ),
        control,
        rx.text(hint, id=hint_id(control_id), size="1", color_scheme="gray", margin_top="6px"),
        rx.box(
            rx.cond(
                message != "",
                rx.flex(
                    rx.icon("circle-alert", size=14, flex_shrink="0", aria_hidden="true"),
                    rx.text(message, id=message_id(control_id), size="2"),
                    gap="6px",
                    align="center",
                    color=rx.color("red", 11),
                    margin_top="4px",
                ),
            ),
            aria_live="polite",
        ),
        # No group role or aria-label here: "Job name" must label the control alone.
        width="100%",
    )
