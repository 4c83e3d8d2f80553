// The thread panel beside the room (full screen on a phone, with a back button): the
// root and its replies, older pages on scroll-up, its own composer with "also send to
// the room", the follow button and the thread's read mark. The list is a Conversation
// reading the thread's pages; sending is a MessageActions of its own (docs/threads.md).
import { MessageActions } from "./actions.js";
import { del, get, post, put } from "./api.js";
import { Composer } from "./composer.js";
import { Conversation } from "./conversation.js";
import { $, h, icon } from "./dom.js";
import { t } from "./i18n.js";

// One thread's messages: the root first, then its replies, paged by reply id.
class ThreadView extends Conversation {
  show(room, rootId) {
    this.reset(room);
    this.readMark = null;           // set from the thread's own read mark, not the room's
    this.rootId = rootId;
    this.more = false;
  }

  get hasMore() { return this.more; }

  beginningNode() { return null; }   // the root heads the thread

  elementFor(msg) {
    const el = super.elementFor(msg);
    el.classList.toggle("thread-root", msg.id === this.rootId);
    return el;
  }

  // The thread answers {root, thread, follow, results, has_more}; the list wants
  // {messages, total}. Older pages are asked for before the oldest reply shown.
  async fetchPage(page, size) {
    const params = new URLSearchParams({ limit: String(Math.min(100, size)) });
    const replies = [...this.messages.keys()].filter((id) => id !== this.rootId);
    if (page > 1 && replies.length) params.set("before", String(Math.min(...replies)));
    const body = await get(`/api/chat/threads/${encodeURIComponent(this.rootId)}/messages/?${params}`);
    if (page > 1 || !this.loaded) this.more = body.has_more;
    if (!this.loaded && body.follow?.unread_count) this.readMark = body.follow.last_read_id ?? 0;
    this.ctx.loaded?.(body);
    return { messages: [body.root, ...body.results], total: 0 };
  }
}

export class ThreadPanel {
  // app: the page's app (state, me(), room(), flash, people, actions); ctx: the room's
  // message context, which this panel's context inherits from (live values: me, names).
  // hooks: { followChanged(follow), closed() }
  constructor(app, ctx, hooks) {
    this.app = app;
    this.hooks = hooks;
    this.root = $("#thread-panel");
    this.room = null;
    this.follow = null;
    this.readSent = 0;
    this.actions = new MessageActions({
      conversation: null, room: () => this.room, me: app.me, flash: app.flash,
      sent: () => this.view.scrollToBottom(), threadId: () => this.view.rootId,
    });
    this.view = new ThreadView($("#thread-scroller"), $("#thread-list"), this.context(ctx), $("#thread-loading"));
    this.actions.app.conversation = this.view;
    this.also = $("#thread-also");
    this.composer = new Composer($("#thread-composer"), {
      members: () => app.people.others(),
      send: (text, replyTo) => {
        this.actions.send(text, replyTo, { thread_id: this.view.rootId, also_to_room: this.also.checked });
        this.also.checked = false;        // as Slack: each reply chooses again
      },
      saveEdit: (msg, text) => this.actions.saveEdit(msg, text),
      typing: () => {},             // typing notices are the room's
      lastOwnMessage: () => this.view.ordered().reverse()
        .find((m) => m.id && m.sender?.id === app.me().id && m.message_type === "text" && !m.is_deleted),
    });
    $("#thread-follow").addEventListener("click", () => this.toggleFollow());
    $("#thread-close").addEventListener("click", () => this.close());
    $("#thread-back").addEventListener("click", () => this.close());
  }

  // A context like the room's, for this panel: its own ids, jumps, actions, no thread line.
  context(parent) {
    const ctx = Object.create(parent);
    ctx.idPrefix = "t-";
    ctx.threadLine = null;
    ctx.quotes = (msg) => msg.reply_to !== this.view.rootId;   // only a reply to a reply quotes
    ctx.loaded = (body) => this.loaded(body);
    ctx.onScrolled = (bottom) => { if (bottom) this.markRead(); };
    ctx.actions = {
      ...parent.actions,
      openThread: null,
      reply: (msg) => this.composer.startReply(msg),
      edit: (msg) => this.composer.startEdit(msg),
      react: (msg, emoji) => this.actions.react(msg, emoji),
      pickEmoji: (msg, anchor) => this.actions.pickEmoji(msg, anchor),
      retry: (msg) => this.actions.deliver(msg),
      discard: (msg) => this.actions.discard(msg),
      jump: (id) => this.view.jumpTo(id),
      imageLoaded: () => { if (this.view.atBottom()) this.view.scrollToBottom(); },
    };
    return ctx;
  }

  get rootId() { return this.isOpen ? this.view.rootId : null; }

  get isOpen() { return !this.root.hidden; }

  // Open rootId's thread (rootId may be any reply: the server answers with its root).
  async open(room, rootId, { messageId = null, focus = true } = {}) {
    this.room = room;
    this.follow = null;
    this.readSent = 0;
    this.view.show(room, Number(rootId));
    this.composer.clear();
    this.also.checked = false;
    this.drawHeader();
    this.root.hidden = false;
    document.body.classList.add("thread-open");
    try {
      await this.view.loadFirst();
    } catch (err) {
      this.app.flash(err.status === 404 ? t("thread_gone") : err.message);
      return this.close();
    }
    this.actions.restore(room.id);
    if (messageId && Number(messageId) !== this.view.rootId) await this.view.jumpTo(messageId);
    if (focus) this.composer.focus();
    this.markRead();
  }

  close() {
    if (!this.isOpen) return;
    this.root.hidden = true;
    document.body.classList.remove("thread-open");
    this.view.show(null, null);
    this.room = null;
    this.hooks.closed?.();
  }

  // The first page told us the root (its id, when we were given a reply's) and our state.
  loaded(body) {
    if (this.view.loaded) return;
    this.view.rootId = body.root.id;
    this.setFollow(body.follow);
  }

  setFollow(follow) {
    if (!follow || follow.root_id !== this.view.rootId) return;
    this.follow = follow;
    this.drawHeader();
  }

  drawHeader() {
    const name = this.room ? this.app.roomName(this.room) : "";
    $("#thread-room").textContent = name ? t("thread_in", { room: name }) : "";
    $("#thread-back").setAttribute("aria-label", t("back_to_room", { room: name }));
    $("#thread-back").title = t("back_to_room", { room: name });
    $("#thread-also-label").textContent = name ? t("also_to_room", { room: name }) : t("also_to_room_short");
    this.composer.input.placeholder = t("thread_placeholder");
    const following = Boolean(this.follow?.following);
    const button = $("#thread-follow");
    button.hidden = !this.follow;
    button.textContent = t(following ? "unfollow_thread" : "follow_thread");
    button.setAttribute("aria-pressed", String(following));
    button.title = t(following ? "unfollow_thread_label" : "follow_thread_label");
  }

  async toggleFollow() {
    const root = this.view.rootId;
    const path = `/api/chat/threads/${root}/follow/`;
    try {
      const answer = this.follow?.following ? await del(path) : await put(path);
      this.setFollow(answer);
      this.hooks.followChanged(answer);
    } catch (err) {
      this.app.flash(err.message);
    }
  }

  // A reply, an edit or a deletion heard on the socket.
  upsert(msg) {
    if (!this.isOpen || (msg.thread_id !== this.view.rootId && msg.id !== this.view.rootId)) return;
    const atBottom = this.view.atBottom();
    this.view.upsert(msg);
    if (atBottom) this.markRead();
  }

  reaction(frame) {
    if (this.isOpen && this.view.messages.has(frame.message_id)) this.view.applyReaction(frame);
  }

  // Read up to the newest reply shown while we look at it (any tab's read reaches the
  // others as a thread_state frame).
  async markRead() {
    const last = this.view.lastId();
    if (!this.isOpen || !last || document.hidden || !this.view.atBottom() || last <= this.readSent) return;
    if (!this.follow?.following && !this.follow?.unread_count) return;
    if (last <= (this.follow.last_read_id || 0)) return;
    this.readSent = last;
    try {
      const follow = await post(`/api/chat/threads/${this.view.rootId}/read/`, { message_id: last });
      this.setFollow(follow);
      this.hooks.followChanged(follow);
    } catch { /* the next look tries again */ }
  }

  // After a reconnect: what changed in the thread while we were away.
  resync() {
    if (this.isOpen) this.view.refreshWindow().catch(() => {});
  }
}

// The panel's place in the page (templates/index.html has none: built here once).
export function threadPanelElement() {
  const label = (key) => ({ "aria-label": t(key), title: t(key), dataset: { i18nLabel: key } });
  return h("aside", { id: "thread-panel", class: "thread-panel", hidden: true, ...label("thread") },
    h("header", { class: "thread-head" },
      h("button", { type: "button", class: "icon-button thread-back", id: "thread-back" }, icon("arrow-left")),
      h("div", { class: "thread-heading" },
        h("h2", { text: t("thread"), dataset: { i18n: "thread" } }),
        h("p", { id: "thread-room", class: "muted small" })),
      h("button", { type: "button", class: "secondary thread-follow", id: "thread-follow", hidden: true }),
      h("button", { type: "button", class: "icon-button thread-close", id: "thread-close", ...label("close_thread") },
        icon("close"))),
    h("div", { class: "conversation" },
      h("div", { id: "thread-scroller", class: "scroller" },
        h("div", { id: "thread-list", class: "message-list", role: "log", ...label("thread") })),
      h("div", { id: "thread-loading", class: "loading-older", role: "status", hidden: true,
        text: t("loading_older"), dataset: { i18n: "loading_older" } })),
    h("footer", { id: "thread-composer", class: "composer" },
      h("div", { class: "composer-context", hidden: true }),
      h("form", { class: "composer-form" },
        h("div", { class: "composer-box" },
          h("ul", { id: "thread-mention-list", class: "mention-list", role: "listbox", hidden: true, ...label("mention_list") }),
          h("textarea", { id: "thread-input", rows: "1", maxlength: "5000", "aria-autocomplete": "list",
            "aria-controls": "thread-mention-list", ...label("thread_placeholder") })),
        h("button", { type: "submit", class: "send-button", ...label("send") }, icon("send"))),
      h("label", { class: "also-to-room" },
        h("input", { type: "checkbox", id: "thread-also" }), " ", h("span", { id: "thread-also-label" }))));
}
