"""The layers stay apart: pages and components reach the upstream only through
``ftapp.services``, the sandbox needs nothing of the app but the rules and settings, only
sign-in, history and the services open the app database, and tests share code only through
``tests/helpers``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers.imports import imports_of, reaches

PACKAGE = Path(__file__).resolve().parents[2] / "ftapp"
UI_FORBIDDEN = ("ftapp.upstream", "httpx", "ftapp.services.connection", "ftapp.services.feed")
SANDBOX_ALLOWED = (
    "ftapp.job_fields",
    "ftapp.rules",
    "ftapp.settings",
    "ftapp.timeago",
    "ftapp.sandbox",
    "ftapp.private_files",
)


def modules(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("path", modules("pages", "components"), ids=lambda p: p.stem)
def test_pages_and_components_reach_the_upstream_only_through_the_services(path: Path) -> None:
    bad = [
        name
        for name in imports_of(path)
        if any(reaches(name, forbidden) for forbidden in UI_FORBIDDEN)
    ]
    assert bad == [], f"{path.relative_to(PACKAGE)} imports {bad}"


@pytest.mark.parametrize("path", modules("sandbox"), ids=lambda p: p.stem)
def test_the_sandbox_imports_only_the_rules_and_the_settings(path: Path) -> None:
    own = [name for name in imports_of(path) if reaches(name, "ftapp")]
    bad = [
        name
        for name in own
        if name != "ftapp" and not any(reaches(name, allowed) for allowed in SANDBOX_ALLOWED)
    ]
    assert bad == [], f"{path.relative_to(PACKAGE)} imports {bad}"


WORKSPACE_STATE = PACKAGE / "pages" / "workspace_state.py"


@pytest.mark.parametrize("path", modules("pages"), ids=lambda p: p.stem)
def test_pages_act_as_the_person_in_their_workspace(path: Path) -> None:
    """A page looks the person up only through WorkspaceState (``_actor``: in the page's
    workspace with their role there; ``_account``: ftapp's own pages): a bare
    ``auth.current_user`` would act in the default workspace with the account's own role."""
    if path == WORKSPACE_STATE:
        return
    calls = [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr in ("current_user", "identity_of")
    ]
    assert calls == [], f"{path.relative_to(PACKAGE)} looks the person up itself: lines {calls}"


RUNTIME_EVENT_CALLS = ("toast", "redirect", "call_script", "window_alert", "set_clipboard")
GUARDED_HELPERS = PACKAGE / "pages" / "browser_events.py"


def state_modules() -> list[Path]:
    """Modules whose code runs in event handlers (where text can come from anyone)."""
    return sorted(
        path
        for path in (PACKAGE / "pages").rglob("*.py")
        if path.stem in ("state", "submission", "workspace_state")
    )


@pytest.mark.parametrize("path", state_modules(), ids=lambda p: str(p.parent.name + "/" + p.stem))
def test_handlers_send_browser_events_only_through_the_guarded_helpers(path: Path) -> None:
    """rx.toast, rx.redirect... built at run time must go through the helpers in
    pages/browser_events.py, which neutralise Var markup (ftapp.guard.text)."""
    assert GUARDED_HELPERS.is_file()
    direct = [
        node.attr
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute)
        and node.attr in RUNTIME_EVENT_CALLS
        and isinstance(node.value, ast.Name)
        and node.value.id == "rx"
    ]
    assert direct == [], f"{path.relative_to(PACKAGE)} calls rx.{direct}"


# --- The app database, and the tests' own imports ---

DATABASE = ("ftapp.database", "ftapp.models")
DATABASE_USERS = (
    "auth",
    "history",
    "services",
    "workspaces",
    "cli.py",
    "cli_workspaces.py",
    "ftapp.py",
    "outages.py",
    "health.py",
    "database.py",
)


def _under(path: Path, places: tuple[str, ...]) -> bool:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] in places


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(PACKAGE.rglob("*.py")) if not _under(p, DATABASE_USERS)],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_only_sign_in_history_and_the_services_touch_the_app_database(path: Path) -> None:
    """Pages, components, the sandbox, the upstream client and the rules never open the app
    database: what they need of it comes through the services (which check roles)."""
    bad = [name for name in imports_of(path) if any(reaches(name, db) for db in DATABASE)]
    assert bad == [], f"{path.relative_to(PACKAGE)} imports {bad}"


TESTS = PACKAGE.parent / "tests"
BENCH = PACKAGE.parent / "bench"


@pytest.mark.parametrize(
    "path",
    sorted([*TESTS.rglob("*.py"), *BENCH.rglob("*.py")]),
    ids=lambda p: str(p.relative_to(PACKAGE.parent)),
)
def test_tests_share_code_only_through_the_helpers(path: Path) -> None:
    """No test module or benchmark imports a test module or a conftest: what they share is in
    ``tests/helpers`` (fixtures reach tests through conftest discovery, not imports)."""
    bad = [
        name
        for name in imports_of(path)
        if name.startswith("tests.")
        and any(part.startswith("test_") or part == "conftest" for part in name.split("."))
    ]
    assert bad == [], f"{path.relative_to(PACKAGE.parent)} imports {bad}"
