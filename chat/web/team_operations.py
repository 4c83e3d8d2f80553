"""The routes of the team features (docs/team-features.md): what the OpenAPI document says
of each (operations.py puts every face's entries together).
"""

from __future__ import annotations

from chat.web.operation_parts import INT_QUERY, STR_QUERY, C, Operation, op

TEAM_OPERATIONS: dict[tuple[str, str], Operation] = {
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
}
