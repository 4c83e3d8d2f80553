"""Settings for signing in with a company directory: LDAP / Active Directory and
OpenID Connect providers, read from CHAT_LDAP_*, CHAT_OIDC_PROVIDERS and CHAT_LOCAL_LOGIN.

Only parsing and checking lives here (no network): a wrong value stops the server at
start with a message naming the setting, like every other setting.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from chat.setting_values import SettingsError, parse_bool

# Security decision: only asymmetric algorithms. "none" and HS* (keyed with the public
# client secret or a published key) would let anyone mint an ID token.
ALLOWED_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
PROVIDER_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


@dataclass(frozen=True)
class LdapSettings:
    urls: tuple[str, ...]
    user_base: str
    user_filter: str = "(&(objectClass=inetOrgPerson)(uid={username}))"
    bind_dn: str = ""  # empty: anonymous search
    bind_password: str = field(default="", repr=False)
    start_tls: bool = False
    tls_verify: bool = True
    ca_file: str = ""
    username_attribute: str = "uid"
    id_attribute: str = "entryUUID"
    name_attribute: str = "displayName"
    email_attribute: str = "mail"
    allowed_group: str = ""  # DN; empty: everyone the user filter finds
    admin_group: str = ""  # DN; empty: the admin flag is not managed
    group_filter: str = "(|(member={user_dn})(uniqueMember={user_dn}))"
    timeout: float = 5.0
    recheck_seconds: float = 300.0  # 0: no periodic re-check
    recheck_batch: int = 500  # stable ids per re-check search


@dataclass(frozen=True)
class OidcProvider:
    name: str  # in URLs: /auth/oidc/<name>/start
    label: str  # on the button: "Sign in with <label>"
    issuer: str
    client_id: str
    client_secret: str = field(default="", repr=False)  # empty: a public client (PKCE only)
    scopes: tuple[str, ...] = ("openid", "profile", "email")
    algorithms: tuple[str, ...] = ("RS256",)
    username_claim: str = "preferred_username"
    name_claim: str = "name"
    email_claim: str = "email"
    admin_claim: str = ""  # e.g. "groups" or "roles"; empty: not managed
    admin_value: str = ""


def _number(name: str, raw: str, low: float, high: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low:g} and {high:g}, got {raw!r}")
    return value


LDAP_TEXT = {  # environment variable -> LdapSettings field, plain strings
    "CHAT_LDAP_USER_BASE": "user_base",
    "CHAT_LDAP_USER_FILTER": "user_filter",
    "CHAT_LDAP_BIND_DN": "bind_dn",
    "CHAT_LDAP_BIND_PASSWORD": "bind_password",
    "CHAT_LDAP_CA_FILE": "ca_file",
    "CHAT_LDAP_USERNAME_ATTRIBUTE": "username_attribute",
    "CHAT_LDAP_ID_ATTRIBUTE": "id_attribute",
    "CHAT_LDAP_NAME_ATTRIBUTE": "name_attribute",
    "CHAT_LDAP_EMAIL_ATTRIBUTE": "email_attribute",
    "CHAT_LDAP_ALLOWED_GROUP": "allowed_group",
    "CHAT_LDAP_ADMIN_GROUP": "admin_group",
    "CHAT_LDAP_GROUP_FILTER": "group_filter",
}


def parse_ldap(env) -> LdapSettings | None:
    raw_urls = env.get("CHAT_LDAP_URL", "").strip()
    if not raw_urls:
        return None
    urls = tuple(url.strip() for url in raw_urls.split(",") if url.strip())
    for url in urls:
        if not url.lower().startswith(("ldap://", "ldaps://")):
            raise SettingsError(f"CHAT_LDAP_URL: {url!r} must start with ldap:// or ldaps://")
    values: dict = {"urls": urls}
    for var, name in LDAP_TEXT.items():
        if (raw := env.get(var)) is not None:
            values[name] = raw.strip()
    if not values.get("user_base"):
        raise SettingsError("CHAT_LDAP_USER_BASE is required when CHAT_LDAP_URL is set")
    if "{username}" not in values.get("user_filter", LdapSettings.user_filter):
        raise SettingsError("CHAT_LDAP_USER_FILTER must contain {username}")
    if "{user_dn}" not in values.get("group_filter", LdapSettings.group_filter):
        raise SettingsError("CHAT_LDAP_GROUP_FILTER must contain {user_dn}")
    if (raw := env.get("CHAT_LDAP_STARTTLS")) is not None:
        values["start_tls"] = parse_bool("CHAT_LDAP_STARTTLS", raw)
    if (raw := env.get("CHAT_LDAP_TLS_VERIFY")) is not None:
        values["tls_verify"] = parse_bool("CHAT_LDAP_TLS_VERIFY", raw)
    if (raw := env.get("CHAT_LDAP_TIMEOUT")) is not None:
        values["timeout"] = _number("CHAT_LDAP_TIMEOUT", raw, 0.1, 120)
    if (raw := env.get("CHAT_LDAP_RECHECK_SECONDS")) is not None:
        values["recheck_seconds"] = _number("CHAT_LDAP_RECHECK_SECONDS", raw, 0, 86400)
    if (raw := env.get("CHAT_LDAP_RECHECK_BATCH")) is not None:
        batch = _number("CHAT_LDAP_RECHECK_BATCH", raw, 1, 5000)
        if not batch.is_integer():
            raise SettingsError(f"CHAT_LDAP_RECHECK_BATCH must be a whole number, got {raw!r}")
        values["recheck_batch"] = int(batch)
    return LdapSettings(**values)


def parse_provider(entry) -> OidcProvider:
    if not isinstance(entry, dict):
        raise SettingsError("CHAT_OIDC_PROVIDERS: each provider must be a JSON object")
    name = str(entry.get("name", ""))
    where = f"CHAT_OIDC_PROVIDERS[{name or '?'}]"
    if not PROVIDER_NAME.fullmatch(name):
        raise SettingsError(f"{where}: name must be 1-32 of a-z, 0-9, '_', '-'")
    for key in ("issuer", "client_id"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise SettingsError(f"{where}: {key} is required")
    if not entry["issuer"].startswith(("https://", "http://")):
        raise SettingsError(f"{where}: issuer must be an http(s) URL")
    known = set(OidcProvider.__dataclass_fields__)
    if unknown := set(entry) - known:
        raise SettingsError(f"{where}: unknown keys {sorted(unknown)}")
    values = {key: entry[key] for key in known & set(entry)}
    values.setdefault("label", name.capitalize())
    for key in ("scopes", "algorithms"):
        if key in values:
            if not isinstance(values[key], list) or not values[key]:
                raise SettingsError(f"{where}: {key} must be a non-empty list")
            values[key] = tuple(str(item) for item in values[key])
    for alg in values.get("algorithms", ()):
        if alg not in ALLOWED_ALGORITHMS:
            raise SettingsError(
                f"{where}: algorithm {alg!r} is not allowed "
                f"(one of {', '.join(ALLOWED_ALGORITHMS)})"
            )
    if "openid" not in values.get("scopes", ("openid",)):
        raise SettingsError(f"{where}: scopes must include 'openid'")
    for key, value in values.items():
        if key not in ("scopes", "algorithms") and not isinstance(value, str):
            raise SettingsError(f"{where}: {key} must be a string")
    values["issuer"] = values["issuer"].rstrip("/")
    return OidcProvider(**values)


def parse_oidc(env) -> tuple[OidcProvider, ...]:
    raw = env.get("CHAT_OIDC_PROVIDERS", "").strip()
    if not raw:
        return ()
    try:
        entries = json.loads(raw)
    except ValueError as exc:
        raise SettingsError(f"CHAT_OIDC_PROVIDERS is not valid JSON: {exc}") from None
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        raise SettingsError("CHAT_OIDC_PROVIDERS must be a JSON list of providers")
    providers = tuple(parse_provider(entry) for entry in entries)
    names = [provider.name for provider in providers]
    if len(set(names)) != len(names):
        raise SettingsError("CHAT_OIDC_PROVIDERS: provider names must be unique")
    return providers


def load_signin(env) -> dict:
    """The Settings fields this module owns, for the ones the environment sets."""
    values: dict = {}
    if ldap := parse_ldap(env):
        values["ldap"] = ldap
    if providers := parse_oidc(env):
        values["oidc_providers"] = providers
    if (raw := env.get("CHAT_LOCAL_LOGIN")) is not None:
        values["local_login"] = parse_bool("CHAT_LOCAL_LOGIN", raw)
    if raw := env.get("CHAT_PUBLIC_URL", "").strip():
        if not raw.startswith(("https://", "http://")):
            raise SettingsError("CHAT_PUBLIC_URL must be an http(s) URL")
        values["public_url"] = raw.rstrip("/")
    return values
