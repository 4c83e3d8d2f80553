"""The routes of the v1 and simple dialects (the seeds', ../shared/API.md): what the
OpenAPI document says of each (operations.py puts every face's entries together).
"""

from __future__ import annotations

from chat.web.operation_parts import INT_QUERY, SIMPLE_ROOM, V1, C, Operation, op

SEED_OPERATIONS: dict[tuple[str, str], Operation] = {
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
}
