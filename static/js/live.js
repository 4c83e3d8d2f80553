// The tab's socket frames (/ws/user/, every room of the user): frames of the open room
// and of no room go through one handler per frame type (an explicit table, never a
// lookup by a name the server sends); frames of other rooms update the room list.
// Also the connection banner, the resync after a reconnect, and read marks.
import { displayName, $ } from "./dom.js";
import { desktopAlert } from "./panels.js";
import { wantsAlert } from "./room_prefs.js";
import { messageDeleted, TEAM_FRAMES } from "./team.js";
import { threadFrame, threadsResync } from "./threads.js";

// app: { state, conversation, people, notifications, actions, loadRooms(), drawHeader(),
//        drawSidebar(), updateTitle(), flash(text), atBottom(), elsewhere(roomId, msg),
//        roomLost(roomId, code) }
const CLOSE_FORBIDDEN = 4003;
const CLOSE_GONE = 4004;
const isMe = (app, user) => user?.id === app.state.me.id;

const FRAMES = {
  connection_established: (app) => app.live.askOnline(),
  online_users: (app, frame) => app.people.present(frame.online_users || []),
  presence(app, frame) {        // a large room's summary, at most once a second
    for (const user of frame.joined || []) app.people.joined(user);
    for (const user of frame.left || []) app.people.left(user);
  },
  history_gap: (app) => app.conversation.refreshWindow().catch(() => {}),
  chat_message(app, frame) {
    const { state } = app;
    const msg = frame.message;
    const fresh = app.conversation.upsert(msg);
    app.people.stopTyping(msg.sender?.id);
    if (!fresh || msg.sender?.id === state.me.id) return;
    if (!app.atBottom()) $("#jump-latest").hidden = false;
    if (document.hidden || !app.atBottom()) {
      const listing = state.rooms.get(state.room.id);
      if (listing && msg.message_type !== "system") listing.unread_count = (listing.unread_count || 0) + 1;
      app.updateTitle();
    }
    const listing = state.rooms.get(state.room.id);
    if (listing && wantsAlert(listing, msg, state.me)) desktopAlert(displayName(msg.sender), msg.content, null);
    app.live.markRead();
  },
  message_updated: (app, frame) => app.conversation.upsert(frame.message),
  message_deleted(app, frame) {
    app.conversation.upsert(frame.message);
    messageDeleted(frame.message);
  },
  reaction: (app, frame) => app.conversation.applyReaction(frame),
  user_join: (app, frame) => app.people.joined(frame.user),
  user_leave: (app, frame) => app.people.left(frame.user),
  typing: (app, frame) => app.people.typingFrame(frame),
  room_updated(app, frame) {
    Object.assign(app.state.room, frame.room);
    const listing = app.state.rooms.get(frame.room.id);
    if (listing) Object.assign(listing, frame.room);
    app.drawHeader();
    app.drawSidebar();
  },
  room_deleted: (app, frame) => app.roomLost(frame.room_id, CLOSE_GONE),
  room_joined: (app) => app.loadRooms(),
  member_updated(app, frame) {
    if (isMe(app, frame.user) && frame.is_banned) return app.roomLost(frame.room_id, CLOSE_FORBIDDEN);
    app.people.changed(frame);
    if (isMe(app, frame.user)) app.state.room.role = frame.role;
    app.drawHeader();
  },
  member_left(app, frame) {
    if (isMe(app, frame.user)) return app.roomLost(frame.room_id, null);   // left, maybe in another tab
    app.people.load();
  },
  read(app, frame) {
    const listing = app.state.rooms.get(frame.room_id);
    if (listing) listing.unread_count = frame.unread_count;
    app.notifications.readUpTo(frame.room_id, frame.message_id);    // the server read them too
    app.drawSidebar();
  },
  user_updated: (app, frame) => app.renamed(frame.user),
  notification(app, frame) {
    if (app.notifications.add(frame.notification)) app.loadRooms();
  },
  error: (app, frame) => app.flash(frame.message),
};

export class Live {
  constructor(app) {
    this.app = app;
    this.readSent = 0;
  }

  reset() { this.readSent = 0; }

  frame(frame) {
    const { app } = this;
    // Team frames (pins, saved, status, schedule, preferences) check their room themselves.
    if (Object.hasOwn(TEAM_FRAMES, frame.type)) return TEAM_FRAMES[frame.type](app, frame);
    const roomId = frame.room_id;
    if (frame.type === "message_updated") app.notifications.edited(frame.message);
    if (threadFrame(app, frame)) return;       // a thread-only reply, a thread's summary or state
    const here = roomId === undefined || roomId === app.state.room?.id || frame.type === "read";
    if (!here) return this.elsewhere(roomId, frame);
    const handler = Object.hasOwn(FRAMES, frame.type) ? FRAMES[frame.type] : null;
    handler?.(app, frame);
  }

  // A frame of a room that is not open: the room list follows it.
  elsewhere(roomId, frame) {
    const { app } = this;
    if (frame.type === "chat_message") app.elsewhere(roomId, frame.message);
    else if (frame.type === "member_left" || frame.type === "member_updated") {
      if (isMe(app, frame.user) && (frame.type === "member_left" || frame.is_banned)) app.loadRooms();
    } else if (frame.type === "room_joined") {
      // Listed at once: the room's first message may come before the list is reloaded.
      const known = app.state.rooms.get(roomId);
      app.state.rooms.set(roomId, { unread_count: 0, ...known, ...frame.room, is_member: true });
      app.loadRooms();
    } else if (["room_updated", "room_deleted", "history_gap"].includes(frame.type)) {
      app.loadRooms();
    }
  }

  // Who is online in the open room (the socket answers online_users).
  askOnline() {
    const { state } = this.app;
    if (state.room) state.socket?.send({ type: "online", room_id: state.room.id });
  }

  connection(status, resumed = false) {
    $("#connection-banner").hidden = status !== "reconnecting";
    document.body.classList.toggle("offline", status === "reconnecting");
    this.app.people.setStale(status !== "open");
    if (status === "open" && resumed) this.resync();
    else if (status === "open") this.app.actions.retryOffline();
  }

  // New messages came through ?since=; edits and deletions made while away did not.
  async resync() {
    const { app } = this;
    try {
      await app.conversation.refreshWindow();
    } catch { /* the next reconnect tries again */ }
    app.people.load();
    app.loadRooms();
    app.notifications.load();
    threadsResync();
    app.actions.retryOffline();
  }

  markRead() {
    const { state, conversation } = this.app;
    const last = conversation.lastId();
    if (!last || document.hidden || !this.app.atBottom() || last <= this.readSent || !state.socket?.isOpen) return;
    this.readSent = last;
    state.socket.send({ type: "read", message_id: last });
    const listing = state.rooms.get(state.room.id);
    if (listing) listing.unread_count = 0;
    this.app.drawSidebar();
  }
}
