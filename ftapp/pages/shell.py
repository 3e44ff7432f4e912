"""Every page's frame: the app header with who is signed in (name, role, Sign out) and the
Activity link for those who may see it; on phones all of it sits in one Menu."""

from __future__ import annotations

import reflex as rx

from ftapp.auth.roles import Permission
from ftapp.components.layout import page_shell, phone_menu
from ftapp.pages.workspace_state import WorkspaceState

_MAY = {
    Permission.VIEW_ACTIVITY: WorkspaceState.may_view_activity,
    Permission.READ_HISTORY: WorkspaceState.may_read_history,
    Permission.MANAGE_WORKSPACES: WorkspaceState.may_manage_workspaces,
}
"""The permissions a nav item may need, as vars of the signed-in person's State."""


def _may(permission: Permission) -> rx.Var[bool]:
    return _MAY[permission]


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
        may=_may,
    )


def app_page(*children: rx.Component) -> rx.Component:
    """A page of the app: the header with the signed-in person, then ``children``."""
    return page_shell(*children, header_extra=(_signed_in(),), phone=_phone_menu(), may=_may)
