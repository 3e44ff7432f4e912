"""Every page builds its component tree (a wrong prop fails here, not at `reflex run`)."""

from __future__ import annotations

import pytest
import reflex as rx

from ftapp.pages.activity.view import activity
from ftapp.pages.admin_workspaces.view import admin_workspaces
from ftapp.pages.dashboard.view import dashboard
from ftapp.pages.history.compare_view import compare_page
from ftapp.pages.history.view import history
from ftapp.pages.job.view import job_page
from ftapp.pages.new_job.view import new_job
from ftapp.pages.not_found import not_found


@pytest.mark.parametrize(
    "page",
    [dashboard, job_page, new_job, activity, history, compare_page, not_found, admin_workspaces],
)
def test_the_page_builds(page) -> None:
    component = page()
    assert isinstance(component, rx.Component)
    assert component.render()  # and renders to the compiler's dict
