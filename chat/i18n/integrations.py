"""Texts about webhooks and bots.

One part of the catalog chat/i18n/__init__.py looks keys up in: each key once,
as (English, 简体中文).
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # integrations
    "hook_not_found": ("Webhook not found", "Webhook 不存在"),
    "no_such_hook": ("No such webhook", "Webhook 不存在"),
    "invalid_payload": ("The payload is not a JSON object", "负载不是 JSON 对象"),
    "no_text": ("The payload has no text", "负载没有文本"),
    "hook_rate_limited": (
        "Too many messages from this webhook, slow down",
        "该 Webhook 消息过多，请稍后再试",
    ),
    "payload_too_large": ("The payload is larger than {limit} bytes", "负载超过 {limit} 字节"),
    "hook_deleted": ("Webhook deleted", "Webhook 已删除"),
    "too_many_hooks_room": (
        "At most {limit} webhooks per room: delete one first",
        "每个聊天室最多 {limit} 个 Webhook，请先删除一个",
    ),
    "too_many_hooks_user": (
        "At most {limit} webhooks per user: delete one first",
        "每个用户最多 {limit} 个 Webhook，请先删除一个",
    ),
    "hook_creator_cannot_post": (
        "The webhook's creator may not post in this room",
        "Webhook 的创建者不能在此聊天室发言",
    ),
    "too_many_registrations": (
        "Too many sign-ups, try again in {seconds} seconds",
        "注册过于频繁，请 {seconds} 秒后再试",
    ),
    "bot_deleted": ("Bot deleted", "机器人已删除"),
    "bot_not_found": ("Bot not found", "机器人不存在"),
    "bot_key_invalid": ("Invalid bot key", "机器人密钥无效"),
    "bot_no_password": (
        "A bot signs in with its key, not a password",
        "机器人只能用密钥登录，不能设置密码",
    ),
    "bot_url_invalid": ("The outgoing URL must be an http(s) URL", "回调地址必须是 http(s) URL"),
}
