"""Ask before leaving a page with unsubmitted work: the browser's own prompt on unload, and
a confirm on in-app links that lead to another page.

The page renders :func:`leave_guard` with a Var saying whether there is work to lose; the
guard is a hidden element carrying that flag, and listeners installed while it is mounted
read it at the moment the user leaves.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.utils.imports import ImportDict, ImportVar
from reflex_components_core.el.elements.typography import Div

GUARD_SELECTOR = '[data-leave-guard="true"]'

_INSTALL_JS = f"""
function installFtappLeaveGuard() {{
  const armed = () => document.querySelector('{GUARD_SELECTOR}');
  const onBeforeUnload = (event) => {{
    if (!armed()) return;
    event.preventDefault();
    event.returnValue = "";
    // The prompt may keep the user here: keep Reflex's websocket open for that case.
    event.stopImmediatePropagation();
  }};
  const onClick = (event) => {{
    const guard = armed();
    if (!guard || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link || (link.target && link.target !== "_self")) return;
    const url = new URL(link.href, window.location.href);
    // Other steps of the same page keep the work on screen; other sites get the
    // browser's own prompt through beforeunload.
    if (url.origin !== window.location.origin) return;
    if (url.pathname === window.location.pathname) return;
    if (!window.confirm(guard.getAttribute("data-leave-message") || "Leave this page?")) {{
      event.preventDefault();
      event.stopPropagation();
    }}
  }};
  window.addEventListener("beforeunload", onBeforeUnload, true);
  document.addEventListener("click", onClick, true);
  return () => {{
    window.removeEventListener("beforeunload", onBeforeUnload, true);
    document.removeEventListener("click", onClick, true);
  }};
}}
"""


class LeaveGuard(Div):
    """A hidden div whose mount installs the leave listeners (see the module docstring)."""

    def add_imports(self) -> ImportDict:
        return {"react": [ImportVar(tag="useEffect")]}

    def add_custom_code(self) -> list[str]:
        return [_INSTALL_JS]

    def add_hooks(self) -> list[str | rx.Var]:
        return ["useEffect(() => installFtappLeaveGuard(), []);"]


def leave_guard(armed: rx.Var[bool], message: str) -> rx.Component:
    """Ask before the page is left while ``armed`` is true; ``message`` is for in-app links."""
    return LeaveGuard.create(
        hidden=True,
        custom_attrs={
            "data-leave-guard": rx.cond(armed, "true", "false"),
            "data-leave-message": message,
        },
    )
