"""Settings: command-line flag > CHAT_* environment variable > default.

Bad values fail loudly at start (SettingsError) instead of surfacing later. This module
holds the Settings every part reads and load_settings, which reads them; the parsers
are in setting_values.py, the tables of limits in limit_settings.py, and each feature's
settings in its own module (signin_, push_, preview_, email_, host_settings.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from chat.email_settings import load_email
from chat.host_settings import (
    POSTGRES_SCHEMES,
    SQLITE_SCHEME,
    check_shared,
    load_hosts,
    parse_database_url,
    parse_redis_url,
)
from chat.limit_settings import load_integrations, load_limits
from chat.preview_settings import load_previews
from chat.push_settings import load_push
from chat.setting_values import (
    SettingsError,
    parse_bool,
    parse_call_url,
    parse_choice,
    parse_count,
    parse_days,
    parse_list,
    parse_number,
    parse_port,
    parse_proxies,
)
from chat.signin_settings import LdapSettings, OidcProvider, load_signin

LANGUAGES = ("en", "zh")
LOG_FORMATS = ("text", "json")
SOCKET_ACCESS_LOG_LEVELS = ("info", "debug")


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("data")
    database_url: str | None = None  # CHAT_DATABASE_URL; None: SQLite in data_dir
    secret: str | None = None
    allow_registration: bool = True
    cors_origins: tuple[str, ...] = ()
    language: str = "en"
    trusted_proxies: tuple[str, ...] = ()
    access_token_ttl: int = 3600
    refresh_token_ttl: int = 30 * 24 * 3600
    socket_queue_limit: int = 1000
    heartbeat_seconds: float = 25.0
    socket_sign_ins: int = 128  # sockets signing in at once (a reconnect storm queues)
    max_upload_bytes: int = 10 * 1024 * 1024
    # Uploaded files (docs/files.md): how long a signed link handed out with a file_url
    # works, and whether public rooms' files need no credential at all.
    file_link_ttl: int = 8 * 3600
    public_room_files_public: bool = False
    log_format: str = "text"
    socket_access_log: str = "info"  # "debug": sockets that end normally log at DEBUG
    retention_days: int | None = None  # site-wide: delete messages older than this
    room_purge_days: int = 30  # a deleted room can be restored this long, then is purged
    audit_retention_days: int = 365  # audit log entries are kept this long (docs/audit.md)
    audit_log_stream: bool = False  # also one JSON line per entry on "teahouse.audit"
    # Guest accounts (docs/guests.md): room admins may add guests to their rooms too;
    # how long an invitation link works, at most.
    guest_invites_by_room_admins: bool = False
    guest_link_hours: int = 72
    presence_coalesce_above: int = 50  # sockets in a room above which presence is summarized
    join_notice_threshold: int = (
        50  # members above which joins and leaves follow the room's setting
    )
    join_notice_interval: float = 60.0  # seconds between a large room's coalesced notices
    search_index_delay: float = 0.2  # seconds from a message's commit to its indexing
    # Limits against hostile members and faults (docs/limits.md); a rate is
    # (per second, burst), 0 per second turns it off.
    rate_messages: tuple[float, int] = (10.0, 30)
    rate_typing: tuple[float, int] = (5.0, 20)
    rate_reactions: tuple[float, int] = (5.0, 20)
    rate_uploads: tuple[float, int] = (1.0, 10)
    rate_writes: tuple[float, int] = (10.0, 50)
    # Budgets shared by several accounts: a hook's posts also count against its room
    # and its creator; messages from one address (beyond what an office NAT needs)
    # and mentions that call a bot (per sender).
    rate_hook_room: tuple[float, int] = (1.0, 60)
    rate_hook_creator: tuple[float, int] = (1.0, 60)
    rate_address_messages: tuple[float, int] = (30.0, 90)
    rate_bot_calls: tuple[float, int] = (0.2, 10)
    register_per_address: int = 30  # sign-ups per hour from one address (0: off)
    register_per_minute: int = 60  # sign-ups per minute site-wide (0: off)
    max_sockets_per_user: int = 50
    max_connections_per_address: int = 200
    handshake_timeout: float = 5.0
    malformed_log_lines: int = 10  # "refused a malformed request" lines per window
    malformed_log_window: float = 60.0
    upload_idle_timeout: float = 30.0
    read_connections: int = 3
    read_budget: float = 2.0
    min_free_mb: int = 100
    all_mention_limit: int = 20  # above this many members only moderators may @all
    max_pins: int = 50  # pinned messages per room
    max_saved: int = 1000  # saved messages per user
    max_scheduled: int = 50  # pending scheduled messages (and reminders) per user
    # Login throttling (docs/sessions.md): failures in 5 minutes; 0 turns one off.
    login_pair_limit: int = 5  # per (username, address), then 429
    login_address_limit: int = 20  # per address, then 429
    login_slowdown_after: int = 10  # per username from any address, then each attempt waits
    # Sign-in with a directory (chat/signin_settings.py, docs/directory-sign-in.md).
    ldap: LdapSettings | None = None
    oidc_providers: tuple[OidcProvider, ...] = ()
    local_login: bool = True
    public_url: str = ""
    # Several processes (docs/scale-out.md): the Redis backplane, off without a URL.
    redis_url: str | None = None
    workers: int = 1
    presence_ttl: float = 30.0  # a silent process's users go offline after this
    backplane_poll_seconds: float = 2.0  # the safety poll of the event log
    hook_rate_per_minute: int = 60
    hook_max_bytes: int = 64 * 1024
    hooks_per_room: int = 10
    hooks_per_user: int = 20
    bot_queue_limit: int = 100  # calls waiting per bot
    bot_concurrency: int = 2  # calls in flight per bot
    bot_timeout_seconds: float = 7.0
    import_max_file_mb: int = 16  # one JSON file of a Slack export, unpacked
    import_max_total_mb: int = 4096  # all of a Slack export's files, unpacked
    # Web Push (chat/push_settings.py, docs/push.md).
    vapid_private_key: str | None = None
    vapid_subject: str = ""
    push_grace_seconds: float = 60.0  # no socket anywhere this long before a push
    push_private: bool = False  # payload says only "New message"
    push_queue_limit: int = 1000
    push_concurrency: int = 4
    push_timeout_seconds: float = 10.0
    push_retry_seconds: float = 2.0  # first backoff after a 429/5xx, doubled per retry
    push_max_devices: int = 20  # subscriptions per user
    # Email for what people missed (chat/email_settings.py, docs/email.md): off without a host.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"  # starttls | tls (implicit, port 465) | none
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_ca_file: str | None = None  # a company CA (or a test's self-signed certificate)
    smtp_timeout_seconds: float = 30.0
    email_delay_seconds: float = 600.0  # unread this long, with no tab open, before an email
    email_check_seconds: float = 30.0  # how often the database is asked what is due
    email_queue_limit: int = 100  # people waiting for their email in one process
    email_concurrency: int = 2  # SMTP conversations at once per process
    email_retry_seconds: float = 60.0  # first backoff after an SMTP failure, doubled per failure
    email_max_items: int = 50  # notifications listed in one email (the rest are counted)
    outbound_allow: tuple = ()  # networks exempt from the SSRF address rules
    outbound_allow_hosts: frozenset = frozenset()  # names exempt from them (intranet hosts)
    outbound_deny: tuple = ()  # networks never dialled, allowed or not
    outbound_deny_hosts: tuple = ()  # names (".example": a whole domain) never dialled
    outbound_ports: tuple = ()  # ports beyond 80/443 bots and previews may dial
    outbound_ca_file: str | None = None
    outbound_max_url: int = 1024
    # Link previews (chat/preview_settings.py, docs/previews.md).
    previews: bool = True
    preview_queue_limit: int = 200  # messages waiting for their previews; more are skipped
    preview_concurrency: int = 2
    preview_timeout_seconds: float = 5.0  # one fetch, every redirect included
    preview_max_bytes: int = 1024 * 1024  # of a page read; the rest is never downloaded
    preview_image_max_bytes: int = 5 * 1024 * 1024
    preview_image_pixels: int = 400  # the stored image's longest side
    preview_links_per_message: int = 3
    preview_cache_seconds: int = 24 * 3600
    rate_previews: tuple[float, int] = (0.2, 10)  # fetches per user
    rate_previews_site: tuple[float, int] = (5.0, 50)  # fetches of the whole site
    call_url: str | None = None  # meeting server base (CHAT_CALL_URL); None: calls are off
    metrics: bool = False
    metrics_allow: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    # Several hosts (chat/host_settings.py, docs/scale-out.md): the files every host
    # reads (None: DATA_DIR/uploads), and whether the site is shared across hosts.
    files_dir: Path | None = None
    hosts_shared: bool = False
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def database_path(self) -> Path:
        """The SQLite file: CHAT_DATABASE_URL=sqlite:///path, else data_dir/teahouse.db."""
        if self.database_url and self.database_url.startswith(SQLITE_SCHEME):
            return Path(self.database_url.removeprefix(SQLITE_SCHEME))
        return self.data_dir / "teahouse.db"

    @property
    def database(self) -> Path | str:
        """What Database opens: a postgresql:// URL, or the SQLite file."""
        if self.database_url and self.database_url.startswith(POSTGRES_SCHEMES):
            return self.database_url
        return self.database_path

    @property
    def database_shown(self) -> str:
        """The database as messages name it: the file, or the URL without its password."""
        if isinstance(self.database, str):
            parts = urlsplit(self.database)
            return f"{parts.scheme}://{parts.hostname}:{parts.port or 5432}{parts.path}"
        return str(self.database_path.resolve())

    @property
    def uploads_dir(self) -> Path:
        """Every file a request reads: CHAT_FILES_DIR (a mount all hosts share), else
        DATA_DIR/uploads as on one host."""
        return self.files_dir or self.data_dir / "uploads"

    @property
    def chat_uploads_dir(self) -> Path:
        """Where uploaded files live, served at /uploads/chat/<name>."""
        return self.uploads_dir / "chat"

    @property
    def previews_dir(self) -> Path:
        """Preview pictures: beside the uploads on a shared mount; on one host where
        they always were."""
        return self.files_dir / "previews" if self.files_dir else self.data_dir / "previews"

    @property
    def secret_path(self) -> Path:
        return self.data_dir / "jwt_secret"

    @property
    def vapid_path(self) -> Path:
        return self.data_dir / "vapid_private_key"


def parse_language(name: str, raw: str) -> str:
    lang = raw.strip().lower()
    if lang not in LANGUAGES:
        raise SettingsError(f"{name} must be one of {LANGUAGES}, got {raw!r}")
    return lang


def load_settings(flags: dict | None = None, env: dict | None = None) -> Settings:
    """Merge flags (None means 'not given') over the environment over defaults."""
    flags = flags or {}
    env = os.environ if env is None else env

    def pick(flag: str, var: str):
        value = flags.get(flag)
        return value if value is not None else env.get(var)

    values: dict = {}
    if (host := pick("host", "CHAT_HOST")) is not None:
        values["host"] = host
    if (port := pick("port", "CHAT_PORT")) is not None:
        source = "--port" if flags.get("port") is not None else "CHAT_PORT"
        values["port"] = parse_port(source, port)
    if (data_dir := pick("data_dir", "CHAT_DATA_DIR")) is not None:
        values["data_dir"] = Path(data_dir)
    if raw := env.get("CHAT_DATABASE_URL", "").strip():
        values["database_url"] = parse_database_url(raw)
    if secret := env.get("CHAT_SECRET"):
        if len(secret) < 16:
            raise SettingsError("CHAT_SECRET must be at least 16 characters")
        values["secret"] = secret
    if (raw := env.get("CHAT_ALLOW_REGISTRATION")) is not None:
        values["allow_registration"] = parse_bool("CHAT_ALLOW_REGISTRATION", raw)
    if (raw := env.get("CHAT_CORS_ORIGINS")) is not None:
        values["cors_origins"] = parse_list(raw)
    if (raw := env.get("CHAT_LANGUAGE")) is not None:
        values["language"] = parse_language("CHAT_LANGUAGE", raw)
    if (raw := env.get("CHAT_TRUSTED_PROXIES")) is not None:
        values["trusted_proxies"] = parse_proxies("CHAT_TRUSTED_PROXIES", raw)
    if (raw := env.get("CHAT_LOG_FORMAT")) is not None:
        values["log_format"] = parse_choice("CHAT_LOG_FORMAT", raw, LOG_FORMATS)
    if (raw := env.get("CHAT_SOCKET_ACCESS_LOG")) is not None:
        values["socket_access_log"] = parse_choice(
            "CHAT_SOCKET_ACCESS_LOG", raw, SOCKET_ACCESS_LOG_LEVELS
        )
    if (raw := env.get("CHAT_RETENTION_DAYS")) not in (None, ""):
        values["retention_days"] = parse_days("CHAT_RETENTION_DAYS", raw)
    if (raw := env.get("CHAT_ROOM_PURGE_DAYS")) is not None:
        values["room_purge_days"] = parse_days("CHAT_ROOM_PURGE_DAYS", raw)
    if (raw := env.get("CHAT_AUDIT_RETENTION_DAYS")) is not None:
        values["audit_retention_days"] = parse_days("CHAT_AUDIT_RETENTION_DAYS", raw)
    if (raw := env.get("CHAT_AUDIT_LOG_STREAM")) is not None:
        values["audit_log_stream"] = parse_bool("CHAT_AUDIT_LOG_STREAM", raw)
    if (raw := env.get("CHAT_GUEST_INVITES_BY_ROOM_ADMINS")) is not None:
        values["guest_invites_by_room_admins"] = parse_bool(
            "CHAT_GUEST_INVITES_BY_ROOM_ADMINS", raw
        )
    if (raw := env.get("CHAT_GUEST_LINK_HOURS")) is not None:
        values["guest_link_hours"] = parse_number("CHAT_GUEST_LINK_HOURS", raw, int, 1)
    if (raw := env.get("CHAT_PRESENCE_COALESCE_ABOVE")) is not None:
        values["presence_coalesce_above"] = parse_count("CHAT_PRESENCE_COALESCE_ABOVE", raw)
    values.update(load_limits(env))
    values.update(load_signin(env))
    values.update(load_push(env))
    values.update(load_previews(env))
    values.update(load_email(env))
    if redis_url := pick("redis", "CHAT_REDIS_URL"):
        values["redis_url"] = parse_redis_url(redis_url)
    if (raw := pick("workers", "CHAT_WORKERS")) is not None:
        values["workers"] = parse_number("--workers", str(raw), int, 1)
        if values["workers"] > 1 and not values.get("redis_url"):
            raise SettingsError(
                "--workers above 1 needs --redis / CHAT_REDIS_URL: the "
                "processes share fan-out and presence over Redis"
            )
    values.update(load_integrations(env))
    if raw := env.get("CHAT_CALL_URL", "").strip():
        values["call_url"] = parse_call_url("CHAT_CALL_URL", raw)
    if (raw := env.get("CHAT_METRICS")) is not None:
        values["metrics"] = parse_bool("CHAT_METRICS", raw)
    if (raw := env.get("CHAT_METRICS_ALLOW")) is not None:
        values["metrics_allow"] = parse_proxies("CHAT_METRICS_ALLOW", raw)
    values.update(load_hosts(env))
    check_shared(values)
    return Settings(**values)
