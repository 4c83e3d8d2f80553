"""Email settings (docs/email.md), read from the environment. Email is off until
CHAT_SMTP_HOST names the company's SMTP server."""

from __future__ import annotations

from chat.setting_values import SettingsError, parse_choice, parse_number, parse_port

SECURITY = ("starttls", "tls", "none")
# variable -> (field, type, lowest value)
NUMBERS = {
    "CHAT_SMTP_TIMEOUT": ("smtp_timeout_seconds", float, 0.1),
    "CHAT_EMAIL_DELAY_SECONDS": ("email_delay_seconds", float, 0),
    "CHAT_EMAIL_CHECK_SECONDS": ("email_check_seconds", float, 0.05),
    "CHAT_EMAIL_QUEUE": ("email_queue_limit", int, 1),
    "CHAT_EMAIL_CONCURRENCY": ("email_concurrency", int, 1),
    "CHAT_EMAIL_RETRY_SECONDS": ("email_retry_seconds", float, 0.01),
    "CHAT_EMAIL_MAX_ITEMS": ("email_max_items", int, 1),
}
TEXTS = {
    "CHAT_SMTP_HOST": "smtp_host",
    "CHAT_SMTP_USER": "smtp_user",
    "CHAT_SMTP_PASSWORD": "smtp_password",
    "CHAT_SMTP_FROM": "smtp_from",
    "CHAT_SMTP_CA_FILE": "smtp_ca_file",
}


def load_email(env) -> dict:
    values: dict = {}
    for var, name in TEXTS.items():
        if raw := env.get(var, "").strip():
            values[name] = raw
    for var, (name, kind, low) in NUMBERS.items():
        if (raw := env.get(var)) is not None:
            values[name] = parse_number(var, raw, kind, low)
    if (raw := env.get("CHAT_SMTP_PORT")) is not None:
        values["smtp_port"] = parse_port("CHAT_SMTP_PORT", raw)
    if (raw := env.get("CHAT_SMTP_SECURITY")) is not None:
        values["smtp_security"] = parse_choice("CHAT_SMTP_SECURITY", raw, SECURITY)
    if values.get("smtp_host") and "@" not in values.get("smtp_from", ""):
        raise SettingsError("CHAT_SMTP_HOST needs CHAT_SMTP_FROM, the address emails come from")
    if values.get("smtp_user") and not values.get("smtp_password"):
        raise SettingsError("CHAT_SMTP_USER needs CHAT_SMTP_PASSWORD")
    return values
