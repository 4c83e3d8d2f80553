// The admin page's tables: the server searches and pages (?q=&kind=&limit=&offset=,
// the total in X-Total-Count), so thousands of people or rooms never reach the page at
// once. Tabs pick the list; each row ends in a menu of its actions.
import * as api from "./api.js";
import { flash } from "./actions.js";
import { $, h, icon } from "./dom.js";
import { t } from "./i18n.js";

export const PAGE_SIZE = 50;

// section holds .admin-tabs, .admin-search input, table, .admin-count and the pager;
// tabs: [{ key, label, path, params, columns: [labels], row(item, reload) → <tr> }].
export function pagedTable(section, tabs) {
  const search = $(".admin-search input", section);
  const tabBar = $(".admin-tabs", section);
  let tab = tabs[0];
  let offset = 0;
  let total = 0;
  let asked = 0;

  const load = async () => {
    const serial = ++asked;
    const params = new URLSearchParams({ q: search.value.trim(), limit: PAGE_SIZE, offset, ...tab.params });
    try {
      const page = await api.getPage(`${tab.path}?${params}`);
      if (serial !== asked) return;           // a newer search has answered, or will
      total = page.total;
      if (offset && !page.items.length) {     // the last row of the last page went
        offset = Math.max(0, offset - PAGE_SIZE);
        return load();
      }
      draw(page.items);
    } catch (err) {
      flash(err.message);
    }
  };

  const draw = (items) => {
    $("thead", section).replaceChildren(h("tr", {},
      tab.columns.map((label) => h("th", { scope: "col", text: label })),
      h("th", { scope: "col", class: "actions-col" }, h("span", { class: "visually-hidden", text: t("actions") }))));
    $("tbody", section).replaceChildren(...(items.length ? items.map((item) => tab.row(item, load))
      : [h("tr", { class: "admin-empty" }, h("td", { colspan: tab.columns.length + 1, text: t("no_matches") }))]));
    $(".admin-count", section).textContent = total
      ? t("page_range", { from: offset + 1, to: offset + items.length, total: total.toLocaleString() }) : "";
    $(".pager-prev", section).disabled = offset === 0;
    $(".pager-next", section).disabled = offset + PAGE_SIZE >= total;
  };

  const choose = (next) => {
    tab = next;
    offset = 0;
    for (const button of tabBar.children) button.setAttribute("aria-selected", String(button.dataset.tab === tab.key));
    load();
  };
  tabBar.replaceChildren(...tabs.map((item) => h("button", {
    type: "button", role: "tab", class: "admin-tab", text: item.label, dataset: { tab: item.key },
    "aria-selected": String(item === tab), onclick: () => choose(item) })));
  $(".admin-search", section).addEventListener("submit", (e) => { e.preventDefault(); offset = 0; load(); });
  let timer;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { offset = 0; load(); }, 250);
  });
  $(".pager-prev", section).addEventListener("click", () => { offset = Math.max(0, offset - PAGE_SIZE); load(); });
  $(".pager-next", section).addEventListener("click", () => { offset += PAGE_SIZE; load(); });
  return load;
}

// A row's actions behind one button: [{ label, run, danger, disabled, note }].
// Escape or a click elsewhere closes the menu; arrow keys move through it.
export function rowMenu(name, items) {
  const button = h("button", { type: "button", class: "icon-button row-menu-button", "aria-haspopup": "menu",
    "aria-expanded": "false", "aria-label": t("actions_for", { name }), title: t("actions") }, icon("more"));
  const menu = h("div", { class: "row-menu", role: "menu", hidden: true },
    items.filter(Boolean).map((item) => h("button", {
      type: "button", role: "menuitem", class: item.danger ? "menu-danger" : "", disabled: item.disabled,
      title: item.note, onclick: () => { close(); item.run(); } },
    h("span", { text: item.label }), item.note ? h("small", { class: "menu-note", text: item.note }) : null)));
  const outside = (e) => { if (!wrap.contains(e.target)) close(); };
  const close = () => {
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    document.removeEventListener("pointerdown", outside);
    window.removeEventListener("scroll", follow, true);
  };
  const follow = () => place(menu, button);   // fixed to the window: keep it by its button
  button.addEventListener("click", () => {
    if (!menu.hidden) return close();
    for (const open of document.querySelectorAll(".row-menu:not([hidden])")) open.hidden = true;
    menu.hidden = false;
    place(menu, button);
    button.setAttribute("aria-expanded", "true");
    document.addEventListener("pointerdown", outside);
    window.addEventListener("scroll", follow, true);
    menu.querySelector("button:not(:disabled)")?.focus({ preventScroll: true });
  });
  menu.addEventListener("keydown", (e) => {
    const enabled = [...menu.querySelectorAll("button:not(:disabled)")];
    const at = enabled.indexOf(document.activeElement);
    if (e.key === "Escape") { close(); button.focus(); }
    if (e.key === "ArrowDown") enabled[(at + 1) % enabled.length]?.focus();
    if (e.key === "ArrowUp") enabled[(at - 1 + enabled.length) % enabled.length]?.focus();
  });
  const wrap = h("div", { class: "row-menu-wrap" }, button, menu);
  return h("td", { class: "actions-col" }, wrap);
}

// Fixed to the window, below the button (above it near the bottom edge), so the
// table's scrolling box never clips it.
function place(menu, button) {
  const at = button.getBoundingClientRect();
  const height = menu.offsetHeight;
  const below = at.bottom + 4 + height <= window.innerHeight;
  menu.style.top = `${below ? at.bottom + 4 : Math.max(4, at.top - 4 - height)}px`;
  menu.style.right = `${Math.max(4, window.innerWidth - at.right)}px`;
}

// A call that changes something, then the table again; errors become a toast.
export async function act(call, done, reload) {
  try {
    await call();
    if (done) flash(done);
    await reload();
  } catch (err) {
    flash(err.message);
  }
}
