"""Settings: a flag beats CHAT_* in the environment, which beats the default; bad values
fail at start with a message naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat.settings import Settings, SettingsError, load_settings

NO_FLAGS = {"host": None, "port": None, "data_dir": None}


def test_defaults_serve_localhost_8000_from_data():
    settings = load_settings(NO_FLAGS, env={})
    assert settings == Settings()
    assert (settings.host, settings.port, settings.data_dir) == ("127.0.0.1", 8000, Path("data"))
    assert settings.allow_registration is True
    assert settings.cors_origins == ()
    assert settings.language == "en"
    assert settings.secret is None


def test_the_environment_overrides_defaults():
    settings = load_settings(
        NO_FLAGS,
        env={
            "CHAT_HOST": "0.0.0.0",
            "CHAT_PORT": "9001",
            "CHAT_DATA_DIR": "/srv/chat",
            "CHAT_SECRET": "s" * 32,
            "CHAT_ALLOW_REGISTRATION": "off",
            "CHAT_CORS_ORIGINS": " https://a.example , https://b.example ,",
            "CHAT_LANGUAGE": "ZH",
            "CHAT_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16",
        },
    )
    assert settings.host == "0.0.0.0"
    assert settings.port == 9001
    assert settings.data_dir == Path("/srv/chat")
    assert settings.secret == "s" * 32
    assert settings.allow_registration is False
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.language == "zh"
    assert settings.trusted_proxies == ("10.0.0.1", "192.168.0.0/16")


def test_flags_override_the_environment():
    env = {"CHAT_HOST": "0.0.0.0", "CHAT_PORT": "9001", "CHAT_DATA_DIR": "/srv/chat"}
    settings = load_settings({"host": "::1", "port": "9002", "data_dir": "here"}, env=env)
    assert (settings.host, settings.port, settings.data_dir) == ("::1", 9002, Path("here"))


def test_a_flag_left_out_falls_back_to_the_environment():
    settings = load_settings({"host": None, "port": "9002"}, env={"CHAT_HOST": "0.0.0.0"})
    assert (settings.host, settings.port) == ("0.0.0.0", 9002)


@pytest.mark.parametrize(
    "word,expected",
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("No", False),
        (" off ", False),
    ],
)
def test_registration_switch_understands_the_usual_words(word, expected):
    settings = load_settings(NO_FLAGS, env={"CHAT_ALLOW_REGISTRATION": word})
    assert settings.allow_registration is expected


def test_settings_derive_the_paths_in_the_data_dir():
    settings = Settings(data_dir=Path("/d"))
    assert settings.database_path == Path("/d/teahouse.db")
    assert settings.uploads_dir == Path("/d/uploads")
    assert settings.secret_path == Path("/d/jwt_secret")


def test_the_database_is_sqlite_in_the_data_dir_unless_a_url_says_otherwise():
    assert load_settings(NO_FLAGS, env={}).database == Path("data/teahouse.db")
    url = "postgresql://chat:pw@db.internal:5432/teahouse"
    shared = {  # PostgreSQL means a site several hosts may share: host_settings.py
        "CHAT_SECRET": "s" * 32,
        "CHAT_VAPID_PRIVATE_KEY": "key",
        "CHAT_FILES_DIR": "/srv/files",
    }
    settings = load_settings(NO_FLAGS, env={"CHAT_DATABASE_URL": url, **shared})
    assert settings.database == url
    assert settings.database_shown == "postgresql://db.internal:5432/teahouse"  # no password
    elsewhere = load_settings(NO_FLAGS, env={"CHAT_DATABASE_URL": "sqlite:////srv/chat.db"})
    assert elsewhere.database == elsewhere.database_path == Path("/srv/chat.db")


@pytest.mark.parametrize(
    "flags,env,words",
    [
        ({"port": "eighty"}, {"CHAT_PORT": "80"}, ["--port", "eighty"]),
        ({"port": "70000"}, {}, ["--port", "65535"]),
        ({"port": "-1"}, {}, ["--port", "65535"]),
        ({}, {"CHAT_PORT": "http"}, ["CHAT_PORT", "http"]),
        ({}, {"CHAT_PORT": ""}, ["CHAT_PORT"]),
        ({}, {"CHAT_ALLOW_REGISTRATION": "maybe"}, ["CHAT_ALLOW_REGISTRATION", "maybe"]),
        ({}, {"CHAT_LANGUAGE": "fr"}, ["CHAT_LANGUAGE", "fr"]),
        ({}, {"CHAT_DATABASE_URL": "mysql://x/y"}, ["CHAT_DATABASE_URL", "postgresql://"]),
        ({}, {"CHAT_DATABASE_URL": "sqlite:///"}, ["CHAT_DATABASE_URL", "sqlite:///path"]),
        ({}, {"CHAT_SECRET": "short"}, ["CHAT_SECRET", "16"]),
        (
            {},
            {"CHAT_TRUSTED_PROXIES": "10.0.0.1,proxy.local"},
            ["CHAT_TRUSTED_PROXIES", "proxy.local"],
        ),
    ],
)
def test_bad_values_raise_settings_error_naming_the_setting(flags, env, words):
    with pytest.raises(SettingsError) as caught:
        load_settings({**NO_FLAGS, **flags}, env=env)
    for word in words:
        assert word in str(caught.value)


def test_the_process_environment_is_read_when_no_env_is_given(monkeypatch):
    monkeypatch.setenv("CHAT_PORT", "9123")
    assert load_settings(NO_FLAGS).port == 9123
