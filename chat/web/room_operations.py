"""The routes of the channels dialect and the native extensions over it: rooms, history,
messages, notifications, edits, reactions, search: what the OpenAPI document says of
each (operations.py puts every face's entries together).
"""

from __future__ import annotations

from chat.web.operation_parts import INT_QUERY, PAGE, STR_QUERY, C, Operation, op

ROOM_OPERATIONS: dict[tuple[str, str], Operation] = {
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
}
