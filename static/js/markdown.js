// Message formatting: a small, safe Markdown subset, parsed here and built as DOM nodes.
// Blocks: fenced code (``` … ```), block quotes (>), lists (-, *, +, 1.), paragraphs.
// Inline: **bold**, __bold__, *italic*, _italic_, ~~strike~~, `code`, [text](http…) and
// backslash escapes; bare URLs and @mentions as everywhere (richText).
// No HTML is ever parsed: every character the sender typed ends up in a text node, a
// link only ever gets an http(s) href, and nesting is capped, so a hostile message can
// neither inject markup nor make the parser work hard. The stored text stays as typed.
// A message from a Slack webhook or import carries Slack's own markup (mrkdwn.js parses
// it into the same nodes), and is shown as Slack shows it.
import { h, richText, safeHttpUrl } from "./dom.js";
import { t } from "./i18n.js";
import { parseMrkdwn } from "./mrkdwn.js";

const MAX_DEPTH = 4;            // quotes in quotes, markers in markers
// Matched against the line without its trailing space (fenceOf): "\s*" before and after
// the language, which may be empty, could split a run of spaces every way (quadratic).
const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]{0,20})$/;
const QUOTE = /^ {0,3}> ?/;
const ITEM = /^ {0,3}(?:([-*+])|(\d{1,9})[.)])[ \t]+(.*)$/;
const URL_START = /^https?:\/\//;
const URL_RUN = /^https?:\/\/[^\s<>"']+/;
const ESCAPABLE = "\\`*_~[]()>#+-.!|";

// ---- parsing: text → plain objects (testable without a DOM) ---------------------------

export function parse(text) {
  return parseBlocks(String(text ?? "").replace(/\r\n?/g, "\n").split("\n"), 0);
}

function parseBlocks(lines, depth) {
  const blocks = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const fence = fenceOf(line);
    if (fence) {
      const closer = fence[1];
      const body = [];
      for (i += 1; i < lines.length && !closes(lines[i], closer); i += 1) body.push(lines[i]);
      i += 1;                                   // the closing fence, if any
      blocks.push({ type: "code", lang: fence[2], text: body.join("\n") });
    } else if (QUOTE.test(line) && depth < MAX_DEPTH) {
      const inner = [];
      for (; i < lines.length && QUOTE.test(lines[i]); i += 1) inner.push(lines[i].replace(QUOTE, ""));
      blocks.push({ type: "quote", children: parseBlocks(inner, depth + 1) });
    } else if (ITEM.test(line)) {
      const ordered = Boolean(ITEM.exec(line)[2]);
      const list = { type: "list", ordered, start: ordered ? Number(ITEM.exec(line)[2]) : 1, items: [] };
      for (let m; i < lines.length && (m = ITEM.exec(lines[i])) && Boolean(m[2]) === ordered; i += 1) {
        list.items.push(parseInline(m[3], depth));
      }
      blocks.push(list);
    } else if (!line.trim()) {
      i += 1;
    } else {
      const para = [];
      for (; i < lines.length && lines[i].trim() && !startsBlock(lines[i], depth); i += 1) para.push(lines[i]);
      blocks.push({ type: "paragraph", children: parseInline(para.join("\n"), depth) });
    }
  }
  return blocks;
}

function fenceOf(line) {
  return FENCE.exec(line.trimEnd());
}

function closes(line, opener) {
  const trimmed = line.trim();
  return trimmed.length >= opener.length && trimmed === opener[0].repeat(trimmed.length);
}

function startsBlock(line, depth) {
  return Boolean(fenceOf(line)) || ITEM.test(line) || (QUOTE.test(line) && depth < MAX_DEPTH);
}

// Inline markers pair left to right; an opener without a closer stays literal text.
function parseInline(text, depth = 0) {
  const nodes = [];
  // marker → the earliest position from which no closer exists: a closer's validity does
  // not depend on its opener, so each marker's text is searched about once (no O(n²)).
  const misses = new Map();
  let plain = "";
  const flush = () => {
    if (plain) nodes.push({ type: "text", text: plain });
    plain = "";
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "h" && URL_START.test(text.slice(i, i + 8))) {
      const url = URL_RUN.exec(text.slice(i))[0];     // markers inside a URL are the URL's
      plain += url;
      i += url.length;
      continue;
    }
    if (ch === "\\" && i + 1 < text.length && ESCAPABLE.includes(text[i + 1])) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    const span = matchSpan(text, i, depth, misses);
    if (span) {
      flush();
      nodes.push(span.node);
      i = span.end;
    } else {
      plain += ch;
      i += 1;
    }
  }
  flush();
  return nodes;
}

function matchSpan(text, i, depth, misses) {
  const ch = text[i];
  if (ch === "`") return codeSpan(text, i, misses);
  if (ch === "[") return linkSpan(text, i, depth);
  if (depth >= MAX_DEPTH) return null;
  const two = text.slice(i, i + 2);
  if (two === "**" || two === "__") return delimited(text, i, two, "strong", depth, misses);
  if (two === "~~") return delimited(text, i, two, "del", depth, misses);
  if (ch === "*" || ch === "_") return delimited(text, i, ch, "em", depth, misses);
  return null;
}

function codeSpan(text, i, misses) {
  let n = 0;
  while (text[i + n] === "`") n += 1;
  const fence = "`".repeat(n);
  if (missed(misses, fence, i + n)) return null;
  for (let j = text.indexOf(fence, i + n); j !== -1; j = text.indexOf(fence, j + 1)) {
    if (text[j + n] === "`" || text[j - 1] === "`") continue;       // a longer run
    let inner = text.slice(i + n, j);
    if (!inner.trim()) return null;
    if (inner.length > 2 && inner.startsWith(" ") && inner.endsWith(" ")) inner = inner.slice(1, -1);
    return { node: { type: "code", text: inner }, end: j + n };
  }
  return miss(misses, fence, i + n);
}

function missed(misses, marker, from) {
  return misses.has(marker) && misses.get(marker) <= from;
}

function miss(misses, marker, from) {
  misses.set(marker, Math.min(misses.get(marker) ?? Infinity, from));
  return null;
}

// _x_ needs word boundaries outside (snake_case stays as typed); every marker needs
// text right inside it ("2 * 3 * 4" is arithmetic, not emphasis).
function delimited(text, i, marker, type, depth, misses) {
  const n = marker.length;
  if (!text[i + n] || /\s/.test(text[i + n])) return null;
  if (marker[0] === "_" && /[\p{L}\p{N}]/u.test(text[i - 1] || "")) return null;
  if (missed(misses, marker, i + n + 1)) return null;
  for (let j = text.indexOf(marker, i + n + 1); j !== -1; j = text.indexOf(marker, j + 1)) {
    if (/\s/.test(text[j - 1])) continue;
    if (n === 1 && text[j + 1] === marker) { j += 1; continue; }          // ** inside *
    if (marker[0] === "_" && /[\p{L}\p{N}]/u.test(text[j + n] || "")) continue;
    while (n === 2 && text[j + n] === marker[0]) j += 1;              // ***both***: the last two
    const children = parseInline(text.slice(i + n, j), depth + 1);
    return { node: { type, children }, end: j + n };
  }
  return miss(misses, marker, i + n + 1);
}

function linkSpan(text, i, depth) {
  const close = text.indexOf("](", i + 1);
  if (close === -1 || text.slice(i + 1, close).includes("\n")) return null;
  const end = text.indexOf(")", close + 2);
  if (end === -1) return null;
  const target = text.slice(close + 2, end).trim();
  const href = URL_START.test(target) ? safeHttpUrl(target) : null;
  const label = text.slice(i + 1, close);
  if (!href || !label.trim()) return null;
  const children = parseInline(label, MAX_DEPTH).filter((n) => n.type === "text" || n.type === "code");
  return { node: { type: "link", href, children }, end: end + 1 };
}

// ---- rendering: objects → DOM ---------------------------------------------------------

// [fragment, mentionsMe] for a message's text; mentions and bare URLs as richText does.
// mrkdwn: Slack's markup of the same text (a Slack webhook or import), shown instead.
export function formatMessage(text, me, knownNames, mrkdwn = null) {
  let mentionsMe = false;
  const draw = {
    leaf(value) {
      const [frag, mine] = richText(value, me, knownNames);
      mentionsMe ||= mine;
      return frag;
    },
    mention(name) {            // a mention Slack's markup spells out: always shown as one
      const lower = name.toLowerCase();
      const self = lower === me?.toLowerCase() || ["here", "channel", "everyone"].includes(lower);
      mentionsMe ||= self;
      return h("span", { class: self ? "mention self" : "mention", text: "@" + name });
    },
  };
  const frag = document.createDocumentFragment();
  frag.append(...blocksOf(text, mrkdwn).map((block) => renderBlock(block, draw)));
  return [frag, mentionsMe];
}

// Slack's markup of a message from a Slack-format webhook or a Slack import, else null.
export function slackMarkup(msg) {
  return msg.format === "mrkdwn" && typeof msg.mrkdwn === "string" ? msg.mrkdwn : null;
}

function blocksOf(text, mrkdwn) {
  return mrkdwn === null || mrkdwn === undefined ? parse(text) : parseMrkdwn(mrkdwn);
}

function renderBlock(block, draw) {
  switch (block.type) {
    case "code": return codeBlock(block.text);
    case "quote": return h("blockquote", { class: "md-quote" }, block.children.map((b) => renderBlock(b, draw)));
    case "list": return h(block.ordered ? "ol" : "ul", {
      class: "md-list", start: block.ordered && block.start !== 1 ? String(block.start) : undefined,
    }, block.items.map((item) => h("li", {}, renderInline(item, draw))));
    default: return h("p", { class: "md-p" }, renderInline(block.children, draw));
  }
}

// One line of a message, for the pinned bar and the pins and saved panels: the same
// inline formatting, blocks run together, and no links (the whole item is a button).
export function formatCompact(text, mrkdwn = null) {
  const frag = document.createDocumentFragment();
  const draw = {
    compact: true,
    leaf: (value) => document.createTextNode(value),
    mention: (name) => h("span", { class: "mention", text: "@" + name }),
  };
  const blocks = (list) => list.forEach((block, i) => {
    if (i) frag.append(" ");
    if (block.type === "code") frag.append(h("code", { class: "md-code", text: block.text }));
    else if (block.type === "quote") blocks(block.children);
    else if (block.type === "list") frag.append(...block.items.map((item) => h("span", {}, "• ", renderInline(item, draw), " ")));
    else frag.append(...renderInline(block.children, draw));
  });
  blocks(blocksOf(text, mrkdwn));
  return frag;
}

function renderInline(nodes, draw) {
  const compact = Boolean(draw.compact);
  return nodes.map((node) => {
    switch (node.type) {
      case "text": return draw.leaf(node.text);
      case "mention": return draw.mention(node.name);
      case "code": return h("code", { class: "md-code", text: node.text });
      case "link": return h(compact ? "span" : "a", compact ? { class: "md-link" } : { href: node.href, target: "_blank", rel: "noopener noreferrer" },
        node.children.map((c) => (c.type === "code" ? h("code", { class: "md-code", text: c.text }) : c.text)));
      default: return h(node.type === "strong" ? "strong" : node.type === "em" ? "em" : "del", {},
        renderInline(node.children, draw));
    }
  });
}

// Monospace, whitespace kept, and a copy button; no highlighter (nothing remote).
function codeBlock(text) {
  const button = h("button", { type: "button", class: "copy-code", text: t("copy_code") });
  button.addEventListener("click", () => copyText(text).then((ok) => {
    button.textContent = ok ? t("copied") : t("copy_failed");
    setTimeout(() => { button.textContent = t("copy_code"); }, 1500);
  }));
  return h("div", { class: "md-codeblock" }, button, h("pre", {}, h("code", { text })));
}

// The Clipboard API needs a secure context; an intranet http:// page falls back to a
// hidden textarea and execCommand.
async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h("textarea", { class: "offscreen", readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}
