"""``ftapp workspaces ...``: the stored workspaces, their keys and members (see
:mod:`ftapp.workspaces`).

    ftapp workspaces add NAME --api-url URL [--slug SLUG] [--force]   (key: prompt, or stdin)
    ftapp workspaces list
    ftapp workspaces rename SLUG NAME
    ftapp workspaces rotate-key SLUG [--force]                         (key: prompt, or stdin)
    ftapp workspaces remove SLUG
    ftapp workspaces reencrypt      (after a new FT_KEYS_SECRET, the old one as _PREVIOUS)
    ftapp workspaces grant USERNAME SLUG ROLE
    ftapp workspaces revoke USERNAME SLUG
    ftapp workspaces members SLUG

A key is asked of its API before it is stored (what it may do is printed); a key the API
refuses, or an API that cannot be reached, is not stored unless ``--force``. Nothing prints
a key: only its last four characters.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from ftapp.auth.roles import Role, parse_role

if TYPE_CHECKING:
    from ftapp.workspaces import KeyCheck, WorkspaceSummary


class CommandError(Exception):
    """What went wrong, in one line for the person at the terminal (``ftapp.cli`` prints it)."""


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``workspaces`` command and its actions."""
    workspaces = commands.add_parser(
        "workspaces", help="manage stored workspaces (API URL and key) and their members"
    ).add_subparsers(dest="action", required=True)
    add = workspaces.add_parser(
        "add", help="store a workspace (asks for its API key, and checks it first)"
    )
    add.add_argument("name")
    add.add_argument("--api-url", required=True, help="the API's base URL, including /api")
    add.add_argument("--slug", help="its name in URLs (default: made from NAME)")
    add.add_argument("--force", action="store_true", help="store a key that fails its check")
    workspaces.add_parser("list", help="list stored workspaces (never their keys)")
    rename = workspaces.add_parser("rename", help="give a workspace another name")
    rename.add_argument("slug")
    rename.add_argument("name")
    rotate = workspaces.add_parser(
        "rotate-key", help="replace a workspace's API key (asks for it, and checks it first)"
    )
    rotate.add_argument("slug")
    rotate.add_argument("--force", action="store_true", help="store a key that fails its check")
    remove = workspaces.add_parser(
        "remove", help="forget a workspace and its members (its job history stays)"
    )
    remove.add_argument("slug")
    workspaces.add_parser(
        "reencrypt",
        help="re-encrypt every stored key under FT_KEYS_SECRET (after a secret rotation)",
    )
    grant = workspaces.add_parser("grant", help="give an account a role in a workspace")
    grant.add_argument("username")
    grant.add_argument("slug")
    grant.add_argument("role", help=f"one of {', '.join(Role)}")
    revoke = workspaces.add_parser("revoke", help="end an account's membership of a workspace")
    revoke.add_argument("username")
    revoke.add_argument("slug")
    members = workspaces.add_parser("members", help="list a workspace's members and roles")
    members.add_argument("slug")


def run(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> None:
    """Run ``ftapp workspaces <action>``; raises :class:`CommandError` for a failure."""
    from ftapp.workspaces import KeyDecryptError, KeysSecretMissing, WorkspaceError

    actions: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], None]] = {
        "add": _add,
        "list": _list,
        "rename": _rename,
        "rotate-key": _rotate_key,
        "remove": _remove,
        "reencrypt": _reencrypt,
        "grant": _grant,
        "revoke": _revoke,
        "members": _members,
    }
    try:
        actions[args.action](args, stdin, stdout)
    except (WorkspaceError, KeysSecretMissing, KeyDecryptError) as error:
        raise CommandError(str(error)) from None


def _migrated() -> None:
    from ftapp.database import upgrade_on_start

    upgrade_on_start()


def _add(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> None:
    from ftapp import workspaces
    from ftapp.workspaces.validation import check_api_url, check_name, check_slug

    check_name(args.name)  # every typed value before asking for the key
    url = check_api_url(args.api_url)
    if args.slug is not None:
        check_slug(args.slug)
    workspaces.key_cipher()  # no secret to encrypt it under: say so before asking
    _migrated()
    workspaces.check_available(args.name, args.slug)
    key = _read_key(stdin)
    _check(url, key, args.force, stdout)
    added = workspaces.add_workspace(args.name, url, key, slug=args.slug)
    print(f"Added workspace {added.slug} ({added.name}), {_key_text(added)}.", file=stdout)


def _rotate_key(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> None:
    from ftapp import workspaces

    _migrated()
    current = _existing(args.slug)
    workspaces.key_cipher()
    key = _read_key(stdin)
    _check(current.api_base_url, key, args.force, stdout)
    rotated = workspaces.rotate_key(current.slug, key)
    print(
        f"Workspace {rotated.slug} has a new {_key_text(rotated)} "
        f"(key version {rotated.key_version}).",
        file=stdout,
    )


def _list(_args: argparse.Namespace, _stdin: TextIO, stdout: TextIO) -> None:
    from ftapp import workspaces

    _migrated()
    rows = workspaces.list_workspaces()
    if not rows:
        print("No workspaces stored yet.", file=stdout)
        return
    counts = workspaces.member_counts()
    table = [("SLUG", "NAME", "API URL", "KEY", "MEMBERS")]
    for row in rows:
        key = f"…{row.key_last4}" if row.key_last4 else "(short)"
        table.append((row.slug, row.name, row.api_base_url, key, str(counts.get(row.slug, 0))))
    _print_table(table, stdout)


def _rename(args: argparse.Namespace, _stdin: TextIO, stdout: TextIO) -> None:
    from ftapp import workspaces

    _migrated()
    renamed = workspaces.rename_workspace(args.slug, args.name)
    print(f"Workspace {renamed.slug} is now named {renamed.name}.", file=stdout)


def _remove(args: argparse.Namespace, _stdin: TextIO, stdout: TextIO) -> None:
    from ftapp import workspaces

    _migrated()
    if not workspaces.remove_workspace(args.slug):
        raise CommandError(f"No workspace {args.slug!r}.")
    print(f"Removed workspace {args.slug} and its members (its job history stays).", file=stdout)


def _reencrypt(_args: argparse.Namespace, _stdin: TextIO, stdout: TextIO) -> None:
    from ftapp import workspaces

    _migrated()
    count = workspaces.reencrypt_all()
    noun = "key" if count == 1 else "keys"
    print(
        f"Re-encrypted {count} stored {noun} under the current secret; "
        "FT_KEYS_SECRET_PREVIOUS can now be dropped.",
        file=stdout,
    )


def _grant(args: argparse.Namespace, _stdin: TextIO, stdout: TextIO) -> None:
    from ftapp import workspaces

    role = parse_role(args.role)
    if role is None:
        raise CommandError(f"Unknown role {args.role!r}: use one of {', '.join(Role)}.")
    _migrated()
    user_id, username = _user(args.username)
    current = _existing(args.slug)
    workspaces.set_member_role(current.slug, user_id, role)
    print(f"{username} is {role.value} in workspace {current.slug}.", file=stdout)


def _revoke(args: argparse.Namespace, _stdin: TextIO, stdout: TextIO) -> None:
    from ftapp import workspaces

    _migrated()
    user_id, username = _user(args.username)
    current = _existing(args.slug)
    if not workspaces.remove_member(current.slug, user_id):
        raise CommandError(f"{username} is not a member of workspace {current.slug}.")
    print(f"{username} is no longer a member of workspace {current.slug}.", file=stdout)


def _members(args: argparse.Namespace, _stdin: TextIO, stdout: TextIO) -> None:
    from ftapp import workspaces

    _migrated()
    current = _existing(args.slug)
    members = workspaces.members_of(current.slug)
    if not members:
        print(f"Workspace {current.slug} has no members yet.", file=stdout)
        return
    _print_table([("USER", "ROLE"), *((name, role.value) for name, role in members)], stdout)


# --- helpers --------------------------------------------------------------------------------


def _existing(slug: str) -> WorkspaceSummary:
    from ftapp import workspaces

    found = workspaces.get_workspace(slug)
    if found is None:
        raise CommandError(f"No workspace {slug!r}.")
    return found


def _user(username: str) -> tuple[int, str]:
    from ftapp import workspaces
    from ftapp.auth.accounts import normalize_username

    name = normalize_username(username)
    user_id = workspaces.user_id_of(name)
    if user_id is None:
        raise CommandError(f"No user named {name!r}.")
    return user_id, name


def _read_key(stdin: TextIO) -> str:
    key = getpass.getpass("API key: ") if stdin.isatty() else stdin.readline().rstrip("\r\n")
    if not key:
        raise CommandError("No API key given (type it at the prompt, or pipe it on stdin).")
    return key


def _check(url: str, key: str, force: bool, stdout: TextIO) -> None:
    """Ask the API what ``key`` may do and say it; refuse a failing key unless ``force``."""
    result = asyncio.run(_ask_api(url, key))
    if result.problem and not force:
        raise CommandError(f"{result.problem} Not stored (--force stores it anyway).")
    suffix = " Storing it anyway (--force)." if result.problem else ""
    print(f"Key check: {result.summary}{suffix}", file=stdout)


async def _ask_api(url: str, key: str) -> KeyCheck:
    from ftapp.services.connection import transport_for
    from ftapp.settings import current_settings
    from ftapp.workspaces import check_key

    return await check_key(
        url, key, transport=transport_for(url), timeout_seconds=current_settings().api_timeout
    )


def _key_text(workspace: WorkspaceSummary) -> str:
    if workspace.key_last4:
        return f"key ending in …{workspace.key_last4}"
    return "key (too short to show its end)"


def _print_table(rows: Sequence[tuple[str, ...]], stdout: TextIO) -> None:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip(),
            file=stdout,
        )
