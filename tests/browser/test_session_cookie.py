"""The login cookie in a real Chromium: seed 004's own browser code works unmodified in a
page served by Teahouse, and a page of another origin cannot post with the cookie."""

from __future__ import annotations

import http.server
import threading

import pytest

from .conftest import register

pytestmark = pytest.mark.browser

# Seed 004's JavaScript example, verbatim but for the host (the seed hard-codes
# localhost:8000; the test server listens elsewhere) and the collected frames.
SEED_004 = """async (roomId) => {
const token = localStorage.getItem('access_token');

const getRooms = async () => {
    const response = await fetch('/api/chat/rooms/', {
        headers: {
            'Authorization': `Bearer ${token}`,
            'Content-Type': 'application/json'
        }
    });
    return await response.json();
};

const sendMessage = async (roomId, messageData) => {
    const response = await fetch(`/api/chat/rooms/${roomId}/messages/`, {
        method: 'POST',
        headers: {
            'Authorization': `Bearer ${token}`,
            'Content-Type': 'application/json'
        },
        body: JSON.stringify(messageData)
    });
    return await response.json();
};

const frames = [];
const connectWebSocket = (roomId) => {
    const ws = new WebSocket(`ws://${location.host}/ws/chat/${roomId}/`);
    ws.onmessage = (event) => {
        const data = JSON.parse(event.data);
        frames.push(data);
    };
    return ws;
};

const sendWebSocketMessage = (ws, content) => {
    ws.send(JSON.stringify({
        type: 'chat_message',
        content: content,
        message_type: 'text'
    }));
};

const seen = (content) => new Promise((resolve, reject) => {
    const started = Date.now();
    const look = () => {
        const echo = (f) => f.type === 'chat_message' && f.message.content === content;
        if (frames.some(echo)) return resolve(true);
        const late = Date.now() - started > 8000;
        if (late) return reject(new Error('no echo of ' + content + ': ' + JSON.stringify(frames)));
        setTimeout(look, 50);
    };
    look();
});

const rooms = await getRooms();
const ws = connectWebSocket(roomId);
await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onclose = (e) => reject(new Error('closed ' + e.code));
});
sendWebSocketMessage(ws, 'hello from seed code');
await seen('hello from seed code');
const stored = await sendMessage(roomId, {content: 'and over REST', message_type: 'text'});
await seen('and over REST');
ws.close();
return {rooms: rooms.results ? rooms.results.length : rooms.length, stored: stored.content};
}"""


def test_seed_004_browser_code_chats_with_the_login_cookie_alone(server, open_page):
    uma = register(server, "uma")
    page = open_page(uma)
    result = page.evaluate(SEED_004, 1)
    assert result["rooms"] >= 1 and result["stored"] == "and over REST"
    assert "access_token" not in page.evaluate("JSON.stringify({...localStorage})")


@pytest.fixture
def other_origin():
    """A real page of another origin on the same host (another port): same site."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<!doctype html><title>elsewhere</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_a_page_of_another_origin_cannot_post_with_the_cookie(server, open_page, other_origin):
    vic = register(server, "vic")
    page = open_page(vic)
    # Same site (same host, another port): Chromium sends the SameSite=Strict cookie,
    # so only the Origin check stands between this page and vic's account. A text/plain
    # body needs no CORS preflight, and the server reads it as JSON.
    page.goto(other_origin)
    page.evaluate(
        """async (target) => {
        await fetch(target, {method: 'POST', mode: 'no-cors', credentials: 'include',
            headers: {'Content-Type': 'text/plain'},
            body: JSON.stringify({content: 'forged by another origin'})});
    }""",
        f"{server.base}/api/chat/rooms/1/messages/",
    )
    status, listing = server.api("GET", "/api/chat/rooms/1/messages/", None, vic.token)
    assert status == 200
    assert "forged by another origin" not in [m["content"] for m in listing["messages"]]
    assert '"POST /api/chat/rooms/1/messages/" 403' in server.output()
