"""The OpenAPI 3.1 document: valid, generated from the routes actually served (no
drift), and honoured by the live server under schemathesis."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest
from openapi_spec_validator import validate

from chat.keys import route_table_key
from chat.web.operations import OPERATIONS
from tests.helpers import assert_error
from tests.serverproc import ServerProcess

# Routes registered outside the dialect route tables, each for a reason.
UNDESCRIBED = {
    "/ws/chat/{room}/",
    "/ws/chat/{room}",  # WebSockets (see info)
    "/api/v1/chatroom/ws/{room}/{token}",
    "/api/v1/chatroom/ws/{room}",
    "/api/v1/chatroom/ws/{room}/",
    "/api/openapi.json",
    "/api/docs",  # this document
    "/ws/user",
    "/ws/user/",  # the user-level socket
    "/auth/oidc/{name}/start",
    "/auth/oidc/{name}/callback",  # browser redirects
    "/healthz",
    "/livez",
    "/",
    "/admin",
    "/metrics",
    "/static",  # pages and operations
    "/manifest.webmanifest",
    "/sw.js",  # the installable app
    "/previews/{name}",  # link preview images (public, by digest)
}


async def test_the_document_is_valid_openapi_3_1(client):
    resp = await client.get("/api/openapi.json")
    assert resp.status == 200
    document = await resp.json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    tags = {op["tags"][0] for path in document["paths"].values() for op in path.values()}
    assert tags == {"identity", "channels", "native", "v1", "simple", "webhooks", "bots"}


async def test_every_served_route_is_described_and_nothing_else(client):
    app = client.server.app
    table = {(route.method, route.path) for _, route in app[route_table_key]}
    assert table == set(OPERATIONS)
    document = await (await client.get("/api/openapi.json")).json()
    described = {
        (method.upper(), path) for path, ops in document["paths"].items() for method in ops
    }
    assert described == table
    served = {
        r.resource.canonical
        for r in app.router.routes()
        if r.method not in ("OPTIONS",) and r.resource is not None
    }
    assert served - {path for _, path in table} <= UNDESCRIBED


async def test_public_routes_need_no_token_and_the_rest_do(client):
    document = await (await client.get("/api/openapi.json")).json()
    assert document["paths"]["/hooks/{key}"]["post"]["security"] == []
    assert document["paths"]["/api/auth/login"]["post"]["security"] == []
    assert "security" not in document["paths"]["/api/chat/rooms/"]["get"]
    assert document["security"] == [{"bearer": []}]


async def test_the_docs_page_loads_only_our_own_scripts(client):
    resp = await client.get("/api/docs")
    assert resp.status == 200
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-eval" not in csp
    page = await resp.text()
    assert "<script>" not in page and "http" not in page.replace("http-equiv", "")
    for asset in (
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui.css",
        "/static/js/apidocs.js",
    ):
        assert asset in page
        assert (await client.get(asset)).status == 200


async def test_multipart_without_a_boundary_is_a_400_not_a_500(client, alice):
    # found by schemathesis: the shared form reader let aiohttp's ValueError through
    resp = await client.post(
        "/api/chat/rooms",
        data=b'{"room_name": "x"}',
        headers={**alice.headers, "Content-Type": "multipart/form-data"},
    )
    await assert_error(resp, 400, "simple")


def request_json(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        return json.loads(resp.read())


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_schemathesis_finds_no_server_error_and_no_response_off_schema(tmp_path):
    """Every operation of the live server, as a site admin who owns a room, a webhook
    and a bot; a bounded run (examples per operation and total time are capped)."""
    with ServerProcess(tmp_path / "data", CHAT_LANGUAGE="en") as server:
        admin = request_json(
            server.base + "/api/auth/register", {"username": "admin", "password": "correct horse"}
        )
        token = admin["access_token"]
        # One worker: with two, CPython 3.11 sometimes raised "AST constructor recursion
        # depth mismatch" inside Hypothesis (threads parsing source at once).
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                server.base + "/api/openapi.json",
                "-H",
                f"Authorization: Bearer {token}",
                "--checks",
                "not_a_server_error,response_schema_conformance",
                "--phases",
                "coverage,fuzzing",
                "-n",
                "5",
                "--max-time",
                "40",
                "-w",
                "1",
                "--generation-deterministic",
                "--no-color",
                "--request-timeout",
                "10",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=240,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, output[-6000:]
        # aiohttp's own parser logs the probe with a NUL in a header (its 400); our
        # handlers must log nothing unexpected
        assert "unhandled error" not in server.output(), server.output()[-4000:]
