// The service worker (served at /sw.js by chat/web/app_shell.py, which puts VERSION and
// SHELL above this line): the page's shell for offline starts, Web Push notifications,
// and a click on one opens the room at its message.
const CACHE = `teahouse-shell-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith("teahouse-shell-") && n !== CACHE).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

// The network first, so code and page are always current when the server answers; the
// cached shell only when it does not. API calls and sockets are never touched.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  const shellPage = request.mode === "navigate" && url.pathname === "/";
  if (!shellPage && !SHELL.includes(url.pathname)) return;
  event.respondWith(fetch(request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(shellPage ? "/" : request, copy));
    }
    return response;
  }).catch(() => caches.match(shellPage ? "/" : request).then((hit) => hit || Response.error())));
});

self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch { data = { body: event.data?.text() }; }
  const shown = self.registration.showNotification(data.title || "Teahouse", {
    body: data.body || "", tag: data.tag || "teahouse", renotify: true,
    icon: "/static/icons/icon-192.png", badge: "/static/icons/icon-192.png",
    data: { url: data.url || "/" },
  });
  // The home-screen badge counts what came while away; the page resets it when it opens.
  const badge = navigator.setAppBadge ? self.registration.getNotifications()
    .then((notes) => navigator.setAppBadge(notes.length + 1)).catch(() => {}) : Promise.resolve();
  event.waitUntil(Promise.all([shown, badge]));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || "/", self.location.origin);
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((tabs) => {
    const tab = tabs.find((c) => new URL(c.url).origin === target.origin);
    const opened = () => self.clients.openWindow(target.href);
    // navigate() works only on a tab this worker controls; any other gets a new window.
    if (tab) return tab.navigate(target.href).then((c) => (c || tab).focus()).catch(opened);
    return opened();
  }));
});
