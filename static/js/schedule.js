// Send later and reminders: a composer button that schedules the typed message for a
// time, "remind me" on a message, and a panel listing both (cancellable), live from
// scheduled_message / reminder frames. The server sends at the time, even after a restart.
import { del, get, post } from "./api.js";
import { formatFull, h } from "./dom.js";
import { t } from "./i18n.js";
import { fillPanel, openPanel, sidePanel } from "./side_panel.js";
import { formDialog } from "./dialogs.js";

// Preset times, computed when the dialog opens (the browser's local time).
function presets() {
  const now = new Date();
  const at = (days, hour) => new Date(now.getFullYear(), now.getMonth(), now.getDate() + days, hour, 0);
  const monday = (8 - now.getDay()) % 7 || 7;
  return [
    ["preset_20m", new Date(now.getTime() + 20 * 60e3)],
    ["preset_1h", new Date(now.getTime() + 60 * 60e3)],
    ["preset_tomorrow", at(1, 9)],
    ["preset_monday", at(monday, 9)],
  ];
}

// "2026-12-02T09:00", what <input type="datetime-local"> shows for a local time.
function localInput(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function timeField(name, label) {
  const input = h("input", { type: "datetime-local", name, required: true, "aria-label": label });
  input.value = localInput(presets()[2][1]);
  const buttons = presets().map(([key, date]) => h("button", {
    type: "button", class: "chip", text: t(key), onclick: () => { input.value = localInput(date); },
  }));
  return { name, label, node: h("span", { class: "time-field" }, input, h("span", { class: "chips" }, buttons)) };
}

export class Schedule {
  // hooks: { room(), composerText(), clearComposer(), jump(roomId, messageId), flash(text) }
  constructor(hooks) {
    this.hooks = hooks;
    this.scheduled = [];
    this.reminders = [];
  }

  sendLaterDialog() {
    const room = this.hooks.room();
    if (!room) return;
    const text = h("textarea", { name: "content", required: true, maxlength: "5000", rows: "3" });
    text.value = this.hooks.composerText();
    formDialog(t("send_later"), [
      { name: "content", label: t("message_text"), node: text },
      timeField("send_at", t("send_at")),
    ], t("schedule"), async (values) => {
      const item = await post(`/api/chat/rooms/${room.id}/scheduled/`, {
        content: values.content, send_at: new Date(values.send_at).toISOString(),
      });
      this.hooks.clearComposer();
      this.hooks.flash(t("scheduled_for", { time: formatFull(item.send_at) }));
      this.scheduledFrame({ scheduled: item });
    });
  }

  remindDialog(msg) {
    formDialog(t("remind_title"), [timeField("remind_at", t("remind_at"))], t("remind_me"), async (values) => {
      const reminder = await post(`/api/chat/messages/${msg.id}/reminders/`, {
        remind_at: new Date(values.remind_at).toISOString(),
      });
      this.hooks.flash(t("reminder_set", { time: formatFull(reminder.remind_at) }));
      this.reminderFrame({ reminder });
    });
  }

  async open() {
    try {
      [this.scheduled, this.reminders] = await Promise.all([get("/api/chat/scheduled/"), get("/api/chat/reminders/")]);
    } catch (err) {
      return this.hooks.flash(err.message);
    }
    openPanel(this.fill(sidePanel("scheduled-panel", "scheduled_messages")));
  }

  scheduledFrame(frame) {
    const item = frame.scheduled;
    this.scheduled = this.scheduled.filter((s) => s.id !== item.id);
    if (item.state === "pending") this.scheduled = [...this.scheduled, item].sort((a, b) => a.send_at.localeCompare(b.send_at));
    if (item.state === "failed") this.hooks.flash(t("scheduled_failed", { reason: item.error || "" }));
    this.refresh();
  }

  reminderFrame(frame) {
    const item = frame.reminder;
    this.reminders = this.reminders.filter((r) => r.id !== item.id);
    if (item.state === "pending") this.reminders = [...this.reminders, item].sort((a, b) => a.remind_at.localeCompare(b.remind_at));
    this.refresh();
  }

  refresh() {
    const panel = document.getElementById("scheduled-panel");
    if (panel && !panel.hidden) this.fill(panel);
  }

  fill(panel) {
    const cancel = (url) => h("button", { type: "button", class: "link-button", text: t("cancel"), onclick: async () => {
      try {
        const item = await del(url);
        if ("send_at" in item) this.scheduledFrame({ scheduled: item });
        else this.reminderFrame({ reminder: item });
      } catch (err) {
        this.hooks.flash(err.message);
      }
    } });
    const items = [
      ...this.scheduled.map((s) => h("li", { class: "panel-item scheduled-item" },
        h("div", { class: "panel-message" },
          h("span", { class: "result-meta" }, h("strong", { text: formatFull(s.send_at) }), " · ", h("span", { text: s.room.name })),
          h("span", { class: "snippet", text: s.content.slice(0, 300) })),
        cancel(`/api/chat/scheduled/${s.id}/`))),
      this.reminders.length ? h("li", { class: "member-heading", text: t("reminders") }) : null,
      ...this.reminders.map((r) => h("li", { class: "panel-item" },
        h("button", { type: "button", class: "panel-message", onclick: () => this.hooks.jump(r.message.room.id, r.message.id, r.message) },
          h("span", { class: "result-meta" }, h("strong", { text: "⏰ " + formatFull(r.remind_at) }), " · ", h("span", { text: r.message.room.name })),
          h("span", { class: "snippet", text: (r.message.content || "").slice(0, 300) })),
        cancel(`/api/chat/reminders/${r.id}/`))),
    ].filter(Boolean);
    fillPanel(panel, items, "no_scheduled");
    return panel;
  }
}
