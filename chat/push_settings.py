"""Web Push and outbound-request settings (docs/push.md), read from the environment."""

from __future__ import annotations

import ipaddress

from chat.setting_values import SettingsError, parse_bool, parse_list, parse_number

# variable -> (field, type, lowest value)
NUMBERS = {
    "CHAT_PUSH_GRACE_SECONDS": ("push_grace_seconds", float, 0),
    "CHAT_PUSH_QUEUE": ("push_queue_limit", int, 1),
    "CHAT_PUSH_CONCURRENCY": ("push_concurrency", int, 1),
    "CHAT_PUSH_TIMEOUT": ("push_timeout_seconds", float, 0.1),
    "CHAT_PUSH_RETRY_SECONDS": ("push_retry_seconds", float, 0.01),
    "CHAT_PUSH_MAX_DEVICES": ("push_max_devices", int, 0),
    "CHAT_OUTBOUND_MAX_URL": ("outbound_max_url", int, 64),
}


def parse_networks(name: str, raw: str) -> tuple:
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in parse_list(raw))
    except ValueError as exc:
        raise SettingsError(f"{name}: {exc}") from None


def load_push(env) -> dict:
    values: dict = {}
    for var, (name, kind, low) in NUMBERS.items():
        if (raw := env.get(var)) is not None:
            values[name] = parse_number(var, raw, kind, low)
    if key := env.get("CHAT_VAPID_PRIVATE_KEY"):
        values["vapid_private_key"] = key.strip()
    if subject := env.get("CHAT_VAPID_SUBJECT"):
        if not subject.startswith(("mailto:", "https://")):
            raise SettingsError("CHAT_VAPID_SUBJECT must be a mailto: or https:// URL")
        values["vapid_subject"] = subject
    if (raw := env.get("CHAT_PUSH_PRIVATE")) is not None:
        values["push_private"] = parse_bool("CHAT_PUSH_PRIVATE", raw)
    if (raw := env.get("CHAT_OUTBOUND_ALLOW")) is not None:
        values["outbound_allow"] = parse_networks("CHAT_OUTBOUND_ALLOW", raw)
    if raw := env.get("CHAT_OUTBOUND_CA_FILE"):
        values["outbound_ca_file"] = raw
    return values
