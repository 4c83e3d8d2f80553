// The page's keyboard shortcuts, listed in a dialog: "?" (outside a text box) or the
// keyboard button by one's name opens it. The keys themselves live where they act
// (app.js, composer.js, threads.js); this list is what people read.
import { $, h, icon } from "./dom.js";
import { t } from "./i18n.js";

const SHORTCUTS = [
  [["Ctrl/⌘", "K"], "shortcut_search"],
  [["Alt", "↑/↓"], "shortcut_rooms"],
  [["T"], "shortcut_thread"],
  [["Alt", "T"], "shortcut_threads"],
  [["Esc"], "shortcut_close"],
  [["Enter"], "shortcut_send"],
  [["↑"], "shortcut_edit"],
  [["?"], "shortcut_help"],
];

export function showShortcuts() {
  document.querySelector(".shortcut-dialog")?.remove();
  const dialog = h("dialog", { class: "modal shortcut-dialog", "aria-label": t("shortcuts") },
    h("div", { class: "dialog-head" }, h("h2", { text: t("shortcuts") }),
      h("button", { type: "button", class: "icon-button", "aria-label": t("close_panel"), title: t("close_panel"),
        onclick: () => dialog.close() }, icon("close"))),
    h("dl", { class: "shortcut-list" }, SHORTCUTS.flatMap(([keys, label]) => [
      h("dt", {}, keys.map((key) => h("kbd", { text: key }))),
      h("dd", { text: t(label) }),
    ])));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

// The button by one's name (relabelled by applyStatic on a language switch).
export function mountShortcutButton() {
  $("#api-tokens-button").before(h("button", { type: "button", class: "icon-button", id: "shortcuts-button",
    "aria-label": t("shortcuts"), title: t("shortcuts"), dataset: { i18nLabel: "shortcuts" }, onclick: showShortcuts },
  icon("keyboard")));
}
