"""The one way from a page to the Job Training API.

Pages and components call only what this package exports: they import no upstream client,
no httpx and no feed. Upstream errors become typed outcomes here, the shared feed learns what
an action changed, and here is where who-may-do-what is checked.

- :mod:`.membership`: which workspaces a person may open, and their role in each;
- :mod:`.workspace`: watch a workspace's shared job list, and what it holds and allows;
- :mod:`.jobs`: get, create and delete a job (:mod:`.create_check`: whether a create whose
  answer was lost made its job);
- :mod:`.activity`: the activity log, for those who may see it;
- :mod:`.history`: the record of every job seen, for those who may read it, and its export;
- :mod:`.job_records`: a job's record and timeline, estimates, notes and tags;
- :mod:`.history_insights`: recorded jobs side by side, and the history's charts;
- :mod:`.workspace_admin`: the stored workspaces, their keys and members, for admins of ftapp;
- :mod:`.outcomes`: what those calls answer.
"""

from ftapp.services.activity import (
    ACTIVITY_PER_PAGE,
    ActivityEntry,
    ActivityPage,
    activity_page,
)
from ftapp.services.connection import WorkspaceRemoved
from ftapp.services.create_check import PendingCreate
from ftapp.services.feed import Snapshot
from ftapp.services.history import HistoryResult, export_chunks, history_page
from ftapp.services.history_insights import (
    ChartsResult,
    CompareResult,
    compare_jobs,
    history_charts,
)
from ftapp.services.job_records import (
    JobHistory,
    NotesOutcome,
    estimate_for,
    job_history,
    recorded_values,
    running_estimates,
    save_notes,
    usual_ends,
)
from ftapp.services.jobs import (
    begin_create,
    check_create,
    create_job,
    delete_job,
    get_job,
    under_way,
)
from ftapp.services.membership import NOT_A_MEMBER, WorkspaceChoice, enter, workspaces_of
from ftapp.services.outcomes import (
    Created,
    CreateOutcome,
    Deletion,
    JobLookup,
    Level,
    NextAction,
    Refused,
    Uncertain,
)
from ftapp.services.workspace import (
    WorkspaceStatus,
    as_shown,
    create_blocked_reason,
    current,
    current_if_fresh,
    expect_page,
    expect_page_at,
    finished_message,
    quota_text,
    refresh,
    status_of,
    watch,
)
from ftapp.services.workspace_admin import (
    AdminOutcome,
    Member,
    MembersResult,
    WorkspaceListing,
    WorkspacesListing,
    add_workspace,
    list_workspaces,
    remove_workspace,
    remove_workspace_member,
    rename_workspace,
    rotate_workspace_key,
    set_workspace_member,
    workspace_members,
)
from ftapp.upstream import Job

__all__ = [
    "ACTIVITY_PER_PAGE",
    "NOT_A_MEMBER",
    "ActivityEntry",
    "ActivityPage",
    "AdminOutcome",
    "ChartsResult",
    "CompareResult",
    "CreateOutcome",
    "Created",
    "Deletion",
    "HistoryResult",
    "Job",
    "JobHistory",
    "JobLookup",
    "Level",
    "Member",
    "MembersResult",
    "NextAction",
    "NotesOutcome",
    "PendingCreate",
    "Refused",
    "Snapshot",
    "Uncertain",
    "WorkspaceChoice",
    "WorkspaceListing",
    "WorkspaceRemoved",
    "WorkspaceStatus",
    "WorkspacesListing",
    "activity_page",
    "add_workspace",
    "as_shown",
    "begin_create",
    "check_create",
    "compare_jobs",
    "create_blocked_reason",
    "create_job",
    "current",
    "current_if_fresh",
    "delete_job",
    "enter",
    "estimate_for",
    "expect_page",
    "expect_page_at",
    "export_chunks",
    "finished_message",
    "get_job",
    "history_charts",
    "history_page",
    "job_history",
    "list_workspaces",
    "quota_text",
    "recorded_values",
    "refresh",
    "remove_workspace",
    "remove_workspace_member",
    "rename_workspace",
    "rotate_workspace_key",
    "running_estimates",
    "save_notes",
    "set_workspace_member",
    "status_of",
    "under_way",
    "usual_ends",
    "watch",
    "workspace_members",
    "workspaces_of",
]
