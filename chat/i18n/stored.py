"""Texts the server stores in its own language when it writes them (system notices,
notification titles, emails, the seeded room) and shows again in the viewer's
language by their key.

One part of the catalog chat/i18n/__init__.py looks keys up in: each key once,
as (English, 简体中文).
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # stored texts (written in the server's language when they are created)
    "deleted_placeholder": ("[message deleted]", "[消息已删除]"),
    "system_join": ("{username} joined the room", "{username} 加入了聊天室"),
    "system_leave": ("{username} left the room", "{username} 离开了聊天室"),
    "system_join_two": ("{first} and {second} joined the room", "{first} 和 {second} 加入了聊天室"),
    "system_join_many": (
        "{first}, {second} and {more} more joined the room",
        "{first}、{second} 等 {total} 人加入了聊天室",
    ),
    "system_leave_two": ("{first} and {second} left the room", "{first} 和 {second} 离开了聊天室"),
    "system_leave_many": (
        "{first}, {second} and {more} more left the room",
        "{first}、{second} 等 {total} 人离开了聊天室",
    ),
    "uploaded_file": ("sent a file: {name}", "发送了文件: {name}"),
    "notify_mention": ("{username} mentioned you", "{username} 提到了你"),
    "notify_reply": ("{username} replied to you", "{username} 回复了你"),
    "notify_thread_reply": ("{username} replied in a thread", "{username} 在话题中回复"),
    "notify_message": ("New message from {username}", "新消息来自 {username}"),
    "notify_invite": ("{username} invited you to {room}", "{username} 邀请你加入 {room}"),
    "push_endpoint_refused": (
        "This push endpoint cannot be used ({reason})",
        "无法使用该推送地址（{reason}）",
    ),
    "push_keys_invalid": (
        "The subscription's keys are not valid Web Push keys",
        "订阅密钥不是有效的 Web Push 密钥",
    ),
    "push_devices_full": (
        "You can receive push on at most {limit} devices: remove one first",
        "最多只能在 {limit} 台设备上接收推送：请先移除一台",
    ),
    "push_subscription_not_found": ("No such push device", "没有该推送设备"),
    "push_private_body": ("New message", "新消息"),
    "email_subject": (
        "{count} notifications you missed on {site}",
        "你在 {site} 有 {count} 条未读通知",
    ),
    "email_intro": (
        "Hello {name}, this happened while you were away:",
        "{name} 你好，你不在时有这些消息：",
    ),
    "email_direct_room": ("Direct messages", "私信"),
    "email_open_room": ("Open the room", "打开聊天室"),
    "email_more": ("…and {count} more in Teahouse.", "……在 Teahouse 中还有 {count} 条。"),
    "email_footer": (
        "You get this email because you asked for email about what you miss. "
        "Change it in your profile: {settings}",
        "你收到这封邮件，是因为你选择了用邮件接收错过的消息。可在个人资料中更改：{settings}",
    ),
    "email_unsubscribe_line": (
        "Stop these emails: {link}",
        "不再接收这些邮件：{link}",
    ),
    "email_address_invalid": ("This is not an email address", "这不是有效的邮件地址"),
    "email_unsubscribe_invalid": (
        "This unsubscribe link is not valid",
        "此退订链接无效",
    ),
    "email_unsubscribe_title": ("Stop emails from Teahouse", "不再接收 Teahouse 邮件"),
    "email_unsubscribe_button": ("Unsubscribe", "退订"),
    "email_unsubscribed": (
        "Done: you will get no more emails about what you missed.",
        "已退订：你不会再收到错过消息的邮件。",
    ),
    "seeded_room_name": ("Global", "大厅"),
    "seeded_room_description": ("The room everyone shares", "所有人共享的聊天室"),
}
