"""The directory re-check against a real OpenLDAP slapd (tests/ldapserver.py): linked
users are looked up by their stable id, so a rename renames, and only people the
directory no longer has under the base and filter lose access."""

from __future__ import annotations

import time
import uuid

import ldap3
import pytest
from ldap3.operation.search import compile_filter, parse_filter

from chat.app import create_app
from chat.core import Outcome
from chat.core.people import directory, directory_recheck
from chat.db import identities as identities_db
from chat.db import users
from chat.errors import Unavailable
from chat.keys import core_key
from tests.audit_helpers import rows_soon
from tests.helpers import assert_error
from tests.ldapserver import (
    ALLOWED_GROUP,
    ALUMNI,
    GROUPS,
    PEOPLE,
    Slapd,
    add_person,
    person,
    remove_person,
)
from tests.test_directory_ldap import ldap_settings, login, signed_in

# objectGUID's own schemaIDGUID as Active Directory shows it, and the 16 bytes it stores.
AD_GUID = "bf9679e7-0de6-11d0-a285-00aa003049e2"
AD_GUID_BYTES = bytes.fromhex("e77996bfe60dd011a28500aa003049e2")


@pytest.fixture
async def client(aiohttp_client, tmp_path, slapd):
    return await aiohttp_client(create_app(ldap_settings(tmp_path, slapd.url)))


async def link_of(client, user_id: int) -> identities_db.Identity:
    [identity] = await identities_db.of_user(client.server.app[core_key].db.reader, user_id)
    return identity


async def me(client, person) -> dict:
    resp = await client.get("/api/auth/me", headers=person.headers)
    assert resp.status == 200, await resp.text()
    return await resp.json()


def wait_for_member(slapd: Slapd, dn: str, group: str = ALLOWED_GROUP) -> None:
    """slapd's refint overlay rewrites group members in the background after a move."""
    deadline = time.monotonic() + 5
    with slapd.admin() as conn:
        while time.monotonic() < deadline:
            conn.search(group, "(objectClass=*)", ldap3.BASE, attributes=["member"])
            if dn.lower() in (value.lower() for value in conn.entries[0].member.values):
                return
            time.sleep(0.02)
    raise AssertionError(f"{dn} never became a member of {group}")


def rename(
    slapd: Slapd,
    uid: str,
    new_uid: str,
    display_name: str | None = None,
    group: str = ALLOWED_GROUP,
) -> None:
    with slapd.admin() as conn:
        assert conn.modify_dn(f"uid={uid},{PEOPLE}", f"uid={new_uid}"), conn.result
        if display_name:
            assert conn.modify(
                f"uid={new_uid},{PEOPLE}", {"displayName": [(ldap3.MODIFY_REPLACE, [display_name])]}
            )
    wait_for_member(slapd, f"uid={new_uid},{PEOPLE}", group)


def move_out_of_the_base(slapd: Slapd, uid: str) -> None:
    with slapd.admin() as conn:
        assert conn.modify_dn(f"uid={uid},{PEOPLE}", f"uid={uid}", new_superior=ALUMNI)
    wait_for_member(slapd, f"uid={uid},{ALUMNI}")


async def test_a_renamed_user_stays_signed_in_and_the_recheck_renames_them(client, slapd):
    core = client.server.app[core_key]
    add_person(slapd, "rob", "rob-password")
    rob = await signed_in(client, "rob", "rob-password")
    rename(slapd, "rob", "robert", display_name="Robert Renamed")
    try:
        assert await directory_recheck.recheck(core) == 0
        assert (await me(client, rob))["display_name"] == "Robert Renamed"
        link = await link_of(client, rob.id)
        assert (link.external_name, link.disabled_at) == ("robert", None)
        assert (await signed_in(client, "robert", "rob-password")).id == rob.id
        await assert_error(await login(client, "rob", "rob-password"), 401, "identity")
    finally:
        remove_person(slapd, "robert")


async def test_a_newcomer_given_a_renamed_users_old_name_does_not_get_their_account(client, slapd):
    core = client.server.app[core_key]
    add_person(slapd, "rita", "rita-password")
    rita = await signed_in(client, "rita", "rita-password")
    rename(slapd, "rita", "rita.b")
    add_person(slapd, "rita", "newcomer-password")
    try:
        assert await directory_recheck.recheck(core) == 0
        assert (await me(client, rita))["id"] == rita.id
        await assert_error(await login(client, "rita", "newcomer-password"), 403, "identity")
        assert (await signed_in(client, "rita.b", "rita-password")).id == rita.id
        assert (await link_of(client, rita.id)).external_name == "rita.b"
    finally:
        remove_person(slapd, "rita.b")
        remove_person(slapd, "rita")


async def test_a_recheck_disables_exactly_the_people_the_directory_no_longer_has(client, slapd):
    core = client.server.app[core_key]
    names = ["stays", "renamed", "moved", "deleted", "locked", "left"]
    for name in names:
        add_person(slapd, name, f"{name}-password")
    people = {name: await signed_in(client, name, f"{name}-password") for name in names}
    rename(slapd, "renamed", "renamed2")
    move_out_of_the_base(slapd, "moved")
    remove_person(slapd, "deleted")
    with slapd.admin() as conn:
        conn.modify(
            f"uid=locked,{PEOPLE}", {"employeeType": [(ldap3.MODIFY_REPLACE, ["disabled"])]}
        )
        conn.modify(ALLOWED_GROUP, {"member": [(ldap3.MODIFY_DELETE, [f"uid=left,{PEOPLE}"])]})
    try:
        assert await directory_recheck.recheck(core) == 4
        for name in ("stays", "renamed"):
            assert (await me(client, people[name]))["id"] == people[name].id
        for name in ("moved", "deleted", "locked", "left"):
            resp = await client.get("/api/auth/me", headers=people[name].headers)
            await assert_error(resp, 401, "identity")
            assert (await link_of(client, people[name].id)).disabled_at is not None
        await assert_error(await login(client, "moved", "moved-password"), 401, "identity")
        assert await directory_recheck.recheck(core) == 0  # already disabled: counted once
        disabled = await rows_soon(core.db, 4, "directory_disabled")
        assert sorted((actor, target) for _, actor, target, _ in disabled) == [
            (None, name) for name in ("deleted", "left", "locked", "moved")
        ]
    finally:
        for name in ("stays", "renamed2", "locked", "left"):
            remove_person(slapd, name)
        remove_person(slapd, "moved", base=ALUMNI)


def test_an_active_directory_guid_is_searched_as_its_escaped_bytes():
    assert uuid.UUID(bytes_le=AD_GUID_BYTES) == uuid.UUID(AD_GUID)
    query = directory.id_filter("objectGUID", AD_GUID)
    assert query == r"(objectGUID=\e7\79\96\bf\e6\0d\d0\11\a2\85\00\aa\00\30\49\e2)"
    compiled = compile_filter(parse_filter(query, None, True, None, False, False).elements[0])
    assert bytes(compiled.getComponent()["assertionValue"]) == AD_GUID_BYTES
    # The example from ldapwiki's objectGUID page, in the form AD tools print it.
    assert directory.id_filter("objectGUID", "195f3990-b51a-4a1b-9e96-86c66cb18d11") == (
        r"(objectGUID=\90\39\5f\19\1a\b5\1b\4a\9e\96\86\c6\6c\b1\8d\11)"
    )
    assert directory.id_filter("entryUUID", "a*b(c)\\") == r"(entryUUID=a\2ab\28c\29\5c)"


async def test_a_renamed_active_directory_style_user_is_found_by_objectguid(
    aiohttp_client, tmp_path, slapd
):
    settings = ldap_settings(tmp_path, slapd.url, CHAT_LDAP_ID_ATTRIBUTE="objectGUID")
    client = await aiohttp_client(create_app(settings))
    # Bytes that are filter syntax ( * ) \ NUL when not escaped.
    guid = b"(*)\\\x00" + AD_GUID_BYTES[5:]
    add_person(slapd, "adam", "adam-password", guid=guid)
    adam = await signed_in(client, "adam", "adam-password")
    assert (await link_of(client, adam.id)).subject == str(uuid.UUID(bytes_le=guid))
    rename(slapd, "adam", "adam.smith")
    try:
        assert await directory_recheck.recheck(client.server.app[core_key]) == 0
        assert (await link_of(client, adam.id)).external_name == "adam.smith"
    finally:
        remove_person(slapd, "adam.smith")


BULK = 1200  # over two batches and slapd's 500-entry limit
BULK_ADMINS = ("bulk0000", "bulk0700")


def bulk_seed() -> str:
    people = "".join(person(f"bulk{i:04d}", f"Bulk {i}", "bulk-password") for i in range(BULK))
    members = "".join(f"member: uid=bulk{i:04d},{PEOPLE}\n" for i in range(BULK))
    admins = "".join(f"member: uid={uid},{PEOPLE}\n" for uid in BULK_ADMINS)
    return (
        f"{people}dn: cn=bulk-users,{GROUPS}\nobjectClass: groupOfNames\ncn: bulk-users\n"
        f"{members}\ndn: cn=bulk-admins,{GROUPS}\nobjectClass: groupOfNames\n"
        f"cn: bulk-admins\n{admins}\n"
    )


async def link_everyone(core, slapd: Slapd) -> None:
    """Every bulk person as a linked Teahouse user, written straight into the database
    (signing 1,200 people in one by one would only make the test slow)."""
    with slapd.admin() as conn:
        entries = conn.extend.standard.paged_search(
            PEOPLE, "(uid=bulk*)", attributes=["uid", "entryUUID"], paged_size=500, generator=False
        )

    async def job(conn):
        for item in entries:
            uid, subject = (
                item["raw_attributes"][name][0].decode() for name in ("uid", "entryUUID")
            )
            user = await users.insert_user(conn, uid, uid, None, uid in BULK_ADMINS)
            await identities_db.insert(conn, user.id, "ldap", subject.lower(), uid, None)
        return Outcome(None)

    await core.commit(job)


async def test_many_linked_users_are_rechecked_in_a_few_searches(
    aiohttp_client, tmp_path, tmp_path_factory, caplog
):
    slapd = Slapd(tmp_path_factory.mktemp("bulk-slapd"), extra_seed=bulk_seed()).start()
    try:
        groups = {
            "CHAT_LDAP_ALLOWED_GROUP": f"cn=bulk-users,{GROUPS}",
            "CHAT_LDAP_ADMIN_GROUP": f"cn=bulk-admins,{GROUPS}",
        }
        # A batch larger than the service account's size limit (500) is answered only in
        # part; the re-check must change nothing rather than disable the rest.
        greedy = await aiohttp_client(
            create_app(ldap_settings(tmp_path, slapd.url, CHAT_LDAP_RECHECK_BATCH="1000", **groups))
        )
        core = greedy.server.app[core_key]
        await link_everyone(core, slapd)
        with pytest.raises(Unavailable):
            await directory_recheck.recheck(core)
        assert "sizeLimitExceeded" in caplog.text
        for user_id in (1, 600, BULK):
            assert (await link_of(greedy, user_id)).disabled_at is None
        await greedy.close()

        client = await aiohttp_client(create_app(ldap_settings(tmp_path, slapd.url, **groups)))
        core = client.server.app[core_key]
        rename(slapd, "bulk0600", "renamed0600", group=f"cn=bulk-users,{GROUPS}")
        with slapd.admin() as conn:
            assert conn.delete(f"uid=bulk0900,{PEOPLE}")
        before = slapd.searches()
        started = time.monotonic()
        assert await directory_recheck.recheck(core) == 1
        elapsed = time.monotonic() - started
        searches = slapd.searches() - before - 1  # not the counter's own read
        print(f"re-check of {BULK} linked users: {searches} searches, {elapsed:.2f} s")
        # Three batches of at most 500 ids: one search for the people, one for the allowed
        # group, one or two for the admin group (those expected in, those expected out).
        assert searches <= 3 * 4
        renamed = await users.user_by_username(core.db.reader, "bulk0600")
        assert (await link_of(client, renamed.id)).external_name == "renamed0600"
        for uid, is_admin in (*((uid, True) for uid in BULK_ADMINS), ("bulk0001", False)):
            assert (await users.user_by_username(core.db.reader, uid)).is_admin == is_admin
        # An admin added and one removed in the directory: each surprise costs a few
        # searches more (the batch halved down to them), not one per user.
        with slapd.admin() as conn:
            assert conn.modify(
                f"cn=bulk-admins,{GROUPS}",
                {
                    "member": [
                        (ldap3.MODIFY_ADD, [f"uid=bulk0300,{PEOPLE}"]),
                        (ldap3.MODIFY_DELETE, [f"uid=bulk0700,{PEOPLE}"]),
                    ]
                },
            )
        before = slapd.searches()
        assert await directory_recheck.recheck(core) == 0
        searches = slapd.searches() - before - 1
        print(f"with one admin added and one removed: {searches} searches")
        assert searches <= 3 * 4 + 2 * 20
        for uid, is_admin in (("bulk0300", True), ("bulk0700", False), ("bulk0000", True)):
            assert (await users.user_by_username(core.db.reader, uid)).is_admin == is_admin
    finally:
        slapd.stop()
