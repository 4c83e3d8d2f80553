"""Fuzzing with Hypothesis: generated JSON bodies, query strings and path values against
every route of the app's router, and generated frames against both socket dialects.
Nothing may answer 5xx or log a traceback; every API error comes in its dialect's shape;
the server is alive afterwards. Examples are few per run (bounded time): each run
explores different ones, and a failure is kept in Hypothesis' database for the next."""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chat.app import create_app
from chat.settings import Settings
from chat.web.routing import style_for_path
from tests.helpers import make_room, next_frame

FUZZ = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PLACEHOLDER = re.compile(r"\{(\w+)\}")
FIELDS = [
    "content",
    "name",
    "room_id",
    "room",
    "username",
    "password",
    "old_password",
    "display_name",
    "refresh_token",
    "client_id",
    "reply_to",
    "message_type",
    "file_url",
    "file_name",
    "file_size",
    "emoji",
    "description",
    "room_type",
    "is_official",
    "max_members",
    "role",
    "is_muted",
    "is_banned",
    "user_id",
    "title",
    "message_id",
    "avatar_url",
    "q",
    "page",
    "page_size",
    "before",
    "limit",
    "skip",
    "since",
    "type",
    "is_typing",
]

any_text = st.text(st.characters(codec=None), max_size=40)  # lone surrogates included
odd_numbers = st.sampled_from(
    [
        "²",
        "10^25",
        "1e400",
        "Infinity",
        "-1",
        "0",
        "2.9",
        "٣",
        "9" * 40,
        "%ED%A0%80",
        "%00",
        "..%2F..",
        "global",
        "1",
        "2",
    ]
)
scalars = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | any_text | odd_numbers
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=8,
)
bodies = st.dictionaries(st.sampled_from(FIELDS) | any_text, json_values, max_size=5)
raw_bodies = st.one_of(
    bodies.map(lambda body: json.dumps(body).encode()),
    st.binary(max_size=64),
    st.sampled_from(
        [
            b"",
            b"[]",
            b"null",
            b"{",
            b'{"a":' * 50 + b"1" + b"}" * 50,
            b"[" * 5000 + b"]" * 5000,
            b'{"content": NaN}',
            b'{"x": 1e999}',
        ]
    ),
)
path_values = odd_numbers | st.integers(-5, 10**20).map(str) | any_text


def real_references(room: dict, message: dict, alice) -> st.SearchStrategy[str]:
    """References that exist, so generated input reaches past the lookups."""
    return st.sampled_from(
        [str(room["id"]), room["slug"], "global", str(message["id"]), str(alice.id), "1"]
    )


def api_routes(app) -> list[tuple[str, str]]:
    """(method, path template) of every route but the socket upgrades and static files."""
    found = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        template = info.get("formatter") or info.get("path")
        if (
            template
            and route.method != "HEAD"
            and not template.startswith(("/ws/", "/static"))
            and "/ws/" not in template
        ):
            found.append((route.method, template))
    return sorted(set(found))


def fill(template: str, value: str) -> str:
    return PLACEHOLDER.sub(lambda _: quote(value, safe="", errors="surrogatepass"), template)


@pytest.fixture
def no_tracebacks(caplog):
    caplog.set_level(logging.WARNING)
    return caplog


def check_logs(caplog) -> None:
    logged = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not logged, [r.getMessage() for r in logged]


async def check_shape(resp, path: str) -> None:
    """Below 500; an /api/ error is a JSON object with the dialect's one key."""
    text = await resp.text()
    assert resp.status < 500, (resp.status, path, text[:300])
    if resp.status >= 400 and path.startswith("/api/") and resp.status != 405:
        body = json.loads(text)
        key = style_for_path(path.split("?")[0]).key
        assert set(body) == {key} and isinstance(body[key], str) and body[key], (path, body)
    if resp.status == 429:
        assert "Retry-After" in resp.headers


async def check_alive(client, watcher) -> None:
    """The server answers; watcher (never the fuzzed account, which may sign out) is served."""
    assert (await client.get("/healthz")).status == 200
    resp = await client.get("/api/auth/me", headers=watcher.headers)
    assert resp.status == 200, await resp.text()


@pytest.fixture
async def target(client, admin, alice):
    room = await make_room(client, alice)
    resp = await client.post(
        f"/api/chat/rooms/{room['id']}/messages/", json={"content": "seed"}, headers=alice.headers
    )
    return client, alice, real_references(room, await resp.json(), alice), admin


ROUTES = api_routes(create_app(Settings()))


@pytest.mark.parametrize("method, template", ROUTES, ids=[f"{m} {t}" for m, t in ROUTES])
@FUZZ
@given(data=st.data())
async def test_every_route_answers_generated_input_without_a_5xx(
    target, no_tracebacks, method, template, data
):
    client, alice, real, watcher = target
    path = fill(template, data.draw(real | path_values, "path value"))
    query = data.draw(
        st.dictionaries(st.sampled_from(FIELDS), real | path_values, max_size=3), "query"
    )
    if query:
        path += "?" + urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in query.items()})
    body = data.draw(raw_bodies, "body")
    headers = {
        "Content-Type": data.draw(
            st.sampled_from(
                [
                    "application/json",
                    "application/x-www-form-urlencoded",
                    "text/plain",
                    "multipart/form-data; boundary=x",
                ]
            ),
            "content type",
        )
    }
    if data.draw(st.integers(0, 9), "signed in") > 0:
        headers.update(alice.headers)
    resp = await client.request(method, path, data=body, headers=headers)
    await check_shape(resp, path)
    check_logs(no_tracebacks)
    await check_alive(client, watcher)


frame_types = (
    st.sampled_from(
        [
            "chat_message",
            "message",
            "typing",
            "read",
            "ping",
            "user_join",
            "user_leave",
            "subscribe",
            "unsubscribe",
        ]
    )
    | any_text
    | json_values
)
frames = st.one_of(
    st.fixed_dictionaries(
        {"type": frame_types}, optional={f: json_values for f in FIELDS[:12]}
    ).map(lambda frame: json.dumps(frame)),
    bodies.map(json.dumps),
    st.text(max_size=50),
    st.sampled_from(
        [
            "[" * 3000 + "]" * 3000,
            '{"type": NaN}',
            '{"type": "chat_message", "content": "\\ud800"}',
            "null",
            "1e400",
        ]
    ),
)


@pytest.mark.parametrize("dialect", ["channels", "v1"])
@settings(FUZZ, max_examples=40)
@given(sent=st.lists(frames, min_size=1, max_size=4))
async def test_both_socket_dialects_answer_generated_frames_and_stay_open(
    target, no_tracebacks, dialect, sent
):
    client, alice, _, watcher = target
    path = (
        f"/ws/chat/global/?token={alice.token}"
        if dialect == "channels"
        else f"/api/v1/chatroom/ws/global/{alice.token}"
    )
    ws = await client.ws_connect(path)
    try:
        for text in sent:
            await ws.send_str(text)
        await ws.send_str(json.dumps({"type": "ping"}))
        marker = {
            "channels": {"type": "chat_message", "content": "still open"},
            "v1": {"type": "message", "content": "still open"},
        }[dialect]
        await ws.send_json(marker)
        while True:
            frame = await next_frame(ws)
            assert isinstance(frame, dict) and isinstance(frame.get("type"), str), frame
            if frame["type"] == "error":
                assert isinstance(frame.get("message"), str) and frame["message"]
            content = (
                frame.get("content") or (frame.get("message") or {}).get("content")
                if isinstance(frame.get("message"), dict) or "content" in frame
                else None
            )
            if content == "still open":
                break
    finally:
        await ws.close()
    check_logs(no_tracebacks)
    await check_alive(client, watcher)
