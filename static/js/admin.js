// The admin page (/admin) for site admins: a console of people and bots, rooms, direct
// conversations and deleted rooms (static/js/admin_people.js, admin_rooms.js), guests
// (admin_guests.js), paged
// and searched on the server, the audit log (admin_audit.js), and announcements. Everything goes through the REST API,
// which checks that the caller is a site admin.
import * as api from "./api.js";
import { flash } from "./actions.js";
import { $ } from "./dom.js";
import { applyStatic, t } from "./i18n.js";
import { auditLog } from "./admin_audit.js";
import { guestButtons } from "./admin_guests.js";
import { peopleTabs } from "./admin_people.js";
import { roomTabs } from "./admin_rooms.js";
import { pagedTable } from "./admin_table.js";

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
  const main = $("#admin-main");
  main.hidden = false;
  const people = pagedTable($("#people-section"), peopleTabs(me));
  guestButtons($("#people-section"), people);
  const rooms = pagedTable($("#rooms-section"), roomTabs(Number(main.dataset.purgeDays)));
  const audit = auditLog($("#audit-section"));
  $("#announce-form").addEventListener("submit", announce);
  await Promise.all([people(), rooms(), audit()]);
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
