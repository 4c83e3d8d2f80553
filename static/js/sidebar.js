// The room list (official rooms first, unread badges), direct messages, and the
// dialogs that change membership: create, browse public rooms, invite, new direct.
import { del, get, patch, post } from "./api.js";
import { badgeCount } from "./room_prefs.js";
import { t } from "./i18n.js";
import { $, h, icon } from "./dom.js";
import { integrationsSection } from "./hooks.js";
import { confirmDialog, formDialog } from "./dialogs.js";

// A direct room is named after its two usernames; people are shown by display name.
const displayNames = new Map();    // username → display name ("" while being looked up)

function directPeers(room, me) {
  return room.name.split(",").map((s) => s.trim()).filter((n) => n && n !== me.username);
}

export function roomTitle(room, me) {
  if (room.room_type !== "direct") return room.name;
  const others = directPeers(room, me).map((n) => displayNames.get(n) || n);
  return others.join(", ") || room.name;
}

// Look up the display names of direct-message peers not seen yet; true if any arrived.
export async function learnDirectNames(rooms, me) {
  const unknown = new Set();
  for (const room of rooms) {
    if (room.room_type === "direct") for (const n of directPeers(room, me)) if (!displayNames.has(n)) unknown.add(n);
  }
  let learned = false;
  await Promise.all([...unknown].map(async (name) => {
    displayNames.set(name, "");
    try {
      const found = (await get(`/api/users/?q=${encodeURIComponent(name)}`)).find((u) => u.username === name);
      if (found?.display_name) {
        displayNames.set(name, found.display_name);
        learned = true;
      }
    } catch { displayNames.delete(name); }
  }));
  return learned;
}

// A display name heard live (user_updated), for direct rooms with that person.
export function learnDisplayName(user) {
  if (displayNames.has(user.username)) displayNames.set(user.username, user.display_name || "");
}

export function roomSymbol(room) {
  return room.room_type === "direct" ? "at" : room.room_type === "public" ? "hash" : "lock";
}

function byOfficialThenName(a, b) {
  if (a.is_official !== b.is_official) return a.is_official ? -1 : 1;
  return a.name.localeCompare(b.name);
}

function byRecent(a, b) {
  return (b.last_message?.id || 0) - (a.last_message?.id || 0);
}

export function renderSidebar(rooms, currentId, me, onSelect) {
  // Official public rooms are everyone's: listed even before the first visit joins them.
  const mine = [...rooms.values()].filter((r) => r.is_member || (r.is_official && r.room_type === "public"));
  const channels = mine.filter((r) => r.room_type !== "direct").sort(byOfficialThenName);
  const directs = mine.filter((r) => r.room_type === "direct").sort(byRecent);
  $("#room-list").replaceChildren(...channels.map((r) => roomItem(r, currentId, me, onSelect)));
  $("#direct-list").replaceChildren(...directs.map((r) => roomItem(r, currentId, me, onSelect)));
}

function roomItem(room, currentId, me, onSelect) {
  const unread = room.id === currentId ? 0 : badgeCount(room);
  const symbol = roomSymbol(room);
  return h("li", {},
    h("a", {
      href: `#${room.slug || room.id}`,
      class: "room-link" + (unread ? " has-unread" : "") + (room.room_muted || room.notify_level === "nothing" ? " quiet" : ""),
      "aria-current": room.id === currentId ? "page" : false, dataset: { roomId: room.id },
      onclick: (e) => { e.preventDefault(); onSelect(room.id); },
    },
    h("span", { class: "room-icon", "aria-hidden": "true" }, icon(symbol)),
    h("span", { class: "room-name", text: roomTitle(room, me) }),
    room.is_official ? h("span", { class: "official", title: t("official"), "aria-label": t("official"), text: "★" }) : null,
    unread ? h("span", { class: "badge", "aria-label": t("unread", { n: unread }), text: unread > 99 ? "99+" : String(unread) }) : null));
}

export function createRoomDialog(onCreated) {
  const type = h("select", { name: "room_type", "aria-label": t("room_type") },
    h("option", { value: "public", text: t("public") }), h("option", { value: "private", text: t("private") }));
  formDialog(t("create_room"), [
    { name: "name", label: t("room_name"), required: true, max: "100" },
    { name: "description", label: t("description"), max: "500" },
    { name: "room_type", label: t("room_type"), node: type },
  ], t("create"), async (values) => onCreated(await post("/api/chat/rooms/", values)));
}

// Room admins: name, description, who can see it, the member limit, join notices, link
// previews, archive, delete.
export function settingsDialog(room, onSaved, onDeleted) {
  const name = h("input", { name: "name", required: true, maxlength: "100", value: room.name, autocomplete: "off" });
  const description = h("input", { name: "description", maxlength: "500", value: room.description || "", autocomplete: "off" });
  const type = h("select", { name: "room_type" },
    h("option", { value: "public", text: t("public") }), h("option", { value: "private", text: t("private") }),
    room.room_type === "group" ? h("option", { value: "group", text: t("group") }) : null);
  type.value = room.room_type;
  const limit = h("input", { name: "max_members", type: "number", min: "2", max: "100000", inputmode: "numeric",
    value: room.max_members ?? "", placeholder: t("no_limit"), autocomplete: "off" });
  const archived = h("input", { name: "archived", type: "checkbox", checked: Boolean(room.is_archived) });
  // What a large room says when people come and go (small rooms always name each one).
  const notices = h("select", { name: "join_notices" },
    ...["coalesced", "always", "never"].map((mode) => h("option", { value: mode, text: t(`join_notices_${mode}`) })));
  notices.value = room.join_notices || "coalesced";
  const previews = h("input", { name: "link_previews", type: "checkbox", checked: room.link_previews !== false });
  const dialog = formDialog(t("room_settings"), [
    { name: "name", label: t("room_name"), node: name },
    { name: "description", label: t("description"), node: description },
    { name: "room_type", label: t("room_type"), node: type },
    { name: "max_members", label: t("max_members"), node: limit },
    { name: "join_notices", label: t("join_notices"), node: notices },
    { name: "link_previews", label: t("link_previews"), node: previews },
    { name: "archived", label: t("archived_label"), node: archived },
  ], t("save"), async (values) => onSaved(await patch(`/api/chat/rooms/${room.id}/`, {
    name: values.name, description: values.description, room_type: values.room_type,
    max_members: values.max_members ? Number(values.max_members) : null, archived: archived.checked,
    join_notices: values.join_notices, link_previews: previews.checked,
  })));
  dialog.querySelector(".dialog-buttons").prepend(h("button", {
    type: "button", class: "danger", text: t("delete_room"), onclick: async () => {
      if (!(await confirmDialog(t("confirm_delete_room", { room: room.name }), t("delete_room")))) return;
      try {
        await del(`/api/chat/rooms/${room.id}/`);
        dialog.close();
        onDeleted?.(room);
      } catch (err) {
        dialog.querySelector(".form-error").textContent = err.message;
      }
    },
  }));
  // The integrations have a form of their own, so they sit beside the settings form; the
  // stylesheet shows them above Save and Cancel, which stay in view while it scrolls.
  dialog.classList.add("room-settings");
  dialog.append(integrationsSection(room));
}

// A username field that suggests people as one types (display names shown alongside).
function peopleInput(id) {
  const input = h("input", { name: "username", required: true, maxlength: "32", autocomplete: "off", list: id });
  const people = h("datalist", { id });
  input.addEventListener("input", async () => {
    const q = input.value.trim();
    if (!q) return;
    try {
      const found = await get(`/api/users/?q=${encodeURIComponent(q)}`);
      people.replaceChildren(...found.map((u) => h("option", { value: u.username, text: u.display_name })));
    } catch { /* suggestions are optional */ }
  });
  return [input, people];
}

export function inviteDialog(room, onInvited) {
  const [input, people] = peopleInput("invite-people");
  const dialog = formDialog(t("invite_user", { room: room.name }), [
    { name: "username", label: t("find_people"), node: input },
  ], t("invite"), async ({ username }) => {
    await post(`/api/chat/rooms/${room.id}/invite/`, { username: username.trim() });
    onInvited(username.trim());
  });
  dialog.append(people);
}

export function directDialog(onOpened) {
  const [input, people] = peopleInput("people-list");
  const dialog = formDialog(t("new_direct"), [{ name: "username", label: t("find_people"), node: input }],
    t("start_direct"), async ({ username }) => onOpened(await post("/api/chat/direct/", { username: username.trim() })));
  dialog.append(people);
}

export function browseDialog(rooms, onJoin) {
  const filter = h("input", { type: "search", placeholder: t("search"), "aria-label": t("search") });
  const list = h("ul", { class: "browse-list" });
  const draw = () => {
    const q = filter.value.trim().toLowerCase();
    const visible = [...rooms.values()]
      .filter((r) => r.room_type === "public" && (!q || r.name.toLowerCase().includes(q)))
      .sort(byOfficialThenName);
    list.replaceChildren(...(visible.length ? visible.map((r) => h("li", { class: "browse-item" },
      h("div", {},
        h("strong", { text: r.name }),
        r.is_official ? h("span", { class: "official", text: " ★" }) : null,
        h("div", { class: "muted", text: [r.description, (r.member_count === 1 ? t("members_one") : t("members_count", { n: r.member_count }))].filter(Boolean).join(" · ") })),
      r.is_member ? h("span", { class: "muted", text: t("joined") })
        : h("button", { type: "button", class: "primary", text: t("join"), onclick: async () => {
          await onJoin(r);
          dialog.close();
        } }))) : [h("li", { class: "muted", text: t("no_rooms") })]));
  };
  filter.addEventListener("input", draw);
  const dialog = h("dialog", { class: "modal wide", "aria-label": t("browse_rooms") },
    h("div", { class: "dialog-head" }, h("h2", { text: t("browse_rooms") }),
      h("button", { type: "button", class: "icon-button", "aria-label": t("close_panel"), onclick: () => dialog.close() }, icon("close"))),
    filter, list);
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  draw();
  dialog.showModal();
}

