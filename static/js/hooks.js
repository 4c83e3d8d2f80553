// Room settings → Integrations: a room admin's incoming webhooks (list, create,
// rename, new URL, delete). A hook's secret URL is shown once, when it is made:
// the server keeps only a digest of it.
import { del, get, patch, post } from "./api.js";
import { t } from "./i18n.js";
import { h } from "./dom.js";
import { confirmDialog, formDialog } from "./dialogs.js";

export function integrationsSection(room) {
  const base = `/api/chat/rooms/${room.id}/hooks/`;
  const list = h("ul", { class: "hook-list" });
  const secret = h("div", { class: "hook-secret", hidden: true });
  const error = h("p", { class: "form-error", role: "alert" });
  const name = h("input", { name: "hook_name", maxlength: "64", required: true, autocomplete: "off",
    placeholder: t("hook_name"), "aria-label": t("hook_name") });

  const attempt = async (fn) => {
    error.textContent = "";
    try {
      const shown = await fn();
      await load();
      shown?.scrollIntoView({ block: "center" });     // a new URL: in view, however long the dialog
    } catch (err) {
      error.textContent = err.message;
    }
  };
  const reveal = (hook) => {
    const url = h("input", { readonly: true, value: hook.url, class: "hook-url", "aria-label": t("hook_url") });
    secret.replaceChildren(h("p", { class: "small", text: t("hook_url_once", { name: hook.name }) }), url);
    secret.hidden = false;
    url.select();
    return url;
  };
  const row = (hook) => h("li", { class: "hook", dataset: { id: hook.id } },
    h("span", { class: "hook-name", text: hook.name }),
    h("span", { class: "role bot-mark", text: t("bot") }),
    // A hook acts with its creator's rights: refused while she may not post here.
    hook.active ? null : h("span", { class: "small danger hook-inactive", text: t("hook_inactive") }),
    h("button", { type: "button", class: "link-button", text: t("rename"), onclick: () => {
      const input = h("input", { name: "name", required: true, maxlength: "64", value: hook.name, autocomplete: "off" });
      formDialog(t("rename"), [{ name: "name", label: t("hook_name"), node: input }], t("save"), async (values) => {
        await patch(`${base}${hook.id}/`, { name: values.name.trim() });
        await load();
      });
    } }),
    h("button", { type: "button", class: "link-button", text: t("hook_new_url"), onclick: () => attempt(async () =>
      reveal(await post(`${base}${hook.id}/regenerate/`))) }),
    h("button", { type: "button", class: "link-button danger", text: t("delete"), onclick: () => attempt(async () => {
      if (await confirmDialog(t("hook_confirm_delete", { name: hook.name }), t("delete"))) {
        await del(`${base}${hook.id}/`);
      }
    }) }));
  async function load() {
    const hooks = await get(base);
    list.replaceChildren(...hooks.map(row));
    if (!hooks.length) list.append(h("li", { class: "muted small", text: t("no_hooks") }));
  }

  const form = h("form", { class: "hook-form" }, name,
    h("button", { type: "submit", class: "secondary", text: t("hook_create") }));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    attempt(async () => {
      const url = reveal(await post(base, { name: name.value.trim() }));
      name.value = "";
      return url;
    });
  });
  load().catch((err) => { error.textContent = err.message; });
  return h("section", { class: "integrations", "aria-label": t("integrations") },
    h("h3", { text: t("integrations") }),
    h("p", { class: "muted small", text: t("hooks_help") }),
    list, secret, form, error);
}
