"""The history page: every recorded job (newest first), search, filters, sortable columns,
pages, the view as a CSV or JSON download, jobs chosen to compare, and the view's charts."""

from __future__ import annotations

import reflex as rx

from ftapp import routes
from ftapp.components.callouts import callout
from ftapp.components.layout import VISUALLY_HIDDEN, page_header
from ftapp.components.pagination import count_summary, pagination, rows_per_page
from ftapp.components.relative_time import relative_time
from ftapp.components.sortable_table import cut_name_link, shown_from, sort_header
from ftapp.components.status_badge import status_badge
from ftapp.history.rows import HistoryRow
from ftapp.history.view import ALL, PAGE_SIZES, SORT_COLUMNS, STATUS_FILTERS
from ftapp.pages.history.charts import history_charts
from ftapp.pages.history.compare_view import compare_page  # noqa: F401  (registers the page)
from ftapp.pages.history.selection import compare_bar, select_cell, select_header
from ftapp.pages.history.state import Choice, HistoryState
from ftapp.pages.shell import app_page

# From 520 px the table keeps name, created and status; wider screens add columns (Radix
# breakpoints: xs 520 px, sm 768 px, md 1024 px).
_SHOWN_FROM = {"id": "md", "model": "sm", "creator": "sm", "duration": "md", "created": "xs"}
NAME_WIDTH = "240px"


def _display(column: str) -> dict:
    return shown_from(_SHOWN_FROM, column)


def _sort_header(column: str) -> rx.Component:
    return sort_header(
        column,
        SORT_COLUMNS[column],
        sorted_by=HistoryState.sort,
        descending=HistoryState.descending,
        on_sort=HistoryState.sort_by,
        breakpoints=_SHOWN_FROM,
        class_name="ftapp-sort-button",
    )


def _name_cell(row: HistoryRow) -> rx.Component:
    return rx.vstack(
        cut_name_link(row.name, row.href, NAME_WIDTH),
        rx.cond(
            row.gone,
            rx.text(
                rx.icon(
                    "trash-2", size=12, aria_hidden="true", display="inline", margin_right="4px"
                ),
                row.gone_label,
                ", ",
                relative_time(row.gone_ts, row.gone_ago),
                size="1",
                color_scheme="gray",
                custom_attrs={"data-gone": "true"},
            ),
        ),
        spacing="0",
    )


def _row(row: HistoryRow) -> rx.Component:
    return rx.table.row(
        select_cell(row),
        rx.table.row_header_cell(_name_cell(row)),
        rx.table.cell(rx.code(row.id[:8], variant="ghost", title=row.id), **_display("id")),
        rx.table.cell(
            rx.text(row.base_model_name, title=row.base_model),
            white_space="nowrap",
            **_display("model"),
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(row.created_text, size="2", white_space="nowrap"),
                rx.text(
                    relative_time(row.created_ts, row.created_ago), size="1", color_scheme="gray"
                ),
                spacing="0",
            ),
            **_display("created"),
        ),
        rx.table.cell(row.creator, white_space="nowrap", **_display("creator")),
        rx.table.cell(row.duration_text, white_space="nowrap", **_display("duration")),
        rx.table.cell(status_badge(row.status)),
        align="center",
    )


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.el.caption("Recorded jobs", style=VISUALLY_HIDDEN),
            rx.table.header(
                rx.table.row(
                    select_header(),
                    *[
                        _sort_header(column)
                        for column in (
                            "name",
                            "id",
                            "model",
                            "created",
                            "creator",
                            "duration",
                            "status",
                        )
                    ],
                )
            ),
            rx.table.body(rx.foreach(HistoryState.rows, _row)),
            variant="surface",
            size="2",
            width="100%",
        ),
        width="100%",
        overflow_x="auto",
    )


def _select(label: str, value: rx.Var[str], on_change, *items: rx.Component) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=label, min_width="140px"),
        rx.select.content(*items),
        value=value,
        on_change=on_change,
    )


def _choice_item(choice: Choice) -> rx.Component:
    return rx.select.item(choice.label, value=choice.value)


def _day(label: str, element_id: str, value: rx.Var[str], on_change) -> rx.Component:
    return rx.hstack(
        rx.el.label(label, html_for=element_id, style={"font_size": "var(--font-size-2)"}),
        rx.input(id=element_id, type="date", value=value, on_change=on_change, width="150px"),
        align="center",
        spacing="2",
    )


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            value=HistoryState.search,
            on_change=HistoryState.set_search.debounce(300),
            placeholder="Search by name, id, model, notes or tags",
            id="history-search",
            aria_label="Search the history",
            type="search",
            flex_grow="1",
            min_width="200px",
        ),
        _select(
            "Filter by status",
            HistoryState.status_filter,
            HistoryState.set_status_filter,
            *[rx.select.item(label, value=value) for value, label in STATUS_FILTERS.items()],
        ),
        _select(
            "Filter by model",
            HistoryState.model,
            HistoryState.set_model,
            rx.select.item("All models", value=ALL),
            rx.foreach(HistoryState.model_choices, _choice_item),
        ),
        _select(
            "Filter by creator",
            HistoryState.creator,
            HistoryState.set_creator,
            rx.select.item("Everyone", value=ALL),
            rx.foreach(HistoryState.creator_choices, _choice_item),
        ),
        _day("From", "history-from", HistoryState.date_from, HistoryState.set_date_from),
        _day("To", "history-to", HistoryState.date_to, HistoryState.set_date_to),
        spacing="3",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _download(label: str, href: rx.Var[str]) -> rx.Component:
    """A link to a download from the backend: the browser fetches it (the client-side
    router would otherwise look for a page at that address)."""
    return rx.button(
        rx.link(
            rx.icon("download", size=16, aria_hidden="true"),
            label,
            href=href,
            download="",
            reload_document=True,
            underline="none",
        ),
        as_child=True,
        variant="soft",
        white_space="nowrap",
    )


def _downloads() -> rx.Component:
    return rx.cond(
        (HistoryState.refusal == "") & (HistoryState.recorded > 0),
        rx.hstack(
            _download("Download CSV", HistoryState.csv_href),
            _download("Download JSON", HistoryState.json_href),
            spacing="2",
            wrap="wrap",
        ),
    )


def _centered(*children: rx.Component) -> rx.Component:
    return rx.center(
        rx.vstack(*children, align="center", spacing="3"), padding="40px", width="100%"
    )


def _nothing_recorded() -> rx.Component:
    return _centered(
        rx.icon("history", size=32, color=rx.color("gray", 9), aria_hidden="true"),
        rx.text("No jobs recorded yet.", weight="medium"),
        rx.text(
            "Every job ftapp sees in the workspace is kept here, even after it is deleted.",
            size="2",
            color_scheme="gray",
            text_align="center",
        ),
    )


def _no_match() -> rx.Component:
    return _centered(
        rx.text("No job matches these filters.", color_scheme="gray"),
        rx.button("Clear filters", variant="soft", size="2", on_click=HistoryState.clear_filters),
    )


def _pages() -> rx.Component:
    return pagination(
        count_summary(HistoryState.total, "job", "jobs"),
        HistoryState.shown_page,
        HistoryState.page_total,
        HistoryState.go_to_page,
        *rows_per_page(HistoryState.per_page.to_string(), PAGE_SIZES, HistoryState.set_per_page),
        wrap="wrap",
        gap="8px",
    )


def _content() -> rx.Component:
    return rx.cond(
        HistoryState.refusal != "",
        callout("lock", "amber", rx.callout.text(HistoryState.refusal)),
        rx.cond(
            HistoryState.loading,
            rx.skeleton(height="240px", width="100%", loading=True),
            rx.cond(
                HistoryState.recorded == 0,
                _nothing_recorded(),
                rx.vstack(
                    _toolbar(),
                    compare_bar(),
                    rx.cond(
                        HistoryState.total == 0,
                        _no_match(),
                        rx.vstack(_table(), _pages(), history_charts(), spacing="3", width="100%"),
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
        ),
    )


@rx.page(route=routes.HISTORY, title="History · ftapp", on_load=HistoryState.open_page)
def history() -> rx.Component:
    """The history page."""
    return app_page(
        page_header(
            "History",
            rx.text(
                "Every job ftapp has recorded, deleted ones included.",
                size="2",
                color_scheme="gray",
            ),
            _downloads(),
        ),
        _content(),
    )
