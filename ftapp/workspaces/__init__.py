"""Workspaces as data: each an API's URL and key, added by an admin, with members' roles.

The environment's own workspace (``FT_API_BASE_URL``/``FT_API_KEY``, or the embedded sandbox)
is the reserved slug ``default`` and never stored. A stored key is encrypted at rest
(:mod:`~ftapp.workspaces.cipher`: Fernet under ``FT_KEYS_SECRET``), never logged, and shown
only as its last four characters; :func:`resolve` alone gives it back, as a ``SecretStr``.

- :mod:`~ftapp.workspaces.validation`: what a name, slug, URL and key may be.
- :mod:`~ftapp.workspaces.cipher`: the key-encryption secret, encryption and its rotation.
- :mod:`~ftapp.workspaces.store`: the workspaces in the app database (blocking: call through
  ``database.in_thread`` on the event loop).
- :mod:`~ftapp.workspaces.members`: who is a member of which, with which role, given by an
  admin or by SSO groups (blocking too).
- :mod:`~ftapp.workspaces.keycheck`: what a key may do, asked of its API before it is stored.
"""

from ftapp.workspaces.cipher import KeyCipher, KeyDecryptError, KeysSecretMissing, key_cipher
from ftapp.workspaces.keycheck import KeyCheck, check_key
from ftapp.workspaces.members import (
    member_counts,
    members_of,
    remove_member,
    roles_of,
    set_member_role,
    user_id_of,
)
from ftapp.workspaces.store import (
    DEFAULT_SLUG,
    WorkspaceConfig,
    WorkspaceError,
    WorkspaceSummary,
    add_workspace,
    check_available,
    get_workspace,
    list_workspaces,
    reencrypt_all,
    remove_workspace,
    rename_workspace,
    resolve,
    rotate_key,
    slug_for,
)

__all__ = [
    "DEFAULT_SLUG",
    "KeyCheck",
    "KeyCipher",
    "KeyDecryptError",
    "KeysSecretMissing",
    "WorkspaceConfig",
    "WorkspaceError",
    "WorkspaceSummary",
    "add_workspace",
    "check_available",
    "check_key",
    "get_workspace",
    "key_cipher",
    "list_workspaces",
    "member_counts",
    "members_of",
    "reencrypt_all",
    "remove_member",
    "remove_workspace",
    "rename_workspace",
    "resolve",
    "roles_of",
    "rotate_key",
    "set_member_role",
    "slug_for",
    "user_id_of",
]
