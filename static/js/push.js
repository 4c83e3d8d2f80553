// The installable app on this side: the service worker (/sw.js), the app badge, and Web
// Push on this device — the profile's "Devices" list, with one click to opt in (the
// browser's permission prompt) and a button to remove any device.
import * as api from "./api.js";
import { t } from "./i18n.js";
import { formatFull, h } from "./dom.js";

export function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").catch(() => { /* http on a LAN name: no worker */ });
}

// The unread count on the installed app's icon (Chromium, Safari 17 home-screen apps).
export function setBadge(count) {
  if (!navigator.setAppBadge) return;
  (count ? navigator.setAppBadge(count) : navigator.clearAppBadge()).catch(() => {});
}

function supported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

function fromBase64Url(text) {
  const raw = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function deviceLabel() {
  const agent = navigator.userAgent;
  const browser = /Firefox\//.test(agent) ? "Firefox" : /Edg\//.test(agent) ? "Edge"
    : /Chrome\//.test(agent) ? "Chrome" : /Safari\//.test(agent) ? "Safari" : "Browser";
  const system = /Android/.test(agent) ? "Android" : /iPhone|iPad/.test(agent) ? "iOS"
    : /Mac OS X/.test(agent) ? "macOS" : /Windows/.test(agent) ? "Windows" : /Linux/.test(agent) ? "Linux" : "";
  return system ? `${browser} · ${system}` : browser;
}

async function subscribeHere() {
  if (await Notification.requestPermission() !== "granted") throw new Error(t("push_denied"));
  const { public_key: key } = await api.get("/api/chat/push/key/");
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(key) });
  await api.post("/api/chat/push/devices/", { ...subscription.toJSON(), label: deviceLabel() });
}

// The "Devices" part of the profile dialog.
export function devicesSection() {
  const list = h("ul", { class: "device-list" });
  const status = h("p", { class: "muted", role: "status" });
  const enable = h("button", { type: "button", class: "secondary", id: "push-enable", text: t("push_enable") });
  enable.hidden = !supported() || Notification.permission === "denied";
  enable.onclick = async () => {
    enable.disabled = true;
    try {
      await subscribeHere();
      await draw();
    } catch (err) {
      status.textContent = err.message;
    } finally {
      enable.disabled = false;
    }
  };
  async function draw() {
    const devices = await api.get("/api/chat/push/devices/");
    list.replaceChildren(...devices.map((d) => h("li", { class: "device" },
      h("span", { text: `${d.label || d.push_service} — ${formatFull(d.created_at)}` }),
      h("button", { type: "button", class: "secondary", text: t("push_remove"), "aria-label": `${t("push_remove")}: ${d.label || d.push_service}`,
        onclick: async () => { await api.del(`/api/chat/push/devices/${d.id}/`); await draw(); } }))));
    status.textContent = devices.length ? "" : t("push_none");
  }
  draw().catch((err) => { status.textContent = err.message; });
  return h("fieldset", { class: "devices" }, h("legend", { text: t("push_devices") }), list, status, enable);
}
