"""The workspace as every page shows it: job count, quota, whether a job may be created and
why not, the models, and how fresh the data is. One State, the parent of every page's State,
fed by the shared feed through the services."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any

import reflex as rx
from reflex.event import EventSpec

from ftapp import auth, outages, routes, services
from ftapp.auth.roles import Identity, Permission
from ftapp.guard import subscriptions
from ftapp.pages.browser_events import leave_to, toast
from ftapp.pages.without_state import show_without_state
from ftapp.routes import DEFAULT_WORKSPACE
from ftapp.rules import MAX_JOBS_PER_WORKSPACE, JobStatus


@dataclasses.dataclass
class WorkspaceOption:
    """A workspace the signed-in person may open, as the switcher lists it."""

    slug: str
    name: str
    href: str


@dataclasses.dataclass
class ModelOption:
    """A base model as the pages show it."""

    id: str
    display_name: str


class WorkspaceState(rx.State):
    """The facts of the workspace, shared by the dashboard, the job page and the wizard."""

    job_count: int = -1
    """Jobs in the workspace; -1 until the first list arrived."""
    create_blocked_reason: str = ""
    workspace_full: bool = False
    models: list[ModelOption] = []
    models_error: str = ""
    feed_error: str = ""
    """Why the last poll failed ("" when it succeeded)."""
    key_refused: bool = False
    """True while the API refuses the server's key (polls then wait a minute)."""
    updated_at: float = 0.0
    """Unix time of the last good list; 0 before the first."""
    highlight_id: str = ""
    """The job this tab just created: the dashboard marks its row."""
    view_query: str = ""
    """The dashboard's last view as a URL query (``?q=...``), so a way back keeps it."""
    user_name: str = ""
    user_role: str = ""
    may_view_activity: bool = False
    may_read_history: bool = False
    may_manage_workspaces: bool = False
    """An admin of ftapp (the account's own role): the Workspaces page is theirs."""
    delete_blocked_reason: str = ""
    """Why this person may not delete jobs: their role, or the key ("" when they may)."""
    current_workspace: str = DEFAULT_WORKSPACE
    """The slug of the workspace this tab's page is in (read from the page's route when it
    opens; the browser cannot set it); every action is checked against the person's role
    there (:func:`services.enter`)."""
    _page_workspace: str = DEFAULT_WORKSPACE
    """The workspace the page State's own data belongs to (each page State has its own)."""
    workspace_name: str = ""
    workspace_home: str = routes.workspace_home(DEFAULT_WORKSPACE)
    """The workspace's dashboard: every link of the page starts here."""
    workspace_refused: bool = False
    """The page names a workspace that does not exist, or the person is not a member of it."""
    workspace_options: list[WorkspaceOption] = []
    last_workspace: str = rx.Cookie(
        "", name=routes.LAST_WORKSPACE_COOKIE, path="/", max_age=400 * 86400, same_site="strict"
    )
    """The workspace this browser opened last: ``/`` leads there (checked again on use)."""
    _statuses: dict[str, str] = {}
    """Each job's status as this tab last saw it: a job that finishes is announced."""
    _role_create_reason: str = ""
    _key_create_reason: str = ""
    _role_delete_reason: str = ""
    _key_delete_reason: str = ""

    @rx.var
    def quota_text(self) -> str:
        """E.g. "7 of 10 jobs"."""
        return services.quota_text(max(self.job_count, 0))

    @rx.var
    def quota_percent(self) -> int:
        return min(round(100 * max(self.job_count, 0) / MAX_JOBS_PER_WORKSPACE), 100)

    @rx.var
    def loaded(self) -> bool:
        """True once a job list has arrived (before, counts are unknown, not zero)."""
        return self.job_count >= 0

    async def _actor(self) -> Identity | None:
        """The signed-in person acting in this page's workspace (None: signed out, or not a
        member of it)."""
        return await services.enter(await auth.current_user(self), self.current_workspace)

    @rx.event
    def retry_models(self):
        """Ask the shared feed to load the models again (the model list's Retry)."""
        services.refresh(self.current_workspace)

    @rx.event
    def refresh(self):
        """Ask the shared feed for the job list now (Refresh, and Retry after a failure)."""
        services.refresh(self.current_workspace)

    @rx.event
    async def identify(self):
        """on_load of pages that follow nothing (the 404 page): who is signed in."""
        self._apply_user(await auth.current_user(self))

    async def _open_workspace(self) -> Identity | None:
        """For every page's on_load: the signed-in person is looked up in the workspace the
        page's route names, which then becomes the tab's (a tab that moves to another
        workspace forgets the previous one's facts). None when the workspace does not exist
        or the person is not a member: the page says so, and the tab's workspace stays the one
        it was admitted to (so nothing of the refused one is read, followed or shown)."""
        slug = str(self.rx_router_page.params.get(routes.WORKSPACE_PARAM, DEFAULT_WORKSPACE))
        identity = await auth.current_user(self)
        actor = await services.enter(identity, slug)
        choices = await services.workspaces_of(identity)
        options = _options(choices)
        if actor is None:
            self._apply_user(identity)
            self._assign(
                workspace_refused=identity is not None,
                workspace_name="Workspaces",
                workspace_options=options,
            )
            self._apply_refused()
            return None
        if slug != self.current_workspace:
            self._forget_workspace()
        if slug != self._page_workspace:
            self._forget_page()
            self._page_workspace = slug
        self._apply_user(actor)
        self._assign(
            workspace_refused=False,
            current_workspace=slug,
            workspace_home=routes.workspace_home(slug),
            workspace_name=next((c.name for c in choices if c.slug == slug), slug),
            workspace_options=options,
        )
        if self.last_workspace != slug:
            self.last_workspace = slug
        return actor

    async def _account(self) -> Identity | None:
        """The signed-in person as an account of ftapp (for its own pages, in no workspace:
        their permissions are the account's own role's)."""
        return await auth.current_user(self)

    async def _open_ftapp_page(self) -> Identity | None:
        """For the on_load of ftapp's own pages (in no workspace): who is signed in, and the
        workspaces they may go back to; the header's links lead to the tab's last one."""
        identity = await self._account()
        self._apply_user(identity)
        self._assign(
            workspace_refused=False,
            workspace_options=_options(await services.workspaces_of(identity)),
        )
        return identity

    def _forget_workspace(self) -> None:
        """Back to knowing nothing of a workspace (another one's facts must not show)."""
        for name in (
            "job_count",
            "create_blocked_reason",
            "workspace_full",
            "models",
            "models_error",
            "feed_error",
            "key_refused",
            "updated_at",
            "highlight_id",
            "view_query",
            "delete_blocked_reason",
            "_statuses",
            "_key_create_reason",
            "_key_delete_reason",
        ):
            field = self.get_fields()[name]
            missing = field.default is dataclasses.MISSING
            setattr(self, name, field.default_factory() if missing else field.default)

    def _forget_page(self) -> None:
        """Back to knowing nothing of this page's own data of a workspace (a page State whose
        data depends on the workspace says how)."""

    def _apply_refused(self) -> None:
        """Nothing of the workspace may be read or done."""
        self._assign(
            may_view_activity=False,
            may_read_history=False,
            _role_create_reason=services.NOT_A_MEMBER,
            _role_delete_reason=services.NOT_A_MEMBER,
            create_blocked_reason=services.NOT_A_MEMBER,
            delete_blocked_reason=services.NOT_A_MEMBER,
        )

    @rx.event
    async def sign_out(self):
        """End this browser's session and leave for the signed-out page."""
        await auth.sign_out(self.router.headers.cookie)
        return leave_to(routes.SIGNED_OUT)

    def _apply_user(self, identity: Identity | None) -> None:
        """Who is signed in, and what their role lets them do (said before they try)."""
        if identity is None:
            return
        self._assign(
            user_name=identity.username,
            user_role=str(identity.role),
            may_view_activity=identity.may(Permission.VIEW_ACTIVITY),
            may_read_history=identity.may(Permission.READ_HISTORY),
            may_manage_workspaces=identity.may(Permission.MANAGE_WORKSPACES),
            _role_delete_reason=identity.refusal(Permission.DELETE_JOBS),
            _role_create_reason=identity.refusal(Permission.CREATE_JOBS),
        )
        self._assign(
            create_blocked_reason=self._role_create_reason or self._key_create_reason,
            delete_blocked_reason=self._role_delete_reason or self._key_delete_reason,
        )

    def _model_names(self) -> dict[str, str]:
        return {model.id: model.display_name for model in self.models}

    def _model_ids(self) -> list[str] | None:
        """The ids a base model may be, or None while they are not known."""
        return [model.id for model in self.models] or None

    def _assign(self, **values: Any) -> None:
        """Set each var that changes (an unchanged var is not sent to the browser again)."""
        for name, value in values.items():
            if getattr(self, name) != value:
                setattr(self, name, value)

    def _apply_workspace(self, snapshot: services.Snapshot) -> list[EventSpec]:
        """Show the workspace's facts of ``snapshot``; returns a toast per job this tab saw
        running that has finished or failed since."""
        status = services.status_of(snapshot)
        self._assign(
            job_count=-1 if status.job_count is None else status.job_count,
            _key_create_reason=status.blocked_reason,
            create_blocked_reason=self._role_create_reason or status.blocked_reason,
            _key_delete_reason=status.delete_blocked_reason,
            delete_blocked_reason=self._role_delete_reason or status.delete_blocked_reason,
            workspace_full=status.full,
            models_error="" if status.models else status.models_error,
            **_freshness(status),
        )
        if status.models:
            self._assign(models=[ModelOption(id, name) for id, name in status.models.items()])
        return self._announce_finished(snapshot)

    def _announce_finished(self, snapshot: services.Snapshot) -> list[EventSpec]:
        if snapshot.job_list is None:
            return []
        seen = self._statuses
        now = {job.id: job.status for job in snapshot.job_list.jobs}
        if now == seen:
            return []
        self._statuses = now
        return [
            toast(
                level, message, link=("View job", routes.job_path(self.current_workspace, job.id))
            )
            for job in snapshot.job_list.jobs
            if seen.get(job.id) == JobStatus.RUNNING
            for level, message in [services.finished_message(job)]
            if message
        ]

    async def _show_current(
        self, apply_page: Callable[[services.Snapshot], list[EventSpec] | None]
    ) -> list[EventSpec]:
        """For every page's on_load (the one place the signed-in person is looked up for
        the header and the reasons actions are off): who is signed in and, when the feed
        holds a current list,
        the page's data, so that the first message after the page's own carries them (the
        subscription that ``_follow`` starts then finds nothing new to send). Returns the
        events the page wants sent (e.g. its URL corrected)."""
        if await self._open_workspace() is None:
            return []
        snapshot = services.current_if_fresh(self.current_workspace)
        if snapshot is None:
            return []
        return self._apply_workspace(snapshot) + (apply_page(snapshot) or [])

    async def _follow(
        self,
        apply_page: Callable[[services.Snapshot], list[EventSpec] | None],
        page_key: Callable[[services.Snapshot], object] = lambda _snapshot: None,
    ) -> AsyncIterator[EventSpec]:
        """Apply each snapshot of the shared feed to this State and, by ``apply_page``, to
        the page's own vars, as the tab's one subscription: until Reflex cancels the calling
        background handler (the page closed or the user went elsewhere), a newer one of the
        same tab replaces it, or the tab's socket goes. Yields the events the page wants sent
        (e.g. its URL corrected). While the State cannot be had (Redis down), the tab is still
        told how fresh its data is (:mod:`ftapp.pages.without_state`).

        A snapshot that shows nothing new (``services.as_shown`` and ``page_key``, what else
        the page reads of it, unchanged) is skipped: polls that find nothing new cost a tab
        no state lock and send its browser nothing."""
        if self.workspace_refused:
            return  # nothing of a workspace the person may not open is followed
        token = self.router.session.client_token
        shown: tuple | None = None
        shown_without_state = False
        with subscriptions.only_subscription(token):
            async for snapshot in subscriptions.watch_while_connected(
                services.watch(self.current_workspace), token
            ):
                key = (services.as_shown(snapshot), page_key(snapshot))
                if key == shown:
                    continue
                shown = key
                try:
                    async with self:
                        if shown_without_state:  # the tab shows what this State does not hold
                            for name, value in _freshness(services.status_of(snapshot)).items():
                                setattr(self, name, value)  # sent again, changed or not
                        events = self._apply_workspace(snapshot) + (apply_page(snapshot) or [])
                except Exception as error:
                    if outages.unreachable_store(error) is None:
                        raise
                    # The State lives in Redis, which is down: the live status still changes.
                    shown, shown_without_state = None, True
                    await show_without_state(
                        WorkspaceState, _freshness(services.status_of(snapshot))
                    )
                    continue
                shown_without_state = False
                for event in events:
                    yield event


def _options(choices: list[services.WorkspaceChoice]) -> list[WorkspaceOption]:
    """The switcher's entries for the workspaces a person may open."""
    return [WorkspaceOption(c.slug, c.name, routes.workspace_home(c.slug)) for c in choices]


def _freshness(status: services.WorkspaceStatus) -> dict[str, Any]:
    """The vars that say how fresh the data is (the live status and the banner)."""
    return {
        "feed_error": status.error,
        "key_refused": status.key_refused,
        "updated_at": status.updated_at,
    }
