"""Slack/Mattermost incoming-webhook payloads rendered as one message, twice: as plain
text (the content every client reads, searches and is notified by) and as Slack's own
markup (mrkdwn, kept beside it so the page can show *bold*, links and mentions as
Slack does).

Tools such as Alertmanager and Grafana leave "text" empty and put everything in
"attachments" (or "blocks"), so those become text too. In the plain text, Slack's
<url|label> links, <@U123> and <!here> mentions and its &amp;/&lt;/&gt; escapes are
undone.
"""

from __future__ import annotations

import re

from chat.core.fields import clean_display_name
from chat.errors import BadInput
from chat.models import MAX_CONTENT

# No part of a link may hold "<": Slack escapes it as &lt;, and a match stops at the
# next "<". Each attempt so reads only up to the next "<" or ">" and the scans never
# overlap: linear time. With "<" allowed, "<http:" repeated made every attempt read to
# the end of the text (quadratic: 64 KiB froze the server for 16 s).
LINK = re.compile(r"<((?:https?|mailto):[^|<>\s]+)(?:\|([^<>]*))?>")
# No "<" inside a mention (Slack writes it as &lt;): an attempt stops at the next "<",
# so "<@U|" repeated costs linear time, not a read to the end per attempt.
USER = re.compile(r"<@([A-Za-z0-9]+)(?:\|([^<>]*))?>")
SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^<>]*)?>")
ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
MAX_ITEMS = 100  # attachments, fields or blocks read from one payload


def unlink(text: str) -> str:
    """<url|label> becomes "label (url)", <url> the url."""
    return LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)


def unescape(text: str) -> str:
    """Slack's markup as plain text."""
    text = unlink(text)
    text = USER.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = SPECIAL.sub(lambda m: "@" + m.group(1), text)
    for entity, char in ENTITIES:
        text = text.replace(entity, char)
    return text


def string(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def linked(title: str, link: str) -> str:
    """An attachment's title with its title_link, as a Slack link where it is one."""
    if not link.startswith(("http://", "https://")) or any(c in "|<>" or c.isspace() for c in link):
        return f"{title} ({link})"
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        title = title.replace(char, entity)  # the title is plain text, not markup
    return f"<{link}|{title}>"


def render_attachment(attachment) -> list[str]:
    if not isinstance(attachment, dict):
        return []
    lines = [string(attachment.get("pretext"))]
    title, link = string(attachment.get("title")), string(attachment.get("title_link"))
    lines.append(linked(title, link) if title and link else title)
    lines.append(string(attachment.get("text")))
    fields = attachment.get("fields")
    for item in fields[:MAX_ITEMS] if isinstance(fields, list) else ():
        if isinstance(item, dict) and (string(item.get("title")) or string(item.get("value"))):
            lines.append(f"{string(item.get('title'))}: {string(item.get('value'))}".strip(": "))
    lines.append(string(attachment.get("footer")))
    lines = [line for line in lines if line]
    # fallback is the plain summary for clients that cannot show the rest
    return lines or [string(attachment.get("fallback"))]


def render_block(block) -> list[str]:
    if not isinstance(block, dict):
        return []
    text = block.get("text")
    lines = [string(text.get("text")) if isinstance(text, dict) else ""]
    fields = block.get("fields")
    for item in fields[:MAX_ITEMS] if isinstance(fields, list) else ():
        if isinstance(item, dict):
            lines.append(string(item.get("text")))
    return [line for line in lines if line]


def render_payload(payload: dict) -> tuple[str, str]:
    """(plain text, Slack markup) of a webhook payload; BadInput("no_text") when there is
    no text."""
    parts = [string(payload.get("text"))]
    # With blocks, Slack treats "text" as the notification fallback: show one, not both.
    sources = (
        (("attachments", render_attachment),)
        if parts[0]
        else (("blocks", render_block), ("attachments", render_attachment))
    )
    for key, render in sources:
        items = payload.get(key)
        for item in items[:MAX_ITEMS] if isinstance(items, list) else ():
            parts.append("\n".join(line for line in render(item) if line))
    markup = "\n\n".join(part for part in parts if part).strip()
    text = unescape(markup).strip()
    if not text:
        raise BadInput("no_text")
    return cut(text), cut(markup)


def cut(text: str) -> str:
    """Long alerts are cut rather than refused: the tool that sent them cannot retry shorter."""
    return text if len(text) <= MAX_CONTENT else text[: MAX_CONTENT - 1] + "…"


def thread_of(payload: dict) -> tuple[int | None, bool]:
    """Slack's thread_ts, here the id of the message to reply to (Teahouse ids are its
    messages' "ts"), and reply_broadcast ("also send to channel"): (reply_to, thread_only)."""
    thread_ts = payload.get("thread_ts")
    if thread_ts in (None, ""):
        return None, False
    if isinstance(thread_ts, bool) or not str(thread_ts).isdigit() or len(str(thread_ts)) > 18:
        raise BadInput("field_type", field="thread_ts", kind="a message id")
    return int(thread_ts), payload.get("reply_broadcast") is not True


def override_name(payload: dict) -> str | None:
    """Slack's per-message "username", shown instead of the hook's name."""
    return clean_display_name(string(payload.get("username")), None)
