"""Every page's frame: the app header with the workspace switcher, who is signed in (name,
role there, Sign out) and the links of the workspace's pages for those who may see them; on
phones all of it sits in one Menu. A page of a workspace the person may not open says so
instead of its content."""

from __future__ import annotations

import reflex as rx

from ftapp import routes, services
from ftapp.auth.roles import Permission
from ftapp.components.callouts import callout
from ftapp.components.layout import page_shell, phone_menu
from ftapp.pages.workspace_state import WorkspaceOption, WorkspaceState

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


def _switcher_item(option: WorkspaceOption) -> rx.Component:
    return rx.menu.item(
        option.name,
        on_click=rx.redirect(option.href),
        disabled=option.slug == WorkspaceState.current_workspace,
    )


def _menu_heading() -> rx.Component:
    return rx.text("Workspaces", size="1", color_scheme="gray", padding_x="12px", padding_y="4px")


def _switcher() -> rx.Component:
    """The current workspace's name; a menu of the others the person may open."""
    return rx.cond(
        WorkspaceState.workspace_options.length() > 1,
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.icon("layers", size=14, aria_hidden="true"),
                    WorkspaceState.workspace_name,
                    rx.icon("chevron-down", size=14, aria_hidden="true"),
                    variant="soft",
                    color_scheme="gray",
                    size="1",
                    aria_label="Workspace: " + WorkspaceState.workspace_name + ". Switch",
                ),
            ),
            rx.menu.content(
                _menu_heading(),
                rx.foreach(WorkspaceState.workspace_options, _switcher_item),
                align="end",
            ),
        ),
        rx.text(WorkspaceState.workspace_name, size="2", color_scheme="gray"),
    )


def _phone_workspaces() -> rx.Component:
    return rx.cond(
        WorkspaceState.workspace_options.length() > 1,
        rx.fragment(
            rx.menu.separator(),
            _menu_heading(),
            rx.foreach(WorkspaceState.workspace_options, _switcher_item),
        ),
    )


def _phone_menu() -> rx.Component:
    return phone_menu(
        _phone_workspaces(),
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
        home=WorkspaceState.workspace_home,
    )


def _refused() -> rx.Component:
    return rx.vstack(
        callout("lock", "amber", rx.callout.text(services.NOT_A_MEMBER), role="alert"),
        # A whole page load: "/" is answered by the server (your last workspace, else the
        # default one), not by a page of the app.
        rx.button(rx.el.a("Go to your workspaces", href=routes.HOME), as_child=True),
        spacing="3",
        align="start",
    )


def app_page(*children: rx.Component) -> rx.Component:
    """A page of a workspace: the header with the switcher and the signed-in person, then
    ``children`` (or why this workspace may not be opened)."""
    return page_shell(
        rx.cond(WorkspaceState.workspace_refused, _refused(), rx.fragment(*children)),
        header_extra=(_switcher(), _signed_in()),
        phone=_phone_menu(),
        may=_may,
        home=WorkspaceState.workspace_home,
    )
