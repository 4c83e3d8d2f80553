// The page with no room open (someone in no room at all, or whose last room went away):
// how to join or create one, in place of a room's buttons, messages and composer.
import { $, h } from "./dom.js";
import { onLanguage, t } from "./i18n.js";

export function showNoRoom(shown) {
  document.body.classList.toggle("no-room", shown);
  if (!shown) return;
  $("#room-title").textContent = "";
  $("#room-icon").replaceChildren();
  $("#room-description").textContent = "";
  const click = (id) => () => $(id).click();     // the sidebar's own buttons and dialogs
  const guest = $("#browse-button").hidden;       // a guest waits to be added to a room
  $("#message-list").replaceChildren(h("div", { class: "no-room-notice", role: "status" },
    h("h2", { text: t("no_room_title") }),
    h("p", { class: "muted", text: t(guest ? "guest_no_room_help" : "no_room_help") }),
    guest ? null : h("div", { class: "no-room-buttons" },
      h("button", { type: "button", class: "primary", text: t("browse_rooms"), onclick: click("#browse-button") }),
      h("button", { type: "button", class: "secondary", text: t("create_room"), onclick: click("#create-room-button") }))));
}

onLanguage(() => { if (document.body.classList.contains("no-room")) showNoRoom(true); });
