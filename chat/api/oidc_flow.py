"""The OpenID Connect browser flow (authorization code with PKCE):

  GET  /auth/oidc/<name>/start     -> the provider's sign-in page, flow in a cookie
  GET  /auth/oidc/<name>/callback  -> checks the answer, back to /?signin=external
  POST /api/auth/external/finish   -> signs the user in (creating them at first contact,
                                      in the login's one write); the page collects its
                                      tokens, as after a password

Tokens never travel in a URL: the callback leaves a one-minute, single-use hand-off
cookie that only /api/auth/external/finish reads.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict
from urllib.parse import quote

import jwt
from aiohttp import web

from chat.api.identity import signed_in
from chat.core.people import accounts, oidc
from chat.core.people.identities import Profile
from chat.errors import ChatError, Forbidden, NotFound, Unauthorized, Unavailable
from chat.keys import core_key, oidc_clients_key, replays_key, settings_key
from chat.web.oidc import ProviderClient
from chat.web.peers import client_address
from chat.web.routing import DETAIL, Route, add_routes
from chat.web.session_cookie import is_https

FLOW_COOKIE = "teahouse_oidc_flow"
HANDOFF_COOKIE = "teahouse_signin"
HANDOFF_PATH = "/api/auth/external/"
HANDOFF_SECONDS = 60
HANDOFF_TYPE = "signin_handoff"
SIGNED_IN_PAGE = "/?signin=external"
ERRORS = {cls.status: cls for cls in (Unauthorized, Forbidden, NotFound, Unavailable)}


def redirect(location: str) -> web.Response:
    return web.Response(status=302, headers={"Location": location, "Cache-Control": "no-store"})


def provider_client(request: web.Request) -> ProviderClient:
    name = request.match_info["name"]
    client = request.app[oidc_clients_key].get(name)
    if client is None:
        raise NotFound("provider_unknown", name=name[:64])
    return client


def redirect_uri(request: web.Request, name: str) -> str:
    base = request.app[settings_key].public_url or f"{request.scheme}://{request.host}"
    return f"{base}/auth/oidc/{name}/callback"


def set_cookie(
    request: web.Request,
    response: web.StreamResponse,
    name: str,
    value: str,
    path: str,
    max_age: int,
) -> None:
    # Lax: sent on the provider's top-level redirect back to us, not on cross-site posts.
    secure = is_https(request) or request.app[settings_key].public_url.startswith("https://")
    response.set_cookie(
        name, value, path=path, max_age=max_age, httponly=True, samesite="Lax", secure=secure
    )


def hand_off(request: web.Request, outcome: dict) -> web.StreamResponse:
    """Back to the page, with a cookie saying who signed in (or what went wrong)."""
    now = int(time.time())
    sealed = jwt.encode(
        {
            "type": HANDOFF_TYPE,
            "jti": secrets.token_urlsafe(16),
            "iat": now,
            "exp": now + HANDOFF_SECONDS,
            **outcome,
        },
        request.app[core_key].secret,
        algorithm="HS256",
    )
    response = redirect(SIGNED_IN_PAGE)
    set_cookie(request, response, HANDOFF_COOKIE, sealed, HANDOFF_PATH, HANDOFF_SECONDS)
    return response


def failure(error: ChatError) -> dict:
    status = error.status if error.status in ERRORS else 401
    return {
        "err": error.key,
        "status": status,
        "params": {k: str(v) for k, v in error.params.items()},
    }


async def start(request: web.Request) -> web.StreamResponse:
    try:
        client = provider_client(request)
        metadata = await client.metadata()
    except ChatError as error:
        return hand_off(request, failure(error))
    flow = oidc.new_flow(client.provider)
    name = client.provider.name
    response = redirect(
        oidc.authorization_url(
            metadata["authorization_endpoint"], client.provider, flow, redirect_uri(request, name)
        )
    )
    set_cookie(
        request,
        response,
        FLOW_COOKIE,
        oidc.seal_flow(request.app[core_key].secret, flow),
        f"/auth/oidc/{name}/",
        oidc.FLOW_SECONDS,
    )
    return response


async def callback(request: web.Request) -> web.StreamResponse:
    try:
        outcome = {"profile": asdict(await finish_flow(request))}
    except ChatError as error:
        accounts.sign_in_refused(request.app[core_key], None, "oidc", error.key)
        outcome = failure(error)
    response = hand_off(request, outcome)
    # Quoted: the name is the client's (a control character in it would be a 500).
    name = quote(request.match_info["name"], safe="")
    response.del_cookie(FLOW_COOKIE, path=f"/auth/oidc/{name}/")
    return response


async def finish_flow(request: web.Request) -> Profile:
    core, client = request.app[core_key], provider_client(request)
    provider, query = client.provider, request.query
    flow = oidc.open_flow(
        core.secret, request.cookies.get(FLOW_COOKIE), provider.name, query.get("state")
    )
    if not request.app[replays_key].first_use(flow.state, time.time() + oidc.FLOW_SECONDS):
        raise Unauthorized("signin_expired")
    if "error" in query or not query.get("code"):
        raise Unauthorized("oidc_failed", provider=provider.label)
    answer = await client.exchange(
        query["code"], flow.verifier, redirect_uri(request, provider.name)
    )
    issuer = (await client.metadata())["issuer"]
    try:
        claims = oidc.verify_id_token(
            provider, issuer, answer.get("id_token"), await client.keys(), flow.nonce
        )
    except oidc.UnknownKey:
        try:
            claims = oidc.verify_id_token(
                provider, issuer, answer.get("id_token"), await client.keys(fresh=True), flow.nonce
            )
        except oidc.UnknownKey:
            raise Unauthorized("oidc_failed", provider=provider.label) from None
    return oidc.profile(provider, provider.issuer, claims)


async def finish(request: web.Request) -> web.Response:
    core = request.app[core_key]
    try:
        claims = jwt.decode(
            request.cookies.get(HANDOFF_COOKIE, ""),
            core.secret,
            algorithms=["HS256"],
            options={"require": ["exp", "jti"]},
        )
    except jwt.PyJWTError:
        raise Unauthorized("signin_expired") from None
    if claims.get("type") != HANDOFF_TYPE or not request.app[replays_key].first_use(
        claims["jti"], claims["exp"]
    ):
        raise Unauthorized("signin_expired")
    if "err" in claims:
        raise ERRORS.get(claims.get("status"), Unauthorized)(
            claims["err"], **claims.get("params", {})
        )
    if not isinstance(claims.get("profile"), dict):  # a hand-off from before an upgrade
        raise Unauthorized("signin_expired")
    try:  # the user is found or created in the login's own write: first contact is one
        tokens = await accounts.sign_in(
            core,
            Profile(**claims["profile"]),
            client_address(request),
            request.headers.get("User-Agent"),
            "oidc",
        )
    except Forbidden as refused:  # a local account has their name
        accounts.sign_in_refused(core, None, "oidc", refused.key)
        raise
    response = signed_in(request, tokens)  # with the login cookie, as a password gives
    response.del_cookie(HANDOFF_COOKIE, path=HANDOFF_PATH)
    return response


def setup(app: web.Application) -> None:
    app[replays_key] = oidc.Replays()
    app.router.add_get("/auth/oidc/{name}/start", start)
    app.router.add_get("/auth/oidc/{name}/callback", callback)
    add_routes(app, DETAIL, [Route("POST", "/api/auth/external/finish", finish, public=True)])
