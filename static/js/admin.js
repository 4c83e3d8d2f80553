// The admin page (/admin) for site admins: people (search, promote/demote, deactivate,
// reset password), rooms (type, member limit, archive, delete) and announcements.
// Everything goes through the REST API, which checks that the caller is a site admin.
import * as api from "./api.js";
import { flash } from "./actions.js";
import { $, displayName, formatFull, h } from "./dom.js";
import { applyStatic, t } from "./i18n.js";

async function boot() {
  applyStatic(document);
  let me = null;
  try {
    me = await api.get("/api/auth/me");
  } catch { /* signed out or server away: refused below */ }
  if (!me?.is_admin) {
    $("#admin-refused").hidden = false;
    return;
  }
  $("#admin-main").hidden = false;
  const users = searchList("#user-search", "#user-query", "#user-list", "/api/chat/admin/users/", (u, redraw) => userRow(u, me, redraw));
  const rooms = searchList("#room-search", "#room-query", "#admin-room-list", "/api/chat/admin/rooms/", roomRow);
  $("#announce-form").addEventListener("submit", announce);
  await Promise.all([users(), rooms()]);
}

// A search box over a list endpoint; returns the function that (re)loads it.
function searchList(formSel, inputSel, listSel, path, row) {
  const load = async () => {
    const q = $(inputSel).value.trim();
    try {
      const found = await api.get(`${path}?q=${encodeURIComponent(q)}`);
      $(listSel).replaceChildren(...found.map((item) => row(item, load)));
    } catch (err) {
      flash(err.message);
    }
  };
  $(formSel).addEventListener("submit", (e) => { e.preventDefault(); load(); });
  let timer;
  $(inputSel).addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(load, 250); });
  return load;
}

function button(label, onclick, kind = "secondary") {
  return h("button", { type: "button", class: kind, text: label, onclick });
}

function userRow(user, me, redraw) {
  const change = (body) => async () => {
    try {
      await api.patch(`/api/chat/admin/users/${user.id}/`, body);
      await redraw();
    } catch (err) {
      flash(err.message);
    }
  };
  const password = h("input", { type: "password", minlength: "8", autocomplete: "new-password",
    "aria-label": t("new_password"), placeholder: t("new_password") });
  const reset = async () => {
    try {
      await api.post(`/api/chat/admin/users/${user.id}/password/`, { password: password.value });
      password.value = "";
      flash(t("password_reset_done", { name: displayName(user) }));
    } catch (err) {
      flash(err.message);
    }
  };
  const self = user.id === me.id;
  return h("li", { class: "admin-row", dataset: { userId: user.id } },
    h("span", { class: "who" },
      h("strong", { text: displayName(user) }),
      h("span", { class: "tag", text: `@${user.username}` }),
      h("span", { class: "tag", text: t("last_login", { when: user.last_login_at ? formatFull(user.last_login_at) : t("never") }) })),
    user.is_admin ? h("span", { class: "tag", text: t("site_admin") }) : null,
    h("span", { class: "tag" + (user.is_active ? "" : " off"), text: user.is_active ? t("status_active") : t("status_inactive") }),
    self ? null : h("span", { class: "actions-inline" },
      button(user.is_admin ? t("remove_admin") : t("make_admin"), change({ is_admin: !user.is_admin })),
      button(user.is_active ? t("deactivate") : t("reactivate"), change({ is_active: !user.is_active }),
        user.is_active ? "danger" : "secondary"),
      password, button(t("reset_password"), reset)));
}

function roomRow(room, redraw) {
  const type = h("select", { "aria-label": t("room_type") },
    ...["public", "private", "group"].map((v) => h("option", { value: v, text: t(v === "group" ? "group" : v) })));
  type.value = room.room_type;
  type.disabled = room.room_type === "direct";
  const limit = h("input", { type: "number", min: "2", max: "100000", value: room.max_members ?? "",
    placeholder: t("no_limit"), "aria-label": t("max_members") });
  const archived = h("input", { type: "checkbox", checked: Boolean(room.is_archived), "aria-label": t("archived_label") });
  const save = async () => {
    const body = { max_members: limit.value ? Number(limit.value) : null, archived: archived.checked };
    if (!type.disabled) body.room_type = type.value;
    try {
      await api.patch(`/api/chat/rooms/${room.id}/`, body);
      flash(t("room_saved", { room: room.name }));
      await redraw();
    } catch (err) {
      flash(err.message);
    }
  };
  const remove = async () => {
    try {
      await api.del(`/api/chat/rooms/${room.id}/`);
      flash(t("room_deleted", { room: room.name }));
      await redraw();
    } catch (err) {
      flash(err.message);
    }
  };
  return h("li", { class: "admin-row", dataset: { roomId: room.id } },
    h("span", { class: "who" },
      h("strong", { text: room.name }),
      h("span", { class: "tag", text: room.max_members ? t("members_limit", { n: room.member_count, limit: room.max_members })
        : t("members_count", { n: room.member_count }) })),
    room.is_archived ? h("span", { class: "tag", text: t("archived") }) : null,
    type, limit, h("label", { class: "tag" }, archived, " ", t("archived")),
    h("span", { class: "actions-inline" }, button(t("save"), save, "primary"), button(t("delete_room"), remove, "danger")));
}

async function announce(e) {
  e.preventDefault();
  try {
    const sent = await api.post("/api/chat/notifications/announce/", {
      title: $("#announce-title-input").value, content: $("#announce-content").value,
    });
    e.target.reset();
    flash(t("announce_sent", { n: sent.count }));
  } catch (err) {
    flash(err.message);
  }
}

boot();
