"""ftapp's record of every job it has seen, beyond the API's ten per workspace.

The tables are :class:`ftapp.models.JobRecord` (one row per job of a workspace) and
:class:`ftapp.models.JobTransition` (one row per observed status). Only the process that polls
a workspace writes them (on Redis: the lease holder), idempotently; pages read them through
the services, which check the reader's role.
"""
