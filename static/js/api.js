// REST calls in the channels dialect: the token (kept in localStorage, refreshed
// before it expires), the language headers, and errors turned into readable text.
import { language, t } from "./i18n.js";

const AUTH_KEY = "teahouse.auth";
let auth = load();
let refreshTimer = null;
let refreshing = null;
const signedOutListeners = new Set();

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function load() {
  try {
    return JSON.parse(localStorage.getItem(AUTH_KEY)) || null;
  } catch {
    return null;
  }
}

// Another tab signed out or refreshed the token: follow it.
window.addEventListener("storage", (event) => {
  if (event.key !== AUTH_KEY) return;
  auth = load();
  if (auth) scheduleRefresh();
  else for (const fn of signedOutListeners) fn();
});

export function session() { return auth; }
export function accessToken() { return auth?.access_token || null; }
export function onSignedOut(fn) { signedOutListeners.add(fn); }

export function saveTokens(body) {
  auth = {
    access_token: body.access_token,
    refresh_token: body.refresh_token || auth?.refresh_token,
    expires_at: Date.now() + (body.expires_in || 3600) * 1000,
    user: body.user || auth?.user,
  };
  localStorage.setItem(AUTH_KEY, JSON.stringify(auth));
  scheduleRefresh();
}

export function setUser(user) {
  if (!auth) return;
  auth.user = user;
  localStorage.setItem(AUTH_KEY, JSON.stringify(auth));
}

export function signOut() {
  auth = null;
  localStorage.removeItem(AUTH_KEY);
  clearTimeout(refreshTimer);
  for (const fn of signedOutListeners) fn();
}

// Refresh a minute before expiry (or at 80% of a short lifetime).
export function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if (!auth?.refresh_token) return;
  const left = auth.expires_at - Date.now();
  const delay = Math.max(0, Math.min(left - 60_000, left * 0.8));
  refreshTimer = setTimeout(() => refresh().catch(() => {}), Math.min(delay, 2 ** 31 - 1));
}

export function refresh() {
  if (!auth?.refresh_token) return Promise.reject(new ApiError(401, "signed out"));
  refreshing ||= (async () => {
    try {
      const body = await request("POST", "/api/auth/refresh",
        { refresh_token: auth.refresh_token }, { anonymous: true });
      saveTokens(body);
    } catch (err) {
      if (err.status === 401 || err.status === 400) signOut();
      throw err;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export function headers(extra = {}) {
  const lang = language();
  const out = { "X-Language": lang, "Accept-Language": lang === "zh" ? "zh-CN,zh" : "en", ...extra };
  if (auth?.access_token) out.Authorization = `Bearer ${auth.access_token}`;
  return out;
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

export async function request(method, path, body, { anonymous = false, retried = false, signal } = {}) {
  const init = { method, headers: headers(body ? { "Content-Type": "application/json" } : {}), signal };
  if (anonymous) delete init.headers.Authorization;
  if (body) init.body = JSON.stringify(body);
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    if (err.name === "AbortError") throw new ApiError(0, t("network_error"));
    throw new ApiError(0, t("network_error"));
  }
  if (response.status === 401 && !anonymous && !retried && auth?.refresh_token) {
    await refresh();
    return request(method, path, body, { anonymous, retried: true, signal });
  }
  if (!response.ok) throw new ApiError(response.status, await errorText(response));
  if (response.status === 204) return null;
  return response.json();
}

export const get = (path, opts) => request("GET", path, null, opts);
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
