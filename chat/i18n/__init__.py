"""Human-readable strings in English and Simplified Chinese, looked up by key.

Keys name what happened; the dialects pick the wording their seeds show (the zh
strings of seed texts are kept verbatim). This module looks texts up and picks the
language; the catalog's parts, by subject, are the modules beside it.
"""

from __future__ import annotations

from contextvars import ContextVar

from chat.i18n import conversation, general, integrations, people, stored

# The language of whoever the current request, socket or rendering is for; None: show
# stored texts as they are (written in the server's language).
viewer_language: ContextVar[str | None] = ContextVar("viewer_language", default=None)

# The catalog, by subject; each part's keys are its own (tests/test_hooks.py checks).
CATALOG: dict[str, tuple[str, str]] = {
    **general.TEXTS,
    **people.TEXTS,
    **conversation.TEXTS,
    **integrations.TEXTS,
    **stored.TEXTS,
}


def pick_language(accept_language: str | None, default: str) -> str:
    """The first of en/zh named in an Accept-Language header, else the default."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return default


def translate(key: str, language: str, **params) -> str:
    english, chinese = CATALOG.get(key, (key, key))
    template = chinese if language == "zh" else english
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def shown(key: str | None, stored: str, **params) -> str:
    """A server-written text in the viewer's language, or the stored text as it is."""
    language = viewer_language.get()
    if key is None or language is None or key not in CATALOG:
        return stored
    return translate(key, language, **params)


MEMBERS_KEY = "system_members"  # a large room's coalesced notice (core/member_notices.py)


def members_text(
    language: str, joined: tuple = (), joined_count: int = 0, left: tuple = (), left_count: int = 0
) -> str:
    """A coalesced notice: the first two names of who joined and who left, and how many
    in all ("Alice, Bob and 9,998 more joined the room")."""
    parts = [
        _some(language, event, names, count)
        for event, names, count in (("join", joined, joined_count), ("leave", left, left_count))
        if count
    ]
    return ("；" if language == "zh" else "; ").join(parts)


def _some(language: str, event: str, names, count: int) -> str:
    if count == 1:
        return translate(f"system_{event}", language, username=names[0])
    size = "two" if count == 2 else "many"
    return translate(
        f"system_{event}_{size}",
        language,
        first=names[0],
        second=names[1],
        more=f"{count - 2:,}",
        total=f"{count:,}",
    )


def message_text(message) -> str:
    """What a viewer reads as a message's content: joins, leaves, uploads and deletions
    in their language (named by the sender's display name); people's words as written."""
    if message.text_key == MEMBERS_KEY and message.text_params:
        language = viewer_language.get()
        return (
            message.content if language is None else members_text(language, **message.text_params)
        )
    sender = message.sender
    return shown(
        message.text_key,
        message.content,
        username=sender.name if sender else "",
        name=message.file_name or "",
    )


def notification_title(notification) -> str:
    return shown(notification.title_key, notification.title, **notification.title_params)


def title_in(notification, language: str) -> str:
    """A notification's title in one reader's language (a push, an email), whatever
    language the server wrote it in."""
    if notification.title_key not in CATALOG:
        return notification.title
    return translate(notification.title_key, language, **notification.title_params)
