"""The ``ftapp`` command: account administration, the job history, stored workspaces.

    ftapp users add NAME --role viewer|operator|admin   (password: prompt, or stdin if piped)
    ftapp users list
    ftapp users remove NAME
    ftapp users disable NAME     (no sign-in any way, sessions end; SSO accounts too)
    ftapp users enable NAME
    ftapp history prune --older-than 90d   (jobs that ended longer ago; d or h)
    ftapp history export --format csv|json [--output FILE] [--view 'status=Failed&q=llama']
    ftapp workspaces add|list|rename|rotate-key|remove|reencrypt|grant|revoke|members
                                 (see ftapp/cli_workspaces.py)

It brings the app database up to date first, so it works on a fresh clone before the app
ever started. Errors are one line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ftapp import cli_workspaces
from ftapp.auth.roles import Role, parse_role
from ftapp.cli_workspaces import CommandError  # one class for every command's failures
from ftapp.settings import PROJECT_ROOT, SettingsError

if TYPE_CHECKING:
    from ftapp.auth.accounts import AccountSummary

# The database modules import Reflex and SQLAlchemy (about a second): they are imported when
# a command runs, so that --help and usage errors answer at once.

EXIT_ERROR = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ftapp", description="ftapp administration.")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_users_parser(commands)
    _add_history_parser(commands)
    cli_workspaces.add_parser(commands)
    return parser


def _add_users_parser(commands: argparse._SubParsersAction) -> None:
    users = commands.add_parser("users", help="manage accounts").add_subparsers(
        dest="action", required=True
    )
    add = users.add_parser("add", help="add a local account (asks for its password)")
    add.add_argument("name")
    add.add_argument("--role", required=True, help=f"one of {', '.join(Role)}")
    users.add_parser("list", help="list accounts (never their passwords)")
    remove = users.add_parser("remove", help="remove an account and end its sessions")
    remove.add_argument("name")
    disable = users.add_parser(
        "disable", help="stop an account (local or SSO) signing in, and end its sessions"
    )
    disable.add_argument("name")
    enable = users.add_parser("enable", help="let a disabled account sign in again")
    enable.add_argument("name")


def _add_history_parser(commands: argparse._SubParsersAction) -> None:
    history = commands.add_parser("history", help="the job history").add_subparsers(
        dest="action", required=True
    )
    prune = history.add_parser(
        "prune", help="forget the jobs that ended (finished or gone) longer ago than an age"
    )
    prune.add_argument(
        "--older-than", required=True, metavar="AGE", help="days or hours, e.g. 90d or 36h"
    )
    _add_history_export(history)


def _add_history_export(history: argparse._SubParsersAction) -> None:
    export = history.add_parser(
        "export", help="write every recorded job (or a view of them) as CSV or JSON"
    )
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--output", help="file to write (default: standard output)")
    export.add_argument(
        "--view",
        default="",
        help="the history page's URL query, e.g. 'status=deleted&by=bob' (default: every job)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    args = _parser().parse_args(argv)
    # Reflex reads rxconfig.py (the database URL) and alembic.ini from the working directory.
    previous = Path.cwd()
    os.chdir(PROJECT_ROOT)
    try:
        return _run(args, sys.stdin, sys.stdout)
    except (CommandError, SettingsError) as error:
        print(f"ftapp: {error}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        os.chdir(previous)


def _run(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from ftapp import database

    try:
        if args.command == "history":
            _run_history(args, stdout)
        elif args.command == "workspaces":
            cli_workspaces.run(args, stdin, stdout)
        else:
            _run_users(args, stdin, stdout)
    finally:
        database.dispose_engines()
    return 0


def _run_history(args: argparse.Namespace, stdout: TextIO) -> None:
    {"prune": _history_prune, "export": _history_export}[args.action](args, stdout)


def _history_prune(args: argparse.Namespace, stdout: TextIO) -> None:
    from ftapp.database import upgrade_on_start
    from ftapp.history import retention

    try:
        older_than = retention.parse_age(args.older_than)
    except ValueError as error:
        raise CommandError(f"--older-than: {error}") from None
    upgrade_on_start()
    pruned = retention.prune(older_than)
    noun = "job record" if pruned == 1 else "job records"
    print(f"Pruned {pruned} {noun} (jobs that ended over {args.older_than} ago).", file=stdout)


def _run_users(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> None:
    from ftapp.auth import accounts
    from ftapp.database import upgrade_on_start

    name = accounts.normalize_username(getattr(args, "name", ""))  # as stored, for messages
    try:
        if args.action == "add":
            _check_role(args.role)  # before asking for a password
            password = _read_password(stdin)
            upgrade_on_start()
            added = accounts.add_local_user(args.name, password, args.role)
            print(f"Added {added.username} ({added.role}).", file=stdout)
        elif args.action == "list":
            upgrade_on_start()
            _print_accounts(accounts.list_accounts(), stdout)
        elif args.action == "remove":
            upgrade_on_start()
            _end_redis_sessions(accounts.remove_user(args.name))
            print(f"Removed {name}; their sessions ended.", file=stdout)
        elif args.action == "disable":
            upgrade_on_start()
            _end_redis_sessions(accounts.disable_user(args.name))
            print(f"Disabled {name}; their sessions ended.", file=stdout)
        elif args.action == "enable":
            upgrade_on_start()
            accounts.enable_user(args.name)
            print(f"Enabled {name}.", file=stdout)
    except accounts.AccountError as error:
        raise CommandError(str(error)) from None


def _history_export(args: argparse.Namespace, stdout: TextIO) -> None:
    """Write the history of the configured workspace (the view ``--view`` names) in batches."""
    from urllib.parse import parse_qs

    from ftapp.database import upgrade_on_start
    from ftapp.history import export, query
    from ftapp.history.view import HistoryView
    from ftapp.services.connection import workspace

    view = HistoryView.from_params(parse_qs(args.view.lstrip("?")))
    with contextlib.ExitStack() as stack:
        target = stdout
        if args.output:
            try:
                target = stack.enter_context(open(args.output, "w", encoding="utf-8", newline=""))
            except OSError as error:
                raise CommandError(f"Cannot write {args.output}: {error.strerror}") from None
        upgrade_on_start()
        for piece in export.chunks(args.format, query.batches(workspace(), view)):
            target.write(piece)


def _check_role(name: str) -> None:
    if parse_role(name) is None:
        raise CommandError(f"Unknown role {name!r}: use one of {', '.join(Role)}.")


def _read_password(stdin: TextIO) -> str:
    from ftapp.auth.accounts import check_new_password

    if stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat the password: ") != password:
            raise CommandError("The passwords do not match.")
    else:
        password = stdin.readline().rstrip("\r\n")
    if not password:
        raise CommandError("No password given (type it at the prompt, or pipe it on stdin).")
    try:
        check_new_password(password)
    except ValueError as error:
        raise CommandError(str(error)) from None
    return password


def _print_accounts(rows: Sequence[AccountSummary], stdout: TextIO) -> None:
    if not rows:
        print("No accounts yet.", file=stdout)
        return
    table = [("NAME", "ROLE", "KIND", "CREATED")]
    for row in rows:
        created = time.strftime("%Y-%m-%d %H:%M", time.gmtime(row.created_at)) + " UTC"
        name = row.username + (" (disabled)" if row.disabled else "")
        table.append((name, row.role, row.kind, created))
    widths = [max(len(line[column]) for line in table) for column in range(4)]
    for line in table:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip(),
            file=stdout,
        )


def _end_redis_sessions(user_id: int) -> None:
    # The account's database sessions are already deleted; Redis ones are ended here.
    from ftapp.auth.redis_sessions import RedisSessionStore
    from ftapp.auth.sessions import session_store

    store = session_store()
    if isinstance(store, RedisSessionStore):
        asyncio.run(store.revoke_user(user_id))


if __name__ == "__main__":
    sys.exit(main())
