// Saved messages: one's private list across rooms, a panel to open it, live from
// message_saved frames (other tabs and devices follow).
import { del, get, post } from "./api.js";
import { displayName, formatFull, h } from "./dom.js";
import { t } from "./i18n.js";
import { formatCompact, slackMarkup } from "./markdown.js";
import { fillPanel, openPanel, sidePanel } from "./side_panel.js";

export class Saved {
  // hooks: { jump(roomId, messageId, message), roomName(room), flash(text), changed() }
  constructor(hooks) {
    this.hooks = hooks;
    this.items = [];            // [{message, saved_at}], newest first
  }

  async load() {
    try {
      this.items = await get("/api/chat/saved/");
    } catch {
      return;
    }
    this.changed();
  }

  has(id) { return this.items.some((s) => s.message.id === id); }

  async toggle(msg) {
    try {
      if (this.has(msg.id)) {
        await del(`/api/chat/messages/${msg.id}/save/`);
        this.savedFrame({ message: msg, saved: false });
      } else {
        this.savedFrame({ message: (await post(`/api/chat/messages/${msg.id}/save/`)).message, saved: true });
        this.hooks.flash(t("saved_done"));
      }
    } catch (err) {
      this.hooks.flash(err.message);
    }
  }

  savedFrame(frame) {
    const others = this.items.filter((s) => s.message.id !== frame.message.id);
    this.items = frame.saved ? [{ message: frame.message, saved_at: new Date().toISOString() }, ...others] : others;
    this.changed();
  }

  // A deleted message leaves the list (the server forgot it already).
  deleted(msg) {
    if (this.has(msg.id)) this.savedFrame({ message: msg, saved: false });
  }

  changed() {
    this.hooks.changed();
    this.refresh();
  }

  refresh() {
    const panel = document.getElementById("saved-panel");
    if (panel && !panel.hidden) this.fill(panel);
  }

  open() { openPanel(this.fill(sidePanel("saved-panel", "saved_messages"))); }

  fill(panel) {
    fillPanel(panel, this.items.map(({ message }) => h("li", { class: "panel-item" },
      h("button", { type: "button", class: "panel-message", onclick: () => this.hooks.jump(message.room.id, message.id, message) },
        h("span", { class: "result-meta" }, h("strong", { text: displayName(message.sender) }), " · ",
          h("span", { text: this.hooks.roomName(message.room) }), " · ",
          h("time", { datetime: message.created_at, text: formatFull(message.created_at) })),
        h("span", { class: "snippet compact" }, message.file_name || formatCompact(message.content || "", slackMarkup(message)))),
      h("button", { type: "button", class: "link-button", text: t("unsave_message"), onclick: () => this.toggle(message) }))), "no_saved");
    return panel;
  }
}
