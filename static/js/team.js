// The team features' place in the page (issue 14): pins, saved messages, notification
// levels, status, send later and reminders. Wired once by app.js with small hooks; the
// frames they add are handled in TEAM_FRAMES (an explicit table, as live.js does).
import { $, h, icon } from "./dom.js";
import { onLanguage, t } from "./i18n.js";
import { Pins } from "./pins.js";
import { drawLevelButton, levelButton, levelDialog } from "./room_prefs.js";
import { Saved } from "./saved.js";
import { Schedule } from "./schedule.js";
import { loadStatuses, onStatusChange, statusBadge, statusFrame } from "./status.js";

let team = null;

// app: { state, conversation, people, composer, flash, open(roomId, messageId),
//        roomName(room), drawSidebar() }
export function setupTeam(app, ctx) {
  // A reply in its thread only is not in the room's timeline: it opens in its thread.
  const jump = (roomId, messageId, message) =>
    app.open(roomId, messageId, { thread: message?.thread_only ? message.thread_id : null });
  const canPin = () => {
    const room = app.state.room;
    return Boolean(room && (app.state.me.is_admin || room.role === "admin" || room.role === "moderator"
      || (room.room_type === "direct" && room.is_member)));
  };
  team = {
    app,
    pins: new Pins({ canPin, current: (id) => ctx.byId?.(id), jump, flash: app.flash,
      changed: () => app.conversation.invalidateAll() }),
    saved: new Saved({ jump, roomName: app.roomName, flash: app.flash, changed: () => app.conversation.invalidateAll() }),
    schedule: new Schedule({
      room: () => app.state.room, jump, flash: app.flash,
      composerText: () => $("#composer-input").value,
      clearComposer: () => app.composer.clear(),
    }),
  };
  ctx.statusBadge = statusBadge;
  ctx.extraActions = (msg) => [
    action(team.saved.has(msg.id) ? "bookmark-filled" : "bookmark", team.saved.has(msg.id) ? "unsave_message" : "save_message",
      () => team.saved.toggle(msg)),
    action("alarm", "remind_me", () => team.schedule.remindDialog(msg)),
    canPin() ? action("pin", team.pins.isPinned(msg.id) ? "unpin" : "pin", () => team.pins.toggle(msg)) : null,
  ];
  onStatusChange(() => {
    app.people.draw();
    app.conversation.invalidateAll();
  });
  addButtons(app);
  onLanguage(() => {            // open panels follow a language switch (pins: drawHeader)
    team.saved.refresh();
    team.schedule.refresh();
  });
}

// From the dialog, or a notify_preferences frame from another tab or device.
function preferencesChanged(prefs) {
  const { state } = team.app;
  const { room_id: roomId, notify_level: level, room_muted: muted } = prefs;
  for (const room of [state.room?.id === roomId ? state.room : null, state.rooms.get(roomId)]) {
    if (room) Object.assign(room, { notify_level: level, room_muted: muted });
  }
  drawHeader();
  team.app.drawSidebar();
}

function action(symbol, label, onclick) {
  return h("button", { type: "button", class: "icon-button", "aria-label": t(label), title: t(label), onclick }, icon(symbol));
}

function addButtons(app) {
  const actions = $(".header-actions");
  team.level = levelButton(() => app.state.room && levelDialog(app.state.room, preferencesChanged));
  team.savedButton = h("button", { type: "button", class: "icon-button", id: "saved-button",
    onclick: () => team.saved.open() }, icon("bookmark"));
  team.scheduledButton = h("button", { type: "button", class: "icon-button", id: "scheduled-button",
    onclick: () => team.schedule.open() }, icon("clock"));
  actions.prepend(team.level, team.savedButton, team.scheduledButton);
  team.laterButton = h("button", { type: "button", class: "icon-button", id: "send-later-button",
    onclick: () => team.schedule.sendLaterDialog() }, icon("clock"));
  $("#send-button").before(team.laterButton);
  labelButtons();
}

function labelButtons() {
  for (const [button, key] of [[team.savedButton, "saved_messages"], [team.scheduledButton, "scheduled_messages"],
    [team.laterButton, "send_later"]]) {
    button.setAttribute("aria-label", t(key));
    button.title = t(key);
  }
}

// Signed in: the lists that do not depend on the open room.
export function teamStarted(me) {
  loadStatuses(me);
  team?.saved.load();
}

export function teamRoomOpened(room) {
  team?.pins.load(room);
}

export function drawHeader() {
  if (!team) return;
  drawLevelButton(team.level, team.app.state.room);
  labelButtons();
  team.pins.draw();
}

export const TEAM_FRAMES = {
  message_pinned: (app, frame) => team?.pins.pinnedFrame(frame),
  message_unpinned: (app, frame) => team?.pins.unpinnedFrame(frame),
  message_saved: (app, frame) => team?.saved.savedFrame(frame),
  status: (app, frame) => statusFrame(frame),
  scheduled_message: (app, frame) => team?.schedule.scheduledFrame(frame),
  reminder: (app, frame) => team?.schedule.reminderFrame(frame),
  notify_preferences: (app, frame) => team && preferencesChanged(frame),
};

// message_deleted is live.js's; a deleted message also leaves the saved list.
export function messageDeleted(msg) {
  team?.saved.deleted(msg);
}
