"""The routes of webhooks and bots: what the OpenAPI document says of each (operations.py
puts every face's entries together).
"""

from __future__ import annotations

from chat.web.operation_parts import C, Operation, op

INTEGRATION_OPERATIONS: dict[tuple[str, str], Operation] = {
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
