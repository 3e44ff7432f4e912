"""The sign-in pages: plain HTML (they must work without the gated WebSocket).

In the app's look (indigo accent, slate greys), light or dark with the system, readable on a
375 px phone. No script; every value is escaped.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from starlette.responses import HTMLResponse

from ftapp import routes
from ftapp.auth import csrf

WRONG_CREDENTIALS = "Wrong username or password."
FORM_EXPIRED = "This sign-in form expired or was sent from another site. Please try again."
BAD_LINK = "This sign-in link is not valid. The link changes at every start of ftapp."
ACCOUNT_DISABLED = "This account is disabled."

SECURITY_HEADERS = {
    "cache-control": "no-store",
    "content-security-policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    # Not "no-referrer": with it a browser sends "Origin: null" on the form's own POST, which
    # the Origin guard (rightly) refuses. "same-origin" still tells other sites nothing.
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}

_STYLE = """
:root { color-scheme: light dark; --bg: #f8f9fa; --card: #fff; --text: #1c2024;
  --muted: #60646c; --line: #d9d9e0; --accent: #3e63dd; --accent-bg: #3e63dd;
  --accent-text: #fff;
  --error-bg: #fff0ee; --error: #ce2c31; --focus: #3e63dd66; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #111113; --card: #18191b; --text: #edeef0; --muted: #b0b4ba;
    --line: #363a3f; --accent: #849dff; --accent-bg: #3e63dd; --error-bg: #3b1219;
    --error: #ff9592;
    --focus: #5472e499; } }
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; padding: 1rem;
  background: var(--bg); color: var(--text);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { width: 100%; max-width: 24rem; background: var(--card); border: 1px solid var(--line);
  border-radius: 12px; padding: 2rem 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
p { margin: 0 0 1rem; color: var(--muted); }
label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
input { width: 100%; font: inherit; padding: .6rem .75rem; border: 1px solid var(--line);
  border-radius: 8px; background: transparent; color: inherit; }
input:focus, .button:focus-visible { outline: 3px solid var(--focus); outline-offset: 1px; }
.button { display: block; width: 100%; margin-top: 1.5rem; padding: .65rem 1rem; font: inherit;
  font-weight: 600; text-align: center; text-decoration: none; border-radius: 8px;
  border: 1px solid var(--accent-bg); background: var(--accent-bg); color: var(--accent-text);
  cursor: pointer; }
.button.secondary { background: transparent; color: var(--accent); border-color: var(--accent);
  margin-top: .75rem; }
.or { text-align: center; margin: 1.25rem 0 0; }
.error { background: var(--error-bg); color: var(--error); padding: .6rem .75rem;
  border-radius: 8px; }
"""


def too_many_attempts(retry_after: int) -> str:
    """The message of a sign-in refused while throttled: when to try again, not what was
    wrong."""
    unit = "second" if retry_after == 1 else "seconds"
    return f"Too many attempts. Try again in {retry_after} {unit}."


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    """A complete HTML page with the sign-in look and security headers."""
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · ftapp</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return HTMLResponse(document, status_code=status, headers=SECURITY_HEADERS)


def login_page(
    *,
    csrf_token: str,
    next_path: str,
    sso: bool,
    error: str = "",
    username: str = "",
    status: int = 200,
) -> HTMLResponse:
    """The sign-in form: username, password, "Sign in", and "Sign in with SSO" if configured."""
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    sso_link = ""
    if sso:
        target = routes.OIDC_LOGIN
        if next_path != routes.HOME:
            target += f"?next={quote(next_path, safe='/')}"
        sso_link = (
            '<p class="or">or</p>'
            f'<a class="button secondary" href="{escape(target)}">Sign in with SSO</a>'
        )
    body = (
        "<h1>Sign in</h1><p>to ftapp, to manage fine-tuning jobs.</p>"
        f"{alert}"
        f'<form method="post" action="{routes.LOGIN}">'
        f'<input type="hidden" name="{csrf.FIELD}" value="{escape(csrf_token)}">'
        f'<input type="hidden" name="next" value="{escape(next_path)}">'
        '<label for="username">Username</label>'
        '<input id="username" name="username" autocomplete="username" required '
        f'autocapitalize="none" spellcheck="false" value="{escape(username)}"'
        f"{'' if username else ' autofocus'}>"
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" '
        f'autocomplete="current-password" required{" autofocus" if username else ""}>'
        '<button class="button" type="submit">Sign in</button>'
        "</form>"
        f"{sso_link}"
    )
    return page("Sign in", body, status)


def message_page(
    title: str, message: str, *, status: int, link_text: str = "Sign in"
) -> HTMLResponse:
    """A short page: a title, one sentence, and a way back to the sign-in form."""
    body = (
        f"<h1>{escape(title)}</h1><p>{escape(message)}</p>"
        f'<a class="button" href="{routes.LOGIN}">{escape(link_text)}</a>'
    )
    return page(title, body, status)


def signed_out_page() -> HTMLResponse:
    """After signing out."""
    return message_page(
        "You are signed out",
        "Your session has ended on this browser.",
        status=200,
        link_text="Sign in again",
    )
