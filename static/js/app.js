// The web client's entry: sign-in state, the open room, the room list, the tab's one
// socket, and the wiring between views. The channels dialect for REST /api/chat/…/,
// and one user-level socket (/ws/user/) for every room the user belongs to.
import * as api from "./api.js";
import { flash, MessageActions, openImage } from "./actions.js";
import { apiTokensDialog } from "./api_tokens.js";
import { guestInvitation, setupAuth } from "./auth.js";
import { finishExternalSignIn } from "./external_signin.js";
import { acceptDrops, Composer } from "./composer.js";
import { Conversation } from "./conversation.js";
import { $, avatarFace, displayName, h, hueClass, icon } from "./dom.js";
import { applyStatic, language, LANGUAGES, onLanguage, setLanguage, t } from "./i18n.js";
import { Live } from "./live.js";
import { Outbox } from "./outbox.js";
import { showNoRoom } from "./no_room.js";
import { mountProfile } from "./profile.js";
import { rememberLanguage } from "./email.js";
import { closePanels, desktopAlert, Notifications, Search } from "./panels.js";
import { SearchBox } from "./search_box.js";
import { runCommand, setupCalls } from "./calls.js";
import { People, toggleMembers } from "./people.js";
import { confirmDialog } from "./dialogs.js";
import {
  browseDialog, createRoomDialog, directDialog, inviteDialog, learnDirectNames, learnDisplayName,
  renderSidebar, roomSymbol,
  roomTitle, settingsDialog,
} from "./sidebar.js";
import { CLOSE_GONE, CLOSE_UNAUTHORIZED, UserSocket } from "./socket.js";
import { showActionsOnTap } from "./touch_actions.js";
import { uploadFiles } from "./uploads.js";
import { registerWorker, setBadge } from "./push.js";
import { badgeCount, wantsAlert } from "./room_prefs.js";
import { findRoom as findRoomIn, linkedRoom as roomLink } from "./room_links.js";
import { drawHeader as drawTeamHeader, setupTeam, teamRoomOpened, teamStarted } from "./team.js";
import { closeThread, openThread, setupThreads, threadRoomOpened, threadsStarted } from "./threads.js";
import { mountShortcutButton, showShortcuts } from "./shortcut_help.js";

const ROOM_POLL_MS = 60_000;      // a safety net: every room is live on the socket
const LAST_ROOM_KEY = "teahouse.room";

const state = {
  me: null,
  rooms: new Map(),        // id → room listing
  room: null,              // the open room (a copy of its listing)
  socket: null,            // the tab's one socket, for every room
  lastIds: new Map(),      // room id → newest message id this tab has seen there
  pollTimer: null,
};
let stickToBottom = true;
let authForm;

// Shared with the other modules; filled in by wire().
const app = {
  state, flash,
  me: () => state.me,
  room: () => state.room,
  atBottom: () => stickToBottom,
  sent: () => { stickToBottom = true; },
  loadRooms, drawHeader, drawSidebar, updateTitle, elsewhere, roomLost, renamed,
  open: (roomId, messageId, options) => openAt(roomId, messageId, options), roomName: (room) => roomName(room),
};

// What message_view needs: who I am, names to highlight, and the message actions.
const ctx = {
  me: null, knownNames: new Set(), canModerate: false,
  roomTitle: (room) => roomTitle(room, state.me),
  actions: {
    reply: (msg) => app.composer.startReply(msg),
    edit: (msg) => app.composer.startEdit(msg),
    remove: (msg) => app.actions.remove(msg),
    removePreviews: (msg) => app.actions.removePreviews(msg),
    react: (msg, emoji) => app.actions.react(msg, emoji),
    pickEmoji: (msg, anchor) => app.actions.pickEmoji(msg, anchor),
    retry: (msg) => app.actions.deliver(msg),
    discard: (msg) => app.actions.discard(msg),
    jump: (id) => app.conversation.jumpTo(id),
    openImage,
    imageLoaded: () => { if (stickToBottom) app.conversation.scrollToBottom(); },
  },
  onScrolled: (bottom) => {
    stickToBottom = bottom;
    if (bottom) {
      $("#jump-latest").hidden = true;
      app.live.markRead();
    }
  },
};

function boot() {
  applyStatic(document);
  registerWorker();
  for (const select of document.querySelectorAll(".language-select")) {
    const compact = select.classList.contains("compact");
    select.replaceChildren(...LANGUAGES.map(([code, name, short]) => h("option", { value: code, text: compact ? short : name })));
    select.value = language();
    select.addEventListener("change", () => setLanguage(select.value));
  }
  authForm = setupAuth(document.body.dataset.registration === "true", startChat);
  api.onSignedOut(showAuth);
  onLanguage(redraw);
  finishExternalSignIn().then(() => {
    if (guestInvitation()) showAuth();     // an invitation link: its sign-up first
    else if (api.session()) startChat();
    else resume();
  });
}

// No one remembered here, but the browser may still hold a login cookie.
async function resume() {
  try {
    api.setUser(await api.get("/api/auth/me", { anonymous: true }));
    startChat();
  } catch (err) {
    if (err.reason) api.signOut(err.reason);   // says why, clears what is left
    else showAuth();
  }
}

function showAuth() {
  state.socket?.stop();
  state.socket = null;
  state.room = null;
  state.rooms = new Map();
  state.lastIds = new Map();
  app.conversation?.reset(null);
  closeThread();
  clearInterval(state.pollTimer);
  $("#chat-view").hidden = true;
  $("#auth-view").hidden = false;
  authForm.reset();
  showSignedOutReason(api.signedOutReason());
  document.title = t("app_name");
  $("#auth-username").focus();
}

// Why the server signed this page out, when it said a reason the page can name.
function showSignedOutReason(reason) {
  const notice = $("#auth-notice");
  const known = reason === "account_deactivated";
  if (known) notice.dataset.i18n = reason;
  else delete notice.dataset.i18n;
  notice.textContent = known ? t(reason) : "";
  notice.hidden = !known;
}

async function startChat() {
  $("#auth-view").hidden = true;
  $("#chat-view").hidden = false;
  api.scheduleRefresh();
  try {
    state.me = await api.get("/api/auth/me");
  } catch (err) {
    if (err.status === 401) return api.signOut(err.reason);
    state.me = api.session()?.user;
  }
  if (!state.me) return api.signOut();
  api.setUser(state.me);
  ctx.me = state.me;
  drawMe();
  rememberLanguage();
  if (!app.conversation) wire();
  app.actions.useOutbox(new Outbox(state.me.id));
  teamStarted(state.me);
  threadsStarted(app.actions.outbox);
  // Calls' settings arrive with the rooms (a message drawn after both has its Join button).
  await Promise.all([setupCalls({ room: () => state.room, flash }, ctx), loadRooms()]);
  startSocket();
  const link = linkedRoom();
  const room = link.room || findRoom(localStorage.getItem(LAST_ROOM_KEY)) || findRoom("global")
    || [...state.rooms.values()].find((r) => r.is_member);
  if (room) await openRoom(room.id, room === link.room ? link.messageId : null);
  if (!state.room) showNoRoom(true);
  app.actions.retryOffline();
  app.notifications.load();
  clearInterval(state.pollTimer);
  state.pollTimer = setInterval(loadRooms, ROOM_POLL_MS);
}

function findRoom(ref) {
  return findRoomIn(state.rooms, ref);
}

// The room the address names; a name nothing answers to is said (not while offline,
// when the page knows no rooms yet).
function linkedRoom() {
  const link = roomLink(state.rooms, location.hash);
  if (link.ref && !link.room && state.rooms.size) flash(t("no_such_room", { name: link.ref }));
  return link;
}

function wire() {
  app.conversation = new Conversation($("#messages"), $("#message-list"), ctx);
  app.actions = new MessageActions(app);
  app.people = new People({
    me: () => state.me,
    loaded: (names) => { ctx.knownNames = names; app.conversation.invalidateMentions(); },
    canManage: () => state.room?.room_type !== "direct" && (state.me.is_admin || state.room?.role === "admin"),
    mine: (membership) => app.composer.setMuted(Boolean(membership?.is_muted)),
    flash,
  });
  app.live = new Live(app);
  const upload = (files) => state.room && uploadFiles($("#upload-tray"), files, state.room.id);
  app.composer = new Composer($("#composer"), {
    members: () => app.people.others(),
    send: (text, replyTo) => runCommand(text) || app.actions.send(text, replyTo),
    saveEdit: (msg, text) => app.actions.saveEdit(msg, text),
    typing: (on) => state.room && state.socket?.send({ type: "typing", room_id: state.room.id, is_typing: on }),
    upload,
    lastOwnMessage: () => app.conversation.ordered().reverse()
      .find((m) => m.id && m.sender?.id === state.me.id && m.message_type === "text" && !m.is_deleted),
  });
  acceptDrops($("#main"), $("#drop-overlay"), upload);
  showActionsOnTap($("#message-list"));
  app.notifications = new Notifications({ me: () => state.me, open: openAt, changed: updateTitle, flash });
  const search = new Search({ me: () => state.me, open: openAt, roomName });
  new SearchBox({
    rooms: () => [...state.rooms.values()],
    changed: (query) => { if (query && !$("#search-panel").hidden) search.run(query); },
  });
  setupTeam(app, ctx);
  setupThreads(app, ctx);
  mountShortcutButton();
  wireButtons();
  document.addEventListener("keydown", shortcuts);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      app.live.markRead();
      loadRooms();
    }
  });
  window.addEventListener("online", () => {
    state.socket?.retryNow();
    app.actions.retryOffline();
  });
  window.addEventListener("hashchange", () => {
    const { room, messageId } = linkedRoom();
    if (room) openRoom(room.id, messageId);
  });
}

function wireButtons() {
  const reloadAndOpen = async (room) => {
    await loadRooms();
    openRoom(room.id);
  };
  $("#create-room-button").addEventListener("click", () => createRoomDialog(reloadAndOpen));
  $("#new-direct-button").addEventListener("click", () => directDialog(reloadAndOpen));
  $("#browse-button").addEventListener("click", async () => {
    await loadRooms();
    browseDialog(state.rooms, async (room) => {
      await api.post(`/api/chat/rooms/${room.id}/join/`);
      await reloadAndOpen(room);
    });
  });
  $("#invite-button").addEventListener("click", () => state.room && inviteDialog(state.room, (name) => {
    flash(t("invite_sent", { name }));
    app.people.load();
  }));
  $("#leave-button").addEventListener("click", leaveRoom);
  $("#settings-button").addEventListener("click", () => state.room && settingsDialog(state.room, (room) => {
    app.live.frame({ type: "room_updated", room });       // the socket brings it too
  }, (room) => goToGlobal(room)));
  $("#sign-out-button").addEventListener("click", () => api.signOut());
  $("#api-tokens-button").addEventListener("click", () => apiTokensDialog());
  $("#members-button").addEventListener("click", toggleMembers);
  $("#open-sidebar").addEventListener("click", () => document.body.classList.add("sidebar-open"));
  $("#sidebar-backdrop").addEventListener("click", () => document.body.classList.remove("sidebar-open"));
  $("#jump-latest").addEventListener("click", () => { app.conversation.scrollToBottom(); $("#jump-latest").hidden = true; });
  $("#reconnect-now").addEventListener("click", () => state.socket?.retryNow());
  for (const button of document.querySelectorAll(".panel-close")) button.addEventListener("click", closePanels);
  $("#lightbox-close").addEventListener("click", () => $("#lightbox").close());
}

function shortcuts(e) {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
    e.preventDefault();
    $("#search-input").focus();
  } else if (e.key === "?" && !e.target.matches?.("input, textarea, select")) {
    e.preventDefault();
    showShortcuts();
  } else if (e.key === "Escape") {
    // Menus and panels close first; the thread panel on the next Escape.
    const floating = document.querySelector(".panel:not([hidden]), .emoji-picker, .member-menu, dialog[open]")
      || document.body.classList.contains("sidebar-open");
    if (!floating && !e.defaultPrevented) closeThread();
    closePanels();
    document.querySelector(".emoji-picker")?.remove();
    document.querySelector(".member-menu")?.remove();
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
  $("#me-avatar").replaceChildren(avatarFace(state.me));
  $("#me-name").textContent = name;
  $("#me-handle").textContent = "@" + state.me.username + (state.me.is_admin ? ` · ${t("site_admin")}` : "")
    + (state.me.is_guest ? ` · ${t("guest")}` : "");
  // A guest creates no rooms or API tokens and browses no public rooms (the server
  // refuses them anyway): the page does not offer what would only be refused.
  for (const id of ["#browse-button", "#create-room-button", "#api-tokens-button"]) {
    $(id).hidden = Boolean(state.me.is_guest);
  }
  mountProfile(() => state.me, (user) => {
    renamed(user);
    flash(t("profile_saved"));
  });
}

// A new display name or picture, ours (saved here or in another tab) or someone's we
// share a room with: what is on screen follows without a reload.
function renamed(user) {
  if (user.id === state.me.id) {
    state.me = ctx.me = { ...state.me, ...user };
    api.setUser(state.me);
    drawMe();
  }
  learnDisplayName(user);
  app.conversation.renamed(user);
  app.people.renamed(user);
  namesLearned();
}

// ---- rooms -------------------------------------------------------------------------
async function loadRooms() {
  let listings;
  try {
    listings = await api.get("/api/chat/rooms/");
  } catch {
    return;
  }
  state.rooms = new Map(listings.map((r) => [r.id, r]));
  learnDirectNames(listings, state.me).then((learned) => learned && namesLearned());
  if (state.room && state.rooms.has(state.room.id)) {
    Object.assign(state.room, state.rooms.get(state.room.id));
    drawHeader();
  }
  for (const listing of state.rooms.values()) {
    if (listing.is_member) seen(listing.id, listing.last_message?.id || 0);
  }
  drawSidebar();
}

// Direct rooms are titled by display name: the names just looked up retitle the list,
// and the open room's header, composer and "beginning of" line.
function namesLearned() {
  drawSidebar();
  if (!state.room) return;
  drawHeader();
  app.composer.setPlaceholder(roomTitle(state.room, state.me));
  app.conversation.invalidateAll();
}

// The tab's socket; its resume map asks every room for what came after what we have.
function startSocket() {
  state.socket?.stop();
  state.socket = new UserSocket({
    resume: () => {
      if (state.room) seen(state.room.id, app.conversation.lastId() || 0);
      return state.lastIds;
    },
    onFrame: (frame) => app.live.frame(frame),
    onState: (status, resumed) => app.live.connection(status, resumed),
    onFatal: (code) => code === CLOSE_UNAUTHORIZED && api.signOut(),
  }).start();
}

// Remember the newest message id of a room; false when it was already seen.
function seen(roomId, id) {
  if (id <= (state.lastIds.get(roomId) || 0)) return false;
  state.lastIds.set(roomId, id);
  return true;
}

// A message in a room other than the open one.
function elsewhere(roomId, msg) {
  const listing = state.rooms.get(roomId);
  if (!listing || !seen(roomId, msg.id)) return;
  listing.last_message = { id: msg.id, content: msg.content, sender: msg.sender?.username };
  if (msg.message_type === "system" || msg.sender?.id === state.me.id) return;
  listing.unread_count = (listing.unread_count || 0) + 1;
  drawSidebar();
  if (wantsAlert(listing, msg, state.me)) {
    desktopAlert(`${displayName(msg.sender)} · ${roomTitle(listing, state.me)}`, msg.content, () => openRoom(roomId));
  }
}

function roomName(room) {
  const listing = state.rooms.get(room.id);
  return listing ? roomTitle(listing, state.me) : room.name || "";
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
    if (room.is_member && room.id !== state.room?.id) unread += badgeCount(room);
  }
  const open = state.room && state.rooms.get(state.room.id);
  if (open && document.hidden) unread += badgeCount(open);
  const name = state.room ? roomTitle(state.room, state.me) : "";
  document.title = `${unread ? `(${unread}) ` : ""}${name ? name + " · " : ""}${t("app_name")}`;
  setBadge(unread);
}

async function openRoom(id, messageId = null) {
  const listing = state.rooms.get(Number(id));
  if (!listing) return;
  closePanels();
  if (state.room?.id === listing.id) {
    if (messageId) app.conversation.jumpTo(messageId);
    return;
  }
  rememberSeen(state.room);
  if (!listing.is_member) {
    try {
      await api.post(`/api/chat/rooms/${listing.id}/join/`);     // opening a public room joins it
    } catch (err) {
      return flash(err.message);
    }
    await loadRooms();
  }
  const room = state.room = { ...(state.rooms.get(listing.id) || listing) };
  showNoRoom(false);
  app.people.reset(room);
  app.live.reset();
  threadRoomOpened(room);
  localStorage.setItem(LAST_ROOM_KEY, listing.slug || String(listing.id));
  history.replaceState(null, "", `#${listing.slug || listing.id}`);
  drawHeader();
  drawSidebar();
  app.composer.clear();
  app.composer.setMuted(false);
  app.composer.setPlaceholder(roomTitle(listing, state.me));
  $("#jump-latest").hidden = true;
  app.conversation.reset(room);
  try {
    await app.conversation.loadFirst();
  } catch (err) {
    flash(err.message);
  }
  if (state.room !== room) return;
  app.actions.restore(room.id);
  app.live.askOnline();
  app.people.load();
  teamRoomOpened(room);
  if (messageId) await app.conversation.jumpTo(messageId);
  app.composer.focus();
}

// The room being left for another is counted from what we saw here (so nothing read
// is counted as unread).
function rememberSeen(room) {
  const last = app.conversation.lastId();
  if (room && last) seen(room.id, last);
}

// From a notification or a search result. A room not in the list yet is one we were
// invited to: following the invitation joins it. A message in a thread opens the thread.
async function openAt(roomId, messageId, { join = false, thread = null } = {}) {
  document.body.classList.remove("sidebar-open");
  if (!state.rooms.get(Number(roomId))?.is_member && join) {
    try {
      await api.post(`/api/chat/rooms/${roomId}/join/`);
    } catch (err) {
      return flash(err.message);
    }
    await loadRooms();
  }
  if (!state.rooms.has(Number(roomId))) return;
  if (thread) return openThread(roomId, thread, messageId);
  return openRoom(roomId, messageId);
}

function drawHeader() {
  const room = state.room;
  if (!room) return;
  $("#room-title").textContent = roomTitle(room, state.me);
  $("#room-icon").replaceChildren(icon(roomSymbol(room)));
  $("#room-description").textContent = room.description || "";
  const isDirect = room.room_type === "direct";
  ctx.canModerate = state.me.is_admin || room.role === "admin" || room.role === "moderator";
  $("#invite-button").hidden = isDirect || !ctx.canModerate;      // moderators invite
  $("#leave-button").hidden = isDirect || room.is_official;
  $("#settings-button").hidden = isDirect || !(state.me.is_admin || room.role === "admin");
  drawTeamHeader();
}

async function leaveRoom() {
  const room = state.room;
  if (!room || !(await confirmDialog(t("confirm_leave", { room: room.name }), t("leave_room")))) return;
  try {
    await api.post(`/api/chat/rooms/${room.id}/leave/`);
  } catch (err) {
    return flash(err.message);
  }
  goToGlobal(room);
}

// The open room stopped on the socket: left elsewhere, banned, or deleted.
function roomLost(roomId, code) {
  if (state.room?.id !== roomId) return loadRooms();
  if (code) flash(code === CLOSE_GONE ? t("room_gone") : t("room_forbidden"));
  goToGlobal(state.room);
}

async function goToGlobal(from) {
  state.room = null;
  await loadRooms();
  const next = [findRoom("global"), ...state.rooms.values()]
    .find((r) => r && r.id !== from.id && (r.is_member || r.slug === "global"));
  if (next) await openRoom(next.id);
  if (state.room) return;
  app.conversation.reset(null);
  closeThread();
  showNoRoom(true);
}

function redraw() {
  for (const select of document.querySelectorAll(".language-select")) select.value = language();
  if (!state.me || !app.conversation) return;
  // Texts the server writes (join lines, notification titles) come in the new language
  // from now on; those on screen are read again.
  state.socket?.send({ type: "language", language: language() });
  app.notifications.load();
  if (state.room) app.conversation.refreshWindow().catch(() => {});
  drawMe();
  drawSidebar();
  drawHeader();
  app.people.draw();
  app.people.drawTyping();
  app.notifications.draw();
  if (state.room) app.composer.setPlaceholder(roomTitle(state.room, state.me));
  app.conversation.invalidateAll();
}

boot();
