"""What an email about missed notifications says, in the recipient's language: the
notifications grouped by room, a link to each room and message, and the unsubscribe
link and headers (RFC 8058 one-click)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlencode

from chat.core.reach.email import Digest, unsubscribe_token
from chat.i18n import title_in, translate

SITE = "Teahouse"


def base_url(settings) -> str:
    return settings.public_url or f"http://{settings.host}:{settings.port}"


def unsubscribe_url(settings, secret: str, user_id: int) -> str:
    query = urlencode({"u": user_id, "t": unsubscribe_token(secret, user_id)})
    return f"{base_url(settings)}/email/unsubscribe?{query}"


def body_lines(settings, digest: Digest) -> list[str]:
    language, base = digest.language, base_url(settings)
    shown = digest.items[: settings.email_max_items]
    lines = [translate("email_intro", language, name=digest.user.name), ""]
    rooms: dict[int, list] = {}
    for item in shown:
        rooms.setdefault(item.room.id, []).append(item)
    for room_id, items in rooms.items():
        room = items[0].room
        heading = (
            translate("email_direct_room", language) if room.room_type == "direct" else room.name
        )
        lines.append(f"{heading} — {translate('email_open_room', language)}: {base}/#{room_id}")
        for item in items:
            lines.append(f"  • {title_in(item, language)}: {item.content}")
            if item.message is not None:
                lines.append(f"    {base}/#{room_id}/{item.message.id}")
        lines.append("")
    if len(digest.items) > len(shown):
        lines += [translate("email_more", language, count=len(digest.items) - len(shown)), ""]
    return lines


def compose(settings, secret: str, digest: Digest) -> EmailMessage:
    language = digest.language
    unsubscribe = unsubscribe_url(settings, secret, digest.user.id)
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = digest.address
    message["Subject"] = translate("email_subject", language, count=len(digest.items), site=SITE)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    footer = [
        "-- ",
        translate("email_footer", language, settings=f"{base_url(settings)}/"),
        translate("email_unsubscribe_line", language, link=unsubscribe),
    ]
    message.set_content("\n".join(body_lines(settings, digest) + footer))
    return message
