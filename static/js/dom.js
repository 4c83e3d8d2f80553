// DOM building without innerHTML: user content only ever becomes text nodes,
// links only get http(s) hrefs, and server snippets are split on <mark> by hand.
import { language, t } from "./i18n.js";

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

// Replace an element's children, skipping null/undefined/false: the DOM's own
// replaceChildren and append would show them as the words "null" and "undefined".
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const $ = (selector, root = document) => root.querySelector(selector);

const SVG = "http://www.w3.org/2000/svg";

// An icon from /static/icons.svg (same origin, so the CSP allows it).
export function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS(SVG, "use");
  use.setAttribute("href", `/static/icons.svg#${name}`);
  svg.append(use);
  return svg;
}

export function safeHttpUrl(raw) {
  try {
    const url = new URL(raw, location.href);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

// Uploaded files are served by us: accept only our own /uploads/ paths.
export function safeUploadUrl(raw) {
  if (typeof raw !== "string" || !raw.startsWith("/uploads/")) return null;
  return safeHttpUrl(raw);
}

const TOKEN = /(https?:\/\/[^\s<>"']+)|(@[\w.-]{1,32})/g;

// Without a regex: /[.,]+$/ tries every start in a run of dots and reads the run to its
// end each time, so a URL of 10,000 dots cost 70 ms per render (quadratic).
function trimEnd(text, chars) {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1])) end -= 1;
  return text.slice(0, end);
}

// Text with clickable links and highlighted @mentions; returns [fragment, mentionsMe].
export function richText(text, me, knownNames) {
  const frag = document.createDocumentFragment();
  let last = 0;
  let mentionsMe = false;
  for (const match of text.matchAll(TOKEN)) {
    let token = match[0];
    if (match[1]) token = trimEnd(token, ".,;:!?)]}");
    frag.append(document.createTextNode(text.slice(last, match.index)));
    last = match.index + token.length;
    if (match[1]) {
      const href = safeHttpUrl(token);
      frag.append(href ? h("a", { href, target: "_blank", rel: "noopener noreferrer", text: token })
        : document.createTextNode(token));
      continue;
    }
    const name = trimEnd(token.slice(1), ".-");
    last = match.index + 1 + name.length;
    const lower = name.toLowerCase();
    // @here and @all ping everyone in the room: highlighted like one's own name.
    const isMe = (me && lower === me.toLowerCase()) || lower === "here" || lower === "all";
    if (isMe || knownNames.has(lower)) {
      mentionsMe ||= isMe;
      frag.append(h("span", { class: isMe ? "mention self" : "mention", text: "@" + name }));
    } else {
      frag.append(document.createTextNode("@" + name));
    }
  }
  frag.append(document.createTextNode(text.slice(last)));
  return [frag, mentionsMe];
}

// The server's snippet is HTML-escaped text with <mark> around hits. Split on the
// tags and insert text nodes, so even a wrong snippet can never become markup.
export function markedSnippet(snippet) {
  const frag = document.createDocumentFragment();
  const parts = String(snippet ?? "").split(/(<mark>|<\/mark>)/);
  let marked = false;
  for (const part of parts) {
    if (part === "<mark>") { marked = true; continue; }
    if (part === "</mark>") { marked = false; continue; }
    const text = unescapeEntities(part);
    if (text) frag.append(marked ? h("mark", { text }) : document.createTextNode(text));
  }
  return frag;
}

function unescapeEntities(text) {
  const named = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'", "#x27": "'" };
  return text.replace(/&(amp|lt|gt|quot|apos|#39|#x27);/g, (_, name) => named[name]);
}

export function formatSize(bytes) {
  if (!Number.isFinite(bytes)) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const locale = () => (language() === "zh" ? "zh-CN" : "en");

export function formatTime(iso) {
  return new Date(iso).toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" });
}

export function formatFull(iso) {
  return new Date(iso).toLocaleString(locale());
}

export function dayKey(iso) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function dayLabel(iso) {
  const d = new Date(iso);
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (dayKey(iso) === dayKey(today.toISOString())) return t("today");
  if (dayKey(iso) === dayKey(yesterday.toISOString())) return t("yesterday");
  return d.toLocaleDateString(locale(), { weekday: "long", year: "numeric", month: "long", day: "numeric" });
}

// What an avatar circle holds: the user's picture (one we host), else their initial.
export function avatarFace(user) {
  const url = safeUploadUrl(user?.avatar_url);
  if (url) return h("img", { class: "avatar-img", src: url, alt: "", loading: "lazy", decoding: "async" });
  return document.createTextNode(initials(displayName(user)));
}

export function initials(name) {
  const clean = String(name || "?").trim();
  return (clean[0] || "?").toUpperCase();
}

// A stable hue per user, used through a class (no inline styles under our CSP).
export function hueClass(id) {
  return `hue-${Math.abs(Number(id) || 0) % 8}`;
}

// A guest's mark beside their name, wherever it appears (docs/guests.md).
export function guestMark(user) {
  return user?.is_guest ? h("span", { class: "role guest-mark", text: t("guest") }) : null;
}

export function displayName(user) {
  if (!user) return "?";
  return user.display_name || user.username || "?";
}
