// The "Threads" view: the threads one follows, unread first, with unread and mention
// badges; its entry at the top of the sidebar carries the number of unread threads.
// Kept live by thread_state (counts, follows, from any tab) and thread_updated (the
// roots' summaries) frames; a follow it has not heard of reloads the list.
import { get } from "./api.js";
import { $, displayName, fill, formatFull, h, icon } from "./dom.js";
import { t } from "./i18n.js";
import { formatCompact, slackMarkup } from "./markdown.js";
import { fillPanel, openPanel, sidePanel } from "./side_panel.js";

const LIMIT = 200;

const unread = (item) => (item.follow.unread_count || 0) > 0;

function byUnreadThenRecent(a, b) {
  if (unread(a) !== unread(b)) return unread(a) ? -1 : 1;
  return (b.thread?.last_reply_id || b.root.id) - (a.thread?.last_reply_id || a.root.id);
}

export class ThreadList {
  // hooks: { open(roomId, rootId), roomName(room) }
  constructor(hooks) {
    this.hooks = hooks;
    this.items = [];             // [{root, thread, follow}], followed threads only
    this.unreadThreads = 0;
    this.mentions = 0;
    this.link = h("a", { href: "#", id: "threads-link", class: "room-link threads-link",
      onclick: (e) => { e.preventDefault(); this.open(); } });
    $(".room-nav").prepend(h("ul", { class: "room-list threads-entry" }, h("li", {}, this.link)));
    this.draw();
  }

  async load() {
    let body;
    try {
      body = await get(`/api/chat/threads/?limit=${LIMIT}`);
    } catch {
      return;
    }
    this.items = body.results.filter((item) => item.follow?.following).sort(byUnreadThenRecent);
    this.unreadThreads = body.unread_threads || 0;
    this.mentions = body.mention_count || 0;
    this.draw();
  }

  // Our state in one thread changed (a reply, a read in any tab, a follow or unfollow).
  followed(follow) {
    const at = this.items.findIndex((item) => item.root.id === follow.root_id);
    if (at < 0) {
      if (follow.following) this.load();
      return;
    }
    const before = this.items[at].follow;
    this.unreadThreads += Number(follow.unread_count > 0) - Number(before.unread_count > 0);
    this.mentions += (follow.mention_count || 0) - (before.mention_count || 0);
    if (follow.following) this.items[at] = { ...this.items[at], follow };
    else this.items.splice(at, 1);
    this.items.sort(byUnreadThenRecent);
    this.draw();
  }

  // A root's summary changed (replies, deletions).
  summary(thread) {
    const item = this.items.find((i) => i.root.id === thread.root_id);
    if (!item) return;
    item.thread = thread;
    this.items.sort(byUnreadThenRecent);
    this.draw();
  }

  // An edit or deletion of a followed root.
  rootChanged(msg) {
    const item = this.items.find((i) => i.root.id === msg.id);
    if (item) item.root = msg;
    if (item) this.draw();
  }

  draw() {
    const count = Math.max(0, this.unreadThreads);
    this.link.classList.toggle("has-unread", count > 0);
    fill(this.link,
      h("span", { class: "room-icon", "aria-hidden": "true" }, icon("thread")),
      h("span", { class: "room-name", text: t("threads") }),
      this.mentions > 0 ? h("span", { class: "badge mention-badge", text: "@",
        "aria-label": t("thread_mentions", { n: this.mentions }), title: t("thread_mentions", { n: this.mentions }) }) : null,
      count ? h("span", { class: "badge", "aria-label": t("unread", { n: count }), text: count > 99 ? "99+" : String(count) }) : null);
    const panel = document.getElementById("threads-panel");
    if (panel && !panel.hidden) this.fill(panel);
  }

  open() {
    document.body.classList.remove("sidebar-open");
    openPanel(this.fill(sidePanel("threads-panel", "threads")));
    this.load();
  }

  fill(panel) {
    fillPanel(panel, this.items.map((item) => this.item(item)), "no_threads");
    return panel;
  }

  item({ root, thread, follow }) {
    const room = root.room || { id: follow.room_id };
    const count = thread?.reply_count || 0;
    return h("li", { class: "panel-item thread-item" + (unread({ follow }) ? " unread" : "") },
      h("button", { type: "button", class: "panel-message", dataset: { rootId: root.id },
        onclick: () => this.hooks.open(follow.room_id, root.id) },
      h("span", { class: "result-meta" }, h("strong", { text: displayName(root.sender) }), " · ",
        h("span", { text: this.hooks.roomName(room) }), " · ",
        h("time", { datetime: thread?.last_reply_at || root.created_at, text: formatFull(thread?.last_reply_at || root.created_at) })),
      h("span", { class: "snippet compact" }, root.is_deleted ? t("message_deleted")
        : root.file_name || formatCompact(root.content || "", slackMarkup(root))),
      h("span", { class: "thread-counts" },
        h("span", { class: "muted", text: count === 1 ? t("thread_replies_one") : t("thread_replies", { n: count }) }),
        follow.unread_count ? h("span", { class: "badge", text: t("thread_unread", { n: follow.unread_count }) }) : null,
        follow.mention_count ? h("span", { class: "badge mention-badge", text: `@${follow.mention_count}`,
          "aria-label": t("thread_mentions", { n: follow.mention_count }) }) : null)));
  }
}
