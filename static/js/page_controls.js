// The chat view's buttons and keyboard shortcuts: each hands its click or key to the
// view or dialog that does the work (room_nav.js for rooms). Kept out of app.js so the
// entry point only signs in and wires the views together.
import * as api from "./api.js";
import { flash } from "./actions.js";
import { apiTokensDialog } from "./api_tokens.js";
import { $ } from "./dom.js";
import { t } from "./i18n.js";
import { closePanels } from "./panels.js";
import { toggleMembers } from "./people.js";
import { goToGlobal, leaveRoom, loadRooms, openRoom } from "./room_nav.js";
import { showShortcuts } from "./shortcut_help.js";
import { browseDialog, createRoomDialog, directDialog, inviteDialog, settingsDialog } from "./sidebar.js";
import { closeThread } from "./threads.js";

export function wireControls(app) {
  wireButtons(app);
  document.addEventListener("keydown", shortcuts);
}

function wireButtons(app) {
  const state = app.state;
  const reloadAndOpen = async (room) => {
    await loadRooms();
    openRoom(room.id);
  };
  $("#create-room-button").addEventListener("click", () => createRoomDialog(reloadAndOpen));
  $("#new-direct-button").addEventListener("click", () => directDialog(reloadAndOpen));
  $("#browse-button").addEventListener("click", async () => {
    await loadRooms();
    browseDialog(state.rooms, async (room) => {
      await api.post(`/api/chat/rooms/${room.id}/join/`);
      await reloadAndOpen(room);
    });
  });
  $("#invite-button").addEventListener("click", () => state.room && inviteDialog(state.room, (name) => {
    flash(t("invite_sent", { name }));
    app.people.load();
  }));
  $("#leave-button").addEventListener("click", leaveRoom);
  $("#settings-button").addEventListener("click", () => state.room && settingsDialog(state.room, (room) => {
    app.live.frame({ type: "room_updated", room });       // the socket brings it too
  }, (room) => goToGlobal(room)));
  $("#sign-out-button").addEventListener("click", () => api.signOut());
  $("#api-tokens-button").addEventListener("click", () => apiTokensDialog());
  $("#members-button").addEventListener("click", toggleMembers);
  $("#open-sidebar").addEventListener("click", () => document.body.classList.add("sidebar-open"));
  $("#sidebar-backdrop").addEventListener("click", () => document.body.classList.remove("sidebar-open"));
  $("#jump-latest").addEventListener("click", () => { app.conversation.scrollToBottom(); $("#jump-latest").hidden = true; });
  $("#reconnect-now").addEventListener("click", () => state.socket?.retryNow());
  for (const button of document.querySelectorAll(".panel-close")) button.addEventListener("click", closePanels);
  $("#lightbox-close").addEventListener("click", () => $("#lightbox").close());
}

function shortcuts(e) {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
    e.preventDefault();
    $("#search-input").focus();
  } else if (e.key === "?" && !e.target.matches?.("input, textarea, select")) {
    e.preventDefault();
    showShortcuts();
  } else if (e.key === "Escape") {
    // Menus and panels close first; the thread panel on the next Escape.
    const floating = document.querySelector(".panel:not([hidden]), .emoji-picker, .member-menu, dialog[open]")
      || document.body.classList.contains("sidebar-open");
    if (!floating && !e.defaultPrevented) closeThread();
    closePanels();
    document.querySelector(".emoji-picker")?.remove();
    document.querySelector(".member-menu")?.remove();
    document.body.classList.remove("sidebar-open");
  } else if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
    const links = [...document.querySelectorAll(".room-link")];
    const at = links.findIndex((a) => a.getAttribute("aria-current") === "page");
    const next = links[(at + (e.key === "ArrowDown" ? 1 : -1) + links.length) % links.length];
    if (next) {
      e.preventDefault();
      openRoom(Number(next.dataset.roomId));
    }
  }
}
