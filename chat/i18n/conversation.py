"""Texts about rooms and messages: membership, roles, edits, reactions, threads,
and the team features (pins, saved messages, statuses, scheduled messages).

One part of the catalog chat/i18n/__init__.py looks keys up in: each key once,
as (English, 简体中文).
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # rooms
    "room_not_found": ("Room not found", "聊天室不存在"),
    "room_forbidden": ("You are not a member of this room", "您不是该聊天室的成员"),
    "official_admin_only": (
        "Only site administrators may create official rooms",
        "只有管理员可以创建官方聊天室",
    ),
    "room_full": ("This room is full", "聊天室人数已满"),
    "invitation_required": (
        "This room is private: you need an invitation",
        "这是私人聊天室，需要邀请才能加入",
    ),
    "banned": ("You are banned from this room", "您已被禁止进入该聊天室"),
    "guest_room_forbidden": (
        "Guests join only the rooms they were added to",
        "访客只能加入被邀请的聊天室",
    ),
    "guest_forbidden": (
        "Guests cannot create rooms, webhooks, bots or API tokens",
        "访客不能创建聊天室、Webhook、机器人或 API 令牌",
    ),
    "guest_invite_admins_only": (
        "Only site administrators may add a guest to a room",
        "只有管理员可以将访客加入聊天室",
    ),
    "guest_not_admin": (
        "A guest cannot be a site administrator: make them a member first",
        "访客不能成为管理员，请先将其转为成员",
    ),
    "guest_expired": ("This guest account has expired", "该访客账号已过期"),
    "guest_link_invalid": (
        "This invitation link is used, expired or unknown",
        "该邀请链接已被使用、已过期或无效",
    ),
    "not_a_guest": ("This account is not a guest", "该账号不是访客"),
    "not_a_member": ("You are not a member of this room", "您不是该聊天室的成员"),
    "room_archived": (
        "This room is archived: it takes no new messages or members",
        "该聊天室已归档，不能再发消息或加入",
    ),
    "room_admin_only": ("Only the room's admins may do this", "只有聊天室管理员可以执行此操作"),
    "cannot_delete_room": (
        "Only the creator or an admin may delete this room",
        "只有聊天室创建者或管理员可以删除",
    ),
    "official_room_undeletable": (
        "{room} is an official room: new people land in it, so it cannot be deleted; "
        "archive it instead",
        "{room} 是官方聊天室，新用户会进入该聊天室，因此不能删除；可以将其归档",
    ),
    "deleted_room_not_found": (
        "No deleted room with this id (it may have been restored or purged)",
        "没有该 ID 的已删除聊天室（可能已恢复或已彻底清除）",
    ),
    "direct_room_reopened": (
        "These two people have opened a new direct conversation since; this one cannot come back",
        "这两人之后已开启新的私聊，此会话无法恢复",
    ),
    "direct_room_closed": (
        "Direct conversations cannot be joined or left",
        "私聊会话不能加入或离开",
    ),
    "direct_self": ("You cannot open a direct conversation with yourself", "不能与自己私聊"),
    "already_member": ("{username} is already a member", "{username} 已经是成员"),
    "last_admin": ("A room needs at least one admin", "聊天室至少需要一名管理员"),
    "moderators_only": (
        "Only the room's admins and moderators may do this",
        "只有聊天室管理员和协管员可以执行此操作",
    ),
    "member_not_found": ("That user is not a member of this room", "该用户不是此聊天室的成员"),
    "user_banned": ("{username} is banned from this room", "{username} 已被禁止进入该聊天室"),
    # messages
    "message_not_found": ("Message not found", "消息不存在"),
    "content_empty": ("Message content must not be empty", "消息内容不能为空"),
    "content_blank": ("Message content must contain visible text", "消息内容必须包含可见文字"),
    "content_too_long": (
        "Message content must be at most {limit} characters",
        "消息内容不能超过 {limit} 个字符",
    ),
    "reply_elsewhere": (
        "reply_to must be a message in the same room",
        "reply_to 必须是同一聊天室中的消息",
    ),
    "muted": ("You are muted in this room", "您在该聊天室已被禁言"),
    "cannot_delete_message": ("You may only delete your own messages", "只能删除自己的消息"),
    "cannot_edit_message": ("You may only edit your own messages", "只能编辑自己的消息"),
    "cannot_remove_previews": (
        "Only the author may remove a message's link previews",
        "只有作者可以移除消息的链接预览",
    ),
    "message_deleted": ("This message has been deleted", "该消息已被删除"),
    "client_id_invalid": (
        "client_id must be a string of at most 64 characters",
        "client_id 必须是不超过 64 个字符的字符串",
    ),
    "emoji_invalid": (
        "emoji must be one emoji or a short code like :+1: (at most 16 characters)",
        "emoji 必须是一个表情或形如 :+1: 的短代码（最多 16 个字符）",
    ),
    "edits_forbidden": (
        "Only the author and the room's moderators may see earlier versions",
        "只有作者和聊天室管理员可以查看编辑历史",
    ),
    "search_query_empty": ("Search query must not be empty", "搜索关键词不能为空"),
    "calls_off": (
        "Calls are off on this server (no meeting server is set)",
        "本服务器未开启通话（未设置会议服务器）",
    ),
    "call_started": ("📞 Started a call: {url}", "📞 发起了通话：{url}"),
    "search_operator_unknown": (
        "Unknown search operator in “{part}” (known: {known}); put it in quotes to search "
        "for the text itself",
        "“{part}” 中的搜索运算符无法识别（可用：{known}）；如要搜索这段文字本身，请加引号",
    ),
    "search_operator_empty": (
        "“{part}” needs a value after the colon",
        "“{part}” 的冒号后需要填写值",
    ),
    "search_operator_value": (
        "“{part}”: the value must be one of: {choices}",
        "“{part}”：值必须是以下之一：{choices}",
    ),
    "search_operator_repeated": (
        "“{part}”: {operator} may be given only once",
        "“{part}”：{operator} 只能使用一次",
    ),
    "search_date_bad": (
        "“{part}”: a date is written YYYY-MM-DD, like 2026-11-01",
        "“{part}”：日期格式应为 YYYY-MM-DD，例如 2026-11-01",
    ),
    "notification_not_found": ("Notification not found", "通知不存在"),
    # team features (issue 14)
    "all_mention_forbidden": (
        "In rooms of more than {limit} members only the room's admins and moderators may use @all",
        "超过 {limit} 人的聊天室只有管理员和协管员可以使用 @all",
    ),
    "pin_limit": (
        "A room keeps at most {limit} pinned messages",
        "每个聊天室最多置顶 {limit} 条消息",
    ),
    "saved_limit": ("You can keep at most {limit} saved messages", "最多只能收藏 {limit} 条消息"),
    "scheduled_limit": (
        "You can have at most {limit} pending scheduled messages",
        "最多只能有 {limit} 条待发送的定时消息",
    ),
    "reminder_limit": (
        "You can have at most {limit} pending reminders",
        "最多只能有 {limit} 个待处理的提醒",
    ),
    "time_invalid": (
        "Field '{field}' must be an ISO 8601 time with a time zone",
        "字段 '{field}' 必须是带时区的 ISO 8601 时间",
    ),
    "time_range": (
        "Field '{field}' must be a time in the coming year",
        "字段 '{field}' 必须是未来一年内的时间",
    ),
    "scheduled_not_found": ("Scheduled message not found", "定时消息不存在"),
    "reminder_not_found": ("Reminder not found", "提醒不存在"),
    "notify_reminder": ("Reminder: a message from {username}", "提醒：{username} 的消息"),
    "notify_schedule_failed": (
        "Your scheduled message to {room} was not sent: {reason}",
        "发往 {room} 的定时消息未能发送：{reason}",
    ),
}
