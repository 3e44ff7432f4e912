"""The reviewed list of events a browser may send, and how often.

Reflex exposes every public method of a State class as an event any socket can send. This
table is the allowlist the event gate enforces; a unit test lists every handler Reflex
registers and fails when one appears that is not here, so a new public method is a decision,
not an accident.
"""

from __future__ import annotations

from dataclasses import dataclass

from ftapp.workspaces.validation import MAX_URL_LENGTH


@dataclass(frozen=True)
class Budget:
    """At most ``per_window`` events per ``window_seconds`` from one tab (0: no own limit)."""

    per_window: int = 0
    window_seconds: float = 10.0


UI = Budget()
"""Events that only change what the page shows: the general per-tab budget applies."""
NAVIGATION = UI
"""Opening a page and following the shared job list: they cost the upstream nothing while the
shared list is fresh (a page never makes it poll more than once per running interval), so
only the general budget applies, and a person clicking through the wizard never meets it."""
UPSTREAM = Budget(per_window=20, window_seconds=10.0)
"""Events that call the upstream API every time (create, delete, get one job, models)."""
REPORTS = Budget(per_window=5, window_seconds=60.0)
"""Error reports from the browser."""

PUBLIC_EVENTS: dict[str, Budget] = {
    # every page
    "WorkspaceState.retry_models": UPSTREAM,
    "WorkspaceState.refresh": UPSTREAM,
    "WorkspaceState.sign_out": UI,
    "WorkspaceState.identify": UI,
    # the dashboard
    "DashboardState.open_page": NAVIGATION,
    "DashboardState.follow_feed": NAVIGATION,
    "DashboardState.set_search": UI,
    "DashboardState.set_status_filter": UI,
    "DashboardState.sort_by": UI,
    "DashboardState.go_to_page": UI,
    "DashboardState.set_per_page": UI,
    "DashboardState.clear_filters": UI,
    "DashboardState.ask_delete": UI,
    "DashboardState.set_confirm_open": UI,
    "DashboardState.confirm_delete": UPSTREAM,
    "DashboardState.load_estimates": UI,  # no arguments; a query per model, cached
    # the job page
    "JobState.open_page": UPSTREAM,
    "JobState.follow_job": UPSTREAM,
    "JobState.set_confirm_open": UI,
    "JobState.confirm_delete": UPSTREAM,
    # the job page's record: no arguments but the texts typed (each at most MAX_TEXT,
    # the notes' own bound, ftapp.history.notes.MAX_NOTES)
    "JobState.refresh_record": UI,
    "JobState.set_notes_draft": UI,  # value: str
    "JobState.set_tags_draft": UI,  # value: str
    "JobState.save_notes": UPSTREAM,  # may ask the API for a job not listed yet
    # the activity log
    "ActivityState.open_page": UI,
    "ActivityState.go_to_page": UI,
    # the history: each reads one page of the app database (texts bounded by the view)
    "HistoryState.open_page": UI,
    "HistoryState.load_charts": UI,  # no arguments; one aggregate read per change of filters
    "HistoryState.set_search": UI,
    "HistoryState.set_status_filter": UI,
    "HistoryState.set_model": UI,
    "HistoryState.set_creator": UI,
    "HistoryState.set_date_from": UI,
    "HistoryState.set_date_to": UI,
    "HistoryState.clear_filters": UI,
    "HistoryState.sort_by": UI,
    "HistoryState.go_to_page": UI,
    "HistoryState.set_per_page": UI,
    # choosing jobs to compare (an id of a listed row, at most 4 kept), the compare page
    # (its ids are checked against the workspace's records, at most 4, bounded length)
    "HistoryState.toggle_selected": UI,
    "HistoryState.clear_selection": UI,
    "HistoryState.compare_selected": UI,
    "CompareState.open_page": UI,
    # the wizard
    "NewJobState.open_step": NAVIGATION,
    "NewJobState.follow_workspace": NAVIGATION,
    "NewJobState.submit": UPSTREAM,
    "NewJobState.check_create": UPSTREAM,
    "NewJobState.set_field": UI,
    "NewJobState.touch_field": UI,
    "NewJobState.step_field": UI,
    "NewJobState.go_next": UI,
    "NewJobState.go_back": UI,
    "NewJobState.start_over": UI,
    "NewJobState.restore_previous": UI,
    "NewJobState.dismiss_notice": UI,
    "NewJobState.load_estimate": UI,  # no arguments; one query of the app database
    # the workspaces' admin page (admins of ftapp only; every handler checks): an add and a
    # new key ask the key's API what it may do; the rest read or write the app database.
    # The key arrives as an argument (name <= 64, key <= 512, URL <= 2048 characters, checked
    # by the services with a message) and is never kept in the State.
    "AdminWorkspacesState.open_page": UI,
    "AdminWorkspacesState.add_workspace": UPSTREAM,  # name, api_url, key: str
    "AdminWorkspacesState.open_dialog": UI,  # kind, slug: str
    "AdminWorkspacesState.set_dialog_open": UI,  # is_open: bool
    "AdminWorkspacesState.rename_workspace": UI,  # name: str
    "AdminWorkspacesState.rotate_key": UPSTREAM,  # key: str
    "AdminWorkspacesState.add_member": UI,  # username, role: str
    "AdminWorkspacesState.remove_member": UI,  # username: str
    "AdminWorkspacesState.remove_workspace": UI,
}
"""ftapp's own events, as ``StateClass.handler``."""

LONG_TEXTS: dict[str, dict[str, int]] = {
    "AdminWorkspacesState.add_workspace": {"api_url": MAX_URL_LENGTH},
}
"""The few reviewed arguments that may be longer than the gate's ``MAX_TEXT``, by event and
argument name: a workspace's API URL (the store's own bound)."""

REFLEX_EVENTS: dict[str, Budget] = {
    "State.hydrate": UI,
    "State.hydrate_and_load": UI,
    "State.set_is_hydrated": UI,
    "OnLoadInternalState.on_load_internal": UI,
    "OnLoadInternalState.set_is_hydrated": UI,
    "UpdateVarsInternalState.update_vars_internal": UI,
    "FrontendEventExceptionState.handle_frontend_exception": REPORTS,
}
"""Reflex's own events that its browser code sends (boot, navigation, browser storage, error
reports); their arguments are Reflex's to check. Every other Reflex handler (``setvar`` on
each State) is refused."""
