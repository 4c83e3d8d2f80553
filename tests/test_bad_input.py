"""Every bad input gets a 4xx in its dialect's shape (or an error frame), never a 500
or a logged traceback: surrogates, odd numbers, odd room references, deep JSON."""

from __future__ import annotations

import io
import logging

import pytest

from tests.helpers import assert_error, connect, make_room, next_frame

SURROGATE = '"\\ud800"'
DEEP = "[" * 100_000 + "]" * 100_000
DEEP_FRAME = "[" * 30_000 + "]" * 30_000  # under the 64 KB frame limit


@pytest.fixture
def no_tracebacks(caplog):
    caplog.set_level(logging.WARNING)
    yield
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not logged, [r.getMessage() for r in logged]


def raw(client, method, path, text, person=None):
    headers = {"Content-Type": "application/json", **(person.headers if person else {})}
    return client.request(method, path, data=text.encode("utf-8", "surrogatepass"), headers=headers)


@pytest.mark.parametrize(
    "path, template",
    [
        ("/api/auth/register", '{"username": "eve", "password": %s}'),
        ("/api/auth/register", '{"username": %s, "password": "long enough"}'),
        (
            "/api/auth/register",
            '{"username": "eve", "password": "long enough", "display_name": %s}',
        ),
        ("/api/auth/login", '{"username": %s, "password": "x"}'),
        ("/api/auth/login", '{"username": "alice", "password": %s}'),
        ("/api/auth/refresh", '{"refresh_token": %s}'),
    ],
)
@pytest.mark.parametrize("value", [SURROGATE, "Infinity", "1e400", "NaN"])
async def test_identity_refuses_surrogates_and_odd_numbers(
    client, alice, no_tracebacks, path, template, value
):
    resp = await raw(client, "POST", path, template % value)
    assert resp.status in (400, 401), await resp.text()
    await assert_error(resp, resp.status, "identity")


@pytest.mark.parametrize(
    "path",
    [
        "/api/auth/register",
        "/api/auth/login",
        "/api/auth/refresh",
        "/api/chat/rooms/",
        "/api/v1/chatroom/rooms",
        "/api/chat/send",
    ],
)
@pytest.mark.parametrize("body", [DEEP, '{"a":' * 40 + "1" + "}" * 40], ids=["deep", "40"])
async def test_deeply_nested_json_is_a_400(client, alice, no_tracebacks, path, body):
    resp = await raw(client, "POST", path, body, alice)
    dialect = "channels" if path.endswith("/") and "/chat/" in path else "v1"
    await assert_error(resp, 400, dialect)


@pytest.mark.parametrize(
    "field, value",
    [
        ("content", SURROGATE),
        ("client_id", SURROGATE),
        ("reply_to", "2.9"),
        ("reply_to", "1e400"),
        ("reply_to", "Infinity"),
        ("content", '"\\u200b\\u200d\\u0007 \\u3164"'),
        ("file_name", "42"),
        ("file_name", "[1]"),
        ("message_type", SURROGATE),
    ],
)
async def test_message_fields_are_checked(client, alice, no_tracebacks, field, value):
    room = await make_room(client, alice)
    body = f'{{"content": "hello", "{field}": {value}}}'
    resp = await raw(client, "POST", f"/api/chat/rooms/{room['id']}/messages/", body, alice)
    await assert_error(resp, 400, "channels")


@pytest.mark.parametrize("password", ["        ", "\\u0000" * 9, " \\t\\n\\u0000  \\r  "])
async def test_a_password_of_only_blanks_or_nuls_is_refused(client, admin, no_tracebacks, password):
    resp = await raw(
        client, "POST", "/api/auth/register", f'{{"username": "eve", "password": "{password}"}}'
    )
    await assert_error(resp, 400, "identity")


@pytest.mark.parametrize("ref", ["²", "10^25", "1" * 30, "%ED%A0%80", "٣", "-1", "1.5", "%00"])
@pytest.mark.parametrize(
    "path, dialect",
    [
        ("/api/chat/rooms/{ref}/", "channels"),
        ("/api/chat/rooms/{ref}/messages/", "channels"),
        ("/api/v1/chatroom/rooms/{ref}", "v1"),
        ("/api/chat/messages?room_id={ref}", "simple"),
        ("/api/chat/search/?q=hello&room_id={ref}", "channels"),
        ("/api/chat/messages/{ref}/edits/", "channels"),
        ("/api/chat/user-ip/{ref}", "simple"),
    ],
)
async def test_odd_room_and_id_references_are_4xx(client, admin, no_tracebacks, ref, path, dialect):
    resp = await client.get(path.format(ref=ref), headers=admin.headers)
    assert 400 <= resp.status < 500
    await assert_error(resp, resp.status, dialect)


@pytest.mark.parametrize(
    "query",
    ["page=2.9", "page=1e400", "page=Infinity", "page=²", "page_size=10^25", "page=" + "9" * 5000],
)
async def test_odd_numbers_in_queries_are_400(client, alice, no_tracebacks, query):
    room = await make_room(client, alice)
    resp = await client.get(
        f"/api/chat/rooms/{room['id']}/messages/?{query}", headers=alice.headers
    )
    await assert_error(resp, 400, "channels")


@pytest.mark.parametrize("since", ["²", "10^25", "9" * 40, "-1", "%ED%A0%80"])
async def test_an_odd_since_closes_the_socket_with_1008(client, alice, no_tracebacks, since):
    room = await make_room(client, alice)
    ws = await client.ws_connect(f"/ws/chat/{room['id']}/?token={alice.token}&since={since}")
    msg = await ws.receive()
    assert ws.close_code == 1008, msg


@pytest.mark.parametrize("ref", ["²", "10^25", "9" * 40])
async def test_an_odd_room_reference_on_a_socket_closes_4004(client, alice, no_tracebacks, ref):
    ws = await client.ws_connect(f"/ws/chat/{ref}/?token={alice.token}")
    await ws.receive()
    assert ws.close_code == 4004


@pytest.mark.parametrize("dialect", ["channels", "v1"])
@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "\\udc00"}',
        '{"type": "chat_message", "content": "\\ud800"}',
        '{"type": "message", "content": "\\ud800x", "client_id": "\\udfff"}',
        '{"type": "read", "message_id": 1e400}',
        '{"type": "read", "message_id": 2.9}',
        '{"type": "chat_message", "content": "x", "reply_to": Infinity}',
        DEEP_FRAME,
        '{"\\ud800": 1, "type": "typing"}',
    ],
    ids=range(8),
)
async def test_bad_frames_get_error_frames_and_the_socket_stays_open(
    client, alice, no_tracebacks, dialect, frame
):
    room = await make_room(client, alice)
    ws = await connect(client, alice, room, dialect)
    await ws.send_str(frame)
    assert (await next_frame(ws, "error"))["message"]
    await ws.send_json({"type": "ping"})
    assert not ws.closed
    await ws.close()


@pytest.mark.parametrize(
    "path, dialect, content_type",
    [
        ("/api/chat/rooms/", "channels", "application/json"),
        ("/api/chat/rooms", "simple", "application/x-www-form-urlencoded"),
        ("/api/auth/login", "identity", "application/json"),
    ],
)
async def test_a_body_over_the_size_limit_is_413_in_the_dialect_shape(
    client, alice, no_tracebacks, path, dialect, content_type
):
    body = io.BytesIO(b"a=" + b"x" * (2 * 1024 * 1024))
    resp = await client.post(
        path, data=body, headers={**alice.headers, "Content-Type": content_type}
    )
    await assert_error(resp, 413, dialect)
