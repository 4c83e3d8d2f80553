"""The routes of our own API beyond the channels dialect: threads (docs/threads.md),
calls, invitations and direct rooms, room and member changes, announcements, push
devices and email settings: what the OpenAPI document says of each (operations.py puts
every face's entries together).
"""

from __future__ import annotations

from chat.web.operation_parts import INT_QUERY, PAGE, STR_QUERY, C, Operation, op

NATIVE_OPERATIONS: dict[tuple[str, str], Operation] = {
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
}
