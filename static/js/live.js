// The open room's socket frames, one handler per frame type (an explicit table, never
// a lookup by a name the server sends), the connection banner, the resync after a
// reconnect, and read marks.
import { displayName, $ } from "./dom.js";
import { desktopAlert } from "./panels.js";
import { wantsAlert } from "./room_prefs.js";
import { messageDeleted, TEAM_FRAMES } from "./team.js";

// app: { state, conversation, people, notifications, actions, loadRooms(), drawHeader(),
//        drawSidebar(), updateTitle(), flash(text), atBottom() }
const FRAMES = {
  connection_established(app, frame) {
    const room = app.state.room;
    app.people.present(frame.online_users || []);
    if (frame.room) Object.assign(room, { name: frame.room.name, description: frame.room.description });
    if (!room.is_member) app.loadRooms();        // opening a public room's socket joins it
  },
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
  room_deleted() { /* the socket closes with 4004 next, and the room is left then */ },
  member_updated(app, frame) {
    app.people.changed(frame);
    if (frame.user.id === app.state.me.id) app.state.room.role = frame.role;
    app.drawHeader();
  },
  read(app, frame) {
    const listing = app.state.rooms.get(frame.room_id);
    if (listing) listing.unread_count = frame.unread_count;
    app.drawSidebar();
  },
  notification(app, frame) {
    if (app.notifications.add(frame.notification)) app.loadRooms();   // every socket sends a copy
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
    const table = Object.hasOwn(FRAMES, frame.type) ? FRAMES : TEAM_FRAMES;
    const handler = Object.hasOwn(table, frame.type) ? table[frame.type] : null;
    handler?.(this.app, frame);
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
