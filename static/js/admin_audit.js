// The admin page's audit log: who did what to what, when and from where. Filters go to
// the server (actor, action, target, dates); pages follow its cursor (X-Next-Before),
// the newest first, so the millionth entry costs what the first does. The exports are
// plain links: the login's cookie signs the download, and the filters go with it.
import * as api from "./api.js";
import { flash } from "./actions.js";
import { $, formatFull, h } from "./dom.js";
import { t } from "./i18n.js";

const PATH = "/api/chat/admin/audit/";
const PAGE_SIZE = 50;

export function auditLog(section) {
  const form = $("#audit-filters", section);
  const select = $("#audit-action", section);
  const actions = section.dataset.actions.split(" ");  // the server's list (chat/core/site/audit.py)
  select.replaceChildren(h("option", { value: "", text: t("audit_any_action") }),
    ...actions.map((name) => h("option", { value: name, text: t(`act_${name}`) })));
  let cursors = [null];     // the `before` of each page shown so far; the last is this page's
  let next = null;
  let asked = 0;

  const filters = () => {
    const found = {};
    for (const name of ["actor", "action", "target", "since", "until"]) {
      const value = form.elements[name].value.trim();
      if (value) found[name] = value;
    }
    return found;
  };

  const load = async () => {
    const serial = ++asked;
    const before = cursors[cursors.length - 1];
    const params = new URLSearchParams({ ...filters(), limit: PAGE_SIZE, ...(before ? { before } : {}) });
    try {
      const page = await api.getPage(`${PATH}?${params}`);
      if (serial !== asked) return;     // a newer filter has answered, or will
      next = page.next;
      draw(page.items);
    } catch (err) {
      flash(err.message);
    }
  };

  const draw = (items) => {
    $("thead", section).replaceChildren(h("tr", {},
      ["col_time", "col_actor", "col_action", "col_target", "col_address", "col_detail"]
        .map((key) => h("th", { scope: "col", text: t(key) }))));
    $("tbody", section).replaceChildren(...(items.length ? items.map(entryRow)
      : [h("tr", { class: "admin-empty" }, h("td", { colspan: 6, text: t("no_matches") }))]));
    $(".admin-count", section).textContent = t("audit_page", { n: cursors.length });
    $(".pager-prev", section).disabled = cursors.length === 1;
    $(".pager-next", section).disabled = !next;
    const query = new URLSearchParams(filters());
    for (const link of section.querySelectorAll("[data-format]")) {
      link.href = `${PATH}export/?${new URLSearchParams({ ...Object.fromEntries(query), format: link.dataset.format })}`;
    }
  };

  const restart = () => { cursors = [null]; load(); };
  form.addEventListener("submit", (e) => { e.preventDefault(); restart(); });
  form.addEventListener("reset", () => setTimeout(restart));
  select.addEventListener("change", restart);
  $(".pager-prev", section).addEventListener("click", () => { cursors.pop(); load(); });
  $(".pager-next", section).addEventListener("click", () => { cursors.push(next); load(); });
  return load;
}

function entryRow(entry) {
  const detail = Object.entries(entry.detail).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(", ");
  return h("tr", { class: "admin-row audit-row", dataset: { entryId: entry.id, action: entry.action } },
    h("td", { class: "muted", text: formatFull(entry.at), title: entry.at }),
    h("td", { class: "who", text: entry.actor_name ?? t("audit_server") }),
    h("td", {}, h("span", { class: "audit-action", text: t(`act_${entry.action}`), title: entry.action })),
    h("td", { text: entry.target_name ?? entry.target_id ?? "" }),
    h("td", { class: "muted", text: entry.address ?? "", title: entry.user_agent ?? "" }),
    h("td", { class: "audit-detail", text: detail, title: entry.request_id ? `request ${entry.request_id}` : "" }));
}
