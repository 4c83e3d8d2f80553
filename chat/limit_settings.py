"""The limits read only from the environment (docs/limits.md, docs/integrations.md):
rates, caps, time budgets and the webhooks' and bots' bounds, each a CHAT_* variable
named next to the Settings field it fills and how its value is read. Tables, so a new
limit is one line; chat/settings.py merges what they read into the Settings.
"""

from __future__ import annotations

from chat.setting_values import parse_bool, parse_number, parse_rate

# Limit settings read only from the environment: variable -> (field, parser).
LIMITS = {
    "CHAT_RATE_MESSAGES": ("rate_messages", parse_rate),
    "CHAT_RATE_TYPING": ("rate_typing", parse_rate),
    "CHAT_RATE_REACTIONS": ("rate_reactions", parse_rate),
    "CHAT_RATE_UPLOADS": ("rate_uploads", parse_rate),
    "CHAT_RATE_WRITES": ("rate_writes", parse_rate),
    "CHAT_RATE_HOOK_ROOM": ("rate_hook_room", parse_rate),
    "CHAT_RATE_HOOK_CREATOR": ("rate_hook_creator", parse_rate),
    "CHAT_RATE_ADDRESS_MESSAGES": ("rate_address_messages", parse_rate),
    "CHAT_RATE_BOT_CALLS": ("rate_bot_calls", parse_rate),
    "CHAT_REGISTER_PER_ADDRESS": ("register_per_address", lambda n, r: parse_number(n, r, int, 0)),
    "CHAT_REGISTER_PER_MINUTE": ("register_per_minute", lambda n, r: parse_number(n, r, int, 0)),
    "CHAT_IMPORT_MAX_FILE_MB": ("import_max_file_mb", lambda n, r: parse_number(n, r, int, 1)),
    "CHAT_IMPORT_MAX_TOTAL_MB": ("import_max_total_mb", lambda n, r: parse_number(n, r, int, 1)),
    "CHAT_MAX_SOCKETS_PER_USER": ("max_sockets_per_user", lambda n, r: parse_number(n, r, int, 0)),
    "CHAT_MAX_CONNECTIONS_PER_ADDRESS": (
        "max_connections_per_address",
        lambda n, r: parse_number(n, r, int, 0),
    ),
    "CHAT_SOCKET_SIGN_INS": ("socket_sign_ins", lambda n, r: parse_number(n, r, int, 1)),
    "CHAT_HANDSHAKE_TIMEOUT": ("handshake_timeout", lambda n, r: parse_number(n, r, float, 0.1)),
    "CHAT_MALFORMED_LOG_LINES": ("malformed_log_lines", lambda n, r: parse_number(n, r, int, 0)),
    "CHAT_MALFORMED_LOG_WINDOW": (
        "malformed_log_window",
        lambda n, r: parse_number(n, r, float, 0.1),
    ),
    "CHAT_UPLOAD_IDLE_TIMEOUT": (
        "upload_idle_timeout",
        lambda n, r: parse_number(n, r, float, 0.1),
    ),
    "CHAT_READ_CONNECTIONS": ("read_connections", lambda n, r: parse_number(n, r, int, 1)),
    "CHAT_READ_BUDGET": ("read_budget", lambda n, r: parse_number(n, r, float, 0.01)),
    "CHAT_MIN_FREE_MB": ("min_free_mb", lambda n, r: parse_number(n, r, int, 0)),
    "CHAT_ALL_MENTION_LIMIT": ("all_mention_limit", lambda n, r: parse_number(n, r, int, 0)),
    "CHAT_MAX_PINS": ("max_pins", lambda n, r: parse_number(n, r, int, 1)),
    "CHAT_MAX_SAVED": ("max_saved", lambda n, r: parse_number(n, r, int, 1)),
    "CHAT_MAX_SCHEDULED": ("max_scheduled", lambda n, r: parse_number(n, r, int, 1)),
    "CHAT_ACCESS_TOKEN_TTL": ("access_token_ttl", lambda n, r: parse_number(n, r, int, 30)),
    "CHAT_REFRESH_TOKEN_TTL": ("refresh_token_ttl", lambda n, r: parse_number(n, r, int, 300)),
    "CHAT_LOGIN_PAIR_LIMIT": ("login_pair_limit", lambda n, r: parse_number(n, r, int, 0)),
    "CHAT_LOGIN_ADDRESS_LIMIT": ("login_address_limit", lambda n, r: parse_number(n, r, int, 0)),
    "CHAT_LOGIN_SLOWDOWN_AFTER": ("login_slowdown_after", lambda n, r: parse_number(n, r, int, 0)),
    "CHAT_PRESENCE_TTL": ("presence_ttl", lambda n, r: parse_number(n, r, float, 1)),
    "CHAT_BACKPLANE_POLL": ("backplane_poll_seconds", lambda n, r: parse_number(n, r, float, 0.05)),
    "CHAT_SEARCH_INDEX_DELAY": ("search_index_delay", lambda n, r: parse_number(n, r, float, 0)),
    "CHAT_FILE_LINK_TTL": ("file_link_ttl", lambda n, r: parse_number(n, r, int, 60)),
    "CHAT_PUBLIC_ROOM_FILES_PUBLIC": ("public_room_files_public", parse_bool),
    "CHAT_JOIN_NOTICE_THRESHOLD": (
        "join_notice_threshold",
        lambda n, r: parse_number(n, r, int, 0),
    ),
    "CHAT_JOIN_NOTICE_INTERVAL": (
        "join_notice_interval",
        lambda n, r: parse_number(n, r, float, 0.1),
    ),
}


# Integration settings (docs/integrations.md): variable -> (field, type, lowest value).
INTEGRATIONS = {
    "CHAT_HOOK_RATE": ("hook_rate_per_minute", int, 1),
    "CHAT_HOOK_MAX_BYTES": ("hook_max_bytes", int, 1024),
    "CHAT_BOT_QUEUE": ("bot_queue_limit", int, 1),
    "CHAT_BOT_CONCURRENCY": ("bot_concurrency", int, 1),
    "CHAT_MAX_HOOKS_PER_ROOM": ("hooks_per_room", int, 0),
    "CHAT_MAX_HOOKS_PER_USER": ("hooks_per_user", int, 0),
}


def load_limits(env) -> dict:
    values: dict = {}
    for var, (name, parse) in LIMITS.items():
        if (raw := env.get(var)) is not None:
            values[name] = parse(var, raw)
    return values


def load_integrations(env) -> dict:
    values: dict = {}
    for var, (name, kind, low) in INTEGRATIONS.items():
        if (raw := env.get(var)) is not None:
            values[name] = parse_number(var, raw, kind, low)
    return values
