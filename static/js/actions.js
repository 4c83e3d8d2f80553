// What one does to messages: send (optimistic, with a client_id), retry, edit,
// delete, react; the emoji picker and the full-size image viewer.
import * as api from "./api.js";
import { t } from "./i18n.js";
import { $, h } from "./dom.js";
import { QUICK_EMOJI } from "./message_view.js";
import { confirmDialog } from "./dialogs.js";

const SEND_TIMEOUT_MS = 15_000;
const MAX_RATE_WAITS = 60;   // 429s one message waits out before it shows "Not sent"

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function newClientId() {
  // crypto.getRandomValues works on plain-http intranets; randomUUID does not.
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return "web-" + [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export class MessageActions {
  // app: { conversation, room(), me(), flash(text), sent(), threadId()? } — a thread
  // panel has its own instance, whose threadId() names the thread it shows.
  constructor(app) {
    this.app = app;
    this.outbox = null;
    this.inFlight = new Set();      // client_ids being sent right now
    this.notBefore = 0;             // after a 429, no message goes before this time
    this.draining = false;
  }

  // The signed-in user's outbox (see outbox.js); set at every sign-in.
  useOutbox(outbox) {
    this.outbox = outbox;
  }

  // thread: {thread_id, also_to_room} for a reply sent from a thread panel.
  send(content, replyTo, thread = {}) {
    const room = this.app.room();
    if (!room) return;
    this.deliver({
      id: null, client_id: newClientId(), content, reply_to: replyTo, message_type: "text",
      sender: this.app.me(), created_at: new Date().toISOString(), reactions: [], room_id: room.id,
      thread_only: thread.thread_id ? !thread.also_to_room : false, ...thread,
    });
    this.app.sent();
  }

  // Whether this instance's view holds msg: the room's timeline takes no thread's
  // unsent replies, a thread panel only its own.
  shows(msg) {
    return this.app.room()?.id === msg.room_id && (msg.thread_id || null) === (this.app.threadId?.() || null);
  }

  // Shown at once as pending; a retry reuses the client_id, so the server stores the
  // message once even if the first attempt did arrive.
  async deliver(msg) {
    const { conversation } = this.app;
    const here = () => this.shows(msg);
    if (this.inFlight.has(msg.client_id)) return;
    this.inFlight.add(msg.client_id);
    const pending = { ...msg, _state: "pending", _error: null, _network: false };
    this.outbox?.put(pending);
    if (here()) conversation.addPending(pending);
    const startedAt = performance.now();
    try {
      const stored = await this.post(msg);
      this.outbox?.remove(msg.client_id);
      if (here()) conversation.upsert(stored, startedAt);
    } catch (err) {
      const failed = { _state: "failed", _error: err.message, _network: err.status === 0 };
      this.outbox?.update(msg.client_id, failed);
      if (here()) conversation.updatePending(msg.client_id, failed);
    } finally {
      this.inFlight.delete(msg.client_id);
    }
  }

  // A 429 is not a failure but a turn to wait: every send waits out the server's
  // Retry-After and tries again, so an honest backlog goes through at the server's pace.
  async post(msg) {
    for (let waits = 0; ; waits++) {
      const pause = this.notBefore - Date.now();
      if (pause > 0) await sleep(pause);
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), SEND_TIMEOUT_MS);
      try {
        const [path, body] = msg.thread_id
          ? [`/api/chat/threads/${msg.thread_id}/messages/`, { also_to_room: Boolean(msg.also_to_room) }]
          : [`/api/chat/rooms/${msg.room_id}/messages/`, { reply_to: msg.reply_to || undefined }];
        return await api.post(path, { content: msg.content, client_id: msg.client_id, ...body }, { signal: abort.signal });
      } catch (err) {
        if (err.status !== 429 || waits >= MAX_RATE_WAITS) throw err;
        this.notBefore = Math.max(this.notBefore, Date.now() + Math.max(1, err.retryAfter) * 1000);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  // When the connection returns (and at start): what failed for want of a network, or
  // was still on its way when the page went away, goes again by itself, in every room.
  // One at a time, oldest first: the backlog keeps its order and its pace.
  async retryOffline() {
    if (this.draining) return;
    this.draining = true;
    const tried = new Set();
    try {
      for (;;) {
        const next = (this.outbox?.all() || []).find((msg) => !tried.has(msg.client_id)
          && (msg._state === "pending" || (msg._state === "failed" && msg._network)));
        if (!next) return;
        tried.add(next.client_id);
        await this.deliver(next);
      }
    } finally {
      this.draining = false;
    }
  }

  // The open room shows its unsent messages again (after a switch or a reload); one the
  // server already stored (its answer was lost) leaves the outbox instead.
  restore(roomId) {
    const { conversation } = this.app;
    const stored = new Set(conversation.ordered().map((m) => m.id && m.client_id).filter(Boolean));
    for (const msg of this.outbox?.forRoom(roomId) || []) {
      if (!this.shows(msg)) continue;
      if (stored.has(msg.client_id)) this.outbox.remove(msg.client_id);
      else if (!conversation.pending.has(msg.client_id)) {
        conversation.addPending({ ...msg, id: null, sender: this.app.me(), message_type: "text", reactions: [] });
      }
    }
  }

  discard(msg) {
    this.outbox?.remove(msg.client_id);
    this.app.conversation.removePending(msg.client_id);
  }

  async saveEdit(msg, content) {
    if (content === msg.content) return;
    const startedAt = performance.now();
    try {
      this.app.conversation.upsert(await api.patch(`/api/chat/messages/${msg.id}/`, { content }), startedAt);
    } catch (err) {
      this.app.flash(err.message);
    }
  }

  async remove(msg) {
    if (!(await confirmDialog(t("confirm_delete"), t("delete")))) return;
    try {
      await api.del(`/api/chat/messages/${msg.id}/`);
    } catch (err) {
      this.app.flash(err.message);
    }
  }

  // The author takes the link cards off their message; the room hears the update.
  async removePreviews(msg) {
    try {
      this.app.conversation.upsert(await api.del(`/api/chat/messages/${msg.id}/previews/`));
    } catch (err) {
      this.app.flash(err.message);
    }
  }

  async react(msg, emoji) {
    try {
      const result = await api.post(`/api/chat/messages/${msg.id}/reactions/`, { emoji });
      if (result?.reactions) this.app.conversation.applyReaction({ message_id: msg.id, reactions: result.reactions });
    } catch (err) {
      this.app.flash(err.message);
    }
  }

  pickEmoji(msg, anchor) {
    document.querySelector(".emoji-picker")?.remove();
    const picker = h("div", { class: "emoji-picker", role: "menu", "aria-label": t("react") },
      QUICK_EMOJI.map((emoji) => h("button", {
        type: "button", role: "menuitem", class: "emoji-choice", text: emoji, "aria-label": emoji,
        onclick: () => { picker.remove(); this.react(msg, emoji); },
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
}

export function openImage(url, name) {
  $("#lightbox-img").src = url;
  $("#lightbox-img").alt = name;
  $("#lightbox-link").href = url;
  $("#lightbox-caption").textContent = name;
  $("#lightbox").showModal();
}

let toastTimer;
export function flash(text) {
  const toast = $("#toast");
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.hidden = true; }, 5000);
}
