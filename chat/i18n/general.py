"""Texts of the answers every face shares: bad input, limits, the server's own
troubles, sockets, uploads, and the success messages in each seed's wording.

One part of the catalog chat/i18n/__init__.py looks keys up in: each key once,
as (English, 简体中文).
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # generic
    "internal_error": ("Internal server error", "服务器内部错误"),
    "invalid_json": ("Request body must be a JSON object", "请求体必须是 JSON 对象"),
    "field_required": ("Field '{field}' is required", "缺少字段 '{field}'"),
    "field_type": ("Field '{field}' must be {kind}", "字段 '{field}' 必须是{kind}"),
    "field_length": (
        "Field '{field}' must be {low}–{high} characters",
        "字段 '{field}' 长度必须为 {low}–{high} 个字符",
    ),
    "field_choice": (
        "Field '{field}' must be one of: {choices}",
        "字段 '{field}' 必须是以下之一：{choices}",
    ),
    "field_range": (
        "Field '{field}' must be between {low} and {high}",
        "字段 '{field}' 必须在 {low} 到 {high} 之间",
    ),
    "not_found": ("Not found", "资源不存在"),
    "file_link_invalid": ("This file link is not valid", "文件链接无效"),
    "file_link_expired": (
        "This file link has expired: open the message again for a new one",
        "文件链接已过期：请重新打开消息获取新链接",
    ),
    "file_not_found": ("File not found", "文件不存在"),
    "avatar_not_uploaded": (
        "An avatar on this server must be a picture uploaded as one",
        "本服务器上的头像必须是通过头像上传的图片",
    ),
    "field_encoding": (
        "Field '{field}' is not valid Unicode text",
        "字段 '{field}' 不是有效的 Unicode 文本",
    ),
    "body_too_large": ("Request body is too large", "请求体过大"),
    "invalid_form": ("Request body is not a well-formed form", "请求体不是有效的表单"),
    "json_too_deep": (
        "JSON is nested too deeply (at most {depth} levels)",
        "JSON 嵌套层数过多（最多 {depth} 层）",
    ),
    "json_constant": ("JSON must not contain NaN or Infinity", "JSON 中不能包含 NaN 或 Infinity"),
    "rate_limited": (
        "Too many {action} requests, try again in {seconds} seconds",
        "{action} 请求过于频繁，请 {seconds} 秒后重试",
    ),
    "read_budget_spent": (
        "This request took too long and was stopped; narrow it (a longer search term, "
        "one room) and try again",
        "请求耗时过长已被中止，请缩小范围（更长的关键词或指定聊天室）后重试",
    ),
    "disk_full": (
        "The server's disk is full: nothing was saved, try again later",
        "服务器磁盘已满：未保存任何内容，请稍后重试",
    ),
    "database_unwritable": (
        "The server cannot write its database now: nothing was saved, try again later",
        "服务器暂时无法写入数据库：未保存任何内容，请稍后重试",
    ),
    "nul_character": (
        "Text may not contain the NUL character (U+0000)",
        "文本不能包含 NUL 字符（U+0000）",
    ),
    "database_unavailable": (
        "The server cannot reach its database now: nothing was saved, try again later",
        "服务器暂时无法连接数据库：未保存任何内容，请稍后重试",
    ),
    "database_busy": (
        "Another server was writing the same rooms at once: nothing was saved, try again",
        "另一台服务器同时在写入相同的聊天室：未保存任何内容，请重试",
    ),
    "cannot_start": (
        "Cannot start: the database {path} cannot be written: {problem}",
        "无法启动：数据库 {path} 无法写入：{problem}",
    ),
    "too_many_sockets": (
        "Too many open connections for this account (at most {limit})",
        "该账号打开的连接过多（最多 {limit} 个）",
    ),
    "too_many_connections": ("Too many connections from this address", "来自该地址的连接过多"),
    # sockets
    "frame_not_json": ("Frame must be a JSON object", "消息必须是 JSON 对象"),
    "frame_unknown_type": ("Unknown message type: {type}", "未知的消息类型：{type}"),
    "origin_refused": ("Cross-origin WebSocket refused", "拒绝跨域 WebSocket 连接"),
    # files
    "file_required": ("A file is required in the 'file' field", "请在 'file' 字段上传文件"),
    "file_too_large": ("File is larger than {limit_mb} MB", "文件超过 {limit_mb} MB"),
    "file_type": ("File type not allowed: {name}", "不支持的文件类型：{name}"),
    "file_empty": ("File is empty", "文件为空"),
    "upload_stalled": (
        "The upload stalled: no data for {seconds} seconds",
        "上传中断：{seconds} 秒内未收到数据",
    ),
    "upload_malformed": (
        "The upload is not a well-formed multipart form",
        "上传内容不是有效的 multipart 表单",
    ),
    # success messages, per seed wording
    "room_joined": ("Joined the room", "成功加入房间"),
    "room_left": ("Left the room", "成功离开房间"),
    "v1_room_joined": ("Joined the room", "已成功加入聊天室"),
    "v1_room_left": ("Left the room", "已成功离开聊天室"),
    "v1_room_deleted": ("Room deleted", "聊天室已成功删除"),
    "simple_room_joined": ("Joined the room", "成功加入聊天室"),
    "simple_room_left": ("Left the room", "成功离开聊天室"),
    "simple_room_created": ("Room created", "聊天室创建成功"),
    "simple_message_deleted": ("Message deleted", "消息删除成功"),
    "message_read": ("Message marked as read", "消息已标记为已读"),
    "message_removed": ("Message deleted", "消息已删除"),
    "notification_read": ("Notification marked as read", "通知已标记为已读"),
    "notifications_read": ("All notifications marked as read", "所有通知已标记为已读"),
    "room_deleted": ("Room deleted", "房间已删除"),
    "connected": ("Connected", "连接成功"),
    "invited": ("{username} was invited", "已邀请 {username}"),
    "invitation_declined": ("Invitation declined", "已拒绝邀请"),
    "invitation_not_found": ("You have no invitation to this room", "你没有此聊天室的邀请"),
}
