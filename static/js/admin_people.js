// The admin page's people table: people and bots (webhooks' accounts among them) on
// separate tabs, each account's actions in its row menu. Deactivating asks first and
// says what it ends; a site admin cannot demote or deactivate themselves.
import * as api from "./api.js";
import { flash } from "./actions.js";
import { confirmDialog, formDialog } from "./dialogs.js";
import { displayName, formatFull, guestMark, h } from "./dom.js";
import { t } from "./i18n.js";
import { act, rowMenu } from "./admin_table.js";
import { guestActions, guestTab } from "./admin_guests.js";

const PATH = "/api/chat/admin/users/";

export function peopleTabs(me) {
  const row = (user, reload) => userRow(user, me, reload);
  return [
    { key: "people", label: t("admin_tab_people"), path: PATH, params: { kind: "people" }, row,
      columns: [t("col_name"), t("col_status"), t("col_last_login"), t("col_created")] },
    guestTab(),
    { key: "bots", label: t("admin_tab_bots"), path: PATH, params: { kind: "bots" }, row,
      columns: [t("col_name"), t("col_status"), t("col_last_login"), t("col_created")] },
  ];
}

function userRow(user, me, reload) {
  const name = displayName(user);
  const change = (body, done) => act(() => api.patch(`${PATH}${user.id}/`, body), done, reload);
  return h("tr", { class: "admin-row", dataset: { userId: user.id } },
    h("td", { class: "who" },
      h("strong", { text: name }),
      h("span", { class: "muted", text: ` @${user.username}` }),
      user.kind !== "person" ? h("span", { class: "pill", text: t(`kind_${user.kind}`) }) : null,
      user.is_admin ? h("span", { class: "pill accent", text: t("site_admin") }) : null,
      guestMark(user),
      user.id === me.id ? h("span", { class: "pill", text: t("you") }) : null),
    h("td", {}, h("span", { class: user.is_active ? "state" : "state off",
      text: user.is_active ? t("status_active") : t("status_inactive") })),
    h("td", { class: "muted", text: user.last_login_at ? formatFull(user.last_login_at) : t("never") }),
    h("td", { class: "muted", text: formatFull(user.created_at) }),
    user.id === me.id ? h("td", { class: "actions-col" }) : rowMenu(name, [
      user.kind === "person" && !user.is_guest ? {
        label: user.is_admin ? t("remove_admin") : t("make_admin"),
        run: async () => {
          const text = t(user.is_admin ? "confirm_remove_admin" : "confirm_make_admin", { name });
          if (await confirmDialog(text, user.is_admin ? t("remove_admin") : t("make_admin"))) {
            change({ is_admin: !user.is_admin }, t("saved_person", { name }));
          }
        },
      } : null,
      user.kind === "person" ? { label: t("reset_password_more"), run: () => resetPassword(user, name) } : null,
      ...guestActions(user, reload),
      user.is_active ? {
        label: t("deactivate_more"), danger: true,
        run: async () => {
          if (await confirmDialog(t("confirm_deactivate", { name }), t("deactivate"),
            { details: [t("deactivate_loses"), t("deactivate_undo")] })) {
            change({ is_active: false }, t("deactivated_person", { name }));
          }
        },
      } : { label: t("reactivate"), run: () => change({ is_active: true }, t("saved_person", { name })) },
    ]));
}

function resetPassword(user, name) {
  const input = h("input", { type: "password", name: "password", minlength: "8", required: true,
    autocomplete: "new-password" });
  formDialog(t("reset_password_for", { name }), [{ label: t("new_password"), node: input }], t("reset_password"),
    async ({ password }) => {
      await api.post(`${PATH}${user.id}/password/`, { password });
      flash(t("password_reset_done", { name }));
    });
}
