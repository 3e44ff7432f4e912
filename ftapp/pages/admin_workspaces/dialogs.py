"""The workspaces' admin page's dialogs, each on the workspace whose button opened it:
rename, a new key (checked first), members and their roles, removal."""

from __future__ import annotations

import reflex as rx

from ftapp.auth.roles import Role
from ftapp.components.callouts import callout
from ftapp.components.form_field import control_attrs, form_field
from ftapp.components.layout import VISUALLY_HIDDEN
from ftapp.pages.admin_workspaces.inputs import KEY_INPUT, TEXT_INPUT, submitted
from ftapp.pages.admin_workspaces.state import MEMBER_USERNAME, AdminWorkspacesState, MemberRow

S = AdminWorkspacesState


def _dialog_buttons(*buttons: rx.Component) -> rx.Component:
    return rx.flex(
        rx.dialog.close(
            rx.button("Close", type="button", variant="soft", color_scheme="gray"),
        ),
        *buttons,
        gap="12px",
        justify="end",
        margin_top="16px",
    )


def _dialog_error() -> rx.Component:
    return rx.cond(
        S.dialog_error != "",
        callout("circle-alert", "red", rx.callout.text(S.dialog_error), margin_top="12px"),
    )


def _dialog(kind: str, title: rx.Component, *children: rx.Component) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(title, *children, max_width="520px"),
        open=S.dialog == kind,
        on_open_change=S.set_dialog_open,
    )


def rename_dialog() -> rx.Component:
    return _dialog(
        "rename",
        rx.dialog.title("Rename workspace"),
        rx.dialog.description(
            "A new name for ", rx.text.strong(S.dialog_name), ". Its slug, key and history stay."
        ),
        rx.el.form(
            rx.box(
                form_field(
                    "New name",
                    "rename-name",
                    rx.input(
                        id="rename-name",
                        name="name",
                        default_value=S.dialog_name,
                        max_length=64,
                        **TEXT_INPUT,
                        **control_attrs("rename-name", S.field_error),
                    ),
                    "1 to 64 characters, not another workspace's.",
                    S.field_error,
                ),
                margin_top="12px",
            ),
            _dialog_error(),
            _dialog_buttons(rx.button("Rename", type="submit")),
            on_submit=lambda form: S.rename_workspace(submitted(form, "name")),
        ),
    )


def rotate_dialog() -> rx.Component:
    return _dialog(
        "rotate",
        rx.dialog.title("New key for ", S.dialog_name),
        rx.dialog.description(
            "The key is asked of ",
            rx.code(S.dialog_url, variant="ghost"),
            " first. A key it refuses is not stored, and the old key is kept.",
        ),
        rx.el.form(
            rx.box(
                form_field(
                    "New API key",
                    "rotate-key",
                    rx.input(
                        id="rotate-key",
                        name="key",
                        **KEY_INPUT,
                        **control_attrs("rotate-key", S.field_error),
                    ),
                    "Only its last four characters are shown afterwards.",
                    S.field_error,
                ),
                margin_top="12px",
            ),
            rx.cond(
                S.dialog_check != "",
                callout(
                    "circle-check",
                    "green",
                    rx.callout.text("New key stored. ", S.dialog_check),
                    role="status",
                    high_contrast=True,
                    margin_top="12px",
                ),
            ),
            _dialog_error(),
            _dialog_buttons(rx.button("Check and store", type="submit", loading=S.dialog_busy)),
            on_submit=lambda form: [
                rx.set_value("rotate-key", ""),
                S.rotate_key(submitted(form, "key")),
            ],
        ),
    )


def _member(member: MemberRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(member.username),
        rx.table.cell(member.role),
        rx.table.cell(
            rx.button(
                "Remove",
                size="1",
                variant="soft",
                color_scheme="red",
                type="button",
                aria_label=f"Remove {member.username}",
                on_click=S.remove_member(member.username),
            ),
            text_align="right",
        ),
        align="center",
    )


def _members_list() -> rx.Component:
    return rx.cond(
        S.members.length() > 0,  # type: ignore[attr-defined]
        rx.table.root(
            rx.el.caption("Members", style=VISUALLY_HIDDEN),
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Username"),
                    rx.table.column_header_cell("Role"),
                    rx.table.column_header_cell(rx.text("Actions", style=VISUALLY_HIDDEN)),
                )
            ),
            rx.table.body(rx.foreach(S.members, _member)),
            size="1",
            width="100%",
        ),
        rx.text("No members yet.", size="2", color_scheme="gray"),
    )


def _member_form() -> rx.Component:
    return rx.el.form(
        rx.flex(
            rx.box(
                form_field(
                    "Username",
                    MEMBER_USERNAME,
                    rx.input(
                        id=MEMBER_USERNAME,
                        name="username",
                        max_length=254,
                        **TEXT_INPUT,
                        **control_attrs(MEMBER_USERNAME, S.field_error),
                    ),
                    "An existing account's.",
                    S.field_error,
                ),
                flex="1 1 180px",
            ),
            rx.box(
                rx.el.label(
                    rx.text("Role", as_="span", size="2", weight="medium"),
                    html_for="member-role",
                    display="block",
                    margin_bottom="6px",
                ),
                rx.select(
                    [role.value for role in Role],
                    name="role",
                    default_value=Role.VIEWER.value,
                    id="member-role",
                ),
                flex="0 0 auto",
            ),
            gap="12px",
            wrap="wrap",
            align="start",
        ),
        rx.button("Add or change", type="submit", margin_top="12px"),
        on_submit=lambda form: S.add_member(submitted(form, "username"), submitted(form, "role")),
        margin_top="16px",
    )


def members_dialog() -> rx.Component:
    return _dialog(
        "members",
        rx.dialog.title("Members of ", S.dialog_name),
        rx.dialog.description(
            "Each member's role in this workspace. Admins of ftapp are admins in every "
            "workspace without being listed."
        ),
        rx.box(_members_list(), margin_top="12px"),
        _member_form(),
        _dialog_error(),
        _dialog_buttons(),
    )


def remove_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Remove workspace"),
            rx.alert_dialog.description(
                rx.text(
                    "Remove ",
                    rx.text.strong(S.dialog_name),
                    "? Its API key and its members are forgotten here; its job history "
                    "records are kept. The API's jobs are not touched.",
                )
            ),
            _dialog_error(),
            rx.flex(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(
                    "Remove",
                    color_scheme="red",
                    high_contrast=True,
                    on_click=S.remove_workspace,
                ),
                gap="12px",
                justify="end",
                margin_top="16px",
            ),
            max_width="440px",
        ),
        open=S.dialog == "remove",
        on_open_change=S.set_dialog_open,
    )
