"""Issue 24 item 8: a deactivated user's every credential is refused *with its reason*
(401, WWW-Authenticate error_description="account_deactivated"), so the page can say why
it signed them out; reactivation does not bring an old login back."""

from __future__ import annotations

from tests.test_session_cookie import origin, sign_in

REASON = 'error_description="account_deactivated"'


async def test_every_credential_of_a_deactivated_user_is_refused_with_the_reason(
    client, admin, bob
):
    await sign_in(client, "bob")
    resp = await client.patch(
        f"/api/chat/admin/users/{bob.id}/", json={"is_active": False}, headers=admin.headers
    )
    assert resp.status == 200
    answers = [
        await client.get("/api/auth/me"),  # the cookie
        await client.post("/api/auth/refresh", json={}, headers={"Origin": origin(client)}),
        await client.post("/api/auth/refresh", json={"refresh_token": bob.refresh_token}),
        await client.get("/api/auth/me", headers=bob.headers),  # an access token
        await client.get("/api/chat/rooms/", headers=bob.headers),  # any dialect
    ]
    for resp in answers:
        assert resp.status == 401 and REASON in resp.headers["WWW-Authenticate"], resp.url
    client.session.cookie_jar.clear()
    nobody = await client.get("/api/auth/me")
    assert nobody.headers["WWW-Authenticate"] == 'Bearer realm="teahouse"'


async def test_reactivation_does_not_revive_an_old_login(client, admin, bob):
    await sign_in(client, "bob")
    for active in (False, True):
        await client.patch(
            f"/api/chat/admin/users/{bob.id}/", json={"is_active": active}, headers=admin.headers
        )
    assert (await client.get("/api/auth/me")).status == 401
    resp = await client.post("/api/auth/refresh", json={"refresh_token": bob.refresh_token})
    assert resp.status == 401
