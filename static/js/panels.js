// The side panels: notifications (read / unread, mark read, read-all, desktop alerts)
// and search results (server snippets rendered as text with <mark> only).
import { get, post } from "./api.js";
import { onLanguage, t } from "./i18n.js";
import { $, displayName, formatFull, h, markedSnippet } from "./dom.js";
import { isDoNotDisturb } from "./status.js";

const QUOTED = 200;    // characters of a message a notification quotes (as the server)

export class Notifications {
  // app: { me(), open(roomId, messageId, {join}), changed(unreadCount) }
  constructor(app) {
    this.app = app;
    this.items = [];
    this.panel = $("#notifications-panel");
    $("#notifications-button").addEventListener("click", () => this.toggle());
    $("#read-all-button").addEventListener("click", () => this.readAll());
    $("#desktop-button").addEventListener("click", () => this.askPermission());
  }

  get unread() { return this.items.filter((n) => !n.is_read).length; }

  async load() {
    try {
      this.items = await get("/api/chat/notifications/?limit=50");
    } catch {
      return;
    }
    this.draw();
  }

  // Returns false for a copy already seen (each open socket delivers one).
  add(notification) {
    if (this.items.some((n) => n.id === notification.id)) return false;
    this.items = [notification, ...this.items];
    this.draw();
    const room = notification.room;
    const wanted = notification.notification_type === "mention" || room?.room_type === "direct"
      || notification.notification_type === "room_invite"
      || (notification.notification_type === "system" && notification.message);   // a reminder
    if (wanted) desktopAlert(notification.title, notification.content, () => this.openItem(notification));
    return true;
  }

  // A room read (here, in another tab or device) up to messageId: so are its mentions.
  readUpTo(roomId, messageId) {
    this.readWhere((n) => n.room?.id === roomId && n.message && n.message.id <= messageId);
  }

  // A thread read up to messageId (here or in another tab): so are the notifications of its replies.
  readThreadUpTo(rootId, messageId) {
    this.readWhere((n) => n.message?.thread_id === rootId && n.message.id <= messageId);
  }

  readWhere(about) {
    const read = this.items.filter((n) => !n.is_read && about(n));
    for (const n of read) n.is_read = true;
    if (read.length) this.draw();
  }

  // An edited message: the notifications about it quote the new text (as the server does).
  edited(msg) {
    const about = this.items.filter((n) => n.message?.id === msg.id);
    for (const n of about) {
      n.content = (msg.content || "").slice(0, QUOTED);
      n.message = { ...n.message, content: msg.content };
    }
    if (about.length) this.draw();
  }

  toggle(force) {
    const open = force ?? this.panel.hidden;
    closePanels();
    this.panel.hidden = !open;
    $("#notifications-button").setAttribute("aria-expanded", String(open));
    if (open) {
      this.draw();
      $("#notifications-panel .panel-close").focus();
    }
  }

  async readAll() {
    await post("/api/chat/notifications/read-all/");
    for (const n of this.items) n.is_read = true;
    this.draw();
  }

  async openItem(n) {
    if (!n.is_read) this.markRead(n);
    if (n.room) {
      this.app.open(n.room.id, n.message?.id,
        { join: n.notification_type === "room_invite", thread: n.message?.thread_id || null });
    }
  }

  // An invitation not answered yet: explicit Accept (join and open) or Decline.
  invitation(n) {
    const answer = async (accept) => {
      try {
        if (accept) await this.openItem(n);
        else {
          await post(`/api/chat/rooms/${n.room.id}/decline/`);
          await this.markRead(n);
        }
      } catch (err) {
        this.app.flash?.(err.message);
      }
    };
    return h("div", { class: "notification invitation" + (n.is_read ? "" : " unread"), role: "group", "aria-label": n.title },
      h("span", { class: "notification-title", text: n.title }),
      h("span", { class: "notification-text", text: n.content }),
      h("time", { datetime: n.created_at, text: formatFull(n.created_at) }),
      n.is_read ? null : h("span", { class: "invitation-buttons" },
        h("button", { type: "button", class: "primary", text: t("accept"), onclick: () => answer(true) }),
        h("button", { type: "button", class: "secondary", text: t("decline"), onclick: () => answer(false) })));
  }

  async markRead(n) {
    n.is_read = true;
    this.draw();
    await post(`/api/chat/notifications/${n.id}/read/`).catch(() => {});
  }

  askPermission() {
    if (!("Notification" in window)) return;
    Notification.requestPermission().then(() => this.draw());
  }

  draw() {
    const count = this.unread;
    const badge = $("#notifications-badge");
    badge.hidden = !count;
    badge.textContent = count > 99 ? "99+" : String(count);
    $("#notifications-button").setAttribute("aria-label", `${t("notifications")}${count ? " — " + t("unread", { n: count }) : ""}`);
    const desktop = $("#desktop-button");
    const supported = "Notification" in window;
    desktop.hidden = !supported || Notification.permission === "denied";
    desktop.textContent = supported && Notification.permission === "granted" ? t("desktop_on") : t("enable_desktop");
    desktop.disabled = supported && Notification.permission === "granted";
    const list = $("#notifications-list");
    list.replaceChildren(...(this.items.length ? this.items.map((n) => h("li", {},
      isInvitation(n) ? this.invitation(n) : h("button", {
        type: "button", class: "notification" + (n.is_read ? "" : " unread"), onclick: () => this.openItem(n),
      },
      h("span", { class: "notification-title", text: n.title }),
      h("span", { class: "notification-text", text: n.content }),
      h("time", { datetime: n.created_at, text: formatFull(n.created_at) })))) : [h("li", { class: "muted empty", text: t("no_notifications") })]));
    this.app.changed(count);
  }
}

function isInvitation(n) { return n.notification_type === "room_invite" && n.room; }

// A desktop notification only while the tab is hidden and after the user allowed it.
export function desktopAlert(title, body, onClick) {
  if (!("Notification" in window) || Notification.permission !== "granted" || !document.hidden) return;
  if (isDoNotDisturb()) return;
  const note = new Notification(title, { body: String(body || "").slice(0, 200), tag: "teahouse" });
  note.onclick = () => {
    window.focus();
    onClick?.();
    note.close();
  };
}

export class Search {
  // app: { me(), open(roomId, messageId, {thread}), roomName(room) }
  constructor(app) {
    this.app = app;
    this.panel = $("#search-panel");
    this.nextBefore = null;
    this.query = "";
    $("#search-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.run($("#search-input").value.trim());
    });
    $("#search-more").addEventListener("click", () => this.more());
    $("#search-results").addEventListener("keydown", (e) => this.onKey(e));
    onLanguage(() => { if (this.query) $("#search-title").textContent = t("results_for", { q: this.query }); });
  }

  // Arrow keys, Home and End move between results (one Tab stop for the whole list).
  onKey(e) {
    const results = [...document.querySelectorAll("#search-results .search-result")];
    const at = results.indexOf(document.activeElement);
    if (at < 0) return;
    const moves = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: results.length - 1 };
    if (!(e.key in moves)) return;
    e.preventDefault();
    results[Math.max(0, Math.min(results.length - 1, moves[e.key]))].focus();
  }

  async run(query) {
    if (!query) return;
    this.query = query;
    closePanels();
    this.panel.hidden = false;
    $("#search-title").textContent = t("results_for", { q: query });
    $("#search-results").replaceChildren(h("li", { class: "muted", role: "status", text: "…" }));
    await this.fetch(null, true);
  }

  more() { return this.fetch(this.nextBefore, false); }

  async fetch(before, fresh) {
    const params = new URLSearchParams({ q: this.query });
    if (before) params.set("before", before);
    const list = $("#search-results");
    let body;
    try {
      body = await get(`/api/chat/search/?${params}`);
    } catch (err) {
      list.replaceChildren(h("li", { class: "form-error", role: "alert", text: err.message }));
      return;
    }
    const items = body.results.map((r) => this.item(r));
    if (fresh) list.replaceChildren(...items);
    else list.append(...items);
    if (fresh && !items.length) list.replaceChildren(h("li", { class: "muted", text: t("no_results") }));
    // Results take the focus first: nobody has to tab through the messages behind them.
    if (fresh) (list.querySelector(".search-result") || $("#search-panel .panel-close")).focus();
    this.nextBefore = body.next_before;
    $("#search-more").hidden = !body.next_before;
  }

  item(result) {
    const room = result.room || {};
    return h("li", {}, h("button", {
      type: "button", class: "search-result",
      onclick: () => this.app.open(room.id, result.id, { thread: result.thread_id || null }),
    },
    h("span", { class: "result-meta" },
      h("strong", { text: displayName(result.sender) }), " · ",
      h("span", { text: this.app.roomName(room) }), " · ",
      h("time", { datetime: result.created_at, text: formatFull(result.created_at) })),
    h("span", { class: "snippet" }, result.snippet != null ? markedSnippet(result.snippet) : result.content)));
  }
}

export function closePanels() {
  for (const panel of document.querySelectorAll(".panel")) panel.hidden = true;
  $("#notifications-button")?.setAttribute("aria-expanded", "false");
}
