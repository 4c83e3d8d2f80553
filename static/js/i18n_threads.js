// The strings of threads (issue 28) and of the keyboard help, in the same two languages
// as i18n.js, which merges them into its catalogue: kept apart so neither file grows past
// a readable size.
export const THREAD_STRINGS = {
  en: {
    thread: "Thread", threads: "Threads", open_thread: "Reply in thread",
    thread_replies_one: "1 reply", thread_replies: "{n} replies", thread_last_reply: "Last reply {when}",
    thread_placeholder: "Reply…", also_to_room: "Also send to {room}", also_to_room_short: "Also send to the room",
    follow_thread: "Follow", unfollow_thread: "Following", follow_thread_label: "Follow this thread",
    unfollow_thread_label: "Stop following this thread", close_thread: "Close the thread",
    back_to_room: "Back to {room}", no_threads: "You follow no threads yet. Reply in one, or follow it.",
    thread_in: "in {room}", thread_unread: "{n} new", thread_mentions: "{n} mentions of you",
    thread_gone: "This thread cannot be opened.", replied_in_thread: "replied in a thread:",
    view_thread: "View thread", thread_loading: "Loading the thread…",
    shortcuts: "Keyboard shortcuts", shortcut_search: "Search messages",
    shortcut_rooms: "Previous or next room", shortcut_close: "Close the thread, panels and menus",
    shortcut_thread: "Reply in thread to the focused message", shortcut_threads: "Open the Threads view",
    shortcut_send: "Send; Shift+Enter adds a line", shortcut_edit: "Edit your last message (empty box)",
    shortcut_help: "Show this list",
  },
  zh: {
    thread: "话题", threads: "话题", open_thread: "在话题中回复",
    thread_replies_one: "1 条回复", thread_replies: "{n} 条回复", thread_last_reply: "最后回复于 {when}",
    thread_placeholder: "回复…", also_to_room: "同时发送到 {room}", also_to_room_short: "同时发送到房间",
    follow_thread: "关注", unfollow_thread: "已关注", follow_thread_label: "关注这个话题",
    unfollow_thread_label: "不再关注这个话题", close_thread: "关闭话题",
    back_to_room: "返回 {room}", no_threads: "你还没有关注任何话题。在话题中回复或关注它即可。",
    thread_in: "在 {room}", thread_unread: "{n} 条新回复", thread_mentions: "{n} 次提到你",
    thread_gone: "无法打开这个话题。", replied_in_thread: "在话题中回复：",
    view_thread: "查看话题", thread_loading: "正在加载话题…",
    shortcuts: "键盘快捷键", shortcut_search: "搜索消息",
    shortcut_rooms: "上一个或下一个房间", shortcut_close: "关闭话题、面板和菜单",
    shortcut_thread: "在话题中回复当前选中的消息", shortcut_threads: "打开话题列表",
    shortcut_send: "发送；Shift+Enter 换行", shortcut_edit: "编辑你的上一条消息（输入框为空时）",
    shortcut_help: "显示此列表",
  },
};
