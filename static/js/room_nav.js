// Which room is open, and the list of rooms around it: loading the list, opening a room
// (joining a public one on the way), following a link or a notification to a message,
// leaving, losing a room on the socket, and what the header and the tab's title say.
// Kept apart from app.js, which signs in and wires the views, so each reads as one job;
// app.js hands over its shared state once (setupRoomNav) before any room is opened.
import * as api from "./api.js";
import { flash } from "./actions.js";
import { confirmDialog } from "./dialogs.js";
import { $, displayName, icon } from "./dom.js";
import { t } from "./i18n.js";
import { showNoRoom } from "./no_room.js";
import { closePanels, desktopAlert } from "./panels.js";
import { setBadge } from "./push.js";
import { findRoom as findRoomIn, linkedRoom as roomLink } from "./room_links.js";
import { badgeCount, wantsAlert } from "./room_prefs.js";
import { learnDirectNames, renderSidebar, roomSymbol, roomTitle } from "./sidebar.js";
import { CLOSE_GONE } from "./socket.js";
import { drawHeader as drawTeamHeader, teamRoomOpened } from "./team.js";
import { closeThread, openThread, threadRoomOpened } from "./threads.js";

const LAST_ROOM_KEY = "teahouse.room";

let app;      // app.js's shared object: the views (conversation, people, composer, …)
let ctx;      // what message_view reads (canModerate follows the open room)
let state;    // app.state: me, rooms, the open room, the socket, the last ids seen

export function setupRoomNav(shared, context) {
  app = shared;
  ctx = context;
  state = shared.state;
}

// The room to open at sign-in: the address's, else the last one open here, else the
// global room, else any room of ours.
export function firstRoom(link) {
  return link.room || findRoom(localStorage.getItem(LAST_ROOM_KEY)) || findRoom("global")
    || [...state.rooms.values()].find((r) => r.is_member);
}

function findRoom(ref) {
  return findRoomIn(state.rooms, ref);
}

// The room the address names; a name nothing answers to is said (not while offline,
// when the page knows no rooms yet).
export function linkedRoom() {
  const link = roomLink(state.rooms, location.hash);
  if (link.ref && !link.room && state.rooms.size) flash(t("no_such_room", { name: link.ref }));
  return link;
}

export async function loadRooms() {
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
export function namesLearned() {
  drawSidebar();
  if (!state.room) return;
  drawHeader();
  app.composer.setPlaceholder(roomTitle(state.room, state.me));
  app.conversation.invalidateAll();
}

// Remember the newest message id of a room; false when it was already seen.
export function seen(roomId, id) {
  if (id <= (state.lastIds.get(roomId) || 0)) return false;
  state.lastIds.set(roomId, id);
  return true;
}

// A message in a room other than the open one.
export function elsewhere(roomId, msg) {
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

export function roomName(room) {
  const listing = state.rooms.get(room.id);
  return listing ? roomTitle(listing, state.me) : room.name || "";
}

export function drawSidebar() {
  renderSidebar(state.rooms, state.room?.id, state.me, (id) => {
    document.body.classList.remove("sidebar-open");
    openRoom(id);
  });
  updateTitle();
}

export function updateTitle() {
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

export async function openRoom(id, messageId = null) {
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
export async function openAt(roomId, messageId, { join = false, thread = null } = {}) {
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

export function drawHeader() {
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

export async function leaveRoom() {
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
export function roomLost(roomId, code) {
  if (state.room?.id !== roomId) return loadRooms();
  if (code) flash(code === CLOSE_GONE ? t("room_gone") : t("room_forbidden"));
  goToGlobal(state.room);
}

export async function goToGlobal(from) {
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
