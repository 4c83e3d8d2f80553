// Which room an address or a remembered reference names, among the rooms the page knows.
// Pure lookups: app.js says when a link names nothing.

export function findRoom(rooms, ref) {
  if (!ref) return null;
  return [...rooms.values()].find((r) => String(r.id) === String(ref) || r.slug === ref) || null;
}

// The room the address names: #<slug> or #<id> as the page writes it, or a room's name
// as people write links (/#release); "#<room>/<message id>" (what a push notification
// opens) names a message in it too. A name nothing answers to gives room null, so the
// caller can say so instead of opening another room in silence.
export function linkedRoom(rooms, hash) {
  let ref = "";
  try {
    ref = decodeURIComponent(hash.slice(1)).trim();
  } catch { /* a malformed %-escape names no room */ }
  const message = /\/(\d+)$/.exec(ref);   // anchored, one digit run: linear
  if (message) ref = ref.slice(0, message.index);
  return { ref, room: findRoom(rooms, ref) || roomNamed(rooms, ref),
           messageId: message ? Number(message[1]) : null };
}

// Names are not unique: one's own room first, then the official one, then the oldest.
// "Release Notes", "release-notes" and "release_notes" are the same name in a link.
function roomNamed(rooms, name) {
  const key = (text) => String(text).trim().toLowerCase().replace(/[\s_-]+/g, "-");
  const rank = (r) => (r.is_member ? 0 : 2) + (r.is_official ? 0 : 1);
  return [...rooms.values()].filter((r) => r.room_type !== "direct" && name && key(r.name) === key(name))
    .sort((a, b) => rank(a) - rank(b) || a.id - b.id)[0] || null;
}
