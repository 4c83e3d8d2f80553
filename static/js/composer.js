// The message box: Enter sends, Shift+Enter is a newline, @mention autocomplete,
// typing notices, reply and edit modes, and files by picker, drag-and-drop or paste.
import { t } from "./i18n.js";
import { $, displayName, fill, h, icon } from "./dom.js";

const TYPING_REPEAT_MS = 3000;
const TYPING_IDLE_MS = 4000;

export class Composer {
  // app: { room(), members() → [{user}], send(text, replyTo), saveEdit(msg, text),
  //        typing(bool), upload(files), lastOwnMessage() }
  constructor(root, app) {
    this.root = root;
    this.app = app;
    // By class, not id: the room and an open thread each have a composer.
    this.input = $("textarea", root);
    this.context = $(".composer-context", root);
    this.suggestions = $(".mention-list", root);
    this.mode = null;           // {kind: "reply"|"edit", msg}
    this.typingSentAt = 0;
    this.typingTimer = null;
    this.matches = [];
    this.active = 0;
    this.input.addEventListener("keydown", (e) => this.onKey(e));
    this.input.addEventListener("input", () => this.onInput());
    this.input.addEventListener("blur", () => { this.stopTyping(); setTimeout(() => this.closeSuggestions(), 150); });
    this.input.addEventListener("paste", (e) => this.onPaste(e));
    $("form", root).addEventListener("submit", (e) => { e.preventDefault(); this.submit(); });
    const picker = $("input[type=file]", root);
    if (!picker) return;                // a thread's composer takes no files
    $(".attach-button", root).addEventListener("click", () => picker.click());
    picker.addEventListener("change", () => {
      if (picker.files.length) this.app.upload([...picker.files]);
      picker.value = "";
    });
  }

  focus() { this.input.focus(); }

  setPlaceholder(roomName) {
    this.roomName = roomName;
    this.input.placeholder = this.muted ? t("muted_notice") : t("message_placeholder", { room: roomName });
  }

  // Muted members cannot send (the server says 403): say so before they type.
  setMuted(muted) {
    this.muted = muted;
    for (const el of this.root.querySelectorAll("textarea, button")) el.disabled = muted;
    this.setPlaceholder(this.roomName);
  }

  clear() {
    this.input.value = "";
    this.cancelMode();
    this.autosize();
  }

  startReply(msg) {
    this.mode = { kind: "reply", msg };
    this.showContext(t("replying_to", { name: displayName(msg.sender) }), msg.content);
    this.focus();
  }

  startEdit(msg) {
    this.mode = { kind: "edit", msg };
    this.showContext(t("editing"), "");
    this.input.value = msg.content;
    this.autosize();
    this.focus();
  }

  cancelMode() {
    if (this.mode?.kind === "edit") this.input.value = "";
    this.mode = null;
    this.context.hidden = true;
    this.context.replaceChildren();
  }

  showContext(label, quote) {
    fill(this.context,
      h("span", { class: "context-label", text: label }),
      quote ? h("span", { class: "context-quote", text: quote.slice(0, 120) }) : null,
      h("button", { type: "button", class: "icon-button", "aria-label": t("cancel"), title: t("cancel"),
        onclick: () => { this.cancelMode(); this.focus(); } }, icon("close")));
    this.context.hidden = false;
  }

  submit() {
    const text = this.input.value.trim();
    if (!text) return;
    if (this.mode?.kind === "edit") {
      this.app.saveEdit(this.mode.msg, text);
    } else {
      this.app.send(text, this.mode?.kind === "reply" ? this.mode.msg.id : null);
    }
    this.input.value = "";
    this.cancelMode();
    this.autosize();
    this.stopTyping();
  }

  onKey(e) {
    if (!this.suggestions.hidden && this.matches.length) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        this.active = (this.active + (e.key === "ArrowDown" ? 1 : -1) + this.matches.length) % this.matches.length;
        this.drawSuggestions();
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        this.pick(this.matches[this.active]);
        return;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        this.closeSuggestions();
        return;
      }
    }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
    } else if (e.key === "Escape" && this.mode) {
      e.preventDefault();               // leaving the edit, not the thread around it
      this.cancelMode();
    } else if (e.key === "ArrowUp" && !this.input.value) {
      const last = this.app.lastOwnMessage();
      if (last) {
        e.preventDefault();
        this.startEdit(last);
      }
    }
  }

  onInput() {
    this.autosize();
    this.updateSuggestions();
    if (!this.input.value.trim()) {
      this.stopTyping();
      return;
    }
    const now = Date.now();
    if (now - this.typingSentAt > TYPING_REPEAT_MS) {
      this.typingSentAt = now;
      this.app.typing(true);
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping() {
    clearTimeout(this.typingTimer);
    if (this.typingSentAt) {
      this.typingSentAt = 0;
      this.app.typing(false);
    }
  }

  autosize() {
    this.input.rows = Math.min(8, Math.max(1, this.input.value.split("\n").length));
  }

  // @mentions: the word being typed right before the caret.
  updateSuggestions() {
    const before = this.input.value.slice(0, this.input.selectionStart);
    const match = /(^|\s)@([\w.-]{0,32})$/.exec(before);
    if (!match) return this.closeSuggestions();
    const query = match[2].toLowerCase();
    this.matches = this.app.members()
      .map((m) => m.user)
      .filter((u) => u.username.toLowerCase().startsWith(query)
        || (u.display_name || "").toLowerCase().startsWith(query))
      .slice(0, 8);
    this.active = 0;
    if (!this.matches.length) return this.closeSuggestions();
    this.drawSuggestions();
  }

  drawSuggestions() {
    this.suggestions.replaceChildren(...this.matches.map((user, i) => h("li", {
      role: "option", id: `${this.suggestions.id}-${i}`, class: i === this.active ? "active" : "",
      "aria-selected": i === this.active ? "true" : "false",
      onmousedown: (e) => { e.preventDefault(); this.pick(user); },
    }, h("strong", { text: displayName(user) }), " ", h("span", { class: "handle", text: "@" + user.username }))));
    this.suggestions.hidden = false;
    this.input.setAttribute("aria-activedescendant", `${this.suggestions.id}-${this.active}`);
  }

  closeSuggestions() {
    this.suggestions.hidden = true;
    this.matches = [];
    this.input.removeAttribute("aria-activedescendant");
  }

  pick(user) {
    const caret = this.input.selectionStart;
    const before = this.input.value.slice(0, caret).replace(/@([\w.-]{0,32})$/, `@${user.username} `);
    this.input.value = before + this.input.value.slice(caret);
    this.input.setSelectionRange(before.length, before.length);
    this.closeSuggestions();
    this.focus();
  }

  onPaste(e) {
    const files = [...(e.clipboardData?.files || [])];
    if (files.length && this.app.upload) {
      e.preventDefault();
      this.app.upload(files);
    }
  }
}

// Drag-and-drop anywhere over the conversation.
export function acceptDrops(zone, overlay, onFiles) {
  let depth = 0;
  const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes("Files");
  zone.addEventListener("dragenter", (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth += 1;
    overlay.hidden = false;
  });
  zone.addEventListener("dragover", (e) => { if (hasFiles(e)) e.preventDefault(); });
  zone.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth) overlay.hidden = true;
  });
  zone.addEventListener("drop", (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    onFiles([...e.dataTransfer.files]);
  });
}
