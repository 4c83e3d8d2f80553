// The web client's entry: sign-in state, the tab's one socket, and the wiring between
// views (the open room and the room list are room_nav.js's, the buttons and keys
// page_controls.js's). The channels dialect for REST /api/chat/…/, and one user-level
// socket (/ws/user/) for every room the user belongs to.
import * as api from "./api.js";
import { flash, MessageActions, openImage } from "./actions.js";
import { guestInvitation, setupAuth } from "./auth.js";
import { finishExternalSignIn } from "./external_signin.js";
import { acceptDrops, Composer } from "./composer.js";
import { Conversation } from "./conversation.js";
import { $, avatarFace, displayName, h, hueClass } from "./dom.js";
import { applyStatic, language, LANGUAGES, onLanguage, setLanguage, t } from "./i18n.js";
import { Live } from "./live.js";
import { Outbox } from "./outbox.js";
import { showNoRoom } from "./no_room.js";
import { mountProfile } from "./profile.js";
import { rememberLanguage } from "./email.js";
import { Notifications, Search } from "./panels.js";
import { SearchBox } from "./search_box.js";
import { runCommand, setupCalls } from "./calls.js";
import { People } from "./people.js";
import { learnDisplayName, roomTitle } from "./sidebar.js";
import { CLOSE_UNAUTHORIZED, UserSocket } from "./socket.js";
import { showActionsOnTap } from "./touch_actions.js";
import { uploadFiles } from "./uploads.js";
import { registerWorker } from "./push.js";
import { setupTeam, teamStarted } from "./team.js";
import { closeThread, setupThreads, threadsStarted } from "./threads.js";
import { mountShortcutButton } from "./shortcut_help.js";
import { wireControls } from "./page_controls.js";
import {
  drawHeader, drawSidebar, elsewhere, firstRoom, linkedRoom, loadRooms, namesLearned, openAt,
  openRoom, roomLost, roomName, seen, setupRoomNav, updateTitle,
} from "./room_nav.js";

const ROOM_POLL_MS = 60_000;      // a safety net: every room is live on the socket

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

setupRoomNav(app, ctx);

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
  const room = firstRoom(link);
  if (room) await openRoom(room.id, room === link.room ? link.messageId : null);
  if (!state.room) showNoRoom(true);
  app.actions.retryOffline();
  app.notifications.load();
  clearInterval(state.pollTimer);
  state.pollTimer = setInterval(loadRooms, ROOM_POLL_MS);
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
  wireControls(app);
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
