// Status and do-not-disturb: everyone's status (of the people one shares a room with),
// kept live from `status` frames; a badge next to names; the "set a status" dialog;
// isDoNotDisturb() for the browser notifications.
import { get, put } from "./api.js";
import { $, formatTime, h } from "./dom.js";
import { onLanguage, t } from "./i18n.js";
import { formDialog } from "./dialogs.js";

const statuses = new Map();        // user id → status
const listeners = new Set();
let myId = null;
let expiryTimer = null;

export function onStatusChange(fn) { listeners.add(fn); }

onLanguage(() => { if (myId !== null) drawMine(); });

function live(status) {
  return status && (status.emoji || status.text || status.dnd)
    && (!status.expires_at || new Date(status.expires_at) > new Date());
}

export async function loadStatuses(me) {
  myId = me.id;
  try {
    const found = await get("/api/chat/statuses/");
    statuses.clear();
    for (const status of found) statuses.set(status.user_id, status);
  } catch {
    return;
  }
  changed();
}

export function statusFrame(frame) {
  statuses.set(frame.status.user_id, frame.status);
  changed();
}

function changed() {
  drawMine();
  for (const fn of listeners) fn();
  // Expired statuses vanish from view on time even before the server's frame.
  clearTimeout(expiryTimer);
  const next = Math.min(...[...statuses.values()].filter(live).filter((s) => s.expires_at)
    .map((s) => new Date(s.expires_at) - Date.now()));
  if (Number.isFinite(next)) expiryTimer = setTimeout(changed, Math.min(Math.max(next + 50, 0), 2 ** 31 - 1));
}

function statusOf(userId) {
  const status = statuses.get(Number(userId));
  return live(status) ? status : null;
}

export function isDoNotDisturb() { return Boolean(statusOf(myId)?.dnd); }

function describe(status) {
  const parts = [status.text, status.dnd ? t("dnd_short") : "",
    status.expires_at ? t("status_until", { time: formatTime(status.expires_at) }) : ""];
  return parts.filter(Boolean).join(" · ");
}

// Emoji and text next to a name; the whole description on hover and for screen readers.
export function statusBadge(userId) {
  const status = statusOf(userId);
  if (!status) return null;
  const label = describe(status);
  return h("span", { class: "status-badge" + (status.dnd ? " dnd" : ""), title: label, "aria-label": label },
    status.emoji ? h("span", { class: "status-emoji", text: status.emoji }) : null,
    status.text ? h("span", { class: "status-text", text: status.text }) : null,
    status.expires_at ? h("span", { class: "status-until", text: t("status_until", { time: formatTime(status.expires_at) }) }) : null,
    status.dnd ? h("span", { class: "dnd-dot", "aria-hidden": "true", text: "⛔" }) : null);
}

// A row above the sidebar's account box: the own status, a click to change it.
function drawMine() {
  let button = $("#status-button");
  if (!button) {
    button = h("button", { type: "button", id: "status-button", class: "status-button", onclick: statusDialog });
    $(".me-box")?.before(button);
  }
  const mine = statusOf(myId);
  button.replaceChildren(mine ? statusBadge(myId) : h("span", { class: "status-empty", text: "☺ " + t("set_status") }));
  button.setAttribute("aria-label", t("set_status"));
  button.title = mine ? describe(mine) : t("set_status");
}

// "In a meeting until 3pm": text, emoji, do-not-disturb and when it ends by itself.
function statusDialog() {
  const mine = statusOf(myId) || {};
  const emoji = h("input", { name: "emoji", maxlength: "16", value: mine.emoji || "", autocomplete: "off", class: "emoji-input" });
  const text = h("input", { name: "text", maxlength: "100", value: mine.text || "", autocomplete: "off" });
  const dnd = h("input", { type: "checkbox", name: "dnd", value: "1", checked: Boolean(mine.dnd) });
  const until = h("input", { type: "time", name: "until", "aria-label": t("until_time") });
  const clearAfter = h("select", { name: "clear" },
    ["never", "30m", "1h", "today", "until"].map((v) => h("option", { value: v, text: t(`clear_${v}`) })));
  clearAfter.addEventListener("change", () => { until.hidden = clearAfter.value !== "until"; });
  until.hidden = true;
  const dialog = formDialog(t("set_status"), [
    { name: "emoji", label: t("status_emoji"), node: emoji },
    { name: "text", label: t("status_text"), node: text },
    { name: "clear", label: t("clear_after"), node: h("span", { class: "inline-fields" }, clearAfter, until) },
    { name: "dnd", label: t("dnd"), node: dnd },
  ], t("save"), async (values) => {
    statusFrame({ status: await put("/api/chat/status/", {
      emoji: values.emoji.trim(), text: values.text.trim(), dnd: values.dnd === "1",
      expires_at: expiry(values.clear, values.until),
    }) });
  });
  const clear = h("button", { type: "button", class: "secondary", text: t("clear_status"), onclick: async () => {
    statusFrame({ status: await put("/api/chat/status/", {}) });
    dialog.close();
  } });
  dialog.querySelector(".dialog-buttons").prepend(clear);
}

function expiry(choice, untilTime) {
  const now = new Date();
  if (choice === "30m") return new Date(now.getTime() + 30 * 60e3).toISOString();
  if (choice === "1h") return new Date(now.getTime() + 60 * 60e3).toISOString();
  if (choice === "today") return new Date(now.getFullYear(), now.getMonth(), now.getDate(), 23, 59).toISOString();
  if (choice === "until" && untilTime) {
    const [hours, minutes] = untilTime.split(":").map(Number);
    const at = new Date(now.getFullYear(), now.getMonth(), now.getDate(), hours, minutes);
    if (at <= now) at.setDate(at.getDate() + 1);        // 3pm when it is 4pm: tomorrow's
    return at.toISOString();
  }
  return null;
}
