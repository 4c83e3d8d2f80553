"""What the OpenAPI document says about each route: a summary, the request body, the
success answers and the query parameters, keyed by (method, path) exactly as the
dialects register them. The routes themselves come from the server's own route
table (web/routing.py), and a test fails when a route has no entry here or an entry
names no route, so the description cannot drift from what is served.
"""

from __future__ import annotations

from dataclasses import dataclass, field

INT_QUERY = {"type": "integer"}
STR_QUERY = {"type": "string"}


@dataclass(frozen=True)
class Operation:
    summary: str
    body: str | None = None  # a BODIES schema name, or a media kind below
    ok: dict = field(default_factory=lambda: {200: "Said"})  # status -> schema name, [name]
    query: tuple[tuple[str, dict], ...] = ()


def op(summary: str, body: str | None = None, ok: dict | None = None, query=()) -> Operation:
    return Operation(summary, body, ok or {200: "Said"}, tuple(query))


PAGE = (("page", INT_QUERY), ("page_size", INT_QUERY))
SIMPLE_ROOM = (("room_id", STR_QUERY),)
C = "/api/chat"
ADMIN_PAGE = (("q", STR_QUERY), ("limit", INT_QUERY), ("offset", INT_QUERY), ("kind", STR_QUERY))
V1 = "/api/v1/chatroom"
AUDIT_FILTER = (
    ("actor", STR_QUERY),
    ("action", STR_QUERY),
    ("target", STR_QUERY),
    ("since", STR_QUERY),
    ("until", STR_QUERY),
)

OPERATIONS: dict[tuple[str, str], Operation] = {
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
    # channels
    ("GET", f"{C}/rooms/"): op(
        "Every room of the caller's, then a page of public rooms not joined",
        ok={200: ["RoomListing"]},
        query=(("public_limit", INT_QUERY), ("public_offset", INT_QUERY)),
    ),
    ("POST", f"{C}/rooms/"): op("Create a room", "NewRoom", {201: "Room"}),
    ("GET", f"{C}/rooms/{{room}}/"): op("A room and its members", ok={200: "RoomDetail"}),
    ("DELETE", f"{C}/rooms/{{room}}/"): op("Delete a room (creator or admin)"),
    ("POST", f"{C}/rooms/{{room}}/join/"): op("Join a public room"),
    ("POST", f"{C}/rooms/{{room}}/leave/"): op("Leave a room"),
    ("GET", f"{C}/rooms/{{room}}/members/"): op("Members of a room", ok={200: ["Membership"]}),
    ("GET", f"{C}/rooms/{{room}}/messages/"): op(
        "A page of history, newest page first", ok={200: "MessagePage"}, query=PAGE
    ),
    ("POST", f"{C}/rooms/{{room}}/messages/"): op(
        "Send a message (a repeated client_id answers 200 with the stored one)",
        "NewMessage",
        {201: "Message", 200: "Message"},
    ),
    ("POST", f"{C}/messages/{{id}}/read/"): op("Mark read up to this message"),
    ("DELETE", f"{C}/messages/{{id}}/delete/"): op("Delete a message"),
    ("DELETE", f"{C}/messages/{{id}}/"): op("Delete a message"),
    ("GET", f"{C}/notifications/"): op(
        "Notifications",
        ok={200: ["Notification"]},
        query=(("unread", STR_QUERY), ("limit", INT_QUERY)),
    ),
    ("POST", f"{C}/notifications/read-all/"): op(
        "Mark all notifications read", ok={200: "ReadAll"}
    ),
    ("POST", f"{C}/notifications/{{id}}/read/"): op("Mark a notification read"),
    # native extensions
    ("PATCH", f"{C}/messages/{{id}}/"): op("Edit a message", "Content", {200: "Message"}),
    ("GET", f"{C}/messages/{{id}}/edits/"): op("Edit history of a message", ok={200: "Edits"}),
    ("DELETE", f"{C}/messages/{{id}}/previews/"): op(
        "Remove the link previews under one's message", ok={200: "Message"}
    ),
    ("POST", f"{C}/messages/{{id}}/reactions/"): op(
        "Toggle a reaction", "Emoji", {201: "ReactionToggled", 200: "ReactionToggled"}
    ),
    ("GET", f"{C}/search/"): op(
        "Full-text search of readable messages",
        ok={200: "SearchResults"},
        query=(
            ("q", STR_QUERY),
            ("room_id", INT_QUERY),
            ("before", INT_QUERY),
            ("limit", INT_QUERY),
        ),
    ),
    # threads (docs/threads.md)
    ("GET", f"{C}/rooms/{{room}}/timeline/"): op(
        "The room's main timeline (no thread-only replies), newest page first",
        ok={200: "MessagePage"},
        query=(*PAGE, ("before", INT_QUERY)),
    ),
    ("GET", f"{C}/threads/"): op(
        "The Threads view: followed threads, unread first",
        ok={200: "ThreadsView"},
        query=(("limit", INT_QUERY), ("offset", INT_QUERY)),
    ),
    ("GET", f"{C}/threads/{{id}}/messages/"): op(
        "A thread's replies: the newest page, an older one (before) or a resume (after)",
        ok={200: "ThreadPage"},
        query=(("before", INT_QUERY), ("after", INT_QUERY), ("limit", INT_QUERY)),
    ),
    ("POST", f"{C}/threads/{{id}}/messages/"): op(
        "Reply in the thread of this message (thread-only unless also_to_room)",
        "NewReply",
        {201: "Message", 200: "Message"},
    ),
    ("PUT", f"{C}/threads/{{id}}/follow/"): op(
        "Follow a thread (everything read)", ok={201: "ThreadFollow", 200: "ThreadFollow"}
    ),
    ("DELETE", f"{C}/threads/{{id}}/follow/"): op("Unfollow a thread", ok={200: "ThreadFollow"}),
    ("POST", f"{C}/threads/{{id}}/read/"): op(
        "Move the thread's read mark (default: its last reply)",
        "ThreadReadMark",
        {200: "ThreadFollow"},
    ),
    ("GET", f"{C}/calls/"): op(
        "Whether calls are on, and the meeting server's base URL", ok={200: "CallSettings"}
    ),
    ("POST", f"{C}/rooms/{{room}}/call/"): op(
        "Start a call: post a message with a new meeting link",
        "CallStart",
        {201: "Message", 200: "Message"},
    ),
    ("POST", f"{C}/rooms/{{room}}/invite/"): op(
        "Invite someone", "Username", {201: "Invited", 200: "Invited"}
    ),
    ("POST", f"{C}/direct/"): op(
        "Open the direct room with someone", "Username", {201: "DirectRoom", 200: "DirectRoom"}
    ),
    ("PATCH", f"{C}/rooms/{{room}}/"): op(
        "Change a room: name, description, type, member limit, archive (room admins)",
        "RoomChange",
        {200: "Room"},
    ),
    ("POST", f"{C}/rooms/{{room}}/decline/"): op("Decline an invitation to a room"),
    ("PATCH", f"{C}/rooms/{{room}}/members/{{user_id}}/"): op(
        "Change a member's role, mute or ban", "MemberChange", {200: "Membership"}
    ),
    ("POST", f"{C}/notifications/announce/"): op(
        "Announce to everyone (site admins)", "Announcement", {201: "Announced"}
    ),
    ("GET", f"{C}/notifications/unread_count/"): op(
        "How many notifications are unread", ok={200: "UnreadCount"}
    ),
    ("GET", f"{C}/push/key/"): op(
        "The server's VAPID public key (applicationServerKey)", ok={200: "PushKey"}
    ),
    ("GET", f"{C}/push/devices/"): op(
        "Your browsers that receive Web Push", ok={200: ["PushDevice"]}
    ),
    ("POST", f"{C}/push/devices/"): op(
        "Receive Web Push on this browser (its PushSubscription)",
        "PushSubscription",
        {201: "PushDevice"},
    ),
    ("DELETE", f"{C}/push/devices/{{id}}/"): op(
        "Stop Web Push to one of your browsers", ok={204: None}
    ),
    ("GET", f"{C}/email/settings/"): op(
        "Your email about missed notifications, and your language", ok={200: "EmailSettings"}
    ),
    ("PATCH", f"{C}/email/settings/"): op(
        "Change your email address, how often (never, batched, direct) or language",
        "EmailSettingsChange",
        {200: "EmailSettings"},
    ),
    ("GET", "/email/unsubscribe"): op(
        "The unsubscribe page of an email's link (changes nothing)",
        ok={200: "html"},
        query=(("u", INT_QUERY), ("t", STR_QUERY)),
    ),
    ("POST", "/email/unsubscribe"): op(
        "Stop emails (the page's button, or RFC 8058 one-click); no sign-in",
        ok={200: "html"},
        query=(("u", INT_QUERY), ("t", STR_QUERY)),
    ),
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
    # team features (issue 14, docs/team-features.md)
    ("GET", f"{C}/rooms/{{room}}/pins/"): op("A room's pinned messages", ok={200: ["Pin"]}),
    ("POST", f"{C}/messages/{{id}}/pin/"): op(
        "Pin a message (room admins and moderators)", ok={201: "Pin", 200: "Pin"}
    ),
    ("DELETE", f"{C}/messages/{{id}}/pin/"): op("Unpin a message", ok={200: "Unpinned"}),
    ("GET", f"{C}/saved/"): op(
        "The caller's saved messages", ok={200: ["SavedMessage"]}, query=(("limit", INT_QUERY),)
    ),
    ("POST", f"{C}/messages/{{id}}/save/"): op(
        "Save a message for later", ok={201: "SavedMessage"}
    ),
    ("DELETE", f"{C}/messages/{{id}}/save/"): op(
        "Remove a message from one's saved list", ok={200: "Unsaved"}
    ),
    ("PATCH", f"{C}/rooms/{{room}}/notifications/"): op(
        "The caller's notification level and mute for a room",
        "NotifyPreferencesChange",
        {200: "NotifyPreferences"},
    ),
    ("GET", f"{C}/statuses/"): op(
        "Statuses of everyone sharing a room with the caller", ok={200: ["Status"]}
    ),
    ("GET", f"{C}/status/"): op("The caller's status", ok={200: "Status"}),
    ("PUT", f"{C}/status/"): op(
        "Set the caller's status and do-not-disturb", "StatusChange", {200: "Status"}
    ),
    ("DELETE", f"{C}/status/"): op("Clear the caller's status", ok={200: "Status"}),
    ("GET", f"{C}/scheduled/"): op(
        "The caller's scheduled messages",
        ok={200: ["ScheduledMessage"]},
        query=(("state", STR_QUERY),),
    ),
    ("POST", f"{C}/rooms/{{room}}/scheduled/"): op(
        "Send a message later", "NewScheduledMessage", {201: "ScheduledMessage"}
    ),
    ("DELETE", f"{C}/scheduled/{{id}}/"): op(
        "Cancel a scheduled message", ok={200: "ScheduledMessage"}
    ),
    ("GET", f"{C}/reminders/"): op("The caller's pending reminders", ok={200: ["Reminder"]}),
    ("POST", f"{C}/messages/{{id}}/reminders/"): op(
        "Remind me about this message", "RemindAt", {201: "Reminder"}
    ),
    ("DELETE", f"{C}/reminders/{{id}}/"): op("Cancel a reminder", ok={200: "Reminder"}),
    # v1
    ("POST", f"{V1}/rooms"): op("Create a room", "V1NewRoom", {200: "V1Room"}),
    ("GET", f"{V1}/rooms"): op(
        "Rooms the caller can see",
        ok={200: ["V1Room"]},
        query=(("skip", INT_QUERY), ("limit", INT_QUERY)),
    ),
    ("GET", f"{V1}/rooms/{{room}}"): op(
        "A room with members and latest messages", ok={200: "V1RoomDetail"}
    ),
    ("DELETE", f"{V1}/rooms/{{room}}"): op("Delete a room"),
    ("POST", f"{V1}/rooms/{{room}}/join"): op("Join a public room"),
    ("POST", f"{V1}/rooms/{{room}}/leave"): op("Leave a room"),
    # simple
    ("POST", f"{C}/send"): op("Send a message", "NewMessage", {200: "SimpleMessage"}, SIMPLE_ROOM),
    ("POST", f"{C}/upload"): op(
        "Upload a file and post it", "multipart:file", {200: "SimpleMessage"}
    ),
    ("GET", f"{C}/messages"): op(
        "Messages before an id, oldest first",
        ok={200: ["SimpleMessage"]},
        query=SIMPLE_ROOM + (("before", INT_QUERY), ("limit", INT_QUERY)),
    ),
    ("GET", f"{C}/online-users"): op("Who is around", ok={200: ["OnlineUser"]}),
    ("GET", f"{C}/stats"): op("Counts for today", ok={200: "Stats"}),
    ("POST", f"{C}/rooms"): op("Create a room", "SimpleNewRoom", {200: "SimpleRoomCreated"}),
    ("GET", f"{C}/rooms"): op(
        "Rooms with member ids",
        ok={200: ["SimpleRoom"]},
        query=(("public_limit", INT_QUERY), ("public_offset", INT_QUERY)),
    ),
    ("POST", f"{C}/rooms/{{room}}/join"): op("Join a public room"),
    ("POST", f"{C}/rooms/{{room}}/leave"): op("Leave a room"),
    ("DELETE", f"{C}/messages/{{id}}"): op("Delete a message", query=SIMPLE_ROOM),
    ("GET", f"{C}/user-ip/{{user_id}}"): op(
        "A user's last address (site admins)", ok={200: "UserIp"}
    ),
    ("POST", f"{C}/heartbeat"): op("I am still here", ok={200: "Heartbeat"}),
    ("GET", "/uploads/chat/{name}"): op("A stored file", ok={200: "binary"}),
    ("HEAD", "/uploads/chat/{name}"): op("A stored file's headers", ok={200: "binary"}),
    # webhooks
    ("GET", f"{C}/rooms/{{room}}/hooks/"): op(
        "A room's webhooks (room admins)", ok={200: ["Hook"]}
    ),
    ("POST", f"{C}/rooms/{{room}}/hooks/"): op(
        "Create a webhook; the answer holds its secret URL", "Named", {201: "Hook"}
    ),
    ("PATCH", f"{C}/rooms/{{room}}/hooks/{{hook_id}}/"): op(
        "Rename a webhook", "Named", {200: "Hook"}
    ),
    ("DELETE", f"{C}/rooms/{{room}}/hooks/{{hook_id}}/"): op("Delete a webhook"),
    ("POST", f"{C}/rooms/{{room}}/hooks/{{hook_id}}/regenerate/"): op(
        "A new secret URL; the old one stops working", ok={200: "Hook"}
    ),
    ("POST", "/hooks/{key}"): op(
        "Post as the webhook (Slack/Mattermost payload, or form field "
        "payload=<json>); answers text/plain ok",
        "slack",
        {200: "ok"},
    ),
    # bots
    ("GET", f"{C}/bots/"): op("Bots (site admins)", ok={200: ["Bot"]}),
    ("POST", f"{C}/bots/"): op("Create a bot; the answer holds its key", "NewBot", {201: "Bot"}),
    ("PATCH", f"{C}/bots/{{bot_id}}/"): op("Change a bot", "BotChange", {200: "Bot"}),
    ("DELETE", f"{C}/bots/{{bot_id}}/"): op("Delete a bot (its key dies)"),
    ("POST", f"{C}/bots/{{bot_id}}/key/"): op("A new bot key", ok={200: "Bot"}),
    ("POST", "/rooms/{room}/{bot_key}/messages"): op(
        "Post as the bot: a plain-text body, or multipart attachment=", "bot", {201: "Message"}
    ),
}
