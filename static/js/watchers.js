// Quiet sockets on the other rooms one belongs to, so unread badges, the tab title
// and desktop alerts for direct messages and mentions are live, not polled. They only
// listen; the open room has its own socket (and the typing, presence and history).
import { RoomSocket } from "./socket.js";

const MAX_WATCHED = 25;

export class Watchers {
  // hooks: { message(roomId, msg), read(frame), notification(n), lost(roomId) }
  constructor(hooks) {
    this.hooks = hooks;
    this.sockets = new Map();      // room id → {socket, lastId}
    this.refused = new Set();      // closed 4003/4004: never retried (a ban must not loop)
  }

  // Watch exactly these rooms (listings); start new ones, stop the rest.
  sync(rooms) {
    const allowed = rooms.filter((r) => !this.refused.has(r.id));
    const wanted = new Map(allowed.slice(0, MAX_WATCHED).map((r) => [r.id, r]));
    for (const [id, entry] of this.sockets) {
      if (!wanted.has(id)) {
        entry.socket.stop();
        this.sockets.delete(id);
      }
    }
    for (const [id, room] of wanted) {
      if (!this.sockets.has(id)) this.watch(id, room.last_message?.id || 0);
    }
  }

  watch(roomId, lastId) {
    const entry = { lastId, socket: null };
    entry.socket = new RoomSocket(roomId, {
      sinceId: () => entry.lastId || null,
      onState: () => {},
      onFatal: () => {
        this.sockets.delete(roomId);
        this.refused.add(roomId);
        this.hooks.lost(roomId);
      },
      onFrame: (frame) => this.frame(roomId, entry, frame),
    }).start();
    this.sockets.set(roomId, entry);
  }

  frame(roomId, entry, frame) {
    if (frame.type === "chat_message") {
      if (frame.message.id <= entry.lastId) return;      // dedupe by id
      entry.lastId = frame.message.id;
      this.hooks.message(roomId, frame.message);
    } else if (frame.type === "read") {
      this.hooks.read(frame);
    } else if (frame.type === "notification") {
      this.hooks.notification(frame.notification);
    }
  }

  stopAll() {
    for (const entry of this.sockets.values()) entry.socket.stop();
    this.sockets.clear();
    this.refused.clear();
  }
}
