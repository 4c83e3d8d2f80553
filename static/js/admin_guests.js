// The admin page's guests (docs/guests.md): a Guests tab in the people table (rooms,
// expiry; make member, set expiry, deactivate), a guest mark and "Make guest…" on
// people's rows, and the two ways to bring a guest in: an account made here, or an
// invitation link that works once. Every call is the REST API's, which decides.
import * as api from "./api.js";
import { flash } from "./actions.js";
import { confirmDialog, formDialog } from "./dialogs.js";
import { $, displayName, formatFull, guestMark, h } from "./dom.js";
import { t } from "./i18n.js";
import { act, rowMenu } from "./admin_table.js";

const USERS = "/api/chat/admin/users/";

export function guestTab() {
  return { key: "guests", label: t("admin_tab_guests"), path: "/api/chat/admin/guests/", params: {},
    row: guestRow, columns: [t("col_name"), t("col_status"), t("col_expires"), t("col_rooms")] };
}

// The row menu's guest entries for any person: make guest / make member, set expiry.
export function guestActions(user, reload) {
  if (user.kind && user.kind !== "person") return [];
  const name = displayName(user);
  if (!user.is_guest) {
    return user.is_admin ? [] : [{ label: t("make_guest"), run: async () => {
      if (await confirmDialog(t("confirm_make_guest", { name }), t("make_guest"))) {
        act(() => api.patch(`${USERS}${user.id}/guest/`, { is_guest: true }), t("guest_added", { name }), reload);
      }
    } }];
  }
  return [
    { label: t("make_member"), run: async () => {
      if (await confirmDialog(t("confirm_make_member", { name }), t("make_member"))) {
        act(() => api.patch(`${USERS}${user.id}/guest/`, { is_guest: false }), t("saved_person", { name }), reload);
      }
    } },
    { label: t("set_expiry_more"), run: () => setExpiry(user, name, reload) },
  ];
}

function guestRow(user, reload) {
  const name = displayName(user);
  const change = (body, done) => act(() => api.patch(`${USERS}${user.id}/`, body), done, reload);
  return h("tr", { class: "admin-row", dataset: { userId: user.id } },
    h("td", { class: "who" }, h("strong", { text: name }), h("span", { class: "muted", text: ` @${user.username}` }),
      guestMark(user)),
    h("td", {}, h("span", { class: user.is_active ? "state" : "state off",
      text: user.is_active ? t("status_active") : t("status_inactive") })),
    h("td", { class: "muted", text: user.guest_until ? formatFull(user.guest_until) : t("no_expiry") }),
    h("td", { class: "muted", text: user.rooms.join(", ") }),
    rowMenu(name, [
      ...guestActions(user, reload),
      user.is_active
        ? { label: t("deactivate"), danger: true, run: () => change({ is_active: false }, t("deactivated_person", { name })) }
        : { label: t("reactivate"), run: () => change({ is_active: true }, t("saved_person", { name })) },
    ]));
}

// A date picked here is the end of that day (UTC); empty is never.
function setExpiry(user, name, reload) {
  const input = h("input", { type: "date", name: "until", value: user.guest_until?.slice(0, 10) || "" });
  formDialog(t("expiry_for", { name }), [{ label: t("expiry_date"), node: input }], t("save"),
    async ({ until }) => {
      await api.patch(`${USERS}${user.id}/guest/`, { guest_until: until || null });
      flash(t("saved_person", { name }));
      await reload();
    });
}

// "Add a guest…" and "Invitation link…" beside the people table's title.
export function guestButtons(section, reload) {
  const button = (label, run) => h("button", { type: "button", class: "secondary", text: label, onclick: run });
  $(".admin-section-head", section).append(h("div", { class: "guest-buttons" },
    button(t("add_guest_more"), () => addGuest(reload)),
    button(t("guest_link_more"), () => makeLink())));
}

async function roomPicker() {
  const rooms = (await api.getPage("/api/chat/admin/rooms/?kind=rooms&limit=500")).items;
  return h("select", { name: "rooms", multiple: true, size: Math.min(6, Math.max(2, rooms.length)) },
    rooms.map((room) => h("option", { value: room.id, text: room.name })));
}

const picked = (select) => [...select.selectedOptions].map((option) => Number(option.value));
const untilInput = () => h("input", { type: "date", name: "guest_until" });

async function addGuest(reload) {
  const rooms = await roomPicker();
  const password = h("input", { type: "password", name: "password", minlength: "8", required: true,
    autocomplete: "new-password" });
  formDialog(t("add_guest_more"), [
    { label: t("username"), name: "username", required: true, max: 32 },
    { label: t("password"), node: password },
    { label: t("guest_rooms"), node: rooms },
    { label: t("guest_until"), node: untilInput() },
  ], t("add_guest"), async ({ username, guest_until }) => {
    await api.post("/api/chat/guests/", {
      username, password: password.value, rooms: picked(rooms), guest_until: guest_until || null,
    });
    flash(t("guest_added", { name: username }));
    await reload();
  });
}

async function makeLink() {
  const rooms = await roomPicker();
  const hours = h("input", { type: "number", name: "hours", min: "1", value: "72", required: true });
  formDialog(t("guest_link_more"), [
    { label: t("guest_rooms"), node: rooms },
    { label: t("link_hours"), node: hours },
    { label: t("guest_until"), node: untilInput() },
  ], t("create_link"), async ({ guest_until }) => {
    const link = await api.post("/api/chat/guest-links/", {
      rooms: picked(rooms), hours: Number(hours.value), guest_until: guest_until || null,
    });
    showLink(location.origin + link.url, link.expires_at);
  });
}

// The link is shown once: only its hash is kept on the server.
function showLink(url, expiresAt) {
  const field = h("input", { class: "guest-link", readonly: true, value: url, "aria-label": t("guest_link_more") });
  const dialog = h("dialog", { class: "modal", "aria-label": t("guest_link_more") },
    h("p", { text: t("link_ready", { when: formatFull(expiresAt) }) }), field,
    h("div", { class: "dialog-buttons" },
      h("button", { type: "button", class: "secondary", text: t("copy"), onclick: async () => {
        await navigator.clipboard?.writeText(url).catch(() => {});
        flash(t("copied"));
      } }),
      h("button", { type: "button", class: "primary", text: t("close_panel"), onclick: () => dialog.close() })));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  field.select();
}
