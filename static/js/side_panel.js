// A side panel like the notifications one, built on first use: a heading, a close
// button and a list. closePanels() (panels.js) hides it with the others.
import { $, h, icon } from "./dom.js";
import { t } from "./i18n.js";
import { closePanels } from "./panels.js";

export function sidePanel(id, titleKey) {
  let panel = document.getElementById(id);
  if (!panel) {
    // Named through data-i18n too: a language switch renames an open panel (applyStatic).
    const label = (key) => ({ "aria-label": t(key), title: t(key), dataset: { i18nLabel: key } });
    panel = h("section", { id, class: "panel", role: "dialog", hidden: true, ...label(titleKey) },
      h("div", { class: "panel-head" }, h("h2", { class: "panel-title", text: t(titleKey), dataset: { i18n: titleKey } }),
        h("button", { type: "button", class: "icon-button panel-close", onclick: closePanels,
          ...label("close_panel") }, icon("close"))),
      h("ul", { class: "panel-list" }));
    $("#notifications-panel").after(panel);
  }
  return panel;
}

export function openPanel(panel) {
  closePanels();
  panel.hidden = false;
  panel.querySelector(".panel-close").focus();
}

export function fillPanel(panel, items, emptyKey) {
  panel.querySelector(".panel-list").replaceChildren(
    ...(items.length ? items : [h("li", { class: "muted empty", text: t(emptyKey) })]));
}
