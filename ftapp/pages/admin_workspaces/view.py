"""The workspaces' admin page: a table of the workspaces (the environment's first, read-only),
the Add form, and a dialog per action (rename, new key, members, remove: dialogs.py)."""

from __future__ import annotations

import reflex as rx

from ftapp import routes
from ftapp.components.callouts import callout
from ftapp.components.form_field import control_attrs, form_field
from ftapp.components.layout import VISUALLY_HIDDEN, page_header
from ftapp.pages.admin_workspaces.dialogs import (
    members_dialog,
    remove_dialog,
    rename_dialog,
    rotate_dialog,
)
from ftapp.pages.admin_workspaces.inputs import KEY_INPUT, TEXT_INPUT, submitted
from ftapp.pages.admin_workspaces.state import (
    ADD_HEADING,
    OPENER,
    AdminWorkspacesState,
    WorkspaceRow,
)
from ftapp.pages.shell import app_page

S = AdminWorkspacesState


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
            # As wide as its columns need, at least the page's: on a phone the box around it
            # scrolls (one region, reachable by keyboard), never the table's own viewport.
            width="max-content",
            min_width="100%",
        ),
        width="100%",
        overflow_x="auto",
        tab_index=0,
        role="region",
        aria_label="Workspaces, scrolls sideways",
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
                **TEXT_INPUT,
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
                **TEXT_INPUT,
                **control_attrs("add-url", S.url_error),
            ),
            url_hint,
            S.url_error,
        ),
        form_field(
            "API key",
            "add-key",
            rx.input(
                id="add-key", name="key", **KEY_INPUT, **control_attrs("add-key", S.key_error)
            ),
            "Asked of the API before it is stored; only its last four characters are shown.",
            S.key_error,
        ),
        columns=rx.breakpoints(initial="1", md="3"),
        gap="16px",
        width="100%",
    )
    return rx.el.form(
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
                submitted(form, "name"), submitted(form, "api_url"), submitted(form, "key")
            ),
        ],
        width="100%",
        aria_labelledby=ADD_HEADING,
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
                rename_dialog(),
                rotate_dialog(),
                members_dialog(),
                remove_dialog(),
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
