// Threads in the page (issue 28): the "N replies" line under a root, the thread panel,
// the Threads view, the thread frames of the socket and the thread keys. Wired once by
// app.js; frames reach it through threadFrame() before live.js's own table, so a reply
// meant for the thread only never lands in the room's timeline or its unread count.
import { avatarFace, formatFull, formatTime, h, hueClass, icon } from "./dom.js";
import { onLanguage, t } from "./i18n.js";
import { ThreadList } from "./thread_list.js";
import { ThreadPanel, threadPanelElement } from "./thread_panel.js";

let threads = null;

// app: { state, me(), room(), open(roomId, messageId), roomName(room), flash, people,
//        conversation, composer }
export function setupThreads(app, ctx) {
  document.getElementById("main").after(threadPanelElement());
  const list = new ThreadList({ open: (roomId, rootId) => openThread(roomId, rootId), roomName: app.roomName });
  const panel = new ThreadPanel(app, ctx, {
    followChanged: (follow) => followed(follow),
    closed: () => app.composer.focus(),
  });
  threads = { app, list, panel };
  ctx.actions.openThread = (msg) => openThread(msg.room?.id ?? msg.room_id ?? app.state.room?.id, msg.thread_id || msg.id,
    msg.thread_id ? msg.id : null);
  ctx.threadLine = (msg) => threadLine(msg, ctx);
  document.addEventListener("keydown", keys);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) panel.markRead(); });
  onLanguage(() => {
    panel.drawHeader();
    panel.view.invalidateAll();
    list.draw();
  });
  return threads;
}

// Our state in a thread changed, here or in another tab: the panel, the Threads view and
// the notifications about replies read (the server read those too) follow.
function followed(follow) {
  const { app, panel, list } = threads;
  panel.setFollow(follow);
  list.followed(follow);
  app.notifications.readThreadUpTo(follow.root_id, follow.last_read_id || 0);
}

// Open a thread (rootId may be a reply's id) in its room, at messageId if given.
export async function openThread(roomId, rootId, messageId = null) {
  if (!threads) return;
  const { app, panel } = threads;
  if (app.state.room?.id !== Number(roomId)) await app.open(roomId, null);
  const room = app.state.room;
  if (!room || room.id !== Number(roomId)) return;
  await panel.open(room, rootId, { messageId });
}

export function closeThread() { threads?.panel.close(); }

// The open room changed: a thread of another room closes.
export function threadRoomOpened(room) {
  if (threads?.panel.room && threads.panel.room.id !== room.id) threads.panel.close();
}

// Signed in: the thread panel keeps its unsent replies in the user's outbox (the room's
// actions send them again when the network returns), and the Threads view loads.
export function threadsStarted(outbox) {
  threads?.panel.actions.useOutbox(outbox);
  threads?.list.load();
}

// After a reconnect: the panel and the list catch up (the room's window is live.js's).
export function threadsResync() {
  threads?.panel.resync();
  threads?.list.load();
}

// Handles the thread frames and the thread side of message frames; true when the frame
// is the thread's alone (live.js then leaves it).
export function threadFrame(app, frame) {
  if (!threads) return false;
  const { panel, list } = threads;
  const msg = frame.message;
  switch (frame.type) {
    case "thread_updated":
      if (app.state.room?.id === frame.room_id) app.conversation.amend(frame.thread.root_id, { thread: frame.thread });
      list.summary(frame.thread);
      return true;
    case "thread_state":
      followed(frame.follow);
      return true;
    case "chat_message":
    case "message_updated":
    case "message_deleted":
      panel.upsert(msg);
      if (frame.type !== "chat_message") list.rootChanged(msg);
      return Boolean(msg?.thread_only);
    case "reaction":
      panel.reaction(frame);
      return false;
    default:
      return false;
  }
}

// Under a root: faces of the last repliers, "N replies", the last reply's time. Under a
// reply that was also sent to the room: a link to its thread.
function threadLine(msg, ctx) {
  const open = () => ctx.actions.openThread?.(msg);
  if (msg.thread_id) {
    return h("button", { type: "button", class: "thread-link", onclick: open },
      icon("thread"), h("span", { text: t("view_thread") }));
  }
  const summary = msg.thread;
  if (!summary?.reply_count || !msg.id) return null;
  const count = summary.reply_count === 1 ? t("thread_replies_one") : t("thread_replies", { n: summary.reply_count });
  return h("button", { type: "button", class: "thread-summary", onclick: open, "aria-label": `${count} — ${t("open_thread")}` },
    h("span", { class: "thread-faces", "aria-hidden": "true" }, (summary.last_repliers || []).slice(0, 3)
      .map((user) => h("span", { class: `avatar tiny ${hueClass(user.id)}`, title: user.display_name || user.username },
        avatarFace(user)))),
    h("strong", { class: "thread-count", text: count }),
    summary.last_reply_at ? h("time", { class: "thread-last", datetime: summary.last_reply_at, title: formatFull(summary.last_reply_at),
      text: t("thread_last_reply", { when: formatTime(summary.last_reply_at) }) }) : null);
}

const typing = (el) => el?.matches?.("input, textarea, select, [contenteditable]");

// T on a focused message replies in its thread; Alt+T opens the Threads view.
// (Escape is app.js's: it closes the thread once no menu or panel is left to close.)
function keys(e) {
  if (!threads || e.defaultPrevented || e.ctrlKey || e.metaKey) return;
  if (e.altKey && e.code === "KeyT") {
    e.preventDefault();
    threads.list.open();
    return;
  }
  if (e.altKey || e.key.toLowerCase() !== "t" || typing(e.target)) return;
  const el = e.target.closest?.("#message-list .msg[data-id]");
  const msg = el && threads.app.conversation.messages.get(Number(el.dataset.id));
  if (!msg || msg.message_type === "system") return;
  e.preventDefault();
  threads.app.conversation.ctx.actions.openThread(msg);
}
