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


Home = rx.Var[str] | str
"""The workspace's dashboard path (``/w/<slug>``), where the header's links start."""


@dataclass(frozen=True)
class NavItem:
    """A page of the workspace the header links to (``tail``: its path after the workspace's
    own, ``/w/<slug>``), for everyone or for those with ``permission``."""

    tail: str
    label: str
    permission: Permission | None = None
    in_workspace: bool = True
    """False for ftapp's own pages (``tail`` is then the whole path)."""

    def href(self, home: Home) -> Home:
        """Where the item leads from the workspace whose dashboard is ``home``."""
        return home + self.tail if self.in_workspace else self.tail


NAV_ITEMS = (
    NavItem("", "Dashboard"),
    NavItem("/jobs/new", "New job"),
    NavItem("/history", "History", Permission.READ_HISTORY),
    NavItem("/activity", "Activity", Permission.VIEW_ACTIVITY),
    NavItem(routes.ADMIN_WORKSPACES, "Workspaces", Permission.MANAGE_WORKSPACES, False),
)
"""The header's links (and the phone menu's first items), in order."""

DEFAULT_HOME = routes.workspace_home(routes.DEFAULT_WORKSPACE)

May = Callable[[Permission], rx.Var[bool]]
"""Whether the signed-in person has a permission, as a Var of the page's State."""


def _nav_items(
    may: May | None, link: Callable[[NavItem, Home], rx.Component], home: Home
) -> list[rx.Component]:
    """``link(item)`` for each item of :data:`NAV_ITEMS`, those with a permission shown only
    when ``may(permission)`` holds (left out without ``may``)."""
    return [
        link(item, home)
        if item.permission is None
        else rx.cond(may(item.permission), link(item, home))
        for item in NAV_ITEMS
        if item.permission is None or may is not None
    ]


def _nav_link(item: NavItem, home: Home) -> rx.Component:
    return rx.link(
        item.label, href=item.href(home), weight="medium", underline="hover", high_contrast=True
    )


def _menu_item(item: NavItem, home: Home) -> rx.Component:
    return rx.menu.item(item.label, on_click=rx.redirect(item.href(home)))


PHONE_ONLY = ["flex", "flex", "none"]
"""Shown below 768 px (Reflex's ``sm`` breakpoint), hidden from there up."""
WIDE_ONLY = ["none", "none", "flex"]


def _home_link(home: Home) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("sparkles", size=20),
            rx.text("ftapp", size="5", weight="bold"),
            align="center",
            spacing="2",
        ),
        href=home,
        underline="none",
        high_contrast=True,
        aria_label="ftapp home",
    )


def _colour_mode_toggle() -> rx.Component:
    return rx.color_mode.button(size="2", variant="ghost", aria_label="Toggle dark mode")


def phone_menu(
    *extra: rx.Component, may: May | None = None, home: Home = DEFAULT_HOME
) -> rx.Component:
    """The header's Menu button on phones: the pages of :data:`NAV_ITEMS` (``may`` and
    ``home``: as in :func:`header`), then ``extra`` (``rx.menu.item``...), in a dropdown."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(rx.icon("menu", size=20), variant="ghost", aria_label="Menu"),
        ),
        rx.menu.content(*_nav_items(may, _menu_item, home), *extra, align="end", min_width="200px"),
    )


def header(
    *extra: rx.Component,
    phone: rx.Component | None = None,
    may: May | None = None,
    home: Home = DEFAULT_HOME,
) -> rx.Component:
    """The top bar: app name, links to the pages of :data:`NAV_ITEMS` in the workspace whose
    dashboard is ``home`` (those needing a permission only when ``may(permission)`` holds),
    ``extra`` (e.g. the workspace switcher, who is signed in),
    colour mode toggle. With ``phone`` (a :func:`phone_menu`), phones get the app name, the
    toggle and that menu on one line instead of the links."""
    links = rx.hstack(
        *_nav_items(may, _nav_link, home),
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
            _home_link(home),
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
    home: Home = DEFAULT_HOME,
) -> rx.Component:
    """A skip link, the header (with ``header_extra``, the ``phone`` menu, ``may`` and
    ``home``), then a centred main area holding ``children``."""
    return rx.box(
        rx.el.a(
            "Skip to content",
            href=f"#{MAIN_ID}",
            # The browser scrolls to #main; moving the focus there is ours to do.
            on_click=rx.call_script(f"document.getElementById('{MAIN_ID}').focus()"),
            style=_SKIP_LINK_STYLE,
        ),
        header(*header_extra, phone=phone, may=may, home=home),
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
