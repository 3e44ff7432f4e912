"""What the workspaces' admin page's text fields share: no autocomplete or spelling help,
a key's field as a password's, and a submitted form's field as a handler argument."""

from __future__ import annotations

import reflex as rx

TEXT_INPUT = {"auto_complete": "off", "spell_check": False, "auto_capitalize": "off"}
KEY_INPUT = {"type": "password", "auto_complete": "off", "spell_check": False}


def submitted(form: rx.Var, name: str) -> rx.Var[str]:
    """The text of field ``name`` of a submitted form (a handler argument, never a State var)."""
    return form.to(dict[str, str])[name]
