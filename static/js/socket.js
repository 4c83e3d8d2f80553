// One socket per tab: /ws/user/?resume=<room>:<last id>,… carries every room the user
// belongs to (docs/user-socket.md), signed in by the login cookie the browser sends
// with it (this page holds no token). Reconnects with exponential backoff and jitter;
// the resume map replays each room after the last id this tab has, and the caller
// dedupes by message id. During a long wait a cheap probe (/livez) notices the server
// coming back, and the wait ends at once.
import { refresh } from "./api.js";
import { language } from "./i18n.js";

const BASE_DELAY = 500;
const MAX_DELAY = 15_000;
const PROBE_FIRST = 250;    // ms after a failure: is the server down, or did it refuse us?
const PROBE_EVERY = 1_500;  // then this often (jittered) while the wait lasts
export const CLOSE_UNAUTHORIZED = 4001;
export const CLOSE_FORBIDDEN = 4003;
export const CLOSE_GONE = 4004;

export class UserSocket {
  // handlers: onFrame(frame), onState("connecting"|"open"|"reconnecting"|"closed", resumed),
  // onFatal(code), resume() → Map of room id → last message id seen there.
  constructor(handlers) {
    this.handlers = handlers;
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.stopped = false;
    this.everOpened = false;
    this.probeTimer = null;
    this.down = false;          // a probe found the server unreachable since we last got in
  }

  start() {
    this.connect();
    return this;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.probeTimer);
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close(1000);
    }
    this.ws = null;
  }

  get isOpen() { return this.ws?.readyState === WebSocket.OPEN; }

  send(frame) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  // Skip the wait (a "retry now" click, the tab coming back online, the server
  // answering again).
  retryNow() {
    if (this.stopped || this.isOpen || this.ws?.readyState === WebSocket.CONNECTING) return;
    clearTimeout(this.timer);
    this.connect();
  }

  connect() {
    if (this.stopped) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    // lang: texts the server writes (joins, leaves, uploads) arrive in the page's language.
    const params = new URLSearchParams({ lang: language() });
    const resume = [...this.handlers.resume()].filter(([, last]) => last).map(([room, last]) => `${room}:${last}`);
    if (resume.length) params.set("resume", resume.join(","));
    const query = String(params) ? `?${params}` : "";
    const url = `${scheme}//${location.host}/ws/user/${query}`;
    this.handlers.onState(this.everOpened ? "reconnecting" : "connecting");
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame.type === "connection_established") {
        // Anything but a first attempt that worked may have missed edits and deletions.
        const resumed = this.everOpened || this.attempt > 0;
        this.attempt = 0;
        this.down = false;
        this.everOpened = true;
        this.handlers.onState("open", resumed);
      }
      this.handlers.onFrame(frame);
    };
    ws.onclose = (event) => this.closed(event.code);
  }

  async closed(code) {
    this.ws = null;
    if (this.stopped) return;
    if (code === CLOSE_UNAUTHORIZED) {
      try {
        await refresh();
      } catch (err) {
        if (err.status === 0) {
          this.schedule();              // the server is unreachable: try again later
          return;
        }
        this.stopped = true;            // the session is over (refresh refused)
        this.handlers.onFatal(code);
        return;
      }
    }
    this.schedule();
  }

  schedule() {
    if (this.stopped) return;
    this.handlers.onState("reconnecting");
    const ceiling = Math.min(MAX_DELAY, BASE_DELAY * 2 ** this.attempt);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);   // "equal jitter"
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), delay);
    if (delay > PROBE_EVERY) this.probe(PROBE_FIRST);
  }

  // While a long wait lasts, GET /livez now and then. A server that answers after it did
  // not (a restart, a network back) ends the wait at once; one that answers all along
  // refused the socket for a reason of its own, and the backoff stands. Probes stop
  // when the wait does (an attempt is under way).
  probe(after) {
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(async () => {
      if (this.stopped || this.ws) return;
      let answered = false;
      try {
        answered = (await fetch("/livez", { cache: "no-store" })).ok;
      } catch { /* unreachable */ }
      if (this.stopped || this.ws) return;
      if (answered && this.down) {
        this.down = false;
        this.retryNow();
        return;
      }
      this.down ||= !answered;
      this.probe(PROBE_EVERY * (0.75 + Math.random() / 2));
    }, after);
  }
}
