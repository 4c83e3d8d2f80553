"""The subcommands that work on the site as a whole: backup and restore, export and
import (ours and Slack's), vacuum, and the move to PostgreSQL. Each calls one module of
chat/ops/ and prints what it did, or why not, in one line a person can act on.
"""

from __future__ import annotations

import asyncio
import functools
import sys
from pathlib import Path


def backup(settings, args) -> int:
    from chat.ops import backup as backups

    summary = backups.backup(settings, Path(args.file))
    print(
        f"backed up {settings.data_dir.resolve()} to {summary.path} "
        f"({summary.files} files, {summary.total_bytes} bytes)"
    )
    for name in summary.missing:
        print(f"warning: {name} was deleted while the backup ran", file=sys.stderr)
    return 0


def restore(settings, args) -> int:
    from chat.ops import backup as backups

    summary = backups.restore(Path(args.archive), settings.data_dir)
    print(
        f"restored {summary.files} files ({summary.total_bytes} bytes) into "
        f"{settings.data_dir.resolve()}; integrity checked. Start the server on it with "
        f"--data-dir {settings.data_dir}"
    )
    for name in summary.missing:
        print(f"warning: the backup has no {name}", file=sys.stderr)
    return 0


def export(settings, args) -> int:
    from chat.ops.exporting import write_export

    counts = asyncio.run(write_export(settings, Path(args.file)))
    print(f"exported {', '.join(f'{n} {kind}' for kind, n in counts.items())} to {args.file}")
    return 0


def import_export(settings, args) -> int:
    from chat.ops.importing import import_export as load_export

    return print_imported(settings, load_export(settings, Path(args.file)), "")


def import_slack(settings, args) -> int:
    from chat.ops.slack import import_slack as load_slack

    return print_imported(settings, load_slack(settings, Path(args.zip)), " from Slack")


def print_imported(settings, counts: dict, source: str) -> int:
    print(
        f"imported {', '.join(f'{n} {kind}' for kind, n in counts.items())}{source} into "
        f"{settings.data_dir.resolve()}; accounts have no password yet: give each user a "
        "token (server.py token NAME) to set one with PATCH /api/auth/me"
    )
    return 0


def migrate_to_postgres(settings, args) -> int:
    from chat.ops.move_check import render
    from chat.ops.postgres_move import move_to_postgres, shown, target_url

    if args.batch < 1:
        print("--batch must be at least 1", file=sys.stderr)
        return 2
    url = target_url(settings, args.to)
    say = functools.partial(print, flush=True)
    try:
        result = asyncio.run(move_to_postgres(settings, url, args.batch, say))
    except KeyboardInterrupt:  # the batch in flight rolled back with its progress mark
        print("interrupted: run the same command again to resume the copy", file=sys.stderr)
        return 130
    print(render(result.checks))
    if not result.same:
        print(
            "verification FAILED: the tables marked DIFFERENT do not match the site; "
            "run the command again to verify again",
            file=sys.stderr,
        )
        return 1
    print(
        f"moved {settings.database_path.resolve()} to {shown(url)}: {len(result.checks)} "
        f"tables verified. Start the server with CHAT_DATABASE_URL={shown(url)} (and "
        "the same --data-dir, which keeps the uploads and the secret)"
    )
    return 0


def vacuum(settings, args) -> int:
    from chat.ops.vacuum import vacuum as run_vacuum

    before, after = run_vacuum(settings)
    print(f"vacuumed {settings.database_path.resolve()}: {before} bytes before, {after} after")
    return 0
