"""The command line's table: every flag and subcommand of server.py with its help, and
the environment variables the help lists. Only argparse here, so `server.py --help`
answers without importing the server (or its dependencies, when they are missing).
Each subcommand runs a function of chat/ops/account_commands.py or site_commands.py,
named in COMMANDS; server.py is the thin entry point that calls it.
"""

from __future__ import annotations

import argparse

from chat.ops import account_commands, site_commands

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


# Subcommand -> its function(settings, args) -> exit code. Each imports what it needs
# when it runs, so reading this table costs nothing.
COMMANDS = {
    "create-user": account_commands.create_user,
    "token": account_commands.print_token,
    "backup": site_commands.backup,
    "restore": site_commands.restore,
    "vacuum": site_commands.vacuum,
    "export": site_commands.export,
    "import": site_commands.import_export,
    "import-slack": site_commands.import_slack,
    "link-identity": account_commands.link_identity,
    "migrate-to-postgres": site_commands.migrate_to_postgres,
}
