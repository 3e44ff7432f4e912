"""The app shell: a header with the app name and navigation, then the page."""

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx

from ftapp import routes
from ftapp.auth.roles import Permission

VISUALLY_HIDDEN = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "overflow": "hidden",
    "clip": "rect(0 0 0 0)",
    "white_space": "nowrap",
}


@dataclass(frozen=True)
class NavItem:
    """A page the header links to, for everyone or for those with ``permission``."""

    route: str
    label: str
    permission: Permission | None = None


NAV_ITEMS = (
    NavItem(routes.DASHBOARD, "Dashboard"),
    NavItem(routes.NEW_JOB, "New job"),
    NavItem(routes.HISTORY, "History", Permission.READ_HISTORY),
    NavItem(routes.ACTIVITY, "Activity", Permission.VIEW_ACTIVITY),
    NavItem(routes.ADMIN_WORKSPACES, "Workspaces", Permission.MANAGE_WORKSPACES),
)
"""The header's links (and the phone menu's first items), in order."""

May = Callable[[Permission], rx.Var[bool]]
"""Whether the signed-in person has a permission, as a Var of the page's State."""


def _nav_items(may: May | None, link: Callable[[NavItem], rx.Component]) -> list[rx.Component]:
    """``link(item)`` for each item of :data:`NAV_ITEMS`, those with a permission shown only
    when ``may(permission)`` holds (left out without ``may``)."""
    return [
        link(item) if item.permission is None else rx.cond(may(item.permission), link(item))
        for item in NAV_ITEMS
        if item.permission is None or may is not None
    ]


def _nav_link(item: NavItem) -> rx.Component:
    return rx.link(
        item.label, href=item.route, weight="medium", underline="hover", high_contrast=True
    )


def _menu_item(item: NavItem) -> rx.Component:
    return rx.menu.item(item.label, on_click=rx.redirect(item.route))


PHONE_ONLY = ["flex", "flex", "none"]
"""Shown below 768 px (Reflex's ``sm`` breakpoint), hidden from there up."""
WIDE_ONLY = ["none", "none", "flex"]


def _home_link() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("sparkles", size=20),
            rx.text("ftapp", size="5", weight="bold"),
            align="center",
            spacing="2",
        ),
        href=routes.DASHBOARD,
        underline="none",
        high_contrast=True,
        aria_label="ftapp home",
    )


def _colour_mode_toggle() -> rx.Component:
    return rx.color_mode.button(size="2", variant="ghost", aria_label="Toggle dark mode")


def phone_menu(*extra: rx.Component, may: May | None = None) -> rx.Component:
    """The header's Menu button on phones: the pages of :data:`NAV_ITEMS` (``may``: as in
    :func:`header`), then ``extra`` (``rx.menu.item``...), in a dropdown."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(rx.icon("menu", size=20), variant="ghost", aria_label="Menu"),
        ),
        rx.menu.content(*_nav_items(may, _menu_item), *extra, align="end", min_width="200px"),
    )


def header(
    *extra: rx.Component, phone: rx.Component | None = None, may: May | None = None
) -> rx.Component:
    """The top bar: app name, links to the pages of :data:`NAV_ITEMS` (those needing a
    permission only when ``may(permission)`` holds), ``extra`` (e.g. who is signed in),
    colour mode toggle. With ``phone`` (a :func:`phone_menu`), phones get the app name, the
    toggle and that menu on one line instead of the links."""
    links = rx.hstack(
        *_nav_items(may, _nav_link),
        *extra,
        _colour_mode_toggle(),
        spacing="5",
        align="center",
        wrap="wrap",
    )
    navigation = (
        rx.el.nav(links, aria_label="Main")
        if phone is None
        else rx.fragment(
            rx.el.nav(links, aria_label="Main", display=WIDE_ONLY),
            rx.hstack(
                _colour_mode_toggle(),
                rx.el.nav(phone, aria_label="Main"),
                spacing="4",
                align="center",
                display=PHONE_ONLY,
            ),
        )
    )
    return rx.el.header(
        rx.flex(
            _home_link(),
            navigation,
            justify="between",
            align="center",
            padding_x="20px",
            padding_y="12px",
            gap="16px",
            max_width="1200px",
            margin_x="auto",
        ),
        style={"border_bottom": f"1px solid {rx.color('gray', 5)}"},
    )


MAIN_ID = "main"

_SKIP_LINK_STYLE = {
    "position": "absolute",
    "left": "-9999px",
    "top": "8px",
    "z_index": "1000",
    "padding": "8px 12px",
    "border_radius": "6px",
    "background": "var(--color-panel-solid)",
    "color": "var(--gray-12)",
    "box_shadow": "var(--shadow-4)",
    "&:focus": {"left": "8px"},
}


def page_shell(
    *children: rx.Component,
    header_extra: tuple = (),
    phone: rx.Component | None = None,
    may: May | None = None,
) -> rx.Component:
    """A skip link, the header (with ``header_extra``, the ``phone`` menu and ``may``), then a
    centred main area holding ``children``."""
    return rx.box(
        rx.el.a(
            "Skip to content",
            href=f"#{MAIN_ID}",
            # The browser scrolls to #main; moving the focus there is ours to do.
            on_click=rx.call_script(f"document.getElementById('{MAIN_ID}').focus()"),
            style=_SKIP_LINK_STYLE,
        ),
        header(*header_extra, phone=phone, may=may),
        rx.el.main(
            rx.vstack(*children, spacing="5", width="100%"),
            id=MAIN_ID,
            # The server-rendered page shows before it is connected and loaded: busy until
            # then (assistive technology waits; tests act once a person could).
            custom_attrs={"aria-busy": ~rx.State.is_hydrated},
            tab_index=-1,
            outline="none",
            max_width="1200px",
            margin_x="auto",
            padding_x=["12px", "20px"],
            padding_y="24px",
        ),
        min_height="100vh",
    )


def page_header(
    title: rx.Var[str] | str, subtitle: rx.Component, *actions: rx.Component
) -> rx.Component:
    """The page's h1 with a quiet line under it, and its actions on the right."""
    return rx.flex(
        rx.vstack(
            rx.heading(title, size=rx.breakpoints(initial="6", sm="7"), as_="h1"),
            subtitle,
            spacing="1",
        ),
        *actions,
        justify="between",
        align="start",
        wrap="wrap",
        gap="12px",
        width="100%",
    )


def link_button(label: str, href: rx.Var[str] | str, icon: str | None = None, **props):
    """A link that looks like a button (one element, role link)."""
    children = [rx.icon(icon, size=16), label] if icon else [label]
    return rx.button(rx.link(*children, href=href, underline="none"), as_child=True, **props)


def back_link(label: str, href: rx.Var[str] | str) -> rx.Component:
    """A quiet "<- label" link above a page's heading, the way back to where the user was."""
    return rx.link(
        rx.hstack(
            rx.icon("arrow-left", size=14, aria_hidden="true"), rx.text(label), align="center"
        ),
        href=href,
        size="2",
    )
