// The signed-in user's own account: the profile dialog (display name, a picture the
// server re-encodes, password) and, for site admins, the way to the admin page.
import * as api from "./api.js";
import { t } from "./i18n.js";
import { $, h, icon } from "./dom.js";
import { emailSection } from "./email.js";
import { devicesSection } from "./push.js";
import { formDialog } from "./dialogs.js";

// The account box's picture and name open the profile (one button around them), and a
// site admin gets a link to the admin page; onSaved(user) redraws who we are.
export function mountProfile(me, onSaved) {
  document.querySelector(".me-box .admin-link")?.remove();
  let button = document.querySelector(".me-box .profile-button");
  if (!button) {
    button = h("button", { type: "button", class: "profile-button" });
    $("#me-avatar").before(button);
    button.append($("#me-avatar"), document.querySelector(".me-box .me-names"));
  }
  button.onclick = () => profileDialog(me(), onSaved);
  button.title = t("profile");
  const signOut = $("#sign-out-button");
  if (me().is_admin) {
    signOut.before(h("a", { class: "icon-button admin-link", href: "/admin", "aria-label": t("admin_page"), title: t("admin_page") },
      icon("shield")));
  }
}

export function profileDialog(me, onSaved) {
  const name = h("input", { name: "display_name", maxlength: "64", value: me.display_name || "", autocomplete: "name" });
  const picture = h("input", { name: "avatar", type: "file", accept: "image/png,image/jpeg,image/gif,image/webp" });
  const current = h("input", { name: "old_password", type: "password", autocomplete: "current-password" });
  const fresh = h("input", { name: "password", type: "password", minlength: "8", autocomplete: "new-password" });
  const dialog = formDialog(t("profile"), [
    { name: "display_name", label: t("your_name"), node: name },
    { name: "avatar", label: t("avatar"), node: picture },
    { name: "old_password", label: t("current_password"), node: current },
    { name: "password", label: t("new_password"), node: fresh },
  ], t("save"), async (values) => {
    let user = await api.patch("/api/auth/me", { display_name: values.display_name });
    if (picture.files[0]) user = await uploadAvatar(picture.files[0]);
    if (values.password) {
      // A new password ends every login; the answer carries this page's new login cookie.
      await api.renewing(async () => {
        user = await api.patch("/api/auth/me", { password: values.password, old_password: values.old_password });
      });
    }
    onSaved(user);
  });
  dialog.querySelector(".form-error").before(devicesSection(), emailSection());
}

async function uploadAvatar(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  const response = await fetch("/api/auth/me/avatar", { method: "POST", headers: api.headers(), body: form });
  if (!response.ok) throw new api.ApiError(response.status, await api.errorText(response));
  return response.json();
}
