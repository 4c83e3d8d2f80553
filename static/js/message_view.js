// One message as DOM: author, time, reply quote, text (links and mentions), image or
// file card, reactions, pending/failed state and the action toolbar. Text only.
import { t } from "./i18n.js";
import {
  avatarFace, displayName, fill, formatFull, formatSize, formatTime, guestMark, h, hueClass, icon,
  safeHttpUrl, safeUploadUrl,
} from "./dom.js";
import { previewsElement } from "./link_previews.js";
import { formatMessage, slackMarkup } from "./markdown.js";
import { joinButton } from "./calls.js";

export const QUICK_EMOJI = ["👍", "❤️", "😂", "🎉", "😮", "😢", "👀", "✅"];

// ctx: { me, knownNames, byId(id) → message|undefined, callLink(text) → meeting url|null,
//        actions: {reply, edit, remove, react, jump, retry, openImage, removePreviews} }
export function messageElement(msg, ctx) {
  if (msg.message_type === "system") return systemElement(msg);
  const own = msg.sender?.id === ctx.me.id;
  const el = h("article", {
    class: "msg" + (own ? " own" : "") + (msg.is_deleted ? " deleted" : ""),
    id: msg.id ? `${ctx.idPrefix || "m-"}${msg.id}` : undefined,
    dataset: { id: msg.id ?? "", clientId: msg.client_id ?? "", sender: msg.sender?.id ?? "" },
    tabindex: "-1",
  });
  const name = displayName(msg.sender);
  fill(el,
    h("div", { class: `avatar ${hueClass(msg.sender?.id)}`, "aria-hidden": "true" }, avatarFace(msg.sender)),
    msg.created_at ? h("time", { class: "gutter-time", datetime: msg.created_at, "aria-hidden": "true", text: formatTime(msg.created_at) }) : null,
    bodyElement(msg, ctx, el, name),
  );
  if (!msg.is_deleted && msg.id) el.append(toolbar(msg, own, ctx));
  return el;
}

function systemElement(msg) {
  return h("div", { class: "msg system", id: `m-${msg.id}`, dataset: { id: msg.id }, role: "note" },
    h("span", { text: msg.content }), " ",
    h("time", { datetime: msg.created_at, title: formatFull(msg.created_at), text: formatTime(msg.created_at) }));
}

function bodyElement(msg, ctx, el, name) {
  const body = h("div", { class: "body" });
  body.append(h("header", { class: "meta" },
    h("span", { class: "author", text: name }),
    ctx.statusBadge?.(msg.sender?.id),
    msg.sender?.is_bot ? h("span", { class: "role bot-mark", text: t("bot") }) : null,
    guestMark(msg.sender),
    msg.sender?.username && msg.sender.username !== name && !msg.sender.is_bot
      ? h("span", { class: "handle", text: "@" + msg.sender.username }) : null,
    msg.created_at
      ? h("time", { datetime: msg.created_at, title: formatFull(msg.created_at), text: formatTime(msg.created_at) })
      : null));
  if (msg.reply_to && !msg.is_deleted && ctx.quotes?.(msg) !== false) body.append(replyQuote(msg, ctx));
  if (msg.is_deleted) {
    body.append(h("p", { class: "content deleted-text", text: t("message_deleted") }));
    return withThread(body, msg, ctx);          // a deleted root keeps its thread
  }
  const attachment = attachmentElement(msg, ctx);
  const content = msg.content ?? "";
  // An upload's text is the server's caption naming the file: the card says it already.
  if (content && !(attachment && msg.file_name && content.includes(msg.file_name))) {
    const [frag, mentionsMe] = formatMessage(content, ctx.me.username, ctx.knownNames, slackMarkup(msg));
    if (mentionsMe && msg.sender?.id !== ctx.me.id) el.classList.add("mentions-me");
    const edited = msg.is_edited ? h("span", { class: "edited", text: " " + t("edited") }) : null;
    if (edited) (frag.lastChild?.matches?.("p") ? frag.lastChild : frag).append(edited);
    body.append(h("div", { class: "content" }, frag));
    const call = ctx.callLink?.(content);
    if (call) body.append(joinButton(call));
  }
  if (attachment) body.append(attachment);
  const previews = previewsElement(msg, msg.sender?.id === ctx.me.id, ctx);
  if (previews) body.append(previews);
  const reactions = reactionsElement(msg, ctx);
  if (reactions) body.append(reactions);
  if (msg._state) body.append(stateElement(msg, ctx));
  return withThread(body, msg, ctx);
}

// A root's "N replies" line, or a link to the thread of a reply also sent to the room.
function withThread(body, msg, ctx) {
  const line = ctx.threadLine?.(msg);
  if (line) body.append(line);
  return body;
}

// In the room's timeline a reply's quote opens its thread; in the thread it jumps.
function replyQuote(msg, ctx) {
  const replyId = msg.reply_to;
  const original = ctx.byId(replyId);
  const who = original ? displayName(original.sender) : "…";
  const text = original ? (original.is_deleted ? t("message_deleted") : original.file_name || original.content) : "";
  return h("button", {
    class: "reply-quote", type: "button",
    onclick: () => (msg.thread_id && ctx.actions.openThread ? ctx.actions.openThread(msg) : ctx.actions.jump(replyId)),
    "aria-label": t("replying_to", { name: who }),
  }, h("span", { class: "reply-author", text: who }), h("span", { class: "reply-text", text: (text || "").slice(0, 140) }));
}

function attachmentElement(msg, ctx) {
  const url = safeUploadUrl(msg.file_url);
  if (!url) return externalCard(msg);
  const fileName = msg.file_name || url.split("/").pop();
  if (msg.message_type === "image") {
    const img = h("img", { class: "thumb", src: url, alt: fileName, loading: "lazy", decoding: "async" });
    img.addEventListener("load", () => ctx.actions.imageLoaded?.());
    return h("a", {
      class: "image-link", href: url, target: "_blank", rel: "noopener",
      title: t("open_image"), "aria-label": `${t("open_image")}: ${fileName}`,
      onclick: (e) => { e.preventDefault(); ctx.actions.openImage(url, fileName); },
    }, img);
  }
  return h("div", { class: "file-card" },
    h("span", { class: "file-icon", "aria-hidden": "true", text: extension(fileName) }),
    h("span", { class: "file-info" },
      h("span", { class: "file-name", text: fileName }),
      h("span", { class: "file-size", text: formatSize(msg.file_size) })),
    h("a", { class: "file-download", href: url, download: fileName, rel: "noopener", text: t("download") }));
}

// A file_url on another site (API clients may post one): a plain link card. Nothing is
// fetched from it, not even an image preview, so a message cannot make readers' browsers
// call out to a tracker or an intranet address.
function externalCard(msg) {
  const href = msg.file_url && safeHttpUrl(msg.file_url);
  if (!href || !/^https?:/i.test(msg.file_url)) return null;
  const host = new URL(href).host;
  return h("a", { class: "file-card link-card", href, target: "_blank", rel: "noopener noreferrer nofollow" },
    h("span", { class: "file-icon", "aria-hidden": "true" }, icon("link")),
    h("span", { class: "file-info" },
      h("span", { class: "file-name", text: msg.file_name || href }),
      h("span", { class: "file-size", text: t("external_link", { host }) })));
}

function extension(name) {
  const ext = String(name).split(".").pop();
  return ext && ext.length <= 4 ? ext.toUpperCase() : "FILE";
}

function reactionsElement(msg, ctx) {
  const list = (msg.reactions || []).filter((r) => r.count > 0);
  if (!list.length) return null;
  return h("div", { class: "reactions", role: "group", "aria-label": t("react") },
    list.map((r) => {
      const mine = r.me || (r.user_ids || []).includes(ctx.me.id);
      return h("button", {
        type: "button", class: "reaction" + (mine ? " mine" : ""), "aria-pressed": mine ? "true" : "false",
        onclick: () => ctx.actions.react(msg, r.emoji),
      }, h("span", { class: "emoji", text: r.emoji }), h("span", { class: "count", text: String(r.count) }));
    }));
}

function stateElement(msg, ctx) {
  if (msg._state === "pending") return h("div", { class: "send-state pending", role: "status", text: t("sending") });
  return h("div", { class: "send-state failed", role: "alert" },
    h("span", { text: `${t("failed")} ${msg._error || ""}` }), " ",
    h("button", { type: "button", class: "link-button", text: t("retry"), onclick: () => ctx.actions.retry(msg) }), " ",
    h("button", { type: "button", class: "link-button", text: t("discard"), onclick: () => ctx.actions.discard(msg) }));
}

function toolbar(msg, own, ctx) {
  const bar = h("div", { class: "actions", role: "toolbar", "aria-label": displayName(msg.sender) });
  const button = (label, name, fn) => h("button", {
    type: "button", class: "icon-button", "aria-label": t(label), title: t(label), onclick: fn,
  }, icon(name));
  bar.append(button("react", "smile", (e) => ctx.actions.pickEmoji(msg, e.currentTarget)));
  bar.append(button("reply", "reply", () => ctx.actions.reply(msg)));
  if (ctx.actions.openThread) bar.append(button("open_thread", "thread", () => ctx.actions.openThread(msg)));
  bar.append(...(ctx.extraActions?.(msg) || []).filter(Boolean));
  if (own && msg.message_type === "text") bar.append(button("edit", "edit", () => ctx.actions.edit(msg)));
  if (own || ctx.canModerate) bar.append(button("delete", "trash", () => ctx.actions.remove(msg)));
  return bar;
}
