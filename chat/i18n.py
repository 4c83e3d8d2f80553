"""Human-readable strings in English and Simplified Chinese, looked up by key.

Keys name what happened; the dialects pick the wording their seeds show (the zh
strings of seed texts are kept verbatim).
"""

from __future__ import annotations

from contextvars import ContextVar

# The language of whoever the current request, socket or rendering is for; None: show
# stored texts as they are (written in the server's language).
viewer_language: ContextVar[str | None] = ContextVar("viewer_language", default=None)

CATALOG: dict[str, tuple[str, str]] = {
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
    # identity
    "auth_required": ("Authentication credentials were not provided", "未提供认证令牌"),
    "token_invalid": ("Invalid or expired token", "令牌无效或已过期"),
    "bad_credentials": ("Incorrect username or password", "用户名或密码错误"),
    "export_busy": (
        "Other exports are running: try again in a minute",
        "其他导出正在进行，请稍后再试",
    ),
    "too_many_attempts": (
        "Too many failed attempts, try again in {seconds} seconds",
        "失败次数过多，请 {seconds} 秒后重试",
    ),
    "registration_closed": ("Registration is disabled on this server", "本服务器已关闭注册"),
    "username_invalid": (
        "Username must be 1–32 letters, digits, '_', '.' or '-'",
        "用户名必须是 1–32 个字母、数字、'_'、'.' 或 '-'",
    ),
    "username_taken": ("That username is taken", "该用户名已被占用"),
    "password_short": ("Password must be at least 8 characters", "密码至少需要 8 个字符"),
    "password_blank": (
        "Password must not be only spaces or control characters",
        "密码不能只包含空白或控制字符",
    ),
    "old_password_wrong": ("The old password is not correct", "原密码不正确"),
    "user_not_found": ("User not found", "用户不存在"),
    "account_deactivated": ("This account has been deactivated", "该账号已被停用"),
    "admin_self": (
        "Site admins cannot demote or deactivate themselves",
        "管理员不能取消自己的管理员身份或停用自己",
    ),
    "avatar_too_big": (
        "The image is too large (more than {limit} pixels)",
        "图片过大（超过 {limit} 像素）",
    ),
    "admin_only": ("Only site administrators may do this", "只有管理员可以执行此操作"),
    "too_many_tokens": (
        "At most {limit} API tokens per user: revoke one first",
        "每个用户最多 {limit} 个 API 令牌，请先撤销一个",
    ),
    "cross_origin_write": (
        "A cookie-authenticated change must come from this site (Origin)",
        "使用 Cookie 认证的修改请求必须来自本站（Origin）",
    ),
    "tokens_need_login": (
        "API tokens are managed from a signed-in session, not with an API token",
        "API 令牌只能在登录会话中管理，不能用 API 令牌管理",
    ),
    "auth_other_user": ("That token belongs to another user", "该令牌属于其他用户"),
    # sign-in with a directory or an OpenID Connect provider
    "directory_unavailable": (
        "The company directory is not reachable, try again later",
        "无法连接公司目录，请稍后重试",
    ),
    "account_disabled": (
        "This account is disabled in the company directory",
        "该账号已在公司目录中停用",
    ),
    "identity_name_taken": (
        "A Teahouse account named '{username}' already exists; ask an administrator to "
        "link it to your company account",
        "已存在名为 '{username}' 的 Teahouse 账号，请联系管理员将其与公司账号关联",
    ),
    "identity_linked": (
        "This account already has a link to that sign-in provider",
        "该账号已关联此登录方式",
    ),
    "provider_unknown": (
        "No sign-in provider named '{name}' is configured",
        "未配置名为 '{name}' 的登录方式",
    ),
    "local_login_off": (
        "Sign in with your company account: local passwords are turned off",
        "请使用公司账号登录：本地密码已停用",
    ),
    "password_external": (
        "Your password is managed by your company account",
        "您的密码由公司账号管理",
    ),
    "oidc_failed": (
        "Sign-in with {provider} failed, try again",
        "通过 {provider} 登录失败，请重试",
    ),
    "oidc_unavailable": (
        "{provider} is not reachable, try again later",
        "无法连接 {provider}，请稍后重试",
    ),
    "signin_expired": (
        "The sign-in took too long or was already used, try again",
        "登录已超时或已使用，请重试",
    ),
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


def pick_language(accept_language: str | None, default: str) -> str:
    """The first of en/zh named in an Accept-Language header, else the default."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return default


def translate(key: str, language: str, **params) -> str:
    english, chinese = CATALOG.get(key, (key, key))
    template = chinese if language == "zh" else english
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def shown(key: str | None, stored: str, **params) -> str:
    """A server-written text in the viewer's language, or the stored text as it is."""
    language = viewer_language.get()
    if key is None or language is None or key not in CATALOG:
        return stored
    return translate(key, language, **params)


MEMBERS_KEY = "system_members"  # a large room's coalesced notice (core/member_notices.py)


def members_text(
    language: str, joined: tuple = (), joined_count: int = 0, left: tuple = (), left_count: int = 0
) -> str:
    """A coalesced notice: the first two names of who joined and who left, and how many
    in all ("Alice, Bob and 9,998 more joined the room")."""
    parts = [
        _some(language, event, names, count)
        for event, names, count in (("join", joined, joined_count), ("leave", left, left_count))
        if count
    ]
    return ("；" if language == "zh" else "; ").join(parts)


def _some(language: str, event: str, names, count: int) -> str:
    if count == 1:
        return translate(f"system_{event}", language, username=names[0])
    size = "two" if count == 2 else "many"
    return translate(
        f"system_{event}_{size}",
        language,
        first=names[0],
        second=names[1],
        more=f"{count - 2:,}",
        total=f"{count:,}",
    )


def message_text(message) -> str:
    """What a viewer reads as a message's content: joins, leaves, uploads and deletions
    in their language (named by the sender's display name); people's words as written."""
    if message.text_key == MEMBERS_KEY and message.text_params:
        language = viewer_language.get()
        return (
            message.content if language is None else members_text(language, **message.text_params)
        )
    sender = message.sender
    return shown(
        message.text_key,
        message.content,
        username=sender.name if sender else "",
        name=message.file_name or "",
    )


def notification_title(notification) -> str:
    return shown(notification.title_key, notification.title, **notification.title_params)


def title_in(notification, language: str) -> str:
    """A notification's title in one reader's language (a push, an email), whatever
    language the server wrote it in."""
    if notification.title_key not in CATALOG:
        return notification.title
    return translate(notification.title_key, language, **notification.title_params)
