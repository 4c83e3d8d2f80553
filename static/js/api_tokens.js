// The "API tokens" dialog: a user's personal tokens for scripts. List, create (the
// secret is shown once: the server keeps only its hash) and revoke (its scripts and
// sockets stop at once). Everything from the server becomes text nodes.
import { del, get, post } from "./api.js";
import { formatFull, h, icon } from "./dom.js";
import { t } from "./i18n.js";
import { confirmDialog } from "./dialogs.js";

const EXPIRY_DAYS = [0, 7, 30, 90, 365];   // 0: until revoked

export function apiTokensDialog() {
  const error = h("p", { class: "form-error", role: "alert" });
  const list = h("ul", { class: "browse-list token-list", "aria-label": t("api_tokens") });
  const shown = h("div", { class: "token-created", hidden: true });
  const name = h("input", { name: "name", required: true, maxlength: "64", autocomplete: "off",
    placeholder: t("token_name"), "aria-label": t("token_name") });
  const days = h("select", { name: "days", "aria-label": t("token_expiry") },
    ...EXPIRY_DAYS.map((n) => h("option", { value: String(n), text: n ? t("token_days", { n }) : t("token_never") })));
  const form = h("form", { class: "token-form" }, name, days,
    h("button", { type: "submit", class: "primary", text: t("create_token") }));
  const dialog = h("dialog", { class: "modal wide", "aria-label": t("api_tokens") },
    h("div", { class: "dialog-head" },
      h("h2", { text: t("api_tokens") }),
      h("button", { type: "button", class: "icon-button", "aria-label": t("cancel"), onclick: () => dialog.close() }, icon("close"))),
    h("p", { class: "muted small", text: t("api_tokens_help") }),
    form, shown, error, list);

  const fail = (err) => { error.textContent = err.message; };

  const draw = async () => {
    try {
      const tokens = await get("/api/chat/tokens/");
      list.replaceChildren(...(tokens.length ? tokens.map(item) : [h("li", { class: "muted", text: t("no_tokens") })]));
    } catch (err) {
      fail(err);
    }
  };

  const item = (token) => h("li", { class: "browse-item", dataset: { tokenId: String(token.id) } },
    h("div", {},
      h("strong", { text: token.name }), " ", h("code", { text: `${token.hint}…` }),
      h("div", { class: "muted small", text: [
        t("token_created_at", { when: formatFull(token.created_at) }),
        token.last_used_at ? t("token_used_at", { when: formatFull(token.last_used_at) }) : t("token_unused"),
        token.expires_at ? t("token_expires_at", { when: formatFull(token.expires_at) }) : null,
      ].filter(Boolean).join(" · ") })),
    h("button", { type: "button", class: "danger", text: t("revoke"), onclick: async () => {
      if (!(await confirmDialog(t("confirm_revoke", { name: token.name }), t("revoke")))) return;
      try {
        await del(`/api/chat/tokens/${token.id}/`);
        shown.hidden = true;
        await draw();
      } catch (err) {
        fail(err);
      }
    } }));

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    const body = { name: name.value.trim() };
    if (Number(days.value)) body.expires_in_days = Number(days.value);
    try {
      const made = await post("/api/chat/tokens/", body);
      showOnce(shown, made.token);
      name.value = "";
      await draw();
    } catch (err) {
      fail(err);
    }
  });

  dialog.addEventListener("close", () => dialog.remove());   // the secret goes with it
  document.body.append(dialog);
  dialog.showModal();
  draw();
  return dialog;
}

function showOnce(box, secret) {
  const value = h("input", { class: "token-secret", readonly: true, value: secret, "aria-label": t("api_tokens") });
  const copy = h("button", { type: "button", class: "secondary", text: t("copy"), onclick: async () => {
    value.select();
    try {
      await navigator.clipboard.writeText(secret);
      copy.textContent = t("copied");
    } catch { /* selected: the user can copy by hand */ }
  } });
  box.replaceChildren(h("p", { text: t("token_once") }), h("div", { class: "token-form" }, value, copy));
  box.hidden = false;
  value.focus();
  value.select();
}
