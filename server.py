#!/usr/bin/env python3
"""Teahouse: run the chat server, or manage it from the command line.

  scripts/serve                          serve on 127.0.0.1:8000, data in ./data
  scripts/serve create-user NAME [--admin] [--password P]
  scripts/serve token NAME [--days N]    mint a personal API token for NAME (scripts)
  scripts/serve backup FILE              consistent copy of the live database
  scripts/serve link-identity NAME PROVIDER EXTERNAL_NAME
  scripts/serve migrate-to-postgres --to postgresql://USER:PASSWORD@HOST/DB
                                         copy a stopped site into PostgreSQL, verified
(scripts/serve runs this file in the .venv it keeps; .venv/bin/python server.py is the same.)

This file is the entry point: the flags and subcommands are in chat/ops/commands.py,
each subcommand's work in chat/ops/account_commands.py and site_commands.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from chat.ops.commands import COMMANDS, build_parser


def serve(settings) -> int:
    if settings.workers > 1:
        from pathlib import Path

        from chat.scale.workers import run_workers

        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        return run_workers(settings, Path(__file__).resolve(), sys.argv[1:])
    from chat.app import create_app
    from chat.ops import logs
    from chat.ops.datadir import hold_server_lock, prepare_data_dir
    from chat.web.service import serve_until_signal

    logs.configure(settings.log_format)

    def started() -> None:
        line = (
            f"Teahouse on http://{settings.host}:{settings.port}/ with data in "
            f"{settings.data_dir.resolve()} (Ctrl+C to stop)"
        )
        if settings.log_format == "json":  # every output line is then a JSON object
            logging.getLogger("teahouse").info(line)
        else:
            print(line, flush=True)

    try:
        prepare_data_dir(settings)
        hold_server_lock(settings)  # vacuum refuses while any server holds it
        asyncio.run(serve_until_signal(create_app(settings), settings, started))
    except OSError as exc:  # port taken, address not ours, data dir not writable
        print(f"cannot start: {exc}", file=sys.stderr)
        return 1
    return 0


def missing_dependency() -> str | None:
    """The name of a third-party module the server cannot import, if any."""
    try:
        import chat.app  # noqa: F401  (imports every runtime dependency)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] != "chat":
            return exc.name
        raise
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if missing := missing_dependency():
        print(
            f"Teahouse's dependencies are not installed (no module {missing!r}): run "
            "scripts/serve, which installs them into .venv, or pip install -r "
            "requirements.txt inside a virtualenv",
            file=sys.stderr,
        )
        return 1
    # Every file this process creates (database, WAL, uploads, secret, backups) is private.
    os.umask(0o077)

    from chat.errors import ChatError
    from chat.i18n import translate
    from chat.ops.backup import BackupError
    from chat.ops.datadir import NoDatabase, ServerRunning
    from chat.ops.importing import ImportFailed
    from chat.ops.move_plan import MoveRefused
    from chat.settings import SettingsError, load_settings

    try:
        settings = load_settings(
            {
                "host": args.host,
                "port": args.port,
                "data_dir": args.data_dir,
                "redis": args.redis,
                "workers": args.workers,
            }
        )
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command in COMMANDS:
            return COMMANDS[args.command](settings, args)
        return serve(settings)
    except (NoDatabase, BackupError, ServerRunning, ImportFailed, MoveRefused) as exc:
        print(exc, file=sys.stderr)
        return 1
    except ChatError as exc:
        print(translate(exc.key, settings.language, **exc.params), file=sys.stderr)
        return 1
    except SettingsError as exc:  # found while opening the data directory
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
