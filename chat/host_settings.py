"""Several hosts (docs/scale-out.md): where the files every request may read live, and
whether this process shares its site with processes on other hosts.

A host must never make up a value the others need: a secret generated into one host's
data directory differs on every host (tokens signed on one would be refused by the
next), and a file written to one host's disk is missing on the others. So when the
site is shared across hosts (CHAT_HOSTS_SHARED=1, or a postgresql:// CHAT_DATABASE_URL,
whose only reason is several hosts), each such value must come from the settings, and
a missing one stops the start with its name rather than surfacing as random 401s/404s.
Here too: the addresses the hosts share, CHAT_DATABASE_URL and CHAT_REDIS_URL.
"""

from __future__ import annotations

from pathlib import Path

from chat.setting_values import SettingsError, parse_bool

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SQLITE_SCHEME = "sqlite:///"
# Settings field -> the variable every host must be given when the site is shared.
SHARED_VALUES = {
    "secret": "CHAT_SECRET",
    "vapid_private_key": "CHAT_VAPID_PRIVATE_KEY",
    "files_dir": "CHAT_FILES_DIR",
}


def load_hosts(env) -> dict:
    values: dict = {}
    if raw := env.get("CHAT_FILES_DIR", "").strip():
        values["files_dir"] = Path(raw)
    shared = False
    if (raw := env.get("CHAT_HOSTS_SHARED")) is not None:
        shared = parse_bool("CHAT_HOSTS_SHARED", raw)
    if env.get("CHAT_DATABASE_URL", "").strip().startswith(POSTGRES_SCHEMES):
        shared = True
    values["hosts_shared"] = shared
    return values


def check_shared(values: dict) -> None:
    """SettingsError naming every value a shared site lacks (nothing when not shared)."""
    if not values.get("hosts_shared"):
        return
    missing = [var for name, var in SHARED_VALUES.items() if not values.get(name)]
    if missing:
        raise SettingsError(
            f"{', '.join(missing)} must be set when several hosts share this site "
            "(CHAT_HOSTS_SHARED, or a postgresql:// CHAT_DATABASE_URL): a value made up "
            "in one host's data directory would differ on every other host"
        )


def parse_database_url(raw: str) -> str:
    if raw.startswith(POSTGRES_SCHEMES) or (
        raw.startswith(SQLITE_SCHEME) and len(raw) > len(SQLITE_SCHEME)
    ):
        return raw
    raise SettingsError(
        "CHAT_DATABASE_URL must be sqlite:///path or postgresql://user:password@host:port/db"
    )


def parse_redis_url(raw: str) -> str:
    if not raw.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(
            f"CHAT_REDIS_URL must start with redis://, rediss:// or unix://, got {raw!r}"
        )
    return raw
