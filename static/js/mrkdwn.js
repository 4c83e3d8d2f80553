// Slack's markup (mrkdwn) of messages that came from a Slack-format webhook or a Slack
// import, parsed into the same blocks and inline nodes as markdown.js renders:
// *bold*, _italic_, ~strike~, `code`, ```preformatted```, > quotes, <url|label> links,
// <@U123|name> and <!here> mentions, <#C123|name> channels, and &amp; &lt; &gt;.
// Linear-ish and regex-free in the hot path: every marker's closers are listed once per
// paragraph and found by binary search, nesting is capped, and an opener without a
// closer stays literal text. Nothing here makes markup: render code builds DOM nodes.
import { safeHttpUrl } from "./dom.js";

const MAX_DEPTH = 4;
const PRE = "```";
const MARKS = { "*": "strong", _: "em", "~": "del" };
const GROUPS = new Set(["here", "channel", "everyone"]);

export function parseMrkdwn(source) {
  const text = String(source ?? "").replace(/\r\n?/g, "\n");
  const blocks = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf(PRE, i);
    const close = open === -1 ? -1 : text.indexOf(PRE, open + PRE.length);
    if (close === -1) {
      textBlocks(text.slice(i), blocks);
      break;
    }
    textBlocks(text.slice(i, open), blocks);
    blocks.push({ type: "code", lang: "", text: decode(text.slice(open + PRE.length, close).replace(/^\n/, "")) });
    i = close + PRE.length;
  }
  return blocks;
}

// Lines starting with > (sent as &gt;) are quoted; >>> quotes everything after it.
function textBlocks(text, blocks) {
  const lines = text.split("\n");
  let plain = [];
  let quoted = [];
  const flush = () => {
    if (plain.join("").trim()) blocks.push(paragraph(trimNewlines(plain.join("\n"))));
    if (quoted.length) blocks.push({ type: "quote", children: [paragraph(quoted.join("\n"))] });
    plain = [];
    quoted = [];
  };
  for (let n = 0; n < lines.length; n += 1) {
    const rest = quoteRest(lines[n], 3);
    if (rest !== null) {
      flush();
      quoted = [rest, ...lines.slice(n + 1)];
      break;
    }
    const line = quoteRest(lines[n], 1);
    if ((line === null) !== (quoted.length === 0)) flush();
    if (line === null) plain.push(lines[n]);
    else quoted.push(line);
  }
  flush();
}

// The line after `count` quote marks (> or &gt;) and one space, or null.
function quoteRest(line, count) {
  let i = 0;
  for (let n = 0; n < count; n += 1) {
    if (line.startsWith("&gt;", i)) i += 4;
    else if (line[i] === ">") i += 1;
    else return null;
  }
  return line[i] === " " ? line.slice(i + 1) : line.slice(i);
}

function paragraph(text) {
  return { type: "paragraph", children: new Inline(text).parse(0, text.length, 0) };
}

class Inline {
  constructor(text) {
    this.text = text;
    this.newlines = positions(text, (i) => text[i] === "\n");
    this.angles = positions(text, (i) => text[i] === ">");
    this.ticks = positions(text, (i) => text[i] === "`");
    this.closers = {};
    for (const mark of Object.keys(MARKS)) this.closers[mark] = positions(text, (i) => text[i] === mark && this.isCloser(i));
  }

  // A closer has text right before it and no word right after it.
  isCloser(i) {
    const before = this.text[i - 1];
    return before !== undefined && !/\s/.test(before) && !isWordChar(this.text[i + 1]);
  }

  opens(i) {
    const mark = this.text[i];
    const after = this.text[i + 1];
    return !isWordChar(this.text[i - 1]) && after !== undefined && !/\s/.test(after) && after !== mark;
  }

  lineEnd(i) { return firstFrom(this.newlines, i); }

  parse(from, to, depth) {
    const { text } = this;
    const nodes = [];
    let plainStart = from;
    const flush = (end) => {
      if (end > plainStart) nodes.push({ type: "text", text: decode(text.slice(plainStart, end)) });
    };
    let i = from;
    while (i < to) {
      const found = this.span(i, to, depth);
      if (found) {
        flush(i);
        nodes.push(found.node);
        i = found.end;
        plainStart = i;
      } else {
        i += 1;
      }
    }
    flush(to);
    return nodes;
  }

  // The span starting at i (a token, code, or a marked run), or null.
  span(i, to, depth) {
    const ch = this.text[i];
    const limit = Math.min(to, this.lineEnd(i));
    if (ch === "<") {
      const end = firstFrom(this.angles, i + 1);
      const node = end < limit ? token(this.text.slice(i + 1, end)) : null;
      return node && { node, end: end + 1 };
    }
    if (ch === "`") {
      const end = firstFrom(this.ticks, i + 1);
      if (end >= limit || end === i + 1) return null;
      return { node: { type: "code", text: decode(this.text.slice(i + 1, end)) }, end: end + 1 };
    }
    if (!MARKS[ch] || depth >= MAX_DEPTH || !this.opens(i)) return null;
    const end = firstFrom(this.closers[ch], i + 2);
    if (end >= limit) return null;
    return { node: { type: MARKS[ch], children: this.parse(i + 1, end, depth + 1) }, end: end + 1 };
  }
}

// What is between < and >: a link, a person, a channel or a group mention; null when
// it is none of those (then the text stays as it was).
function token(inner) {
  const bar = inner.indexOf("|");
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? "" : decode(inner.slice(bar + 1));
  if (target.startsWith("@")) return { type: "mention", name: label.replace(/^@/, "") || target.slice(1) };
  if (target.startsWith("#")) return { type: "text", text: "#" + (label || target.slice(1)) };
  if (target.startsWith("!")) {
    const word = target.slice(1).split("^")[0];
    if (GROUPS.has(word)) return { type: "mention", name: word };
    if (word === "subteam" && label) return { type: "mention", name: label.replace(/^@/, "") };
    return { type: "text", text: label || word };
  }
  if (/^mailto:/i.test(target)) return { type: "text", text: label || target.slice(7) };
  const href = /^https?:\/\//i.test(target) ? safeHttpUrl(decode(target)) : null;
  if (!href) return null;
  return { type: "link", href, children: [{ type: "text", text: label || decode(target) }] };
}

function trimNewlines(text) {
  let start = 0;
  let end = text.length;
  while (text[start] === "\n") start += 1;
  while (end > start && text[end - 1] === "\n") end -= 1;
  return text.slice(start, end);
}

function positions(text, test) {
  const found = [];
  for (let i = 0; i < text.length; i += 1) if (test(i)) found.push(i);
  return found;
}

// The first position in the sorted list at or after `from`; Infinity when none.
function firstFrom(list, from) {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length ? list[lo] : Infinity;
}

function isWordChar(ch) {
  return ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
}

function decode(text) {
  return text.split("&lt;").join("<").split("&gt;").join(">").split("&amp;").join("&");
}
