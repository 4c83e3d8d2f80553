// The message list of the open room: pages of history loaded on scroll-up without the
// view jumping, live messages deduped by id (and pending ones by client_id), day
// separators, grouping of one sender's consecutive messages, jump-to-message.
import { get } from "./api.js";
import { t } from "./i18n.js";
import { dayKey, dayLabel, h } from "./dom.js";
import { messageElement } from "./message_view.js";

const PAGE_SIZE = 50;
const GROUP_GAP_MS = 5 * 60 * 1000;
const MAX_JUMP_PAGES = 40;

export class Conversation {
  // indicator: the "loading older" overlay of this list (the room's, or a thread's).
  constructor(scroller, list, ctx, indicator = document.getElementById("loading-older")) {
    this.scroller = scroller;
    this.list = list;
    this.indicator = indicator;
    this.ctx = ctx;              // shared with message_view; ctx.byId is ours
    ctx.byId = (id) => this.messages.get(Number(id));
    this.reset(null);
    scroller.addEventListener("scroll", () => this.onScroll(), { passive: true });
  }

  reset(room) {
    this.room = room;
    this.messages = new Map();    // id → message
    this.pending = new Map();     // client_id → optimistic message
    this.elements = new Map();
    this.separators = new Map();  // day → separator element, reused like messages
    this.beginning = null;
    this.loaded = false;         // the first page arrived: only then is "the beginning" known
    this.loadFailed = false;
    this.failure = null;
    // "New messages" goes before the first message after our read mark, if any unread.
    this.readMark = room?.unread_count ? room.last_read_message_id ?? 0 : null;
    this.newDivider = null;
    this.pages = 0;
    this.total = 0;
    this.loading = null;
    this.generation = (this.generation || 0) + 1;
    this.list.replaceChildren();
  }

  get hasMore() { return this.pages * PAGE_SIZE < this.total; }

  lastId() {
    let last = 0;
    for (const id of this.messages.keys()) if (id > last) last = id;
    return last || null;
  }

  atBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 40;
  }

  scrollToBottom() { this.scroller.scrollTop = this.scroller.scrollHeight; }

  // A failure is shown in the list (with a retry) before it is thrown to the caller.
  async loadFirst() {
    const generation = this.generation;
    let page;
    try {
      page = await this.fetchPage(1, PAGE_SIZE);
    } catch (err) {
      if (generation === this.generation) {
        this.loadFailed = true;
        this.render("anchor");
      }
      throw err;
    }
    if (generation !== this.generation) return;
    this.loaded = true;
    this.loadFailed = false;
    this.pages = 1;
    this.total = page.total;
    for (const msg of page.messages) this.messages.set(msg.id, msg);
    this.render("bottom");
    const divider = this.newDivider?.isConnected ? this.newDivider : null;
    if (divider && divider.offsetTop < this.scroller.scrollTop) {
      this.scroller.scrollTop = divider.offsetTop - 24;      // start reading where we left off
    }
  }

  pageUrl(page, size) {
    // The main timeline: a reply sent to its thread only is not part of it (docs/threads.md).
    return `/api/chat/rooms/${encodeURIComponent(this.room.id)}/timeline/?page=${page}&page_size=${size}`;
  }

  // A page of history, newest page first: {messages, total}. A thread answers its own way.
  fetchPage(page, size) {
    return get(this.pageUrl(page, size));
  }

  onScroll() {
    if (this.scroller.scrollTop < 300 && this.hasMore && !this.loading) this.loadOlder();
    this.ctx.onScrolled?.(this.atBottom());
  }

  loadOlder() {
    if (!this.hasMore) return Promise.resolve(false);
    this.loading ||= (async () => {
      const generation = this.generation;
      const indicator = this.indicator;
      indicator.hidden = false;          // an overlay: prepending it would move the view
      try {
        const page = await this.fetchPage(this.pages + 1, PAGE_SIZE);
        if (generation !== this.generation) return false;
        this.pages += 1;
        this.total = page.total;
        for (const msg of page.messages) if (!this.messages.has(msg.id)) this.messages.set(msg.id, msg);
        this.invalidateUnresolvedReplies();
        this.render("anchor");
        return true;
      } finally {
        indicator.hidden = true;
        this.loading = null;
      }
    })();
    return this.loading;
  }

  // A live or replayed message (fetchedAt null), or one from a REST answer whose request
  // started at fetchedAt: a live frame that arrived meanwhile is newer and wins.
  // Returns true when the message is new to this view.
  upsert(msg, fetchedAt = null) {
    if (msg.client_id && this.pending.has(msg.client_id)) {
      this.pending.delete(msg.client_id);
      this.elements.delete("c" + msg.client_id);
    }
    const known = this.messages.get(msg.id);
    const isNew = !known;
    if (known && (sameVersion(known, msg) || isStale(known, msg, fetchedAt))) return false;
    if (fetchedAt === null) msg._liveAt = performance.now();
    this.messages.set(msg.id, msg);
    if (isNew) this.total += 1;
    this.elements.delete("m" + msg.id);
    for (const other of this.messages.values()) {
      if (other.reply_to === msg.id) this.elements.delete("m" + other.id);
    }
    this.render(isNew ? "follow" : "anchor");
    return isNew;
  }

  applyReaction(frame) {
    this.amend(frame.message_id, { reactions: frame.reactions });
  }

  // Part of a message changed live (its reactions, a root's thread summary).
  amend(id, changes) {
    const msg = this.messages.get(id);
    if (!msg) return;
    this.messages.set(msg.id, { ...msg, ...changes, _liveAt: performance.now() });
    this.elements.delete("m" + msg.id);
    this.render("anchor");
  }

  addPending(msg) {
    this.pending.set(msg.client_id, msg);
    this.elements.delete("c" + msg.client_id);
    this.render("bottom");
  }

  removePending(clientId) {
    this.pending.delete(clientId);
    this.elements.delete("c" + clientId);
    this.render("anchor");
  }

  updatePending(clientId, changes) {
    const msg = this.pending.get(clientId);
    if (!msg) return;
    this.pending.set(clientId, { ...msg, ...changes });
    this.elements.delete("c" + clientId);
    this.render("anchor");
  }

  // After a reconnect: re-read the newest window so edits and deletions made while
  // we were away show up (new messages came through ?since=).
  async refreshWindow() {
    if (!this.room) return;
    if (!this.loaded) return this.loadFirst();
    const generation = this.generation;
    const startedAt = performance.now();
    const size = Math.min(100, Math.max(PAGE_SIZE, this.messages.size));
    const page = await this.fetchPage(1, size);
    if (generation !== this.generation) return;
    this.total = Math.max(this.total, page.total);
    for (const msg of page.messages) {
      const known = this.messages.get(msg.id);
      if (!known || !(sameVersion(known, msg) || isStale(known, msg, startedAt))) {
        this.messages.set(msg.id, msg);
        this.elements.delete("m" + msg.id);
      }
    }
    this.render("follow");
  }

  invalidateAll() {
    this.elements.clear();
    this.separators.clear();
    this.beginning = null;
    this.newDivider = null;
    this.render("anchor");
  }

  // Mentions are highlighted only for known member names: redraw those once known.
  invalidateMentions() {
    for (const msg of this.messages.values()) {
      if (msg.content?.includes("@")) this.elements.delete("m" + msg.id);
    }
    this.render("anchor");
  }

  // Someone's new name or picture: their messages, and the quotes of them, are redrawn.
  renamed(user) {
    const changed = new Set();
    for (const msg of this.messages.values()) {
      if (msg.sender?.id !== user.id || msg.sender.is_bot) continue;   // a hook names each message
      this.messages.set(msg.id, { ...msg, sender: { ...msg.sender, ...user } });
      changed.add(msg.id);
    }
    for (const msg of this.messages.values()) {
      if (changed.has(msg.id) || changed.has(msg.reply_to)) this.elements.delete("m" + msg.id);
    }
    if (changed.size) this.render("anchor");
  }

  invalidateUnresolvedReplies() {
    for (const msg of this.messages.values()) {
      if (msg.reply_to && this.messages.has(msg.reply_to)) this.elements.delete("m" + msg.id);
    }
  }

  async jumpTo(id) {
    id = Number(id);
    for (let i = 0; !this.messages.has(id) && this.hasMore && i < MAX_JUMP_PAGES; i++) {
      await this.loadOlder();
    }
    const el = document.getElementById(`${this.ctx.idPrefix || "m-"}${id}`);
    if (!el) return false;
    el.scrollIntoView({ block: "center" });
    el.classList.remove("flash");
    void el.offsetWidth;            // restart the highlight animation
    el.classList.add("flash");
    el.focus({ preventScroll: true });
    return true;
  }

  ordered() {
    const sorted = [...this.messages.values()].sort((a, b) => a.id - b.id);
    return sorted.concat([...this.pending.values()]);
  }

  elementFor(msg) {
    const key = msg.id ? "m" + msg.id : "c" + msg.client_id;
    let el = this.elements.get(key);
    if (!el) {
      el = messageElement(msg, this.ctx);
      this.elements.set(key, el);
    }
    return el;
  }

  // mode: "bottom" always scrolls down; "follow" only if we were at the bottom;
  // "anchor" keeps the first visible message where it is (older pages, edits).
  render(mode) {
    const wasAtBottom = this.atBottom();
    const anchor = mode === "anchor" || (mode === "follow" && !wasAtBottom) ? this.visibleAnchor() : null;
    const nodes = [];
    if (this.loadFailed) nodes.push(this.failure ||= this.failureNotice());
    else if (this.loaded && !this.hasMore && this.room) {
      this.beginning ||= this.beginningNode();
      if (this.beginning) nodes.push(this.beginning);
    }
    let prev = null;
    for (const msg of this.ordered()) {
      const when = msg.created_at || new Date().toISOString();
      if (!prev || dayKey(prev.created_at || when) !== dayKey(when)) {
        nodes.push(this.separator(when));
        prev = null;
      }
      if (this.isFirstUnread(msg, nodes)) {
        this.newDivider ||= h("div", { class: "new-divider", role: "separator" }, h("span", { text: t("new_messages") }));
        nodes.push(this.newDivider);
        prev = null;
      }
      const el = this.elementFor(msg);
      el.classList.toggle("continued", continues(prev, msg));
      el.classList.toggle("pending", msg._state === "pending");
      el.classList.toggle("failed", msg._state === "failed");
      nodes.push(el);
      prev = msg;
    }
    patchChildren(this.list, nodes);
    if (mode === "bottom" || (mode === "follow" && wasAtBottom)) this.scrollToBottom();
    else if (anchor) {
      const el = document.getElementById(anchor.id);
      if (el) this.scroller.scrollTop = el.offsetTop + el.offsetHeight - anchor.offset;
    }
  }

  beginningNode() {
    return h("div", { class: "beginning", text: t("beginning", { room: this.ctx.roomTitle(this.room) }) });
  }

  // Offline, a room's history may not arrive: say so instead of "the beginning of".
  failureNotice() {
    const retry = h("button", { type: "button", class: "link-button", text: t("retry"), onclick: () => {
      this.loadFailed = false;
      this.failure = null;
      this.render("anchor");
      this.loadFirst().catch(() => {});
    } });
    return h("div", { class: "beginning load-failed", role: "alert" },
      h("span", { text: t("history_failed", { room: this.ctx.roomTitle(this.room) }) }), " ", retry);
  }

  isFirstUnread(msg, nodes) {
    if (this.readMark === null || !msg.id || msg.id <= this.readMark) return false;
    if (msg.sender?.id === this.ctx.me?.id || msg.message_type === "system") return false;
    return !nodes.includes(this.newDivider);
  }

  separator(when) {
    const key = dayKey(when);
    if (!this.separators.has(key)) {
      this.separators.set(key, h("div", { class: "day", role: "separator" }, h("span", { text: dayLabel(when) })));
    }
    return this.separators.get(key);
  }

  // The first message still visible, by its bottom edge: when older pages add a
  // message from the same sender above it, its header folds away and its text stays put.
  visibleAnchor() {
    const top = this.scroller.scrollTop;
    for (const el of this.list.children) {
      const bottom = el.offsetTop + el.offsetHeight;
      if (el.id && bottom > top) {
        return { id: el.id, offset: bottom - top };
      }
    }
    return null;
  }
}

// Move only what changed: the list is an aria-live log, and re-inserting every node
// would make screen readers announce the whole history again.
function patchChildren(parent, nodes) {
  const keep = new Set(nodes);
  for (const child of [...parent.childNodes]) if (!keep.has(child)) child.remove();
  let cursor = parent.firstChild;
  for (const node of nodes) {
    if (node === cursor) cursor = cursor.nextSibling;
    else parent.insertBefore(node, cursor);
  }
  while (cursor) {
    const next = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
}

function continues(prev, msg) {
  if (!prev || prev.message_type === "system" || msg.message_type === "system") return false;
  if (prev.sender?.id !== msg.sender?.id) return false;
  // A webhook may name each message differently ("username"): show each name.
  if (prev.sender?.display_name !== msg.sender?.display_name) return false;
  const gap = new Date(msg.created_at || Date.now()) - new Date(prev.created_at || Date.now());
  return gap < GROUP_GAP_MS;
}

function isStale(known, incoming, fetchedAt) {
  if (known.is_deleted && !incoming.is_deleted) return true;      // deletion is final
  return fetchedAt !== null && (known._liveAt || 0) > fetchedAt;
}

function sameVersion(a, b) {
  return a.updated_at === b.updated_at && a.is_deleted === b.is_deleted && a.content === b.content
    && a.is_edited === b.is_edited && JSON.stringify(a.reactions || []) === JSON.stringify(b.reactions || [])
    && JSON.stringify(a.previews || []) === JSON.stringify(b.previews || [])
    && JSON.stringify(a.thread ?? null) === JSON.stringify(b.thread ?? null);
}
