"""Every page's frame: the app header with who is signed in (name, role, Sign out) and the
Activity link for those who may see it."""

from __future__ import annotations

import reflex as rx

from ftapp import routes
from ftapp.components.layout import page_shell
from ftapp.pages.workspace_state import WorkspaceState


def _signed_in() -> rx.Component:
    return rx.cond(
        WorkspaceState.user_name != "",
        rx.hstack(
            rx.text(
                WorkspaceState.user_name,
                rx.text.span(" · ", WorkspaceState.user_role, color_scheme="gray"),
                size="2",
                aria_label="Signed in as",
            ),
            rx.button(
                "Sign out",
                variant="soft",
                color_scheme="gray",
                size="1",
                on_click=WorkspaceState.sign_out,
            ),
            align="center",
            spacing="3",
        ),
    )


def app_page(*children: rx.Component) -> rx.Component:
    """A page of the app: the header with the signed-in person, then ``children``."""
    activity = rx.cond(
        WorkspaceState.may_view_activity,
        rx.link(
            "Activity", href=routes.ACTIVITY, weight="medium", underline="hover", high_contrast=True
        ),
    )
    return page_shell(*children, header_extra=(activity, _signed_in()))
