// REST calls in the channels dialect: the login cookie (HttpOnly: this page never
// sees a token), the language headers, and errors turned into readable text.
import { language, t } from "./i18n.js";

// Not a credential: who signed in last, so a reload while offline can still draw the page.
const USER_KEY = "teahouse.user";
const REFRESH_MS = 6 * 3600_000;   // slide the login forward while the page stays open
let user = load();
let refreshTimer = null;
let refreshing = null;
const signedOutListeners = new Set();

localStorage.removeItem("teahouse.auth");   // tokens kept there by earlier versions

export class ApiError extends Error {
  // retryAfter: the seconds a 429 (or 503) asked the client to wait, else 0;
  // reason: why a 401 refused us (e.g. "account_deactivated"), if it said.
  constructor(status, message, retryAfter = 0, reason = null) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
    this.reason = reason;
  }
}

// A 401's reason from its challenge: Bearer ..., error_description="account_deactivated".
function refusalReason(response) {
  const challenge = response.headers.get("WWW-Authenticate") || "";
  return /error_description="([a-z_]+)"/.exec(challenge)?.[1] || null;
}

function load() {
  try {
    return JSON.parse(localStorage.getItem(USER_KEY)) || null;
  } catch {
    return null;
  }
}

// Another tab signed out: follow it.
window.addEventListener("storage", (event) => {
  if (event.key !== USER_KEY || event.newValue) return;
  user = null;
  clearInterval(refreshTimer);
  for (const fn of signedOutListeners) fn();
});

export function session() { return user ? { user } : null; }
// Why this browser was last signed out by the server (null: by the person, or unknown).
// Kept across reloads: signing out clears the cookie, so a reload could not ask again.
const REASON_KEY = "teahouse.signed_out_reason";
export function signedOutReason() { return localStorage.getItem(REASON_KEY); }
export function onSignedOut(fn) { signedOutListeners.add(fn); }

// Signed in (the server has set the cookie): remember who, keep the login fresh.
export function setUser(next) {
  user = next;
  localStorage.removeItem(REASON_KEY);
  localStorage.setItem(USER_KEY, JSON.stringify(user));
  scheduleRefresh();
}

function signedOut(reason = null) {
  if (reason) localStorage.setItem(REASON_KEY, reason);
  user = null;
  localStorage.removeItem(USER_KEY);
  clearInterval(refreshTimer);
  for (const fn of signedOutListeners) fn();
}

// Sign out here and on the server: the login, its cookie and its sockets end.
export async function signOut(reason = null) {
  try {
    await fetch("/api/auth/logout", { method: "POST", headers: headers() });
  } catch { /* offline: the cookie still goes when the login expires */ }
  signedOut(reason);
}

export function scheduleRefresh() {
  clearInterval(refreshTimer);
  refreshTimer = setInterval(() => refresh().catch(() => {}), REFRESH_MS);
}

// The login is still good (and now lasts longer); a refused one signs this page out.
// Sockets closed together share one call.
export function refresh() {
  refreshing ||= (async () => {
    try {
      await request("POST", "/api/auth/refresh", {}, { anonymous: true });
    } catch (err) {
      if (err.status === 401 || err.status === 403) signedOut(err.reason);
      throw err;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

// A change that ends every login, this page's too (a new password, whose answer sets
// the new login's cookie): a refresh asked for meanwhile (a socket closed with 4001)
// waits for work() instead of refreshing the login that just ended.
export function renewing(work) {
  refreshing = (async () => {
    try {
      return await work();
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export function headers(extra = {}) {
  const lang = language();
  return { "X-Language": lang, "Accept-Language": lang === "zh" ? "zh-CN,zh" : "en", ...extra };
}

export async function errorText(response) {
  try {
    const body = await response.json();
    const text = body.error ?? body.detail ?? body.message;
    if (typeof text === "string" && text) return text;
    if (Array.isArray(text) && text[0]?.msg) return String(text[0].msg);
  } catch { /* not JSON: fall through to the status text */ }
  return `${response.status} ${response.statusText}`;
}

export async function request(method, path, body, { anonymous = false, retried = false, signal, paged = false } = {}) {
  const init = { method, headers: headers(body ? { "Content-Type": "application/json" } : {}), signal };
  if (body) init.body = JSON.stringify(body);
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    if (err.name === "AbortError") throw new ApiError(0, t("network_error"));
    throw new ApiError(0, t("network_error"));
  }
  if (response.status === 401 && !anonymous && !retried) {
    await refresh();   // signs out unless the login is still good
    return request(method, path, body, { anonymous, retried: true, signal, paged });
  }
  if (!response.ok) {
    const retryAfter = Number(response.headers.get("Retry-After")) || 0;
    throw new ApiError(response.status, await errorText(response), retryAfter, refusalReason(response));
  }
  if (response.status === 204) return null;
  if (paged) {   // a page: the total (offset paging) or the next page's cursor (keyset paging)
    return { items: await response.json(), total: Number(response.headers.get("X-Total-Count")),
      next: response.headers.get("X-Next-Before") };
  }
  return response.json();
}

export const get = (path, opts) => request("GET", path, null, opts);
// A page of a paged list (the admin lists): { items, total } from X-Total-Count.
export const getPage = (path) => request("GET", path, null, { paged: true });
export const post = (path, body = {}, opts) => request("POST", path, body, opts);
export const patch = (path, body = {}, opts) => request("PATCH", path, body, opts);
export const put = (path, body = {}, opts) => request("PUT", path, body, opts);
export const del = (path, opts) => request("DELETE", path, null, opts);

// Upload with progress: fetch() cannot report upload progress, XMLHttpRequest can.
export function upload(file, roomId, onProgress) {
  const xhr = new XMLHttpRequest();
  const done = new Promise((resolve, reject) => {
    xhr.open("POST", "/api/chat/upload");
    for (const [name, value] of Object.entries(headers())) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve(safeJson(xhr.responseText));
      const body = safeJson(xhr.responseText) || {};
      reject(new ApiError(xhr.status, body.detail || body.error || `${xhr.status}`));
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, t("network_error"))));
    xhr.addEventListener("abort", () => reject(new ApiError(-1, "aborted")));
    const form = new FormData();
    form.append("file", file, file.name);
    form.append("room_id", String(roomId));
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
