// Dialogs shared by the chat and the admin page: a small form, and the confirmation of
// destructive actions — a real <dialog>, never window.confirm: it names what is lost,
// Cancel has the focus, and `typed` makes the person type a name before the button
// works (for losses a click back cannot undo).
import { h } from "./dom.js";
import { t } from "./i18n.js";

// confirmDialog(text, confirmLabel, { details: [lines], typed: "name", alternative:
// { label, value } }) → "yes", an alternative's value, or false on cancel.
export function confirmDialog(text, confirmLabel, { details = [], typed = null, alternative = null } = {}) {
  return new Promise((resolve) => {
    const confirm = h("button", { type: "button", class: "danger", text: confirmLabel, disabled: Boolean(typed),
      onclick: () => dialog.close("yes") });
    const cancel = h("button", { type: "button", class: "secondary", text: t("cancel"), onclick: () => dialog.close("no") });
    const input = typed === null ? null : h("input", { type: "text", autocomplete: "off", spellcheck: "false",
      class: "typed-confirm", "aria-label": t("type_to_confirm", { name: typed }),
      oninput: () => { confirm.disabled = input.value.trim() !== typed; } });
    const dialog = h("dialog", { class: details.length ? "modal wide confirm-dialog" : "modal confirm-dialog", role: "alertdialog", "aria-label": text },
      h("p", { class: "confirm-text", text }),
      details.map((line) => h("p", { class: "confirm-detail", text: line })),
      input ? h("label", { class: "field" }, h("span", { text: t("type_to_confirm", { name: typed }) }), input) : null,
      h("div", { class: "dialog-buttons" },
        alternative ? h("button", { type: "button", class: "secondary alternative", text: alternative.label,
          onclick: () => dialog.close(alternative.value) }) : null,
        cancel, confirm));
    dialog.addEventListener("close", () => {
      const answer = dialog.returnValue;
      resolve(answer === "yes" ? "yes" : (alternative && answer === alternative.value ? answer : false));
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    (input || cancel).focus();
  });
}

// A small dialog with a form; onSubmit's error shows in it, success closes it.
export function formDialog(title, fields, submitLabel, onSubmit) {
  const error = h("p", { class: "form-error", role: "alert" });
  const inputs = fields.map((f) => f.node || h("input", {
    name: f.name, required: f.required, maxlength: f.max, autocomplete: "off", "aria-label": f.label, placeholder: f.label,
  }));
  const form = h("form", { method: "dialog", class: "dialog-form" },
    h("h2", { text: title }),
    ...fields.map((f, i) => (inputs[i].type === "checkbox"     // a checkbox sits before its words
      ? h("label", { class: "field check" }, inputs[i], h("span", { text: f.label }))
      : h("label", { class: "field" }, h("span", { text: f.label }), inputs[i]))),
    error,
    h("div", { class: "dialog-buttons" },
      h("button", { type: "button", class: "secondary", value: "cancel", text: t("cancel"), onclick: () => dialog.close() }),
      h("button", { type: "submit", class: "primary", text: submitLabel })));
  const dialog = h("dialog", { class: "modal", "aria-label": title }, form);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    const values = Object.fromEntries(new FormData(form));
    try {
      await onSubmit(values);
      dialog.close();
    } catch (err) {
      error.textContent = err.message;
    }
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}
