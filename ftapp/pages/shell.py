"""Every page's frame: the app header with who is signed in (name, role, Sign out) and the
Activity link for those who may see it; on phones all of it sits in one Menu."""

from __future__ import annotations

import reflex as rx

from ftapp import routes
from ftapp.components.layout import page_shell, phone_menu
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


def _phone_menu() -> rx.Component:
    return phone_menu(
        rx.menu.item("Dashboard", on_click=rx.redirect(routes.DASHBOARD)),
        rx.menu.item("New job", on_click=rx.redirect(routes.NEW_JOB)),
        rx.cond(
            WorkspaceState.may_view_activity,
            rx.menu.item("Activity", on_click=rx.redirect(routes.ACTIVITY)),
        ),
        rx.cond(
            WorkspaceState.user_name != "",
            rx.fragment(
                rx.menu.separator(),
                rx.text(
                    WorkspaceState.user_name,
                    rx.text.span(" · ", WorkspaceState.user_role, color_scheme="gray"),
                    size="2",
                    padding_x="12px",
                    padding_y="4px",
                    aria_label="Signed in as",
                ),
                rx.menu.item("Sign out", on_click=WorkspaceState.sign_out),
            ),
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
    return page_shell(*children, header_extra=(activity, _signed_in()), phone=_phone_menu())
