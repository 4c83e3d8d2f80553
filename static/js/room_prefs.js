// Per-room notification level and "mute room": the header button and its dialog, the
// unread badge they allow, and whether a message elsewhere may alert the browser.
import { patch } from "./api.js";
import { h, icon } from "./dom.js";
import { t } from "./i18n.js";
import { formDialog } from "./dialogs.js";

const LEVELS = ["default", "all", "mentions", "nothing"];
const SYMBOL = { default: "volume", all: "volume-high", mentions: "at", nothing: "bell-off" };

// A muted room, or one set to "nothing", shows only its unread mentions.
export function badgeCount(listing) {
  const unread = listing.unread_count || 0;
  if (listing.room_muted || listing.notify_level === "nothing") return Math.min(listing.mention_count || 0, unread);
  return unread;
}

function mentionsMe(text, me) {
  const name = me.username.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
  return new RegExp(`(^|[^\\w@])@(${name}|here|all)(?![\\w-])`, "i").test(text || "");
}

// Mirrors the server's notification rows, plus "every message" for level all.
export function wantsAlert(listing, msg, me) {
  const level = listing.notify_level || "default";
  if (level === "nothing") return false;
  if (level === "all") return true;
  const mention = mentionsMe(msg.content, me);
  return level === "mentions" ? mention : mention || listing.room_type === "direct";
}

export function levelButton(onClick) {
  return h("button", { type: "button", class: "icon-button level-button", id: "level-button", onclick: onClick });
}

export function drawLevelButton(button, room) {
  const level = room?.notify_level || "default";
  button.hidden = !room?.is_member;
  button.replaceChildren(icon(room?.room_muted ? "volume-off" : SYMBOL[level]));
  const label = `${t("notify_settings")}: ${t(`level_${level}`)}${room?.room_muted ? " · " + t("mute_room") : ""}`;
  button.setAttribute("aria-label", label);
  button.title = label;
}

export function levelDialog(room, onSaved) {
  const current = room.notify_level || "default";
  const choices = h("span", { class: "radio-list" }, LEVELS.map((level) => h("label", { class: "radio" },
    h("input", { type: "radio", name: "notify_level", value: level, checked: level === current }),
    h("span", { text: t(`level_${level}`) }))));
  const mute = h("input", { type: "checkbox", name: "room_muted", value: "1", checked: Boolean(room.room_muted) });
  formDialog(t("notify_settings"), [
    { name: "notify_level", label: t("notify_settings"), node: choices },
    { name: "room_muted", label: t("mute_room"), node: mute },
  ], t("save"), async (values) => onSaved(await patch(`/api/chat/rooms/${room.id}/notifications/`, {
    notify_level: values.notify_level, room_muted: values.room_muted === "1",
  })));
}
