// Email for what I missed, in the profile dialog: my address and how often (never,
// one batched email, or direct messages at once), and the language the server writes
// to me in while I am away (emails and pushes), kept in step with the page's own.
import * as api from "./api.js";
import { language, onLanguage, t } from "./i18n.js";
import { h } from "./dom.js";

const SETTINGS = "/api/chat/email/settings/";
const MODES = ["batched", "direct", "never"];

let following = false;

// Once signed in: the server learns the page's language now and whenever it switches.
export async function rememberLanguage() {
  if (!following) {
    following = true;
    onLanguage((lang) => { if (api.session()) api.patch(SETTINGS, { language: lang }).catch(() => {}); });
  }
  const saved = await api.get(SETTINGS).catch(() => null);
  if (saved && saved.language !== language()) api.patch(SETTINGS, { language: language() }).catch(() => {});
}

export function emailSection() {
  const address = h("input", { type: "email", id: "email-address", maxlength: "254", autocomplete: "email", "aria-label": t("email_address") });
  const mode = h("select", { id: "email-mode", "aria-label": t("email_mode") },
    ...MODES.map((m) => h("option", { value: m, text: t(`email_mode_${m}`) })));
  const status = h("p", { class: "muted", role: "status" });
  const save = h("button", { type: "button", class: "secondary", id: "email-save", text: t("email_save") });
  const section = h("fieldset", { class: "email-settings" }, h("legend", { text: t("email_settings") }),
    h("label", { text: t("email_address") }, address), h("label", { text: t("email_mode") }, mode), status, save);
  save.onclick = async () => {
    save.disabled = true;
    try {
      const found = await api.patch(SETTINGS, { email_address: address.value.trim(), email_mode: mode.value });
      status.textContent = found.email_address ? t("email_saved") : t("email_off");
    } catch (err) {
      status.textContent = err.message;
    } finally {
      save.disabled = false;
    }
  };
  // Nothing can be typed before the stored settings arrive: a late answer would
  // otherwise overwrite what was typed, and Save would store it.
  const fields = [address, mode, save];
  fields.forEach((field) => { field.disabled = true; });
  api.get(SETTINGS).then((found) => {
    address.value = found.email_address || "";
    mode.value = found.email_address ? found.email_mode : "batched";
    section.hidden = !found.email_available;
  }).catch((err) => { status.textContent = err.message; })
    .finally(() => fields.forEach((field) => { field.disabled = false; }));
  return section;
}
