"""Directory and OpenID Connect settings fail loudly at start; the link-identity command."""

from __future__ import annotations

import json
import sqlite3

import pytest

import server
from chat.settings import SettingsError, load_settings
from tests.serverproc import create_database

LDAP = {
    "CHAT_LDAP_URL": "ldaps://dc1.corp.example, ldap://dc2.corp.example:389",
    "CHAT_LDAP_USER_BASE": "ou=people,dc=corp,dc=example",
}


def provider(**fields) -> dict:
    return {
        "name": "keycloak",
        "issuer": "https://sso.example/realms/corp",
        "client_id": "teahouse",
        **fields,
    }


def oidc(*entries) -> dict:
    return {"CHAT_OIDC_PROVIDERS": json.dumps(list(entries))}


def test_ldap_settings_are_read_with_defaults_and_the_password_stays_out_of_reprs():
    settings = load_settings(
        env={
            **LDAP,
            "CHAT_LDAP_BIND_PASSWORD": "hunter2-secret",
            "CHAT_LDAP_STARTTLS": "yes",
            "CHAT_LOCAL_LOGIN": "0",
        }
    )
    assert settings.ldap.urls == ("ldaps://dc1.corp.example", "ldap://dc2.corp.example:389")
    assert settings.ldap.start_tls and settings.ldap.id_attribute == "entryUUID"
    assert settings.ldap.recheck_batch == 500
    assert load_settings(env={**LDAP, "CHAT_LDAP_RECHECK_BATCH": "200"}).ldap.recheck_batch == 200
    assert settings.local_login is False
    assert "hunter2-secret" not in repr(settings)


@pytest.mark.parametrize(
    "env, message",
    [
        ({**LDAP, "CHAT_LDAP_URL": "http://dc1"}, "must start with ldap:// or ldaps://"),
        ({"CHAT_LDAP_URL": "ldap://dc1"}, "CHAT_LDAP_USER_BASE is required"),
        ({**LDAP, "CHAT_LDAP_USER_FILTER": "(uid=*)"}, "must contain {username}"),
        ({**LDAP, "CHAT_LDAP_TIMEOUT": "0"}, "CHAT_LDAP_TIMEOUT must be between"),
        ({**LDAP, "CHAT_LDAP_STARTTLS": "maybe"}, "CHAT_LDAP_STARTTLS"),
        ({**LDAP, "CHAT_LDAP_RECHECK_BATCH": "0"}, "CHAT_LDAP_RECHECK_BATCH must be between"),
        ({**LDAP, "CHAT_LDAP_RECHECK_BATCH": "2.5"}, "CHAT_LDAP_RECHECK_BATCH must be a whole"),
        ({"CHAT_LOCAL_LOGIN": "perhaps"}, "CHAT_LOCAL_LOGIN"),
        ({"CHAT_OIDC_PROVIDERS": "{not json"}, "not valid JSON"),
        (oidc(provider(algorithms=["none"])), "algorithm 'none' is not allowed"),
        (oidc(provider(algorithms=["HS256"])), "algorithm 'HS256' is not allowed"),
        (oidc(provider(name="Bad Name")), "name must be"),
        (oidc(provider(issuer="ftp://x")), "issuer must be an http(s) URL"),
        (oidc(provider(client_id="")), "client_id is required"),
        (oidc(provider(scope="openid")), "unknown keys ['scope']"),
        (oidc(provider(scopes=["profile"])), "scopes must include 'openid'"),
        (oidc(provider(), provider()), "names must be unique"),
        ({"CHAT_PUBLIC_URL": "chat.example"}, "CHAT_PUBLIC_URL"),
    ],
)
def test_bad_sign_in_settings_stop_the_server_with_a_message(env, message):
    with pytest.raises(SettingsError) as info:
        load_settings(env=env)
    assert message in str(info.value)


def test_several_oidc_providers_with_their_claims():
    settings = load_settings(
        env=oidc(
            provider(label="Keycloak", admin_claim="groups", admin_value="chat-admins"),
            provider(
                name="entra",
                issuer="https://login.microsoftonline.com/t/v2.0/",
                algorithms=["RS256"],
                username_claim="preferred_username",
            ),
        )
    )
    keycloak, entra = settings.oidc_providers
    assert (keycloak.label, keycloak.admin_claim, keycloak.algorithms) == (
        "Keycloak",
        "groups",
        ("RS256",),
    )
    assert entra.issuer == "https://login.microsoftonline.com/t/v2.0" and entra.label == "Entra"


def test_link_identity_command_links_a_local_account_for_its_first_sign_in(
    tmp_path, monkeypatch, capsys
):
    for name, value in LDAP.items():
        monkeypatch.setenv(name, value)
    data = str(tmp_path / "data")
    (tmp_path / "data").mkdir(mode=0o700)
    create_database(tmp_path / "data")
    assert server.main(["--data-dir", data, "create-user", "alice", "--password", "x" * 10]) == 0
    assert server.main(["--data-dir", data, "link-identity", "alice", "ldap", "alice.smith"]) == 0
    assert server.main(["--data-dir", data, "link-identity", "alice", "okta", "alice"]) == 1
    assert "No sign-in provider named 'okta'" in capsys.readouterr().err
    with sqlite3.connect(tmp_path / "data" / "teahouse.db") as conn:
        rows = conn.execute("SELECT provider, subject, external_name FROM external_identities")
        assert rows.fetchall() == [("ldap", None, "alice.smith")]
