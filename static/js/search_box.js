// The message search box's helpers: suggestions as one types (operators, room names,
// people) and the active filters of the query shown as removable chips. The server
// parses the query (chat/core/conversation/search_query.py); the page only splits it
// into the same tokens to show and edit them, and never decides what a query means.
import { get } from "./api.js";
import { onLanguage, t } from "./i18n.js";
import { $, h } from "./dom.js";

const TOKEN = /(-)?"([^"]+)"|([A-Za-z]+)[:：]"([^"]+)"|(\S+)/g;
const OPERATOR = /^([A-Za-z]+)[:：](.+)$/;
const TYPING = /^([A-Za-z]+)[:：](.*)$/;  // an operator being typed, value maybe empty
const OPERATORS = ["from", "in", "mentions", "has", "is", "before", "after", "on"];
const SUGGESTIONS = [
  ["from:", "op_from"], ["in:", "op_in"], ["mentions:", "op_mentions"], ["@me", "op_me"],
  ["has:link", "op_has_link"], ["has:file", "op_has_file"], ["has:image", "op_has_image"],
  ["is:pinned", "op_is_pinned"], ["is:saved", "op_is_saved"],
  ["before:", "op_before"], ["after:", "op_after"], ["on:", "op_on"],
];
const MAX_SHOWN = 8;

// The query's tokens with their places: [{text, start, end, filter}] where filter says
// whether the token narrows the search (an operator, @me or an exclusion).
export function tokens(query) {
  return [...query.matchAll(TOKEN)].map((m) => {
    const text = m[0];
    const op = m[3] || (m[5] && OPERATOR.exec(m[5])?.[1]);
    const filter = Boolean(m[1]) || OPERATORS.includes((op || "").toLowerCase())
      || text.toLowerCase() === "@me" || (Boolean(m[5]) && /^-[\p{L}\p{N}]/u.test(text));
    return { text, start: m.index, end: m.index + text.length, filter };
  });
}

function quoted(name) { return /\s/.test(name) ? `"${name}"` : name; }

function isoDay(daysAgo) {
  return new Date(Date.now() - daysAgo * 86400000).toISOString().slice(0, 10);
}

export class SearchBox {
  // app: { rooms(): room listings, changed(query): the query was edited by a chip }
  constructor(app) {
    this.app = app;
    this.input = $("#search-input");
    this.list = $("#search-suggestions");
    this.chips = $("#search-chips");
    this.options = [];
    this.active = -1;
    this.asked = 0;
    this.input.addEventListener("input", () => { this.drawChips(); this.suggest(); });
    this.input.addEventListener("keydown", (e) => this.onKey(e));
    this.input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
    onLanguage(() => { this.drawChips(); if (!this.list.hidden) this.suggest(); });
    this.drawChips();
  }

  // The token the caret is in (or just after): what suggestions complete.
  current() {
    const caret = this.input.selectionStart ?? this.input.value.length;
    const token = tokens(this.input.value).find((tk) => tk.start <= caret && caret <= tk.end);
    return token || { text: "", start: caret, end: caret };
  }

  async suggest() {
    const token = this.current();
    const asked = ++this.asked;
    const found = await this.candidates(token.text);
    if (asked !== this.asked) return;  // a later keystroke asked again
    this.show(found.slice(0, MAX_SHOWN), token);
  }

  async candidates(text) {
    const op = TYPING.exec(text);
    const name = op?.[1].toLowerCase();
    const value = (op?.[2] || "").replace(/^[@#"]/, "").toLowerCase();
    if (name === "from" || name === "mentions") return this.people(name, value);
    if (name === "in") {
      return this.app.rooms()
        .filter((r) => r.room_type !== "direct" && r.name.toLowerCase().includes(value))
        .map((r) => ({ value: `in:${quoted(r.name)}`, label: t("op_in") }));
    }
    if (["before", "after", "on"].includes(name)) {
      return [0, 1, 7].map((days) => ({ value: `${name}:${isoDay(days)}`, label: t(`op_${name}`) }));
    }
    if (!text || text.length < 1 || text.startsWith("-") || text.startsWith('"')) return [];
    const lower = text.toLowerCase().replace("：", ":");
    return SUGGESTIONS.filter(([word]) => word.startsWith(lower) && word !== lower)
      .map(([word, key]) => ({ value: word, label: t(key) }));
  }

  async people(name, value) {
    if (!value) return [{ value: `${name}:me`, label: t(name === "from" ? "op_from_me" : "op_me") }];
    try {
      const found = await get(`/api/users/?q=${encodeURIComponent(value)}`);
      return found.map((u) => ({ value: `${name}:${u.username}`, label: u.display_name || u.username }));
    } catch {
      return [];  // suggestions are optional
    }
  }

  show(found, token) {
    this.options = found;
    this.token = token;
    this.active = -1;
    this.list.replaceChildren(...found.map((option, i) => h("li", {
      id: `search-suggestion-${i}`, role: "option", class: "search-suggestion", "aria-selected": "false",
      onmousedown: (e) => { e.preventDefault(); this.accept(i); },
    }, h("code", { text: option.value }), h("span", { class: "muted", text: option.label }))));
    this.list.hidden = !found.length;
    this.input.setAttribute("aria-expanded", String(!this.list.hidden));
    this.input.removeAttribute("aria-activedescendant");
  }

  close() {
    this.list.hidden = true;
    this.options = [];
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  onKey(e) {
    if (this.list.hidden || !this.options.length) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + this.options.length) % this.options.length;
      for (const [i, el] of [...this.list.children].entries()) el.setAttribute("aria-selected", String(i === this.active));
      this.input.setAttribute("aria-activedescendant", `search-suggestion-${this.active}`);
    } else if ((e.key === "Enter" || e.key === "Tab") && this.active >= 0) {
      e.preventDefault();
      this.accept(this.active);
    } else if (e.key === "Escape") {
      this.close();
    }
  }

  // The token under the caret becomes the suggestion; an operator waiting for its value
  // ("from:") keeps the caret after it and suggests again.
  accept(i) {
    const { value } = this.options[i];
    const { start, end } = this.token;
    const text = this.input.value;
    const open = value.endsWith(":");
    const inserted = open ? value : `${value} `;
    this.input.value = text.slice(0, start) + inserted + text.slice(end).replace(/^\s+/, "");
    const caret = start + inserted.length;
    this.input.setSelectionRange(caret, caret);
    this.input.focus();
    this.drawChips();
    if (open) this.suggest(); else this.close();
  }

  drawChips() {
    const filters = tokens(this.input.value).filter((tk) => tk.filter);
    this.chips.replaceChildren(...filters.map((tk) => h("li", { class: "search-chip" },
      h("span", { text: tk.text }),
      h("button", {
        type: "button", class: "chip-remove", "aria-label": t("remove_filter", { filter: tk.text }),
        title: t("remove_filter", { filter: tk.text }), text: "×", onclick: () => this.remove(tk),
      }))));
    this.chips.hidden = !filters.length;
  }

  remove(token) {
    const text = this.input.value;
    this.input.value = (text.slice(0, token.start) + text.slice(token.end)).replace(/\s+/g, " ").trim();
    this.drawChips();
    this.input.focus();
    this.app.changed(this.input.value.trim());
  }
}
