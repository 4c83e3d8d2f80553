// Pinned messages of the open room: a bar under the room header ("📌 2 pinned · …"),
// a panel listing them (jump to, unpin), live from message_pinned / message_unpinned.
import { del, get, post } from "./api.js";
import { $, displayName, formatFull, h } from "./dom.js";
import { t } from "./i18n.js";
import { formatCompact, slackMarkup } from "./markdown.js";
import { fillPanel, openPanel, sidePanel } from "./side_panel.js";

export class Pins {
  // hooks: { canPin(), current(id) → the conversation's copy, jump(roomId, id, message), flash(text), changed() }
  constructor(hooks) {
    this.hooks = hooks;
    this.roomId = null;
    this.items = [];            // [{message, pinned_by, pinned_at}], newest pin first
    this.bar = h("button", { type: "button", id: "pinned-bar", class: "pinned-bar", hidden: true, onclick: () => this.open() });
    $("#connection-banner").before(this.bar);
  }

  async load(room) {
    this.roomId = room.id;
    this.items = [];
    this.draw();
    try {
      const found = await get(`/api/chat/rooms/${room.id}/pins/`);
      if (this.roomId === room.id) this.items = found;
    } catch { /* the bar stays empty; the next frame or visit fills it */ }
    this.draw();
    if (this.items.length) this.hooks.changed();    // their messages' buttons now say "unpin"
  }

  isPinned(id) { return this.items.some((p) => p.message.id === id); }

  async toggle(msg) {
    try {
      if (this.isPinned(msg.id)) await del(`/api/chat/messages/${msg.id}/pin/`);
      else await post(`/api/chat/messages/${msg.id}/pin/`);
    } catch (err) {
      this.hooks.flash(err.message);
    }
  }

  pinnedFrame(frame) {
    if (frame.room_id !== this.roomId || this.isPinned(frame.message.id)) return;
    this.items = [{ message: frame.message, pinned_by: frame.pinned_by, pinned_at: frame.pinned_at }, ...this.items];
    this.draw();
  }

  unpinnedFrame(frame) {
    if (frame.room_id !== this.roomId) return;
    this.items = this.items.filter((p) => p.message.id !== frame.message_id);
    this.draw();
  }

  // The pinned message as the timeline shows it, on one line (CSS cuts it).
  text(pin) {
    const msg = this.hooks.current(pin.message.id) || pin.message;
    return msg.file_name ? document.createTextNode(msg.file_name) : formatCompact(msg.content || "", slackMarkup(msg));
  }

  draw() {
    const count = this.items.length;
    this.bar.hidden = !count;
    if (count) {
      this.bar.replaceChildren(h("span", { class: "pin-mark", "aria-hidden": "true", text: "📌" }),
        h("strong", { text: t("pinned_count", { n: count }) }),
        h("span", { class: "pin-latest" }, this.text(this.items[0])));
    }
    const panel = document.getElementById("pins-panel");
    if (panel && !panel.hidden) this.fill(panel);
  }

  open() { openPanel(this.fill(sidePanel("pins-panel", "pinned_messages"))); }

  fill(panel) {
    fillPanel(panel, this.items.map((pin) => h("li", { class: "panel-item" },
      h("button", { type: "button", class: "panel-message", onclick: () => this.hooks.jump(this.roomId, pin.message.id, pin.message) },
        h("span", { class: "result-meta" }, h("strong", { text: displayName(pin.message.sender) }), " · ",
          h("time", { datetime: pin.message.created_at, text: formatFull(pin.message.created_at) })),
        h("span", { class: "snippet compact" }, this.text(pin))),
      this.hooks.canPin() ? h("button", { type: "button", class: "link-button", text: t("unpin"),
        onclick: () => this.toggle(pin.message) }) : null)), "no_pins");
    return panel;
  }
}
