"""Link-preview settings and the outbound door's lists (docs/previews.md), read from the
environment."""

from __future__ import annotations

from chat.push_settings import parse_networks
from chat.setting_values import SettingsError, parse_bool, parse_list, parse_number, parse_rate

# variable -> (field, type, lowest value)
NUMBERS = {
    "CHAT_PREVIEW_QUEUE": ("preview_queue_limit", int, 1),
    "CHAT_PREVIEW_CONCURRENCY": ("preview_concurrency", int, 1),
    "CHAT_PREVIEW_TIMEOUT": ("preview_timeout_seconds", float, 0.1),
    "CHAT_PREVIEW_MAX_BYTES": ("preview_max_bytes", int, 1024),
    "CHAT_PREVIEW_IMAGE_MAX_BYTES": ("preview_image_max_bytes", int, 1024),
    "CHAT_PREVIEW_IMAGE_PIXELS": ("preview_image_pixels", int, 16),
    "CHAT_PREVIEW_LINKS": ("preview_links_per_message", int, 1),
    "CHAT_PREVIEW_CACHE_SECONDS": ("preview_cache_seconds", int, 0),
}
RATES = {
    "CHAT_RATE_PREVIEWS": "rate_previews",
    "CHAT_RATE_PREVIEWS_SITE": "rate_previews_site",
}


def parse_ports(name: str, raw: str) -> tuple[int, ...]:
    ports = tuple(parse_number(name, item, int, 1) for item in parse_list(raw))
    if any(port > 65535 for port in ports):
        raise SettingsError(f"{name}: a port is at most 65535, got {raw!r}")
    return ports


def parse_deny(raw: str) -> tuple[tuple, tuple]:
    """CHAT_OUTBOUND_DENY: networks and names mixed, split here."""
    networks, names = [], []
    for item in parse_list(raw):
        if item[:1].isdigit() or ":" in item:
            networks.append(item)
        else:
            names.append(item.lower().rstrip("."))
    return parse_networks("CHAT_OUTBOUND_DENY", ",".join(networks)), tuple(names)


def load_previews(env) -> dict:
    values: dict = {}
    for var, (name, kind, low) in NUMBERS.items():
        if (raw := env.get(var)) is not None:
            values[name] = parse_number(var, raw, kind, low)
    for var, name in RATES.items():
        if (raw := env.get(var)) is not None:
            values[name] = parse_rate(var, raw)
    if (raw := env.get("CHAT_PREVIEWS")) is not None:
        values["previews"] = parse_bool("CHAT_PREVIEWS", raw)
    if (raw := env.get("CHAT_OUTBOUND_PORTS")) is not None:
        values["outbound_ports"] = parse_ports("CHAT_OUTBOUND_PORTS", raw)
    if (raw := env.get("CHAT_OUTBOUND_ALLOW_HOSTS")) is not None:
        values["outbound_allow_hosts"] = frozenset(
            name.lower().rstrip(".") for name in parse_list(raw)
        )
    if (raw := env.get("CHAT_OUTBOUND_DENY")) is not None:
        values["outbound_deny"], values["outbound_deny_hosts"] = parse_deny(raw)
    return values
