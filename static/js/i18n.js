// English and Simplified Chinese strings; the choice follows navigator.language until
// the user picks one (kept in localStorage) and is sent to the server on every call.
const STORE_KEY = "teahouse.lang";

const STRINGS = {
  en: {
    app_name: "Teahouse",
    sign_in: "Sign in", sign_up: "Create account", sign_out: "Sign out",
    api_tokens: "API tokens", api_tokens_help: "Personal tokens let scripts act as you (Authorization: Bearer …). Revoke one to cut it off at once.",
    token_name: "Token name", token_expiry: "Expires", token_never: "Never", token_days: "In {n} days",
    create_token: "Create token", token_once: "Copy it now: it is shown only once.", copy: "Copy", copied: "Copied",
    revoke: "Revoke", confirm_revoke: "Revoke the token “{name}”? Scripts using it stop at once.",
    no_tokens: "No tokens yet.", token_created_at: "created {when}", token_used_at: "last used {when}",
    token_unused: "never used", token_expires_at: "expires {when}",
    username: "Username", password: "Password", display_name: "Display name (optional)",
    auth_tagline: "Your team's tea room. Sign in to continue.",
    no_account: "New here?", have_account: "Already have an account?",
    registration_closed: "Sign-up is closed on this server; ask an admin for an account.",
    language: "Language",
    rooms: "Rooms", direct_messages: "Direct messages", browse_rooms: "Browse public rooms",
    create_room: "Create a room", new_direct: "New direct message",
    search_placeholder: "Search messages", search: "Search",
    notifications: "Notifications", mark_all_read: "Mark all read",
    enable_desktop: "Enable desktop notifications", desktop_on: "Desktop notifications are on",
    no_notifications: "Nothing new.", members: "Members", online: "Online", offline: "Offline",
    invite: "Invite", leave_room: "Leave room", join: "Join", joined: "Joined",
    open_sidebar: "Open the room list", close_panel: "Close", toggle_members: "Show members",
    message_placeholder: "Message {room}", attach: "Attach a file", send: "Send",
    reply: "Reply", edit: "Edit", delete: "Delete", react: "Add a reaction",
    replying_to: "Replying to {name}", editing: "Editing your message", cancel: "Cancel",
    save: "Save", edited: "(edited)", message_deleted: "message deleted",
    sending: "Sending…", failed: "Not sent.", retry: "Retry",
    today: "Today", yesterday: "Yesterday",
    typing_one: "{a} is typing…", typing_two: "{a} and {b} are typing…",
    typing_many: "Several people are typing…",
    reconnecting: "Connection lost — reconnecting…", connecting: "Connecting…",
    reconnect_now: "Retry now", loading_older: "Loading older messages…",
    beginning: "This is the beginning of {room}.",
    room_name: "Room name", description: "Description (optional)",
    room_type: "Who can see it", public: "Public — anyone can join",
    private: "Private — invitation only", create: "Create",
    invite_user: "Invite someone to {room}", invite_sent: "{name} was invited.",
    start_direct: "Start", find_people: "Username",
    confirm_delete: "Delete this message? This cannot be undone.",
    confirm_leave: "Leave {room}?",
    no_results: "No messages found.", results_for: "Results for “{q}”", more: "Load more",
    upload_too_large: "{name} is too large (the limit is 10 MB).",
    upload_unsupported: "{name} is not a supported file type (images, PDF, text and Office files).",
    upload_failed: "{name} could not be uploaded: {reason}",
    network_error: "The server cannot be reached.",
    dismiss: "Dismiss", download: "Download", open_image: "Open full size",
    room_gone: "This room was deleted.", room_forbidden: "You can no longer read this room.",
    official: "Official", new_messages: "New messages", jump_latest: "Jump to latest",
    drop_files: "Drop files to upload", no_rooms: "No rooms to browse.",
    members_count: "{n} members", members_one: "1 member", you: "you", mention_list: "Mention someone",
    messages_region: "Messages", composer_label: "Write a message",
    unread: "{n} unread", user_menu: "Your account",
    role_admin: "admin", role_moderator: "moderator",
    integrations: "Integrations", bot: "bot", rename: "Rename", hook_name: "Webhook name",
    hook_url: "Webhook URL", hook_create: "Add webhook", hook_new_url: "New URL",
    hook_url_once: "Secret URL of {name} (shown only now; POST Slack-style JSON to it):",
    hook_confirm_delete: "Delete the webhook {name}? Its URL stops working.",
    no_hooks: "No webhooks yet.",
    hooks_help: "Webhooks let CI, monitoring and scripts post here (Slack/Mattermost format).",
    manage_member: "Manage {name}", make_moderator: "Make moderator", make_member: "Remove moderator",
    mute: "Mute", unmute: "Unmute", ban: "Ban from this room", confirm_ban: "Ban {name} from {room}?",
    muted_notice: "You are muted in this room.", muted: "muted", room_settings: "Room settings",
    discard: "Discard", presence_unknown: "Presence unknown — reconnecting",
    external_link: "Link to {host}", group: "Group", no_limit: "No limit",
    max_members: "Member limit (empty: no limit)", archived_label: "Archived (read-only)",
    join_notices: "Join and leave notices in a large room", join_notices_coalesced: "One summary now and then (Alice, Bob and 98 more joined)",
    join_notices_always: "Every join and leave", join_notices_never: "None",
    archived: "archived", delete_room: "Delete room", confirm_delete_room: "Delete {room} for everyone?",
    accept: "Accept", decline: "Decline",
    profile: "Profile", avatar: "Picture (PNG, JPEG, GIF or WebP)", your_name: "Display name",
    current_password: "Current password (to change it)", new_password: "New password (at least 8 characters)",
    profile_saved: "Profile saved.", admin_page: "Administration", site_admin: "site admin",
    admin_users: "People", admin_rooms: "Rooms", admin_announce: "Announcement",
    search_users: "Find people", search_rooms: "Find rooms",
    make_admin: "Make site admin", remove_admin: "Remove site admin",
    deactivate: "Deactivate", reactivate: "Reactivate", reset_password: "Reset password",
    password_reset_done: "The password of {name} was reset.", status_active: "active",
    status_inactive: "deactivated", last_login: "Last sign-in: {when}", never: "never",
    announce_title: "Title", announce_content: "Text (optional)", announce_send: "Send to everyone",
    announce_sent: "Sent to {n} people.", admin_only_page: "This page is for site administrators.",
    back_to_chat: "Back to the chat", room_saved: "{room} saved.", room_deleted: "{room} deleted.",
    members_limit: "{n} / {limit} members", loading: "Loading…",
    // issue 14: formatting, pins, saved, notification levels, status, send later
    copy_code: "Copy", copied: "Copied", copy_failed: "Select and press Ctrl+C",
    pin: "Pin to this room", unpin: "Unpin", pinned_count: "{n} pinned", pinned_messages: "Pinned messages",
    no_pins: "Nothing pinned yet.", save_message: "Save for later", unsave_message: "Remove from saved",
    saved_messages: "Saved messages", no_saved: "No saved messages.", saved_done: "Saved.",
    remind_me: "Remind me", remind_title: "Remind me about this message", reminder_set: "I'll remind you at {time}.",
    send_later: "Send later", send_at: "Send at", message_text: "Message", schedule: "Schedule",
    scheduled_for: "Scheduled for {time}.", scheduled_messages: "Scheduled", no_scheduled: "Nothing scheduled.",
    scheduled_failed: "Not sent: {reason}", remind_at: "At", reminders: "Reminders", no_reminders: "No reminders.",
    preset_20m: "In 20 minutes", preset_1h: "In 1 hour", preset_tomorrow: "Tomorrow 9:00", preset_monday: "Monday 9:00",
    notify_settings: "Notifications for this room", level_default: "Default: direct messages, replies, mentions",
    level_all: "Every message", level_mentions: "Only mentions and replies", level_nothing: "Nothing",
    mute_room: "Mute room: no badge except mentions",
    set_status: "Set a status", status_text: "Status", status_emoji: "Emoji", clear_after: "Clear after",
    clear_never: "Don't clear", clear_30m: "30 minutes", clear_1h: "1 hour", clear_today: "Today",
    clear_until: "At a time of day", until_time: "Until", dnd: "Do not disturb (no browser notifications)",
    dnd_short: "Do not disturb", clear_status: "Clear status", status_until: "until {time}",
    write_first: "Write the message first.",
  },
  zh: {
    app_name: "茶馆",
    sign_in: "登录", sign_up: "注册", sign_out: "退出登录",
    api_tokens: "API 令牌", api_tokens_help: "个人令牌让脚本以你的身份操作（Authorization: Bearer …）。撤销后立即失效。",
    token_name: "令牌名称", token_expiry: "有效期", token_never: "永不过期", token_days: "{n} 天后过期",
    create_token: "创建令牌", token_once: "请立即复制：令牌只显示这一次。", copy: "复制", copied: "已复制",
    revoke: "撤销", confirm_revoke: "撤销令牌“{name}”？使用它的脚本将立即停止工作。",
    no_tokens: "还没有令牌。", token_created_at: "创建于 {when}", token_used_at: "最近使用 {when}",
    token_unused: "从未使用", token_expires_at: "{when} 过期",
    username: "用户名", password: "密码", display_name: "显示名称（可选）",
    auth_tagline: "团队的茶馆。登录后继续。",
    no_account: "还没有账号？", have_account: "已经有账号？",
    registration_closed: "本服务器已关闭注册，请联系管理员开通账号。",
    language: "语言",
    rooms: "房间", direct_messages: "私信", browse_rooms: "浏览公开房间",
    create_room: "创建房间", new_direct: "发起私信",
    search_placeholder: "搜索消息", search: "搜索",
    notifications: "通知", mark_all_read: "全部标为已读",
    enable_desktop: "开启桌面通知", desktop_on: "桌面通知已开启",
    no_notifications: "没有新通知。", members: "成员", online: "在线", offline: "离线",
    invite: "邀请", leave_room: "退出房间", join: "加入", joined: "已加入",
    open_sidebar: "打开房间列表", close_panel: "关闭", toggle_members: "显示成员",
    message_placeholder: "发送消息到 {room}", attach: "添加文件", send: "发送",
    reply: "回复", edit: "编辑", delete: "删除", react: "添加表情回应",
    replying_to: "回复 {name}", editing: "正在编辑消息", cancel: "取消",
    save: "保存", edited: "（已编辑）", message_deleted: "消息已删除",
    sending: "发送中…", failed: "发送失败。", retry: "重试",
    today: "今天", yesterday: "昨天",
    typing_one: "{a} 正在输入…", typing_two: "{a} 和 {b} 正在输入…",
    typing_many: "多人正在输入…",
    reconnecting: "连接已断开，正在重新连接…", connecting: "正在连接…",
    reconnect_now: "立即重试", loading_older: "正在加载更早的消息…",
    beginning: "这是 {room} 的开始。",
    room_name: "房间名称", description: "简介（可选）",
    room_type: "谁可以看到", public: "公开：任何人都可加入",
    private: "私密：仅限受邀者", create: "创建",
    invite_user: "邀请他人加入 {room}", invite_sent: "已邀请 {name}。",
    start_direct: "开始", find_people: "用户名",
    confirm_delete: "删除这条消息？删除后无法恢复。",
    confirm_leave: "退出 {room}？",
    no_results: "没有找到消息。", results_for: "“{q}”的搜索结果", more: "加载更多",
    upload_too_large: "{name} 太大了（上限 10 MB）。",
    upload_unsupported: "不支持 {name} 的文件类型（支持图片、PDF、文本和 Office 文件）。",
    upload_failed: "{name} 上传失败：{reason}",
    network_error: "无法连接服务器。",
    dismiss: "关闭", download: "下载", open_image: "查看原图",
    room_gone: "该房间已被删除。", room_forbidden: "你已无法查看该房间。",
    official: "官方", new_messages: "新消息", jump_latest: "回到最新",
    drop_files: "松开即可上传", no_rooms: "没有可浏览的房间。",
    members_count: "{n} 位成员", members_one: "1 位成员", you: "你", mention_list: "提及成员",
    messages_region: "消息", composer_label: "输入消息",
    unread: "{n} 条未读", user_menu: "你的账号",
    role_admin: "管理员", role_moderator: "协管员",
    integrations: "集成", bot: "机器人", rename: "重命名", hook_name: "Webhook 名称",
    hook_url: "Webhook 地址", hook_create: "添加 Webhook", hook_new_url: "更换地址",
    hook_url_once: "{name} 的秘密地址（仅此一次显示；以 Slack 格式 POST JSON）：",
    hook_confirm_delete: "删除 Webhook {name}？其地址将失效。",
    no_hooks: "还没有 Webhook。",
    hooks_help: "Webhook 让 CI、监控和脚本向这里发消息（Slack/Mattermost 格式）。",
    manage_member: "管理 {name}", make_moderator: "设为协管员", make_member: "取消协管员",
    mute: "禁言", unmute: "解除禁言", ban: "移出并封禁", confirm_ban: "将 {name} 移出 {room} 并封禁？",
    muted_notice: "你在此房间已被禁言。", muted: "已禁言", room_settings: "房间设置",
    discard: "丢弃", presence_unknown: "在线状态未知 — 正在重新连接",
    external_link: "指向 {host} 的链接", group: "群组", no_limit: "不限",
    max_members: "人数上限（留空：不限）", archived_label: "已归档（只读）",
    join_notices: "大房间的加入和离开提示", join_notices_coalesced: "定时汇总为一条（Alice、Bob 等 100 人加入）",
    join_notices_always: "每次加入和离开", join_notices_never: "不提示",
    archived: "已归档", delete_room: "删除房间", confirm_delete_room: "为所有人删除 {room}？",
    accept: "接受", decline: "拒绝",
    profile: "个人资料", avatar: "头像（PNG、JPEG、GIF 或 WebP）", your_name: "显示名称",
    current_password: "当前密码（修改密码时填写）", new_password: "新密码（至少 8 个字符）",
    profile_saved: "个人资料已保存。", admin_page: "管理", site_admin: "站点管理员",
    admin_users: "用户", admin_rooms: "房间", admin_announce: "公告",
    search_users: "查找用户", search_rooms: "查找房间",
    make_admin: "设为站点管理员", remove_admin: "取消站点管理员",
    deactivate: "停用", reactivate: "重新启用", reset_password: "重置密码",
    password_reset_done: "已重置 {name} 的密码。", status_active: "正常",
    status_inactive: "已停用", last_login: "最近登录：{when}", never: "从未",
    announce_title: "标题", announce_content: "内容（可选）", announce_send: "发送给所有人",
    announce_sent: "已发送给 {n} 人。", admin_only_page: "此页面仅供站点管理员使用。",
    back_to_chat: "返回聊天", room_saved: "{room} 已保存。", room_deleted: "{room} 已删除。",
    members_limit: "{n} / {limit} 位成员", loading: "加载中…",
    // issue 14
    copy_code: "复制", copied: "已复制", copy_failed: "请选中后按 Ctrl+C",
    pin: "置顶到本房间", unpin: "取消置顶", pinned_count: "{n} 条置顶", pinned_messages: "置顶消息",
    no_pins: "还没有置顶消息。", save_message: "收藏", unsave_message: "取消收藏",
    saved_messages: "收藏的消息", no_saved: "没有收藏的消息。", saved_done: "已收藏。",
    remind_me: "提醒我", remind_title: "稍后提醒我这条消息", reminder_set: "将在 {time} 提醒你。",
    send_later: "定时发送", send_at: "发送时间", message_text: "消息", schedule: "定时发送",
    scheduled_for: "已定时：{time}。", scheduled_messages: "定时消息", no_scheduled: "没有定时消息。",
    scheduled_failed: "未发送：{reason}", remind_at: "时间", reminders: "提醒", no_reminders: "没有提醒。",
    preset_20m: "20 分钟后", preset_1h: "1 小时后", preset_tomorrow: "明天 9:00", preset_monday: "周一 9:00",
    notify_settings: "本房间的通知", level_default: "默认：私信、回复和提及",
    level_all: "所有消息", level_mentions: "仅提及和回复", level_nothing: "不通知",
    mute_room: "静音房间：除提及外不显示未读数",
    set_status: "设置状态", status_text: "状态", status_emoji: "表情", clear_after: "自动清除",
    clear_never: "不清除", clear_30m: "30 分钟", clear_1h: "1 小时", clear_today: "今天",
    clear_until: "到某个时间", until_time: "直到", dnd: "勿扰（不弹出浏览器通知）",
    dnd_short: "勿扰", clear_status: "清除状态", status_until: "直到 {time}",
    write_first: "请先输入消息。",
  },
};

// [code, name, short name for the compact picker in the sidebar]
export const LANGUAGES = [["en", "English", "EN"], ["zh", "简体中文", "中文"]];

function detect() {
  const stored = localStorage.getItem(STORE_KEY);
  if (stored && STRINGS[stored]) return stored;
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language || "en"];
  for (const tag of wanted) {
    const lower = String(tag).toLowerCase();
    if (lower.startsWith("zh")) return "zh";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

let current = detect();
const listeners = new Set();

export function language() { return current; }

export function t(key, params = {}) {
  const template = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

export function setLanguage(lang) {
  if (!STRINGS[lang] || lang === current) return;
  current = lang;
  localStorage.setItem(STORE_KEY, lang);
  applyStatic(document);
  for (const fn of listeners) fn(lang);
}

export function onLanguage(fn) { listeners.add(fn); }

// Static labels in the template: data-i18n (text), -placeholder, -label (aria-label), -title.
export function applyStatic(root) {
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of root.querySelectorAll("[data-i18n-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
    if (!el.dataset.i18nTitle) el.title = t(el.dataset.i18nLabel);
  }
}
