"""The workspaces' admin page (``/admin/workspaces``): the stored workspaces, their keys and
members, for admins of ftapp."""
