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
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import getpass
import logging
import os
import sys
from pathlib import Path

ENVIRONMENT = """environment:
  CHAT_HOST, CHAT_PORT, CHAT_DATA_DIR   defaults for --host, --port, --data-dir
  CHAT_SECRET                 JWT HS256 secret (else generated in the data dir, mode 0600)
  CHAT_ALLOW_REGISTRATION     1 (default) or 0/false/no/off to close sign-up
  CHAT_CORS_ORIGINS           comma-separated origins allowed for CORS and WebSockets
  CHAT_LANGUAGE               en (default) or zh: language of human-readable strings
  CHAT_TRUSTED_PROXIES        comma-separated proxy addresses whose X-Forwarded-For is honoured
  CHAT_LOG_FORMAT             text (default) or json: one JSON object per log line
  CHAT_RETENTION_DAYS         delete messages and their files older than this many days
                              (default: keep forever; rooms can set their own)
  CHAT_ACCESS_TOKEN_TTL, CHAT_REFRESH_TOKEN_TTL   token and login lifetimes in seconds
  CHAT_LOGIN_PAIR_LIMIT, CHAT_LOGIN_ADDRESS_LIMIT, CHAT_LOGIN_SLOWDOWN_AFTER   login throttling
  CHAT_RATE_MESSAGES, CHAT_RATE_TYPING, CHAT_RATE_REACTIONS, CHAT_RATE_UPLOADS,
  CHAT_RATE_WRITES            per-user rates: RATE or RATE:BURST per second, 0 turns one off
  CHAT_MAX_SOCKETS_PER_USER, CHAT_MAX_CONNECTIONS_PER_ADDRESS, CHAT_HANDSHAKE_TIMEOUT,
  CHAT_UPLOAD_IDLE_TIMEOUT, CHAT_READ_CONNECTIONS, CHAT_READ_BUDGET, CHAT_MIN_FREE_MB
                              caps, time budgets and the health threshold (docs/limits.md)
  CHAT_LDAP_*, CHAT_OIDC_PROVIDERS, CHAT_LOCAL_LOGIN, CHAT_PUBLIC_URL
                              sign-in with a company directory: docs/directory-sign-in.md
  CHAT_REDIS_URL, CHAT_WORKERS  defaults for --redis and --workers (docs/scale-out.md)
  CHAT_PRESENCE_TTL           seconds before a silent process's users go offline (30)
  CHAT_HOOK_RATE              messages per minute one webhook may post (default 60)
  CHAT_HOOK_MAX_BYTES         largest webhook body in bytes (default 65536)
  CHAT_BOT_QUEUE              outgoing bot calls waiting at most (default 100)
  CHAT_METRICS                1 to serve Prometheus metrics at /metrics (default off)
  CHAT_METRICS_ALLOW          networks that may scrape /metrics (default loopback)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="server.py",
        description="Teahouse: a self-hosted chat server for small teams.",
        epilog=ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", help="port to listen on (default 8000)")
    parser.add_argument(
        "--data-dir", dest="data_dir", help="database, uploads and secret (default ./data)"
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="share the server between processes over Redis, e.g. "
        "redis://127.0.0.1:6379/0 (default: one process, no Redis)",
    )
    parser.add_argument(
        "--workers", metavar="N", help="run N processes on one port (needs --redis; default 1)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    create = sub.add_parser("create-user", help="create an account (prompts for the password)")
    create.add_argument("name")
    create.add_argument("--admin", action="store_true", help="make the user a site admin")
    create.add_argument("--password", help="the password (else prompted)")
    create.add_argument("--display-name", dest="display_name")
    token = sub.add_parser(
        "token",
        help="mint a personal API token for a user (listed and revocable in the "
        "web page's API tokens dialog)",
    )
    token.add_argument("name")
    token.add_argument("--days", type=int, help="expire after N days (default: until revoked)")
    token.add_argument(
        "--label",
        default="command line",
        help="the token's name in the user's list (default: command line)",
    )
    backup = sub.add_parser("backup", help="write one archive: database, uploads, manifest")
    backup.add_argument("file")
    restore = sub.add_parser(
        "restore", help="check a backup archive and unpack it into a new data directory"
    )
    restore.add_argument("archive")
    sub.add_parser("vacuum", help="give deleted messages' space back (stop the server first)")
    export = sub.add_parser(
        "export", help="everything as JSON lines (docs/export-format.md); FILE.gz is compressed"
    )
    export.add_argument("file")
    load = sub.add_parser("import", help="load a Teahouse site export into an empty data directory")
    load.add_argument("file")
    slack = sub.add_parser(
        "import-slack",
        help="load a Slack export zip (channels, users, "
        "messages, threads) into an empty data directory",
    )
    slack.add_argument("zip")
    link = sub.add_parser(
        "link-identity",
        help="let a directory or OIDC account sign in "
        "as an existing local user (docs/directory-sign-in.md)",
    )
    link.add_argument("name", help="the existing Teahouse username")
    link.add_argument("provider", help="'ldap' or a CHAT_OIDC_PROVIDERS name")
    link.add_argument("external_name", help="the username at the provider")
    move = sub.add_parser(
        "migrate-to-postgres",
        help="copy this (stopped) SQLite site into an empty PostgreSQL database, verify "
        "every table by count and checksum; run it again to resume an interrupted copy "
        "(docs/scale-out.md)",
    )
    move.add_argument(
        "--to",
        metavar="URL",
        help="postgresql://user:password@host:port/db (default: CHAT_DATABASE_URL)",
    )
    move.add_argument(
        "--batch", type=int, default=5000, metavar="ROWS", help="rows per commit (default 5000)"
    )
    for command in sub.choices.values():  # `restore ARCHIVE --data-dir NEW` reads naturally
        command.add_argument(
            "--data-dir",
            dest="data_dir",
            default=argparse.SUPPRESS,
            help="the data directory (same as before the command)",
        )
    return parser


async def with_core(settings, action):
    """Open the existing data directory as the server would, run action(core), close."""
    from chat.core import Core
    from chat.db import Database
    from chat.hub import Hub
    from chat.ops.datadir import load_secret, prepare_data_dir, require_database

    require_database(settings)
    prepare_data_dir(settings)
    db = Database(settings.database)
    await db.open()
    try:
        return await action(Core(db=db, hub=Hub(), settings=settings, secret=load_secret(settings)))
    finally:
        await db.close()


def create_user(settings, args) -> int:
    from chat.core.people import accounts

    password = args.password or getpass.getpass(f"Password for {args.name}: ")
    user = asyncio.run(
        with_core(
            settings,
            lambda core: accounts.create_user(
                core, args.name, password, args.display_name, is_admin=args.admin
            ),
        )
    )
    print(f"created user {user.username} (id {user.id}{', admin' if user.is_admin else ''})")
    return 0


def print_token(settings, args) -> int:
    from chat.core.people import accounts

    print(
        asyncio.run(
            with_core(
                settings, lambda core: accounts.token_for(core, args.name, args.days, args.label)
            )
        )
    )
    return 0


def link_identity(settings, args) -> int:
    from chat.core.people import identities

    asyncio.run(
        with_core(
            settings,
            lambda core: identities.link(core, None, args.name, args.provider, args.external_name),
        )
    )
    print(f"linked {args.provider} account {args.external_name} to user {args.name}")
    return 0


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

    summary = backups.restore(Path(args.archive), settings)
    print(
        f"restored {summary.files} files ({summary.total_bytes} bytes) into "
        f"{settings.data_dir.resolve()}, uploads into {settings.uploads_dir.resolve()}; "
        f"integrity checked. Start the server on it with --data-dir {settings.data_dir}"
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
    commands = {
        "create-user": create_user,
        "token": print_token,
        "backup": backup,
        "restore": restore,
        "vacuum": vacuum,
        "export": export,
        "import": import_export,
        "import-slack": import_slack,
        "link-identity": link_identity,
        "migrate-to-postgres": migrate_to_postgres,
    }
    try:
        if args.command in commands:
            return commands[args.command](settings, args)
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
