// The admin page's room tables: rooms, direct conversations and deleted rooms on
// separate tabs. Archiving comes first in a room's menu; deleting asks, names what is
// lost and, for a room with messages, wants its name typed; official rooms cannot be
// deleted at all. A deleted room can be restored until it is purged.
import * as api from "./api.js";
import { confirmDialog, formDialog } from "./dialogs.js";
import { formatFull, h } from "./dom.js";
import { t } from "./i18n.js";
import { act, rowMenu } from "./admin_table.js";

const ROOMS = "/api/chat/admin/rooms/";
const DELETED = "/api/chat/admin/deleted-rooms/";

export function roomTabs(purgeDays) {
  return [
    { key: "rooms", label: t("admin_tab_rooms"), path: ROOMS, params: { kind: "rooms" },
      columns: [t("col_room"), t("col_type"), t("col_members"), t("col_messages"), t("col_created")],
      row: (room, reload) => roomRow(room, reload, purgeDays) },
    { key: "direct", label: t("admin_tab_direct"), path: ROOMS, params: { kind: "direct" },
      columns: [t("col_conversation"), t("col_type"), t("col_members"), t("col_messages"), t("col_created")],
      row: (room, reload) => roomRow(room, reload, purgeDays) },
    { key: "deleted", label: t("admin_tab_deleted"), path: DELETED, params: {},
      columns: [t("col_room"), t("col_type"), t("col_messages"), t("col_deleted"), t("col_purge")],
      row: deletedRow },
  ];
}

function nameCell(room) {
  return h("td", { class: "who" },
    h("strong", { text: room.name }),
    room.is_official ? h("span", { class: "pill accent", text: t("official") }) : null,
    room.is_archived ? h("span", { class: "pill", text: t("archived") }) : null,
    h("span", { class: "muted slug", text: ` #${room.slug}` }));
}

function roomRow(room, reload, purgeDays) {
  const patch = (body, done) => act(() => api.patch(`/api/chat/rooms/${room.id}/`, body), done, reload);
  const direct = room.room_type === "direct";
  const members = room.max_members ? t("members_limit", { n: room.member_count, limit: room.max_members })
    : String(room.member_count);
  return h("tr", { class: "admin-row", dataset: { roomId: room.id } },
    nameCell(room),
    h("td", { text: t(`type_${room.room_type}`) }),
    h("td", { class: "num", text: members }),
    h("td", { class: "num", text: room.message_count.toLocaleString() }),
    h("td", { class: "muted", text: formatFull(room.created_at) }),
    rowMenu(room.name, [
      direct ? null : room.is_archived
        ? { label: t("unarchive"), run: () => patch({ archived: false }, t("room_unarchived", { room: room.name })) }
        : { label: t("archive"), run: () => patch({ archived: true }, t("room_archived", { room: room.name })) },
      direct ? null : { label: t("room_settings_more"), run: () => settingsDialog(room, patch) },
      room.is_official
        ? { label: t("delete_more"), disabled: true, note: t("official_undeletable") }
        : { label: t("delete_more"), danger: true, run: () => deleteRoom(room, reload, patch, purgeDays) },
    ]));
}

async function deleteRoom(room, reload, patch, purgeDays) {
  const offerArchive = room.room_type !== "direct" && !room.is_archived;
  const answer = await confirmDialog(t("confirm_delete_room_admin", { room: room.name }), t("delete_room"), {
    details: [
      t("delete_loses", { messages: room.message_count.toLocaleString(), members: room.member_count }),
      t("delete_grace", { days: purgeDays }),
      offerArchive ? t("archive_hint") : null,
    ].filter(Boolean),
    typed: room.message_count > 0 ? room.name : null,
    alternative: offerArchive ? { label: t("archive_instead"), value: "archive" } : null,
  });
  if (answer === "archive") return patch({ archived: true }, t("room_archived", { room: room.name }));
  if (answer) act(() => api.del(`/api/chat/rooms/${room.id}/`), t("room_deleted_restorable", { room: room.name }), reload);
}

function settingsDialog(room, patch) {
  const type = h("select", { name: "room_type" },
    ["public", "private", "group"].map((v) => h("option", { value: v, text: t(`type_${v}`) })));
  type.value = room.room_type;
  const limit = h("input", { type: "number", name: "max_members", min: "2", max: "100000",
    value: room.max_members ?? "", placeholder: t("no_limit") });
  formDialog(t("settings_of", { room: room.name }), [
    { label: t("room_type"), node: type }, { label: t("max_members"), node: limit },
  ], t("save"), (values) => patch({ room_type: values.room_type,
    max_members: values.max_members ? Number(values.max_members) : null }, t("room_saved", { room: room.name })));
}

function deletedRow(room, reload) {
  return h("tr", { class: "admin-row", dataset: { roomId: room.id } },
    nameCell(room),
    h("td", { text: t(`type_${room.room_type}`) }),
    h("td", { class: "num", text: room.message_count.toLocaleString() }),
    h("td", { class: "muted", text: formatFull(room.deleted_at) }),
    h("td", { class: "muted", text: formatFull(room.purge_at) }),
    rowMenu(room.name, [
      { label: t("restore"), run: () => act(() => api.post(`${DELETED}${room.id}/restore/`),
        t("room_restored", { room: room.name }), reload) },
      { label: t("purge_more"), danger: true, run: async () => {
        const sure = await confirmDialog(t("confirm_purge", { room: room.name }), t("purge"), {
          details: [t("purge_loses", { messages: room.message_count.toLocaleString() })],
          typed: room.message_count > 0 ? room.name : null });
        if (sure) act(() => api.del(`${DELETED}${room.id}/`), t("room_purged", { room: room.name }), reload);
      } },
    ]));
}
