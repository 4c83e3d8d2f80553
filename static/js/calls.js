// Calls one click away (issue 29). When the server names a meeting server (GET
// /api/chat/calls/), a call button in the room header and the /call command post a
// message with a new meeting link (the server mints it, unguessable); a message with a
// link to that meeting server shows a Join button. Off: no button, and /call says so.
import { get, post } from "./api.js";
import { onLanguage, t } from "./i18n.js";
import { $, h, icon, safeHttpUrl } from "./dom.js";

const calls = { prefix: null, button: null, room: () => null, flash: () => {} };

// app: { room(): the open room, flash(text) }; ctx: message_view's, which gets callLink.
export async function setupCalls(app, ctx) {
  Object.assign(calls, app);
  let settings;
  try {
    settings = await get("/api/chat/calls/");
  } catch {
    return;  // calls are an extra: the page works without them
  }
  calls.prefix = settings.enabled ? settings.base_url.split("{room}")[0] : null;
  ctx.callLink = callLink;
  if (!calls.prefix || calls.button) return;
  calls.button = h("button", { type: "button", class: "icon-button", id: "call-button", onclick: startCall }, icon("phone"));
  $(".header-actions").prepend(calls.button);
  label();
  onLanguage(label);
}

function label() {
  calls.button.setAttribute("aria-label", t("start_call"));
  calls.button.title = t("start_call");
}

// The meeting link in a message's text, if it points at our meeting server.
function callLink(text) {
  if (!calls.prefix) return null;
  return text.split(/\s+/).find((word) => word.startsWith(calls.prefix) && safeHttpUrl(word)) || null;
}

async function startCall() {
  const room = calls.room();
  if (!room) return;
  if (!calls.prefix) return calls.flash(t("calls_off"));
  try {
    await post(`/api/chat/rooms/${room.id}/call/`, { client_id: `call-${Date.now()}-${Math.random().toString(36).slice(2)}` });
  } catch (err) {
    calls.flash(err.message);
  }
}

// A composer line that is a command of ours: true when handled (nothing is sent).
export function runCommand(text) {
  if (!/^\/call\s*$/i.test(text)) return false;
  startCall();
  return true;
}

export function joinButton(url) {
  return h("a", { class: "call-join", href: url, target: "_blank", rel: "noopener noreferrer" },
    icon("phone"), h("span", { text: t("join_call") }));
}
