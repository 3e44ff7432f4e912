"""The workspaces' admin page: a table of the workspaces (the environment's first, read-only),
the Add form, and a dialog per action (rename, new key, members, remove)."""

from __future__ import annotations

import reflex as rx

from ftapp import routes
from ftapp.auth.roles import Role
from ftapp.components.callouts import callout
from ftapp.components.form_field import control_attrs, form_field
from ftapp.components.layout import VISUALLY_HIDDEN, page_header
from ftapp.pages.admin_workspaces.state import (
    ADD_HEADING,
    MEMBER_USERNAME,
    OPENER,
    AdminWorkspacesState,
    MemberRow,
    WorkspaceRow,
)
from ftapp.pages.shell import app_page

S = AdminWorkspacesState
_TEXT_INPUT = {"auto_complete": "off", "spell_check": False, "auto_capitalize": "off"}
_KEY_INPUT = {"type": "password", "auto_complete": "off", "spell_check": False}


def _submitted(form: rx.Var, name: str) -> rx.Var[str]:
    """The text of field ``name`` of a submitted form (a handler argument, never a State var)."""
    return form.to(dict[str, str])[name]


# --- the table --------------------------------------------------------------------------------


def _action(label: str, kind: str, row: WorkspaceRow, **props) -> rx.Component:
    return rx.button(
        label,
        size="1",
        variant="soft",
        type="button",
        aria_label=f"{label} {row.name}",
        custom_attrs={OPENER: f"{kind}:{row.slug}"},
        on_click=S.open_dialog(kind, row.slug),
        **props,
    )


def _url_cell(url: rx.Var[str] | str) -> rx.Component:
    # Wide enough to read on a phone (the table scrolls within itself), cut into lines beyond.
    return rx.table.cell(
        rx.code(url, variant="ghost", size="1"),
        min_width="190px",
        max_width="260px",
        overflow_wrap="anywhere",
    )


def _row(row: WorkspaceRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.name, weight="medium"),
        rx.table.cell(rx.code(row.slug, variant="ghost", size="1")),
        _url_cell(row.api_base_url),
        rx.table.cell(row.key_text, white_space="nowrap"),
        rx.table.cell(row.members_text, white_space="nowrap"),
        rx.table.cell(
            rx.flex(
                _action("Rename", "rename", row),
                _action("New key", "rotate", row),
                _action("Members", "members", row),
                _action("Remove", "remove", row, color_scheme="red"),
                gap="6px",
                wrap="wrap",
                min_width="200px",
            )
        ),
        align="center",
    )


def _default_row() -> rx.Component:
    row = S.default_row
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.text(row.name, weight="medium"),
                rx.badge("Environment", variant="soft", color_scheme="gray", high_contrast=True),
                spacing="1",
                align="start",
            )
        ),
        rx.table.cell(rx.code(row.slug, variant="ghost", size="1")),
        _url_cell(row.api_base_url),
        rx.table.cell(
            rx.text("Set by FT_API_BASE_URL/FT_API_KEY on the server", size="2"),
            max_width="220px",
        ),
        rx.table.cell("Every account"),
        rx.table.cell(rx.text("Read-only here", size="2", color_scheme="gray")),
        align="center",
    )


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.el.caption("Workspaces", style=VISUALLY_HIDDEN),
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(label)
                        for label in ("Name", "Slug", "API URL", "Key", "Members", "Actions")
                    ]
                )
            ),
            rx.table.body(_default_row(), rx.foreach(S.rows, _row)),
            variant="surface",
            width="100%",
        ),
        width="100%",
        overflow_x="auto",
    )


# --- the Add form -----------------------------------------------------------------------------


def _add_form() -> rx.Component:
    url_hint = rx.cond(
        S.embedded_url != "",
        "Filled in with the embedded sandbox's API, which this app runs; or a hosted API's, "
        "e.g. https://training.example.com/api",
        "The API's base URL, including its path, e.g. https://training.example.com/api",
    )
    fields = rx.grid(
        form_field(
            "Name",
            "add-name",
            rx.input(
                id="add-name",
                name="name",
                max_length=64,
                **_TEXT_INPUT,
                **control_attrs("add-name", S.name_error),
            ),
            "1 to 64 characters; its slug (its name in URLs) is made from it.",
            S.name_error,
        ),
        form_field(
            "API base URL",
            "add-url",
            rx.input(
                id="add-url",
                name="api_url",
                default_value=S.embedded_url,
                input_mode="url",
                max_length=2048,
                **_TEXT_INPUT,
                **control_attrs("add-url", S.url_error),
            ),
            url_hint,
            S.url_error,
        ),
        form_field(
            "API key",
            "add-key",
            rx.input(
                id="add-key", name="key", **_KEY_INPUT, **control_attrs("add-key", S.key_error)
            ),
            "Asked of the API before it is stored; only its last four characters are shown.",
            S.key_error,
        ),
        columns=rx.breakpoints(initial="1", md="3"),
        gap="16px",
        width="100%",
    )
    return rx.form(
        rx.vstack(
            rx.heading("Add workspace", as_="h2", size="4", id=ADD_HEADING, tab_index=-1),
            fields,
            rx.button("Add", type="submit", loading=S.adding, width="fit-content"),
            rx.box(
                rx.cond(
                    S.add_check != "",
                    callout(
                        "circle-check",
                        "green",
                        rx.callout.text("Key check: ", S.add_check),
                        role="status",
                        high_contrast=True,  # the soft green's own text is under AA contrast
                    ),
                ),
                rx.cond(
                    S.add_message != "",
                    callout("circle-alert", "red", rx.callout.text(S.add_message)),
                ),
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        # The key is read from the form and sent once as an argument (never a State var);
        # its field is emptied at once, whatever the answer.
        on_submit=lambda form: [
            rx.set_value("add-key", ""),
            S.add_workspace(
                _submitted(form, "name"), _submitted(form, "api_url"), _submitted(form, "key")
            ),
        ],
        width="100%",
        aria_labelledby=ADD_HEADING,
    )


# --- the dialogs ------------------------------------------------------------------------------


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


def _rename_dialog() -> rx.Component:
    return _dialog(
        "rename",
        rx.dialog.title("Rename workspace"),
        rx.dialog.description(
            "A new name for ", rx.text.strong(S.dialog_name), ". Its slug, key and history stay."
        ),
        rx.form(
            rx.box(
                form_field(
                    "New name",
                    "rename-name",
                    rx.input(
                        id="rename-name",
                        name="name",
                        default_value=S.dialog_name,
                        max_length=64,
                        **_TEXT_INPUT,
                        **control_attrs("rename-name", S.field_error),
                    ),
                    "1 to 64 characters, not another workspace's.",
                    S.field_error,
                ),
                margin_top="12px",
            ),
            _dialog_error(),
            _dialog_buttons(rx.button("Rename", type="submit")),
            on_submit=lambda form: S.rename_workspace(_submitted(form, "name")),
        ),
    )


def _rotate_dialog() -> rx.Component:
    return _dialog(
        "rotate",
        rx.dialog.title("New key for ", S.dialog_name),
        rx.dialog.description(
            "The key is asked of ",
            rx.code(S.dialog_url, variant="ghost"),
            " first. A key it refuses is not stored, and the old key is kept.",
        ),
        rx.form(
            rx.box(
                form_field(
                    "New API key",
                    "rotate-key",
                    rx.input(
                        id="rotate-key",
                        name="key",
                        **_KEY_INPUT,
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
                S.rotate_key(_submitted(form, "key")),
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
    return rx.form(
        rx.flex(
            rx.box(
                form_field(
                    "Username",
                    MEMBER_USERNAME,
                    rx.input(
                        id=MEMBER_USERNAME,
                        name="username",
                        max_length=254,
                        **_TEXT_INPUT,
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
        on_submit=lambda form: S.add_member(_submitted(form, "username"), _submitted(form, "role")),
        margin_top="16px",
    )


def _members_dialog() -> rx.Component:
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


def _remove_dialog() -> rx.Component:
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


# --- the page ---------------------------------------------------------------------------------


def _content() -> rx.Component:
    return rx.cond(
        S.refusal != "",
        callout("lock", "amber", rx.callout.text(S.refusal)),
        rx.cond(
            S.loading,
            rx.skeleton(height="240px", width="100%", loading=True),
            rx.vstack(
                _table(),
                rx.divider(),
                _add_form(),
                _rename_dialog(),
                _rotate_dialog(),
                _members_dialog(),
                _remove_dialog(),
                spacing="5",
                width="100%",
            ),
        ),
    )


@rx.page(route=routes.ADMIN_WORKSPACES, title="Workspaces · ftapp", on_load=S.open_page)
def admin_workspaces() -> rx.Component:
    """The workspaces' admin page."""
    return app_page(
        page_header(
            "Workspaces",
            rx.text(
                "Each workspace is an API's URL and key; its members' roles say who may do "
                "what there.",
                size="2",
                color_scheme="gray",
            ),
        ),
        _content(),
    )
