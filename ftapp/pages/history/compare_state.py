"""The compare page's State: the jobs a ``/history/compare?ids=a,b`` link names, side by
side, checked against the workspace's own records by the services."""

from __future__ import annotations

import reflex as rx

from ftapp import services
from ftapp.history.compare import CompareColumn, CompareRow
from ftapp.pages.workspace_state import WorkspaceState


class CompareState(WorkspaceState):
    """One column per compared job, one row per setting or fact."""

    columns: list[CompareColumn] = []
    rows: list[CompareRow] = []
    differing: int = 0
    """How many rows differ."""
    message: str = ""
    """What was left out (unknown ids), or why nothing can be compared."""
    refusal: str = ""
    loading: bool = True

    @rx.event
    async def open_page(self):
        """on_load: who is asking, then the jobs the URL's ``ids`` names."""
        identity = await self._open_workspace()
        ids = self.router.url.query_parameters.get("ids", "")
        if isinstance(ids, list | tuple):
            ids = ",".join(str(part) for part in ids)
        result = await services.compare_jobs(identity, str(ids))
        comparison = result.comparison
        self._assign(
            columns=comparison.columns,
            rows=comparison.rows,
            differing=comparison.differing,
            message=result.message,
            refusal=result.refusal,
            loading=False,
        )
