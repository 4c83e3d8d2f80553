// Who is in the open room: members (GET …/members/), presence from the socket
// (online_users, user_join, user_leave) and "Alice is typing…".
import { statusBadge } from "./status.js";
import { get, patch } from "./api.js";
import { t } from "./i18n.js";
import { $, avatarFace, displayName, fill, guestMark, h, hueClass, icon } from "./dom.js";
import { confirmDialog } from "./dialogs.js";

const TYPING_TTL_MS = 6_000;

export class People {
  // hooks: { me(), loaded(knownNames), canManage(), mine(membership), flash(text) }
  constructor(hooks) {
    this.hooks = hooks;
    this.room = null;
    this.members = new Map();      // user id → membership {user, role, is_muted, is_banned}
    this.online = new Set();
    this.typing = new Map();       // user id → {user, timer}
    this.stale = true;             // no open socket: who is online is not known
  }

  // While disconnected, presence we last heard may be wrong: show it as unknown.
  setStale(stale) {
    if (stale === this.stale) return;
    this.stale = stale;
    this.draw();
  }

  reset(room) {
    this.room = room;
    this.members = new Map();
    this.online = new Set();
    for (const entry of this.typing.values()) clearTimeout(entry.timer);
    this.typing.clear();
    this.drawTyping();
  }

  others() {
    const me = this.hooks.me();
    return [...this.members.values()].filter((m) => m.user.id !== me.id);
  }

  async load() {
    const room = this.room;
    if (!room) return;
    let members;
    try {
      members = await get(`/api/chat/rooms/${room.id}/members/`);
    } catch {
      return;
    }
    if (this.room !== room) return;
    this.members = new Map(members.map((m) => [m.user.id, m]));
    this.hooks.loaded(new Set(members.map((m) => m.user.username.toLowerCase())));
    this.hooks.mine(this.members.get(this.hooks.me().id));
    this.draw();
  }

  present(users) {
    this.online = new Set(users.map((u) => u.id));
    this.draw();
  }

  joined(user) {
    this.online.add(user.id);
    this.draw();
    if (!this.members.has(user.id)) this.load();
  }

  left(user) {
    this.online.delete(user.id);
    this.stopTyping(user.id);
    this.draw();
  }

  changed(frame) {
    const member = this.members.get(frame.user.id);
    if (member) Object.assign(member, { role: frame.role, is_muted: frame.is_muted, is_banned: frame.is_banned });
    if (frame.user.id === this.hooks.me().id) this.hooks.mine(member || frame);
    this.draw();
  }

  // Someone's new name or picture (user_updated).
  renamed(user) {
    const member = this.members.get(user.id);
    if (!member) return;
    member.user = { ...member.user, ...user };
    this.draw();
  }

  typingFrame(frame) {
    if (frame.user.id === this.hooks.me().id) return;
    if (!frame.is_typing) return this.stopTyping(frame.user.id);
    clearTimeout(this.typing.get(frame.user.id)?.timer);
    const user = this.members.get(frame.user.id)?.user || frame.user;
    // Typing notices expire on their own: a "stopped" frame can be lost with its sender.
    const timer = setTimeout(() => this.stopTyping(frame.user.id), TYPING_TTL_MS);
    this.typing.set(frame.user.id, { user, timer });
    this.drawTyping();
  }

  stopTyping(userId) {
    const entry = this.typing.get(userId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.typing.delete(userId);
    this.drawTyping();
  }

  drawTyping() {
    const names = [...this.typing.values()].map((e) => displayName(e.user));
    let text = "";
    if (names.length === 1) text = t("typing_one", { a: names[0] });
    else if (names.length === 2) text = t("typing_two", { a: names[0], b: names[1] });
    else if (names.length > 2) text = t("typing_many");
    $("#typing-line").textContent = text;
  }

  draw() {
    const me = this.hooks.me();
    // Webhooks and bots are listed apart: they are never "offline people".
    const listed = [...this.members.values()].filter((m) => !m.is_banned);
    const all = listed.filter((m) => !m.user.is_bot);
    const bots = listed.filter((m) => m.user.is_bot).sort(byName).map((m) => h("li", { class: "member bot" },
      h("span", { class: `avatar small ${hueClass(m.user.id)}`, "aria-hidden": "true" }, avatarFace(m.user)),
      h("span", { class: "member-name", text: displayName(m.user) }),
      h("span", { class: "role bot-mark", text: t("bot") })));
    if (bots.length) bots.unshift(h("li", { class: "member-heading", text: `${t("integrations")} — ${bots.length}` }));
    const isOnline = (m) => !this.stale && this.online.has(m.user.id);
    const row = (m) => h("li", { class: "member" + (isOnline(m) ? " online" : "") },
      h("span", { class: `avatar small ${hueClass(m.user.id)}`, "aria-hidden": "true" },
        avatarFace(m.user), h("span", { class: "presence", "aria-hidden": "true" })),
      h("span", { class: "member-name", text: displayName(m.user) + (m.user.id === me?.id ? ` (${t("you")})` : "") }),
      statusBadge(m.user.id),
      guestMark(m.user),
      m.role !== "member" ? h("span", { class: "role", text: t(`role_${m.role}`) }) : null,
      m.is_muted ? h("span", { class: "role", text: t("muted") }) : null,
      h("span", { class: "visually-hidden", text: this.stale ? t("presence_unknown") : isOnline(m) ? t("online") : t("offline") }),
      this.hooks.canManage() && m.user.id !== me?.id ? this.manageButton(m) : null);
    $("#members-panel").classList.toggle("stale", this.stale);
    if (this.stale) {
      fill($("#member-list"), h("li", { class: "member-heading", text: `${t("presence_unknown")} — ${all.length}` }),
        ...all.sort(byName).map(row), ...bots);
      $("#online-count").textContent = "–";
      return;
    }
    const online = all.filter(isOnline).sort(byName);
    const offline = all.filter((m) => !isOnline(m)).sort(byName);
    fill($("#member-list"),
      h("li", { class: "member-heading", text: `${t("online")} — ${online.length}` }), ...online.map(row),
      ...(offline.length ? [h("li", { class: "member-heading", text: `${t("offline")} — ${offline.length}` })] : []),
      ...offline.map(row), ...bots);
    $("#online-count").textContent = String(online.length);
  }

  // Room admins: moderator role, mute, ban (PATCH …/members/{user_id}/).
  manageButton(m) {
    const name = displayName(m.user);
    return h("button", {
      type: "button", class: "icon-button manage", "aria-label": t("manage_member", { name }),
      title: t("manage_member", { name }), "aria-haspopup": "menu",
      onclick: (e) => this.openMenu(m, e.currentTarget),
    }, icon("more"));
  }

  openMenu(m, anchor) {
    document.querySelector(".member-menu")?.remove();
    const change = async (body) => {
      menu.remove();
      try {
        Object.assign(m, await patch(`/api/chat/rooms/${this.room.id}/members/${m.user.id}/`, body));
        this.draw();
      } catch (err) {
        this.hooks.flash(err.message);
      }
    };
    const item = (label, fn) => h("button", { type: "button", role: "menuitem", text: label, onclick: fn });
    const menu = h("div", { class: "member-menu", role: "menu", "aria-label": t("manage_member", { name: displayName(m.user) }) },
      m.role === "member" ? item(t("make_moderator"), () => change({ role: "moderator" }))
        : m.role === "moderator" ? item(t("make_member"), () => change({ role: "member" })) : null,
      item(m.is_muted ? t("unmute") : t("mute"), () => change({ is_muted: !m.is_muted })),
      item(t("ban"), async () => {
        menu.remove();
        if (await confirmDialog(t("confirm_ban", { name: displayName(m.user), room: this.room.name }), t("ban"))) {
          await change({ is_banned: true });
        }
      }));
    anchor.closest(".member").append(menu);
    menu.querySelector("button")?.focus();
    const away = (e) => {
      if (!menu.contains(e.target)) {
        menu.remove();
        document.removeEventListener("pointerdown", away);
      }
    };
    document.addEventListener("pointerdown", away);
  }
}

function byName(a, b) { return displayName(a.user).localeCompare(displayName(b.user)); }

export function toggleMembers() {
  const open = !document.body.classList.contains("members-open");
  document.body.classList.toggle("members-open", open);
  $("#members-button").setAttribute("aria-expanded", String(open));
}
