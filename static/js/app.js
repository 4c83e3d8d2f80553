// The web client: wiring of the views to the channels dialect. One socket for the open
// room (live frames, ?since= resume), REST for everything else, a periodic room-list
// refresh for unread badges elsewhere.
import * as api from "./api.js";
import { setupAuth } from "./auth.js";
import { acceptDrops, Composer } from "./composer.js";
import { Conversation } from "./conversation.js";
import { $, displayName, h, hueClass, icon, initials } from "./dom.js";
import { applyStatic, language, LANGUAGES, onLanguage, setLanguage, t } from "./i18n.js";
import { QUICK_EMOJI } from "./message_view.js";
import { closePanels, desktopAlert, Notifications, Search } from "./panels.js";
import { CLOSE_FORBIDDEN, CLOSE_GONE, CLOSE_UNAUTHORIZED, RoomSocket } from "./socket.js";
import {
  browseDialog, confirmDialog, createRoomDialog, directDialog, inviteDialog, renderSidebar, roomSymbol, roomTitle,
} from "./sidebar.js";
import { uploadFiles } from "./uploads.js";

const ROOM_POLL_MS = 20_000;
const SEND_TIMEOUT_MS = 15_000;
const TYPING_TTL_MS = 6_000;
const LAST_ROOM_KEY = "teahouse.room";

const state = {
  me: null,
  rooms: new Map(),        // id → room listing
  room: null,              // the open room (listing)
  socket: null,
  members: new Map(),      // user id → membership {user, role, ...}
  online: new Set(),
  typing: new Map(),       // user id → {user, timer}
  readSent: 0,
  notificationsUnread: 0,
  pollTimer: null,
};

const ctx = {
  me: null, knownNames: new Set(), canModerate: false,
  actions: {
    reply: (msg) => composer.startReply(msg),
    edit: (msg) => composer.startEdit(msg),
    remove: removeMessage,
    react: react,
    pickEmoji: pickEmoji,
    jump: (id) => conversation.jumpTo(id),
    retry: (msg) => deliver(msg),
    openImage: openImage,
    imageLoaded: () => { if (stickToBottom) conversation.scrollToBottom(); },
  },
  onScrolled: (bottom) => {
    stickToBottom = bottom;
    if (bottom) {
      $("#jump-latest").hidden = true;
      markRead();
    }
  },
};
let stickToBottom = true;
let conversation;
let composer;
let notifications;
let authForm;

function boot() {
  applyStatic(document);
  fillLanguageSelects();
  const registration = document.body.dataset.registration === "true";
  authForm = setupAuth(registration, startChat);
  api.onSignedOut(showAuth);
  onLanguage(redraw);
  if (api.session()?.access_token) startChat();
  else showAuth();
}

function fillLanguageSelects() {
  for (const select of document.querySelectorAll(".language-select")) {
    select.replaceChildren(...LANGUAGES.map(([code, name]) => h("option", { value: code, text: name })));
    select.value = language();
    select.addEventListener("change", () => setLanguage(select.value));
  }
}

function showAuth() {
  state.socket?.stop();
  state.socket = null;
  state.room = null;
  state.rooms = new Map();
  conversation?.reset(null);
  clearInterval(state.pollTimer);
  $("#chat-view").hidden = true;
  $("#auth-view").hidden = false;
  authForm.reset();
  document.title = t("app_name");
  $("#auth-username").focus();
}

async function startChat() {
  $("#auth-view").hidden = true;
  $("#chat-view").hidden = false;
  api.scheduleRefresh();
  try {
    state.me = await api.get("/api/auth/me");
  } catch (err) {
    if (err.status === 401) return api.signOut();
    state.me = api.session()?.user;
  }
  if (!state.me) return api.signOut();
  api.setUser(state.me);
  ctx.me = state.me;
  drawMe();
  if (!conversation) wireOnce();
  await loadRooms();
  const wanted = decodeURIComponent(location.hash.slice(1)) || localStorage.getItem(LAST_ROOM_KEY);
  const room = findRoom(wanted) || [...state.rooms.values()].find((r) => r.slug === "global")
    || [...state.rooms.values()].find((r) => r.is_member);
  if (room) await openRoom(room.id);
  notifications.load();
  clearInterval(state.pollTimer);
  state.pollTimer = setInterval(loadRooms, ROOM_POLL_MS);
}

function findRoom(ref) {
  if (!ref) return null;
  return [...state.rooms.values()].find((r) => String(r.id) === String(ref) || r.slug === ref) || null;
}

function wireOnce() {
  conversation = new Conversation($("#messages"), $("#message-list"), ctx);
  composer = new Composer($("#composer"), {
    room: () => state.room,
    members: () => [...state.members.values()].filter((m) => m.user.id !== state.me.id),
    send, saveEdit,
    typing: (on) => state.socket?.send({ type: "typing", is_typing: on }),
    upload: (files) => state.room && uploadFiles($("#upload-tray"), files, state.room.id),
    lastOwnMessage: () => conversation.ordered().reverse()
      .find((m) => m.id && m.sender?.id === state.me.id && m.message_type === "text" && !m.is_deleted),
  });
  acceptDrops($("#main"), $("#drop-overlay"), (files) => state.room && uploadFiles($("#upload-tray"), files, state.room.id));
  notifications = new Notifications({
    me: () => state.me,
    open: openAt,
    changed: (count) => { state.notificationsUnread = count; updateTitle(); },
  });
  new Search({ me: () => state.me, open: openAt });
  $("#create-room-button").addEventListener("click", () => createRoomDialog(async (room) => {
    await loadRooms();
    openRoom(room.id);
  }));
  $("#browse-button").addEventListener("click", async () => {
    await loadRooms();
    browseDialog(state.rooms, async (room) => {
      await api.post(`/api/chat/rooms/${room.id}/join/`);
      await loadRooms();
      openRoom(room.id);
    });
  });
  $("#new-direct-button").addEventListener("click", () => directDialog(async (room) => {
    await loadRooms();
    openRoom(room.id);
  }));
  $("#invite-button").addEventListener("click", () => state.room && inviteDialog(state.room, (name) => {
    flash(t("invite_sent", { name }));
    loadMembers();
  }));
  $("#leave-button").addEventListener("click", leaveRoom);
  $("#sign-out-button").addEventListener("click", () => api.signOut());
  $("#members-button").addEventListener("click", () => toggleMembers());
  $("#open-sidebar").addEventListener("click", () => document.body.classList.add("sidebar-open"));
  $("#sidebar-backdrop").addEventListener("click", () => document.body.classList.remove("sidebar-open"));
  $("#jump-latest").addEventListener("click", () => { conversation.scrollToBottom(); $("#jump-latest").hidden = true; });
  $("#reconnect-now").addEventListener("click", () => state.socket?.retryNow());
  for (const button of document.querySelectorAll(".panel-close")) button.addEventListener("click", closePanels);
  $("#lightbox-close").addEventListener("click", () => $("#lightbox").close());
  document.addEventListener("keydown", shortcuts);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      markRead();
      loadRooms();
    }
  });
  window.addEventListener("online", () => state.socket?.retryNow());
  window.addEventListener("hashchange", () => {
    const room = findRoom(decodeURIComponent(location.hash.slice(1)));
    if (room) openRoom(room.id);
  });
}

function shortcuts(e) {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
    e.preventDefault();
    $("#search-input").focus();
  } else if (e.key === "Escape") {
    closePanels();
    document.querySelector(".emoji-picker")?.remove();
    document.body.classList.remove("sidebar-open");
  } else if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
    const links = [...document.querySelectorAll(".room-link")];
    const at = links.findIndex((a) => a.getAttribute("aria-current") === "page");
    const next = links[(at + (e.key === "ArrowDown" ? 1 : -1) + links.length) % links.length];
    if (next) {
      e.preventDefault();
      openRoom(Number(next.dataset.roomId));
    }
  }
}

function drawMe() {
  const name = displayName(state.me);
  $("#me-avatar").className = `avatar ${hueClass(state.me.id)}`;
  $("#me-avatar").textContent = initials(name);
  $("#me-name").textContent = name;
  $("#me-handle").textContent = "@" + state.me.username;
}

// ---- rooms -------------------------------------------------------------------------
async function loadRooms() {
  let listings;
  try {
    listings = await api.get("/api/chat/rooms/");
  } catch {
    return;
  }
  const before = state.rooms;
  state.rooms = new Map(listings.map((r) => [r.id, r]));
  for (const room of listings) alertDirect(before.get(room.id), room);
  if (state.room && state.rooms.has(state.room.id)) {
    Object.assign(state.room, state.rooms.get(state.room.id));
    drawHeader();
  }
  drawSidebar();
}

// Direct messages in other rooms while the tab is hidden: the server only notifies
// when we have no socket at all, so the room list is compared instead.
function alertDirect(old, room) {
  if (!old || room.room_type !== "direct" || !room.last_message) return;
  if ((old.last_message?.id || 0) >= room.last_message.id) return;
  if (room.last_message.sender === state.me.username || room.id === state.room?.id) return;
  desktopAlert(roomTitle(room, state.me), room.last_message.content, () => openRoom(room.id));
}

function drawSidebar() {
  renderSidebar(state.rooms, state.room?.id, state.me, (id) => {
    document.body.classList.remove("sidebar-open");
    openRoom(id);
  });
  updateTitle();
}

function updateTitle() {
  let unread = 0;
  for (const room of state.rooms.values()) {
    if (room.is_member && room.id !== state.room?.id) unread += room.unread_count || 0;
  }
  if (state.room && document.hidden) unread += state.rooms.get(state.room.id)?.unread_count || 0;
  const name = state.room ? roomTitle(state.room, state.me) : "";
  document.title = `${unread ? `(${unread}) ` : ""}${name ? name + " · " : ""}${t("app_name")}`;
}

async function openRoom(id, messageId = null) {
  const listing = state.rooms.get(Number(id));
  if (!listing) return;
  closePanels();
  if (state.room?.id === listing.id) {
    if (messageId) conversation.jumpTo(messageId);
    return;
  }
  state.socket?.stop();
  state.room = { ...listing };
  state.members = new Map();
  state.online = new Set();
  clearTyping();
  state.readSent = 0;
  localStorage.setItem(LAST_ROOM_KEY, listing.slug || String(listing.id));
  history.replaceState(null, "", `#${listing.slug || listing.id}`);
  drawHeader();
  drawSidebar();
  composer.clear();
  composer.setPlaceholder(roomTitle(listing, state.me));
  $("#jump-latest").hidden = true;
  setConnection("connecting");
  conversation.reset(state.room);
  const room = state.room;
  try {
    await conversation.loadFirst();
  } catch (err) {
    flash(err.message);
  }
  if (state.room !== room) return;
  state.socket = new RoomSocket(room.id, {
    sinceId: () => conversation.lastId(),
    onFrame,
    onState: setConnection,
    onFatal: (code) => roomLost(room, code),
  }).start();
  loadMembers();
  if (messageId) await conversation.jumpTo(messageId);
  composer.focus();
}

function openAt(roomId, messageId) {
  if (!state.rooms.has(Number(roomId))) return;
  document.body.classList.remove("sidebar-open");
  openRoom(roomId, messageId);
}

function drawHeader() {
  const room = state.room;
  if (!room) return;
  $("#room-title").textContent = roomTitle(room, state.me);
  $("#room-icon").replaceChildren(icon(roomSymbol(room)));
  $("#room-description").textContent = room.description || "";
  const isDirect = room.room_type === "direct";
  $("#invite-button").hidden = isDirect;
  $("#leave-button").hidden = isDirect || room.is_official;
  ctx.canModerate = state.me.is_admin || room.role === "admin" || room.role === "moderator";
}

async function leaveRoom() {
  const room = state.room;
  if (!room || !(await confirmDialog(t("confirm_leave", { room: room.name }), t("leave_room")))) return;
  try {
    await api.post(`/api/chat/rooms/${room.id}/leave/`);
  } catch (err) {
    return flash(err.message);
  }
  state.socket?.stop();
  state.room = null;
  await loadRooms();
  const global = [...state.rooms.values()].find((r) => r.slug === "global");
  if (global) openRoom(global.id);
}

function roomLost(room, code) {
  if (code === CLOSE_UNAUTHORIZED) return api.signOut();
  if (state.room?.id !== room.id) return;
  flash(code === CLOSE_GONE ? t("room_gone") : t("room_forbidden"));
  state.rooms.delete(room.id);
  state.room = null;
  loadRooms().then(() => {
    const global = [...state.rooms.values()].find((r) => r.slug === "global");
    if (global && global.id !== room.id) openRoom(global.id);
  });
}

// ---- live frames ---------------------------------------------------------------------
function setConnection(status, resumed = false) {
  const banner = $("#connection-banner");
  banner.hidden = status !== "reconnecting";
  document.body.classList.toggle("offline", status === "reconnecting");
  if (status === "open" && resumed) resync();
}

async function resync() {
  try {
    await conversation.refreshWindow();
  } catch { /* the next reconnect tries again */ }
  loadMembers();
  loadRooms();
  notifications.load();
  for (const msg of [...conversation.pending.values()]) {
    if (msg._state === "failed" && msg._network) deliver(msg);
  }
}

const FRAMES = {
  connection_established(frame) {
    state.online = new Set((frame.online_users || []).map((u) => u.id));
    if (frame.room) Object.assign(state.room, { name: frame.room.name, description: frame.room.description });
    if (!state.room.is_member) loadRooms();      // opening a public room's socket joins it
    drawMembers();
  },
  chat_message(frame) {
    const msg = frame.message;
    const fresh = conversation.upsert(msg);
    stopTypingOf(msg.sender?.id);
    if (!fresh || msg.sender?.id === state.me.id) return;
    if (!stickToBottom) $("#jump-latest").hidden = false;
    if (document.hidden || !stickToBottom) {
      const listing = state.rooms.get(state.room.id);
      if (listing && msg.message_type !== "system") listing.unread_count = (listing.unread_count || 0) + 1;
      updateTitle();
    }
    if (state.room.room_type === "direct") desktopAlert(displayName(msg.sender), msg.content, null);
    markRead();
  },
  message_updated: (frame) => conversation.upsert(frame.message),
  message_deleted: (frame) => conversation.upsert(frame.message),
  reaction: (frame) => conversation.applyReaction(frame),
  user_join(frame) { state.online.add(frame.user.id); drawMembers(); if (!state.members.has(frame.user.id)) loadMembers(); },
  user_leave(frame) { state.online.delete(frame.user.id); stopTypingOf(frame.user.id); drawMembers(); },
  typing(frame) {
    if (frame.user.id === state.me.id) return;
    if (frame.is_typing) startTypingOf(frame.user);
    else stopTypingOf(frame.user.id);
  },
  room_updated(frame) {
    Object.assign(state.room, frame.room);
    const listing = state.rooms.get(frame.room.id);
    if (listing) Object.assign(listing, frame.room);
    drawHeader();
    drawSidebar();
  },
  room_deleted() { /* the socket closes with 4004 next; roomLost handles it */ },
  member_updated(frame) {
    const member = state.members.get(frame.user.id);
    if (member) Object.assign(member, { role: frame.role, is_muted: frame.is_muted, is_banned: frame.is_banned });
    if (frame.user.id === state.me.id) state.room.role = frame.role;
    drawHeader();
    drawMembers();
  },
  read(frame) {
    const listing = state.rooms.get(frame.room_id);
    if (listing) listing.unread_count = frame.unread_count;
    drawSidebar();
  },
  notification(frame) {
    notifications.add(frame.notification);
    loadRooms();
  },
  error(frame) { flash(frame.message); },
};

function onFrame(frame) {
  const handler = Object.hasOwn(FRAMES, frame.type) ? FRAMES[frame.type] : null;
  handler?.(frame);
}

function markRead() {
  const last = conversation.lastId();
  if (!last || document.hidden || !stickToBottom || last <= state.readSent || !state.socket?.isOpen) return;
  state.readSent = last;
  state.socket.send({ type: "read", message_id: last });
  const listing = state.rooms.get(state.room.id);
  if (listing) listing.unread_count = 0;
  drawSidebar();
}

// ---- sending -------------------------------------------------------------------------
function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return "web-" + [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function send(content, replyTo) {
  const msg = {
    id: null, client_id: newClientId(), content, reply_to: replyTo, message_type: "text",
    sender: state.me, created_at: new Date().toISOString(), reactions: [], room_id: state.room.id,
  };
  deliver(msg);
  stickToBottom = true;
}

// Optimistic: shown at once as pending; a retry reuses the client_id, so the server
// stores it once even if the first attempt did arrive.
async function deliver(msg) {
  const roomId = msg.room_id;
  const pending = { ...msg, _state: "pending", _error: null, _network: false };
  if (state.room?.id === roomId) conversation.addPending(pending);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), SEND_TIMEOUT_MS);
  const startedAt = performance.now();
  try {
    const stored = await api.post(`/api/chat/rooms/${roomId}/messages/`,
      { content: msg.content, reply_to: msg.reply_to || undefined, client_id: msg.client_id }, { signal: abort.signal });
    if (state.room?.id === roomId) conversation.upsert(stored, startedAt);
  } catch (err) {
    if (state.room?.id === roomId) {
      conversation.updatePending(msg.client_id, { _state: "failed", _error: err.message, _network: err.status === 0 });
    }
  } finally {
    clearTimeout(timer);
  }
}

async function saveEdit(msg, content) {
  if (content === msg.content) return;
  const startedAt = performance.now();
  try {
    conversation.upsert(await api.patch(`/api/chat/messages/${msg.id}/`, { content }), startedAt);
  } catch (err) {
    flash(err.message);
  }
}

async function removeMessage(msg) {
  if (!(await confirmDialog(t("confirm_delete"), t("delete")))) return;
  try {
    await api.del(`/api/chat/messages/${msg.id}/`);
  } catch (err) {
    flash(err.message);
  }
}

async function react(msg, emoji) {
  try {
    const result = await api.post(`/api/chat/messages/${msg.id}/reactions/`, { emoji });
    if (result?.reactions) conversation.applyReaction({ message_id: msg.id, reactions: result.reactions });
  } catch (err) {
    flash(err.message);
  }
}

function pickEmoji(msg, anchor) {
  document.querySelector(".emoji-picker")?.remove();
  const picker = h("div", { class: "emoji-picker", role: "menu", "aria-label": t("react") },
    QUICK_EMOJI.map((emoji) => h("button", {
      type: "button", role: "menuitem", class: "emoji-choice", text: emoji, "aria-label": emoji,
      onclick: () => { picker.remove(); react(msg, emoji); },
    })));
  anchor.closest(".msg").append(picker);
  picker.querySelector("button").focus();
  const away = (e) => {
    if (!picker.contains(e.target)) {
      picker.remove();
      document.removeEventListener("pointerdown", away);
    }
  };
  document.addEventListener("pointerdown", away);
}

function openImage(url, name) {
  $("#lightbox-img").src = url;
  $("#lightbox-img").alt = name;
  $("#lightbox-link").href = url;
  $("#lightbox-caption").textContent = name;
  $("#lightbox").showModal();
}

// ---- members, presence, typing -------------------------------------------------------
async function loadMembers() {
  const room = state.room;
  if (!room) return;
  let members;
  try {
    members = await api.get(`/api/chat/rooms/${room.id}/members/`);
  } catch {
    return;
  }
  if (state.room !== room) return;
  state.members = new Map(members.map((m) => [m.user.id, m]));
  ctx.knownNames = new Set(members.map((m) => m.user.username.toLowerCase()));
  conversation.invalidateAll();
  drawMembers();
}

function drawMembers() {
  const all = [...state.members.values()].filter((m) => !m.is_banned);
  const isOnline = (m) => state.online.has(m.user.id);
  const row = (m) => h("li", { class: "member" + (isOnline(m) ? " online" : "") },
    h("span", { class: `avatar small ${hueClass(m.user.id)}`, "aria-hidden": "true", text: initials(displayName(m.user)) },
      h("span", { class: "presence", "aria-hidden": "true" })),
    h("span", { class: "member-name", text: displayName(m.user) + (m.user.id === state.me.id ? ` (${t("you")})` : "") }),
    m.role !== "member" ? h("span", { class: "role", text: t(`role_${m.role}`) }) : null,
    h("span", { class: "visually-hidden", text: isOnline(m) ? t("online") : t("offline") }));
  const online = all.filter(isOnline).sort(byName);
  const offline = all.filter((m) => !isOnline(m)).sort(byName);
  $("#member-list").replaceChildren(
    h("li", { class: "member-heading", text: `${t("online")} — ${online.length}` }), ...online.map(row),
    offline.length ? h("li", { class: "member-heading", text: `${t("offline")} — ${offline.length}` }) : null,
    ...offline.map(row));
  $("#online-count").textContent = String(online.length);
}

function byName(a, b) { return displayName(a.user).localeCompare(displayName(b.user)); }

function toggleMembers() {
  const open = !document.body.classList.contains("members-open");
  document.body.classList.toggle("members-open", open);
  $("#members-button").setAttribute("aria-expanded", String(open));
}

function startTypingOf(user) {
  const old = state.typing.get(user.id);
  clearTimeout(old?.timer);
  const known = state.members.get(user.id)?.user;
  state.typing.set(user.id, { user: known || user, timer: setTimeout(() => stopTypingOf(user.id), TYPING_TTL_MS) });
  drawTyping();
}

function stopTypingOf(userId) {
  const entry = state.typing.get(userId);
  if (!entry) return;
  clearTimeout(entry.timer);
  state.typing.delete(userId);
  drawTyping();
}

function clearTyping() {
  for (const entry of state.typing.values()) clearTimeout(entry.timer);
  state.typing.clear();
  drawTyping();
}

function drawTyping() {
  const names = [...state.typing.values()].map((e) => displayName(e.user));
  let text = "";
  if (names.length === 1) text = t("typing_one", { a: names[0] });
  else if (names.length === 2) text = t("typing_two", { a: names[0], b: names[1] });
  else if (names.length > 2) text = t("typing_many");
  $("#typing-line").textContent = text;
}

// ---- misc ---------------------------------------------------------------------------
let toastTimer;
function flash(text) {
  const toast = $("#toast");
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.hidden = true; }, 5000);
}

function redraw() {
  for (const select of document.querySelectorAll(".language-select")) select.value = language();
  if (!state.me || !conversation) return;
  drawSidebar();
  drawHeader();
  drawMembers();
  drawTyping();
  notifications.draw();
  if (state.room) composer.setPlaceholder(roomTitle(state.room, state.me));
  conversation.invalidateAll();
}

boot();
