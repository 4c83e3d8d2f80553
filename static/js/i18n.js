// English and Simplified Chinese strings; the choice follows navigator.language until
// the user picks one (kept in localStorage) and is sent to the server on every call.
import { ADMIN_STRINGS } from "./i18n_admin.js";
import { TEAM_STRINGS } from "./i18n_team.js";
import { THREAD_STRINGS } from "./i18n_threads.js";

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
    account_deactivated: "This account has been deactivated by an administrator, so you were signed out. Ask an admin if you think this is a mistake.",
    language: "Language",
    rooms: "Rooms", direct_messages: "Direct messages", browse_rooms: "Browse public rooms",
    create_room: "Create a room", new_direct: "New direct message",
    search_placeholder: "Search messages", search: "Search",
    search_suggestions: "Search suggestions", search_filters: "Active filters", remove_filter: "Remove filter {filter}",
    op_from: "messages from a person", op_from_me: "messages from me", op_in: "in a room",
    op_mentions: "mentioning a person", op_me: "mentioning me", op_has_link: "with a link",
    op_has_file: "with a file", op_has_image: "with an image", op_is_pinned: "pinned",
    op_is_saved: "saved by me", op_before: "before a day (UTC)", op_after: "after a day (UTC)",
    op_on: "on a day (UTC)",
    start_call: "Start a call", join_call: "Join the call", calls_off: "Calls are off on this server",
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
    history_failed: "The messages of {room} could not be loaded.",
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
    no_such_room: "No room named “{name}” that you can open.",
    no_room_title: "You are not in any room yet",
    no_room_help: "Join one of the public rooms, or create a room and invite your team.",
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
    hook_inactive: "Paused: its creator may not post here",
    hooks_help: "Webhooks let CI, monitoring and scripts post here (Slack/Mattermost format).",
    manage_member: "Manage {name}", make_moderator: "Make moderator", make_member: "Remove moderator",
    mute: "Mute", unmute: "Unmute", ban: "Ban from this room", confirm_ban: "Ban {name} from {room}?",
    muted_notice: "You are muted in this room.", muted: "muted", room_settings: "Room settings",
    discard: "Discard", presence_unknown: "Presence unknown — reconnecting",
    external_link: "Link to {host}", group: "Group", no_limit: "No limit",
    remove_previews: "Remove previews", link_previews: "Show previews of links",
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
    status_inactive: "deactivated", never: "never",
    announce_title: "Title", announce_content: "Text (optional)", announce_send: "Send to everyone",
    announce_sent: "Sent to {n} people.", admin_only_page: "This page is for site administrators.",
    back_to_chat: "Back to the chat", room_saved: "{room} saved.",
    admin_tab_people: "People", admin_tab_bots: "Bots and webhooks", admin_tab_rooms: "Rooms",
    admin_tab_direct: "Direct conversations", admin_tab_deleted: "Deleted rooms",
    col_name: "Name", col_status: "Status", col_last_login: "Last sign-in", col_created: "Created",
    col_room: "Room", col_conversation: "Between", col_type: "Type", col_members: "Members",
    col_messages: "Messages", col_deleted: "Deleted", col_purge: "Purged for good after",
    type_public: "Public", type_private: "Private", type_group: "Group", type_direct: "Direct",
    kind_bot: "bot", kind_webhook: "webhook", actions: "Actions", actions_for: "Actions for {name}",
    guest: "guest", guest_no_room_help: "You are a guest: an administrator adds you to the rooms you take part in.",
    guest_invited: "You have been invited as a guest. Choose a username and a password.", join_as_guest: "Join as a guest",
    admin_tab_guests: "Guests", col_expires: "Expires", col_rooms: "Rooms", no_expiry: "never",
    add_guest_more: "Add a guest…", guest_link_more: "Invitation link…", add_guest: "Add guest",
    guest_rooms: "Rooms (Ctrl or ⌘ picks several)", guest_until: "Account expires on (optional)",
    link_hours: "The link works for (hours)", create_link: "Create link",
    link_ready: "Send this link to your guest. It works once, until {when}, and is shown only now.",
    guest_added: "{name} is now a guest.", make_guest: "Make guest…", make_member: "Make member",
    confirm_make_guest: "Make {name} a guest? They will see only the rooms they are in and the people there; their API tokens stop working.",
    confirm_make_member: "Make {name} a member? They will see every public room and everyone on the server.",
    set_expiry_more: "Set expiry…", expiry_for: "When {name}'s guest account expires", expiry_date: "Expiry date (empty: never)",
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
    account_deactivated: "该账号已被管理员停用，因此你已退出登录。如有疑问，请联系管理员。",
    language: "语言",
    rooms: "房间", direct_messages: "私信", browse_rooms: "浏览公开房间",
    create_room: "创建房间", new_direct: "发起私信",
    search_placeholder: "搜索消息", search: "搜索",
    search_suggestions: "搜索建议", search_filters: "当前筛选条件", remove_filter: "移除筛选条件 {filter}",
    op_from: "某人发送的消息", op_from_me: "我发送的消息", op_in: "某个房间中",
    op_mentions: "提到某人", op_me: "提到我", op_has_link: "包含链接",
    op_has_file: "包含文件", op_has_image: "包含图片", op_is_pinned: "已置顶",
    op_is_saved: "我收藏的", op_before: "某天之前（UTC）", op_after: "某天之后（UTC）",
    op_on: "某天当天（UTC）",
    start_call: "发起通话", join_call: "加入通话", calls_off: "本服务器未开启通话",
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
    history_failed: "无法加载 {room} 的消息。",
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
    no_such_room: "没有你能打开的名为“{name}”的房间。",
    no_room_title: "你还没有加入任何房间",
    no_room_help: "加入一个公开房间，或者创建房间并邀请你的团队。",
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
    hook_inactive: "已暂停：其创建者不能在此发言",
    no_hooks: "还没有 Webhook。",
    hooks_help: "Webhook 让 CI、监控和脚本向这里发消息（Slack/Mattermost 格式）。",
    manage_member: "管理 {name}", make_moderator: "设为协管员", make_member: "取消协管员",
    mute: "禁言", unmute: "解除禁言", ban: "移出并封禁", confirm_ban: "将 {name} 移出 {room} 并封禁？",
    muted_notice: "你在此房间已被禁言。", muted: "已禁言", room_settings: "房间设置",
    discard: "丢弃", presence_unknown: "在线状态未知 — 正在重新连接",
    external_link: "指向 {host} 的链接", group: "群组", no_limit: "不限",
    remove_previews: "移除预览", link_previews: "显示链接预览",
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
    status_inactive: "已停用", never: "从未",
    announce_title: "标题", announce_content: "内容（可选）", announce_send: "发送给所有人",
    announce_sent: "已发送给 {n} 人。", admin_only_page: "此页面仅供站点管理员使用。",
    back_to_chat: "返回聊天", room_saved: "{room} 已保存。",
    admin_tab_people: "用户", admin_tab_bots: "机器人和 Webhook", admin_tab_rooms: "房间",
    admin_tab_direct: "私聊", admin_tab_deleted: "已删除的房间",
    col_name: "名称", col_status: "状态", col_last_login: "上次登录", col_created: "创建时间",
    col_room: "房间", col_conversation: "参与者", col_type: "类型", col_members: "成员",
    col_messages: "消息", col_deleted: "删除时间", col_purge: "彻底清除时间",
    type_public: "公开", type_private: "私密", type_group: "群组", type_direct: "私聊",
    kind_bot: "机器人", kind_webhook: "Webhook", actions: "操作", actions_for: "{name} 的操作",
    guest: "访客", guest_no_room_help: "你是访客：管理员会把你加入需要参与的聊天室。",
    guest_invited: "你被邀请以访客身份加入，请设置用户名和密码。", join_as_guest: "以访客身份加入",
    admin_tab_guests: "访客", col_expires: "到期", col_rooms: "聊天室", no_expiry: "永不",
    add_guest_more: "添加访客…", guest_link_more: "邀请链接…", add_guest: "添加访客",
    guest_rooms: "聊天室（按住 Ctrl 或 ⌘ 可多选）", guest_until: "账号到期日（可选）",
    link_hours: "链接有效期（小时）", create_link: "创建链接",
    link_ready: "把这个链接发给访客。它只能使用一次，{when} 前有效，且只显示这一次。",
    guest_added: "{name} 现在是访客。", make_guest: "设为访客…", make_member: "设为成员",
    confirm_make_guest: "将 {name} 设为访客？对方将只能看到已加入的聊天室及其中的人，其 API 令牌将失效。",
    confirm_make_member: "将 {name} 设为正式成员？对方将能看到所有公开聊天室和服务器上的所有人。",
    set_expiry_more: "设置到期…", expiry_for: "{name} 的访客账号到期时间", expiry_date: "到期日（留空：永不）",
  },
};

// In this order, as when they were one list (a key written twice keeps its last text).
for (const lang of Object.keys(STRINGS)) {
  Object.assign(STRINGS[lang], ADMIN_STRINGS[lang], TEAM_STRINGS[lang], THREAD_STRINGS[lang]);
}

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
