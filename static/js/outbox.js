// Messages written but not yet stored by the server, kept per user in localStorage, so
// a message typed while offline survives room switches, reloads and a closed tab. Each
// keeps its client_id: sending it again after any failure stores it once.
const MAX_ITEMS = 200;
const KEPT = ["client_id", "room_id", "content", "reply_to", "thread_id", "thread_only", "also_to_room",
  "created_at", "_state", "_error", "_network"];

export class Outbox {
  constructor(userId) {
    this.key = `teahouse.outbox.${userId}`;
  }

  all() {
    try {
      const items = JSON.parse(localStorage.getItem(this.key));
      return Array.isArray(items) ? items : [];
    } catch {
      return [];
    }
  }

  forRoom(roomId) { return this.all().filter((m) => m.room_id === roomId); }

  put(msg) {
    const kept = Object.fromEntries(KEPT.map((k) => [k, msg[k] ?? null]));
    this.save([...this.all().filter((m) => m.client_id !== msg.client_id), kept]);
  }

  update(clientId, changes) {
    this.save(this.all().map((m) => (m.client_id === clientId ? { ...m, ...changes } : m)));
  }

  remove(clientId) {
    this.save(this.all().filter((m) => m.client_id !== clientId));
  }

  save(items) {
    try {
      if (items.length) localStorage.setItem(this.key, JSON.stringify(items.slice(-MAX_ITEMS)));
      else localStorage.removeItem(this.key);
    } catch { /* storage full or disabled: the message stays on screen, as before */ }
  }
}
