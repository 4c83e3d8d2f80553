"""The routes of identity (accounts, sign-in, tokens) and of records (retention, exports):
what the OpenAPI document says of each (operations.py puts every face's entries
together).
"""

from __future__ import annotations

from chat.web.operation_parts import STR_QUERY, C, Operation, op

IDENTITY_OPERATIONS: dict[tuple[str, str], Operation] = {
    # records: retention and exports (api/records.py)
    ("GET", f"{C}/rooms/{{room}}/retention/"): op(
        "A room's retention setting", ok={200: "RoomRetention"}
    ),
    ("PUT", f"{C}/rooms/{{room}}/retention/"): op(
        "Set a room's retention (room or site admins)", "RetentionChange", {200: "RoomRetention"}
    ),
    ("GET", f"{C}/export/"): op("Export everything (site admins)", ok={200: "ndjson"}),
    ("GET", f"{C}/rooms/{{room}}/export/"): op("Export one room (room admins)", ok={200: "ndjson"}),
    ("GET", f"{C}/me/export/"): op("Export the caller's own messages", ok={200: "ndjson"}),
    # identity
    ("POST", "/api/auth/register"): op("Create an account", "Credentials", {201: "Tokens"}),
    ("POST", "/api/auth/login"): op("Sign in", "Credentials", {200: "Tokens"}),
    ("POST", "/api/auth/guest"): op(
        "Become a guest through an invitation link (used once, before it expires)",
        "GuestSignUp",
        {201: "Tokens"},
    ),
    ("POST", "/api/auth/refresh"): op(
        "New tokens from a refresh token", "RefreshBody", {200: "Tokens"}
    ),
    ("POST", "/api/auth/logout"): op(
        "End the caller's login (tokens, cookie, sockets)", ok={204: None}
    ),
    ("GET", "/api/auth/me"): op("The caller", ok={200: "IdentityUser"}),
    ("GET", f"{C}/tokens/"): op("The caller's personal API tokens", ok={200: ["ApiToken"]}),
    ("POST", f"{C}/tokens/"): op(
        "Create a personal API token; the answer holds it, once", "NewApiToken", {201: "ApiToken"}
    ),
    ("DELETE", f"{C}/tokens/{{id}}/"): op(
        "Revoke a personal API token (its sockets close)", ok={204: None}
    ),
    ("PATCH", "/api/auth/me"): op(
        "Change profile or password", "ProfileChange", {200: "IdentityUser"}
    ),
    ("POST", "/api/auth/external/finish"): op(
        "Collect the tokens of a company sign-in (OpenID Connect hand-off cookie)",
        ok={200: "Tokens"},
    ),
    ("POST", "/api/admin/identity-links"): op(
        "Link a local account to a directory or OIDC account (site admins)",
        "IdentityLink",
        {201: "Linked"},
    ),
    ("POST", "/api/auth/me/avatar"): op(
        "A new picture, re-encoded by the server as a PNG of at most 256×256",
        "multipart:file",
        {200: "IdentityUser"},
    ),
    ("GET", "/api/users/"): op(
        "Find users by name", ok={200: ["IdentityUser"]}, query=(("q", STR_QUERY),)
    ),
}
