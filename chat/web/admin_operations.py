"""The routes of site administration: people, guests, rooms, announcements, the audit log:
what the OpenAPI document says of each (operations.py puts every face's entries
together).
"""

from __future__ import annotations

from chat.web.operation_parts import ADMIN_PAGE, AUDIT_FILTER, INT_QUERY, C, Operation, op

ADMIN_OPERATIONS: dict[tuple[str, str], Operation] = {
    # site administration
    ("GET", f"{C}/admin/users/"): op(
        "Find people or bots, paged; X-Total-Count says how many match (site admins)",
        ok={200: ["Account"]},
        query=ADMIN_PAGE,
    ),
    ("PATCH", f"{C}/admin/users/{{id}}/"): op(
        "Promote, demote, deactivate or reactivate someone (site admins)",
        "Standing",
        {200: "Account"},
    ),
    ("POST", f"{C}/admin/users/{{id}}/password/"): op(
        "Set someone's password; their logins end (site admins)", "NewPassword", {200: "Account"}
    ),
    ("POST", f"{C}/guests/"): op(
        "Add a guest account to rooms (site admins; room admins for their rooms where "
        "CHAT_GUEST_INVITES_BY_ROOM_ADMINS is on)",
        "NewGuest",
        {201: "Guest"},
    ),
    ("POST", f"{C}/guest-links/"): op(
        "A single-use invitation link that makes its user a guest of rooms (as above)",
        "NewGuestLink",
        {201: "GuestLink"},
    ),
    ("GET", f"{C}/admin/guests/"): op(
        "Guest accounts, paged; X-Total-Count says how many (site admins)",
        ok={200: ["Guest"]},
        query=ADMIN_PAGE[:3],
    ),
    ("PATCH", f"{C}/admin/users/{{id}}/guest/"): op(
        "Turn a guest into a member or back (is_guest), or set a guest's expiry (site admins)",
        "GuestChange",
        {200: "Guest"},
    ),
    ("GET", f"{C}/admin/rooms/"): op(
        "Every room or direct conversation, paged; X-Total-Count says how many match (site admins)",
        ok={200: ["AdminRoom"]},
        query=ADMIN_PAGE,
    ),
    ("GET", f"{C}/admin/deleted-rooms/"): op(
        "Deleted rooms not yet purged, paged (site admins)",
        ok={200: ["AdminRoom"]},
        query=ADMIN_PAGE[:3],
    ),
    ("POST", f"{C}/admin/deleted-rooms/{{id}}/restore/"): op(
        "Restore a deleted room with its messages (site admins)", ok={200: "AdminRoom"}
    ),
    ("DELETE", f"{C}/admin/deleted-rooms/{{id}}/"): op(
        "Purge a deleted room now, for good (site admins)", ok={200: "Purged"}
    ),
    ("GET", f"{C}/admin/audit/"): op(
        "The audit log, the newest first; X-Next-Before is the `before` of the next page "
        "(site admins)",
        ok={200: ["AuditEntry"]},
        query=AUDIT_FILTER + (("before", INT_QUERY), ("limit", INT_QUERY)),
    ),
    ("GET", f"{C}/admin/audit/export/"): op(
        "The filtered audit log as CSV or JSON lines, the oldest first, streamed (site admins)",
        ok={200: "ndjson"},
        query=AUDIT_FILTER + (("format", {"enum": ["jsonl", "csv"]}),),
    ),
}
